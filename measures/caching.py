"""The data's version, and the cache of what is rendered from it.

Every change to a project record moves the single ChangeStamp row on (from the save, delete and many-to-many signals
connected in MeasuresConfig.ready, and explicitly from the bulk writers that bypass signals). Rendered reports and
public pages are cached under a key that includes the stamp, so unchanged data is rendered once and a change makes
every cached copy stale at once, in every worker process.
"""

import functools
import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

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


def last_change():
    """When the data last changed (None before the first change): the open-data archive and its description date
    themselves by it."""
    return ChangeStamp.objects.filter(pk=1).values_list("changed_at", flat=True).first()


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


def cached_for_the_public(view):
    """Serve a public page to people who are not logged in from the cache, keyed by the data version.

    Everyone who is not logged in sees the same page for the same address and language (public pages carry no
    CSRF token and nothing personal), so it is rendered once per change of the data. Logged-in people, requests
    with a pending message and anything but a plain 200 answer always go to the view.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated or "messages" in request.COOKIES:
            return view(request, *args, **kwargs)
        parts = (
            request.get_full_path(),
            timezone.localdate().isoformat(),  # what is late depends on the day
            getattr(request, "LANGUAGE_CODE", ""),
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Target", ""),
            request.headers.get("HX-Boosted", ""),
        )
        key = cache_key("page", data_version(), *parts)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                cache.set(key, (response.content, response["Content-Type"]))
        patch_vary_headers(response, ["Cookie", "HX-Request"])
        return response

    return wrapper
