"""Browser tests: the machine's Chromium, driven by pytest-playwright, against pytest-django's live server.

One browser is shared by the whole session (pytest-playwright's session-scoped `browser`); every test gets fresh
contexts. The live server uses transactional database access, so each test loads the real records anew (about half
a second) and makes its people, status updates and an open reporting period (`world`).

Helpers here watch each page for what a user never sees but must never happen: Content-Security-Policy violations,
failed requests and JavaScript errors (`watch`), and run axe on a page (`axe_violations`).
"""

import io
import os
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone, translation
from playwright.sync_api import expect

from decisions.models import Commitment
from measures.models import Measure, Organisation, PeriodState, ReportingPeriod
from measures.roles import Role
from measures.services import record_status, transition_period
from tests.factories import make_period, make_person

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "a-long-test-password"  # every user made by tests.factories.make_user has it
TIMEOUT_MS = 10_000


def pytest_configure(config):
    # pytest-base-url (installed with pytest-playwright) defines its session fixture in a way pytest 9 deprecates.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
    )


def pytest_collection_modifyitems(config, items):
    """Without Chromium the browser tests are skipped with a plain reason (`make test` leaves them out itself)."""
    if os.access(CHROMIUM, os.X_OK):
        return
    skip = pytest.mark.skip(reason=f"Chromium is not installed at {CHROMIUM} (set CHROMIUM=/path)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


# --- The browser -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """The machine's Chromium (never a downloaded one), headless, with the flags a container needs."""
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "nb-NO",
        "timezone_id": "Europe/Oslo",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def context(new_context):
    ctx = new_context()
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx


@pytest.fixture
def open_context(new_context):
    """Another browser context (another person, or JavaScript off): open_context(java_script_enabled=False)."""

    def _open(**kwargs):
        ctx = new_context(**kwargs)
        ctx.set_default_timeout(TIMEOUT_MS)
        return ctx

    return _open


@pytest.fixture(autouse=True)
def no_missing_assets_or_server_errors(caplog):
    """The server's side of «no failed requests»: the browser never shows Playwright its favicon request, so 404s
    for assets and the favicon, and every 5xx, are read from Django's request log."""
    yield
    bad = []
    for record in caplog.get_records("call"):
        if record.name != "django.request":
            continue
        status = getattr(record, "status_code", 0)
        path = getattr(getattr(record, "request", None), "path", "")
        if status >= 500 or (status == 404 and (path.startswith("/static/") or "favicon" in path)):
            bad.append(f"{status} {path}")
    assert not bad, "The server answered with errors for: " + ", ".join(bad)


# --- The data ----------------------------------------------------------------------------------------------------


@dataclass
class World:
    """The real records plus the people and reports the tests need."""

    unit: Organisation  # the unit responsible for the most measures
    other_unit: Organisation
    period: object
    coordinator: object
    coordinator2: object
    caseworker: object
    caseworker2: object
    outsider: object  # a caseworker of another unit
    measure: Measure  # a measure of `unit` that fulfils a commitment, not reported on in the open period
    commitment: Commitment
    reported: list = field(default_factory=list)  # measures with a status update made here


@pytest.fixture
def world(live_server, transactional_db):
    call_command("load_real_records", stdout=io.StringIO())
    units = Organisation.objects.annotate(n=Count("responsible_for")).order_by("-n", "name")
    unit = units[0]
    other_unit = units.exclude(pk=unit.pk).filter(n__gt=0).first() or units[1]
    year = timezone.localdate().year
    period = ReportingPeriod.objects.filter(state=PeriodState.OPEN).first()
    if period is None:
        period = ReportingPeriod.objects.filter(year=year, kind="year").first() or make_period(year=year, kind="year")
        period = transition_period(period=period, user=None, to=PeriodState.OPEN)
    if not ReportingPeriod.objects.filter(state=PeriodState.PUBLISHED).exists():
        make_period(year=year - 1, kind="year", state=PeriodState.PUBLISHED)

    coordinator = make_person("koordinator", Role.COORDINATOR, first_name="Kari", last_name="Koordinator")
    coordinator2 = make_person("koordinator2", Role.COORDINATOR, first_name="Kjell", last_name="Koordinatorsen")
    caseworker = make_person("saksbehandler", Role.CASEWORKER, [unit], first_name="Sara", last_name="Saksbehandler")
    caseworker2 = make_person("saksbehandler2", Role.CASEWORKER, [unit], first_name="Siv", last_name="Sakslie")
    outsider = make_person("utenforstaaende", Role.CASEWORKER, [other_unit], first_name="Ola", last_name="Utenfor")

    mine = Measure.objects.filter(responsible_unit=unit).order_by("pk")
    linked = mine.filter(commitments__isnull=False).distinct()
    measure = linked.filter(latest_update__isnull=True).first() or linked.first()
    commitment = measure.commitments.order_by("pk").first()

    # Some reports of this year's period on the unit's other measures, so timelines and the dashboard have content.
    reported = []
    for other, status, happened in zip(
        mine.exclude(pk=measure.pk)[:3],
        ["in_progress", "done", "planned"],
        ["Arbeidet er i gang med Helse Bergen.", "Tiltaket er gjennomført.", "Planlegging starter i høst."],
        strict=False,
    ):
        record_status(
            measure=other,
            status=status,
            happened=happened,
            next_step="Rapportere igjen neste tertial.",
            user=caseworker,
            period=period,
            evidence_links="https://www.bergen.kommune.no/",
        )
        reported.append(other)
    return World(
        unit=unit,
        other_unit=other_unit,
        period=period,
        coordinator=coordinator,
        coordinator2=coordinator2,
        caseworker=caseworker,
        caseworker2=caseworker2,
        outsider=outsider,
        measure=measure,
        commitment=commitment,
        reported=reported,
    )


# --- Logging in --------------------------------------------------------------------------------------------------


def log_in(page, user, next_url="/"):
    """Log in through the login form (scoped to main: the header has a search form with its own button)."""
    page.goto(f"/konto/logg-inn/?next={next_url}")
    main = page.locator("main")
    main.locator("#id_username").fill(user.get_username())
    main.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        main.locator("form button[type=submit]").click()
    expect(page.locator("header form.account-form")).to_be_visible()
    return page


@pytest.fixture
def logged_in(open_context):
    """logged_in(user) -> a page of a new context where `user` is logged in (through the form, once per user and
    test; further contexts of the same user reuse the storage state)."""
    states = {}

    def _logged_in(user, **context_kwargs):
        if user.pk in states:
            ctx = open_context(storage_state=states[user.pk], **context_kwargs)
            return ctx.new_page()
        ctx = open_context(**context_kwargs)
        page = log_in(ctx.new_page(), user)
        states[user.pk] = ctx.storage_state()
        return page

    return _logged_in


# --- Watching a page ---------------------------------------------------------------------------------------------


class Watcher:
    """Everything a page did wrong behind the user's back: CSP violations, JavaScript errors, failed requests.

    Chromium reports every Content-Security-Policy violation as a console error («… violates the following Content
    Security Policy directive …») and a blocked request as failed with reason «csp»; both are caught here.
    """

    def __init__(self, page):
        self.page = page
        self.problems = []
        # Which page of the tab a request belongs to: the count of main-frame navigations when it was sent.
        self.navigations = 0
        self.sent_on = {}
        page.on("request", self._sent)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error on {page.url}: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message):
        if message.type != "error":
            return
        # «Failed to load resource: … status of 404» repeats what _response reports with the address, or is the
        # status of a page that is meant to be an error page (checked by its test).
        if message.text.startswith("Failed to load resource: the server responded"):
            return
        if message.text == "htmx:sendAbort":
            # A filter request superseded by a newer one (hx-sync="this:replace") is aborted on purpose; htmx logs
            # that as «htmx:afterRequest» followed by «htmx:sendAbort». Neither is a failure anybody sees.
            logged = f"console error on {self.page.url}: htmx:afterRequest"
            if logged in self.problems:
                del self.problems[len(self.problems) - 1 - self.problems[::-1].index(logged)]
            return
        self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _sent(self, request):
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.navigations += 1
        self.sent_on[request] = self.navigations

    def _failed(self, request):
        if request.failure == "net::ERR_ABORTED" and request.resource_type in {"xhr", "fetch"}:
            return  # aborted by htmx for a newer request (see above), not failed
        if request.failure == "net::ERR_ABORTED" and request.resource_type == "other":
            return  # the tab's icon, fetched after the page, abandoned when the test moves on to the next page
        if request.failure == "net::ERR_ABORTED" and self.sent_on.get(request, self.navigations) < self.navigations:
            return  # an image or a font of a page the test left before it had arrived (as a person may)
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _response(self, response):
        # Pages meant to be error pages (404, 403) are checked by their tests, and so are the 422 answers HTMX gets
        # to a refused form; but every asset must load, and no HTMX request may miss or break.
        kind = response.request.resource_type
        if kind == "document":
            return
        failed = (
            response.status == 404 or response.status >= 500 if kind in {"xhr", "fetch"} else response.status >= 400
        )
        if failed:
            self.problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def take(self):
        problems, self.problems = self.problems, []
        return problems


