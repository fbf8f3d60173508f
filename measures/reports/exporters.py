"""The reports as HTTP responses: the whole response, content type and file name included.

A PDF link answers at once. The file comes from the reports cache when it is made (keyed by the data's version, the
code's release, the report and its cleaned filters, the variant, the language and the day: forty politicians
downloading the same report of unchanged data cost one render, and any change to the data makes a new one).
Otherwise the report is made in the background (jobs.py) and the answer is the page «Rapporten lages», which
follows the job (htmx, or a plain refresh without JavaScript) and hands over the file when it is done. Before a
render is started the size limit and, for visitors who are not logged in, the rate limit are checked.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header, http_date, quote_etag
from django.utils.translation import get_language

from ..caching import data_version, last_modified
from . import jobs
from .models import JobState

POLL_SECONDS = 2
# The refusal pages (429) rendered in this process, by language, window and minute (see _too_many).
_REFUSALS = {}
REFUSALS_KEPT = 64
# The id of the element that polls the job, and of the one that asks for the file once it is ready.
POLL_ID = "report-job"
HANDOVER_ID = "report-handover"
PDF = "application/pdf"


def file_response(content, *, filename, content_type=PDF, cache_hit=None):
    """An HttpResponse carrying a report (a PDF by default) as a download named `filename`.

    `X-Report-Cache` says whether the file came from the cache («hit») or was made for this request («miss»).
    """
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(content))
    if cache_hit is not None:
        response["X-Report-Cache"] = "hit" if cache_hit else "miss"
    return response


def _etag(key):
    return quote_etag(key.rsplit(":", 1)[-1])


def _cache_headers(request, response, key, version):
    """Validators and Cache-Control: a cache in front may keep a public report and ask again with If-None-Match."""
    response["ETag"] = _etag(key)
    response["Last-Modified"] = http_date(last_modified(version))
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS, must_revalidate=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _uncacheable(response):
    patch_cache_control(response, no_store=True)
    return response


def report(request, report, *, filename, size, back_url, content_type=PDF, rate_limited=True):
    """The answer to a request for `report` (a jobs.Report) of `size` records (a number, or a function that counts
    them, called only when a render is to be started): the file, the waiting page, or a refusal (413: too large;
    429: too many renders from this address, unless the report is not `rate_limited`: one whose key a visitor cannot
    vary, as the open-data archive's).

    The cheap answers come first, so that a visitor who asks without pause costs little: the file from the cache,
    the waiting page of a job under way, and the refusal of an address that is over its limit already, before the
    records are counted."""
    version = data_version()
    key = report.key(version)
    etag = _etag(key)
    if request.headers.get("If-None-Match"):
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _cache_headers(request, HttpResponseNotModified(), key, version)
    content = jobs.cached_file(key)
    if content is not None:
        if request.htmx and request.htmx.trigger == POLL_ID:
            return _job_fragment(request, state=JobState.DONE, job=None, kind=report.kind)
        if request.htmx:  # the page hands over the file: the browser downloads it from the same address
            response = HttpResponse(status=204)
            response["HX-Redirect"] = request.get_full_path()
            return response
        return _cache_headers(
            request, file_response(content, filename=filename, content_type=content_type, cache_hit=True), key, version
        )

    logged_in = request.user.is_authenticated
    # A logged-in person is mailed the link to a report they wait for (not the open-data archive: not theirs).
    mail_wanted = logged_in and bool(request.user.email) and report.kind != jobs.ARCHIVE_KIND
    job = jobs.find(key)
    if job is not None and jobs.is_waiting(job):
        if mail_wanted and request.user.email not in job.notify:
            job = jobs.start(
                report, key=key, filename=filename, path=request.get_full_path(), email=request.user.email, job=job
            )
        return _waiting(request, job)
    if job is not None and jobs.is_recent_failure(job):
        return _waiting(request, job)
    limited = rate_limited and not logged_in
    if limited:
        retry_at = jobs.rate_limited_until(request, count=False)
        if retry_at is not None:
            return _too_many(request, retry_at)

    limit = settings.LOGGED_IN_REPORT_LIMIT if logged_in else settings.PUBLIC_REPORT_LIMIT
    size = size() if callable(size) else size
    if size > limit:
        context = {"size": size, "limit": limit, "back_url": back_url, "logged_in": logged_in}
        return _uncacheable(render(request, "reports/too_large.html", context, status=413))
    if limited:
        retry_at = jobs.rate_limited_until(request)
        if retry_at is not None:
            return _too_many(request, retry_at)
    email = request.user.email if mail_wanted else ""
    job = jobs.start(report, key=key, filename=filename, path=request.get_full_path(), email=email, job=job)
    if job.state == JobState.DONE:  # made at once (a worker that was free, or the immediate backend)
        content = jobs.cached_file(key)
        if content is not None:
            return _cache_headers(
                request,
                file_response(content, filename=filename, content_type=content_type, cache_hit=False),
                key,
                version,
            )
    return _waiting(request, job)


def _waiting(request, job):
    """The page «Rapporten lages» (202), or, polled by htmx, only the part of it that says how the job goes."""
    if request.htmx:
        return _job_fragment(request, state=job.state, job=job)
    context = _job_context(request, job.state, job)
    status = 503 if job.state == JobState.FAILED else 202
    response = render(request, "reports/waiting.html", context, status=status)
    if job.state != JobState.FAILED:
        response["Retry-After"] = str(POLL_SECONDS)
    return _uncacheable(response)


def _job_context(request, state, job, kind=None):
    kind = kind or (job.spec.get("kind") if job else None)
    return {
        "is_archive": kind == jobs.ARCHIVE_KIND,
        "job": job,
        "state": state,
        "states": JobState,
        "poll_seconds": POLL_SECONDS,
        "poll_id": POLL_ID,
        "handover_id": HANDOVER_ID,
        "file_url": request.get_full_path(),
        "will_mail": bool(job and request.user.is_authenticated and request.user.email in job.notify),
    }


def _job_fragment(request, *, state, job, kind=None):
    # 286 tells htmx to stop polling (a failure); a finished job's part replaces the polling one.
    status = 286 if state == JobState.FAILED else 200
    response = render(request, "reports/_job_status.html", _job_context(request, state, job, kind), status=status)
    return _uncacheable(response)


def _next_link(path):
    """How a page's links back to itself end (base.html: `?next={{ request.get_full_path|urlencode }}"`)."""
    return f'?next={quote(path, safe="/")}"'


def _too_many(request, retry_at):
    """429: this address has started as many renders as it may for now; says when it may try again.

    The page is the same for every visitor refused in the same window, language and minute, so it is rendered once
    for them (a visitor who asks without pause is refused many times a second)."""
    seconds = max(int((retry_at - timezone.now()).total_seconds()), 1)
    minutes = max((seconds + 59) // 60, 1)
    url_name = request.resolver_match.view_name if request.resolver_match else ""
    key = (get_language(), url_name, retry_at.isoformat(), minutes)
    here = _next_link(request.get_full_path())
    kept = _REFUSALS.get(key)
    if kept is not None:
        content, there = kept
        content = content.replace(there, here)  # the links that come back here (log in, language)
    else:
        # No messages: the page is shared, and a visitor's own messages wait for their next page.
        context = {"retry_at": timezone.localtime(retry_at), "minutes": minutes, "messages": []}
        content = render_to_string("reports/too_many.html", context, request=request)
        if here in content:
            if len(_REFUSALS) >= REFUSALS_KEPT:
                _REFUSALS.clear()
            _REFUSALS[key] = (content, here)
    response = HttpResponse(content, status=429)
    response["Retry-After"] = str(seconds)
    return _uncacheable(response)
