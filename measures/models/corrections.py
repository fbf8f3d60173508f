"""Corrections of the records taken from the sources: what changed, when, by whom and why («Rettelser»)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.models import Commitment, Decision, Platform, Source, Theme

from .indicators import Indicator
from .tracking import ActionPlan, Location, Measure, Organisation


class Correction(models.Model):
    """One correction made to a record taken from the sources: what changed, when, by whom and why.

    Written only by measures.corrections.apply_corrections (load_real_records --update), listed on «Rettelser».
    The record is named in `record_label` as it was called when corrected, so the entry stays readable if the record
    is later removed; the links below point at the record's page (and at the other end of a corrected link).
    It lives in measures because it points at records of both apps, and measures may import decisions.
    """

    key = models.CharField(_("correction"), max_length=80, help_text=_("The entry in fixtures/corrections/."))
    record_label = models.CharField(_("record"), max_length=400)
    what = models.TextField(_("what was changed"))
    reason = models.TextField(_("why"))
    # What was changed, as a reader sees it: [{"field": …, "before": …, "after": …}, …].
    changes = models.JSONField(_("changes"), default=list)
    made_at = models.DateTimeField(_("corrected"), default=timezone.now, editable=False)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    source = models.ForeignKey(Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    platform = models.ForeignKey(Platform, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="corrections"
    )
    measure = models.ForeignKey(Measure, on_delete=models.SET_NULL, null=True, blank=True, related_name="corrections")
    plan = models.ForeignKey(ActionPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="corrections")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="corrections"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    # Pages that have one, in the order a correction's link prefers them.
    LINKED = (
        "measure",
        "commitment",
        "location",
        "organisation",
        "decision",
        "platform",
        "plan",
        "source",
        "indicator",
    )

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-made_at", "-id"]
        indexes = [
            # «Rettelser» lists the corrections newest first.
            models.Index(fields=["-made_at", "-id"], name="correction_recent_idx"),
            # load_real_records --update skips the entries whose key it finds here (applied once per site; a changed
            # link writes one row per commitment, so the key is not unique).
            models.Index(fields=["key"], name="correction_key_idx"),
        ]

    def __str__(self):
        return f"{self.record_label}: {self.what}"

    @property
    def record(self):
        """The corrected record whose page the entry links to (selected with it), or None."""
        for name in self.LINKED:
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, name)
        return None
