"""The forms people fill in: status reports, and the coordinator's edit forms for records and links."""

import hashlib
import logging
from datetime import date

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from bergen_rus.converters import parse_id
from bergen_rus.formats import number_text
from bergen_rus.versioning import VersionedModelForm
from decisions.models import Commitment, Decision, Platform, Source, Theme

from .models import (
    ActionPlan,
    Indicator,
    IndicatorValue,
    Location,
    Measure,
    MeasureDecision,
    Organisation,
    PeriodState,
    ReportingPeriod,
)
from .roles import Role
from .status import MeasureStatus

logger = logging.getLogger(__name__)

# Dates people may type: anything outside is a typing error, and the database and the reports stay sane.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
TEXT_LIMIT = 5000
SHORT_TEXT_LIMIT = 2000


def check_date_range(value):
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s."),
            params={"first": EARLIEST_DATE.strftime("%d.%m.%Y"), "last": LATEST_DATE.strftime("%d.%m.%Y")},
            code="date_out_of_range",
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat(), **(attrs or {})}, format="%Y-%m-%d"
        )


MAX_ID_DIGITS = 18  # a 64-bit database key has at most 19 digits; 18 are always safe


def bounded_ids(data, names):
    """A copy of form data where an id too long to be any record's key becomes 0 (so: «not a valid choice»).

    Without this, a number beyond 64 bits reaches the database driver, which fails with an overflow.
    """
    if data is None:
        return None
    data = data.copy()
    for name in names:
        if hasattr(data, "getlist"):
            values = data.getlist(name)
            if any(len(str(value).strip()) > MAX_ID_DIGITS for value in values):
                data.setlist(name, [value if len(str(value).strip()) <= MAX_ID_DIGITS else "0" for value in values])
        elif name in data and len(str(data[name]).strip()) > MAX_ID_DIGITS:
            data[name] = "0"
    return data


def add_errors(form, error):
    """Put a ValidationError from a service next to the fields it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DesignSystemMixin:
    """Give every widget Designsystemet's input class, and keep over-long ids away from the database."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            choice_names = [
                self.add_prefix(name)
                for name, field in self.fields.items()
                if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField)
            ]
            self.data = bounded_ids(self.data, choice_names)
        for field in self.fields.values():
            widget = field.widget
            # The browser would cut a long pasted text silently at the limit; the server says it and keeps it all.
            # The limit of a text box is shown before sending instead (and counted as one types, static/js/app.js).
            widget.attrs.pop("maxlength", None)
            limit = getattr(field, "max_length", None)
            if limit and isinstance(widget, forms.Textarea) and "data-limit" not in widget.attrs:
                widget.attrs["data-limit"] = str(limit)
                stated = _("At most %(limit)s characters.") % {"limit": number_text(limit)}
                field.help_text = f"{field.help_text} {stated}" if field.help_text else stated
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.HiddenInput):
                continue
            widget.attrs.setdefault("class", "ds-input")


class StatusChoiceWidget(forms.RadioSelect):
    template_name = "forms/status_radios.html"


class GroupedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes in groups, each group a fieldset with its name as legend (the commitments, by document)."""

    template_name = "forms/grouped_checkboxes.html"


def commitment_choices_by_document():
    """Every commitment as a choice, grouped under its decision or platform, in the documents' own order."""
    groups = {}
    commitments = Commitment.objects.select_related("decision", "platform").in_document_order()
    labels = {}
    for commitment in commitments:
        document = commitment.document
        key = (type(document).__name__, document.pk)  # two documents may share a title
        labels[key] = str(document)
        groups.setdefault(key, []).append((commitment.pk, str(commitment)))
    return [(labels[key], choices) for key, choices in groups.items()]


