"""The archive's tables: one per kind of public record and one per list of links between them.

Each table names its columns with a Frictionless type and a description, its primary key and its foreign keys, so
that datapackage.json describes the CSV files exactly. A coded value (a status, a kind) is written as its code and
its Norwegian and English labels. Left out, as everywhere public: who entered or changed anything, the members of
a unit, comments, the audit trail, and the progress report of a period that is not published.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import translation

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
    MeasureDecision,
    Organisation,
    OrganisationKind,
    PeriodKind,
    PeriodState,
    ReportingPeriod,
    StatusUpdate,
)
from ..periods import period_key
from ..status import NOT_REPORTED, MeasureStatus

CHUNK = 2000


@dataclass
class Column:
    name: str
    type: str  # a Frictionless field type: integer, number, string, boolean, date, datetime, year
    description: str
    value: object  # a function of the record

    def descriptor(self):
        return {"name": self.name, "type": self.type, "description": self.description}


@dataclass
class Table:
    name: str
    title: str
    description: str
    columns: list
    records: object  # a function returning the records, in the order of the primary key
    primary_key: list = field(default_factory=lambda: ["id"])
    foreign_keys: list = field(default_factory=list)  # [(column, table)]

    def rows(self):
        for record in self.records():
            yield [column.value(record) for column in self.columns]


def _label(choices, value, language):
    if not value:
        return ""
    with translation.override(language):
        return str(choices(value).label)


def attr(name):
    return lambda record: getattr(record, name)


def coded(name, choices, description, *, empty=""):
    """Three columns for a coded value: its code, its label in Norwegian and in English."""

    def code(record):
        return getattr(record, name) or empty

    def label(language):
        def read(record):
            value = getattr(record, name)
            if not value and empty == NOT_REPORTED.value:
                with translation.override(language):
                    return str(NOT_REPORTED.label)
            return _label(choices, value, language)

        return read

    return [
        Column(name, "string", description, code),
        Column(f"{name}_nb", "string", f"{description} (label in Norwegian bokmål)", label("nb")),
        Column(f"{name}_en", "string", f"{description} (label in English)", label("en")),
    ]


def page(record):
    return settings.SITE_URL + record.get_absolute_url()


ID = Column(
    "id", "integer", "The record's stable identifier (the same as in the API and the page addresses).", attr("pk")
)
PAGE = Column("page", "string", "The record's page on the site.", page)


def fk(name, description):
    return Column(name, "integer", description, attr(f"{name}_id"))


def link_table(name, title, through, left, right, left_table, right_table):
    return Table(
        name=name,
        title=title,
        description=title,
        columns=[
            Column(left, "integer", f"The id of the {left_table} record.", attr(f"{left}_id")),
            Column(right, "integer", f"The id of the {right_table} record.", attr(f"{right}_id")),
        ],
        records=lambda: through.objects.order_by(f"{left}_id", f"{right}_id").iterator(CHUNK),
        primary_key=[left, right],
        foreign_keys=[(left, left_table), (right, right_table)],
    )


def _period_progress(period):
    if period.state != PeriodState.PUBLISHED:
        return ""
    return settings.SITE_URL + reverse("progress_report", args=[period.pk])


def _period_status_report(period):
    return f"{settings.SITE_URL}{reverse('status_report_pdf')}?period={period_key(period)}"


def tables():
    """Every table of the archive, in an order where a table's foreign keys point only at tables before it."""
    return [
        Table(
            "sources",
            "Source documents",
            "The public documents the records are taken from.",
            [
                ID,
                PAGE,
                Column("key", "string", "A short, stable name of the document.", attr("key")),
                Column("title", "string", "The document's title.", attr("title")),
                *coded("kind", SourceKind, "The kind of document"),
                Column("publisher", "string", "Who published it.", attr("publisher")),
                Column("published_on", "date", "When it was published, where known.", attr("published_on")),
                Column("date_note", "string", "What the document says about its date.", attr("date_note")),
                Column("case_number", "string", "The case number.", attr("case_number")),
                Column("link", "string", "The document on the web.", attr("url")),
                Column("summary", "string", "A summary in our own words.", attr("summary")),
            ],
            lambda: Source.objects.order_by("pk").iterator(CHUNK),
        ),
        Table(
            "themes",
            "Themes",
            "The themes records are grouped by.",
            [
                ID,
                Column("slug", "string", "A short, stable name.", attr("slug")),
                Column("name", "string", "The theme's name.", attr("name")),
                Column("description", "string", "What the theme covers.", attr("description")),
            ],
            lambda: Theme.objects.order_by("pk").iterator(CHUNK),
        ),
        Table(
            "units",
            "Units",
            "Responsible units and partners.",
            [
                ID,
                PAGE,
                Column("name", "string", "The unit's name.", attr("name")),
                Column("short_name", "string", "A short name.", attr("short_name")),
                *coded("kind", OrganisationKind, "The kind of unit"),
                Column("description", "string", "What the unit is.", attr("description")),
                Column("web_site", "string", "Its web site.", attr("url")),
                fk("source", "The document the record is taken from."),
            ],
            lambda: Organisation.objects.order_by("pk").iterator(CHUNK),
            foreign_keys=[("source", "sources")],
        ),
        Table(
            "decisions",
            "Decisions",
            "Decisions adopted by the city council, a committee or the city government.",
            [
                ID,
                PAGE,
                Column("title", "string", "The decision's title.", attr("title")),
                Column("summary", "string", "A summary in our own words.", attr("summary")),
                *coded("body", Body, "Who decided"),
                Column("case_number", "string", "The case number.", attr("case_number")),
                Column("decided_on", "date", "When it was decided, where known.", attr("decided_on")),
                Column("date_note", "string", "What the source says about the date.", attr("date_note")),
                fk("source", "The document the record is taken from."),
            ],
            lambda: Decision.objects.order_by("pk").iterator(CHUNK),
            foreign_keys=[("source", "sources")],
        ),
        Table(
            "platforms",
            "Platforms",
            "The city government's platforms and the pledges in them.",
            [
                ID,
                PAGE,
                Column("title", "string", "The platform's title.", attr("title")),
                Column("summary", "string", "A summary in our own words.", attr("summary")),
                Column("term_start_year", "integer", "The first year of the term.", attr("term_start_year")),
                Column("term_end_year", "integer", "The last year of the term.", attr("term_end_year")),
                fk("source", "The document the record is taken from."),
            ],
            lambda: Platform.objects.order_by("pk").iterator(CHUNK),
            foreign_keys=[("source", "sources")],
        ),
        Table(
            "commitments",
            "Commitments",
            "Decision points and platform pledges: what the city government owes, with the status rolled up from "
            "the measures that follow each up.",
            [
                ID,
                PAGE,
                fk("decision", "The decision the point belongs to (or empty)."),
                fk("platform", "The platform the pledge belongs to (or empty)."),
                Column("number", "integer", "Its number in the document.", attr("number")),
                *coded("kind", CommitmentKind, "The kind of commitment"),
                Column("title", "string", "The commitment in our own words.", attr("title")),
                Column("summary", "string", "More about it.", attr("summary")),
                Column("requires_follow_up", "boolean", "Whether it asks for action.", attr("requires_follow_up")),
                *coded("status", CommitmentStatus, "The status rolled up from its measures"),
                Column("status_changed_at", "datetime", "When the status last changed.", attr("status_changed_at")),
                fk("source", "The document the record is taken from."),
                Column("source_note", "string", "Where in the document.", attr("source_note")),
            ],
            lambda: Commitment.objects.order_by("pk").iterator(CHUNK),
            foreign_keys=[("decision", "decisions"), ("platform", "platforms"), ("source", "sources")],
        ),
        Table(
            "action_plans",
            "Action plans",
            "Adopted plans with numbered measures.",
            [
                ID,
                PAGE,
                Column("title", "string", "The plan's title.", attr("title")),
                Column("short_title", "string", "A short title.", attr("short_title")),
                Column("summary", "string", "A summary in our own words.", attr("summary")),
                Column("valid_from_year", "integer", "The first year the plan covers.", attr("valid_from_year")),
                Column("valid_to_year", "integer", "The last year the plan covers.", attr("valid_to_year")),
                fk("adopted_by", "The decision that adopted the plan."),
                fk("source", "The document the record is taken from."),
            ],
            lambda: ActionPlan.objects.order_by("pk").iterator(CHUNK),
            foreign_keys=[("adopted_by", "decisions"), ("source", "sources")],
        ),
        Table(
            "locations",
            "Locations",
            "Places where measures happen: the MO-centres and others.",
            [
                ID,
                PAGE,
                Column("name", "string", "The place's name.", attr("name")),
                Column("other_names", "string", "Earlier or informal names.", attr("other_names")),
                *coded("kind", LocationKind, "The kind of place"),
                Column("description", "string", "What the place is.", attr("description")),
                fk("operator", "The unit that runs it."),
                Column("planned", "boolean", "Decided or promised, not established.", attr("planned")),
                fk("source", "The document the record is taken from."),
            ],
            lambda: Location.objects.order_by("pk").iterator(CHUNK),
            foreign_keys=[("operator", "units"), ("source", "sources")],
        ),
        Table(
            "periods",
            "Reporting periods",
            "The periods the measures are reported in.",
            [
                ID,
                Column("key", "string", "The period as the reports name it, e.g. 2026-t1.", period_key),
                *coded("kind", PeriodKind, "The kind of period"),
                Column("year", "integer", "The year.", attr("year")),
                Column("starts_on", "date", "Its first day.", attr("starts_on")),
                Column("ends_on", "date", "Its last day.", attr("ends_on")),
                Column("report_deadline", "date", "The reporting deadline.", attr("report_deadline")),
                *coded("state", PeriodState, "Where the period is in its life cycle"),
                Column("published_at", "datetime", "When it was published.", attr("published_at")),
                Column("status_report", "string", "The status report (PDF).", _period_status_report),
                Column("progress_report", "string", "The progress report, once published.", _period_progress),
            ],
            lambda: ReportingPeriod.objects.order_by("pk").iterator(CHUNK),
        ),
        Table(
            "measures",
            "Measures",
            "What the administration does, with the status of its latest update.",
            [
                ID,
                PAGE,
                fk("plan", "The action plan it belongs to."),
                fk("parent", "The measure it is part of."),
                Column("number", "string", "Its number in the plan.", attr("number")),
                Column("title", "string", "The measure in our own words.", attr("title")),
                Column("description", "string", "More about it.", attr("description")),
                *coded("current_status", MeasureStatus, "The status of its latest update", empty=NOT_REPORTED.value),
                Column("late", "boolean", "Past its deadline and neither done nor cancelled.", attr("is_late")),
                Column("deadline", "date", "Its deadline.", attr("deadline")),
                fk("responsible_unit", "The unit responsible for it."),
                fk("source", "The document the record is taken from."),
                Column("source_note", "string", "Where in the document.", attr("source_note")),
            ],
            lambda: Measure.objects.order_by("pk").iterator(CHUNK),
            foreign_keys=[
                ("plan", "action_plans"),
                ("parent", ""),  # another measure
                ("responsible_unit", "units"),
                ("source", "sources"),
            ],
        ),
        Table(
            "status_updates",
            "Status updates",
            "Every report on a measure, signed with the reporter's name as on the pages, or by the document that "
            "states the status.",
            [
                ID,
                fk("measure", "The measure reported on."),
                fk("period", "The period it was reported in."),
                *coded("status", MeasureStatus, "The status reported"),
                Column("happened", "string", "What happened.", attr("happened")),
                Column("next_step", "string", "The next step.", attr("next_step")),
                Column("expected_completion", "date", "When it is expected done.", attr("expected_completion")),
                Column("evidence_links", "string", "Links to documentation, one per line.", attr("evidence_links")),
                Column("applies_on", "date", "The day the status describes, where known.", attr("applies_on")),
                Column("reported_by", "string", "Who stands behind it: a name or a document.", attr("reporter_name")),
                fk("source", "The document that states the status."),
                Column("source_note", "string", "Where in the document.", attr("source_note")),
                Column("recorded_at", "datetime", "When it was recorded.", attr("recorded_at")),
            ],
            lambda: StatusUpdate.objects.select_related("author", "source").order_by("pk").iterator(CHUNK),
            foreign_keys=[("measure", "measures"), ("period", "periods"), ("source", "sources")],
        ),
        Table(
            "indicators",
            "Indicators",
            "Numbers followed over time, with their targets.",
            [
                ID,
                PAGE,
                Column("name", "string", "The indicator's name.", attr("name")),
                Column("description", "string", "What it measures.", attr("description")),
                Column("unit", "string", "What is counted.", attr("unit")),
                Column("target_value", "number", "The target.", attr("target_value")),
                Column("target_note", "string", "About the target.", attr("target_note")),
                *coded("direction", IndicatorDirection, "Which way is better"),
                fk("source", "The document the record is taken from."),
                Column("source_note", "string", "Where in the document.", attr("source_note")),
            ],
            lambda: Indicator.objects.order_by("pk").iterator(CHUNK),
            foreign_keys=[("source", "sources")],
        ),
        Table(
            "indicator_values",
            "Indicator values",
            "One value per indicator and year, with the document that states it.",
            [
                ID,
                fk("indicator", "The indicator."),
                Column("year", "year", "The year.", attr("year")),
                Column("value", "number", "The value.", attr("value")),
                fk("source", "The document that states it."),
                Column("source_note", "string", "Where in the document.", attr("source_note")),
            ],
            lambda: IndicatorValue.objects.order_by("pk").iterator(CHUNK),
            foreign_keys=[("indicator", "indicators"), ("source", "sources")],
        ),
        Table(
            "measure_decisions",
            "Decisions about measures",
            "How a decision touched a measure: created it, amended it or adopted its plan.",
            [
                ID,
                fk("measure", "The measure."),
                fk("decision", "The decision."),
                *coded("role", DecisionRole, "How the decision touched the measure"),
            ],
            lambda: MeasureDecision.objects.order_by("pk").iterator(CHUNK),
            foreign_keys=[("measure", "measures"), ("decision", "decisions")],
        ),
        link_table(
            "measure_commitments",
            "Commitments each measure fulfils",
            Measure.commitments.through,
            "measure",
            "commitment",
            "measures",
            "commitments",
        ),
        link_table(
            "measure_partners",
            "Partners of each measure",
            Measure.partners.through,
            "measure",
            "organisation",
            "measures",
            "units",
        ),
        link_table(
            "measure_locations",
            "Where each measure happens",
            Measure.locations.through,
            "measure",
            "location",
            "measures",
            "locations",
        ),
        link_table(
            "measure_themes",
            "The themes of each measure",
            Measure.themes.through,
            "measure",
            "theme",
            "measures",
            "themes",
        ),
        link_table(
            "commitment_themes",
            "The themes of each commitment",
            Commitment.themes.through,
            "commitment",
            "theme",
            "commitments",
            "themes",
        ),
        link_table(
            "decision_themes",
            "The themes of each decision",
            Decision.themes.through,
            "decision",
            "theme",
            "decisions",
            "themes",
        ),
        link_table(
            "action_plan_themes",
            "The themes of each action plan",
            ActionPlan.themes.through,
            "actionplan",
            "theme",
            "action_plans",
            "themes",
        ),
        link_table(
            "indicator_commitments",
            "The commitments each indicator measures",
            Indicator.commitments.through,
            "indicator",
            "commitment",
            "indicators",
            "commitments",
        ),
        link_table(
            "indicator_themes",
            "The themes of each indicator",
            Indicator.themes.through,
            "indicator",
            "theme",
            "indicators",
            "themes",
        ),
    ]
