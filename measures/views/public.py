"""The public tracking pages: readable by anyone, without an account.

Each view fetches what its page shows in a fixed number of queries (select_related / prefetch_related / aggregates),
so the number of queries does not grow with the data.
"""

import functools

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from bergen_rus.audit import audit_trail
from decisions.models import Commitment, Decision, Platform, Source, Theme
from decisions.status import CommitmentStatus

from .. import charts
from ..caching import fragment_version
from ..filters import ActionPlanFilter, CommitmentFilter, DecisionFilter, MeasureFilter, active_filters
from ..models import ActionPlan, Correction, Location, Measure, MeasureDecision, Organisation, StatusUpdate
from ..permissions import can_edit, can_report_on, can_see_history
from ..reports.data import links_by_measure
from ..review import OVERVIEW_ROWS, late_and_neglected
from ..search import ranked
from ..status import NOT_REPORTED, MeasureStatus
from .review import comment_context

PER_PAGE = 25
SEARCH_ROWS = 10
LINKED_COMMITMENTS = 100

# A measure's status is stored on it (current_status), so lists need no join with its updates.
MEASURE_LIST_RELATED = ["plan", "responsible_unit"]


def filtered_list(request, *, filterset_class, queryset, template, title, pdf_url_name, feed_url_name, extra=None):
    """A filtered, sorted, paginated list. An HTMX request gets only the results part of the page."""
    filterset = SimpleLazyObject(lambda: filterset_class(request.GET or None, queryset=queryset, request=request))
    # The results are the same for everybody who asks for the same address (a template fragment cached under the
    # data's version, the language and the day): they are queried only when the fragment is rendered.
    page = SimpleLazyObject(lambda: page_of(filterset.qs, request.GET.get("page")))
    pdf_query = request.GET.copy()
    pdf_query.pop("page", None)  # the list's PDF holds every page of it
    context = {
        "title": title,
        "filterset": filterset,
        "fragment_version": fragment_version(),
        "page": page,
        "active_filters": SimpleLazyObject(lambda: active_filters(filterset, request.GET)),
        "results_template": results_template(template),
        "today": timezone.localdate(),
        "pdf_url": reverse(pdf_url_name) + (f"?{pdf_query.urlencode()}" if pdf_query else ""),
        # The same selection as a spreadsheet (measures.views.spreadsheets): «measure_list_pdf» → «measure_export».
        "sheet_url_name": pdf_url_name.replace("_list_pdf", "_export"),
        "sheet_query": pdf_query.urlencode(),
        # The feed of what the list shows, whichever page of it is open.
        "feed_url": reverse(feed_url_name) + (f"?{pdf_query.urlencode()}" if pdf_query else ""),
        **(extra or {}),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "tracking/_cached_results.html", context)
    return render(request, template, context)


def measure_commitments(measure):
    """The commitments `measure` answers to, in their documents' order (its page and the answer to a report)."""
    return measure.commitments.select_related("decision", "platform").in_document_order()


def record_context(request, obj, edit_url_name):
    """What a logged-in person sees on a record's page besides the record: its audit trail and an edit link."""
    user = request.user
    editable = can_edit(user, obj)
    version = fragment_version()
    return {
        "fragment_version": version,
        # Read only when the page's trail fragment is rendered (see includes/audit_trail.html).
        "trail": SimpleLazyObject(lambda: audit_trail(obj)) if can_see_history(user) else None,
        # The trail is the same for everybody who may see it: a fragment cached under the record and the data's version.
        "trail_key": f"{obj._meta.label_lower}:{obj.pk}:{version}",
        "can_edit": editable,
        "edit_url": reverse(edit_url_name, args=[obj.pk]) if editable else "",
    }


def corrections_of(obj):
    """The corrections made to `obj` (a record with a page), newest first: one query, shown under its source."""
    name = next(name for name in Correction.LINKED if isinstance(obj, Correction._meta.get_field(name).related_model))
    return one_per_entry(Correction.objects.filter(**{name: obj}).order_by("-made_at", "-id"))


def one_per_entry(corrections):
    """One row per correction entry: a changed link writes a row per commitment; these are shown as one, with the
    commitments whose pages also show it in `also`."""
    entries = {}
    for correction in corrections:
        entry = entries.setdefault(correction.key, correction)
        if not hasattr(entry, "also"):
            entry.also = []
        if correction.commitment_id and correction.measure_id:
            entry.also.append(correction.commitment)
    return list(entries.values())


def page_of(queryset, number, per_page=PER_PAGE):
    """One page of `queryset`: the ids are sorted and counted first, then only that page's rows are fetched.

    Sorting narrow rows of ids keeps a page deep into 10,000 records cheap (the full rows, joined, would be sorted
    on disk); the page holds the records themselves, in order.
    """
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    records = queryset.order_by().in_bulk(ids)
    page.object_list = [records[pk] for pk in ids if pk in records]
    return page


