"""The reports as HTTP responses: the whole response, content type and file name included.

A rendered PDF is cached under the data's version (measures.caching.cached_render): forty politicians downloading
the same report of unchanged data before a meeting cost one render; any change to the data makes a new one. The
key also holds everything else the PDF depends on: the report and its filters, the variant, the language, and the
day (a report says what is late as of today, and prints the date).
"""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

from ..caching import cached_render
from ..periods import period_key
from . import data, pdf, render

CACHE_KIND = "report-pdf"


def pdf_response(content, *, filename, cache_hit=None):
    """An HttpResponse carrying a PDF as a download named `filename`.

    `X-Report-Cache` says whether the PDF came from the cache («hit») or was rendered for this request («miss»).
    """
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(content))
    if cache_hit is not None:
        response["X-Report-Cache"] = "hit" if cache_hit else "miss"
    return response


def _cached_pdf(parts, make_document, archive):
    today = timezone.localdate()
    return cached_render(
        CACHE_KIND,
        (*parts, "archive" if archive else "ua", get_language(), today.isoformat()),
        lambda: pdf.write_pdf(make_document(), archive=archive),
        alias="reports",
    )


def status_report(*, period, params, archive=False):
    """The status report for `period` and the filter `params` (a QueryDict), as a PDF download."""
    params = data.status_report_params(params)
    content, hit = _cached_pdf(
        ("status", period_key(period), params.urlencode()),
        lambda: render.status_report_document(period=period, params=params),
        archive,
    )
    return pdf_response(content, filename=render.status_report_name(period=period, params=params), cache_hit=hit)


def decision(*, decision, archive=False):
    """The follow-up of `decision` as a PDF download."""
    content, hit = _cached_pdf(
        ("decision", decision.pk), lambda: render.decision_document(decision_id=decision.pk), archive
    )
    return pdf_response(content, filename=render.decision_name(decision=decision), cache_hit=hit)


def measure(*, measure, archive=False):
    """The one-page summary of `measure` as a PDF download."""
    content, hit = _cached_pdf(("measure", measure.pk), lambda: render.measure_document(measure_id=measure.pk), archive)
    return pdf_response(content, filename=render.measure_name(measure=measure), cache_hit=hit)


def public_list(*, kind, params, archive=False):
    """What the public list of `kind` shows for `params` as a PDF download. `params` is a QueryDict of the list's
    filters written one way (data.canonical_params), which is also the cache key."""
    content, hit = _cached_pdf(
        ("list", kind, params.urlencode()), lambda: render.list_document(kind=kind, params=params), archive
    )
    return pdf_response(content, filename=render.list_name(kind=kind), cache_hit=hit)


def progress(*, period, archive=False):
    """The progress report of `period` as a PDF download."""
    content, hit = _cached_pdf(
        ("progress", period_key(period)), lambda: render.progress_document(period=period), archive
    )
    return pdf_response(content, filename=render.progress_name(period=period), cache_hit=hit)
