"""The coordinator's back office.

Besides the measures app's own models, this registers decisions, platforms and commitments: saving any of them can
change a commitment's rolled-up status, and every such save ends in measures.services.refresh_commitment_statuses.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from decisions.admin import HistoryAdmin, SafeInitialDataMixin, VersionedAdmin
from decisions.forms import VersionedModelForm, save_own_fields
from decisions.models import Commitment, Decision, Platform

from .models import (
    ActionPlan,
    Comment,
    Indicator,
    IndicatorValue,
    Location,
    Measure,
    MeasureDecision,
    Organisation,
    ReminderSent,
    ReportingPeriod,
    StatusUpdate,
)
from .permissions import can_report_on, reportable_measures
from .services import record_status, refresh_commitment_statuses


class CachedChoicesInlineMixin:
    """Render each foreign-key select in an inline with one query for all rows instead of one per row."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.choices = list(field.choices)
        return field


def save_children_with_parent_source(form, formset):
    """Save an inline's rows; a changed row gets its next version, a new row cites the parent record's source."""
    for child_form in formset.forms:
        if isinstance(child_form, VersionedModelForm) and child_form.instance.pk and child_form.has_changed():
            child_form.bump_version()
    forms_by_instance = {id(child_form.instance): child_form for child_form in formset.forms}
    for child in formset.save(commit=False):
        if not child.source_id:
            child.source = form.instance.source
        child_form = forms_by_instance.get(id(child))
        if child.pk and child_form is not None and child_form.instance.pk:
            save_own_fields(child, child_form)
        else:
            child.save()
    for child in formset.deleted_objects:
        child.delete()
    formset.save_m2m()


class PointInline(admin.TabularInline):
    """Points edited inside their decision or platform; a new point cites the document's source."""

    model = Commitment
    form = VersionedModelForm
    fields = ["number", "kind", "title", "requires_follow_up", "source_note", "status"]
    readonly_fields = ["status"]
    extra = 0
    show_change_link = True


class DecisionPointInline(PointInline):
    fk_name = "decision"
    verbose_name = _("decision point")
    verbose_name_plural = _("decision points")


class PledgeInline(PointInline):
    fk_name = "platform"
    verbose_name = _("pledge")
    verbose_name_plural = _("pledges")


class CommitmentDocumentAdmin(VersionedAdmin):
    """Decisions and platforms: their points are edited inline and rolled up again on save."""

    points_relation = None

    def save_formset(self, request, form, formset, change):
        save_children_with_parent_source(form, formset)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        points = getattr(form.instance, self.points_relation)
        refresh_commitment_statuses(points.values_list("pk", flat=True), user=request.user)


@admin.register(Decision)
class DecisionAdmin(CommitmentDocumentAdmin):
    list_display = ["title", "body", "decided_on", "date_note", "case_number", "point_count", "source"]
    list_filter = ["body", "themes"]
    list_select_related = ["source"]
    search_fields = ["title", "summary", "case_number", "points__title"]
    autocomplete_fields = ["source"]
    filter_horizontal = ["themes"]
    inlines = [DecisionPointInline]
    points_relation = "points"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(point_count=Count("points", distinct=True))

    @admin.display(description=_("points"), ordering="point_count")
    def point_count(self, obj):
        return obj.point_count


@admin.register(Platform)
class PlatformAdmin(CommitmentDocumentAdmin):
    list_display = ["title", "term_start_year", "term_end_year", "pledge_count", "source"]
    list_select_related = ["source"]
    search_fields = ["title", "summary", "pledges__title"]
    autocomplete_fields = ["source"]
    inlines = [PledgeInline]
    points_relation = "pledges"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pledge_count=Count("pledges", distinct=True))

    @admin.display(description=_("pledges"), ordering="pledge_count")
    def pledge_count(self, obj):
        return obj.pledge_count


class MeasureLinkInline(admin.TabularInline):
    """The measures that fulfil a commitment. Links are added on the measure's page; here they can be removed."""

    model = Measure.commitments.through
    verbose_name = _("measure that fulfils the commitment")
    verbose_name_plural = _("measures that fulfil the commitment (add more on the measure's page)")
    fields = ["measure"]
    readonly_fields = ["measure"]
    extra = 0
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("measure")


