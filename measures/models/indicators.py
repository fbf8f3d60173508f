"""Indicators: numbers followed over time with their targets, one value per year with its source."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from decisions.models import Commitment, Source, SourceKind, Theme


class IndicatorDirection(models.TextChoices):
    LOWER = "lower", _("Lower is better")
    HIGHER = "higher", _("Higher is better")


class Indicator(models.Model):
    """A number followed over time, with a target and a source, linked to the commitments it measures."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=80, help_text=_("What is counted, e.g. «deaths per year»."))
    target_value = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True, blank=True)
    target_note = models.CharField(_("about the target"), max_length=300, blank=True)
    direction = models.CharField(
        _("direction"),
        max_length=10,
        choices=IndicatorDirection.choices,
        blank=True,
        help_text=_("Leave empty when no source says which way is better."),
    )
    commitments = models.ManyToManyField(
        Commitment, verbose_name=_("measures the commitments"), blank=True, related_name="indicators"
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="indicators")
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="indicators")
    source_note = models.CharField(_("where in the source"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[commitments, themes])

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        # In the order they were defined: the real records begin with the zero vision's overdose deaths.
        ordering = ["pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("indicator_detail", args=[self.pk])


class IndicatorValue(models.Model):
    """One year's value of an indicator, with the source that states it and who entered it."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    # A real number needs a real document: never a synthetic one (the pages, the back office and the forms obey).
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="indicator_values",
        limit_choices_to=~Q(kind=SourceKind.SYNTHETIC),
    )
    source_note = models.CharField(_("where in the source"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_values",
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator_id", "year"]
        constraints = [
            # One value per indicator and year (a correction replaces it, and the history keeps the old one).
            models.UniqueConstraint(fields=["indicator", "year"], name="indicatorvalue_one_per_year"),
            # Years people can mean.
            models.CheckConstraint(condition=Q(year__gte=1900) & Q(year__lte=2100), name="indicatorvalue_year"),
            # Every indicator counts something: a count is never negative.
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="indicatorvalue_not_negative",
                violation_error_message=_("A value is never negative."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.year}"
