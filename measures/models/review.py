"""The advisory council's side: comments and answers, and when a member last looked at the review."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from decisions.models import Commitment

from .periods import ReportingPeriod
from .tracking import Measure, public_name


class Comment(models.Model):
    """A signed, dated comment on a measure, a commitment or a period's report, or an answer to one.

    Fagråd members comment; a coordinator or a caseworker responsible for the record answers (an answer is a comment
    with `reply_to`). Comments are never edited or deleted through the application; the history keeps every change
    made in the back office.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="comments"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    reply_to = models.ForeignKey(
        "self", verbose_name=_("answer to"), on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            # A comment is about exactly one record: a measure, a commitment or a period's report.
            models.CheckConstraint(
                condition=(Q(measure__isnull=False) & Q(commitment__isnull=True) & Q(period__isnull=True))
                | (Q(measure__isnull=True) & Q(commitment__isnull=False) & Q(period__isnull=True))
                | (Q(measure__isnull=True) & Q(commitment__isnull=True) & Q(period__isnull=False)),
                name="comment_on_exactly_one_record",
            ),
        ]
        indexes = [
            # The fagråd's overview lists comments newer than a member's last visit.
            models.Index(fields=["-created_at"], name="comment_recent_idx"),
        ]

    def __str__(self):
        return f"{self.author} ({date_format(timezone.localtime(self.created_at), 'SHORT_DATETIME_FORMAT')})"

    @property
    def target(self):
        return self.measure or self.commitment or self.period

    @property
    def author_name(self):
        return public_name(self.author)


class ReviewVisit(models.Model):
    """When a person last looked at the advisory council's overview, and since when things count as new for them.

    A visit is a sitting: opening the overview again within measures.review.SITTING_GAP of the last look keeps the
    same «new since» (so what was new stays listed while the person reads it); after a longer pause the last look
    becomes the new «since».
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="review_visit"
    )
    seen_at = models.DateTimeField(_("last visit"))
    since = models.DateTimeField(_("new since"), null=True)
    sittings = models.PositiveIntegerField(_("visits"), default=1)

    class Meta:
        verbose_name = _("last visit to the review")
        verbose_name_plural = _("last visits to the review")

    def __str__(self):
        return f"{self.user}: {self.seen_at:%Y-%m-%d %H:%M}"
