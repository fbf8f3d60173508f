"""Project-level views."""

from datetime import date

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe


@require_safe
def choose_language(request, code):
    """Switch the interface language (a link, so public pages need no form and can be cached for everyone).

    Only a cookie with the person's choice changes, so following such a link unasked does no harm.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE or request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


# The day the statement below was last checked against the site (update it with the statement).
ACCESSIBILITY_REVIEWED = date(2026, 12, 1)


@require_safe
def accessibility_statement(request):
    """What the site meets of WCAG 2.1 AA, what it does not yet, and where to report a problem."""
    context = {"contact": settings.ACCESSIBILITY_CONTACT, "reviewed": ACCESSIBILITY_REVIEWED}
    return render(request, "accessibility_statement.html", context)
