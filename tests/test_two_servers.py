"""More than one machine: two application servers and one worker sharing PostgreSQL and Redis (REDIS_URL), as two
machines behind one address would. A status reported through one server shows at once on a public page served by
the other; a report asked for on both is rendered once; the rate limit counts the requests to both together.

Runs when PostgreSQL (DATABASE_URL) and Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379/10) are there, as in
CI; elsewhere it is skipped and says why. Its keys in Redis carry a prefix of their own and are removed afterwards.
"""

import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.db import connection
from django.urls import reverse

from measures.models import PeriodState
from measures.reports.models import JobState, ReportJob
from measures.roles import Role
from tests.factories import make_measure, make_organisation, make_period, make_person
from tests.processes import Browser, environment, free_port, start_server, start_worker, stop, wait_for

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/10")
PASSWORD = "et-langt-testpassord-for-kari"

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_prefix():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): several servers cannot share one SQLite file")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"needs Redis at {REDIS_URL} (TEST_REDIS_URL)")
    prefix = f"bergen-rus-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def site(redis_prefix, tmp_path, settings):
    """Two servers and a worker on the test database and Redis."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    unit = make_organisation(name="Etat for rusomsorg")
    kari = make_person("kari", Role.CASEWORKER, [unit], first_name="Kari", last_name="Nordmann")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # as the servers check it
    kari.set_password(PASSWORD)
    kari.save()
    measure = make_measure(title="Utvide åpningstidene på MO-senteret", responsible_unit=unit)
    make_period(year=2026, kind="year", state=PeriodState.OPEN)
    env = environment(
        REDIS_URL=REDIS_URL,
        REDIS_KEY_PREFIX=redis_prefix,
        CACHE_DIR=tmp_path / "unused-file-cache",  # nothing may be shared through files
        REPORT_RATE_LIMIT=4,
        # One window for the whole test: a window of the default 10 minutes may end between two of its requests, and
        # the count start again.
        REPORT_RATE_WINDOW=10**9,
    )
    log = open(tmp_path / "processes.log", "w")  # noqa: SIM115 (closed below)
    ports = [free_port(), free_port()]
    processes = []
    try:
        processes = [start_server(env, log, port) for port in ports]
        processes.append(start_worker(env, log))
        yield {"ports": ports, "measure": measure, "log": tmp_path / "processes.log"}
    finally:
        for process in processes:
            stop(process)
        log.close()


def test_two_servers_share_the_data_version_the_pages_the_reports_and_the_rate_limit(site):
    """The servers start once (that takes the time): the three things they share, one after the other."""
    a_status_reported_through_one_server_shows_at_once_on_the_other(site)
    a_report_asked_for_on_both_servers_is_rendered_once(site)
    the_rate_limit_counts_the_requests_to_both_servers_together(site)


def a_status_reported_through_one_server_shows_at_once_on_the_other(site):
    one, other = site["ports"]
    page = reverse("measure_detail", args=[site["measure"].pk])
    reader = Browser()
    status, headers, before = reader.get(other, page)
    assert status == 200 and "Utvide åpningstidene" in before.decode()
    assert "Ventelistene er borte" not in before.decode()
    assert reader.get(other, page, headers={"If-None-Match": headers["ETag"]})[0] == 304

    kari = Browser()
    kari.get(one, reverse("login"))
    status, headers, _body = kari.post(one, reverse("login"), {"username": "kari", "password": PASSWORD})
    assert status == 302, "logged in"
    kari.get(one, reverse("report_status", args=[site["measure"].pk]))
    status, _headers, _body = kari.post(
        one,
        reverse("report_status", args=[site["measure"].pk]),
        {"status": "in_progress", "happened": "Ventelistene er borte.", "seen_latest": "0"},
    )
    assert status == 302, "reported"

    status, _headers, after = reader.get(other, page)  # at once: no waiting for any cache to run out
    assert status == 200 and "Ventelistene er borte." in after.decode()
    assert reader.get(other, page, headers={"If-None-Match": headers.get("ETag", "")})[0] == 200


def a_report_asked_for_on_both_servers_is_rendered_once(site):
    one, other = site["ports"]
    url = reverse("measure_pdf", args=[site["measure"].pk])
    visitors = [Browser() for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda n: visitors[n].get(site["ports"][n % 2], url), range(6)))
    assert all(status in (200, 202) for status, _headers, _body in answers), [a[0] for a in answers]
    assert ReportJob.objects.filter(path=url).count() == 1
    wait_for(lambda: ReportJob.objects.get(path=url).state == JobState.DONE, timeout=120, what="the report")
    files = [visitor.get(port, url)[2] for visitor, port in ((visitors[0], one), (visitors[1], other))]
    assert files[0].startswith(b"%PDF-") and files[0] == files[1]
    log = site["log"].read_text()
    # One job, claimed once; the worker's sweep builds the open-data archive too, as jobs of their own.
    assert ReportJob.objects.get(path=url).attempts == 1, "rendered once"
    archives = ReportJob.objects.filter(spec__kind="archive").count()
    assert len(re.findall(r"make_report state=SUCCESSFUL", log)) <= 1 + archives


def the_rate_limit_counts_the_requests_to_both_servers_together(site):
    one, other = site["ports"]
    visitor = Browser()
    measures = [make_measure(title=f"Tiltak {n}") for n in range(6)]
    statuses = [
        visitor.get((one, other)[n % 2], reverse("measure_pdf", args=[measure.pk]))[0]
        for n, measure in enumerate(measures)
    ]
    # REPORT_RATE_LIMIT is 4 for this address over both servers (the report above counted too: once, or more when
    # its six requests raced to start it): at most three of these are let through, and the rest refused by
    # whichever server they reach (at least three refusals, so both servers refuse).
    assert (
        429 in statuses
        and statuses.index(429) <= 3
        and all(status == 429 for status in statuses[statuses.index(429) :])
    ), statuses
    assert ReportJob.objects.exclude(spec__kind="archive").count() <= 4
