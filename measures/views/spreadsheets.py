"""Spreadsheet doors: every list as CSV or .xlsx, and the import of measures and status updates (upload → preview
→ confirm).

An export holds exactly what the list page selects for the same GET parameters (the list's own FilterSet over the
list's queryset, measures.reports.data.LISTS), every page of it, and only what the page shows to anybody.
"""

from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ..reports import data
from ..spreadsheets import exporters, resources

FORMATS = ("csv", "xlsx")
# The status sheets select measures with the measure list's filters.
LIST_OF = {"status": "measure", "status_history": "measure"}


def _format(fmt):
    if fmt not in FORMATS:
        raise Http404("Unknown format.")
    return fmt


def list_export(kind):
    """The view of a list's spreadsheet: the list page's selection for the same GET parameters, every page."""
    list_kind = LIST_OF.get(kind, kind)

    @require_GET  # not HEAD: a file is made to be downloaded
    def view(request, fmt):
        fmt = _format(fmt)
        filterset = data.list_filterset(kind=list_kind, params=request.GET)
        if filterset.is_bound and not filterset.is_valid():
            # Filter values no list understands: the list's own page explains them next to the filters.
            context = {"list_url": reverse(f"{list_kind}_list") + "?" + request.GET.urlencode()}
            return render(request, "reports/bad_filters.html", context, status=400)
        params = data.canonical_params(filterset) if filterset.is_bound else QueryDict()
        return exporters.sheet(
            resource=resources.FILTERED[kind](),
            queryset=filterset.qs,
            fmt=fmt,
            key=(kind, params.urlencode()),
        )

    view.__name__ = f"{kind}_export"
    view.__doc__ = f"The {kind} list as a spreadsheet, with the list's filters and order."
    return view


def unfiltered_export(kind):
    resource_class, queryset = resources.UNFILTERED[kind]

    @require_GET
    def view(request, fmt):
        return exporters.sheet(resource=resource_class(), queryset=queryset(), fmt=_format(fmt), key=(kind,))

    view.__name__ = f"{kind}_export"
    view.__doc__ = f"Every {kind} as a spreadsheet, in the list's order."
    return view


measure_export = list_export("measure")
status_export = list_export("status")
status_history_export = list_export("status_history")
commitment_export = list_export("commitment")
decision_export = list_export("decision")
plan_export = list_export("plan")
location_export = unfiltered_export("location")
organisation_export = unfiltered_export("organisation")
indicator_export = unfiltered_export("indicator")