def results_template(template):
    """'tracking/measure_list.html' -> 'tracking/_measure_results.html', the part HTMX swaps in."""
    folder, _sep, name = template.rpartition("/")
    return f"{folder}/_{name.removesuffix('_list.html')}_results.html"


@require_safe
def home(request):
    """The dashboard. Its body is the same for everybody (a template fragment cached under the data's version, the
    code, the language and the day), so nothing here is read until the fragment is rendered: logged-in people, whose
    pages are always rendered, pay for the counts over every measure once per change of the data, not per request."""
    today = timezone.localdate()
    overview = functools.cache(lambda: late_and_neglected(today))
    context = {
        "commitment_chart": functools.cache(
            lambda: charts.status_bars(
                charts.commitment_rows(Commitment.objects.status_counts()), width=charts.PAGE_CHART_WIDTH
            )
        ),
        "measure_chart": functools.cache(
            lambda: charts.status_bars(
                charts.measure_rows(Measure.objects.status_counts()), width=charts.PAGE_CHART_WIDTH
            )
        ),
        **{
            name: functools.partial(lambda name: overview()[name], name)
            for name in ("late_measures", "late_count", "not_followed_up", "not_followed_up_count")
        },
        # Reports people made; a status a source document states has no date of its own to be «recent» by.
        "recent_updates": StatusUpdate.objects.filter(author__isnull=False)
        .select_related("measure", "period", "author", "source")
        .order_by("-recorded_at", "-id")[:OVERVIEW_ROWS],
        "moved_commitments": Commitment.objects.filter(status_changed_at__isnull=False)
        .select_related("decision", "platform")
        .order_by("-status_changed_at", "pk")[:OVERVIEW_ROWS],
        "themes": Theme.objects.all(),
        "today": today,
        "fragment_version": fragment_version(),
        "feed_url": reverse("feed"),
    }
    return render(request, "tracking/home.html", context)


@require_safe
def commitment_list(request):
    queryset = Commitment.objects.select_related("decision", "platform").with_measure_count().in_document_order()
    return filtered_list(
        request,
        filterset_class=CommitmentFilter,
        queryset=queryset,
        template="tracking/commitment_list.html",
        pdf_url_name="commitment_list_pdf",
        feed_url_name="commitment_list_feed",
        title=Commitment._meta.verbose_name_plural,
    )


@require_safe
def commitment_detail(request, pk):
    commitment = get_object_or_404(
        Commitment.objects.select_related("decision__source", "platform__source", "source").prefetch_related("themes"),
        pk=pk,
    )
    measures = list(commitment.measures.select_related(*MEASURE_LIST_RELATED).in_plan_order())
    touched_by = (
        MeasureDecision.objects.filter(measure__in=[m.pk for m in measures])
        .select_related("decision", "measure")
        .order_by("decision__title", "measure__title")
    )
    history = commitment.history.order_by("history_date", "history_id").values_list(
        "status", "history_date", "history_type", "fixture_pk"
    )
    # The status a loaded record was created with (its first history row, marked by fixture_pk) is what the documents
    # state; the day of loading is no date of it.
    status_history = charts.status_timeline(
        ((status, None if kind == "+" and loaded is not None else when) for status, when, kind, loaded in history),
        CommitmentStatus,
    )
    context = {
        "corrections": corrections_of(commitment),
        "commitment": commitment,
        "status": CommitmentStatus(commitment.status),
        "measures": measures,
        "touched_by": touched_by,
        "status_history": status_history,
        "today": timezone.localdate(),
        "feed_url": reverse("commitment_feed", args=[commitment.pk]),
        **record_context(request, commitment, "edit_commitment"),
        **comment_context(request, commitment),
    }
    return render(request, "tracking/commitment_detail.html", context)


@require_safe
def decision_list(request):
    queryset = Decision.objects.select_related("source").with_point_counts().order_by("-decided_on", "title", "pk")
    return filtered_list(
        request,
        filterset_class=DecisionFilter,
        queryset=queryset,
        template="tracking/decision_list.html",
        pdf_url_name="decision_list_pdf",
        feed_url_name="decision_list_feed",
        title=Decision._meta.verbose_name_plural,
    )


