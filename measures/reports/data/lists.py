"""Every public list as PDF: the rows its filters select, the filters written one way (the cache key) and the
size of a selection."""

from collections import Counter
from dataclasses import dataclass

import django_filters
from django.db.models import Model, Prefetch, QuerySet
from django.http import QueryDict

from decisions.models import Commitment, Decision

from ... import charts
from ...filters import ActionPlanFilter, CommitmentFilter, DecisionFilter, MeasureFilter, active_filters
from ...models import ActionPlan, Measure
from .status import MeasureEntry


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