class OpenPeriodField(forms.ModelChoiceField):
    """A choice among the periods that take reports; a period that exists but is closed is named in the message."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            period = ReportingPeriod.objects.filter(pk=parse_id(str(value))).first()
            if period is None:
                raise
            if period.state == PeriodState.PLANNED:
                message = _("%(period)s is not open for reporting yet.") % {"period": period}
            else:
                message = _("%(period)s is closed for reporting.") % {"period": period}
            if self.queryset.exists():
                message += " " + _("The report can go to the open period.")
            raise ValidationError(message, code="not_open") from None


class StatusReportForm(DesignSystemMixin, forms.Form):
    """A caseworker's report on one measure. Saved through measures.services.record_status."""

    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices, widget=StatusChoiceWidget)
    period = OpenPeriodField(
        label=_("Reporting period"),
        queryset=ReportingPeriod.objects.none(),
        required=False,
        empty_label=_("No period (between periods)"),
        help_text=_("Only the open period takes reports; between periods a report has no period."),
    )
    happened = forms.CharField(
        label=_("What happened"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What has been done since the last report, in plain words."),
    )
    next_step = forms.CharField(
        label=_("Next step"), max_length=SHORT_TEXT_LIMIT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    expected_completion = forms.DateField(
        label=_("Expected completion"), required=False, widget=DateInput, validators=[check_date_range]
    )
    evidence_links = forms.CharField(
        label=_("Links to documentation"),
        required=False,
        max_length=SHORT_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One web address per line, at most five (a case in the archive, a report, a news item)."),
    )
    seen_latest = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        periods = ReportingPeriod.objects.accepting_reports().order_by("starts_on", "pk")
        self.fields["period"].queryset = periods
        self.open_periods = list(periods)
        if self.open_periods:
            # While a period is open, every report counts for it: there is no choice of «no period».
            self.fields["period"].empty_label = None
            self.fields["period"].help_text = _("The report counts for the open period.")
        if not self.is_bound:
            self.fields["period"].initial = self.open_periods[0].pk if self.open_periods else None
            self.fields["seen_latest"].initial = measure.latest_update_id or 0
        self.colleague_update = None

    def clean_period(self):
        """A report sent without a period while one is open goes to the open period."""
        period = self.cleaned_data.get("period")
        if period is None and self.open_periods:
            return self.open_periods[0]
        return period

    def show_colleague_report(self, update, error):
        """A colleague's report overtook this one (measures.services.ColleagueReported): show theirs first, keep the
        text, and let a second send go through when nobody else has reported meanwhile."""
        self.colleague_update = update
        self.data = self.data.copy()
        self.data["seen_latest"] = update.pk
        self.add_error(None, error)


class MeasureForm(DesignSystemMixin, VersionedModelForm):
    class Meta:
        model = Measure
        fields = [
            "title",
            "number",
            "plan",
            "parent",
            "description",
            "responsible_unit",
            "partners",
            "locations",
            "themes",
            "commitments",
            "deadline",
            "source",
            "source_note",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "deadline": DateInput,
            "themes": forms.CheckboxSelectMultiple,
            "partners": forms.CheckboxSelectMultiple,
            "locations": forms.CheckboxSelectMultiple,
            "commitments": GroupedCheckboxes,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].max_length = TEXT_LIMIT
        self.fields["deadline"].validators.append(check_date_range)
        self.fields["commitments"].queryset = Commitment.objects.select_related("decision", "platform")
        self.fields["commitments"].choices = commitment_choices_by_document()
        self.fields["parent"].queryset = (
            Measure.objects.exclude(pk=self.instance.pk) if self.instance.pk else (Measure.objects.all())
        )
        self.fields["plan"].queryset = ActionPlan.objects.all()
        self.fields["responsible_unit"].queryset = Organisation.objects.all()
        self.fields["partners"].queryset = Organisation.objects.all()
        self.fields["locations"].queryset = Location.objects.all()
        self.fields["themes"].queryset = Theme.objects.all()
        self.fields["source"].queryset = Source.objects.all()

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        ancestor = parent
        seen = set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.instance.pk and ancestor.pk == self.instance.pk:
                raise ValidationError(_("A measure cannot be part of itself or of one of its sub-measures."))
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
        return parent


class MeasureDecisionForm(DesignSystemMixin, forms.ModelForm):
    class Meta:
        model = MeasureDecision
        fields = ["decision", "role"]


class BaseMeasureDecisionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """A new link that is saved already (a colleague added it meanwhile, or the form was tampered with) is
        explained next to its row instead of failing on the database's unique constraint."""
        super().clean()
        if not self.instance.pk:
            return
        saved = set(MeasureDecision.objects.filter(measure=self.instance).values_list("decision_id", "role"))
        # A saved link ticked for removal in the same form may be added again (to correct a row).
        saved -= {(form.instance.decision_id, form.instance.role) for form in self.deleted_forms}
        for form in self.extra_forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not form.has_changed() or data.get("DELETE") or data.get("decision") is None:
                continue
            if (data["decision"].pk, data.get("role")) in saved:
                form.add_error("decision", _("This link is saved already; leave the row empty."))


MeasureDecisionFormSet = forms.inlineformset_factory(
    Measure,
    MeasureDecision,
    form=MeasureDecisionForm,
    formset=BaseMeasureDecisionFormSet,
    extra=1,
    can_delete=True,
    max_num=20,
    validate_max=True,
)


def decision_links(formset):
    """The whole set of (decision id, role) a measure's decision-link formset asks for: kept and new rows, not those
    ticked for removal (what measures.services.save_measure takes). The editing page and the back office use it."""
    wanted = set()
    for link in formset.forms:
        data = getattr(link, "cleaned_data", None) or {}
        if link in formset.deleted_forms or data.get("decision") is None:
            continue
        wanted.add((data["decision"].pk, data.get("role")))
    return wanted


class CommitmentForm(DesignSystemMixin, VersionedModelForm):
    class Meta:
        model = Commitment
        fields = [
            "decision",
            "platform",
            "number",
            "kind",
            "title",
            "summary",
            "requires_follow_up",
            "themes",
            "source",
            "source_note",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5}), "themes": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].max_length = TEXT_LIMIT
        self.fields["decision"].queryset = Decision.objects.all()
        self.fields["platform"].queryset = Platform.objects.all()

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("decision")) == bool(cleaned.get("platform")):
            raise ValidationError(_("A commitment belongs to exactly one decision or one platform: choose one."))
        document = cleaned.get("decision") or cleaned.get("platform")
        number = cleaned.get("number")
        if document is not None and number is not None:
            siblings = Commitment.objects.filter(number=number).exclude(pk=self.instance.pk)
            siblings = (
                siblings.filter(decision=document) if cleaned.get("decision") else siblings.filter(platform=document)
            )
            if siblings.exists():
                self.add_error(
                    "number",
                    _("%(document)s already has a point number %(number)s.") % {"document": document, "number": number},
                )
        return cleaned


