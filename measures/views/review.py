"""The advisory council's pages: comments and answers, what is new since the last visit, indicators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from bergen_rus.converters import parse_id
from decisions.models import Commitment

from .. import charts
from ..forms import CommentForm, IndicatorForm, IndicatorValueForm, add_errors
from ..models import Comment, Indicator, IndicatorValue, Measure, PeriodState, ReportingPeriod
from ..permissions import can_answer, can_comment, can_see_history, is_coordinator
from ..progress import progress
from ..review import late_and_neglected, mark_visited, new_since_last_visit, threads
from ..services import post_comment, save_indicator_value
from .editing import edit_record

TARGETS = {"measure": Measure, "commitment": Commitment, "period": ReportingPeriod}


def comment_context(request, record):
    """The comment threads on `record` and what the person may do with them (a fixed number of queries)."""
    field = {Measure: "measure", Commitment: "commitment", ReportingPeriod: "period"}[type(record)]
    comments = Comment.objects.filter(**{field: record}).select_related("author").order_by("created_at", "id")
    return {
        "comment_threads": threads(list(comments)),
        "comment_kind": field,
        "comment_record": record,
        "can_comment": can_comment(request.user),
        "can_answer": can_answer(request.user, Comment(**{field: record})),
        "comment_form": CommentForm(),
    }


@login_required
@require_POST
def add_comment(request, kind, pk):
    """Write a comment on a record, or (with `reply_to`) answer one. Back to the record's comments afterwards."""
    model = TARGETS.get(kind)
    if model is None:
        raise Http404("Unknown kind of record.")
    record = get_object_or_404(model, pk=pk)
    reply_to = None
    if request.POST.get("reply_to"):
        reply_to = get_object_or_404(Comment, pk=parse_id(request.POST["reply_to"]) or 0)
        if reply_to.target != record:
            raise PermissionDenied(_("That comment belongs to another record."))
        if not can_answer(request.user, reply_to):
            raise PermissionDenied(_("Only a coordinator or the responsible caseworker answers comments here."))
    elif not can_comment(request.user):
        raise PermissionDenied(_("Only members of the advisory council and coordinators write comments."))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            post_comment(user=request.user, body=form.cleaned_data["body"], reply_to=reply_to, **{kind: record})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your answer is published.") if reply_to else _("Your comment is published."))
    else:
        messages.error(request, " ".join(form.errors.get("body", [_("The comment could not be saved.")])))
    return redirect(f"{_record_url(record)}#comments")


def _record_url(record):
    if isinstance(record, ReportingPeriod):
        return reverse("progress_report", args=[record.pk])
    return record.get_absolute_url()


@login_required
@require_GET  # not HEAD: a visit is written down
def review(request):
    """What is new since the person last looked, and the ways into the progress reports and indicators."""
    new = new_since_last_visit(request.user)
    context = {
        "new": new,
        **late_and_neglected(),
        "periods": ReportingPeriod.objects.exclude(state="planned").order_by("-ends_on")[:8],
        "indicators": Indicator.objects.all(),
    }
    response = render(request, "review/review.html", context)
    mark_visited(request.user, new)
    return response


@require_safe
def indicator_list(request):
    indicators = Indicator.objects.prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("year"))
    )
    rows = [(indicator, charts.indicator_chart(indicator, list(indicator.values.all()))) for indicator in indicators]
    return render(request, "review/indicator_list.html", {"rows": rows, "coordinator": is_coordinator(request.user)})


@require_safe
def indicator_detail(request, pk):
    indicator = get_object_or_404(
        Indicator.objects.select_related("source").prefetch_related("themes", "commitments"), pk=pk
    )
    values = list(indicator.values.select_related("source", "entered_by").order_by("year"))
    context = {
        "indicator": indicator,
        "values": values,
        "chart": charts.indicator_chart(indicator, values),
        "coordinator": is_coordinator(request.user),
        "replaced": replaced_values(indicator) if can_see_history(request.user) else [],
    }
    return render(request, "review/indicator_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit_indicator(request, pk=None):
    return edit_record(
        request, model=Indicator, pk=pk, form_class=IndicatorForm, headings=(_("Edit indicator"), _("New indicator"))
    )


def replaced_values(indicator):
    """The values of `indicator` that a later one replaced or that were removed, from the history (one query):
    every version of a year's value but its latest, by year, each with when it was entered and by whom."""
    versions = IndicatorValue.history.filter(indicator_id=indicator.pk).select_related("source", "history_user")
    replaced, seen = [], set()
    for version in versions.order_by("id", "-history_date", "-history_id"):  # newest first for each value
        if version.id in seen:
            replaced.append(version)  # an older version: a later one (or the removal) took its place
        seen.add(version.id)
    return sorted(replaced, key=lambda version: (version.year, version.history_date))


@login_required
@require_http_methods(["GET", "POST"])
def add_indicator_value(request, pk):
    """Enter (or correct) one year's value of an indicator, with the source that states it."""
    indicator = get_object_or_404(Indicator, pk=pk)
    if not request.user.has_perm("measures.add_indicatorvalue"):
        raise PermissionDenied(_("Only coordinators enter indicator values."))
    form = IndicatorValueForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            value = save_indicator_value(
                user=request.user,
                indicator=indicator,
                year=data["year"],
                value=data["value"],
                source=data["source"],
                source_note=data["source_note"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The value for %(year)s is saved.") % {"year": value.year})
            return redirect(indicator)
    return render(request, "review/indicator_value_form.html", {"indicator": indicator, "form": form})


@require_safe
def progress_report(request, pk):
    """What moved in a period, side by side with the previous one. Published periods are public; the others are
    for logged-in people while the coordinator is still working on them."""
    period = get_object_or_404(ReportingPeriod, pk=pk)
    if period.state != PeriodState.PUBLISHED and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    context = {"progress": progress(period), **comment_context(request, period)}
    return render(request, "review/progress.html", context)
