"""The project's URLconf plus two reference routes, for the page benchmark only (through bench.settings).

`bench/bare/<size>/` answers with a constant HTML page of exactly `size` bytes: no database, no template, but the
same middleware stack, the same gunicorn workers and the same response size as the page it is compared with. Its
latency is what a page of that size costs when the view itself costs nothing.

`bench/render/<path>` answers with the project's page at `/<path>` (same query string) rendered by its view every
time, past the cache of public pages (measures.caching.cached_for_the_public): what the page costs on a cache miss,
i.e. the first request after any change of the data, and what a logged-in person waits for on every request.
"""

from functools import lru_cache

from django.http import Http404, HttpResponse
from django.urls import Resolver404, path, re_path, resolve
from django.views.decorators.http import require_GET

from bergen_rus.urls import urlpatterns as project_urls

MAX_SIZE = 20_000_000
_HEAD = '<!DOCTYPE html>\n<html lang="nb"><head><meta charset="utf-8"><title>Bare</title></head><body><p>'
_TAIL = "</p></body></html>\n"
_LINE = "Bergen kommune rusoppfølging referanseside. "


@lru_cache(maxsize=64)
def constant_page(size):
    """A valid HTML document of exactly `size` bytes in UTF-8 (built once per size, then reused)."""
    frame = len(_HEAD) + len(_TAIL)
    if size <= frame:
        return b"x" * size
    filler = (_LINE.encode() * (size // len(_LINE) + 1))[: size - frame]
    # Cutting inside the two-byte «ø» would leave invalid UTF-8; pad with an ASCII space instead.
    filler = filler.decode("utf-8", errors="ignore").encode()
    filler += b" " * (size - frame - len(filler))
    return _HEAD.encode() + filler + _TAIL.encode()


@require_GET
def bare(request, size):
    return HttpResponse(constant_page(min(size, MAX_SIZE)), content_type="text/html; charset=utf-8")


def _page_cache_code():
    """The code of the wrapper the public-page cache puts around a view (None if the project has no page cache)."""
    try:
        from measures.caching import cached_for_the_public
    except ImportError:
        return None
    return cached_for_the_public(lambda request: None).__code__


PAGE_CACHE_CODE = _page_cache_code()


def without_page_cache(view):
    """The view inside the public-page cache's wrapper, if it has one (functools.wraps keeps it in __wrapped__;
    the wrapper takes the view's name, so it is recognised by its code)."""
    if PAGE_CACHE_CODE is None:
        return view
    layer = view
    while layer is not None:
        if getattr(layer, "__code__", None) is PAGE_CACHE_CODE and hasattr(layer, "__wrapped__"):
            return layer.__wrapped__
        layer = getattr(layer, "__wrapped__", None)
    return view


def render(request, path):
    try:
        match = resolve("/" + path)
    except Resolver404:
        raise Http404 from None
    if match.url_name in {"bench_render", "bench_bare"}:
        raise Http404
    # The page renders as if asked for at its own address (links back to it, the menu's current page).
    request.path = request.path_info = "/" + path
    request.resolver_match = match
    return without_page_cache(match.func)(request, *match.args, **match.kwargs)


urlpatterns = [
    path("bench/bare/<int:size>/", bare, name="bench_bare"),
    re_path(r"^bench/render/(?P<path>.*)$", render, name="bench_render"),
    *project_urls,
]
