"""Bookkeeping: the data's version stamp, the reminders that have been sent, the spreadsheets waiting to be imported."""

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


class UploadState(models.TextChoices):
    """Where an uploaded spreadsheet is: its check and its import run as background jobs
    (measures.spreadsheets.jobs), and the import page follows them."""

    CHECKING = "checking", _("being checked")
    READY = "ready", _("checked")
    IMPORTING = "importing", _("being imported")
    IMPORTED = "imported", _("imported")
    FAILED = "failed", _("failed")

    @classmethod
    def waiting(cls):
        """The states in which a job is queued or running."""
        return (cls.CHECKING, cls.IMPORTING)


class SpreadsheetUpload(models.Model):
    """A spreadsheet a person uploaded to import, kept between its preview and the confirmation.

    The confirmation imports exactly the bytes that were previewed, and only their uploader can confirm them
    (measures.views.spreadsheets looks an upload up by its random token and its owner). `preview` holds the
    outcome shown (measures.spreadsheets.importing.Preview.as_dict); `applied_at` is set when it was imported.
    `state`, `run`, `attempts`, `started_at` and `error` are written by measures.spreadsheets.jobs alone: the state
    of the check or import, the attempt running it (empty while it waits in the queue), how many attempts were
    started, when the running one started, and why it failed (the English text, shown in the reader's language).
    """

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE, related_name="uploads"
    )
    kind = models.CharField(_("kind"), max_length=20)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    preview = models.JSONField(_("preview"), default=dict)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    applied_at = models.DateTimeField(_("imported"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=UploadState.choices, default=UploadState.CHECKING)
    # The uploader's language: the preview's messages are written in it, as the page would have written them.
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    run = models.CharField(_("attempt"), max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("uploaded spreadsheet")
        verbose_name_plural = _("uploaded spreadsheets")
        indexes = [
            # measures.spreadsheets.jobs.requeue_stale looks for the jobs whose worker died among the running ones.
            models.Index(
                fields=["started_at"],
                name="upload_running_idx",
                condition=Q(state__in=["checking", "importing"]),
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.user})"
