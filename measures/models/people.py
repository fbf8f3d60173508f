"""People: what was changed about a person on the coordinators' people page or by `create_user` (measures.people)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class PersonChangeKind(models.TextChoices):
    CREATED = "created", _("created")
    CHANGED = "changed", _("changed")
    DEACTIVATED = "deactivated", _("deactivated")
    REACTIVATED = "reactivated", _("reactivated")
    MAIL_SENT = "mail_sent", _("set-password e-mail sent")


class PersonChange(models.Model):
    """One change a coordinator made to a person on the people page: who, when, and each field's old → new value.

    Written only by measures.people, in the same transaction as the change; never changed or deleted, so each row is
    its own audit record (like StatusUpdate). `changes` is a list of {"field", "old", "new"}, with the values as
    they read at the time (unit names, the role's code). The number of a person's rows is the version the people
    page's optimistic locking compares. Saving one moves the data version on (caching.touch), so the public pages
    that sign reports and comments with a person's name show the new name.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="person_changes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=PersonChangeKind.choices)
    changes = models.JSONField(_("changes"), default=list, blank=True)

    class Meta:
        verbose_name = _("change of a person")
        verbose_name_plural = _("changes of people")
        indexes = [
            # measures.people reads a person's changes newest first (the trail) and counts them (the version).
            models.Index(fields=["person", "-at", "-id"], name="personchange_person_idx"),
        ]

    def __str__(self):
        when = date_format(timezone.localtime(self.at), "SHORT_DATETIME_FORMAT")
        return f"{self.person} – {self.get_kind_display()} – {when}"
