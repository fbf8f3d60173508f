"""The follow-up of a council decision: its points, the measures that follow each one up and what they have done."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch

from decisions.models import Decision
from decisions.status import OPEN_COMMITMENT_STATUSES

from ... import charts
from ...models import Measure, MeasureDecision


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
