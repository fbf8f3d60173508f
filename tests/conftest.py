import hypothesis
import pytest
from django.core.cache import caches

from measures.roles import Role
from tests.factories import make_period, make_person, make_user

# The property tests draw new examples every run, and a fresh CI machine keeps none: a failing run prints the
# `@reproduce_failure` line that replays its example anywhere.
hypothesis.settings.register_profile("bergen_rus", print_blob=True)
hypothesis.settings.load_profile("bergen_rus")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def own_cache(settings):
    """No cache unless a test asks for one (`memory_cache`): the views are what most tests are about.

    (A test runs inside a transaction that is never committed, so the data version, moved on at commit, would not
    change within it, and a cache would serve stale pages between a test's own changes.)
    """
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    # The counters that limit e.g. password reset mails must count, and a report is handed over from the reports
    # cache it was made into, so these get a memory cache of the test's own.
    limits = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests-limits"}
    reports = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests-reports"}
    settings.CACHES = {"default": dummy, "reports": reports, "limits": limits}
    caches["limits"].clear()
    caches["reports"].clear()


@pytest.fixture(autouse=True)
def reports_made_at_once(settings):
    """Report and import jobs run as they are queued, in the test's own process (Django's immediate task backend),
    so a PDF link answers with the file and an upload's page with its preview; tests of the queue itself
    (tests/reports/test_jobs.py, tests/spreadsheets/test_jobs.py) choose a real worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.REPORT_RENDER_IN_CHILD = False
    settings.REPORT_RATE_LIMIT = 1000  # tests of the limit set their own


@pytest.fixture
def memory_cache(settings):
    """A memory cache of the test's own. Wrap changes in django_capture_on_commit_callbacks(execute=True) so the
    data version moves on as it does when a real transaction commits."""
    settings.CACHES = {
        name: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"tests-{name}"}
        for name in ("default", "reports", "limits")
    }
    for name in ("default", "reports", "limits"):
        caches[name].clear()
    yield
    for name in ("default", "reports", "limits"):
        caches[name].clear()


@pytest.fixture
def caseworker(db):
    return make_user("kari.saksbehandler", first_name="Kari", last_name="Nordmann")


@pytest.fixture
def coordinator(db):
    """A coordinator as the site makes them: the coordinator role and the back office, no superuser rights."""
    return make_person("koordinator", Role.COORDINATOR, first_name="Kim", last_name="Koordinator", is_staff=True)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def periods(db):
    """The periods of 2026 in their sequence: 1st tertial, 2nd tertial, the year."""
    return {kind: make_period(year=2026, kind=kind) for kind in ("t1", "t2", "year")}
