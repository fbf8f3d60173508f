"""How each public record is written in the API: its stable id, its fields, and links to related records as URLs.

Left out on purpose: who entered or changed anything (user names, e-mail addresses, the audit trail), the members
of a unit, comments, and the version counters. A status update is signed as on the pages (the person's display
name, or the document that states the status).
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from decisions.models import Body, Commitment, CommitmentKind, Decision, Platform, Source, SourceKind, Theme
from decisions.status import CommitmentStatus

from ..models import (
    ActionPlan,
    DecisionRole,
    Indicator,
    IndicatorDirection,
    IndicatorValue,
    Location,
    LocationKind,
    Measure,
    Organisation,
    OrganisationKind,
    PeriodKind,
    PeriodState,
    ReportingPeriod,
    StatusUpdate,
)
from ..periods import period_key
from ..status import MeasureStatus
from .fields import NOT_REPORTED_VALUE, LabelledChoiceField, OptionalUrlField, PageUrlField


def link(view_name, **kwargs):
    return serializers.HyperlinkedRelatedField(view_name=f"api:{view_name}-detail", read_only=True, **kwargs)


class RecordSerializer(serializers.HyperlinkedModelSerializer):
    """id, url (this record in the API) and page (its page on the site) first."""

    id = serializers.IntegerField(read_only=True, help_text="The record's stable identifier.")
    page = PageUrlField(help_text="The record's page on the site.")


class SourceSerializer(RecordSerializer):
    # Declared: the model's own «url» field (the document's link) would otherwise take the name.
    url = serializers.HyperlinkedIdentityField(view_name="api:source-detail")
    kind = LabelledChoiceField(SourceKind)
    link = OptionalUrlField(source="url", help_text="The document on the web; null when it is not there.")

    class Meta:
        model = Source
        fields = [
            "id",
            "url",
            "page",
            "key",
            "title",
            "kind",
            "publisher",
            "published_on",
            "date_note",
            "case_number",
            "link",
            "file_name",
            "summary",
        ]


class ThemeSerializer(serializers.HyperlinkedModelSerializer):
    id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "url", "slug", "name", "description", "position"]
        extra_kwargs = {"url": {"view_name": "api:theme-detail"}}


class DecisionSerializer(RecordSerializer):
    body = LabelledChoiceField(Body)
    themes = link("theme", many=True)
    source = link("source")
    points = link("commitment", many=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "url",
            "page",
            "title",
            "summary",
            "body",
            "case_number",
            "decided_on",
            "date_note",
            "themes",
            "source",
            "points",
        ]
        extra_kwargs = {"url": {"view_name": "api:decision-detail"}}


class PlatformSerializer(RecordSerializer):
    source = link("source")
    pledges = link("commitment", many=True)

    class Meta:
        model = Platform
        fields = ["id", "url", "page", "title", "summary", "term_start_year", "term_end_year", "source", "pledges"]
        extra_kwargs = {"url": {"view_name": "api:platform-detail"}}


class CommitmentSerializer(RecordSerializer):
    decision = link("decision", allow_null=True)
    platform = link("platform", allow_null=True)
    kind = LabelledChoiceField(CommitmentKind)
    status = LabelledChoiceField(CommitmentStatus, help_text="Rolled up from the linked measures.")
    themes = link("theme", many=True)
    measures = link("measure", many=True)
    source = link("source")

    class Meta:
        model = Commitment
        fields = [
            "id",
            "url",
            "page",
            "decision",
            "platform",
            "number",
            "kind",
            "title",
            "summary",
            "requires_follow_up",
            "status",
            "status_changed_at",
            "themes",
            "measures",
            "source",
            "source_note",
        ]
        extra_kwargs = {"url": {"view_name": "api:commitment-detail"}}


class ActionPlanSerializer(RecordSerializer):
    adopted_by = link("decision", allow_null=True)
    themes = link("theme", many=True)
    source = link("source")

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "url",
            "page",
            "title",
            "short_title",
            "summary",
            "valid_from_year",
            "valid_to_year",
            "adopted_by",
            "themes",
            "source",
        ]
        extra_kwargs = {"url": {"view_name": "api:actionplan-detail"}}


class MeasureDecisionSerializer(serializers.Serializer):
    decision = link("decision")
    role = LabelledChoiceField(DecisionRole)


class MeasureSerializer(RecordSerializer):
    plan = link("actionplan", allow_null=True)
    parent = link("measure", allow_null=True)
    status = LabelledChoiceField(
        MeasureStatus,
        source="current_status",
        empty=NOT_REPORTED_VALUE,
        help_text="The status of the latest update; «not_reported» when nobody has reported.",
    )
    late = serializers.BooleanField(source="is_late", read_only=True, help_text="Past its deadline, not finished.")
    latest_update = link("statusupdate", allow_null=True)
    responsible_unit = link("unit", allow_null=True)
    partners = link("unit", many=True)
    locations = link("location", many=True)
    themes = link("theme", many=True)
    commitments = link("commitment", many=True)
    decisions = MeasureDecisionSerializer(
        source="measuredecision_set", many=True, read_only=True, help_text="Decisions that touched the measure."
    )
    source = link("source")

    class Meta:
        model = Measure
        fields = [
            "id",
            "url",
            "page",
            "plan",
            "parent",
            "number",
            "title",
            "description",
            "status",
            "late",
            "deadline",
            "latest_update",
            "responsible_unit",
            "partners",
            "locations",
            "themes",
            "commitments",
            "decisions",
            "source",
            "source_note",
            "created_at",
        ]
        extra_kwargs = {"url": {"view_name": "api:measure-detail"}}


class StatusUpdateSerializer(serializers.HyperlinkedModelSerializer):
    id = serializers.IntegerField(read_only=True)
    measure = link("measure")
    period = link("period", allow_null=True)
    status = LabelledChoiceField(MeasureStatus)
    evidence_links = serializers.ListField(
        child=serializers.URLField(), source="links", read_only=True, help_text="Links to documentation."
    )
    applies_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="The day the status describes; null when no source dates it."
    )
    reported_by = serializers.CharField(
        source="reporter_name", read_only=True, help_text="The reporter's name as on the pages, or the document."
    )
    source = link("source", allow_null=True)

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "url",
            "measure",
            "period",
            "status",
            "happened",
            "next_step",
            "expected_completion",
            "evidence_links",
            "as_of",
            "applies_on",
            "reported_by",
            "source",
            "source_note",
            "recorded_at",
        ]
        extra_kwargs = {"url": {"view_name": "api:statusupdate-detail"}}


class PeriodSerializer(serializers.HyperlinkedModelSerializer):
    id = serializers.IntegerField(read_only=True)
    key = serializers.SerializerMethodField(help_text="The period as the reports page names it, e.g. «2026-t1».")
    name = serializers.CharField(source="__str__", read_only=True)
    kind = LabelledChoiceField(PeriodKind)
    state = LabelledChoiceField(PeriodState)
    status_report = serializers.SerializerMethodField(help_text="The period's status report (PDF).")
    progress_report = serializers.SerializerMethodField(
        help_text="The advisory council's progress report; null until the period is published."
    )

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "url",
            "key",
            "name",
            "kind",
            "year",
            "starts_on",
            "ends_on",
            "report_deadline",
            "state",
            "published_at",
            "status_report",
            "progress_report",
        ]
        extra_kwargs = {"url": {"view_name": "api:period-detail"}}

    def get_key(self, period) -> str:
        return period_key(period)

    def get_status_report(self, period) -> str:
        path = reverse("status_report_pdf") + f"?period={period_key(period)}"
        return self.context["request"].build_absolute_uri(path)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_progress_report(self, period):
        if period.state != PeriodState.PUBLISHED:
            return None
        return self.context["request"].build_absolute_uri(reverse("progress_report", args=[period.pk]))


class LocationSerializer(RecordSerializer):
    kind = LabelledChoiceField(LocationKind)
    operator = link("unit", allow_null=True)
    source = link("source")

    class Meta:
        model = Location
        fields = ["id", "url", "page", "name", "other_names", "kind", "description", "operator", "planned", "source"]
        extra_kwargs = {"url": {"view_name": "api:location-detail"}}


class UnitSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:unit-detail")
    kind = LabelledChoiceField(OrganisationKind)
    web_site = OptionalUrlField(source="url")
    source = link("source")

    class Meta:
        model = Organisation
        fields = ["id", "url", "page", "name", "short_name", "kind", "description", "web_site", "source"]


class IndicatorSerializer(RecordSerializer):
    direction = LabelledChoiceField(IndicatorDirection, allow_null=True)
    commitments = link("commitment", many=True)
    themes = link("theme", many=True)
    source = link("source")
    values = link("indicatorvalue", many=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "url",
            "page",
            "name",
            "description",
            "unit",
            "target_value",
            "target_note",
            "direction",
            "commitments",
            "themes",
            "source",
            "source_note",
            "values",
        ]
        extra_kwargs = {"url": {"view_name": "api:indicator-detail"}}


class IndicatorValueSerializer(serializers.HyperlinkedModelSerializer):
    id = serializers.IntegerField(read_only=True)
    indicator = link("indicator")
    source = link("source")

    class Meta:
        model = IndicatorValue
        fields = ["id", "url", "indicator", "year", "value", "source", "source_note", "entered_at"]
        extra_kwargs = {"url": {"view_name": "api:indicatorvalue-detail"}}
