"""The filters of the public lists (django-filter): commitments, decisions, measures and action plans.

Every list filters by the same things — status, theme, source document, responsible unit, partner, location,
reporting period, late or not, free text — and every filter is a GET parameter, so a filter state is a URL to share.
Filters that concern measures reach them from the listed record through `linked_measures`, as one EXISTS subquery,
so no filter multiplies rows or needs DISTINCT.
"""

import functools

import django_filters
import django_filters.constants
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from bergen_rus.converters import parse_id
from decisions.models import Body, Commitment, CommitmentKind, Decision, Platform, Theme
from decisions.status import CommitmentStatus

from .forms import bounded_ids
from .models import ActionPlan, Location, Measure, Organisation, ReportingPeriod
from .search import text_filter
from .status import NOT_REPORTED, status_choices

# django-filter labels a descending sort with this text but ships no Norwegian translation; marked here so our
# catalogue carries it (Django looks the text up in every catalogue).
gettext_noop("%s (descending)")


def _descending(label):
    return gettext("%s (descending)") % label


descending_label = lazy(_descending, str)
LATE_CHOICES = [("yes", _("Late")), ("no", _("Not late"))]


def document_choices():
    """Choices for «source document»: grouped decisions, platforms and action plans (three small queries)."""
    return [
        (_("Decisions"), [(f"decision-{pk}", title) for pk, title in Decision.objects.values_list("pk", "title")]),
        (_("Platforms"), [(f"platform-{pk}", title) for pk, title in Platform.objects.values_list("pk", "title")]),
        (
            _("Action plans"),
            [(f"plan-{pk}", title) for pk, title in ActionPlan.objects.values_list("pk", "title")],
        ),
    ]


def measure_status_condition(values):
    """A Q selecting measures whose current status is one of `values` (NOT_REPORTED: never reported on)."""
    condition = Q(current_status__in=[value for value in values if value != NOT_REPORTED.value])
    if NOT_REPORTED.value in values:
        condition |= Q(current_status__isnull=True)
    return condition


def parse_document(value):
    """'decision-3' -> ('decision', 3); anything malformed -> (None, None)."""
    kind, _sep, pk = (value or "").partition("-")
    pk = parse_id(pk)
    if kind in {"decision", "platform", "plan"} and pk is not None:
        return kind, pk
    return None, None


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorting that always ends with the primary key, so pages never repeat or skip a row, and whose «descending»
    labels follow the reader's language (django-filter writes them once, in the language active at start-up)."""

    def build_choices(self, fields, labels):
        choices = super().build_choices(fields, labels)
        ascending = dict(choices[::2])
        return [
            (value, descending_label(ascending[value[1:]]) if value.startswith("-") and value not in labels else label)
            for value, label in choices
        ]

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        return qs.order_by(*[self.get_ordering_value(param) for param in value], "pk")


