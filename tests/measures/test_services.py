"""record_status and the roll-up writer: what a caseworker's report does to measures and commitments."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from decisions.models import Commitment
from decisions.status import CommitmentStatus
from measures.models import Measure, StatusUpdate
from measures.services import rebuild_statuses, record_status, refresh_commitment_statuses
from measures.status import MeasureStatus
from tests.factories import make_commitment, make_measure, make_open_period, make_report, make_source

pytestmark = pytest.mark.django_db


def test_record_status_appends_an_update_and_makes_it_the_measures_status(caseworker):
    measure = make_measure()
    period = make_open_period()

    first = make_report(measure, MeasureStatus.IN_PROGRESS, caseworker, period=period, next_step="Ansette leder.")
    second = make_report(measure, MeasureStatus.DELAYED, caseworker)

    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DELAYED
    assert measure.latest_update == second
    assert list(measure.updates.order_by("recorded_at", "id")) == [first, second]
    first.refresh_from_db()
    assert (first.status, first.author, first.period, first.next_step) == (
        MeasureStatus.IN_PROGRESS,
        caseworker,
        period,
        "Ansette leder.",
    )
    assert first.recorded_at <= second.recorded_at


def test_record_status_rolls_up_every_linked_commitment_at_once(caseworker):
    one, two = make_commitment(), make_commitment()
    unrelated = make_commitment()
    measure = make_measure(commitments=[one, two])
    refresh_commitment_statuses()

    make_report(measure, MeasureStatus.DONE, caseworker)

    assert Commitment.objects.get(pk=one.pk).status == CommitmentStatus.FULFILLED
    assert Commitment.objects.get(pk=two.pk).status == CommitmentStatus.FULFILLED
    assert Commitment.objects.get(pk=unrelated.pk).status == CommitmentStatus.NOT_FOLLOWED_UP


def test_a_delayed_measure_makes_its_commitment_delayed_and_a_later_report_clears_it(caseworker):
    commitment = make_commitment()
    done, late = make_measure(commitments=[commitment]), make_measure(commitments=[commitment])
    make_report(done, MeasureStatus.DONE, caseworker)
    make_report(late, MeasureStatus.DELAYED, caseworker)
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.DELAYED

    make_report(late, MeasureStatus.DONE, caseworker)
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.FULFILLED


def test_a_status_change_of_a_commitment_is_in_its_history_with_the_reporter(caseworker):
    commitment = make_commitment()
    measure = make_measure(commitments=[commitment])
    refresh_commitment_statuses([commitment.pk])

    make_report(measure, MeasureStatus.IN_PROGRESS, caseworker)

    latest = Commitment.history.filter(id=commitment.pk).latest("history_date")
    assert latest.status == CommitmentStatus.IN_PROGRESS
    assert latest.history_user == caseworker
    assert latest.history_type == "~"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "finished-ish"),
        ("happened", ""),
        ("evidence_links", "not a link"),
        ("happened", "x" * 0),
    ],
)
def test_an_invalid_report_is_refused_and_changes_nothing(caseworker, field, value):
    commitment = make_commitment()
    measure = make_measure(commitments=[commitment])
    arguments = {"measure": measure, "status": MeasureStatus.DONE, "happened": "Ferdig.", "user": caseworker}
    arguments[field] = value

    with pytest.raises(ValidationError) as error:
        record_status(**arguments)

    assert field in error.value.message_dict
    assert StatusUpdate.objects.count() == 0
    assert Measure.objects.get(pk=measure.pk).latest_update is None
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.NOT_FOLLOWED_UP


def test_a_report_with_neither_author_nor_source_is_refused(db):
    measure = make_measure()
    with pytest.raises(ValidationError):
        record_status(measure=measure, status=MeasureStatus.DONE, happened="Ferdig.")
    assert not StatusUpdate.objects.exists()


def test_a_report_taken_from_a_document_cites_it_instead_of_a_person(db):
    source = make_source()
    update = record_status(
        measure=make_measure(), status=MeasureStatus.PLANNED, happened="Omtalt i saken.", source=source
    )
    assert update.author is None
    assert update.source == source


def _queries_to_report_on_a_measure_with(linked, author):
    measure = make_measure(commitments=[make_commitment() for _ in range(linked)])
    refresh_commitment_statuses()
    with CaptureQueriesContext(connection) as queries:
        make_report(measure, MeasureStatus.IN_PROGRESS, author)
    return len(queries)


def test_recording_status_costs_the_same_queries_however_many_commitments_it_touches(caseworker):
    one = _queries_to_report_on_a_measure_with(1, caseworker)
    many = _queries_to_report_on_a_measure_with(6, caseworker)
    assert one == many
    # lock, validation look-ups, insert, point the measure at it, links with statuses, commitments, one batched
    # status write and one batched history insert, the change stamp that makes cached pages stale, plus the
    # savepoints around them.
    assert one <= 19


def test_refresh_after_a_link_is_removed_marks_the_commitment_not_followed_up(caseworker):
    commitment = make_commitment()
    measure = make_measure(commitments=[commitment])
    make_report(measure, MeasureStatus.IN_PROGRESS, caseworker)
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.IN_PROGRESS

    measure.commitments.remove(commitment)
    changed = refresh_commitment_statuses([commitment.pk])

    assert [c.pk for c in changed] == [commitment.pk]
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.NOT_FOLLOWED_UP


def test_a_commitment_that_asks_for_nothing_rolls_up_to_statement_only(db):
    commitment = make_commitment(requires_follow_up=False)
    refresh_commitment_statuses([commitment.pk])
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.STATEMENT


def test_rebuild_statuses_points_measures_at_their_newest_update_and_rolls_up(caseworker):
    commitment = make_commitment()
    measure = make_measure(commitments=[commitment])
    older = StatusUpdate.objects.create(measure=measure, status="in_progress", happened="a", author=caseworker)
    newer = StatusUpdate.objects.create(measure=measure, status="done", happened="b", author=caseworker)
    assert Measure.objects.get(pk=measure.pk).latest_update is None

    rebuild_statuses()

    assert Measure.objects.get(pk=measure.pk).latest_update == newer
    assert older.pk < newer.pk
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.FULFILLED


def test_late_measures_are_past_deadline_and_not_done(caseworker):
    today = date(2025, 6, 1)
    late = make_measure(deadline=date(2025, 1, 1))
    done = make_measure(deadline=date(2025, 1, 1))
    make_report(done, MeasureStatus.DONE, caseworker)
    make_measure(deadline=date(2025, 12, 1))
    make_measure()

    assert list(Measure.objects.late(today)) == [late]
