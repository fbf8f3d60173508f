"""Form helpers shared by every app that edits versioned records."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionedModelForm(forms.ModelForm):
    """A model form that refuses to save over a newer version of the record (optimistic locking).

    The version the user started from travels with the form as `seen_version`. On submit the row is locked
    (on PostgreSQL) and its current version compared; if somebody saved in between, the form is invalid, the
    user's input is kept, nothing is written, and `conflict` holds the colleague's saved version so the page can
    show both side by side. The form then carries the new version, so submitting it again saves the user's
    version over the colleague's knowingly. `bump_version()` must be called before saving.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            model = type(self.instance)
            current = model.objects.select_for_update().filter(pk=self.instance.pk).first()
            seen = cleaned.get("seen_version")
            if current is not None and seen != current.version:
                self.conflict = Conflict(self, current)
                self.data = self.data.copy()
                self.data[self.add_prefix("seen_version")] = current.version
                raise ValidationError(
                    _(
                        "Somebody else saved this record while you were editing it. Your changes have not been "
                        "saved. Their version and yours are shown below: save again to keep yours, or start over "
                        "from theirs."
                    ),
                    code="stale",
                )
        return cleaned

    def save(self, commit=True):
        """Save; an existing record writes only this form's fields and its version.

        Fields the form does not show (a status the status rules keep, the latest report) may have been written by
        somebody else since the form was opened; they are left as they are in the database.
        """
        if not commit or not self.instance.pk:
            return super().save(commit)
        instance = super().save(commit=False)
        save_own_fields(instance, self)
        self._save_m2m()
        return instance

    def bump_version(self):
        if self.instance.pk:
            self.instance.version = (self.cleaned_data.get("seen_version") or self.instance.version) + 1


def save_own_fields(instance, form):
    """Save an existing `instance` writing only the fields `form` edits, plus its version."""
    names = {
        field.name
        for field in instance._meta.concrete_fields
        if field.name in form.cleaned_data and not field.primary_key
    }
    if hasattr(instance, "version"):
        names.add("version")
    instance.save(update_fields=sorted(names))


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
    if hasattr(value, "model"):  # a queryset from a multiple choice
        return ", ".join(sorted(str(item) for item in value)) or "–"
    if isinstance(field, forms.TypedChoiceField | forms.ChoiceField) and not isinstance(value, models.Model):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
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
    return str(value)
