"""The columns of every list as a spreadsheet: django-import-export resources, one per list.

Each column is a Field whose heading is translated when the sheet is written (Norwegian by default, English with
the English interface). Values are rendered as native types (`force_native_type`), so a date is a date and a number
a number in Excel. The first columns of every sheet are the record's stable id and its address on the site. The
measure and status sheets are also the format the import reads (measures.spreadsheets.importing): they carry each
measure's `version` and the id of the status update the reader saw, so a change made since the export is noticed.
"""

from functools import partial

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from decisions.status import CommitmentStatus

from ..models import Indicator, IndicatorValue, Location, Organisation, StatusUpdate
from ..status import MeasureStatus, shown_status


def absolute_url(record):
    """The record's address on the site, as printed on the PDF reports (settings.SITE_URL)."""
    return settings.SITE_URL + record.get_absolute_url()


def yes_no(value):
    return str(_("Yes")) if value else str(_("No"))


def local(moment):
    """A stored moment as the local wall-clock time without a zone (Excel has no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def status_label(value):
    """The status as the pages name it (measures.status, the one vocabulary): «Ikke rapportert» for none."""
    return str(shown_status(value).label)


def column(attribute=None, heading="", widget=None, **kwargs):
    return fields.Field(attribute=attribute, column_name=heading, widget=widget, readonly=True, **kwargs)


class SheetResource(resources.Resource):
    """A list's columns. `prepare(queryset)` adds what the columns read (related rows, counts) in a fixed number
    of queries; it never changes which records are selected or their order."""

    id = column("pk", _("ID"), widgets.IntegerWidget())
    address = column(None, _("Address"))

    class Meta:
        chunk_size = 2000  # rows read from the database at a time

    # The sheet's name inside the .xlsx file and the start of the download's file name.
    sheet_name = ""

    def dehydrate_address(self, record):
        return absolute_url(record)

    def prepare(self, queryset):
        return queryset

    def headers(self):
        return self.get_export_headers()

    def cell_makers(self):
        """One function per column that gives a record's value in it: the field's dehydrate method, or the field's
        own export through its widget (as native types). Looked up once, not for every row as export_resource does:
        that was a third of the time of a sheet of 10,000 rows."""
        makers = []
        for column in self.get_export_fields():
            method = getattr(self, column.get_dehydrate_method(self.get_field_name(column)), None)
            makers.append(method if callable(method) else partial(column.export, force_native_type=True))
        return makers

    def row(self, record, makers):
        return [make(record) for make in makers]

    def rows(self, queryset):
        """The sheet's rows as lists of native values, read in chunks (memory stays bounded)."""
        makers = self.cell_makers()
        for record in self.iter_queryset(self.prepare(queryset)):
            yield self.row(record, makers)


class MeasureResource(SheetResource):
    """Measures; also the format of the measure import (id, version, plan, number, title, …, status)."""

    version = column("version", _("Version"), widgets.IntegerWidget())
    plan_id = column("plan_id", _("Action plan ID"), widgets.IntegerWidget())
    plan = column("plan", _("Action plan"))
    number = column("number", _("Number"))
    title = column("title", _("Title"))
    description = column("description", _("Description"))
    responsible_unit = column("responsible_unit", _("Responsible unit"))
    deadline = column("deadline", _("Deadline"), widgets.DateWidget())
    status = column(None, _("Status"))
    latest_update_id = column("latest_update_id", _("Latest status update ID"), widgets.IntegerWidget())
    status_date = column(None, _("Status as of"), widgets.DateWidget())
    source_id = column("source_id", _("Source ID"), widgets.IntegerWidget())

    sheet_name = "tiltak"

    def prepare(self, queryset):
        return queryset.select_related("plan", "responsible_unit", "latest_update__source")

    def dehydrate_plan(self, measure):
        return str(measure.plan) if measure.plan_id else ""

    def dehydrate_responsible_unit(self, measure):
        return measure.responsible_unit.name if measure.responsible_unit_id else ""

    def dehydrate_status(self, measure):
        return status_label(measure.current_status)

    def dehydrate_status_date(self, measure):
        return measure.latest_update.applies_on if measure.latest_update_id else None


