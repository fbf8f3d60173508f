import pytest

from measures.roles import Role
from measures.services import record_status
from measures.status import MeasureStatus
from tests.factories import make_measure, make_open_period, make_organisation, make_person, make_plan

from .helpers import download, edit_xlsx


@pytest.fixture
def unit(db):
    return make_organisation(name="Etat for sosiale tjenester")


@pytest.fixture
def other_unit(db):
    return make_organisation(name="Helse Bergen")


@pytest.fixture
def kari(unit):
    return make_person("kari", Role.CASEWORKER, [unit], first_name="Kari", last_name="Nordmann")


@pytest.fixture
def per(db):
    return make_person("per", Role.COORDINATOR, first_name="Per", last_name="Koordinator")


@pytest.fixture
def plan(db):
    return make_plan(title="Handlingsplan mot åpne russcener")


@pytest.fixture
def measures(plan, unit, other_unit, per):
    first = make_measure(plan=plan, number="1", title="Styrke MO-sentrene", responsible_unit=unit)
    second = make_measure(plan=plan, number="2", title="Utvide Strax-huset", responsible_unit=unit)
    third = make_measure(plan=plan, number="3", title="Nytt overdoseteam", responsible_unit=other_unit)
    record_status(measure=first, status=MeasureStatus.PLANNED, happened="Planlagt i budsjettet.", user=per)
    return [first, second, third]


@pytest.fixture
def status_sheet(client, kari, unit, measures):
    """Kari's status sheet, exported and filled in with one new status: row 2 (the second measure) in progress; the
    client is logged in as Kari."""
    make_open_period(year=2026, kind="t2")
    client.force_login(kari)
    content = download(client, "status_export", unit=unit.pk).content
    return edit_xlsx(content, {(2, "Status"): "Pågår", (2, "Hva som har skjedd"): "Tomten er kjøpt."})
