"""The upload form of the spreadsheet import."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..forms import DesignSystemMixin
from .importing import MEASURES, STATUS

KIND_CHOICES = [
    (STATUS, _("Status updates (the status sheet of the measure list or of «My measures»)")),
    (MEASURES, _("Measures (the measure list as a spreadsheet)")),
]


class UploadForm(DesignSystemMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("File"),
        help_text=_("An .xlsx or CSV file exported from this site, with your changes."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [choice for choice in KIND_CHOICES if choice[0] in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.SPREADSHEET_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(limit)s MB can be imported. Split it into smaller files.")
                % {
                    "size": f"{upload.size / 1_000_000:.1f}",
                    "limit": f"{settings.SPREADSHEET_MAX_BYTES / 1_000_000:.0f}",
                }
            )
        return upload
