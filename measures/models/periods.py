"""Reporting periods: the tertials and the year that caseworkers report status into."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PeriodKind(models.TextChoices):
    FIRST_TERTIAL = "t1", _("1st tertial")
    SECOND_TERTIAL = "t2", _("2nd tertial")
    YEAR = "year", _("Annual report")


class PeriodState(models.TextChoices):
    """A reporting period's life cycle: planned → open → closed → published (frozen)."""

    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for reporting")
    CLOSED = "closed", _("Closed for reporting")
    PUBLISHED = "published", _("Published")


class ReportingPeriodQuerySet(models.QuerySet):
    def accepting_reports(self):
        """The periods a new status update may go to: only the open one (never planned, closed or published)."""
        return self.filter(state=PeriodState.OPEN)

    def current(self):
        """The period a new report goes to: the open one, or None between periods."""
        return self.filter(state=PeriodState.OPEN).first()


class ReportingPeriod(models.Model):
    """A period caseworkers report status into: the first tertial (Jan–Apr), the second (May–Aug), the year.

    Its state moves forward only, through measures.services (open_period, close_period, publish_period). A published
    period is frozen: no update is added to it any more.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    report_deadline = models.DateField(_("reporting deadline"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=PeriodState.choices, default=PeriodState.PLANNED)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ReportingPeriodQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-starts_on", "kind"]
        constraints = [
            # A period ends after it starts.
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="period_ends_after_start"),
            # One period of each kind per year.
            models.UniqueConstraint(fields=["year", "kind"], name="period_unique_kind_per_year"),
            # At most one period is open at a time, so "the open period" is always well defined.
            models.UniqueConstraint(fields=["state"], condition=Q(state="open"), name="period_at_most_one_open"),
            # The reporting deadline is not before the period starts.
            models.CheckConstraint(
                condition=Q(report_deadline__isnull=True) | Q(report_deadline__gte=F("starts_on")),
                name="period_deadline_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}"

    def get_absolute_url(self):
        return reverse("period_list")

    @property
    def accepts_reports(self):
        return self.state == PeriodState.OPEN

    @property
    def is_frozen(self):
        """Closed or published: its dates and its reports no longer change."""
        return self.state in (PeriodState.CLOSED, PeriodState.PUBLISHED)
