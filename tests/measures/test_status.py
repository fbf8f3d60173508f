"""The roll-up rule and the status vocabulary, case by case."""

from datetime import date, timedelta

import pytest

from decisions.status import CommitmentStatus
from measures.models import Measure
from measures.status import (
    NOT_REPORTED,
    MeasureStatus,
    is_late,
    roll_up,
    roll_up_links,
    shown_status,
    shown_statuses,
)
from tests.factories import make_measure

P, IP, D, F, C = (
    MeasureStatus.PLANNED,
    MeasureStatus.IN_PROGRESS,
    MeasureStatus.DELAYED,
    MeasureStatus.DONE,
    MeasureStatus.CANCELLED,
)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], CommitmentStatus.NOT_FOLLOWED_UP),
        ([None], CommitmentStatus.NOT_STARTED),
        ([P], CommitmentStatus.NOT_STARTED),
        ([P, None], CommitmentStatus.NOT_STARTED),
        ([IP], CommitmentStatus.IN_PROGRESS),
        ([P, IP], CommitmentStatus.IN_PROGRESS),
        ([F, P], CommitmentStatus.IN_PROGRESS),
        ([F, None], CommitmentStatus.IN_PROGRESS),
        ([D], CommitmentStatus.DELAYED),
        ([F, F, D], CommitmentStatus.DELAYED),
        ([IP, D, P], CommitmentStatus.DELAYED),
        ([F], CommitmentStatus.FULFILLED),
        ([F, F, F], CommitmentStatus.FULFILLED),
        ([F, C], CommitmentStatus.FULFILLED),
        ([C], CommitmentStatus.CANCELLED),
        ([C, C], CommitmentStatus.CANCELLED),
        ([C, D], CommitmentStatus.DELAYED),
        ([C, P], CommitmentStatus.NOT_STARTED),
        ([C, IP], CommitmentStatus.IN_PROGRESS),
    ],
)
def test_roll_up_follows_the_documented_rules(statuses, expected):
    assert roll_up(statuses) == expected


def test_roll_up_of_a_statement_without_measures_is_statement_only():
    assert roll_up([], requires_follow_up=False) == CommitmentStatus.STATEMENT


def test_roll_up_of_a_statement_with_measures_follows_the_measures():
    assert roll_up([MeasureStatus.DONE], requires_follow_up=False) == CommitmentStatus.FULFILLED


@pytest.mark.parametrize("enum", [MeasureStatus, CommitmentStatus])
def test_every_status_has_a_distinct_order_a_colour_and_a_meaning(enum):
    orders = [status.order for status in enum]
    assert sorted(orders) == list(range(1, len(enum) + 1))
    assert [status.order for status in enum.ordered()] == sorted(orders)
    for status in enum:
        assert status.colour.startswith("#")
        assert len(status.colour) == 7
        assert str(status.description).endswith(".")


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("status", [*MeasureStatus, *CommitmentStatus, NOT_REPORTED])
def test_status_colours_carry_black_text_at_wcag_aa_contrast(status):
    contrast = (_luminance(status.colour) + 0.05) / 0.05
    assert contrast >= 4.5, f"{status} {status.colour} gives {contrast:.1f}:1 with black text"


def test_status_labels_are_norwegian_by_default():
    assert MeasureStatus.DELAYED.label == "Forsinket"
    assert CommitmentStatus.NOT_FOLLOWED_UP.label == "Ikke fulgt opp"


def test_not_reported_is_shown_like_a_status_first_in_charts_and_with_its_own_meaning():
    assert shown_status(None) is NOT_REPORTED and shown_status("") is NOT_REPORTED
    assert shown_status("done") == MeasureStatus.DONE
    assert shown_statuses() == [NOT_REPORTED, *MeasureStatus.ordered()]
    assert NOT_REPORTED.value not in MeasureStatus.values
    assert str(NOT_REPORTED.label) == "Ikke rapportert" and str(NOT_REPORTED.description).endswith(".")


@pytest.mark.django_db
def test_late_as_a_function_and_as_a_query_select_the_same_measures():
    today = date(2026, 5, 1)
    measures = []
    for deadline in (None, today - timedelta(days=1), today, today + timedelta(days=1)):
        for status in (None, *MeasureStatus):
            measures.append(make_measure(deadline=deadline, title=f"{deadline} {status}"))
            Measure.objects.filter(pk=measures[-1].pk).update(current_status=status)
    by_function = {
        measure.pk
        for measure in Measure.objects.all()
        if is_late(deadline=measure.deadline, status=measure.current_status, today=today)
    }
    assert set(Measure.objects.late(today).values_list("pk", flat=True)) == by_function
    assert Measure.objects.late_count(today) == len(by_function) == 4  # past deadline: not reported, 3 not final


def test_roll_up_links_groups_the_statuses_of_each_commitments_measures():
    links = [(1, 10), (1, 11), (2, 11), (4, 12)]
    statuses = {10: MeasureStatus.DONE, 11: MeasureStatus.DELAYED}  # 12: not reported
    follow_up = {1: True, 2: True, 3: True, 4: True, 5: False}
    assert roll_up_links(links, statuses, follow_up) == {
        1: CommitmentStatus.DELAYED,
        2: CommitmentStatus.DELAYED,
        3: CommitmentStatus.NOT_FOLLOWED_UP,
        4: CommitmentStatus.NOT_STARTED,
        5: CommitmentStatus.STATEMENT,
    }