class StatusSheetResource(SheetResource):
    """One row per measure with its latest status update: the sheet a unit fills in for a period, and the format of
    the status import. «Status update ID» is the update the reader saw; a row whose status, text, next step,
    expected completion or links differ from it becomes a new update."""

    id = column("pk", _("Measure ID"), widgets.IntegerWidget())
    number = column("number", _("Number"))
    title = column("title", _("Measure"))
    responsible_unit = column(None, _("Responsible unit"))
    update_id = column(None, _("Status update ID"), widgets.IntegerWidget())
    status = column(None, _("Status"))
    period = column(None, _("Reporting period"))
    happened = column(None, _("What happened"))
    next_step = column(None, _("Next step"))
    expected_completion = column(None, _("Expected completion"), widgets.DateWidget())
    evidence_links = column(None, _("Links to documentation"))
    reported_by = column(None, _("Reported by"))
    recorded_at = column(None, _("Recorded"), widgets.DateTimeWidget())

    sheet_name = "status"

    def prepare(self, queryset):
        return queryset.select_related(
            "responsible_unit", "latest_update__period", "latest_update__author", "latest_update__source"
        )

    def update_of(self, measure):
        return measure.latest_update

    def dehydrate_responsible_unit(self, measure):
        return measure.responsible_unit.name if measure.responsible_unit_id else ""

    def _update(self, measure, attribute, default=""):
        update = self.update_of(measure)
        return getattr(update, attribute) if update is not None else default

    def dehydrate_update_id(self, measure):
        return self._update(measure, "pk", None)

    def dehydrate_status(self, measure):
        update = self.update_of(measure)
        return status_label(update.status if update is not None else None)

    def dehydrate_period(self, measure):
        update = self.update_of(measure)
        return str(update.period) if update is not None and update.period_id else ""

    def dehydrate_happened(self, measure):
        return self._update(measure, "happened")

    def dehydrate_next_step(self, measure):
        return self._update(measure, "next_step")

    def dehydrate_expected_completion(self, measure):
        return self._update(measure, "expected_completion", None)

    def dehydrate_evidence_links(self, measure):
        return self._update(measure, "evidence_links")

    def dehydrate_reported_by(self, measure):
        update = self.update_of(measure)
        return update.reporter_name if update is not None else ""

    def dehydrate_recorded_at(self, measure):
        update = self.update_of(measure)
        return local(update.recorded_at) if update is not None else None


class StatusHistoryResource(StatusSheetResource):
    """Every status update of the selected measures, oldest first per measure, in the status sheet's columns (so it
    reads back in the same way: only a measure's latest update can be followed by a new one)."""

    sheet_name = "statusoppdateringer"

    def prepare(self, queryset):
        return (
            StatusUpdate.objects.filter(measure__in=queryset.order_by().values("pk"))
            .select_related("measure__responsible_unit", "period", "author", "source")
            .order_by("measure__plan_id", "measure_id", "recorded_at", "id")
        )

    def rows(self, queryset):
        makers = self.cell_makers()
        for update in self.iter_queryset(self.prepare(queryset)):
            measure = update.measure
            measure.shown_update = update
            yield self.row(measure, makers)

    def update_of(self, measure):
        return measure.shown_update


class CommitmentResource(SheetResource):
    kind = column(None, _("Kind"))
    document = column(None, _("Document"))
    number = column("number", _("Number"), widgets.IntegerWidget())
    title = column("title", _("Title"))
    summary = column("summary", _("Summary"))
    status = column(None, _("Status"))
    status_changed_at = column(None, _("Status changed"), widgets.DateTimeWidget())
    measure_count = column("measure_count", _("Measures"), widgets.IntegerWidget())

    sheet_name = "forpliktelser"

    def prepare(self, queryset):
        return queryset.select_related("decision", "platform").annotate(measure_count=Count("measures"))

    def dehydrate_kind(self, commitment):
        return str(commitment.get_kind_display())

    def dehydrate_document(self, commitment):
        return str(commitment.decision or commitment.platform or "")

    def dehydrate_status(self, commitment):
        return str(CommitmentStatus(commitment.status).label)

    def dehydrate_status_changed_at(self, commitment):
        return local(commitment.status_changed_at)


class DecisionResource(SheetResource):
    title = column("title", _("Title"))
    body = column(None, _("Decided by"))
    case_number = column("case_number", _("Case number"))
    decided_on = column("decided_on", _("Decided on"), widgets.DateWidget())
    summary = column("summary", _("Summary"))
    point_count = column("point_count", _("Points"), widgets.IntegerWidget())
    fulfilled_count = column("fulfilled_count", _("Fulfilled"), widgets.IntegerWidget())

    sheet_name = "vedtak"

    def prepare(self, queryset):
        return queryset.annotate(
            point_count=Count("points", distinct=True),
            fulfilled_count=Count("points", filter=Q(points__status=CommitmentStatus.FULFILLED), distinct=True),
        )

    def dehydrate_body(self, decision):
        return str(decision.get_body_display())


