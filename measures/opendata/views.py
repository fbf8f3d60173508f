"""The «Åpne data» page, the archive's download, the DCAT-AP-NO description, and the page about the API."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_safe

from decisions.models import Theme
from decisions.status import CommitmentStatus

from ..api.throttling import PublicReadThrottle
from ..api.urls import router
from ..api.views import MAX_PAGE_SIZE
from ..caching import cached_render, data_version, last_change_of, last_modified
from ..reports import exporters
from ..status import shown_statuses
from . import archive, dcat

ZIP = "application/zip"

# What each endpoint lists, for the API page (the OpenAPI description says it in English).
ENDPOINT_DESCRIPTIONS = {
    "source": _("The public documents every record is taken from."),
    "theme": _("The themes records are grouped by."),
    "decision": _("Decisions of the city council, its committees and the city government, with their points."),
    "platform": _("The city government's platforms, with their pledges."),
    "commitment": _("Decision points and platform pledges, with the status rolled up from their measures."),
    "actionplan": _("Adopted action plans."),
    "measure": _("Measures, with the status of their latest update, deadline, unit, places and links."),
    "statusupdate": _("Every status report on a measure, newest first, signed as on the pages."),
    "period": _("Reporting periods, with links to their reports."),
    "location": _("The MO-centres and other places where measures happen."),
    "unit": _("Responsible units and partners."),
    "indicator": _("Indicators with their targets."),
    "indicatorvalue": _("One value per indicator and year, with its source."),
}


RATE_PERIODS = {1: _("second"), 60: _("minute"), 3600: _("hour"), 86400: _("day")}


def endpoints(request):
    """[(path, description, [(filter, label)])] for every list of the API, in the router's order."""
    rows = []
    for prefix, viewset, basename in router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        filters = []
        if filterset is not None:
            filters = [(name, field.label or name) for name, field in filterset.base_filters.items()]
        rows.append(
            {
                "path": f"/api/v1/{prefix}/",
                "url": request.build_absolute_uri(f"/api/v1/{prefix}/"),
                "description": ENDPOINT_DESCRIPTIONS[basename],
                "filters": filters,
            }
        )
    return rows


@require_safe
def api_page(request):
    """The API described for people, in the reader's language (Norwegian by default)."""
    count, seconds = PublicReadThrottle().parse_rate(PublicReadThrottle().get_rate())
    context = {
        "endpoints": endpoints(request),
        "rate_count": count,
        "rate_period": RATE_PERIODS.get(seconds, seconds),
        "max_page_size": MAX_PAGE_SIZE,
        "measure_codes": [(status.value, status.label) for status in shown_statuses()],
        "commitment_codes": [(s.value, s.label) for s in CommitmentStatus.ordered()],
    }
    return render(request, "opendata/api.html", context)


@require_safe
def open_data(request):
    context = {
        "last_change": last_change_of(),
        "licence_url": settings.OPEN_DATA_LICENSE_URL,
        "licence_title": settings.OPEN_DATA_LICENSE_TITLE,
        "themes": Theme.objects.all(),
        "feed_url": reverse("feed"),
    }
    return render(request, "opendata/open_data.html", context)


@require_GET  # not HEAD: an archive is made to be downloaded
def archive_download(request):
    """The archive of every public record (see measures.opendata.archive), made in the background after a change.

    The archive of the data as it is now when it is made; until then the newest one made (dated by its own data,
    and with its own validators, so a cache in front asks again), with the new one started; the waiting page only
    when none was ever made.
    """
    version = data_version()
    wanted = archive.report(version)
    if not archive.is_made(wanted.key(version)) and not request.htmx:
        newest = archive.newest()
        if newest is not None:
            content, held, job = newest
            archive.refresh()
            response = exporters.file_response(
                content, filename=archive.filename(held), content_type=ZIP, cache_hit=True
            )
            response["ETag"] = quote_etag(job.key.rsplit(":", 1)[-1])  # its own: of its data and its day
            response["Last-Modified"] = http_date(last_modified(held))
            response["X-Archive-Version"] = "previous"
            patch_cache_control(response, public=True, no_cache=True)
            return response
    return exporters.report(
        request,
        wanted,
        filename=archive.filename(version),
        size=0,
        back_url=reverse("open_data"),
        content_type=ZIP,
        rate_limited=False,
    )


@require_safe
def dcat_description(request):
    """The DCAT-AP-NO description of the dataset, in Turtle."""
    text, _hit = cached_render("dcat", (), dcat.turtle)
    return HttpResponse(text, content_type="text/turtle; charset=utf-8")
