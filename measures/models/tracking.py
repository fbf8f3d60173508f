"""What the administration does: organisations, places, action plans, measures and their status history."""

from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bergen_rus.querysets import count_of
from decisions.models import Commitment, Decision, Source, Theme

from ..status import MeasureStatus, is_late, late_q
from .periods import ReportingPeriod

MAX_LINKS = 5


def public_name(user):
    """The name a person is shown by on public pages: never the user name, which is half of a login."""
    return user.get_full_name() or str(_("(name not given)"))


def validate_links(value):
    """Each non-empty line is a web address (http or https); at most MAX_LINKS of them."""
    lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
    if len(lines) > MAX_LINKS:
        raise ValidationError(_("Give at most %(max)d links."), params={"max": MAX_LINKS}, code="too_many")
    check = URLValidator(schemes=["http", "https"])
    for line in lines:
        try:
            check(line)
        except ValidationError:
            raise ValidationError(
                _("«%(line)s» is not a web address (it must start with https:// or http://)."),
                params={"line": line[:80]},
                code="invalid_link",
            ) from None


class OrganisationKind(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal unit")
    HEALTH_TRUST = "health_trust", _("Specialist health service")
    POLICE = "police", _("Police")
    STATE = "state", _("State agency")
    NGO = "ngo", _("Non-profit organisation")
    USER_ORG = "user_org", _("User organisation")
    OTHER = "other", _("Other")


class OrganisationQuerySet(models.QuerySet):
    def with_measure_counts(self):
        """Annotated with responsible_count and partner_count: the measures a unit is responsible for, takes part in."""
        return self.annotate(
            responsible_count=count_of(Measure.objects, "responsible_unit"),
            partner_count=count_of(Measure.partners.through.objects, "organisation"),
        )


class Organisation(models.Model):
    """A unit responsible for measures, or a partner taking part in them."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("web site"), blank=True)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="organisations")
    # The caseworkers who report on this unit's measures (measures.permissions reads it).
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="units"
    )

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisation_detail", args=[self.pk])


class LocationKind(models.TextChoices):
    MO_CENTRE = "mo_centre", _("Reception and follow-up centre (MO)")
    HEALTH_SERVICE = "health_service", _("Health service")
    USER_RUN = "user_run", _("User-run place")
    SHELTER = "shelter", _("Shelter or housing")
    AREA = "area", _("Area or neighbourhood")
    OTHER = "other", _("Other place")


class LocationQuerySet(models.QuerySet):
    def with_measure_count(self):
        """Annotated with measure_count: how many measures happen at each place."""
        return self.annotate(measure_count=count_of(Measure.locations.through.objects, "location"))


class Location(models.Model):
    """A place where measures happen: the MO-centres, a user-run house, an area of the city."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    other_names = models.CharField(
        _("other names"), max_length=300, blank=True, help_text=_("Earlier or informal names, comma separated.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LocationKind.choices)
    description = models.TextField(_("description"), blank=True)
    operator = models.ForeignKey(
        Organisation,
        verbose_name=_("run by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="locations",
    )
    planned = models.BooleanField(
        _("planned"), default=False, help_text=_("The place is decided or promised but not established.")
    )
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="locations")

    objects = LocationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("location_detail", args=[self.pk])


class ActionPlanQuerySet(models.QuerySet):
    def with_measure_counts(self):
        """Annotated with measure_count, done_count and delayed_count: the plan's measures, all and by status."""
        return self.annotate(
            measure_count=count_of(Measure.objects, "plan"),
            done_count=count_of(Measure.objects.filter(current_status=MeasureStatus.DONE), "plan"),
            delayed_count=count_of(Measure.objects.filter(current_status=MeasureStatus.DELAYED), "plan"),
        )


class ActionPlan(models.Model):
    """An adopted plan with numbered measures, such as the action plan against open drug scenes."""

    title = models.CharField(_("title"), max_length=300)
    short_title = models.CharField(_("short title"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    valid_from_year = models.PositiveSmallIntegerField(_("valid from (year)"), null=True, blank=True)
    valid_to_year = models.PositiveSmallIntegerField(_("valid to (year)"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        Decision,
        verbose_name=_("adopted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_plans",
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="action_plans")
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="action_plans")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ActionPlanQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-valid_from_year", "title"]
        constraints = [
            # A plan's period cannot end before it starts.
            models.CheckConstraint(
                condition=Q(valid_from_year__isnull=True)
                | Q(valid_to_year__isnull=True)
                | Q(valid_to_year__gte=F("valid_from_year")),
                name="actionplan_valid_to_after_from",
            ),
        ]

    def __str__(self):
        return self.short_title or self.title

    def get_absolute_url(self):
        return reverse("plan_detail", args=[self.pk])


class MeasureQuerySet(models.QuerySet):
    def in_plan_order(self):
        """By plan, then by number as people read it (2 before 10), then by title."""
        return self.order_by("plan_id", Length("number"), "number", "title", "pk")

    def late(self, today=None):
        """Late on `today` (default: today): past their deadline and not in a final status (measures.status.late_q)."""
        return self.filter(late_q(today or timezone.localdate()))

    def late_count(self, today=None):
        """How many of these measures are late on `today` (default: today). One query."""
        return self.late(today).count()

    def status_counts(self):
        """{MeasureStatus value, or None for «not reported»: number of measures} in one query; a status no measure
        has is left out.

        The ordering is cleared first: the columns of an ordering (in_plan_order's, say) would otherwise enter the
        GROUP BY and split the counts, so that a chart would count far fewer measures than its table lists.
        """
        return dict(self.order_by().values_list("current_status").annotate(n=Count("pk")))

    def status_counts_per(self, field):
        """{value of `field`: status_counts of the measures with that value} in one query (e.g. per plan)."""
        counts = defaultdict(dict)
        for key, status, n in self.order_by().values_list(field, "current_status").annotate(n=Count("pk")):
            counts[key][status] = n
        return counts


class Measure(models.Model):
    """Something the administration does; it may belong to a plan and have sub-measures.

    Its status is the status of its latest StatusUpdate. `latest_update` points at that update so lists can
    filter by status; it is written only by measures.services.
    """

    plan = models.ForeignKey(
        ActionPlan,
        verbose_name=_("action plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of measure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_measures",
    )
    number = models.CharField(_("number"), max_length=20, blank=True, help_text=_("The number in the plan, if any."))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    responsible_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_for",
    )
    partners = models.ManyToManyField(Organisation, verbose_name=_("partners"), blank=True, related_name="partner_in")
    locations = models.ManyToManyField(Location, verbose_name=_("locations"), blank=True, related_name="measures")
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="measures")
    commitments = models.ManyToManyField(
        Commitment,
        verbose_name=_("fulfils commitments"),
        blank=True,
        related_name="measures",
    )
    decisions = models.ManyToManyField(
        Decision,
        verbose_name=_("decisions"),
        through="MeasureDecision",
        blank=True,
        related_name="measures",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="measures")
    source_note = models.CharField(_("where in the source"), max_length=200, blank=True)
    latest_update = models.ForeignKey(
        "StatusUpdate",
        verbose_name=_("latest update"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The status of latest_update, kept beside it so lists and counts filter and group without a join over every
    # update; NULL means nobody has reported. Written only by measures.services, together with latest_update.
    current_status = models.CharField(  # noqa: DJ001 (NULL is «not reported», distinct from any status)
        _("status"), max_length=20, choices=MeasureStatus.choices, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = MeasureQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[partners, locations, themes, commitments])

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["plan_id", "number", "title"]
        constraints = [
            # No two measures share a number within one plan (plans and reports list measures by number).
            models.UniqueConstraint(
                fields=["plan", "number"],
                condition=Q(plan__isnull=False) & ~Q(number=""),
                name="measure_number_unique_in_plan",
            ),
            # A measure cannot be its own sub-measure.
            models.CheckConstraint(condition=~Q(parent=F("id")), name="measure_not_own_parent"),
            # The stored status is a known one (or none: not reported).
            models.CheckConstraint(
                condition=Q(current_status__isnull=True) | Q(current_status__in=MeasureStatus.values),
                name="measure_known_status",
            ),
        ]
        indexes = [
            # The late list and the dashboard select measures by deadline.
            models.Index(fields=["deadline"], name="measure_deadline_idx"),
            # Status filters and the counts per status on the dashboard and the plan pages.
            models.Index(fields=["current_status"], name="measure_status_idx"),
            # Lists in plan order (MeasureQuerySet.in_plan_order), paginated deep into 10,000 measures.
            models.Index("plan", Length("number"), "number", "title", "id", name="measure_plan_order_idx"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}" if self.number else self.title

    def get_absolute_url(self):
        return reverse("measure_detail", args=[self.pk])

    @property
    def status(self):
        """The MeasureStatus of the latest update, or None when nobody has reported yet."""
        return MeasureStatus(self.current_status) if self.current_status else None

    @property
    def is_late(self):
        """Late today (measures.status.is_late: the same rule as MeasureQuerySet.late)."""
        return is_late(deadline=self.deadline, status=self.current_status, today=timezone.localdate())


class DecisionRole(models.TextChoices):
    CREATED = "created", _("Created the measure")
    AMENDED = "amended", _("Amended the measure")
    ADOPTED_PLAN = "adopted_plan", _("Adopted the plan the measure belongs to")


class MeasureDecision(models.Model):
    """How a decision touched a measure: it created it, amended it or adopted its plan."""

    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.CASCADE)
    decision = models.ForeignKey(Decision, verbose_name=_("decision"), on_delete=models.CASCADE)
    role = models.CharField(_("role"), max_length=20, choices=DecisionRole.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision about a measure")
        verbose_name_plural = _("decisions about measures")
        constraints = [
            # One row per measure, decision and role.
            models.UniqueConstraint(fields=["measure", "decision", "role"], name="measuredecision_unique"),
        ]

    def __str__(self):
        return f"{self.decision} – {self.get_role_display()}"


class StatusUpdate(models.Model):
    """One report on a measure: append-only; a correction is a new update.

    Written only by measures.services.record_status (and in bulk by the fixtures loader and the demo-data
    generator). Either a person (author) or a public document (source) stands behind every update.
    """

    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="updates")
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
    )
    status = models.CharField(_("status"), max_length=20, choices=MeasureStatus.choices)
    happened = models.TextField(_("what happened"))
    next_step = models.TextField(_("next step"), blank=True)
    expected_completion = models.DateField(_("expected completion"), null=True, blank=True)
    evidence_links = models.TextField(
        _("links to documentation"),
        blank=True,
        validators=[validate_links],
        help_text=_("One web address per line, at most five."),
    )
    as_of = models.DateField(
        _("status as of"), null=True, blank=True, help_text=_("The date the status describes, when known.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_updates",
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_updates",
    )
    source_note = models.CharField(_("where in the source"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    # No HistoricalRecords here: an update is never changed or deleted, so the row itself, with its author and
    # recorded_at, is the audit record. A second copy in a history table would only double the writes.

    class Meta:
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["-recorded_at", "-id"]
        get_latest_by = ["recorded_at", "id"]
        constraints = [
            # Every update is attributable: to the person who reported it or to the document that states it.
            models.CheckConstraint(
                condition=Q(author__isnull=False) | Q(source__isnull=False),
                name="statusupdate_has_author_or_source",
            ),
            # Only known status values enter the history.
            models.CheckConstraint(condition=Q(status__in=MeasureStatus.values), name="statusupdate_known_status"),
        ]
        indexes = [
            # The timeline of one measure and the search for its latest update read updates newest first.
            models.Index(fields=["measure", "-recorded_at", "-id"], name="statusupdate_timeline_idx"),
            # The dashboard's "recently changed" list reads the newest updates of all measures.
            models.Index(fields=["-recorded_at", "-id"], name="statusupdate_recent_idx"),
        ]

    def __str__(self):
        day = self.applies_on
        when = date_format(day, "SHORT_DATE_FORMAT") if day else _("undated")
        return f"{self.get_status_display()} ({when})"

    @property
    def applies_on(self):
        """The day the status describes, or None when nobody knows it.

        A person's report describes the day it was made. A status that a public document states describes the
        document's time: its `as_of` when given, else the document's date; the moment it was loaded into the
        database is no date of the status, so without either it is undated (None). Reads `source` for such a
        status: select it with the update.
        """
        if self.author_id is not None:
            return timezone.localdate(self.recorded_at)
        if self.as_of is not None:
            return self.as_of
        return self.source.published_on if self.source_id else None

    @property
    def reporter_name(self):
        """Who stands behind the update: the person's name, or the source document."""
        if self.author_id:
            return public_name(self.author)
        return str(self.source) if self.source_id else ""

    @property
    def links(self):
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]
