"""What the reports show: the content of each report (the status report of a period, the follow-up of a decision,
a measure on one page, every list as PDF).

A measure's status at a period is read by measures.periods (see its module for the rule); statuses, «late» and the
roll-up of commitments come from measures.status; counts from the models' QuerySet methods. The builders cost a
fixed number of queries, whatever the number of measures, updates or commitments.
"""

from collections import Counter
from dataclasses import dataclass, field

import django_filters
from django.conf import settings
from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from decisions.models import Commitment, Decision
from decisions.status import OPEN_COMMITMENT_STATUSES, CommitmentStatus

from .. import charts
from ..filters import ActionPlanFilter, CommitmentFilter, DecisionFilter, MeasureFilter, active_filters
from ..models import ActionPlan, Measure, MeasureDecision, ReportingPeriod, StatusUpdate
from ..periods import latest_updates, ordered_periods, previous_period, status_at_period
from ..status import NOT_REPORTED, MeasureStatus, is_late, roll_up_links

# The filters a status report can be limited by (GET parameters of measures.filters.MeasureFilter).
STATUS_REPORT_FILTERS = ("theme", "document", "unit", "location")
# The one-page summary of a measure shows at most this much; the rest is on the measure's web page.
SUMMARY_CHANGES = 8
SUMMARY_LINKS = 5
SUMMARY_COMMITMENTS = 5
SUMMARY_TEXT = 600


# --- The status report ---------------------------------------------------------------------------------------------


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


# --- Follow-up of a council decision ---------------------------------------------------------------------------------


@dataclass
class DecisionFollowUp:
    decision: Decision
    points: list
    plans: list
    measure_links: list  # [MeasureLinks], one per measure, in plan order
    chart: dict
    open_points: int


@dataclass
class MeasureLinks:
    """A measure and the ways a decision touched it (created, amended, adopted its plan): one line, not one per way."""

    measure: Measure
    roles: list


def decision_followup(*, decision_id):
    """A decision with its points, what has been done about each (the linked measures and their latest report),
    the measures it created, amended or adopted, and a chart of its points by status.

    Raises Decision.DoesNotExist. Six queries.
    """
    decision = Decision.objects.select_related("source").prefetch_related("themes").get(pk=decision_id)
    measures = Measure.objects.select_related("latest_update__source", "responsible_unit").in_plan_order()
    points = list(decision.points.prefetch_related(Prefetch("measures", queryset=measures)).order_by("number"))
    links = list(
        MeasureDecision.objects.filter(decision=decision)
        .select_related("measure__latest_update__source", "measure__responsible_unit")
        .order_by("measure__plan_id", "measure__number", "measure__title", "pk")
    )
    counts = Counter(point.status for point in points)
    return DecisionFollowUp(
        decision=decision,
        points=points,
        plans=list(decision.action_plans.all()),
        measure_links=links_by_measure(links),
        chart=charts.status_bars(charts.commitment_rows(counts)),
        open_points=sum(1 for point in points if point.status in OPEN_COMMITMENT_STATUSES),
    )


def links_by_measure(links):
    """[MeasureLinks] from MeasureDecision rows (with their measures selected), in the rows' order."""
    grouped = {}
    for link in links:
        grouped.setdefault(link.measure_id, MeasureLinks(link.measure, [])).roles.append(link.get_role_display())
    return list(grouped.values())


# --- One measure on one page ------------------------------------------------------------------------------------------


@dataclass
class MeasureSummary:
    measure: Measure
    latest: StatusUpdate | None
    changes: list  # charts.StatusSpell, newest first, at most SUMMARY_CHANGES
    earlier_changes: int
    links: list  # [(label, url)]
    commitments: list
    more_commitments: int
    decision_links: list
    description: str
    description_cut: bool
    url: str


def _cut(text, limit):
    text = (text or "").strip()
    if len(text) <= limit:
        return text, False
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:") + " …", True


def measure_summary(*, measure_id):
    """One measure as a one-page summary: its status timeline (each change of status, newest first), its links
    (documentation given in its reports, its source, its page), its latest report and what it answers to.

    Long texts and lists are cut to fit one page; the page says so and gives the address of the full record.
    Raises Measure.DoesNotExist. Six queries.
    """
    measure = (
        Measure.objects.select_related(
            "plan",
            "responsible_unit",
            "source",
            "latest_update__author",
            "latest_update__period",
            "latest_update__source",
        )
        .prefetch_related("partners", "locations")
        .get(pk=measure_id)
    )
    history = measure.updates.select_related("source").order_by("recorded_at", "id")
    changes = charts.status_timeline(((update.status, update.applies_on) for update in history), MeasureStatus)
    links = []
    for evidence in (
        measure.updates.exclude(evidence_links="")
        .order_by("-recorded_at", "-id")
        .values_list("evidence_links", flat=True)[:SUMMARY_LINKS]
    ):
        for line in evidence.splitlines():
            url = line.strip()
            if url and url not in [known for _label, known in links]:
                links.append(("", url))
    links = links[:SUMMARY_LINKS]
    if measure.source.url:
        links.append((measure.source.title, measure.source.url))
    commitments = list(measure.commitments.select_related("decision", "platform").in_document_order())
    description, cut = _cut(measure.description, SUMMARY_TEXT)
    return MeasureSummary(
        measure=measure,
        latest=measure.latest_update,
        changes=changes[:SUMMARY_CHANGES],
        earlier_changes=max(0, len(changes) - SUMMARY_CHANGES),
        links=links,
        commitments=commitments[:SUMMARY_COMMITMENTS],
        more_commitments=max(0, len(commitments) - SUMMARY_COMMITMENTS),
        decision_links=list(measure.measuredecision_set.select_related("decision").order_by("decision__title")),
        description=description,
        description_cut=cut,
        url=settings.SITE_URL + measure.get_absolute_url(),
    )


