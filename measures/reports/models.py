"""The record of a report being made in the background (see jobs.py)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("being made")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class ReportJob(models.Model):
    """One report (one cache key: the report, its filters, variant, language, day, the data's version and the code's
    release) being made, made or failed. Everybody who asks for the same report while it is being made waits for this
    one job; the file itself is in the reports cache under `key`.

    Written only by measures.reports.jobs. Bookkeeping, not data: no history, and no change of the data version.
    """

    key = models.CharField(max_length=100, unique=True)  # the cache key; unique: one job per report (jobs.start)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    spec = models.JSONField()  # what to render (jobs.Report.as_json)
    path = models.CharField(max_length=2000)  # the address the report is downloaded from (in the e-mail)
    filename = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=JobState, default=JobState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    run = models.CharField(max_length=32, blank=True)  # the current attempt; its heartbeat renews lease_until
    lease_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    notify = models.JSONField(default=list, blank=True)  # e-mail addresses of logged-in people waiting for it
    size = models.PositiveIntegerField(null=True, blank=True)  # bytes of the finished file
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report job")
        indexes = [
            # jobs.claim counts the running jobs; jobs.requeue_stale finds those whose lease ran out.
            models.Index(fields=["state", "lease_until"], name="reportjob_state_lease_idx"),
            # jobs.expire finds the finished jobs past their time.
            models.Index(fields=["state", "finished_at"], name="reportjob_state_finished_idx"),
        ]

    def __str__(self):
        return f"{self.filename} ({self.get_state_display()})"
