"""The advisory council's review: period life cycle, progress between periods, comments, indicators, reminders."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions.status import CommitmentStatus
from measures.models import (
    Comment,
    Indicator,
    IndicatorValue,
    PeriodState,
    ReminderSent,
    ReportingPeriod,
    ReviewVisit,
    StatusUpdate,
)
from measures.periods import status_at_period
from measures.progress import progress
from measures.reminders import send_reminders
from measures.roles import Role
from measures.services import record_status, transition_period
from measures.status import MeasureStatus
from tests.factories import (
    make_commitment,
    make_measure,
    make_organisation,
    make_period,
    make_person,
    make_source,
)

pytestmark = pytest.mark.django_db


def at(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=12))


def report(measure, status, author, period, day):
    """A report made on `day` into `period`, which is the open one at that moment (as it was then)."""
    ReportingPeriod.objects.filter(state=PeriodState.OPEN).exclude(pk=period.pk).update(state=PeriodState.CLOSED)
    ReportingPeriod.objects.filter(pk=period.pk).update(state=PeriodState.OPEN)
    update = record_status(measure=measure, status=status, happened=f"{status} {day}", user=author, period=period)
    type(update).objects.filter(pk=update.pk).update(recorded_at=at(day))
    return update


@pytest.fixture
def team():
    unit = make_organisation(name="Etat for sosiale tjenester")
    return {
        "unit": unit,
        "kari": make_person(
            "kari", Role.CASEWORKER, [unit], email="kari@bergen.kommune.no", first_name="Kari", last_name="Nordmann"
        ),
        "other": make_person("per", Role.CASEWORKER, [make_organisation()], email="per@bergen.kommune.no"),
        "frode": make_person("frode", Role.FAGRAD, email="frode@fagrad.no", first_name="Frode", last_name="Fagråd"),
        "koord": make_person("koord", Role.COORDINATOR, email="koord@bergen.kommune.no"),
        "lise": make_person("lise", Role.READER),
    }


def test_a_published_period_is_frozen_and_later_reports_go_to_the_next(team):
    first, second = make_period(year=2025, kind="t1"), make_period(year=2025, kind="t2")
    measure = make_measure(responsible_unit=team["unit"])
    transition_period(period=first, user=team["koord"], to=PeriodState.OPEN)
    transition_period(period=first, user=team["koord"], to=PeriodState.CLOSED)
    transition_period(period=first, user=team["koord"], to=PeriodState.PUBLISHED)
    with pytest.raises(ValidationError):
        record_status(measure=measure, status="done", happened="For sent.", user=team["kari"], period=first)
    assert not measure.updates.exists()
    assert ReportingPeriod.objects.current() is None  # between periods a report has no period
    transition_period(period=second, user=team["koord"], to=PeriodState.OPEN)
    assert ReportingPeriod.objects.current() == second  # the next period takes the reports


def two_periods_of_history(team):
    """Three periods; measures that move, finish, stall, are late, and go unreported."""
    kari = team["kari"]
    periods = [make_period(year=2025, kind=kind) for kind in ("t1", "t2", "year")]
    moving = make_measure(title="Går framover", responsible_unit=team["unit"])
    finished = make_measure(title="Blir ferdig", responsible_unit=team["unit"])
    stalled = make_measure(title="Står stille", responsible_unit=team["unit"])
    late = make_measure(title="Over fristen", responsible_unit=team["unit"], deadline=date(2025, 6, 1))
    silent = make_measure(title="Ingen rapport", responsible_unit=team["unit"])
    still_commitment = make_commitment(title="Forpliktelse som står stille")
    stalled.commitments.add(still_commitment)
    neglected = make_commitment(title="Ingen jobber med dette")
    for period, day in zip(periods, [date(2025, 3, 1), date(2025, 7, 1), date(2025, 11, 1)], strict=True):
        report(stalled, MeasureStatus.IN_PROGRESS, kari, period, day)
    report(moving, MeasureStatus.PLANNED, kari, periods[1], date(2025, 7, 2))
    report(moving, MeasureStatus.IN_PROGRESS, kari, periods[2], date(2025, 11, 2))
    report(finished, MeasureStatus.IN_PROGRESS, kari, periods[1], date(2025, 7, 3))
    report(finished, MeasureStatus.DONE, kari, periods[2], date(2025, 11, 3))
    report(late, MeasureStatus.IN_PROGRESS, kari, periods[1], date(2025, 7, 4))
    report(late, MeasureStatus.IN_PROGRESS, kari, periods[2], date(2025, 11, 4))
    report(silent, MeasureStatus.PLANNED, kari, periods[1], date(2025, 7, 5))
    return periods, {
        "moving": moving,
        "finished": finished,
        "stalled": stalled,
        "late": late,
        "silent": silent,
        "still": still_commitment,
        "neglected": neglected,
    }


def test_status_at_a_period_is_the_latest_report_up_to_its_end(team):
    periods, m = two_periods_of_history(team)
    assert m["moving"].pk not in status_at_period(period=periods[0])  # not reported then
    assert status_at_period(period=periods[1])[m["moving"].pk] == "planned"
    assert status_at_period(period=periods[2])[m["moving"].pk] == "in_progress"


def test_the_progress_report_shows_what_moved_finished_is_late_unreported_neglected_and_standing_still(team):
    periods, m = two_periods_of_history(team)
    report_ = progress(periods[2])

    assert report_.previous == periods[1]
    moved = {measure.title: (before, now) for measure, before, now in report_.transitions}
    assert moved == {"Går framover": ("planned", "in_progress"), "Blir ferdig": ("in_progress", "done")}
    assert [x.title for x in report_.finished] == ["Blir ferdig"]
    assert [x.title for x in report_.late] == ["Over fristen"]
    assert [x.title for x in report_.not_reported] == ["Ingen rapport"]
    assert m["neglected"] in report_.nobody
    assert report_.standing_still_known
    assert [(c.title, s) for c, s in report_.standing_still] == [
        ("Forpliktelse som står stille", CommitmentStatus.IN_PROGRESS)
    ]
    counts = {value: (before, now) for _label, value, before, now in report_.measure_counts}
    assert counts["done"] == (0, 1) and counts["planned"] == (2, 1) and counts["in_progress"] == (3, 3)


def test_the_progress_page_reads_as_a_fagrad_member_would_and_its_queries_do_not_grow(client, team):
    periods, _m = two_periods_of_history(team)
    client.force_login(team["frode"])
    url = reverse("progress_report", args=[periods[2].pk])
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).text
    assert "Går framover" in page and "Blir ferdig" in page and "Forpliktelse som står stille" in page
    assert "Annual report 2025" in page or "Årsrapport 2025" in page
    for i in range(6):
        extra = make_measure(title=f"Flere {i}", responsible_unit=team["unit"])
        report(extra, MeasureStatus.DELAYED, team["kari"], periods[2], date(2025, 11, 10))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) <= 25


def test_an_unpublished_progress_report_is_for_logged_in_people(client, team):
    period = make_period(year=2026, kind="t1", state=PeriodState.OPEN)
    response = client.get(reverse("progress_report", args=[period.pk]))
    assert response.status_code == 302 and reverse("login") in response.url


def test_a_fagrad_member_comments_and_the_responsible_caseworker_answers(client, team):
    measure = make_measure(title="Helse- og overdoseteam", responsible_unit=team["unit"])
    url = reverse("add_comment", args=["measure", measure.pk])
    client.force_login(team["frode"])
    assert client.post(url, {"body": "Hvorfor er teamet forsinket?"}).status_code == 302
    question = Comment.objects.get()
    assert (question.author, question.measure) == (team["frode"], measure)
    assert question.history.get().history_user == team["frode"]

    client.force_login(team["other"])
    assert client.post(url, {"body": "Jeg svarer", "reply_to": question.pk}).status_code == 403
    client.force_login(team["lise"])
    assert client.post(url, {"body": "Leseren kommenterer"}).status_code == 403
    client.force_login(team["kari"])
    assert client.post(url, {"body": "Rekrutteringen tok tid.", "reply_to": question.pk}).status_code == 302
    answer = Comment.objects.get(reply_to=question)
    assert answer.author == team["kari"] and answer.measure == measure

    client.logout()
    page = client.get(reverse("measure_detail", args=[measure.pk])).text
    comments = page.split('id="comments"')[1].split("</section>")[0]
    assert "Frode Fagråd" in comments and "Hvorfor er teamet forsinket?" in comments
    assert "Kari Nordmann" in comments and "Rekrutteringen tok tid." in comments
    assert "<form" not in comments  # no comment or answer form for someone not logged in


def test_an_empty_or_overlong_comment_is_refused(client, team):
    commitment = make_commitment()
    client.force_login(team["frode"])
    url = reverse("add_comment", args=["commitment", commitment.pk])
    client.post(url, {"body": "   "})
    client.post(url, {"body": "x" * 5001})
    assert not Comment.objects.exists()
    assert client.post(reverse("add_comment", args=["nonsense", 1]), {"body": "x"}).status_code == 404
    # An answer to a comment that cannot exist: not found, whatever digits are sent (²: a digit int() refuses).
    for reply_to in ["²", "٣", "9" * 30, "-1"]:
        response = client.post(url, {"body": "Svar", "reply_to": reply_to})
        assert response.status_code == 404, reply_to
    assert not Comment.objects.exists()
    assert client.post(reverse("add_comment", args=["measure", 999999]), {"body": "x"}).status_code == 404


def test_the_review_shows_what_is_new_since_the_last_visit(client, team):
    measure = make_measure(title="Nytt siden sist", responsible_unit=team["unit"])
    client.force_login(team["frode"])
    first = client.get(reverse("review")).text
    assert "Dette er ditt første besøk" in first
    # What is late and what nobody works on are there as on the dashboard.
    assert 'id="late-heading"' in first and 'id="nobody-heading"' in first
    record_status(measure=measure, status=MeasureStatus.DELAYED, happened="Forsinket.", user=team["kari"])
    Comment.objects.create(author=team["koord"], body="En ny kommentar", measure=measure)

    # Back from reading one of them, in the same sitting: still new, still the first visit.
    page = client.get(reverse("review")).text
    assert "Nytt siden sist" in page.split('id="new-reports"')[1]
    assert "En ny kommentar" in page.split('id="new-comments"')[1]
    assert "første besøk" in page

    # Days later: what was read then is no longer new. (The clock moved on: the comment and the report were made
    # two days ago, the last look was yesterday.)
    now = timezone.now()
    Comment.objects.update(created_at=now - timedelta(days=2))
    StatusUpdate.objects.update(recorded_at=now - timedelta(days=2))
    ReviewVisit.objects.filter(user=team["frode"]).update(seen_at=now - timedelta(days=1))
    next_day = client.get(reverse("review")).text
    assert "siden forrige besøk" in next_day and "første besøk" not in next_day
    assert "En ny kommentar" not in next_day and "Nytt siden sist" not in next_day.split('id="new-reports"')[1]


def test_a_coordinator_enters_indicator_values_with_a_source_and_the_chart_follows(client, team):
    source = make_source(title="Dødsårsaksregisteret 2024")
    indicator = Indicator.objects.create(
        name="Overdosedødsfall", unit="dødsfall per år", direction="lower", target_value=0, source=source
    )
    client.force_login(team["koord"])
    url = reverse("add_indicator_value", args=[indicator.pk])
    missing_source = client.post(url, {"year": 2023, "value": "21"})
    assert 'id="id_source_error"' in missing_source.text and not IndicatorValue.objects.exists()
    assert client.post(url, {"year": 2023, "value": "21", "source": source.pk}).status_code == 302
    assert client.post(url, {"year": 2024, "value": "17", "source": source.pk}).status_code == 302
    asked = client.post(url, {"year": 2024, "value": "18", "source": source.pk})  # a correction: shown first
    assert asked.status_code == 200 and "har allerede verdien 17" in asked.text
    assert 'name="replace" value="2024"' in asked.text
    # Having been asked about 2024, a change of the year to 2023 asks again: 2023 has a value too.
    other_year = client.post(url, {"year": 2023, "value": "99", "source": source.pk, "replace": "2024"})
    assert other_year.status_code == 200 and "har allerede verdien 21" in other_year.text
    assert client.post(url, {"year": 2024, "value": "18", "source": source.pk, "replace": "2024"}).status_code == 302
    negative = client.post(url, {"year": 2022, "value": "-3", "source": source.pk})
    assert 'id="id_value_error"' in negative.text
    # «9,5» as Norwegians write it is 9.5, not 95 (nor refused).
    assert client.post(url, {"year": 2021, "value": "9,5", "source": source.pk}).status_code == 302
    assert IndicatorValue.objects.get(year=2021).value == Decimal("9.5")
    IndicatorValue.objects.filter(year=2021).delete()
    values = dict(IndicatorValue.objects.values_list("year", "value"))
    assert values == {2023: 21, 2024: 18}
    assert IndicatorValue.history.filter(year=2024).count() == 2
    # The replaced value stays in view for those who read the history.
    replaced = client.get(reverse("indicator_detail", args=[indicator.pk])).text.split('id="replaced-heading"')[1]
    assert '>2024</th><td class="numeric">17</td>' in replaced and ">18<" not in replaced

    page = client.get(reverse("indicator_detail", args=[indicator.pk])).text
    svg = page.split("<svg")[1].split("</svg>")[0]
    assert "2023: 21; 2024: 18" in svg and "stroke-dasharray" in svg  # the bars and the target line
    # Who entered a value is shown by name, never by user name (this coordinator has given no name).
    table = page.split("<table")[1]
    assert "(navn ikke oppgitt)" in table and "koord," not in table

    # Numbers as Norwegians write them, the same in the chart and the table.
    big = Indicator.objects.create(name="Besøk", unit="besøk per år", source=source)
    IndicatorValue.objects.create(indicator=big, year=2023, value="41000", source=source)
    IndicatorValue.objects.create(indicator=big, year=2024, value="9.50", source=source)
    page = client.get(reverse("indicator_detail", args=[big.pk])).text
    assert "2023: 41\u00a0000; 2024: 9,5" in page.split("<svg")[1]
    assert ">41\u00a0000</td>" in page and ">9,5</td>" in page and "9,50" not in page

    client.force_login(team["frode"])
    assert client.post(url, {"year": 2022, "value": "1", "source": source.pk}).status_code == 403


def test_reminders_go_once_to_each_caseworker_with_measures_to_report(team, settings):
    settings.SITE_URL = "https://rus.bergen.kommune.no"
    period = make_period(year=2026, kind="t1", report_deadline=date(2026, 5, 15))
    make_measure(title="Kari sitt tiltak", responsible_unit=team["unit"])
    transition_period(period=period, user=team["koord"], to=PeriodState.OPEN)

    send_reminders(today=date(2026, 5, 1))
    assert [m.to for m in mail.outbox] == [["kari@bergen.kommune.no"]]
    assert "Kari sitt tiltak" in mail.outbox[0].body
    assert "https://rus.bergen.kommune.no/tiltak/" in mail.outbox[0].body

    send_reminders(today=date(2026, 5, 2))
    assert len(mail.outbox) == 1  # never the same reminder twice

    send_reminders(today=date(2026, 5, 8))  # a week before the deadline
    assert len(mail.outbox) == 2 and "15. mai 2026" in mail.outbox[1].body
    send_reminders(today=date(2026, 5, 9))
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.count() == 2


def test_nothing_is_sent_to_a_caseworker_whose_measures_are_reported(team):
    period = make_period(year=2026, kind="t1")
    measure = make_measure(responsible_unit=team["unit"])
    transition_period(period=period, user=team["koord"], to=PeriodState.OPEN)
    record_status(measure=measure, status="in_progress", happened="x", user=team["kari"], period=period)
    send_reminders(today=date(2026, 2, 1))
    assert mail.outbox == []


def test_publishing_sends_the_progress_report_to_the_fagrad_once(team):
    period = make_period(year=2026, kind="t1")
    measure = make_measure(responsible_unit=team["unit"])
    transition_period(period=period, user=team["koord"], to=PeriodState.OPEN)
    record_status(measure=measure, status="done", happened="x", user=team["kari"], period=period)
    transition_period(period=period, user=team["koord"], to=PeriodState.CLOSED)
    transition_period(period=period, user=team["koord"], to=PeriodState.PUBLISHED)

    send_reminders(today=timezone.localdate())
    send_reminders(today=timezone.localdate() + timedelta(days=1))

    published = [m for m in mail.outbox if "frode@fagrad.no" in m.to]
    assert len(published) == 1
    assert reverse("progress_report", args=[period.pk]) in published[0].body
    assert "1" in published[0].body
