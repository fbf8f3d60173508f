"""A measure's status: the values, their order, colour and meaning, and the roll-up rule for commitments.

A measure's status is the status of its latest StatusUpdate; a measure nobody has reported on yet has none
("not reported"). This module is the one place that documents what each value means.
"""

from django.db import models
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


NOT_REPORTED_LABEL = _("Not reported")
NOT_REPORTED_DESCRIPTION = _("Nobody has reported on the measure yet.")
NOT_REPORTED_COLOUR = "#f2f2f2"

# (order, colour, meaning). Colours are backgrounds that carry black text at WCAG AA contrast.
_MEASURE_META = {
    MeasureStatus.PLANNED: (1, "#d9dde3", _("Decided or planned, but work has not started.")),
    MeasureStatus.IN_PROGRESS: (2, "#b5d3f2", _("Work is under way and on schedule.")),
    MeasureStatus.DELAYED: (3, "#f7d38a", _("Work is behind its plan or deadline, or has stalled.")),
    MeasureStatus.DONE: (4, "#b7e0be", _("The measure has been carried out.")),
    MeasureStatus.CANCELLED: (5, "#c9c3d6", _("The measure has been stopped and will not be carried out.")),
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


# The reason written on the history entries of the real records when they are loaded (load_real_records): what the
# public documents state, not a change anyone made on that day. (Here, not in services: the reports read it, and the
# services queue reports.)
IMPORT_REASON = "Import av faste data fra fixtures/real_records.json"
