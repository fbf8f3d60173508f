"""The advisory council's progress report: what moved from one reporting period to the next.

Statuses «at» a period are read by measures.periods.status_at_period (see its module for the rule); a
commitment's status at a period is rolled up from those by measures.status.roll_up_links. A fixed number of queries,
however many measures there are.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time

from django.utils import timezone

from decisions.models import Commitment
from decisions.status import CommitmentStatus

from .models import Measure
from .periods import (
    ordered_periods,
    period_end,
    previous_period,
    status_at_period,
    status_before_period,
    updates_in,
)
from .services import IMPORT_REASON
from .status import FINAL, NOT_REPORTED, MeasureStatus, is_late, roll_up_links

STILL_COMMITMENT = {CommitmentStatus.NOT_STARTED, CommitmentStatus.IN_PROGRESS, CommitmentStatus.DELAYED}
LIST_LIMIT = 200


@dataclass
class Progress:
    period: object
    previous: object
    measure_counts: list = field(default_factory=list)  # [(label, value, count before, count now)]
    commitment_counts: list = field(default_factory=list)
    transitions: list = field(default_factory=list)  # [(measure, status before, status now)]
    transition_count: int = 0
    new_measures: list = field(default_factory=list)
    finished: list = field(default_factory=list)
    late: list = field(default_factory=list)
    late_count: int = 0
    not_reported: list = field(default_factory=list)
    not_reported_count: int = 0
    nobody: list = field(default_factory=list)
    standing_still: list = field(default_factory=list)
    standing_still_known: bool = False
    measure_total: int = 0


def progress(period):
    """What moved between the previous period and `period`, what is late, unreported, neglected or standing still.

    «Late» is judged at the period's end (today while it runs): a deadline before it and neither done nor cancelled
    then. «Not reported»
    are measures with no update in the period that were not already done or cancelled before it. «Standing still»
    are commitments whose rolled-up status was the same, and not final, at this period and the two before it.
    """
    periods = ordered_periods()
    previous = previous_period(period=period, periods=periods)
    two_before = previous_period(period=previous, periods=periods) if previous else None
    all_ids = list(Measure.objects.values_list("pk", flat=True))
    reported_now = status_at_period(period=period, periods=periods)
    # The first period is compared with what was known before it began (statuses the documents state, say).
    if previous is not None:
        reported_before = status_at_period(period=previous, periods=periods)
    else:
        reported_before = status_before_period(period=period, periods=periods)
    now = {pk: reported_now.get(pk) for pk in all_ids}
    before = {pk: reported_before.get(pk) for pk in all_ids}
    links = list(Measure.commitments.through.objects.values_list("commitment_id", "measure_id"))
    follow_up = dict(Commitment.objects.values_list("pk", "requires_follow_up"))
    commitments_now = roll_up_links(links, now, follow_up)
    commitments_before = roll_up_links(links, before, follow_up)

    result = Progress(period=period, previous=previous, measure_total=len(now))
    result.measure_counts = _side_by_side(before, now, _measure_rows())
    result.commitment_counts = _side_by_side(commitments_before, commitments_now, _commitment_rows())

    moved = [pk for pk, status in now.items() if status != before.get(pk)]
    finished = [pk for pk in moved if now[pk] == MeasureStatus.DONE]
    reported = set(updates_in(period).values_list("measure_id", flat=True))
    unreported = [pk for pk, status in before.items() if pk not in reported and status not in FINAL]
    # Late as of the period's end, or today while the period is still running (the same rule as the status report).
    reference = min(period.ends_on, timezone.localdate())
    late_ids = [
        pk
        for pk, deadline in Measure.objects.filter(deadline__lt=reference).values_list("pk", "deadline")
        if is_late(deadline=deadline, status=now.get(pk), today=reference)
    ]
    # New: made by somebody during the period. The real records were loaded, not made: they are no news.
    loaded = Measure.history.filter(history_type="+", history_change_reason=IMPORT_REASON).values("id")
    new_ids = list(
        Measure.objects.filter(
            created_at__gte=timezone.make_aware(datetime.combine(period.starts_on, time.min)),
            created_at__lt=period_end(period),
        )
        .exclude(pk__in=loaded)
        .values_list("pk", flat=True)
    )
    wanted = set(moved[:LIST_LIMIT]) | set(finished[:LIST_LIMIT]) | set(unreported[:LIST_LIMIT])
    wanted |= set(late_ids[:LIST_LIMIT]) | set(new_ids[:LIST_LIMIT])
    measures = Measure.objects.select_related("plan", "responsible_unit").in_plan_order().in_bulk(list(wanted))

    def listed(ids):
        return [measures[pk] for pk in ids[:LIST_LIMIT] if pk in measures]

    result.transitions = [(measures[pk], before.get(pk), now[pk]) for pk in moved[:LIST_LIMIT] if pk in measures]
    result.transition_count = len(moved)
    result.finished = listed(finished)
    result.not_reported, result.not_reported_count = listed(unreported), len(unreported)
    result.late, result.late_count = listed(late_ids), len(late_ids)
    result.new_measures = listed(new_ids)
    result.nobody = list(
        Commitment.objects.filter(status=CommitmentStatus.NOT_FOLLOWED_UP).select_related("decision", "platform")
    )
    if two_before is not None:
        result.standing_still_known = True
        two_before = roll_up_links(links, status_at_period(period=two_before, periods=periods), follow_up)
        still_ids = [
            pk
            for pk, status in commitments_now.items()
            if status in STILL_COMMITMENT and commitments_before.get(pk) == status and two_before.get(pk) == status
        ]
        still = Commitment.objects.select_related("decision", "platform").in_bulk(still_ids[:LIST_LIMIT])
        result.standing_still = [(still[pk], commitments_now[pk]) for pk in still_ids[:LIST_LIMIT] if pk in still]
    return result


def _measure_rows():
    """(status, key counted by): the statuses, then «not reported» (counted as None)."""
    return [(status, status.value) for status in MeasureStatus.ordered()] + [(NOT_REPORTED, None)]


def _commitment_rows():
    return [(status, status.value) for status in CommitmentStatus.ordered()]


def _side_by_side(before, now, rows):
    """[(label, status value, count before, count now)] for the side-by-side tables."""
    counted_before, counted_now = Counter(before.values()), Counter(now.values())
    return [
        (str(status.label), status.value, counted_before.get(key, 0), counted_now.get(key, 0)) for status, key in rows
    ]
