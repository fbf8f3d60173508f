"""A measure's status: the values, their order, colour and meaning, which are final, when a measure is late, and
the roll-up rule for commitments.

A measure's status is the status of its latest StatusUpdate; a measure nobody has reported on yet has none: it is
stored as NULL (Measure.current_status) and shown, counted and filtered as NOT_REPORTED. This module is the one place
that documents what each value means; pages, PDFs, progress reports and e-mails all take them from here.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from decisions.status import CommitmentStatus


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")

    @property
    def order(self):
        return _MEASURE_META[self][0]

    @property
    def colour(self):
        return _MEASURE_META[self][1]

    @property
    def description(self):
        return _MEASURE_META[self][2]

    @classmethod
    def ordered(cls):
        return sorted(cls, key=lambda status: status.order)


@dataclass(frozen=True)
class _NotReported:
    """«Not reported» as a status to show, count and filter by: it answers like a MeasureStatus member does."""

    value: str
    label: str
    colour: str
    description: str
    order: int = 0

    def __str__(self):
        return str(self.label)


# No update yet. Stored as NULL; this is its value in URLs, CSS classes and filters, and its label, colour, meaning.
NOT_REPORTED = _NotReported("not_reported", _("Not reported"), "#f2f2f2", _("Nobody has reported on the measure yet."))

# (order, colour, meaning). Colours are backgrounds that carry black text at WCAG AA contrast.
_MEASURE_META = {
    MeasureStatus.PLANNED: (1, "#d9dde3", _("Decided or planned, but work has not started.")),
    MeasureStatus.IN_PROGRESS: (2, "#b5d3f2", _("Work is under way and on schedule.")),
    MeasureStatus.DELAYED: (3, "#f7d38a", _("Work is behind its plan or deadline, or has stalled.")),
    MeasureStatus.DONE: (4, "#b7e0be", _("The measure has been carried out.")),
    MeasureStatus.CANCELLED: (5, "#c9c3d6", _("The measure has been stopped and will not be carried out.")),
}


# Statuses after which nothing more is expected of a measure: it is never late, and needs no more reports.
FINAL = frozenset({MeasureStatus.DONE, MeasureStatus.CANCELLED})


def shown_status(value):
    """The MeasureStatus of a stored value, or NOT_REPORTED for None (or an empty value)."""
    return MeasureStatus(value) if value else NOT_REPORTED


def shown_statuses():
    """Every status a measure is shown with, in the order of charts and tables: «not reported» first."""
    return [NOT_REPORTED, *MeasureStatus.ordered()]


def status_choices():
    """The choices of a filter by measure status: the statuses, then «not reported»."""
    return [*MeasureStatus.choices, (NOT_REPORTED.value, NOT_REPORTED.label)]


def is_late(*, deadline, status, today):
    """Whether a measure with this deadline and status (a value, None: not reported) is late on `today`: its
    deadline has passed and its status is not final. The same rule as late_q."""
    return deadline is not None and deadline < today and status not in FINAL


def late_q(today):
    """The measures late on `today`, as a Q over Measure (see is_late); «not reported» counts as not final."""
    return Q(deadline__lt=today) & ~Q(current_status__in=FINAL)


def roll_up_links(links, measure_statuses, requires_follow_up):
    """{commitment id: CommitmentStatus} for each commitment of `requires_follow_up` ({id: bool}), rolled up by
    roll_up from the statuses ({measure id: value or None}) of the measures `links` ([(commitment id, measure id)])
    join to it. A measure missing from `measure_statuses` counts as not reported."""
    linked = defaultdict(list)
    for commitment_id, measure_id in links:
        linked[commitment_id].append(measure_statuses.get(measure_id))
    return {
        commitment_id: roll_up(linked[commitment_id], requires_follow_up=requires)
        for commitment_id, requires in requires_follow_up.items()
    }


def roll_up(measure_statuses, *, requires_follow_up=True):
    """Return the CommitmentStatus for a commitment whose linked measures have these statuses.

    `measure_statuses` holds one entry per linked measure: a MeasureStatus value, or None for a measure that has
    not been reported on (it counts as not started). The rules, in order:

    1. no measure linked: not followed up, or "statement only" for a point that asks for no action;
    2. every measure cancelled: cancelled; otherwise cancelled measures are left out of the rules below;
    3. any measure delayed: delayed;
    4. every measure done: fulfilled;
    5. any measure in progress or done: in progress;
    6. otherwise (planned or not reported): not started.
    """
    statuses = list(measure_statuses)
    if not statuses:
        return CommitmentStatus.NOT_FOLLOWED_UP if requires_follow_up else CommitmentStatus.STATEMENT
    active = [status for status in statuses if status != MeasureStatus.CANCELLED]
    if not active:
        return CommitmentStatus.CANCELLED
    if MeasureStatus.DELAYED in active:
        return CommitmentStatus.DELAYED
    if all(status == MeasureStatus.DONE for status in active):
        return CommitmentStatus.FULFILLED
    if any(status in (MeasureStatus.IN_PROGRESS, MeasureStatus.DONE) for status in active):
        return CommitmentStatus.IN_PROGRESS
    return CommitmentStatus.NOT_STARTED
