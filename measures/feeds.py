"""Atom feeds (Django's syndication framework) of new status reports and changed commitment statuses.

One feed for the whole site and one per commitment, measure, theme and unit, and one for any filtered list of
measures or commitments (the list's own filters, as GET parameters). A feed holds the newest FEED_ENTRIES entries of
two kinds: a status report a person made (signed with their name as on the pages; a status a document states has
no date of its own and is no news), and a change of a commitment's rolled-up status (read from the commitment's
history, one entry per change). Everything in them is public on the pages.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from decisions.models import Commitment, Decision, Theme
from decisions.status import CommitmentStatus

from .filters import ActionPlanFilter, CommitmentFilter, DecisionFilter, MeasureFilter
from .models import ActionPlan, Measure, Organisation, StatusUpdate
from .status import MeasureStatus

FEED_ENTRIES = 50


@dataclass
class Scope:
    """What one feed follows: its title and page, the measures whose reports and the commitments whose statuses
    it carries (querysets; None for all)."""

    title: str
    link: str
    measures: object = None
    commitments: object = None
    address: str = ""  # the feed's own address, with the filters of a list


@dataclass
class Entry:
    title: str
    link: str
    description: str
    author: str
    when: datetime
    guid: str


def report_entries(measures):
    updates = StatusUpdate.objects.filter(author__isnull=False).select_related("measure", "author", "period")
    if measures is not None:
        updates = updates.filter(measure__in=measures.order_by().values("pk"))
    entries = []
    for update in updates.order_by("-recorded_at", "-id")[:FEED_ENTRIES]:
        status = MeasureStatus(update.status).label
        text = update.happened + (f"\n\n{_('Next step')}: {update.next_step}" if update.next_step else "")
        link = f"{update.measure.get_absolute_url()}#update-{update.pk}"
        entries.append(
            Entry(
                title=_("%(measure)s: %(status)s") % {"measure": update.measure, "status": status},
                link=link,
                description=text,
                author=update.reporter_name,
                when=update.recorded_at,
                guid=f"{settings.SITE_URL}{link}",
            )
        )
    return entries


def status_entries(commitments):
    """One entry per change of a commitment's status: the distinct (commitment, status, time of change) rows of the
    history (a later edit of the commitment repeats the same time of change)."""
    history = Commitment.history.filter(status_changed_at__isnull=False)
    if commitments is not None:
        history = history.filter(id__in=commitments.order_by().values("pk"))
    changes = (
        history.values("id", "number", "title", "status", "status_changed_at")
        .distinct()
        .order_by("-status_changed_at", "-id")[:FEED_ENTRIES]
    )
    entries = []
    for change in changes:
        link = reverse("commitment_detail", args=[change["id"]])
        status = CommitmentStatus(change["status"]).label
        moment = change["status_changed_at"]
        entries.append(
            Entry(
                title=_("%(commitment)s: now %(status)s")
                % {"commitment": f"{change['number']}. {change['title']}", "status": str(status).lower()},
                link=link,
                description=_("The commitment's status, rolled up from its measures, changed to «%(status)s».")
                % {"status": status},
                author=settings.OPEN_DATA_PUBLISHER_NAME,
                when=moment,
                guid=f"{settings.SITE_URL}{link}#status-{moment.timestamp():.6f}",
            )
        )
    return entries


class ChangesFeed(Feed):
    feed_type = Atom1Feed
    author_name = settings.OPEN_DATA_PUBLISHER_NAME

    def get_object(self, request, **kwargs):
        scope = self.scope(request, **kwargs)
        scope.address = request.get_full_path()
        return scope

    def feed_url(self, scope):
        return scope.address

    def scope(self, request, **kwargs):
        return Scope(title=_("Drug policy in Bergen: new status reports and changed statuses"), link=reverse("home"))

    def title(self, scope):
        return scope.title

    def link(self, scope):
        return scope.link

    def subtitle(self, scope):
        return _("New status reports on measures and changes of the commitments' statuses.")

    def items(self, scope):
        entries = report_entries(scope.measures) + status_entries(scope.commitments)
        return sorted(entries, key=lambda entry: entry.when, reverse=True)[:FEED_ENTRIES]

    def item_title(self, entry):
        return entry.title

    def item_description(self, entry):
        return entry.description

    def item_link(self, entry):
        return entry.link

    def item_guid(self, entry):
        return entry.guid

    item_guid_is_permalink = False

    def item_author_name(self, entry):
        return entry.author

    def item_pubdate(self, entry):
        return entry.when

    def item_updateddate(self, entry):
        return entry.when


class CommitmentFeed(ChangesFeed):
    def scope(self, request, pk):
        commitment = get_object_or_404(Commitment, pk=pk)
        return Scope(
            title=_("Follow: %(record)s") % {"record": commitment},
            link=commitment.get_absolute_url(),
            measures=Measure.objects.filter(commitments=commitment),
            commitments=Commitment.objects.filter(pk=commitment.pk),
        )


class MeasureFeed(ChangesFeed):
    def scope(self, request, pk):
        measure = get_object_or_404(Measure, pk=pk)
        return Scope(
            title=_("Follow: %(record)s") % {"record": measure},
            link=measure.get_absolute_url(),
            measures=Measure.objects.filter(pk=measure.pk),
            commitments=Commitment.objects.filter(measures=measure),
        )


class ThemeFeed(ChangesFeed):
    def scope(self, request, slug):
        theme = get_object_or_404(Theme, slug=slug)
        return Scope(
            title=_("Follow the theme: %(theme)s") % {"theme": theme},
            link=f"{reverse('commitment_list')}?theme={theme.pk}",
            measures=Measure.objects.filter(themes=theme),
            commitments=Commitment.objects.filter(themes=theme),
        )


class UnitFeed(ChangesFeed):
    def scope(self, request, pk):
        unit = get_object_or_404(Organisation, pk=pk)
        measures = Measure.objects.filter(Q(responsible_unit=unit) | Q(partners=unit))
        return Scope(
            title=_("Follow: %(record)s") % {"record": unit},
            link=unit.get_absolute_url(),
            measures=measures,
            commitments=Commitment.objects.filter(measures__in=measures.values("pk")),
        )


def _filtered(filterset_class, request, queryset):
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        raise BadRequest("The list's filters do not accept these values.")
    return filterset.qs.order_by()


class ListFeed(ChangesFeed):
    """What a filtered list shows, followed: the list's own filters as GET parameters (a value the list refuses
    is refused with 400). Subclasses name the list and how its records reach measures and commitments."""

    list_name = ""
    filterset_class = None
    model = None
    everything = ""
    selection = ""

    def related(self, records):
        """(measures, commitments) of these records."""
        raise NotImplementedError

    def scope(self, request):
        records = _filtered(self.filterset_class, request, self.model.objects.all())
        measures, commitments = self.related(records.values("pk"))
        query = request.GET.urlencode()
        return Scope(
            title=str(self.selection if query else self.everything),
            link=reverse(self.list_name) + (f"?{query}" if query else ""),
            measures=measures,
            commitments=commitments,
        )


class MeasureListFeed(ListFeed):
    list_name, filterset_class, model = "measure_list", MeasureFilter, Measure
    everything, selection = gettext_lazy("Follow every measure"), gettext_lazy("Follow the list of measures")

    def related(self, records):
        return Measure.objects.filter(pk__in=records), Commitment.objects.filter(measures__in=records)


class CommitmentListFeed(ListFeed):
    list_name, filterset_class, model = "commitment_list", CommitmentFilter, Commitment
    everything, selection = gettext_lazy("Follow every commitment"), gettext_lazy("Follow the list of commitments")

    def related(self, records):
        return Measure.objects.filter(commitments__in=records), Commitment.objects.filter(pk__in=records)


class DecisionListFeed(ListFeed):
    list_name, filterset_class, model = "decision_list", DecisionFilter, Decision
    everything, selection = gettext_lazy("Follow every decision"), gettext_lazy("Follow the list of decisions")

    def related(self, records):
        measures = Measure.objects.filter(Q(commitments__decision__in=records) | Q(decisions__in=records))
        return measures, Commitment.objects.filter(decision__in=records)


class PlanListFeed(ListFeed):
    list_name, filterset_class, model = "plan_list", ActionPlanFilter, ActionPlan
    everything, selection = gettext_lazy("Follow every action plan"), gettext_lazy("Follow the list of action plans")

    def related(self, records):
        measures = Measure.objects.filter(plan__in=records)
        return measures, Commitment.objects.filter(measures__in=measures.values("pk"))
