"""The period rules: the sequence of periods, which updates count for a period, a measure's status at its end,
the previous period and the default one."""

from datetime import date, timedelta

import pytest

from measures import periods as periods_
from measures.status import MeasureStatus
from tests.factories import make_measure, make_period
from tests.reports.helpers import update

pytestmark = pytest.mark.django_db

PLANNED, GOING, LATE, DONE = (
    MeasureStatus.PLANNED,
    MeasureStatus.IN_PROGRESS,
    MeasureStatus.DELAYED,
    MeasureStatus.DONE,
)


def many_measures(n, *, author, periods):
    for i in range(n):
        measure = make_measure(title=f"Tiltak {i}")
        for day in range(1, 4):
            update(measure, GOING, author=author, on=date(2026, 2, day), period=periods["t1"])
        update(measure, LATE, author=author, on=date(2026, 6, 1), period=periods["t2"])


def test_periods_are_ordered_by_their_end_so_the_year_follows_the_second_tertial(periods):
    last_year = make_period(year=2025, kind="year")
    ordered = periods_.ordered_periods()
    assert ordered == [last_year, periods["t1"], periods["t2"], periods["year"]]
    assert periods_.previous_period(period=periods["year"]) == periods["t2"]
    assert periods_.previous_period(period=periods["t1"]) == last_year
    assert periods_.previous_period(period=last_year) is None


def test_a_period_is_found_by_its_short_name_or_its_id(periods):
    assert periods_.find_period("2026-year") == periods["year"]
    assert periods_.find_period("2026-t2") == periods["t2"]
    assert periods_.find_period(str(periods["t1"].pk)) == periods["t1"]
    assert periods_.find_period("2026-summer") is None
    assert periods_.find_period("") is None
    assert periods_.find_period("²-t1") is None and periods_.find_period("²") is None
    assert periods_.period_key(periods["t2"]) == "2026-t2"


def test_status_at_period_is_the_latest_update_recorded_by_the_end_of_the_period(periods, caseworker):
    measure = make_measure()
    update(measure, PLANNED, author=caseworker, on=date(2026, 2, 1), period=periods["t1"])
    update(measure, GOING, author=caseworker, on=date(2026, 4, 30), period=periods["t1"])
    update(measure, LATE, author=caseworker, on=date(2026, 6, 1), period=periods["t2"])

    assert periods_.status_at_period(period=periods["t1"]) == {measure.pk: GOING}
    assert periods_.status_at_period(period=periods["t2"]) == {measure.pk: LATE}
    assert periods_.status_at_period(period=periods["year"]) == {measure.pk: LATE}


def test_an_update_reported_into_a_period_after_it_ended_still_counts_for_it(periods, caseworker):
    measure = make_measure()
    update(measure, PLANNED, author=caseworker, on=date(2026, 3, 1), period=periods["t1"])
    # Reported on 10 May, into the first tertial, which ended on 30 April.
    update(measure, DONE, author=caseworker, on=date(2026, 5, 10), period=periods["t1"])

    assert periods_.status_at_period(period=periods["t1"]) == {measure.pk: DONE}


def test_an_update_recorded_after_the_period_into_a_later_period_does_not_count(periods, caseworker):
    measure = make_measure()
    update(measure, PLANNED, author=caseworker, on=date(2026, 3, 1))
    update(measure, GOING, author=caseworker, on=date(2026, 5, 2), period=periods["t2"])
    # Recorded before the first tertial ended but filed under the year: it counts by its date.
    other = make_measure()
    update(other, LATE, author=caseworker, on=date(2026, 4, 1), period=periods["year"])

    assert periods_.status_at_period(period=periods["t1"]) == {measure.pk: PLANNED, other.pk: LATE}


def test_a_measure_nobody_reported_on_by_then_is_left_out_as_not_reported(periods, caseworker):
    early, late_starter = make_measure(), make_measure()
    update(early, GOING, author=caseworker, on=date(2026, 1, 10), period=periods["t1"])
    update(late_starter, GOING, author=caseworker, on=date(2026, 7, 10), period=periods["t2"])

    assert periods_.status_at_period(period=periods["t1"]) == {early.pk: GOING}
    latest = periods_.latest_updates(period=periods["t2"], related=["period"])
    assert set(latest) == {early.pk, late_starter.pk}
    assert latest[late_starter.pk].period == periods["t2"]


def test_status_at_period_reads_only_the_measures_asked_for(periods, caseworker):
    mine, other = make_measure(), make_measure()
    for measure in (mine, other):
        update(measure, GOING, author=caseworker, on=date(2026, 2, 1))
    result = periods_.status_at_period(period=periods["t1"], measures=type(mine).objects.filter(pk=mine.pk))
    assert result == {mine.pk: GOING}


@pytest.mark.parametrize("n", [1, 12])
def test_the_period_functions_cost_the_same_queries_for_one_measure_and_for_many(
    n, periods, caseworker, django_assert_num_queries
):
    many_measures(n, author=caseworker, periods=periods)
    ordered = periods_.ordered_periods()
    with django_assert_num_queries(1):
        assert len(periods_.status_at_period(period=periods["t2"], periods=ordered)) == n
    with django_assert_num_queries(1):
        assert len(periods_.latest_updates(period=periods["t1"], periods=ordered, related=["period"])) == n


def test_the_default_period_is_the_latest_one_that_has_ended_else_the_one_running(periods):
    assert periods_.default_period(today=date(2026, 9, 21)) == periods["t2"]
    assert periods_.default_period(today=date(2027, 1, 5)) == periods["year"]
    assert periods_.default_period(today=date(2026, 3, 1)) == periods["t1"]
    assert periods_.default_period(today=date(2026, 3, 1) - timedelta(days=365)) == periods["t1"]