class ActionPlanResource(SheetResource):
    title = column("title", _("Title"))
    short_title = column("short_title", _("Short title"))
    valid_from_year = column("valid_from_year", _("Valid from (year)"), widgets.IntegerWidget())
    valid_to_year = column("valid_to_year", _("Valid to (year)"), widgets.IntegerWidget())
    adopted_by = column(None, _("Adopted by"))
    measure_count = column("measure_count", _("Measures"), widgets.IntegerWidget())
    done_count = column("done_count", _("Done"), widgets.IntegerWidget())
    delayed_count = column("delayed_count", _("Delayed"), widgets.IntegerWidget())

    sheet_name = "handlingsplaner"

    def prepare(self, queryset):
        return queryset.select_related("adopted_by").annotate(
            measure_count=Count("measures", distinct=True),
            done_count=Count("measures", filter=Q(measures__current_status=MeasureStatus.DONE), distinct=True),
            delayed_count=Count("measures", filter=Q(measures__current_status=MeasureStatus.DELAYED), distinct=True),
        )

    def dehydrate_adopted_by(self, plan):
        return str(plan.adopted_by) if plan.adopted_by_id else ""


class LocationResource(SheetResource):
    name = column("name", _("Name"))
    other_names = column("other_names", _("Other names"))
    kind = column(None, _("Kind"))
    operator = column(None, _("Run by"))
    planned = column(None, _("Planned"))
    measure_count = column("measure_count", _("Measures"), widgets.IntegerWidget())

    sheet_name = "steder"

    def prepare(self, queryset):
        return queryset.select_related("operator").annotate(measure_count=Count("measures"))

    def dehydrate_kind(self, location):
        return str(location.get_kind_display())

    def dehydrate_operator(self, location):
        return location.operator.name if location.operator_id else ""

    def dehydrate_planned(self, location):
        return yes_no(location.planned)


class OrganisationResource(SheetResource):
    name = column("name", _("Name"))
    short_name = column("short_name", _("Short name"))
    kind = column(None, _("Kind"))
    url = column("url", _("Web site"))
    responsible_count = column("responsible_count", _("Responsible for measures"), widgets.IntegerWidget())
    partner_count = column("partner_count", _("Partner in measures"), widgets.IntegerWidget())

    sheet_name = "enheter"

    def prepare(self, queryset):
        return queryset.annotate(
            responsible_count=Count("responsible_for", distinct=True), partner_count=Count("partner_in", distinct=True)
        )

    def dehydrate_kind(self, organisation):
        return str(organisation.get_kind_display())


class IndicatorValueResource(SheetResource):
    """Indicators with their values: one row per indicator and year (an indicator without values has one row with
    the year and value empty)."""

    id = column(None, _("Indicator ID"), widgets.IntegerWidget())
    name = column(None, _("Indicator"))
    unit = column(None, _("Unit"))
    target_value = column(None, _("Target"), widgets.DecimalWidget())
    direction = column(None, _("Direction"))
    year = column(None, _("Year"), widgets.IntegerWidget())
    value = column(None, _("Value"), widgets.DecimalWidget())
    value_source = column(None, _("Source of the value"))

    sheet_name = "indikatorer"

    def prepare(self, queryset):
        values = IndicatorValue.objects.select_related("source").order_by("year")
        return queryset.prefetch_related(Prefetch("values", queryset=values)).order_by("pk")

    def rows(self, queryset):
        makers = self.cell_makers()
        for indicator in self.iter_queryset(self.prepare(queryset)):
            for value in indicator.values.all() or [None]:
                yield self.row((indicator, value), makers)

    def dehydrate_id(self, pair):
        return pair[0].pk

    def dehydrate_address(self, pair):
        return absolute_url(pair[0])

    def dehydrate_name(self, pair):
        return pair[0].name

    def dehydrate_unit(self, pair):
        return pair[0].unit

    def dehydrate_target_value(self, pair):
        return pair[0].target_value

    def dehydrate_direction(self, pair):
        return str(pair[0].get_direction_display())

    def dehydrate_year(self, pair):
        return pair[1].year if pair[1] else None

    def dehydrate_value(self, pair):
        return pair[1].value if pair[1] else None

    def dehydrate_value_source(self, pair):
        return str(pair[1].source) if pair[1] else ""


# The lists without a FilterSet: every record, in the order of the list's page.
UNFILTERED = {
    "location": (LocationResource, lambda: Location.objects.order_by("name", "pk")),
    "organisation": (OrganisationResource, lambda: Organisation.objects.order_by("name", "pk")),
    "indicator": (IndicatorValueResource, lambda: Indicator.objects.order_by("pk")),
}

# The lists with a FilterSet (measures.reports.data.LISTS gives the FilterSet and the list's queryset).
FILTERED = {
    "measure": MeasureResource,
    "status": StatusSheetResource,
    "status_history": StatusHistoryResource,
    "commitment": CommitmentResource,
    "decision": DecisionResource,
    "plan": ActionPlanResource,
}
