"""The rolled-up status of a commitment: the values, their order, colour and meaning.

This is the one place that documents what each status means; reports and pages print these descriptions as their
legend. The rule that computes a commitment's status from its measures lives in measures.services, the only code
that writes Commitment.status.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitmentStatus(models.TextChoices):
    NOT_FOLLOWED_UP = "not_followed_up", _("Not followed up")
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")
    STATEMENT = "statement", _("Statement only")

    @property
    def order(self):
        return _COMMITMENT_META[self][0]

    @property
    def colour(self):
        return _COMMITMENT_META[self][1]

    @property
    def description(self):
        return _COMMITMENT_META[self][2]

    @classmethod
    def ordered(cls):
        return sorted(cls, key=lambda status: status.order)


# The statuses of a commitment that still wants something done about it: nobody follows it up, or it is delayed
# (the «open points» of a decision).
OPEN_COMMITMENT_STATUSES = (CommitmentStatus.NOT_FOLLOWED_UP, CommitmentStatus.DELAYED)

# (order, colour, meaning). Colours are backgrounds that carry black text at WCAG AA contrast.
_COMMITMENT_META = {
    CommitmentStatus.NOT_FOLLOWED_UP: (
        1,
        "#f2b8b5",
        _("No measure is linked to the commitment: nobody has been given the job of following it up."),
    ),
    CommitmentStatus.NOT_STARTED: (
        2,
        "#d9dde3",
        _("Measures are linked, but none of them has been reported as started."),
    ),
    CommitmentStatus.IN_PROGRESS: (
        3,
        "#b5d3f2",
        _("At least one linked measure is under way or done, and none is delayed."),
    ),
    CommitmentStatus.DELAYED: (
        4,
        "#f7d38a",
        _("At least one linked measure is reported as delayed."),
    ),
    CommitmentStatus.FULFILLED: (
        5,
        "#b7e0be",
        _("Every linked measure that has not been cancelled is reported as done."),
    ),
    CommitmentStatus.CANCELLED: (
        6,
        "#c9c3d6",
        _("Every linked measure has been cancelled; nothing is being done about the commitment any more."),
    ),
    CommitmentStatus.STATEMENT: (
        7,
        "#eeeeee",
        _("The point states a view and asks for no action; it has no measure linked."),
    ),
}
