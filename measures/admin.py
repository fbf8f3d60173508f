"""The coordinator's back office.

Every model of both apps is registered here, and every save, inline row and delete goes through measures.services
(the one write path), as the pages' do: the version is checked on the locked row, the history gets one entry per
save in the person's name, and the commitments' rolled-up statuses are kept true by the services alone.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bergen_rus.admin import HistoryAdmin, SafeInitialDataMixin
from bergen_rus.versioning import STALE_MESSAGE, RefuseStaleForm, StaleVersion, VersionedModelForm
from decisions.models import Commitment, Decision, Platform, Source, Theme

from .forms import decision_links
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
from .services import (
    delete_record,
    record_status,
    save_indicator_value,
    save_measure,
    save_record,
)


class CachedChoicesInlineMixin:
    """Render each foreign-key select in an inline with one query for all rows instead of one per row."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.choices = list(field.choices)
        return field


def form_fields(form):
    """{model field name: cleaned value} for the model fields `form` edits (many-to-many ones by their members)."""
    if isinstance(form, VersionedModelForm):
        return form.changes()
    names = {
        field.name
        for field in form.instance._meta.get_fields()
        if getattr(field, "concrete", False) and not field.primary_key
    }
    return {name: value for name, value in form.cleaned_data.items() if name in names}


def expected_version(form):
    return form.expected_version if isinstance(form, VersionedModelForm) else None


class ServiceAdmin(HistoryAdmin):
    """Saves and deletes through measures.services. A save based on an older version than the saved one is refused
    with a message (the form's check catches it before the save; the service's check on the locked row catches a
    colleague who saved in the moment between)."""

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if hasattr(model, "version") and self.form is forms.ModelForm:
            self.form = RefuseStaleForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersion:
            self.message_user(request, STALE_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        saved = self.save_through_service(request, obj, form)
        obj.pk = saved.pk
        if hasattr(saved, "version"):
            obj.version = saved.version

    def save_through_service(self, request, obj, form):
        return save_record(
            user=request.user, record=obj, fields=form_fields(form), expected_version=expected_version(form)
        )

    def save_related(self, request, form, formsets, change):
        # The many-to-many fields were saved with the record (save_model); only the inlines are left. (The admin's
        # own log message reads what a formset's save() would have listed; the audit history has the details.)
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        """Each changed row through save_record (a new row cites the parent record's source), each removed row
        through delete_record."""
        parent = form.instance
        for child_form in formset.forms:
            child = child_form.instance
            if child_form in formset.deleted_forms:
                if child.pk:
                    delete_record(user=request.user, record=child)
                continue
            if not child_form.has_changed():
                continue
            fields = form_fields(child_form)
            if not child.pk:
                fields[formset.fk.name] = parent
                if hasattr(child, "source_id") and not fields.get("source") and getattr(parent, "source_id", None):
                    fields["source"] = parent.source
            save_record(user=request.user, record=child, fields=fields, expected_version=expected_version(child_form))

    def delete_model(self, request, obj):
        delete_record(user=request.user, record=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_record(user=request.user, record=obj)


class PointInline(admin.TabularInline):
    """Points edited inside their decision or platform; a new point cites the document's source."""

    model = Commitment
    form = RefuseStaleForm
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


class CommitmentDocumentAdmin(ServiceAdmin):
    """Decisions and platforms: their points are edited inline (each point saved through the services)."""

    points_relation = None


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
class CommitmentAdmin(ServiceAdmin):
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

    def save_formset(self, request, form, formset, change):
        """A measure link ticked for removal is taken off the measure (its other links stay)."""
        commitment = form.instance
        for child_form in formset.deleted_forms:
            measure = child_form.instance.measure
            remaining = set(measure.commitments.values_list("pk", flat=True)) - {commitment.pk}
            save_record(user=request.user, record=measure, fields={"commitments": remaining})


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    list_display = ["name", "short_name", "kind", "source"]
    list_filter = ["kind"]
    list_select_related = ["source"]
    search_fields = ["name", "short_name", "description"]
    autocomplete_fields = ["source"]


@admin.register(Location)
class LocationAdmin(ServiceAdmin):
    list_display = ["name", "other_names", "kind", "operator", "planned"]
    list_filter = ["kind", "planned"]
    list_select_related = ["operator"]
    search_fields = ["name", "other_names", "description"]
    autocomplete_fields = ["operator", "source"]


class PlanMeasureInline(admin.TabularInline):
    """A plan's measures; units, links and sources are edited on each measure's own page."""

    model = Measure
    form = RefuseStaleForm
    fk_name = "plan"
    fields = ["number", "title", "deadline", "responsible_unit"]
    readonly_fields = ["responsible_unit"]
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("responsible_unit")


@admin.register(ActionPlan)
class ActionPlanAdmin(ServiceAdmin):
    list_display = ["title", "valid_from_year", "valid_to_year", "adopted_by", "measure_count"]
    list_select_related = ["adopted_by"]
    list_filter = ["themes"]
    search_fields = ["title", "short_title", "summary"]
    autocomplete_fields = ["adopted_by", "source"]
    filter_horizontal = ["themes"]
    inlines = [PlanMeasureInline]

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
class MeasureAdmin(ServiceAdmin):
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

    def save_formset(self, request, form, formset, change):
        """The decision links as one set through save_measure; the status history inline is read-only."""
        if formset.model is not MeasureDecision:
            return
        save_measure(user=request.user, measure=form.instance, fields={}, decision_links=decision_links(formset))


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ServiceAdmin):
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
        created = record_status(user=request.user, **form.cleaned_data)
        obj.pk = created.pk
        obj.recorded_at = created.recorded_at


@admin.register(Comment)
class CommentAdmin(ServiceAdmin):
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
class IndicatorAdmin(ServiceAdmin):
    list_display = ["name", "unit", "target_value", "direction", "source"]
    list_select_related = ["source"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["source", "commitments"]
    filter_horizontal = ["themes"]
    inlines = [IndicatorValueInline]

    def save_formset(self, request, form, formset, change):
        for value_form in formset.forms:
            value = value_form.instance
            if value_form in formset.deleted_forms:
                if value.pk:
                    delete_record(user=request.user, record=value)
            elif value_form.has_changed():
                data = value_form.cleaned_data
                save_indicator_value(
                    user=request.user,
                    indicator=form.instance,
                    year=data["year"],
                    value=data["value"],
                    source=data["source"],
                    source_note=data.get("source_note", ""),
                )


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


@admin.register(Source)
class SourceAdmin(ServiceAdmin):
    list_display = ["title", "kind", "publisher", "date_note", "case_number", "file_name"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "case_number", "file_name", "summary"]


@admin.register(Theme)
class ThemeAdmin(ServiceAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