class TrackingFilterSet(django_filters.FilterSet):
    """Filters every list shares. Subclasses say how the listed record reaches its measures."""

    q = django_filters.CharFilter(
        label=_("Text"),
        method="filter_text",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    theme = django_filters.ModelMultipleChoiceFilter(
        label=_("Theme"),
        queryset=Theme.objects.all(),
        method="filter_theme",
        widget=forms.CheckboxSelectMultiple,
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Responsible unit"),
        queryset=Organisation.objects.filter(Exists(Measure.objects.filter(responsible_unit=OuterRef("pk")))),
        method="filter_unit",
        empty_label=_("All"),
    )
    partner = django_filters.ModelChoiceFilter(
        label=_("Partner"),
        queryset=Organisation.objects.filter(
            Exists(Measure.partners.through.objects.filter(organisation=OuterRef("pk")))
        ),
        method="filter_partner",
        empty_label=_("All"),
    )
    location = django_filters.ModelChoiceFilter(
        label=_("Location"), queryset=Location.objects.all(), method="filter_location", empty_label=_("All")
    )
    period = django_filters.ModelChoiceFilter(
        label=_("Reported in period"),
        queryset=ReportingPeriod.objects.all(),
        method="filter_period",
        empty_label=_("All"),
    )
    late = django_filters.ChoiceFilter(
        label=_("Deadline"), choices=LATE_CHOICES, method="filter_late", empty_label=_("All")
    )

    def __init__(self, data=None, *args, **kwargs):
        model_choices = [
            name
            for name, declared in self.base_filters.items()
            if isinstance(declared, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter)
        ]
        super().__init__(bounded_ids(data, model_choices), *args, **kwargs)
        for name, field in self.form.fields.items():
            field.widget.attrs.setdefault("class", "ds-input")
            if name == "document":
                # Read the choices once, and only when they are needed: validation, the select and the active-filter
                # labels all read them, and a list whose form and results come from the fragment cache reads none.
                field.choices = functools.cache(document_choices)

    def linked_measures(self):
        """Measures linked to the listed record, correlated to OuterRef('pk'); subclasses define it."""
        raise NotImplementedError

    def _with_measures(self, queryset, condition=None, *, negate=False, measures=None):
        measures = self.linked_measures() if measures is None else measures
        if condition is not None:
            measures = measures.filter(condition)
        exists = Exists(measures)
        return queryset.filter(~exists if negate else exists)

    def filter_text(self, queryset, name, value):
        return text_filter(queryset, value)

    def filter_theme(self, queryset, name, value):
        if not value:
            return queryset
        through = queryset.model.themes.through
        owner = f"{queryset.model._meta.model_name}_id"
        return queryset.filter(pk__in=through.objects.filter(theme__in=value).values(owner))

    def filter_unit(self, queryset, name, value):
        return self._with_measures(queryset, Q(responsible_unit=value))

    def filter_partner(self, queryset, name, value):
        return self._with_measures(queryset, Q(partners=value))

    def filter_location(self, queryset, name, value):
        return self._with_measures(queryset, Q(locations=value))

    def filter_period(self, queryset, name, value):
        return self._with_measures(queryset, Q(updates__period=value))

    def filter_late(self, queryset, name, value):
        late = self.linked_measures().late()
        return self._with_measures(queryset, measures=late, negate=value == "no")


class CommitmentFilter(TrackingFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=CommitmentStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CommitmentKind.choices, empty_label=_("All"))
    document = django_filters.ChoiceFilter(
        label=_("Source document"), choices=document_choices, method="filter_document", empty_label=_("All")
    )
    sort = StableOrderingFilter(
        label=_("Sort by"),
        fields=[("number", "number"), ("title", "title"), ("status", "status")],
        field_labels={"number": _("Number"), "title": _("Title"), "status": _("Status")},
        empty_label=_("Document and number"),
    )

    class Meta:
        model = Commitment
        fields = ["q", "status", "kind", "theme", "document", "unit", "partner", "location", "period", "late"]

    def linked_measures(self):
        return Measure.objects.filter(commitments=OuterRef("pk"))

    def filter_document(self, queryset, name, value):
        kind, pk = parse_document(value)
        if kind == "decision":
            return queryset.filter(decision_id=pk)
        if kind == "platform":
            return queryset.filter(platform_id=pk)
        if kind == "plan":
            return self._with_measures(queryset, Q(plan_id=pk))
        return queryset


class MeasureFilter(TrackingFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=status_choices(),
        method="filter_status",
        widget=forms.CheckboxSelectMultiple,
    )
    document = django_filters.ChoiceFilter(
        label=_("Source document"), choices=document_choices, method="filter_document", empty_label=_("All")
    )
    sort = StableOrderingFilter(
        label=_("Sort by"),
        fields=[("title", "title"), ("deadline", "deadline"), ("current_status", "status")],
        field_labels={"title": _("Title"), "deadline": _("Deadline"), "current_status": _("Status")},
        empty_label=_("Plan and number"),
    )

    class Meta:
        model = Measure
        fields = ["q", "status", "theme", "document", "unit", "partner", "location", "period", "late"]

    def linked_measures(self):
        return Measure.objects.filter(pk=OuterRef("pk"))

    def filter_status(self, queryset, name, value):
        return queryset.filter(measure_status_condition(value)) if value else queryset

    def filter_unit(self, queryset, name, value):
        return queryset.filter(responsible_unit=value)

    def filter_late(self, queryset, name, value):
        late = queryset.model.objects.late().values("pk")
        return queryset.exclude(pk__in=late) if value == "no" else queryset.filter(pk__in=late)

    def filter_document(self, queryset, name, value):
        kind, pk = parse_document(value)
        if kind == "plan":
            return queryset.filter(plan_id=pk)
        if kind == "decision":
            return queryset.filter(
                Q(pk__in=Measure.decisions.through.objects.filter(decision_id=pk).values("measure_id"))
                | Q(pk__in=Measure.commitments.through.objects.filter(commitment__decision_id=pk).values("measure_id"))
            )
        if kind == "platform":
            return queryset.filter(
                pk__in=Measure.commitments.through.objects.filter(commitment__platform_id=pk).values("measure_id")
            )
        return queryset


class DecisionFilter(TrackingFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Has points with status"),
        choices=CommitmentStatus.choices,
        method="filter_status",
        widget=forms.CheckboxSelectMultiple,
    )
    body = django_filters.ChoiceFilter(label=_("Decided by"), choices=Body.choices, empty_label=_("All"))
    sort = StableOrderingFilter(
        label=_("Sort by"),
        fields=[("decided_on", "date"), ("title", "title")],
        field_labels={"decided_on": _("Date"), "title": _("Title")},
        empty_label=_("Newest first"),
    )

    class Meta:
        model = Decision
        fields = ["q", "status", "body", "theme", "unit", "partner", "location", "period", "late"]

    def linked_measures(self):
        return Measure.objects.filter(
            Q(
                pk__in=Measure.commitments.through.objects.filter(commitment__decision=OuterRef(OuterRef("pk"))).values(
                    "measure_id"
                )
            )
            | Q(pk__in=Measure.decisions.through.objects.filter(decision=OuterRef(OuterRef("pk"))).values("measure_id"))
        )

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(Commitment.objects.filter(decision=OuterRef("pk"), status__in=value)))


