"""One measure on one page: its status, what it fulfils, what happened lately, cut to fit the page."""

from dataclasses import dataclass

from django.conf import settings

from ... import charts
from ...models import Measure, StatusUpdate
from ...status import MeasureStatus

# The one-page summary of a measure shows at most this much; the rest is on the measure's web page.
SUMMARY_CHANGES = 8
SUMMARY_LINKS = 5
SUMMARY_COMMITMENTS = 5
SUMMARY_TEXT = 600


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
