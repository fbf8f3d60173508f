"""The coordinator's editing pages: measures (with their links), commitments, decisions and reporting periods.

Each page validates with its form and saves through one service (measures.services), which refuses a save if
somebody else saved the record in between; the page then shows both versions and keeps the person's input. The
services write the audit history and roll the commitments' statuses up again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bergen_rus.converters import parse_id
from bergen_rus.versioning import StaleVersion
from decisions.models import Commitment, Decision

from ..forms import (
    CommitmentForm,
    DecisionForm,
    MeasureDecisionFormSet,
    MeasureForm,
    PeriodForm,
    add_errors,
    decision_links,
)
from ..models import Measure, PeriodState, ReportingPeriod
from ..services import save_measure, save_record, transition_period

SAME_MOMENT = _("A colleague saved the same thing at the same moment. Look, then save again.")


def _require(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied(_("Your role does not allow this."))


def _record_heading(record, edit_heading, new_heading):
    """«Edit measure: <its saved name>», or «New measure» for a record not saved yet."""
    return f"{edit_heading}: {record}" if record.pk else new_heading


def _measure_forms(request, pk):
    """The measure's form and its links' formset, bound to the request's data, on the measure as it is saved."""
    measure = get_object_or_404(Measure, pk=pk) if pk else Measure()
    form = MeasureForm(request.POST or None, instance=measure)
    links = MeasureDecisionFormSet(request.POST or None, instance=measure, prefix="decisions")
    return measure, form, links


@login_required
@require_http_methods(["GET", "POST"])
def edit_measure(request, pk=None):
    _require(request.user, "measures.change_measure" if pk else "measures.add_measure")
    measure, form, links = _measure_forms(request, pk)
    heading = _record_heading(measure, _("Edit measure"), _("New measure"))  # before the form changes the instance
    if request.method == "POST" and form.is_valid() and (stale := form.stale_record()) is not None:
        form.show_conflict(stale)
    elif request.method == "POST" and form.is_valid() and links.is_valid():
        try:
            saved = save_measure(
                user=request.user,
                measure=measure,
                fields=form.changes(),
                decision_links=decision_links(links),
                expected_version=form.expected_version,
            )
        except StaleVersion as stale:
            form.show_conflict(stale.current)
        except ValidationError as error:
            add_errors(form, error)
        except IntegrityError:
            # The same number in the plan saved by a colleague between the check and the save: nothing was saved.
            form.add_error(None, SAME_MOMENT)
        else:
            messages.success(request, _("«%(title)s» is saved.") % {"title": saved.title})
            return redirect("measure_detail", pk=saved.pk)
    context = {"form": form, "links": links, "record": measure, "heading": heading}
    return render(request, "editing/edit_measure.html", context)


def edit_record(request, *, model, pk, form_class, headings, redirect_to=None, initial=None):
    """The edit (or, without `pk`, create) page of one record with a versioned form.

    Checks the model's change (or add) permission, validates with the form and saves through
    measures.services.save_record (a stale save is refused there, and the page shows both versions), then goes to
    the record's page (or `redirect_to`). `headings` is (edit heading, new heading).
    """
    meta = model._meta
    _require(request.user, f"{meta.app_label}.{'change' if pk else 'add'}_{meta.model_name}")
    record = get_object_or_404(model, pk=pk) if pk else model()
    heading = _record_heading(record, *headings)  # before the form changes the instance
    form = form_class(request.POST or None, instance=record, initial=initial)
    if request.method == "POST" and form.is_valid() and (stale := form.stale_record()) is not None:
        form.show_conflict(stale)
    elif request.method == "POST" and form.is_valid():
        try:
            saved = save_record(
                user=request.user, record=record, fields=form.changes(), expected_version=form.expected_version
            )
        except StaleVersion as stale:
            form.show_conflict(stale.current)
        except ValidationError as error:
            add_errors(form, error)
        except IntegrityError:
            form.add_error(None, SAME_MOMENT)
        else:
            messages.success(request, _("«%(title)s» is saved.") % {"title": saved})
            return redirect(redirect_to or saved.get_absolute_url())
    return render(request, "editing/edit_record.html", {"form": form, "record": record, "heading": heading})


@login_required
@require_http_methods(["GET", "POST"])
def edit_commitment(request, pk=None):
    initial = {}
    if not pk:
        initial = {key: parse_id(request.GET.get(key)) for key in ("decision", "platform")}
    return edit_record(
        request,
        model=Commitment,
        pk=pk,
        form_class=CommitmentForm,
        headings=(_("Edit commitment"), _("New commitment")),
        initial=initial,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_decision(request, pk=None):
    return edit_record(
        request, model=Decision, pk=pk, form_class=DecisionForm, headings=(_("Edit decision"), _("New decision"))
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_period(request, pk=None):
    return edit_record(
        request,
        model=ReportingPeriod,
        pk=pk,
        form_class=PeriodForm,
        headings=(_("Edit reporting period"), _("New reporting period")),
        redirect_to="period_list",
    )


@login_required
def period_list(request):
    if not request.user.has_perm("measures.view_reportingperiod"):
        raise PermissionDenied(_("Your role does not allow this."))
    periods = ReportingPeriod.objects.order_by("-starts_on", "kind")
    return render(
        request,
        "editing/period_list.html",
        {"periods": periods, "can_manage": request.user.has_perm("measures.change_reportingperiod")},
    )


# The address's word for each move a coordinator can make, and the state it moves the period to.
PERIOD_ACTIONS = {
    "open": PeriodState.OPEN,
    "close": PeriodState.CLOSED,
    "reopen": PeriodState.OPEN,
    "publish": PeriodState.PUBLISHED,
}


@login_required
@require_http_methods(["GET", "POST"])
def change_period_state(request, pk, action):
    """Open, close, reopen or publish a period (coordinators). Closing and reopening ask first (GET shows what the
    move means: how many measures are still unreported in the period); the move itself is a POST."""
    _require(request.user, "measures.change_reportingperiod")
    period = get_object_or_404(ReportingPeriod, pk=pk)
    target = PERIOD_ACTIONS.get(action)
    if target is None:
        raise Http404("Unknown action.")
    if request.method == "GET":
        if action not in ("close", "reopen"):
            return redirect("period_list")
        context = {"period": period, "action": action, "unreported": unreported_count(period)}
        return render(request, "editing/period_confirm.html", context)
    try:
        period = transition_period(period=period, user=request.user, to=target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except IntegrityError:  # a colleague opened another period at the same moment (only one can be open)
        messages.error(request, _("Another period was opened at the same moment. Look at the list and try again."))
    else:
        messages.success(request, _("%(period)s: %(state)s.") % {"period": period, "state": period.get_state_display()})
    return redirect(reverse("period_list"))


def unreported_count(period):
    """How many measures have no report in `period` (one query)."""
    return Measure.objects.exclude(updates__period=period).count()
