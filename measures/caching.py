"""The data's version, and the cache of what is rendered from it.

Every change to a project record moves the single ChangeStamp row on (from the save, delete and many-to-many signals
connected in MeasuresConfig.ready, and explicitly from the bulk writers that bypass signals). Rendered reports and
public pages are cached under a key that includes the stamp, so unchanged data is rendered once and a change makes
every cached copy stale at once, in every worker process.
"""

import functools
import hashlib
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

from .models import ChangeStamp

# The version is also kept in the cache for a moment, so a page served from the cache needs no database query.
# A change forgets it at once and again when its transaction commits; a reader racing a change can keep the old
# version at most VERSION_SECONDS.
VERSION_KEY = "bergen_rus:data-version"
VERSION_SECONDS = 2


def _forget_version():
    cache.delete(VERSION_KEY)


def touch(**_signal_kwargs):
    """Something changed: move the stamp on once the change is committed (at once outside a transaction).

    Safe to call from a signal receiver or a bulk writer. The stamp's row is written after the commit, in its own
    short transaction, so a writer never holds it while it waits for other rows (no lock-order deadlock between
    writers), and a rolled-back change moves nothing.
    """
    _forget_version()
    transaction.on_commit(_bump)


def _bump():
    now = timezone.now()
    updated = ChangeStamp.objects.filter(pk=1).update(counter=F("counter") + 1, changed_at=now)
    if not updated:
        with transaction.atomic():
            ChangeStamp.objects.get_or_create(pk=1, defaults={"counter": 1, "changed_at": now})
    _forget_version()


def data_version():
    """The current stamp as a string, e.g. "17-1795440000.123456"; at most one query.

    The time of the last change is part of it, so two databases (a test database, a database made anew by
    `make run`) never share a version even when their counters agree, and a shared cache never mixes them up.
    """
    version = cache.get(VERSION_KEY)
    if version is None:
        row = ChangeStamp.objects.filter(pk=1).values_list("counter", "changed_at").first()
        version = f"{row[0]}-{row[1].timestamp():.6f}" if row else "0"
        cache.set(VERSION_KEY, version, VERSION_SECONDS)
    return version


def last_change_of(version=None):
    """When the data last changed, read from its version (data_version(), at most one query); None before the
    first change. The Last-Modified of every page and report that shows the data."""
    _counter, _sep, stamp = (version or data_version()).partition("-")
    return datetime.fromtimestamp(float(stamp), tz=UTC) if stamp else None


# What a page or a report is rendered by besides the data: a new deploy of any of these renders everything anew.
CODE_FOLDERS = ("bergen_rus", "decisions", "measures", "templates", "static", "locale", "requirements")


@functools.cache
def code_version():
    """A digest of the project's code, templates, translations, static files and pinned dependencies (names, sizes,
    modification times): a new WeasyPrint or Django renders anew too.

    Part of every cache key, so that a page or report rendered by the previous release of the code is never served
    after a deploy (the cache lives on disk and outlives the processes). Read once per process.
    """
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def fragment_version():
    """The release of the code and the version of the data, for a template fragment cached with `{% cache %}`."""
    return f"{code_version()}-{data_version()}"


def cache_key(kind, *parts):
    """A cache key for `kind` rendered from these parts (e.g. a report's filters, language and data version) by this
    release of the code."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in (code_version(), *parts)).encode()).hexdigest()[:32]
    return f"bergen_rus:{kind}:{digest}"


def cached_render(kind, parts, render, *, alias="default"):
    """Return `render()` from the cache under `kind` and `parts` plus the data version, rendering it on a miss.

    Returns (value, hit). `parts` must name everything the result depends on besides the data (filters, language).
    """
    store = caches[alias]
    key = cache_key(kind, data_version(), *parts)
    value = store.get(key)
    if value is not None:
        return value, True
    value = render()
    store.set(key, value)
    return value, False


def last_modified(version):
    """The Last-Modified (a timestamp) of what is rendered from the data at `version` today: the later of the data's
    last change and the start of the day (what is late depends on the day, and pages and reports say so)."""
    changed = last_change_of(version)
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return int((max(changed, midnight) if changed else midnight).timestamp())


def page_validators(version, parts):
    """The cache key, ETag and Last-Modified of a public page."""
    key = cache_key("page", version, *parts)
    return key, quote_etag(key.rsplit(":", 1)[-1]), last_modified(version)


def cached_for_the_public(view):
    """Serve a public page to people who are not logged in from the cache, keyed by the data version.

    Everyone who is not logged in sees the same page for the same address and language (public pages carry no
    CSRF token and nothing personal), so it is rendered once per change of the data. Logged-in people, requests
    with a pending message and anything but a plain 200 answer always go to the view.

    The page carries its key as ETag, the data's last change as Last-Modified and a public Cache-Control, so a cache
    in front (nginx, a CDN, the browser) may keep it and ask again: a conditional GET is answered 304 without
    rendering or reading the cache, until the data changes. Pages for logged-in people are private and not kept.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated or "messages" in request.COOKIES:
            response = view(request, *args, **kwargs)
            if request.user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            return response
        parts = (
            request.get_full_path(),
            timezone.localdate().isoformat(),  # what is late depends on the day
            getattr(request, "LANGUAGE_CODE", ""),
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Target", ""),
            request.headers.get("HX-Boosted", ""),
        )
        key, etag, modified = page_validators(data_version(), parts)
        response = get_conditional_response(request, etag=etag, last_modified=modified)
        if response is None:
            hit = cache.get(key)
            if hit is not None:
                content, content_type = hit
                response = HttpResponse(content, content_type=content_type)
            else:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming or response.cookies:
                    patch_vary_headers(response, ["Cookie", "HX-Request"])
                    return response
                cache.set(key, (response.content, response["Content-Type"]))
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified)
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS, must_revalidate=True)
        patch_vary_headers(response, ["Cookie", "HX-Request"])
        return response

    return wrapper