def watch(page):
    return Watcher(page)


# --- Accessibility -----------------------------------------------------------------------------------------------

AXE = Axe()


def axe_violations(page):
    """axe-core's violations on the page as it is now, one readable line per rule and node."""
    results = AXE.run(page)
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            lines.append(
                f"{page.url}: {violation['id']} ({violation['impact']}) at {', '.join(map(str, node['target']))}: "
                f"{violation['help']} — {node.get('failureSummary', '').strip().replace(chr(10), ' ')}"
            )
    return lines


# --- Norwegian text ----------------------------------------------------------------------------------------------


def nb(message, **params):
    """`message` as the Norwegian interface shows it (from the project's translations)."""
    with translation.override("nb"):
        text = translation.gettext(message)
    return text % params if params else text


def focus_is_visible(page):
    """Whether the focused element shows a focus indicator: an outline or a box shadow on the element itself or, for
    a checkbox or radio button, on its Designsystemet field (`.ds-field:has(input:focus-visible)` draws the ring
    around the box and its label)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return false;
            const shows = node => {
                const style = getComputedStyle(node);
                const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                const shadow = style.boxShadow && style.boxShadow !== 'none';
                return outline || shadow;
            };
            if (shows(el)) return true;
            const field = el.matches('input[type=checkbox], input[type=radio]') && el.closest('.ds-field');
            return Boolean(field && el.matches(':focus-visible') && shows(field));
        }"""
    )


def focused(page):
    """A short description of the focused element, for messages."""
    return page.evaluate(
        "() => { const el = document.activeElement; return el ? el.outerHTML.slice(0, 160) : 'nothing'; }"
    )
