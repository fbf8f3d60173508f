"""The roll-up rule and the status vocabulary, case by case."""

import pytest

from decisions.status import CommitmentStatus
from measures.status import MeasureStatus, roll_up

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


@pytest.mark.parametrize("status", [*MeasureStatus, *CommitmentStatus])
def test_status_colours_carry_black_text_at_wcag_aa_contrast(status):
    contrast = (_luminance(status.colour) + 0.05) / 0.05
    assert contrast >= 4.5, f"{status} {status.colour} gives {contrast:.1f}:1 with black text"


def test_status_labels_are_norwegian_by_default():
    assert MeasureStatus.DELAYED.label == "Forsinket"
    assert CommitmentStatus.NOT_FOLLOWED_UP.label == "Ikke fulgt opp"
