"""The project's own middleware: the language, addresses no page can answer, and an ended session under HTMX.

Language selection: Norwegian bokmål unless the user has chosen another language on the site.

Django's LocaleMiddleware would follow the browser's Accept-Language header, so an English-language browser would
get English pages. A Norwegian public service speaks Norwegian by default; English is there for those who choose it
(the choice is kept in the language cookie that Django's set_language view writes).
"""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        translation.deactivate()
        return response


class NoNullCharacterMiddleware:
    """Refuse (400) an address with a NUL character in its path or query string.

    No address of this site has one, and PostgreSQL refuses NUL in text, so without this a NUL in a search box of
    a page that sends its query to the database unchecked (the back office's autocomplete) would end in a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET
        if "\x00" in request.path or any("\x00" in key + "".join(query.getlist(key)) for key in query):
            raise BadRequest("A NUL character in the address.")
        return self.get_response(request)


class HtmxLoginRedirectMiddleware:
    """An HTMX request that is sent to the login page (the session ended) goes there as a whole page.

    Without this, htmx would follow the redirect and put the login page inside the part of the page it was asked to
    update. The login page then leads back to the page the person was on, not to the address the request posted to.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code not in (301, 302, 303, 307, 308):
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != login:
            return response
        current = urlsplit(request.htmx.current_url or "")
        page = current.path + (f"?{current.query}" if current.query else "") if current.path else request.path
        return HttpResponseClientRedirect(f"{login}?{urlencode({'next': page}, safe='/')}")
