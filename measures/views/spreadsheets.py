"""Spreadsheet doors: every list as CSV or .xlsx, and the import of measures and status updates (upload → preview
→ confirm).

An export holds exactly what the list page selects for the same GET parameters (the list's own FilterSet over the
list's queryset, measures.reports.data.LISTS), every page of it, and only what the page shows to anybody.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..models import SpreadsheetUpload, UploadState
from ..reports import data
from ..spreadsheets import exporters, importing, jobs, resources
from ..spreadsheets.forms import UploadForm

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


# --- import ----------------------------------------------------------------------------------------------------------

SHOWN_ROWS = 500
POLL_SECONDS = 2
# The id of the element that polls the upload's job.
POLL_ID = "import-job"


def _kinds_or_403(user):
    kinds = importing.importable_kinds(user)
    if not kinds:
        raise PermissionDenied(_("Your role does not allow importing."))
    return kinds


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a spreadsheet: it is stored and checked row by row in the background, and the browser goes at once to
    the page that follows the check and then shows the preview. Nothing is written to the records."""
    kinds = _kinds_or_403(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = jobs.start_check(
            user=request.user,
            kind=form.cleaned_data["kind"],
            filename=upload.name,
            content=b"".join(upload.chunks()),
        )
        return redirect("import_preview", token=stored.token)
    status = 400 if form.errors else 200
    return render(request, "spreadsheets/upload.html", {"form": form, "kinds": kinds}, status=status)


def _preview_context(upload, result):
    rows = result.rows
    context = {
        "upload": upload,
        "result": result,
        "counts": result.counts,
        "rows": rows[:SHOWN_ROWS],
        "rows_left_out": max(len(rows) - SHOWN_ROWS, 0),
        "unchanged_ranges": importing.row_ranges(result.unchanged),
    }
    if upload.state == UploadState.IMPORTED:
        counts = result.counts
        context["done_message"] = _(
            "«%(name)s» is imported: %(created)d created, %(changed)d changed, %(unchanged)d left alone."
        ) % {
            "name": upload.filename,
            "created": counts[importing.CREATE],
            "changed": counts[importing.CHANGE],
            "unchanged": counts[importing.UNCHANGED],
        }
    return context


def _job_page(request, upload):
    """The page that follows the upload's check or import («checking», «importing», «failed»), or, polled by htmx,
    only its part that says how the job goes; once the job is done, htmx is sent to the whole page."""
    url = reverse("import_preview", args=[upload.token])
    if request.htmx and upload.state not in (*UploadState.waiting(), UploadState.FAILED):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    context = {"upload": upload, "states": UploadState, "poll_seconds": POLL_SECONDS, "poll_id": POLL_ID, "url": url}
    failed = upload.state == UploadState.FAILED
    if request.htmx:  # 286 tells htmx to stop polling
        response = render(request, "spreadsheets/_job_status.html", context, status=286 if failed else 200)
    else:
        response = render(request, "spreadsheets/waiting.html", context, status=200 if failed else 202)
    if not failed:
        response["Retry-After"] = str(POLL_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, token):
    """The page of an upload (GET): its check or import under way, its failure, or its preview or outcome; and
    the confirmation (POST), which queues the import once: every row in one transaction, or none."""
    kinds = _kinds_or_403(request.user)
    upload = get_object_or_404(SpreadsheetUpload.objects.defer("content"), token=token, user=request.user)
    if upload.kind not in kinds:
        raise PermissionDenied(_("Your role does not allow importing this kind of file."))
    jobs.take_up_if_lost(upload)
    if upload.state in (*UploadState.waiting(), UploadState.FAILED):
        if request.method == "POST":  # a confirmation sent while the job runs (a second click): it runs once
            return redirect("import_preview", token=upload.token)
        return _job_page(request, upload)
    if request.htmx:  # the page polled its job, which is done now
        return _job_page(request, upload)
    result = importing.Preview.from_dict(upload.preview)
    if request.method == "POST" and upload.state == UploadState.READY:
        if not result.ok:  # nothing can be imported; the page says why
            return render(request, "spreadsheets/preview.html", _preview_context(upload, result), status=409)
        if not result.changes_nothing:
            jobs.confirm(upload=upload)
        return redirect("import_preview", token=upload.token)
    if request.method == "POST":  # imported already: a second click or tab imports nothing
        return redirect("import_preview", token=upload.token)
    return render(request, "spreadsheets/preview.html", _preview_context(upload, result))