@require_safe
def decision_detail(request, pk):
    decision = get_object_or_404(Decision.objects.select_related("source").prefetch_related("themes"), pk=pk)
    points = decision.points.prefetch_related(
        Prefetch("measures", queryset=Measure.objects.order_by("number", "title"))
    ).order_by("number")
    measure_links = links_by_measure(
        decision.measuredecision_set.select_related("measure").order_by("measure__number", "measure__title", "pk")
    )
    context = {
        "corrections": corrections_of(decision),
        "decision": decision,
        "points": points,
        "plans": decision.action_plans.all(),
        "measure_links": measure_links,
        "chart": charts.status_bars(
            charts.commitment_rows(decision.points.status_counts()),
            width=charts.PAGE_CHART_WIDTH,
        ),
        "pdf_url": reverse("decision_pdf", args=[decision.pk]),
        **record_context(request, decision, "edit_decision"),
    }
    return render(request, "tracking/decision_detail.html", context)


@require_safe
def platform_detail(request, pk):
    platform = get_object_or_404(Platform.objects.select_related("source"), pk=pk)
    pledges = platform.pledges.prefetch_related(
        Prefetch("measures", queryset=Measure.objects.order_by("number", "title"))
    ).order_by("number")
    context = {
        "corrections": corrections_of(platform),
        "platform": platform,
        "pledges": pledges,
        "chart": charts.status_bars(
            charts.commitment_rows(platform.pledges.status_counts()),
            width=charts.PAGE_CHART_WIDTH,
        ),
    }
    return render(request, "tracking/platform_detail.html", context)


@require_safe
def measure_list(request):
    return filtered_list(
        request,
        filterset_class=MeasureFilter,
        queryset=Measure.objects.select_related(*MEASURE_LIST_RELATED).in_plan_order(),
        template="tracking/measure_list.html",
        pdf_url_name="measure_list_pdf",
        feed_url_name="measure_list_feed",
        title=Measure._meta.verbose_name_plural,
        extra={"status_sheets": True},
    )


@require_safe
def measure_detail(request, pk):
    """A measure's page. Its record (facts, links, status history) and its audit trail are the same for everybody
    who may see them: template fragments cached under the data's version, the language and the day, queried only
    when they are rendered. What is the reader's own (the buttons their role gives, the comments and their forms)
    is rendered for each request."""
    measure = get_object_or_404(
        # What the page shows outside its cached record (the record reads its unit and source when it is rendered).
        Measure.objects.select_related("plan", "parent", "latest_update__source"),
        pk=pk,
    )
    context = {
        "corrections": SimpleLazyObject(lambda: corrections_of(measure)),
        "measure": measure,
        "status": measure.status,
        "partners": measure.partners.all(),
        "locations": measure.locations.all(),
        "themes": measure.themes.all(),
        "updates": measure.updates.select_related("author", "period", "source").order_by("-recorded_at", "-id"),
        "commitments": measure_commitments(measure),
        "decision_links": measure.measuredecision_set.select_related("decision").order_by("decision__title"),
        "sub_measures": measure.sub_measures.select_related("responsible_unit").order_by("number", "title"),
        "can_report": can_report_on(request.user, measure),
        "pdf_url": reverse("measure_pdf", args=[measure.pk]),
        "feed_url": reverse("measure_feed", args=[measure.pk]),
        "today": timezone.localdate(),
        **record_context(request, measure, "edit_measure"),
        **comment_context(request, measure),
    }
    return render(request, "tracking/measure_detail.html", context)


@require_safe
def plan_list(request):
    queryset = (
        ActionPlan.objects.select_related("adopted_by")
        .with_measure_counts()
        .order_by("-valid_from_year", "title", "pk")
    )
    return filtered_list(
        request,
        filterset_class=ActionPlanFilter,
        queryset=queryset,
        template="tracking/plan_list.html",
        pdf_url_name="plan_list_pdf",
        feed_url_name="plan_list_feed",
        title=ActionPlan._meta.verbose_name_plural,
    )


@require_safe
def plan_detail(request, pk):
    plan = get_object_or_404(
        ActionPlan.objects.select_related("adopted_by", "source").prefetch_related("themes"), pk=pk
    )
    measures = plan.measures.select_related(*MEASURE_LIST_RELATED)
    page = page_of(measures.in_plan_order(), request.GET.get("page"), PER_PAGE * 2)
    context = {
        "corrections": corrections_of(plan),
        "plan": plan,
        "plan_document": f"plan-{plan.pk}",
        "page": page,
        "chart": charts.status_bars(
            charts.measure_rows(measures.status_counts()),
            width=charts.PAGE_CHART_WIDTH,
        ),
        "today": timezone.localdate(),
    }
    return render(request, "tracking/plan_detail.html", context)


@require_safe
def location_list(request):
    locations = Location.objects.select_related("operator").with_measure_count()
    return render(request, "tracking/location_list.html", {"locations": locations})


