"""Caseworkers report status in the browser: the form, its validation, the roll-up, conflicts, my measures."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions.models import Commitment
from decisions.status import CommitmentStatus
from measures.models import PeriodState, ReportingPeriod, StatusUpdate
from measures.roles import Role
from measures.services import record_status, transition_period
from measures.status import MeasureStatus
from tests.factories import make_commitment, make_measure, make_organisation, make_period, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return make_organisation(name="Etat for sosiale tjenester")


@pytest.fixture
def kari(unit):
    return make_person("kari", Role.CASEWORKER, [unit], first_name="Kari", last_name="Nordmann")


@pytest.fixture
def open_period():
    return make_period(year=2026, kind="year", state=PeriodState.OPEN)


def post_report(client, measure, **data):
    form = {"status": "in_progress", "happened": "Arbeidet er i gang.", "seen_latest": measure.latest_update_id or 0}
    form.update(data)
    return client.post(reverse("report_status", args=[measure.pk]), form)


def test_a_caseworker_reports_and_the_commitment_rolls_up_at_once(client, kari, unit, open_period):
    commitment = make_commitment(title="Overdoseteam")
    measure = make_measure(responsible_unit=unit, commitments=[commitment])
    client.force_login(kari)

    form_page = client.get(reverse("report_status", args=[measure.pk]))
    assert f'<option value="{open_period.pk}" selected>' in form_page.text  # the open period by default

    response = post_report(
        client,
        measure,
        status="delayed",
        period=open_period.pk,
        happened="Rekruttering tar tid.",
        next_step="Lyse ut stillingene på nytt.",
        expected_completion="2027-03-01",
        evidence_links="https://www.bergen.kommune.no/sak/1\nhttps://example.org/rapport.pdf",
    )

    assert response.status_code == 302 and response.url.endswith("#report-saved")
    update = StatusUpdate.objects.get(measure=measure)
    assert (update.status, update.author, update.period) == (MeasureStatus.DELAYED, kari, open_period)
    assert update.links == ["https://www.bergen.kommune.no/sak/1", "https://example.org/rapport.pdf"]
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.DELAYED
    page = client.get(response.url).text
    assert "Rekruttering tar tid." in page and "Lyse ut stillingene på nytt." in page and "Kari Nordmann" in page


def test_the_htmx_report_swaps_the_status_and_timeline_in_place(client, kari, unit, open_period):
    measure = make_measure(responsible_unit=unit)
    client.force_login(kari)
    response = client.post(
        reverse("report_status", args=[measure.pk]),
        {"status": "done", "happened": "Ferdig.", "period": open_period.pk, "seen_latest": 0},
        headers={"hx-request": "true", "hx-target": "report-panel"},
    )
    assert response.status_code == 200
    assert 'id="record-status" hx-swap-oob="true"' in response.text
    assert 'id="timeline-list" hx-swap-oob="true"' in response.text and "Ferdig." in response.text
    assert "<html" not in response.text and "{#" not in response.text and "{%" not in response.text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"status": "bogus"}, "status", "Velg et gyldig valg"),
        ({"status": ""}, "status", "Feltet er påkrevet"),
        ({"happened": ""}, "happened", "Feltet er påkrevet"),
        ({"happened": "x" * 5001}, "happened", "5000 eller færre tegn"),
        ({"expected_completion": "1899-12-31"}, "expected_completion", "mellom 01.01.2000 og 31.12.2100"),
        ({"expected_completion": "2026-02-30"}, "expected_completion", "Oppgi en gyldig dato"),
        ({"evidence_links": "javascript:alert(1)"}, "evidence_links", "er ikke en nettadresse"),
        ({"evidence_links": "\n".join(f"https://e.no/{i}" for i in range(6))}, "evidence_links", "høyst 5 lenker"),
        ({"period": "999999"}, "period", "Velg et gyldig valg"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_keeps_the_text_and_changes_nothing(
    client, kari, unit, open_period, data, field, message
):
    measure = make_measure(responsible_unit=unit)
    client.force_login(kari)
    typed = {"happened": "Min tekst som ikke må bli borte.", "next_step": "Neste steg jeg skrev.", **data}
    response = post_report(client, measure, **typed)
    assert response.status_code == 200
    error = re.search(rf'id="id_{field}_error">([^<]*)<', response.text)
    assert error and message in error.group(1), response.text.split('id="error-summary"')[-1][:600]
    if field != "happened":
        assert "Min tekst som ikke må bli borte." in response.text
    assert "Neste steg jeg skrev." in response.text
    assert not StatusUpdate.objects.exists()
    # The browser does not cut a long text short on its own: the whole of it reaches the server and stays.
    assert not re.search(r"<textarea[^>]*maxlength", response.text)
    if data.get("happened", "").startswith("xxx"):
        assert data["happened"] in response.text


def test_a_closed_period_takes_no_report(client, kari, unit, open_period, coordinator):
    measure = make_measure(responsible_unit=unit)
    transition_period(period=open_period, user=coordinator, to=PeriodState.CLOSED)
    client.force_login(kari)
    response = post_report(client, measure, period=open_period.pk)
    assert "Årsrapport 2026 er stengt for rapportering" in response.text  # the form was open when it closed
    assert not StatusUpdate.objects.exists()


def test_while_a_period_is_open_every_report_counts_for_it(client, kari, unit, open_period, coordinator):
    measure = make_measure(responsible_unit=unit)
    client.force_login(kari)
    form = client.get(reverse("report_status", args=[measure.pk])).text
    assert "Ingen periode" not in form and f'<option value="{open_period.pk}" selected>' in form
    assert post_report(client, measure, period="").status_code == 302
    assert StatusUpdate.objects.get().period == open_period
    # Between periods a report has no period, and the form says so.
    transition_period(period=open_period, user=coordinator, to=PeriodState.CLOSED)
    assert "Ingen periode (mellom to perioder)" in client.get(reverse("report_status", args=[measure.pk])).text


def test_markup_in_a_report_is_shown_as_text(client, kari, unit, open_period):
    measure = make_measure(responsible_unit=unit)
    client.force_login(kari)
    post_report(client, measure, happened='<script>alert("x")</script><b>fet</b>')
    page = client.get(reverse("measure_detail", args=[measure.pk])).text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;fet&lt;/b&gt;" in page
    assert '<script>alert("x")</script>' not in page


def test_a_colleagues_report_in_between_is_shown_and_nothing_is_lost(client, kari, unit, open_period):
    measure = make_measure(responsible_unit=unit)
    colleague = make_person("ola", Role.CASEWORKER, [unit], first_name="Ola", last_name="Hansen")
    client.force_login(kari)
    seen = measure.latest_update_id or 0
    record_status(measure=measure, status=MeasureStatus.DONE, happened="Ola: ferdig.", user=colleague)

    response = post_report(client, measure, seen_latest=seen, happened="Kari: forsinket.", status="delayed")
    assert response.status_code == 200
    assert "Ola Hansen" in response.text and "Ola: ferdig." in response.text
    assert "Kari: forsinket." in response.text  # her text is kept
    assert StatusUpdate.objects.count() == 1

    confirm = re.search(r'name="seen_latest" value="(\d+)"', response.text).group(1)
    response = post_report(
        client, measure, seen_latest=confirm, confirm="on", happened="Kari: forsinket.", status="delayed"
    )
    assert response.status_code == 302
    assert list(measure.updates.order_by("recorded_at", "id").values_list("happened", flat=True)) == [
        "Ola: ferdig.",
        "Kari: forsinket.",
    ]


def test_the_last_report_is_at_hand_to_build_on(client, kari, unit, open_period):
    measure = make_measure(responsible_unit=unit)
    record_status(
        measure=measure,
        status=MeasureStatus.IN_PROGRESS,
        happened="Forrige tekst.",
        next_step="Forrige neste steg.",
        user=kari,
    )
    client.force_login(kari)
    page = client.get(reverse("report_status", args=[measure.pk])).text
    assert "Forrige tekst." in page.split('class="ds-details last-report"')[1]
    copied = client.get(reverse("report_status", args=[measure.pk]) + "?copy=1").text
    textarea = re.search(r'<textarea name="happened"[^>]*>\s*([^<]*)</textarea>', copied)
    assert textarea.group(1).strip() == "Forrige tekst."


def test_my_measures_is_for_those_who_report(client):
    for role in (Role.READER, Role.FAGRAD):
        client.force_login(make_person(f"person-{role}", role))
        assert client.get(reverse("my_measures")).status_code == 403, role
        assert 'href="/mine-tiltak/"' not in client.get(reverse("home")).text, role


def test_my_measures_lists_what_needs_a_report_and_what_is_late(client, kari, unit, open_period):
    reported = make_measure(title="Allerede rapportert", responsible_unit=unit)
    record_status(measure=reported, status=MeasureStatus.IN_PROGRESS, happened="x", user=kari, period=open_period)
    waiting = make_measure(title="Venter på rapport", responsible_unit=unit)
    late = make_measure(title="Over fristen", responsible_unit=unit, deadline=timezone.localdate() - timedelta(days=3))
    make_measure(title="En annen enhets tiltak", responsible_unit=make_organisation())
    client.force_login(kari)

    page = client.get(reverse("my_measures")).text

    todo = page.split('id="todo-heading"')[1].split("</section>")[0]
    assert waiting.title in todo and late.title in todo and reported.title not in todo
    late_section = page.split('id="late-heading"')[1].split("</section>")[0]
    assert late.title in late_section and waiting.title not in late_section
    assert "En annen enhets tiltak" not in page


def test_period_completeness_counts_per_unit_and_names_who_is_missing(client, kari, unit, open_period):
    coordinator = make_person("koord", Role.COORDINATOR)
    done = make_measure(title="Rapportert", responsible_unit=unit)
    record_status(measure=done, status=MeasureStatus.DONE, happened="x", user=kari, period=open_period)
    make_measure(title="Mangler rapport", responsible_unit=unit)
    silent_unit = make_organisation(name="Enhet uten folk")
    make_measure(title="Ingen rapporterer", responsible_unit=silent_unit)
    client.force_login(coordinator)

    page = client.get(reverse("period_completeness", args=[open_period.pk])).text

    assert "1 av 3 tiltak" in page
    row = page.split("Etat for sosiale tjenester")[1].split("</tr>")[0]
    assert re.search(
        r'class="numeric" data-label="Rapportert">1</td>\s*<td class="numeric" data-label="Tiltak">2</td>', row
    )
    assert "Mangler rapport" in row and ">Rapportert<" not in row and "Kari Nordmann" in row
    silent = page.split("Enhet uten folk")[1].split("</tr>")[0]
    assert "ingen" in silent


def test_completeness_without_a_period_shows_the_open_one_or_else_the_one_that_ended_last(client, open_period):
    client.force_login(make_person("koord", Role.COORDINATOR))
    shown = reverse("period_completeness", args=[open_period.pk])
    assert client.get(reverse("period_completeness_current")).url == shown
    transition_period(period=open_period, user=None, to=PeriodState.CLOSED)
    make_period(year=2027, kind="t1")  # planned: nobody has reported into it
    assert client.get(reverse("period_completeness_current")).url == shown
    ReportingPeriod.objects.all().delete()
    make_period(year=2027, kind="t1")
    response = client.get(reverse("period_completeness_current"), follow=True)
    assert "Ingen rapporteringsperiode er åpnet ennå" in response.text


def test_report_pages_cost_the_same_queries_with_few_and_many_records(client, kari, unit, open_period):
    def counts():
        result = {}
        for name, url in [
            ("form", reverse("report_status", args=[measure.pk])),
            ("mine", reverse("my_measures")),
            ("measure", reverse("measure_detail", args=[measure.pk])),
        ]:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result[name] = len(queries)
        return result

    measure = make_measure(responsible_unit=unit)
    client.force_login(kari)
    small = counts()
    for i in range(5):
        other = make_measure(responsible_unit=unit, title=f"Tiltak {i}")
        record_status(measure=other, status=MeasureStatus.IN_PROGRESS, happened="x", user=kari, period=open_period)
        record_status(measure=measure, status=MeasureStatus.IN_PROGRESS, happened=f"y{i}", user=kari)
    assert counts() == small
    # Pinned. The measure page adds, for a logged-in person, the audit trail (its rows and one query per
    # many-to-many field), the comments (their rows, and whether the person may answer) and the corrections made to
    # the measure (one query), and the data version, unit and source of its cached fragments (none of these on a
    # hit); «Mine tiltak» reads the comments that wait for an answer in one query.
    assert small == {"form": 12, "mine": 11, "measure": 27}
