"""What logged-in pages keep between requests: the parts that are the same for everybody (a list's results, a
measure's record, status history and audit trail) as template fragments under the data's version, and each person's
permissions under the version of the roles. A change shows at once; nobody sees what is another person's (their
buttons, their forms' CSRF tokens), and a right taken away is gone on the next request."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.roles import Role, assign_role
from measures.services import record_status
from measures.status import MeasureStatus
from tests.factories import make_measure, make_open_period, make_organisation, make_person

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def unit():
    return make_organisation(name="Etat for rusomsorg")


@pytest.fixture
def measure(unit):
    return make_measure(title="Utvide åpningstidene ved MO-senteret", responsible_unit=unit)


@pytest.fixture
def kari(unit):
    return make_person("kari", Role.CASEWORKER, [unit], first_name="Kari", last_name="Nordmann")


@pytest.fixture
def reader():
    return make_person("lise", Role.READER, first_name="Lise", last_name="Leser")


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def test_a_measure_page_shows_a_change_at_once_and_each_person_only_their_own_parts(
    client, memory_cache, django_capture_on_commit_callbacks, measure, kari, reader
):
    make_open_period(year=2026, kind="t2")
    url = measure.get_absolute_url()
    client.force_login(reader)
    first, cold = queries(client, url)
    again, warm = queries(client, url)
    assert "Endringshistorikk" in first and "Rapporter status" not in first
    assert CSRF.sub("", again) == CSRF.sub("", first), "the page from the cache is the page rendered"
    # The record, status history and audit trail come from the cache: the queries left are the session, the
    # person, the measure, the comments and the data version; the rest were the record's.
    assert warm < cold and warm <= 8, (cold, warm)

    client.force_login(kari)
    hers, _count = queries(client, url)
    assert "Rapporter status" in hers  # her unit's measure: her button, though the record was cached by another
    with django_capture_on_commit_callbacks(execute=True):
        record_status(measure=measure, status=MeasureStatus.IN_PROGRESS, happened="Tomten er kjøpt.", user=kari)
    after, _count = queries(client, url)
    assert "Tomten er kjøpt." in after  # the status history
    assert after.count("Pågår") >= 2  # the status line and the audit trail's new entry

    client.force_login(reader)
    seen, _count = queries(client, url)
    assert "Tomten er kjøpt." in seen and "Rapporter status" not in seen
    tokens = set(CSRF.findall(seen)) & set(CSRF.findall(after))
    assert not tokens, "a CSRF token was shared between two people"


def test_a_list_shows_a_change_at_once_and_its_htmx_part_agrees_with_the_page(
    client, memory_cache, django_capture_on_commit_callbacks, measure, kari, reader
):
    make_measure(title="Nalokson til alle som bor i kommunale boliger")
    url = reverse("measure_list") + "?q=nalokson"
    client.force_login(reader)
    page, cold = queries(client, url)
    again, warm = queries(client, url)
    assert "Nalokson til alle" in page and "Utvide åpningstidene" not in page
    assert CSRF.sub("", again) == CSRF.sub("", page), "the page from the cache is the page rendered"
    assert warm < cold, (cold, warm)
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert part.strip() in page

    with django_capture_on_commit_callbacks(execute=True):
        record_status(measure=measure, status=MeasureStatus.DONE, happened="Ferdig.", user=kari)
    everything = client.get(reverse("measure_list") + "?status=done").content.decode()
    assert "Utvide åpningstidene" in everything


def test_a_right_taken_away_is_gone_on_the_next_request(client, memory_cache, kari, measure):
    client.force_login(kari)
    assert "Rapporter status" in client.get(measure.get_absolute_url()).content.decode()
    assert client.get(reverse("my_measures")).status_code == 200
    assert client.get(reverse("my_measures")).status_code == 200  # now from the cache
    assign_role(kari, Role.READER)
    assert "Rapporter status" not in client.get(measure.get_absolute_url()).content.decode()
    assert client.get(reverse("my_measures")).status_code == 403
    assign_role(kari, Role.CASEWORKER)
    assert client.get(reverse("my_measures")).status_code == 200


def test_a_name_changed_outside_the_people_page_shows_on_the_cached_record(
    client, memory_cache, django_capture_on_commit_callbacks, measure, kari, reader
):
    make_open_period(year=2026, kind="t2")
    with django_capture_on_commit_callbacks(execute=True):
        record_status(measure=measure, status=MeasureStatus.IN_PROGRESS, happened="Tomten er kjøpt.", user=kari)
    client.force_login(reader)
    assert "Kari Nordmann" in client.get(measure.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        kari.last_name = "Berg"
        kari.save()  # as the back office or a shell saves a person
    page = client.get(measure.get_absolute_url()).content.decode()
    assert "Kari Berg" in page and "Kari Nordmann" not in page
    # A login is no change of the data: the cached record stays.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        kari.save(update_fields=["last_login"])
    assert not callbacks