@require_safe
def location_detail(request, pk):
    location = get_object_or_404(Location.objects.select_related("operator", "source"), pk=pk)
    measures = location.measures.select_related(*MEASURE_LIST_RELATED).in_plan_order()
    here = Measure.locations.through.objects.filter(location=location)
    context = {
        "corrections": corrections_of(location),
        "location": location,
        "page": page_of(measures, request.GET.get("page"), PER_PAGE * 2),
        "commitments": Commitment.objects.filter(
            pk__in=Measure.commitments.through.objects.filter(measure__in=here.values("measure")).values("commitment")
        )
        .select_related("decision", "platform")
        .in_document_order()[:LINKED_COMMITMENTS],
        "chart": charts.status_bars(
            charts.measure_rows(measures.status_counts()),
            width=charts.PAGE_CHART_WIDTH,
        ),
        "today": timezone.localdate(),
    }
    return render(request, "tracking/location_detail.html", context)


@require_safe
def organisation_list(request):
    organisations = Organisation.objects.with_measure_counts()
    return render(request, "tracking/organisation_list.html", {"organisations": organisations})


@require_safe
def organisation_detail(request, pk):
    organisation = get_object_or_404(Organisation.objects.select_related("source"), pk=pk)
    context = {
        "corrections": corrections_of(organisation),
        "organisation": organisation,
        "responsible_for": organisation.responsible_for.select_related(*MEASURE_LIST_RELATED).in_plan_order()[:100],
        "partner_in": organisation.partner_in.select_related(*MEASURE_LIST_RELATED).in_plan_order()[:100],
        "locations": organisation.locations.all(),
        "today": timezone.localdate(),
        "feed_url": reverse("unit_feed", args=[organisation.pk]),
    }
    return render(request, "tracking/organisation_detail.html", context)


@require_safe
def source_list(request):
    """Every public document the records are taken from."""
    sources = Source.objects.order_by("kind", "title", "pk")
    page = page_of(sources, request.GET.get("page"), PER_PAGE * 2)
    return render(request, "tracking/source_list.html", {"page": page})


@require_safe
def source_detail(request, pk):
    source = get_object_or_404(Source, pk=pk)
    context = {
        "corrections": corrections_of(source),
        "source": source,
        "decisions": source.decisions.all(),
        "platforms": source.platforms.all(),
        "commitments": source.commitments.select_related("decision", "platform").in_document_order()[:200],
        "plans": source.action_plans.all(),
        "measures": source.measures.in_plan_order()[:200],
        "updates": source.status_updates.select_related("measure").order_by("-recorded_at")[:200],
        "locations": source.locations.all(),
        "organisations": source.organisations.all(),
    }
    return render(request, "tracking/source_detail.html", context)


@require_safe
def correction_list(request):
    """«Rettelser»: every correction made to a record taken from the sources, newest first, in one query.

    Not paginated: corrections come in rounds of a few dozen (see fixtures/corrections/), so the whole list is short.
    """
    corrections = Correction.objects.select_related(*Correction.LINKED).order_by("-made_at", "-id")
    return render(request, "tracking/correction_list.html", {"corrections": one_per_entry(corrections)})


@require_safe
def status_legend(request):
    context = {"measure_rows": charts.measure_rows({}), "commitment_rows": charts.commitment_rows({})}
    return render(request, "tracking/status_legend.html", context)


@require_safe
def platform_list(request):
    platforms = Platform.objects.with_pledge_count()
    return render(request, "tracking/platform_list.html", {"platforms": platforms})


@require_safe
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    sections = []
    if query:
        for model, related, list_url in [
            (Commitment, ("decision", "platform"), "commitment_list"),
            (Decision, (), "decision_list"),
            (Measure, ("plan",), "measure_list"),
            (ActionPlan, (), "plan_list"),
            (Location, (), None),
            (Organisation, (), None),
        ]:
            hits = ranked(model.objects.select_related(*related), query)
            sections.append(
                {
                    "name": model._meta.verbose_name_plural,
                    "kind": model._meta.model_name,
                    "hits": hits[:SEARCH_ROWS],
                    "count": hits.count(),
                    "list_url": list_url,
                }
            )
    context = {"query": query, "sections": sections, "total": sum(s["count"] for s in sections)}
    if request.htmx and not request.htmx.boosted:
        return render(request, "tracking/_search_results.html", context)
    return render(request, "tracking/search.html", context)


@require_safe
@cache_control(max_age=24 * 60 * 60, public=True)
def status_css(request):
    """The status colours as CSS classes, written from the one place that defines them (the status enums)."""
    css = render_to_string(
        "tracking/status.css",
        {
            "measure_statuses": MeasureStatus,
            "commitment_statuses": CommitmentStatus,
            "not_reported": NOT_REPORTED,
        },
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")
