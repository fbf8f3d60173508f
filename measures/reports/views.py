"""The report pages and downloads: the reports page where a politician picks a period and a filter, and the PDF of
every list, decision and measure, as the reader sees it. Public, like the pages they come from."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_safe

from decisions.models import Body, Decision

from ..filters import MeasureFilter
from ..models import Measure, PeriodState, ReportingPeriod
from ..periods import default_period, ordered_periods, period_key
from . import data, exporters

REPORT_FILTERS = data.STATUS_REPORT_FILTERS
RECENT_DECISIONS = 12


def _too_large(request, size, back_url):
    """The page that says a report is too large to make for someone who is not logged in (413), or None. It leads
    back to `back_url`, where the selection can be narrowed.

    A PDF of thousands of records takes minutes and gigabytes (see the README); nobody should be able to make the
    server do that anonymously, over and over. The limit is settings.PUBLIC_REPORT_LIMIT.
    """
    limit = settings.PUBLIC_REPORT_LIMIT
    if request.user.is_authenticated or size <= limit:
        return None
    context = {"size": size, "limit": limit, "back_url": back_url}
    return render(request, "reports/too_large.html", context, status=413)


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
    params = data.canonical_params(filterset) if params else params
    back = reverse("reports") + "?" + request.GET.urlencode()
    refusal = _too_large(request, data.status_report_size(params=params), back)
    if refusal is not None:
        return refusal
    return exporters.status_report(period=period, params=params, archive=_archive(request))


@require_GET  # not HEAD: a PDF is made to be downloaded
def progress_pdf(request, pk):
    """The progress report of a period; like its page, public once the period is published."""
    period = get_object_or_404(ReportingPeriod, pk=pk)
    if period.state != PeriodState.PUBLISHED and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return exporters.progress(period=period, archive=_archive(request))


@require_GET  # not HEAD: a PDF is made to be downloaded
def decision_pdf(request, pk):
    decision = get_object_or_404(Decision, pk=pk)
    refusal = _too_large(request, decision.points.count(), decision.get_absolute_url())
    if refusal is not None:
        return refusal
    return exporters.decision(decision=decision, archive=_archive(request))


@require_GET  # not HEAD: a PDF is made to be downloaded
def measure_pdf(request, pk):
    return exporters.measure(measure=get_object_or_404(Measure, pk=pk), archive=_archive(request))


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
        back = reverse(f"{kind}_list") + "?" + request.GET.urlencode()
        refusal = _too_large(request, data.list_size(kind=kind, params=params), back)
        if refusal is not None:
            return refusal
        return exporters.public_list(kind=kind, params=params, archive=_archive(request))

    view.__name__ = f"{kind}_list_pdf"
    view.__doc__ = f"The {kind} list as PDF, with the list's filters and order."
    return view


commitment_list_pdf = list_pdf("commitment")
measure_list_pdf = list_pdf("measure")
decision_list_pdf = list_pdf("decision")
plan_list_pdf = list_pdf("plan")
