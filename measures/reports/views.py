"""The report pages and downloads: the reports page where a politician picks a period and a filter, and the PDF of
every list, decision and measure, as the reader sees it. Public, like the pages they come from."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_safe

from decisions.models import Body, Decision

from ..filters import MeasureFilter
from ..models import Measure, PeriodState, ReportingPeriod
from ..periods import default_period, ordered_periods, period_key
from . import data, exporters, jobs
from . import render as documents

REPORT_FILTERS = data.STATUS_REPORT_FILTERS
RECENT_DECISIONS = 12


def _archive(request):
    return request.GET.get("archive") == "1"


def _reports_page(request, *, filterset, selected_key, periods, status=200):
    context = {
        "periods": [(period_key(period), period) for period in reversed(periods)],
        "period_key": selected_key,
        "filter_fields": [filterset.form[name] for name in REPORT_FILTERS],
        "archive": _archive(request),
        "decisions": Decision.objects.filter(body=Body.COUNCIL).order_by("-decided_on", "title", "pk")[
            :RECENT_DECISIONS
        ],
    }
    return render(request, "reports/reports.html", context, status=status)


@require_safe
def reports(request):
    """Pick a period and a filter, and download the status report."""
    periods = ordered_periods()
    default = default_period(periods=periods)
    filterset = MeasureFilter(data.status_report_params(request.GET) or None)
    key = request.GET.get("period") or (period_key(default) if default else "")
    return _reports_page(request, filterset=filterset, selected_key=key, periods=periods)


@require_GET  # not HEAD: a PDF is made to be downloaded
def status_report_pdf(request):
    """The status report as PDF. A period or filter that does not exist is explained on the reports page (400)."""
    params = data.status_report_params(request.GET)
    periods = ordered_periods()
    key = request.GET.get("period", "")
    period = next((p for p in periods if key in (period_key(p), str(p.pk))), None)
    if not key:
        period = default_period(periods=periods)
    filterset = MeasureFilter(params or None)
    if period is None or (params and not filterset.is_valid()):
        if not periods:
            raise Http404("There are no reporting periods.")
        return _reports_page(request, filterset=filterset, selected_key=key, periods=periods, status=400)
    params = data.canonical_params(filterset) if params else QueryDict()
    return exporters.report(
        request,
        jobs.Report.of("status", period_key(period), params.urlencode(), archive=_archive(request)),
        filename=documents.status_report_name(period=period, params=params),
        size=lambda: data.status_report_size(params=params),
        back_url=reverse("reports") + "?" + request.GET.urlencode(),
    )


@require_GET  # not HEAD: a PDF is made to be downloaded
def progress_pdf(request, pk):
    """The progress report of a period; like its page, public once the period is published."""
    period = get_object_or_404(ReportingPeriod, pk=pk)
    if period.state != PeriodState.PUBLISHED and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return exporters.report(
        request,
        jobs.Report.of("progress", period_key(period), archive=_archive(request)),
        filename=documents.progress_name(period=period),
        size=data.progress_size,
        back_url=reverse("progress_report", args=[period.pk]),
    )


@require_GET  # not HEAD: a PDF is made to be downloaded
def decision_pdf(request, pk):
    decision = get_object_or_404(Decision, pk=pk)
    return exporters.report(
        request,
        jobs.Report.of("decision", decision.pk, archive=_archive(request)),
        filename=documents.decision_name(decision=decision),
        size=decision.points.count,
        back_url=decision.get_absolute_url(),
    )


@require_GET  # not HEAD: a PDF is made to be downloaded
def measure_pdf(request, pk):
    measure = get_object_or_404(Measure, pk=pk)
    return exporters.report(
        request,
        jobs.Report.of("measure", measure.pk, archive=_archive(request)),
        filename=documents.measure_name(measure=measure),
        size=1,
        back_url=measure.get_absolute_url(),
    )


def list_pdf(kind):
    """The view of a list's PDF: exactly what the list page shows for the same GET parameters, every page of it."""

    @require_GET
    def view(request):
        filterset = data.list_filterset(kind=kind, params=request.GET)
        if filterset.is_bound and not filterset.is_valid():
            # Filter values no list understands: the list's own page explains them next to the filters.
            context = {"list_url": reverse(f"{kind}_list") + "?" + request.GET.urlencode()}
            return render(request, "reports/bad_filters.html", context, status=400)
        params = data.canonical_params(filterset) if filterset.is_bound else QueryDict()
        return exporters.report(
            request,
            jobs.Report.of("list", kind, params.urlencode(), archive=_archive(request)),
            filename=documents.list_name(kind=kind),
            size=lambda: data.list_size(kind=kind, params=params),
            back_url=reverse(f"{kind}_list") + "?" + request.GET.urlencode(),
        )

    view.__name__ = f"{kind}_list_pdf"
    view.__doc__ = f"The {kind} list as PDF, with the list's filters and order."
    return view


commitment_list_pdf = list_pdf("commitment")
measure_list_pdf = list_pdf("measure")
decision_list_pdf = list_pdf("decision")
plan_list_pdf = list_pdf("plan")
