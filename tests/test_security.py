"""Nobody does what their role does not allow; forms need CSRF; logins are throttled; no input gives a 500."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decisions.models import Commitment, Decision
from measures.models import Comment, Indicator, IndicatorValue, Measure, PeriodState, ReportingPeriod, StatusUpdate
from measures.roles import Role
from tests.factories import (
    make_commitment,
    make_decision,
    make_measure,
    make_organisation,
    make_period,
    make_person,
    make_source,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    unit, other_unit = make_organisation(name="Vår etat"), make_organisation(name="Annen etat")
    source = make_source()
    measure = make_measure(title="Vårt tiltak", responsible_unit=unit, source=source)
    return {
        "unit": unit,
        "measure": measure,
        "commitment": make_commitment(),
        "decision": make_decision(),
        "period": make_period(year=2026, kind="t1", state=PeriodState.OPEN),
        "planned": make_period(year=2026, kind="t2"),
        "source": source,
        "indicator": Indicator.objects.create(name="Overdosedødsfall", unit="per år", direction="lower", source=source),
        "people": {
            "reader": make_person("leser", Role.READER),
            "fagrad": make_person("fagrad", Role.FAGRAD),
            "other caseworker": make_person("annen", Role.CASEWORKER, [other_unit]),
            "caseworker": make_person("kari", Role.CASEWORKER, [unit]),
            "coordinator": make_person("koordinator", Role.COORDINATOR),
        },
    }


def write_requests(world):
    """(name, url, data) for every view that writes, with data that would be valid for someone allowed."""
    m, c, d, p = world["measure"], world["commitment"], world["decision"], world["period"]
    measure_form = {
        "title": "Nytt navn",
        "source": world["source"].pk,
        "seen_version": m.version,
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
    }
    return [
        ("report", reverse("report_status", args=[m.pk]), {"status": "done", "happened": "Ferdig.", "seen_latest": 0}),
        ("edit measure", reverse("edit_measure", args=[m.pk]), measure_form),
        ("add measure", reverse("add_measure"), {**measure_form, "seen_version": ""}),
        (
            "edit commitment",
            reverse("edit_commitment", args=[c.pk]),
            {
                "decision": c.decision_id,
                "number": 1,
                "kind": "addition",
                "title": "Ny",
                "source": c.source_id,
                "seen_version": c.version,
            },
        ),
        (
            "add commitment",
            reverse("add_commitment"),
            {"decision": d.pk, "number": 99, "kind": "addition", "title": "Ny", "source": d.source_id},
        ),
        (
            "edit decision",
            reverse("edit_decision", args=[d.pk]),
            {"title": "Nytt vedtak", "body": "council", "source": d.source_id, "seen_version": d.version},
        ),
        ("add decision", reverse("add_decision"), {"title": "Nytt vedtak", "body": "council", "source": d.source_id}),
        (
            "edit period",
            reverse("edit_period", args=[p.pk]),
            {"kind": "t1", "year": 2026, "starts_on": "2026-01-01", "ends_on": "2026-04-30", "seen_version": p.version},
        ),
        (
            "add period",
            reverse("add_period"),
            {"kind": "year", "year": 2026, "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
        ),
        ("close period", reverse("change_period_state", args=[p.pk, "close"]), {}),
        ("open period", reverse("change_period_state", args=[world["planned"].pk, "open"]), {}),
        ("publish period", reverse("change_period_state", args=[p.pk, "publish"]), {}),
        (
            "add indicator",
            reverse("add_indicator"),
            {"name": "Ny indikator", "unit": "per år", "direction": "lower", "source": world["source"].pk},
        ),
        (
            "edit indicator",
            reverse("edit_indicator", args=[world["indicator"].pk]),
            {
                "name": "Nytt navn",
                "unit": "per år",
                "direction": "lower",
                "source": world["source"].pk,
                "seen_version": world["indicator"].version,
            },
        ),
        (
            "add indicator value",
            reverse("add_indicator_value", args=[world["indicator"].pk]),
            {"year": 2024, "value": "3", "source": world["source"].pk},
        ),
    ]


def snapshot():
    return (
        StatusUpdate.objects.count(),
        list(Measure.objects.values_list("title", "version").order_by("pk")),
        list(Commitment.objects.values_list("title", "version").order_by("pk")),
        list(Decision.objects.values_list("title", "version").order_by("pk")),
        list(ReportingPeriod.objects.values_list("kind", "state", "version").order_by("pk")),
        list(Indicator.objects.values_list("name", "version").order_by("pk")),
        IndicatorValue.objects.count(),
    )


@pytest.mark.parametrize("who", ["anonymous", "reader", "fagrad", "other caseworker"])
def test_people_without_the_right_are_refused_every_write_and_nothing_changes(client, world, who):
    if who != "anonymous":
        client.force_login(world["people"][who])
    before = snapshot()
    for name, url, data in write_requests(world):
        for response in (client.get(url), client.post(url, data)):
            if who == "anonymous":
                assert response.status_code == 302 and response.url.startswith(reverse("login")), name
            else:
                assert response.status_code in (403, 405), (name, response.status_code)
    assert snapshot() == before


def test_a_caseworker_reports_on_their_units_measures_but_edits_no_records(client, world):
    client.force_login(world["people"]["caseworker"])
    before = snapshot()
    for name, url, data in write_requests(world):
        response = client.post(url, data)
        if name == "report":
            assert response.status_code == 302
        else:
            assert response.status_code == 403, name
    assert StatusUpdate.objects.count() == before[0] + 1
    assert snapshot()[1:] == before[1:]


def test_a_coordinator_may_do_every_write(client, world):
    client.force_login(world["people"]["coordinator"])
    for name, url, data in write_requests(world):
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.status_code)


def test_a_refusal_is_a_norwegian_page_not_a_stack_trace(client, world):
    client.force_login(world["people"]["reader"])
    response = client.get(reverse("report_status", args=[world["measure"].pk]))
    assert response.status_code == 403
    assert "ikke" in response.text.lower() and "Traceback" not in response.text
    missing = client.get(reverse("report_status", args=[999999]))
    assert missing.status_code == 404 and "<html" in missing.text


def test_every_form_needs_its_csrf_token(world):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["people"]["coordinator"])
    before = snapshot()
    for name, url, data in write_requests(world):
        assert strict.post(url, data).status_code == 403, name
    assert snapshot() == before


def test_logging_in_is_throttled_after_repeated_failures(client, world):
    url = reverse("login")
    for _attempt in range(4):
        response = client.post(url, {"username": "kari", "password": "feil-passord"})
        assert response.status_code == 200
    assert client.post(url, {"username": "kari", "password": "feil-passord"}).status_code == 429
    locked = client.post(url, {"username": "kari", "password": "a-long-test-password"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_session_ends_after_a_while_without_activity(client, world, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    client.post(reverse("login"), {"username": "kari", "password": "a-long-test-password"})
    assert client.get(reverse("my_measures")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("my_measures"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


field_values = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=-(2**40), max_value=2**40).map(str),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1",
            "2026-02-30",
            "1899-01-01",
            "9999-12-31",
            "on",
            "done",
            "\x00",
            "%",
            "'--",
            "<script>x</script>",
            "https://x.no",
            "javascript:alert(1)",
            "9" * 50,
        ]
    ),
    st.lists(st.text(max_size=20), max_size=3),
)


@pytest.mark.parametrize("index", range(15))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_form_data_to_any_write_view_never_gives_a_server_error(client, world, index, data):
    client.force_login(world["people"]["coordinator"])
    name, url, valid = write_requests(world)[index]
    names = [
        *valid,
        "status",
        "period",
        "happened",
        "evidence_links",
        "expected_completion",
        "commitments",
        "decisions-0-decision",
        "decisions-0-role",
        "decisions-TOTAL_FORMS",
        "confirm",
        "kind",
        "platform",
        "deadline",
        "parent",
        "plan",
    ]
    keys = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    payload = {key: data.draw(field_values) for key in keys}
    response = client.post(url, payload)
    assert response.status_code < 500, (name, payload)


def test_only_the_advisory_council_and_coordinators_comment_and_only_the_responsible_answer(client, world):
    measure = world["measure"]
    url = reverse("add_comment", args=["measure", measure.pk])
    response = client.post(url, {"body": "Anonym kommentar"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    for who in ["reader", "caseworker", "other caseworker"]:
        client.force_login(world["people"][who])
        assert client.post(url, {"body": f"{who} kommenterer"}).status_code == 403, who
    assert not Comment.objects.exists()
    client.force_login(world["people"]["fagrad"])
    assert client.post(url, {"body": "Fagrådet spør"}).status_code == 302
    question = Comment.objects.get()
    for who, allowed in [("fagrad", False), ("other caseworker", False), ("caseworker", True), ("coordinator", True)]:
        client.force_login(world["people"][who])
        response = client.post(url, {"body": f"Svar fra {who}", "reply_to": question.pk})
        assert response.status_code == (302 if allowed else 403), who
    assert Comment.objects.filter(reply_to=question).count() == 2