class ActionPlanFilter(TrackingFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Has measures with status"),
        choices=status_choices(),
        method="filter_status",
        widget=forms.CheckboxSelectMultiple,
    )
    sort = StableOrderingFilter(
        label=_("Sort by"),
        fields=[("valid_from_year", "year"), ("title", "title")],
        field_labels={"valid_from_year": _("First year"), "title": _("Title")},
        empty_label=_("Newest first"),
    )

    class Meta:
        model = ActionPlan
        fields = ["q", "status", "theme", "unit", "partner", "location", "period", "late"]

    def linked_measures(self):
        return Measure.objects.filter(plan=OuterRef("pk"))

    def filter_status(self, queryset, name, value):
        return self._with_measures(queryset, measure_status_condition(value)) if value else queryset


def _choice_labels(field):
    labels = {}
    for value, label in getattr(field, "choices", []):
        if isinstance(label, list | tuple):
            labels.update({str(key): str(text) for key, text in label})
        else:
            labels[str(value)] = str(label)
    return labels


def active_filters(filterset, params):
    """The filters in use, one entry per value, each with the query string that removes just that value.

    `params` is the request's GET QueryDict. Sorting and the page number are not filters; removing a filter goes
    back to the first page. A value the form refuses is not in use, so it has no entry.
    """
    if not filterset.is_bound:
        return []
    form = filterset.form
    form.is_valid()
    chips = []
    for name, field in form.fields.items():
        if name in {"sort", "page"} or name in form.errors:
            continue  # not filters, or a value the list cannot use (explained next to the field, not applied)
        values = [value for value in params.getlist(name) if value.strip()]
        if not values:
            continue
        cleaned = form.cleaned_data.get(name)
        objects = {}
        if hasattr(cleaned, "model"):  # a queryset from a multiple-choice model field
            objects = {str(obj.pk): str(obj) for obj in cleaned}
        elif hasattr(cleaned, "pk"):
            objects = {str(cleaned.pk): str(cleaned)}
        labels = {} if objects else _choice_labels(field)
        for value in values:
            remaining = params.copy()
            remaining.setlist(name, [other for other in values if other != value])
            remaining.pop("page", None)
            chips.append(
                {
                    "name": name,
                    "field": field.label,
                    "value": objects.get(value) or labels.get(value) or value,
                    "remove_query": remaining.urlencode(),
                }
            )
    return chips
