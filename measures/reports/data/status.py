"""The status report of a period: every commitment with its measures, what changed, what is late and what nobody
works on, limited by the filters a status report takes."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.utils import timezone

from decisions.models import Commitment, Decision
from decisions.status import CommitmentStatus

from ... import charts
from ...filters import CommitmentFilter, MeasureFilter, active_filters
from ...models import Measure, ReportingPeriod, StatusUpdate
from ...periods import latest_updates, ordered_periods, previous_period, status_at_period
from ...status import NOT_REPORTED, MeasureStatus, is_late, roll_up_links

# The filters a status report can be limited by (GET parameters of measures.filters.MeasureFilter).
STATUS_REPORT_FILTERS = ("theme", "document", "unit", "location")


def status_report_params(params):
    """Only the GET parameters a status report is filtered by, as a QueryDict, empty values left out.

    `params` is a QueryDict (a request's GET) or a dict of a value or a list of values per name.
    """
    kept = QueryDict(mutable=True)
    for name in STATUS_REPORT_FILTERS:
        if hasattr(params, "getlist"):
            values = params.getlist(name)
        else:
            value = params.get(name)
            values = value if isinstance(value, list | tuple) else [value]
        values = [str(value).strip() for value in values if value is not None and str(value).strip()]
        if values:
            kept.setlist(name, values)
    return kept


def touched_measures(commitment_ids):
    """A subquery of the measures linked to these commitments (`commitment_ids` is a subquery of ids)."""
    return Measure.commitments.through.objects.filter(commitment_id__in=commitment_ids).values("measure_id")


@dataclass
class MeasureEntry:
    """A measure as a report shows it: its update at the period, its status then and at the previous period."""

    measure: Measure
    update: StatusUpdate | None
    previous_status: str | None = None
    late: bool = False
    has_previous: bool = False
    section: str = ""  # the number of the report's section that describes the measure («2.3»)

    @property
    def status(self):
        return MeasureStatus(self.update.status) if self.update else None

    @property
    def status_value(self):
        return self.update.status if self.update else NOT_REPORTED.value

    @property
    def previous(self):
        return MeasureStatus(self.previous_status) if self.previous_status else None

    @property
    def changed(self):
        return self.has_previous and self.previous_status != (self.update.status if self.update else None)

    @property
    def anchor(self):
        return f"m{self.measure.pk}"


@dataclass
class CommitmentSection:
    commitment: Commitment
    status: CommitmentStatus
    number: str = ""  # «2.3»: the third commitment of the second group
    entries: list = field(default_factory=list)  # measures described here
    references: list = field(default_factory=list)  # measures described under an earlier commitment

    @property
    def anchor(self):
        return f"c{self.commitment.pk}"


@dataclass
class DocumentGroup:
    """The commitments of one decision or platform, or (document None) the measures linked to no commitment."""

    document: object
    sections: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    number: str = ""  # «2»

    @property
    def anchor(self):
        if self.document is None:
            return "unlinked"
        return f"{'d' if isinstance(self.document, Decision) else 'p'}{self.document.pk}"


@dataclass
class StatusReport:
    period: ReportingPeriod
    previous: ReportingPeriod | None
    reference_date: object  # the day «late» is judged on: the period's last day, or today if that is earlier
    selection: list  # the active filters, as measures.filters.active_filters gives them
    measure_chart: dict
    commitment_chart: dict
    measure_count: int
    commitment_count: int
    late: list
    changes: list
    not_followed_up: list
    groups: list

    @property
    def filtered(self):
        return bool(self.selection)


def status_report(*, period, params=None, today=None):
    """Everything the status report for `period` shows, for the measures the filter `params` selects.

    `params` holds GET parameters of the measure list's filter (theme, document — a decision, platform or plan —,
    unit, location; others are ignored); none selects every measure. The report covers:
    - the selected measures, each with its latest update that counts for `period` and its status at the previous
      period of the sequence;
    - the commitments those measures fulfil, each with its status at `period` rolled up from all its measures
      (also those outside the filter);
    - the commitments the same filter selects that nobody works on (no measure linked, follow-up required), and
      the number of those that only state a view (no measure linked, none required), which count but are not listed.
    A measure is late when its deadline is before the reference date (the period's last day, or today if earlier)
    and its status then is neither done nor cancelled. A fixed number of queries (about fifteen, most of them
    the filter's own choices when there is a filter).
    """
    today = today or timezone.localdate()
    params = status_report_params(params or QueryDict())
    periods = ordered_periods()
    previous = previous_period(period=period, periods=periods)
    reference_date = min(period.ends_on, today)

    # The filters' forms read their choices (a few queries): build them only when something is filtered.
    base = Measure.objects.select_related("plan", "responsible_unit", "source").in_plan_order()
    measure_filter = MeasureFilter(params, queryset=base) if params else None
    selected = measure_filter.qs if params else base
    measures = list(selected)
    through = Measure.commitments.through
    touched = through.objects.filter(measure__in=selected.order_by().values("pk")).values("commitment_id")
    links = list(through.objects.filter(commitment_id__in=touched).values_list("commitment_id", "measure_id"))
    related_measures = Measure.objects.filter(
        Q(pk__in=selected.order_by().values("pk")) | Q(pk__in=touched_measures(touched))
    )
    updates = latest_updates(period=period, measures=related_measures, periods=periods, related=["period", "source"])
    before = status_at_period(period=previous, measures=selected, periods=periods) if previous is not None else {}

    entries = {}
    for measure in measures:
        update = updates.get(measure.pk)
        entries[measure.pk] = MeasureEntry(
            measure=measure,
            update=update,
            previous_status=before.get(measure.pk),
            has_previous=previous is not None,
            late=is_late(deadline=measure.deadline, status=update and update.status, today=reference_date),
        )

    selected_by_commitment = {}
    for commitment_id, measure_id in links:
        if measure_id in entries:
            selected_by_commitment.setdefault(commitment_id, []).append(measure_id)

    commitments = list(
        Commitment.objects.filter(pk__in=touched).select_related("decision", "platform").in_document_order()
    )
    in_scope = CommitmentFilter(params, queryset=Commitment.objects.all()).qs if params else Commitment.objects.all()
    unlinked_commitments = list(
        in_scope.filter(~Exists(through.objects.filter(commitment=OuterRef("pk"))))
        .select_related("decision", "platform")
        .in_document_order()
    )
    neglected = [commitment for commitment in unlinked_commitments if commitment.requires_follow_up]
    # Points that only state a view need no measure: counted (as «only a view»), never listed as neglected.
    statements = len(unlinked_commitments) - len(neglected)
    position = {measure.pk: index for index, measure in enumerate(measures)}
    groups = _document_groups(commitments, neglected)
    shown = set()
    for group in groups:
        for section in group.sections:
            for measure_id in sorted(selected_by_commitment.get(section.commitment.pk, []), key=position.__getitem__):
                (section.references if measure_id in shown else section.entries).append(entries[measure_id])
                shown.add(measure_id)
    for group in groups:
        group.sections = [section for section in group.sections if section.entries or section.references]
    groups = [group for group in groups if group.sections]
    unlinked = [entries[m.pk] for m in measures if m.pk not in shown]
    if unlinked:
        groups.append(DocumentGroup(document=None, entries=unlinked))
    _number_sections(groups)

    commitment_statuses = roll_up_links(
        links,
        {measure_id: update.status for measure_id, update in updates.items()},
        {commitment.pk: commitment.requires_follow_up for commitment in commitments},
    )
    for group in groups:
        for section in group.sections:
            section.status = commitment_statuses[section.commitment.pk]
    commitment_counts = Counter(commitment_statuses.values())
    commitment_counts[CommitmentStatus.NOT_FOLLOWED_UP] += len(neglected)
    commitment_counts[CommitmentStatus.STATEMENT] += statements
    measure_counts = Counter(entry.update.status if entry.update else None for entry in entries.values())

    return StatusReport(
        period=period,
        previous=previous,
        reference_date=reference_date,
        selection=active_filters(measure_filter, params) if params else [],
        measure_chart=charts.status_bars(charts.measure_rows(measure_counts)),
        commitment_chart=charts.status_bars(charts.commitment_rows(commitment_counts)),
        measure_count=len(measures),
        commitment_count=len(commitments) + len(neglected) + statements,
        late=sorted(
            (entry for entry in entries.values() if entry.late),
            key=lambda entry: (entry.measure.deadline, position[entry.measure.pk]),
        ),
        changes=[entries[m.pk] for m in measures if entries[m.pk].changed],
        not_followed_up=neglected,
        groups=groups,
    )


def _number_sections(groups):
    """Number the groups (1, 2, …) and their commitment sections (1.1, 1.2, …); each measure gets the number of the
    section that describes it, so summaries can point to it on paper without page references (which would make
    WeasyPrint lay the pages out twice)."""
    for group_index, group in enumerate(groups, start=1):
        group.number = str(group_index)
        for entry in group.entries:
            entry.section = group.number
        for section_index, section in enumerate(group.sections, start=1):
            section.number = f"{group_index}.{section_index}"
            for entry in section.entries:
                entry.section = section.number


def _document_groups(commitments, neglected):
    """One DocumentGroup per decision or platform with a section per commitment (not the neglected ones), in the
    commitments' order (they come in document order)."""
    groups = {}
    for commitment in commitments:
        document = commitment.document
        key = (type(document).__name__, document.pk)
        if key not in groups:
            groups[key] = DocumentGroup(document=document)
        groups[key].sections.append(CommitmentSection(commitment=commitment, status=CommitmentStatus.NOT_STARTED))
    return list(groups.values())


def status_report_size(*, params):
    """How many measures a status report with the filter `params` covers (one query)."""
    return MeasureFilter(params or None, queryset=Measure.objects.all()).qs.count()
