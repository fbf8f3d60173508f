"""Optimistic locking of the records that keep a `version`: the form that carries the version a person started from,
the refusal a service raises when somebody saved in between, and the side-by-side view of both versions.

The check itself is made by the services (measures.services), on the locked row, when they save; a form only
carries the version and, after a refusal, shows the conflict.
"""

import datetime

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_m2m_reverse_field_name

STALE_MESSAGE = _(
    "Somebody else saved this record while you were editing it. Your changes have not been saved. Their version and "
    "yours are shown below: save again to keep yours, or start over from theirs."
)


class StaleVersion(Exception):
    """A save based on an older version of a record; `current` is the record as saved now (locked)."""

    def __init__(self, current):
        super().__init__(f"{type(current).__name__} {current.pk} is at version {current.version}")
        self.current = current


class VersionedModelForm(forms.ModelForm):
    """A model form for a record with a `version`, which it carries as `seen_version`.

    The form validates; a service saves (`changes()` is what to write, `seen_version` what to check against). When
    the service refuses a stale save, `show_conflict(current)` keeps the person's input, puts the colleague's saved
    version beside it and carries the new version, so submitting again saves the person's version over the
    colleague's knowingly — and fields the person did not touch take the colleague's values, so keeping one's own
    version never undoes what the colleague changed elsewhere.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    @property
    def expected_version(self):
        """The version the person started from (None for a new record)."""
        if not self.instance.pk:
            return None
        seen = self.cleaned_data.get("seen_version")
        return seen if seen is not None else self.instance.version

    def stale_record(self):
        """The record as saved now when somebody saved it after the version this form carries, else None.

        An early notice read without a lock (so the page can show the conflict before anything else about the
        input); the service's check on the locked row is the one that counts.
        """
        if not self.instance.pk or self.expected_version is None:
            return None
        current = type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
        return current if current is not None and current.version != self.expected_version else None

    def changes(self):
        """{model field name: cleaned value} for every model field this form edits (many-to-many ones by members)."""
        names = {
            field.name
            for field in self.instance._meta.get_fields()
            if getattr(field, "concrete", False) and not field.primary_key
        }
        return {name: value for name, value in self.cleaned_data.items() if name in names and name != "version"}

    def show_conflict(self, current):
        """After a refused save: the colleague's version `current` beside the person's input (`conflict`), the form
        carrying `current`'s version, and the fields the person left as they found them set to `current`'s values."""
        seen = _record_at_version(current, self.cleaned_data.get("seen_version"))
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_version")] = current.version
        if seen is not None:
            for name in self.changes():
                if _comparable(seen, name) == _comparable_cleaned(self.cleaned_data[name]):
                    value = _comparable(current, name)
                    key = self.add_prefix(name)
                    if isinstance(value, list):
                        self.data.setlist(key, [str(item) for item in value])
                    else:
                        self.data[key] = "" if value is None else str(value)
        self.conflict = Conflict(self, current)
        self.add_error(None, forms.ValidationError(STALE_MESSAGE, code="stale"))


class RefuseStaleForm(VersionedModelForm):
    """For the back office, whose save cannot show a conflict: a stale form is invalid with the conflict message."""

    def clean(self):
        cleaned = super().clean()
        if self.stale_record() is not None:
            raise forms.ValidationError(STALE_MESSAGE, code="stale")
        return cleaned


def _record_at_version(current, version):
    """The history entry of `current` at `version` (what the person saw), or None when it is not kept."""
    if version is None:
        return None
    return current.history.filter(version=version).order_by("-history_date", "-history_id").first()


def _comparable(record, name):
    """A field's value on a record or on a history entry of it, in a form that compares with a cleaned value: a
    key for a relation, the sorted keys of the members of a many-to-many field."""
    model = getattr(record, "instance_type", type(record))
    field = model._meta.get_field(name)
    if field.many_to_many:
        column = f"{get_m2m_reverse_field_name(field)}_id" if hasattr(record, "history_id") else "pk"
        return sorted(getattr(record, name).values_list(column, flat=True))
    return getattr(record, field.attname)


def _comparable_cleaned(value):
    if hasattr(value, "model") and hasattr(value, "values_list"):  # a queryset from a multiple choice
        return sorted(value.values_list("pk", flat=True))
    if isinstance(value, models.Model):
        return value.pk
    return value


class Conflict:
    """A colleague's saved version of a record next to the user's input, field by field where they differ."""

    def __init__(self, form, current):
        self.current = current
        latest = current.history.select_related("history_user").order_by("-history_date").first()
        self.saved_by = latest.history_user if latest else None
        self.saved_at = latest.history_date if latest else None
        self.saved_by_name = (self.saved_by.get_full_name() or self.saved_by.get_username()) if self.saved_by else ""
        self.rows = []
        model_fields = {f.name for f in current._meta.get_fields()}
        for name, field in form.fields.items():
            # Only the record's own fields: not the version, nor a formset's DELETE or ORDER.
            if name not in model_fields or name not in form.cleaned_data:
                continue
            theirs = _value_for_display(current, name)
            yours = _display_cleaned(form.cleaned_data[name], field)
            if theirs != yours:
                self.rows.append({"label": field.label, "theirs": theirs, "yours": yours})


def _display_cleaned(value, field):
    if value in (None, ""):
        return "–"
    if isinstance(value, datetime.date):
        return _date_text(value)
    if hasattr(value, "model"):  # a queryset from a multiple choice
        return ", ".join(sorted(str(item) for item in value)) or "–"
    if isinstance(field, forms.TypedChoiceField | forms.ChoiceField) and not isinstance(value, models.Model):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.date):
        return _date_text(value)
    return str(value)


def _value_for_display(instance, name):
    model_field = instance._meta.get_field(name)
    if model_field.many_to_many:
        return ", ".join(sorted(str(item) for item in getattr(instance, name).all())) or "–"
    value = getattr(instance, name)
    if value in (None, ""):
        return "–"
    if model_field.choices:
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.date):
        return _date_text(value)
    return str(value)


def _date_text(value):
    """A date (or a time) in the Norwegian way the rest of the pages write it."""
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return date_format(value, "DATE_FORMAT")
