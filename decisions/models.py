"""What was decided or promised: sources, themes, decisions, platforms and their commitments."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bergen_rus.querysets import count_of

from .status import OPEN_COMMITMENT_STATUSES, CommitmentStatus


class SourceKind(models.TextChoices):
    PLATFORM = "platform", _("Political platform")
    DECISION_NOTICE = "decision_notice", _("Notice of a decision")
    ARTICLE = "article", _("Article")
    REPORT = "report", _("Report or plan")
    OTHER = "other", _("Other document")
    SYNTHETIC = "synthetic", _("Synthetic demo data")


class Source(models.Model):
    """A public document that records are taken from; every record cites one."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    date_note = models.CharField(
        _("about the date"),
        max_length=200,
        blank=True,
        help_text=_("What the document says about its date when no exact date is given."),
    )
    case_number = models.CharField(_("case number"), max_length=50, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file_name = models.CharField(_("file in the source archive"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("source_detail", args=[self.pk])


class Theme(models.Model):
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Body(models.TextChoices):
    COUNCIL = "council", _("City council (bystyret)")
    COMMITTEE = "committee", _("Council committee")
    EXECUTIVE = "executive", _("City government (byrådet)")


class DecisionQuerySet(models.QuerySet):
    def with_point_counts(self):
        """Annotated with point_count, open_count (points not followed up or delayed) and fulfilled_count."""
        return self.annotate(
            point_count=count_of(Commitment.objects, "decision"),
            open_count=count_of(Commitment.objects.filter(status__in=OPEN_COMMITMENT_STATUSES), "decision"),
            fulfilled_count=count_of(Commitment.objects.filter(status=CommitmentStatus.FULFILLED), "decision"),
        )


class Decision(models.Model):
    """A decision adopted in a case by a body on a date; its points are commitments."""

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body = models.CharField(_("decided by"), max_length=20, choices=Body.choices)
    case_number = models.CharField(_("case number"), max_length=50, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    date_note = models.CharField(
        _("about the date"),
        max_length=200,
        blank=True,
        help_text=_("What the source says about the date when no full date is given."),
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="decisions")
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="decisions")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = DecisionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_on", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("decision_detail", args=[self.pk])


class PlatformQuerySet(models.QuerySet):
    def with_pledge_count(self):
        """Annotated with pledge_count: how many pledges each platform makes."""
        return self.annotate(pledge_count=count_of(Commitment.objects, "platform"))


class Platform(models.Model):
    """The city government's platform for its term: the promises it made."""

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    term_start_year = models.PositiveSmallIntegerField(_("term starts (year)"), null=True, blank=True)
    term_end_year = models.PositiveSmallIntegerField(_("term ends (year)"), null=True, blank=True)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="platforms")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = PlatformQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["title"]
        constraints = [
            # A term cannot end before it starts (the admin form and fixtures rely on the database saying so).
            models.CheckConstraint(
                condition=Q(term_start_year__isnull=True)
                | Q(term_end_year__isnull=True)
                | Q(term_end_year__gte=models.F("term_start_year")),
                name="platform_term_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("platform_detail", args=[self.pk])


class CommitmentKind(models.TextChoices):
    PLEDGE = "pledge", _("Platform pledge")
    RECOMMENDATION = "recommendation", _("Point of the recommendation")
    ADDITION = "addition", _("Additional proposal")
    AMENDMENT = "amendment", _("Amendment to a measure")
    REMARK = "remark", _("Remark")


# Decisions' points first, then platforms' pledges, each document's in its own numbering. NULLS FIRST is said out
# loud: SQLite and PostgreSQL would otherwise put the points of decisions at opposite ends.
DOCUMENT_ORDER = (
    models.F("platform_id").asc(nulls_first=True),
    models.F("decision_id").asc(nulls_first=True),
    "number",
    "pk",
)


class CommitmentQuerySet(models.QuerySet):
    def in_document_order(self):
        return self.order_by(*DOCUMENT_ORDER)

    def not_followed_up(self):
        return self.filter(status=CommitmentStatus.NOT_FOLLOWED_UP)

    def status_counts(self):
        """{CommitmentStatus value: number of commitments} in one query; a status no commitment has is left out.

        The ordering is cleared first: the columns of an ordering would otherwise enter the GROUP BY and split the
        counts (each commitment counted in a group of its own).
        """
        return dict(self.order_by().values_list("status").annotate(n=models.Count("pk")))

    def with_measure_count(self):
        """Annotated with measure_count: how many measures follow each commitment up."""
        return self.annotate(measure_count=count_of(Commitment.measures.through.objects, "commitment"))


class Commitment(models.Model):
    """Something the executive owes: a point of a decision or a pledge of a platform (exactly one of them)."""

    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="points",
    )
    platform = models.ForeignKey(
        Platform,
        verbose_name=_("platform"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pledges",
    )
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("Position within the decision or platform."))
    kind = models.CharField(_("kind"), max_length=20, choices=CommitmentKind.choices)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    requires_follow_up = models.BooleanField(
        _("requires follow-up"),
        default=True,
        help_text=_("Off for points that only state a view and ask the executive for nothing."),
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="commitments")
    # Rolled up from the linked measures by measures.services.refresh_commitment_statuses, and written nowhere else.
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.NOT_FOLLOWED_UP,
        editable=False,
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True, editable=False)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="commitments")
    source_note = models.CharField(
        _("where in the source"), max_length=200, blank=True, help_text=_("Section, paragraph or point.")
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = CommitmentQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = DOCUMENT_ORDER
        constraints = [
            # A commitment belongs to exactly one source document: a decision or a platform, never both or neither.
            models.CheckConstraint(
                condition=(Q(decision__isnull=False) & Q(platform__isnull=True))
                | (Q(decision__isnull=True) & Q(platform__isnull=False)),
                name="commitment_in_exactly_one_document",
            ),
            # Numbering is unique within its document (the detail pages and reports list points by number).
            models.UniqueConstraint(
                fields=["decision", "number"],
                condition=Q(decision__isnull=False),
                name="commitment_number_unique_in_decision",
            ),
            models.UniqueConstraint(
                fields=["platform", "number"],
                condition=Q(platform__isnull=False),
                name="commitment_number_unique_in_platform",
            ),
        ]
        indexes = [
            # The dashboard and the list filters count and select commitments by status.
            models.Index(fields=["status"], name="commitment_status_idx"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("commitment_detail", args=[self.pk])

    @property
    def document(self):
        return self.decision if self.decision_id else self.platform
