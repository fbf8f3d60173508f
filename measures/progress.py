"""Progress between reporting periods: every measure's and commitment's status as it stood at a period, and what
moved from one period to the next.

A measure's status «at» a period is its latest update that belongs to that period or an earlier one (by end date),
or, for an update given no period, that was recorded before the period ended. A commitment's status at a period is
rolled up from its measures' statuses at that period by the same rule as today's (measures.status.roll_up).
Every function reads a fixed number of queries, however many measures there are.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from decisions.models import Commitment
from decisions.status import CommitmentStatus

from .models import Measure, ReportingPeriod, StatusUpdate
from .status import NOT_REPORTED_LABEL, MeasureStatus, roll_up

FINAL = {MeasureStatus.DONE, MeasureStatus.CANCELLED}
STILL_COMMITMENT = {CommitmentStatus.NOT_STARTED, CommitmentStatus.IN_PROGRESS, CommitmentStatus.DELAYED}
LIST_LIMIT = 200


def period_end(period):
    """The first moment after the period (local time): updates recorded before it belong to the period or earlier."""
    return timezone.make_aware(datetime.combine(period.ends_on + timedelta(days=1), time.min))


def periods_in_order():
    """All periods, earliest end first (a tertial before the annual report of the same year)."""
    return list(ReportingPeriod.objects.order_by("ends_on", "starts_on", "pk"))


def previous_periods(period, count=2):
    """The `count` periods before `period` (nearest first), by end date."""
    return list(
        ReportingPeriod.objects.filter(
            Q(ends_on__lt=period.ends_on) | Q(ends_on=period.ends_on, pk__lt=period.pk)
        ).order_by("-ends_on", "-pk")[:count]
    )


def statuses_at(period, measures=None):
    """{measure id: status value or None} as the measures stood at `period` (one query)."""
    updates = StatusUpdate.objects.filter(
        Q(period__ends_on__lte=period.ends_on) | Q(period__isnull=True, recorded_at__lt=period_end(period))
    )
    latest = updates.filter(measure=OuterRef("pk")).order_by("-recorded_at", "-id").values("status")[:1]
    measures = Measure.objects.all() if measures is None else measures
    return dict(measures.annotate(status_then=Subquery(latest)).values_list("pk", "status_then"))


def commitment_statuses(measure_statuses, links, follow_up):
    """{commitment id: CommitmentStatus} rolled up from {measure id: status} over links [(commitment, measure)]."""
    by_commitment = defaultdict(list)
    for commitment_id, measure_id in links:
        by_commitment[commitment_id].append(measure_statuses.get(measure_id))
    return {
        commitment_id: roll_up(by_commitment[commitment_id], requires_follow_up=requires)
        for commitment_id, requires in follow_up.items()
    }


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

    «Late» is judged at the period's end: a deadline before it and neither done nor cancelled then. «Not reported»
    are measures with no update in the period that were not already done or cancelled before it. «Standing still»
    are commitments whose rolled-up status was the same, and not final, at this period and the two before it.
    """
    earlier = previous_periods(period, 2)
    previous = earlier[0] if earlier else None
    now = statuses_at(period)
    before = statuses_at(previous) if previous else dict.fromkeys(now)
    links = list(Measure.commitments.through.objects.values_list("commitment_id", "measure_id"))
    follow_up = dict(Commitment.objects.values_list("pk", "requires_follow_up"))
    commitments_now = commitment_statuses(now, links, follow_up)
    commitments_before = commitment_statuses(before, links, follow_up)

    result = Progress(period=period, previous=previous, measure_total=len(now))
    result.measure_counts = _side_by_side(before, now, _measure_rows())
    result.commitment_counts = _side_by_side(commitments_before, commitments_now, _commitment_rows())

    moved = [pk for pk, status in now.items() if status != before.get(pk)]
    finished = [pk for pk in moved if now[pk] == MeasureStatus.DONE]
    reported = set(StatusUpdate.objects.filter(period=period).values_list("measure_id", flat=True))
    unreported = [pk for pk, status in before.items() if pk not in reported and status not in FINAL]
    late_ids = list(Measure.objects.filter(deadline__lt=period.ends_on).values_list("pk", flat=True))
    late_ids = [pk for pk in late_ids if now.get(pk) not in FINAL]
    new_ids = list(
        Measure.objects.filter(
            created_at__gte=timezone.make_aware(datetime.combine(period.starts_on, time.min)),
            created_at__lt=period_end(period),
        ).values_list("pk", flat=True)
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
    if len(earlier) == 2:
        result.standing_still_known = True
        two_before = commitment_statuses(statuses_at(earlier[1]), links, follow_up)
        still_ids = [
            pk
            for pk, status in commitments_now.items()
            if status in STILL_COMMITMENT and commitments_before.get(pk) == status and two_before.get(pk) == status
        ]
        still = Commitment.objects.select_related("decision", "platform").in_bulk(still_ids[:LIST_LIMIT])
        result.standing_still = [(still[pk], commitments_now[pk]) for pk in still_ids[:LIST_LIMIT] if pk in still]
    return result


def _measure_rows():
    return [(str(status.label), status.value) for status in MeasureStatus.ordered()] + [(str(NOT_REPORTED_LABEL), None)]


def _commitment_rows():
    return [(str(status.label), status.value) for status in CommitmentStatus.ordered()]


def _side_by_side(before, now, rows):
    counted_before, counted_now = Counter(before.values()), Counter(now.values())
    return [(label, value, counted_before.get(value, 0), counted_now.get(value, 0)) for label, value in rows]
