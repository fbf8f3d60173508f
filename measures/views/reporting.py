"""The caseworker's side: report the status of a measure, see one's own measures, and (coordinators) how complete
the open period's reporting is."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from ..forms import StatusReportForm, add_errors
from ..models import Measure, Organisation, PeriodState, ReportingPeriod
from ..periods import reported_in
from ..permissions import can_report_on, is_coordinator
from ..services import ColleagueReported, record_status
from .public import measure_commitments

MEASURE_RELATED = ["plan", "responsible_unit", "latest_update__period", "latest_update__source"]


def _reportable_or_403(request, pk):
    measure = get_object_or_404(Measure.objects.select_related(*MEASURE_RELATED, "latest_update__author"), pk=pk)
    if not can_report_on(request.user, measure):
        raise PermissionDenied(_("You may only report on the measures your units are responsible for."))
    return measure


@login_required
@require_http_methods(["GET", "POST"])
def report_status(request, pk):
    """Report a measure's status. Full page without JavaScript; HTMX swaps the form and the timeline in place."""
    measure = _reportable_or_403(request, pk)
    last = measure.latest_update
    initial = {}
    if request.method == "GET" and request.GET.get("copy") and last is not None:
        initial = {
            "status": last.status,
            "happened": last.happened,
            "next_step": last.next_step,
            "expected_completion": last.expected_completion,
            "evidence_links": last.evidence_links,
        }
    form = StatusReportForm(request.POST or None, measure=measure, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_status(
                measure=measure,
                user=request.user,
                seen_update_id=data["seen_latest"],
                status=data["status"],
                period=data["period"],
                happened=data["happened"],
                next_step=data["next_step"],
                expected_completion=data["expected_completion"],
                evidence_links=data["evidence_links"],
            )
        except ColleagueReported as overtaken:
            form.show_colleague_report(overtaken.latest, overtaken)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if request.htmx:
                return _reported_fragment(request, measure)
            messages.success(request, _("Your report on «%(measure)s» is saved.") % {"measure": measure.title})
            return redirect(reverse("measure_detail", args=[measure.pk]) + "#timeline")
    context = {"measure": measure, "form": form, "last": last, "inline": bool(request.htmx)}
    template = "reporting/_report_form.html" if request.htmx else "reporting/report_status.html"
    return render(request, template, context, status=422 if form.errors and request.htmx else 200)


def _reported_fragment(request, measure):
    """After an HTMX report: the new status and timeline, swapped into the measure page out of band."""
    measure = Measure.objects.select_related(*MEASURE_RELATED).get(pk=measure.pk)
    context = {
        "measure": measure,
        "updates": measure.updates.select_related("author", "period", "source").order_by("-recorded_at", "-id"),
        "commitments": measure_commitments(measure),
    }
    return render(request, "reporting/_reported.html", context)


@login_required
@permission_required("measures.add_statusupdate", raise_exception=True)
@require_safe
def my_measures(request):
    """What a caseworker is responsible for, what still needs a report in the open period, and what is late."""
    period = ReportingPeriod.objects.current()
    units = list(request.user.units.all())
    measures = Measure.objects.filter(responsible_unit__members=request.user).select_related(*MEASURE_RELATED)
    if period is not None:
        measures = measures.annotate(reported_in_period=reported_in(period))
    measures = list(measures.in_plan_order())
    context = {
        "period": period,
        "units": units,
        "measures": measures,
        "to_report": [m for m in measures if period is not None and not m.reported_in_period],
        "late": [m for m in measures if m.is_late],
        "coordinator": is_coordinator(request.user),
    }
    return render(request, "reporting/my_measures.html", context)


@login_required
@require_safe
def period_completeness(request, pk=None):
    """For coordinators: per unit, how many measures are reported in the period, and which (and who) are missing."""
    if not is_coordinator(request.user):
        raise PermissionDenied(_("Only coordinators see the completeness of a period."))
    if pk is None:
        # The open period; between periods the one that ended last (it was open once, so it has reports).
        period = ReportingPeriod.objects.current() or (
            ReportingPeriod.objects.exclude(state=PeriodState.PLANNED).order_by("-ends_on", "-pk").first()
        )
        if period is None:
            messages.info(request, _("No reporting period has been opened yet."))
            return redirect("period_list")
        return redirect("period_completeness", pk=period.pk)
    period = get_object_or_404(ReportingPeriod, pk=pk)
    reported = reported_in(period)
    units = (
        Organisation.objects.filter(responsible_for__isnull=False)
        .annotate(
            total=Count("responsible_for", distinct=True),
            reported=Count("responsible_for", filter=Q(responsible_for__updates__period=period), distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "responsible_for",
                queryset=Measure.objects.annotate(done=reported).filter(done=False).in_plan_order(),
                to_attr="missing",
            ),
            Prefetch("members", queryset=get_user_model().objects.filter(is_active=True).order_by("last_name")),
        )
        .order_by("name")
    )
    units = list(units)
    unassigned = Measure.objects.filter(responsible_unit__isnull=True).annotate(done=reported)
    context = {
        "period": period,
        "units": units,
        "total": sum(unit.total for unit in units),
        "reported": sum(unit.reported for unit in units),
        "unassigned_missing": list(unassigned.filter(done=False).in_plan_order()[:200]),
        "periods": ReportingPeriod.objects.exclude(state=PeriodState.PLANNED).order_by("-starts_on")[:12],
        "today": timezone.localdate(),
    }
    return render(request, "reporting/period_completeness.html", context)