@admin.register(Commitment)
class CommitmentAdmin(VersionedAdmin):
    list_display = ["__str__", "document", "kind", "status", "requires_follow_up", "measure_count"]
    list_filter = ["status", "kind", "requires_follow_up", "themes", "decision", "platform"]
    list_select_related = ["decision", "platform"]
    search_fields = ["title", "summary", "source_note"]
    autocomplete_fields = ["decision", "platform", "source"]
    filter_horizontal = ["themes"]
    readonly_fields = ["status", "status_changed_at"]
    inlines = [MeasureLinkInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(measure_count=Count("measures", distinct=True))

    @admin.display(description=_("measures"), ordering="measure_count")
    def measure_count(self, obj):
        return obj.measure_count

    @admin.display(description=_("belongs to"))
    def document(self, obj):
        return obj.document

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_commitment_statuses([form.instance.pk], user=request.user)


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ["name", "short_name", "kind", "source"]
    list_filter = ["kind"]
    list_select_related = ["source"]
    search_fields = ["name", "short_name", "description"]
    autocomplete_fields = ["source"]


@admin.register(Location)
class LocationAdmin(HistoryAdmin):
    list_display = ["name", "other_names", "kind", "operator", "planned"]
    list_filter = ["kind", "planned"]
    list_select_related = ["operator"]
    search_fields = ["name", "other_names", "description"]
    autocomplete_fields = ["operator", "source"]


class PlanMeasureInline(admin.TabularInline):
    """A plan's measures; units, links and sources are edited on each measure's own page."""

    model = Measure
    form = VersionedModelForm
    fk_name = "plan"
    fields = ["number", "title", "deadline", "responsible_unit"]
    readonly_fields = ["responsible_unit"]
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("responsible_unit")


@admin.register(ActionPlan)
class ActionPlanAdmin(VersionedAdmin):
    list_display = ["title", "valid_from_year", "valid_to_year", "adopted_by", "measure_count"]
    list_select_related = ["adopted_by"]
    list_filter = ["themes"]
    search_fields = ["title", "short_title", "summary"]
    autocomplete_fields = ["adopted_by", "source"]
    filter_horizontal = ["themes"]
    inlines = [PlanMeasureInline]

    def save_formset(self, request, form, formset, change):
        save_children_with_parent_source(form, formset)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(measure_count=Count("measures", distinct=True))

    @admin.display(description=_("measures"), ordering="measure_count")
    def measure_count(self, obj):
        return obj.measure_count


class MeasureDecisionInline(CachedChoicesInlineMixin, admin.TabularInline):
    model = MeasureDecision
    extra = 0


class StatusHistoryInline(admin.TabularInline):
    """The measure's status history, newest first. Read-only: a correction is a new update."""

    model = StatusUpdate
    fields = ["recorded_at", "status", "period", "happened", "next_step", "reported_by"]
    readonly_fields = fields
    ordering = ["-recorded_at", "-id"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("status history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("period", "author", "source")

    @admin.display(description=_("reported by"))
    def reported_by(self, obj):
        return obj.author or obj.source


@admin.register(Measure)
class MeasureAdmin(VersionedAdmin):
    list_display = ["__str__", "plan", "responsible_unit", "current_status", "deadline"]
    list_filter = ["current_status", "plan", "responsible_unit", "themes", "locations", "source__kind"]
    list_select_related = ["plan", "responsible_unit", "latest_update"]
    search_fields = ["title", "description", "number"]
    autocomplete_fields = ["plan", "parent", "responsible_unit", "source", "commitments", "partners", "locations"]
    filter_horizontal = ["themes"]
    readonly_fields = ["current_status", "report_status"]
    inlines = [MeasureDecisionInline, StatusHistoryInline]

    @admin.display(description=_("status"), ordering="current_status")
    def current_status(self, obj):
        return obj.latest_update.get_status_display() if obj.latest_update_id else _("Not reported")

    @admin.display(description=_("new status"))
    def report_status(self, obj):
        if not obj.pk:
            return "–"
        url = reverse("admin:measures_statusupdate_add") + f"?measure={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Record a status update"))

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.commitments.values_list("pk", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.commitments.values_list("pk", flat=True))
        refresh_commitment_statuses(before | after, user=request.user)

    def delete_model(self, request, obj):
        linked = list(obj.commitments.values_list("pk", flat=True))
        super().delete_model(request, obj)
        refresh_commitment_statuses(linked, user=request.user)

    def delete_queryset(self, request, queryset):
        linked = list(
            Measure.commitments.through.objects.filter(measure__in=queryset).values_list("commitment_id", flat=True)
        )
        super().delete_queryset(request, queryset)
        refresh_commitment_statuses(linked, user=request.user)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(VersionedAdmin):
    """Periods change state only through the period pages (open, close, publish); a frozen period is read-only."""

    list_display = ["__str__", "kind", "year", "starts_on", "ends_on", "report_deadline", "state"]
    list_filter = ["kind", "year", "state"]
    ordering = ["-starts_on"]
    readonly_fields = ["state", "opened_at", "closed_at", "published_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return ["kind", "year", "starts_on", "ends_on", "report_deadline", *self.readonly_fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_frozen)


class StatusUpdateForm(forms.ModelForm):
    class Meta:
        model = StatusUpdate
        fields = [
            "measure",
            "period",
            "status",
            "happened",
            "next_step",
            "expected_completion",
            "evidence_links",
            "as_of",
            "source",
            "source_note",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "period" in self.fields:  # (the read-only page of an update has no fields)
            self.fields["period"].queryset = ReportingPeriod.objects.accepting_reports()
        if user is not None and "measure" in self.fields:
            self.fields["measure"].queryset = reportable_measures(user)

    def clean(self):
        cleaned = super().clean()
        measure = cleaned.get("measure")
        if measure is not None and self.user is not None and not can_report_on(self.user, measure):
            self.add_error("measure", _("You may only report on the measures your units are responsible for."))
        return cleaned


@admin.register(StatusUpdate)
class StatusUpdateAdmin(SafeInitialDataMixin, admin.ModelAdmin):
    """Status updates can be added and read, never changed or deleted: the history is append-only."""

    form = StatusUpdateForm
    list_display = ["measure", "status", "period", "author", "source", "recorded_at"]
    list_filter = ["status", "period"]
    list_select_related = ["measure", "period", "author", "source"]
    search_fields = ["measure__title", "happened", "next_step"]
    autocomplete_fields = ["measure", "source"]
    date_hierarchy = "recorded_at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class StatusUpdateFormForUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return StatusUpdateFormForUser

    def save_model(self, request, obj, form, change):
        # The form has checked the person's right to report on the measure and that the period is open.
        created = record_status(author=request.user, **form.cleaned_data)
        obj.pk = created.pk
        obj.recorded_at = created.recorded_at


@admin.register(Comment)
class CommentAdmin(HistoryAdmin):
    list_display = ["author", "created_at", "measure", "commitment", "period", "reply_to"]
    list_select_related = ["author", "measure", "commitment", "period", "reply_to__author"]
    search_fields = ["body", "author__username", "author__last_name"]
    raw_id_fields = ["measure", "commitment", "reply_to"]


class IndicatorValueInline(CachedChoicesInlineMixin, admin.TabularInline):
    model = IndicatorValue
    fields = ["year", "value", "source", "source_note", "entered_by"]
    readonly_fields = ["entered_by"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entered_by", "indicator")


@admin.register(Indicator)
class IndicatorAdmin(VersionedAdmin):
    list_display = ["name", "unit", "target_value", "direction", "source"]
    list_select_related = ["source"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["source", "commitments"]
    filter_horizontal = ["themes"]
    inlines = [IndicatorValueInline]

    def save_formset(self, request, form, formset, change):
        for value in formset.save(commit=False):
            value.entered_by = value.entered_by or request.user
            value.save()
        for value in formset.deleted_objects:
            value.delete()


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    """Read-only: the record that keeps reminders from being sent twice."""

    list_display = ["kind", "period", "user", "sent_at", "measure_count"]
    list_filter = ["kind", "period"]
    list_select_related = ["period", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
