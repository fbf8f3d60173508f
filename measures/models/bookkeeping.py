"""Bookkeeping: the data's version stamp and the reminders that have been sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .periods import ReportingPeriod


class ChangeStamp(models.Model):
    """One row that changes whenever any record changes: the key under which pages and reports are cached.

    Written only by measures.caching.touch (from the save/delete signals of every project model and from the bulk
    writers that bypass signals); read by measures.caching.data_version.
    """

    counter = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("change stamp")
        constraints = [
            # A single row: its primary key is always 1.
            models.CheckConstraint(condition=Q(pk=1), name="changestamp_single_row"),
        ]

    def __str__(self):
        return f"{self.counter} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class ReminderKind(models.TextChoices):
    PERIOD_OPENED = "opened", _("The period is open")
    DEADLINE_NEAR = "deadline", _("A week to the deadline")
    PUBLISHED = "published", _("The progress report is published")


class ReminderSent(models.Model):
    """That one reminder went to one person for one period: a reminder is never sent twice."""

    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="reminders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="reminders"
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    measure_count = models.PositiveIntegerField(_("measures listed"), default=0)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            # measures.reminders relies on this: the same reminder can never be recorded (and so sent) twice.
            models.UniqueConstraint(fields=["kind", "period", "user"], name="reminder_once_per_person"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.period} – {self.user}"
