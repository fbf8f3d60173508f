"""The coordinator's editing pages: measures (with their links), commitments, decisions and reporting periods.

Every save is refused if somebody else saved the record in between (decisions.forms.VersionedModelForm); the page
then shows both versions and keeps the user's input. Every save is in the audit history with the user and time.
Changing links re-computes the commitments' rolled-up status at once.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bergen_rus.converters import parse_id
from decisions.models import Commitment, Decision

from ..forms import CommitmentForm, DecisionForm, MeasureDecisionFormSet, MeasureForm, PeriodForm
from ..models import Measure, ReportingPeriod
from ..services import close_period, open_period, publish_period, refresh_commitment_statuses


def _require(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied(_("Your role does not allow this."))


def _linked_commitments(measure):
    return set(measure.commitments.values_list("pk", flat=True)) if measure.pk else set()


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
    if request.method == "POST":
        # The form locks the measure's row while it checks the version, so the check and the save are one step.
        with transaction.atomic():
            before = _linked_commitments(measure)
            if form.is_valid() and links.is_valid():
                try:
                    with transaction.atomic():
                        form.bump_version()
                        saved = form.save()
                        links.instance = saved
                        links.save()
                        refresh_commitment_statuses(before | _linked_commitments(saved), user=request.user)
                except IntegrityError:
                    # A colleague saved the same link, or the same number in the plan, between the check and the
                    # save. Nothing was saved: the page shows the input again on the record as it is now.
                    measure, form, links = _measure_forms(request, pk)
                    form.is_valid()
                    links.is_valid()
                    message = _("A colleague saved the same thing at the same moment. Look, then save again.")
                    form.add_error(None, message)
                else:
                    messages.success(request, _("«%(title)s» is saved.") % {"title": saved.title})
                    return redirect("measure_detail", pk=saved.pk)
    context = {
        "form": form,
        "links": links,
        "record": measure,
        "heading": heading,
    }
    return render(request, "editing/edit_measure.html", context)


def edit_record(request, *, model, pk, form_class, headings, after_save=None, redirect_to=None, initial=None):
    """The edit (or, without `pk`, create) page of one record with a versioned form.

    Checks the model's change (or add) permission, saves in a transaction with the version moved on (a stale save
    is refused by the form, which then shows both versions), calls `after_save(saved)` and goes to the record's page
    (or `redirect_to`). `headings` is (edit heading, new heading).
    """
    meta = model._meta
    _require(request.user, f"{meta.app_label}.{'change' if pk else 'add'}_{meta.model_name}")
    record = get_object_or_404(model, pk=pk) if pk else model()
    heading = _record_heading(record, *headings)  # before the form changes the instance
    form = form_class(request.POST or None, instance=record, initial=initial)
    if request.method == "POST":
        with transaction.atomic():
            if form.is_valid():
                form.bump_version()
                saved = form.save()
                if after_save is not None:
                    after_save(saved)
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
        after_save=lambda saved: refresh_commitment_statuses([saved.pk], user=request.user),
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


PERIOD_ACTIONS = {"open": open_period, "close": close_period, "publish": publish_period}


@login_required
@require_POST
def change_period_state(request, pk, action):
    """Open, close or publish a period (coordinators)."""
    _require(request.user, "measures.change_reportingperiod")
    period = get_object_or_404(ReportingPeriod, pk=pk)
    change = PERIOD_ACTIONS.get(action)
    if change is None:
        raise Http404("Unknown action.")
    try:
        period = change(period=period, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except IntegrityError:  # a colleague opened another period at the same moment (only one can be open)
        messages.error(request, _("Another period was opened at the same moment. Look at the list and try again."))
    else:
        messages.success(request, _("%(period)s: %(state)s.") % {"period": period, "state": period.get_state_display()})
    return redirect(reverse("period_list"))
