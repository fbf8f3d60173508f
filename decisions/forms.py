"""Form helpers shared by every app that edits versioned records."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class VersionedModelForm(forms.ModelForm):
    """A model form that refuses to save over a newer version of the record (optimistic locking).

    The version the user started from travels with the form as `seen_version`. On submit the row is locked
    (on PostgreSQL) and its current version compared; if somebody saved in between, the form is invalid, the
    user's input is kept, and nothing is written. `bump_version()` must be called before saving.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = (
                type(self.instance)
                .objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            seen = cleaned.get("seen_version")
            if current is not None and seen != current:
                raise ValidationError(
                    _(
                        "Somebody else saved this record while you were editing it. Your changes have not been "
                        "saved. Open the record again to see their version, then make your changes once more."
                    ),
                    code="stale",
                )
        return cleaned

    def bump_version(self):
        if self.instance.pk:
            self.instance.version = (self.cleaned_data.get("seen_version") or self.instance.version) + 1