class DecisionForm(DesignSystemMixin, VersionedModelForm):
    class Meta:
        model = Decision
        fields = ["title", "body", "case_number", "decided_on", "date_note", "summary", "themes", "source"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "decided_on": DateInput,
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].max_length = TEXT_LIMIT
        self.fields["decided_on"].validators.append(check_date_range)


class PeriodForm(DesignSystemMixin, VersionedModelForm):
    class Meta:
        model = ReportingPeriod
        fields = ["kind", "year", "starts_on", "ends_on", "report_deadline"]
        widgets = {"starts_on": DateInput, "ends_on": DateInput, "report_deadline": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["starts_on", "ends_on", "report_deadline"]:
            self.fields[name].validators.append(check_date_range)
        self.fields["year"].validators += [
            MinValueValidator(EARLIEST_DATE.year),
            MaxValueValidator(LATEST_DATE.year),
        ]

    def clean(self):
        if self.instance.pk and self.instance.is_frozen:
            raise ValidationError(
                _("%(period)s is closed or published: its dates can no longer be changed."),
                params={"period": self.instance},
                code="frozen",
            )
        cleaned = super().clean()
        starts, ends, deadline = cleaned.get("starts_on"), cleaned.get("ends_on"), cleaned.get("report_deadline")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The period must end after it starts."))
        if starts and deadline and deadline < starts:
            self.add_error("report_deadline", _("The reporting deadline cannot be before the period starts."))
        year, kind = cleaned.get("year"), cleaned.get("kind")
        for name, day in (("starts_on", starts), ("ends_on", ends)):
            if year and day and day.year != year:
                self.add_error(name, _("The date must be in %(year)s, the period's year.") % {"year": year})
        if year and kind:
            clash = ReportingPeriod.objects.filter(year=year, kind=kind).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("kind", _("There is already such a period in %(year)s.") % {"year": year})
        return cleaned


class CommentForm(DesignSystemMixin, forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Signed with your name and dated; visible to everyone who reads the record."),
    )


class IndicatorForm(DesignSystemMixin, VersionedModelForm):
    class Meta:
        model = Indicator
        fields = [
            "name",
            "description",
            "unit",
            "direction",
            "target_value",
            "target_note",
            "commitments",
            "themes",
            "source",
            "source_note",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "commitments": GroupedCheckboxes,
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitments"].queryset = Commitment.objects.select_related("decision", "platform")
        self.fields["commitments"].choices = commitment_choices_by_document()
        accept_norwegian_decimals(self.fields["target_value"])


def accept_norwegian_decimals(field):
    """Let a decimal field read «9,5» as well as «9.5», as the pages write numbers.

    A browser's number input would drop the comma in «9,5» and send 95: the field is a text input that asks phones
    for the decimal keyboard, and Django reads the number in the active language's format.
    """
    field.localize = True
    field.widget = forms.TextInput(attrs={"inputmode": "decimal", "class": "ds-input", "autocomplete": "off"})


class IndicatorValueForm(DesignSystemMixin, forms.ModelForm):
    """One year's value. Only a value with a stated source is accepted."""

    # The year whose saved value the coordinator has seen and chosen to replace (set when they are asked).
    replace = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = IndicatorValue
        fields = ["year", "value", "source", "source_note"]

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["year"].validators += [MinValueValidator(1900), MaxValueValidator(LATEST_DATE.year)]
        self.fields["source"].help_text = _("The document that states the number. A value without a source is refused.")
        accept_norwegian_decimals(self.fields["value"])
        self.existing = None

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        existing = IndicatorValue.objects.filter(indicator=self.indicator, year=year).select_related("source").first()
        if existing is not None and cleaned.get("replace") != year:
            # Somebody entered this year already: show it, and replace it only when asked again for the same year.
            self.existing = existing
            self.data = self.data.copy()
            self.data[self.add_prefix("replace")] = str(year)
            self.add_error(
                "year",
                _("%(year)s already has the value %(value)s (%(source)s). Save again to replace it.")
                % {"year": year, "value": number_text(existing.value), "source": existing.source},
            )
        return cleaned


# The account forms, in the same markup as every other form.
class LoginForm(DesignSystemMixin, auth_forms.AuthenticationForm):
    pass


class PasswordChangeForm(DesignSystemMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(DesignSystemMixin, auth_forms.PasswordResetForm):
    """Django's reset form, sending at most RESETS_PER_HOUR mails to one address in an hour.

    Asking again and again must not flood somebody's mailbox; the page answers the same either way, so it still
    tells nobody which addresses have an account.
    """

    RESETS_PER_HOUR = 3

    def save(self, *args, **kwargs):
        address = self.cleaned_data["email"].strip().lower()
        key = "bergen_rus:password-reset:" + hashlib.sha256(address.encode()).hexdigest()
        limits = caches["limits"]
        limits.add(key, 0, 60 * 60)  # the hour starts with the first request and does not move
        if limits.incr(key) > self.RESETS_PER_HOUR:
            logger.warning("Password reset mail not sent: %s asked for in the last hour already.", self.RESETS_PER_HOUR)
            return
        super().save(*args, **kwargs)


class SetPasswordForm(DesignSystemMixin, auth_forms.SetPasswordForm):
    pass


class RoleChoiceWidget(forms.RadioSelect):
    """The roles as radio buttons, each with what the role may do (measures.roles)."""

    template_name = "forms/role_radios.html"

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["description"] = Role(value).description if value in Role.values else ""
        return option


class PersonForm(DesignSystemMixin, forms.Form):
    """A person on the coordinator's people page: name, e-mail address, role and units.

    The form only checks what a person typed; measures.people checks the rules again (a caseworker has a unit, an
    address is nobody else's) and does the writing. On an existing person `seen_version` carries the version the
    form was opened at; after a refusal because somebody changed the person meanwhile, `show_conflict` fills
    `conflict` (shown by includes/conflict.html) and moves the form on to the current version, so saving again
    keeps this person's input knowingly.
    """

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The person logs in with it, and the e-mail to choose a password goes there."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=RoleChoiceWidget)
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A caseworker reports on the measures of these units and answers the comments on them."),
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, units, own_role=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        if own_role:
            # Nobody changes their own role (measures.people): the field shows it and the form keeps it.
            self.fields["role"].disabled = True
            self.fields["role"].help_text = _("You cannot change your own role; another coordinator can.")
        self.conflict = None

    def show_conflict(self, person, version, *, seen, saved_by, saved_at, current_role, current_units):
        """After PersonChangedMeanwhile: the saved person (`person`, with `current_role` and `current_units`) beside
        the coordinator's input (`conflict`), and the form carrying `version`. A field the coordinator left as it was
        when they opened the form (`seen`, from measures.people.person_at_version) takes the colleague's value, so
        saving again never undoes what the colleague changed there."""
        theirs = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "role": current_role.value if current_role else None,
            "units": list(current_units),
        }
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_version")] = version
        held = dict(self.cleaned_data)
        for name, value in theirs.items():
            if seen is None or self.fields[name].disabled or _person_value(held[name]) != _person_value(seen[name]):
                continue
            held[name] = value
            if name == "units":
                self.data.setlist(self.add_prefix(name), [str(unit.pk) for unit in value])
            else:
                self.data[self.add_prefix(name)] = value or ""
        self.conflict = PersonConflict(self, theirs, held, saved_by=saved_by, saved_at=saved_at)
        self.add_error(
            None,
            _(
                "Somebody else changed this person while you were editing. Your changes have not been saved. "
                "Their version and yours are shown below: save again to keep yours, or start over from theirs."
            ),
        )


def _person_value(value):
    """A person's field in a form that compares: units (objects or names) as sorted names."""
    if isinstance(value, list | tuple) or hasattr(value, "model"):
        return sorted(str(item) for item in value)
    return value or None


class PersonConflict:
    """The saved person next to the coordinator's input, for the fields that differ (see includes/conflict.html)."""

    def __init__(self, form, theirs, yours, *, saved_by, saved_at):
        self.saved_by = saved_by
        self.saved_at = saved_at
        self.saved_by_name = (saved_by.get_full_name() or saved_by.get_username()) if saved_by else ""
        self.rows = []
        for name in theirs:
            shown = [_person_text(name, theirs[name]), _person_text(name, yours[name])]
            if shown[0] != shown[1]:
                self.rows.append({"label": form.fields[name].label, "theirs": shown[0], "yours": shown[1]})


def _person_text(name, value):
    if name == "units":
        return ", ".join(_person_value(value)) or "–"
    if name == "role":
        return str(Role(value).label) if value in Role.values else "–"
    return value or "–"