# --- The lists, as PDF ---------------------------------------------------------------------------------------------


@dataclass
class ListReport:
    kind: str  # "commitment", "measure", "decision", "plan"
    records: list
    selection: list
    chart: dict | None
    count: int


def _commitment_list(filterset):
    measures = Measure.objects.select_related("latest_update", "responsible_unit").in_plan_order()
    records = list(filterset.qs.prefetch_related(Prefetch("measures", queryset=measures)))
    chart = charts.status_bars(charts.commitment_rows(Counter(record.status for record in records)))
    return records, chart


def _measure_list(filterset):
    records = [
        MeasureEntry(measure=measure, update=measure.latest_update, late=measure.is_late)
        for measure in filterset.qs.select_related("source", "latest_update__period", "latest_update__source")
    ]
    chart = charts.status_bars(charts.measure_rows(Counter(entry.update and entry.update.status for entry in records)))
    return records, chart


def _decision_list(filterset):
    records = list(filterset.qs.prefetch_related(Prefetch("points", queryset=Commitment.objects.order_by("number"))))
    counts = Counter()
    for decision in records:
        decision.point_counts = charts.commitment_rows(Counter(point.status for point in decision.points.all()))
        counts.update(point.status for point in decision.points.all())
    return records, charts.status_bars(charts.commitment_rows(counts))


def _plan_list(filterset):
    records = list(filterset.qs)
    per_plan = Measure.objects.filter(plan__in=filterset.qs.order_by().values("pk")).status_counts_per("plan")
    total = Counter()
    for plan in records:
        counts = per_plan.get(plan.pk, {})
        plan.measure_rows = charts.measure_rows(counts)
        plan.measure_total = sum(counts.values())
        total.update(counts)
    return records, charts.status_bars(charts.measure_rows(total))


# kind: (filter, the list page's queryset and order, the builder). The order is the list page's own default.
LISTS = {
    "commitment": (
        CommitmentFilter,
        lambda: Commitment.objects.select_related("decision", "platform").in_document_order(),
        _commitment_list,
    ),
    "measure": (
        MeasureFilter,
        lambda: Measure.objects.select_related("plan", "responsible_unit", "latest_update").in_plan_order(),
        _measure_list,
    ),
    "decision": (
        DecisionFilter,
        lambda: Decision.objects.select_related("source").order_by("-decided_on", "title", "pk"),
        _decision_list,
    ),
    "plan": (
        ActionPlanFilter,
        lambda: ActionPlan.objects.select_related("adopted_by").order_by("-valid_from_year", "title", "pk"),
        _plan_list,
    ),
}


def list_report(*, kind, params):
    """The records a public list shows for these GET parameters (all of them, not one page), in the list's order,
    with a chart of their statuses. `kind` is «commitment», «measure», «decision» or «plan».

    The selection is made by the list's own FilterSet (measures.filters), so it is the list's selection exactly;
    the page number is ignored. A fixed number of queries.
    """
    filterset_class, queryset, build = LISTS[kind]
    params = list_params(kind=kind, params=params)  # its filters and sort only (not the page)
    filterset = filterset_class(params or None, queryset=queryset())
    records, chart = build(filterset)
    return ListReport(
        kind=kind,
        records=records,
        selection=active_filters(filterset, params) if params else [],
        chart=chart,
        count=len(records),
    )


def list_params(*, kind, params):
    """Only the GET parameters the list of `kind` understands (its filters and sort), in a fixed order; the page
    number and made-up parameters are left out. (A cached list PDF is keyed by canonical_params.)"""
    filterset_class = LISTS[kind][0]
    known = QueryDict(mutable=True)
    for name in sorted(filterset_class.base_filters):
        values = [value for value in params.getlist(name) if value.strip()]
        if values:
            known.setlist(name, sorted(values))
    return known


def list_filterset(*, kind, params):
    """The list of `kind`'s own FilterSet for the GET parameters it understands."""
    filterset_class, queryset, _build = LISTS[kind]
    known = list_params(kind=kind, params=params)
    return filterset_class(known or None, queryset=queryset())


def canonical_params(filterset):
    """The valid filter values of a bound, valid `filterset` written one way only: records by id, lists in order.

    The key of a cached report: «theme=1», «theme=01» and «theme=1&unit=» select the same and must not render the
    same report again. Empty filters are left out; a sort keeps its order.
    """
    canonical = QueryDict(mutable=True)
    for name in sorted(filterset.filters):
        values = _as_strings(filterset.form.cleaned_data.get(name))
        if not isinstance(filterset.filters[name], django_filters.OrderingFilter):
            values = sorted(values)
        if values:
            canonical.setlist(name, values)
    return canonical


def _as_strings(value):
    if value is None or value == "":
        return []
    if isinstance(value, Model):
        return [str(value.pk)]
    if isinstance(value, QuerySet | list | tuple | set):
        return [text for item in value for text in _as_strings(item)]
    text = str(value).strip()
    return [text] if text else []


def list_size(*, kind, params):
    """How many records the list of `kind` holds for `params` (one query)."""
    filterset_class, queryset, _build = LISTS[kind]
    return filterset_class(params or None, queryset=queryset()).qs.count()


def status_report_size(*, params):
    """How many measures a status report with the filter `params` covers (one query)."""
    return MeasureFilter(params or None, queryset=Measure.objects.all()).qs.count()
