"""Spreadsheet doors: every list as CSV or .xlsx, and the import of measures and status updates (upload → preview
→ confirm).

An export holds exactly what the list page selects for the same GET parameters (the list's own FilterSet over the
list's queryset, measures.reports.data.LISTS), every page of it, and only what the page shows to anybody.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..models import SpreadsheetUpload
from ..reports import data
from ..spreadsheets import exporters, importing, resources
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


def _kinds_or_403(user):
    kinds = importing.importable_kinds(user)
    if not kinds:
        raise PermissionDenied(_("Your role does not allow importing."))
    return kinds


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a spreadsheet; it is checked row by row and the preview shown, with nothing written yet."""
    kinds = _kinds_or_403(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = b"".join(upload.chunks())
        kind = form.cleaned_data["kind"]
        result = importing.preview(kind=kind, content=content, filename=upload.name, user=request.user)
        stored = SpreadsheetUpload.objects.create(
            token=secrets.token_urlsafe(32),
            user=request.user,
            kind=kind,
            filename=upload.name[:255],
            content=content,
            preview=result.as_dict(),
        )
        return redirect("import_preview", token=stored.token)
    status = 400 if form.errors else 200
    return render(request, "spreadsheets/upload.html", {"form": form, "kinds": kinds}, status=status)


def _preview_context(upload, result):
    rows = result.rows
    return {
        "upload": upload,
        "result": result,
        "counts": result.counts,
        "rows": rows[:SHOWN_ROWS],
        "rows_left_out": max(len(rows) - SHOWN_ROWS, 0),
        "unchanged_ranges": importing.row_ranges(result.unchanged),
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, token):
    """The preview of an upload (GET), and its import (POST: one transaction, every row or none)."""
    kinds = _kinds_or_403(request.user)
    upload = get_object_or_404(SpreadsheetUpload.objects.defer("content"), token=token, user=request.user)
    if upload.kind not in kinds:
        raise PermissionDenied(_("Your role does not allow importing this kind of file."))
    result = importing.Preview.from_dict(upload.preview)
    if request.method == "POST" and upload.applied_at is None:
        content = bytes(SpreadsheetUpload.objects.values_list("content", flat=True).get(pk=upload.pk))
        try:
            done = importing.apply(kind=upload.kind, content=content, filename=upload.filename, user=request.user)
        except importing.ImportRefused as refusal:
            upload.preview = refusal.preview.as_dict()
            upload.save(update_fields=["preview"])
            context = _preview_context(upload, refusal.preview)
            context["refused"] = True
            return render(request, "spreadsheets/preview.html", context, status=409)
        upload.applied_at = timezone.now()
        upload.preview = done.as_dict()
        upload.save(update_fields=["applied_at", "preview"])
        counts = done.counts
        messages.success(
            request,
            _("«%(name)s» is imported: %(created)d created, %(changed)d changed, %(unchanged)d left alone.")
            % {
                "name": upload.filename,
                "created": counts[importing.CREATE],
                "changed": counts[importing.CHANGE],
                "unchanged": counts[importing.UNCHANGED],
            },
        )
        return redirect("import_preview", token=upload.token)
    return render(request, "spreadsheets/preview.html", _preview_context(upload, result))
