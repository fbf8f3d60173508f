"""The advisory council's review: comments and answers, and what is new since a member's last visit.

Plain functions with their side effects in their docstrings; the views check who may call them.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from decisions.models import Commitment

from .models import Comment, Measure, ReviewVisit, StatusUpdate

NEW_ROWS = 50
# How many late measures and neglected commitments an overview lists (each with a link to all of them).
OVERVIEW_ROWS = 8
# Looks at the review less than this apart are one sitting, with the same «new since»: a login session's length.
SITTING_GAP = timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
FIRST_VISIT_WINDOW = timezone.timedelta(days=30)


def threads(comments):
    """Group comments into threads: [(first comment, [answers…])], oldest thread first."""
    by_id = {}
    order = []
    for comment in comments:
        if comment.reply_to_id is None:
            by_id[comment.pk] = (comment, [])
            order.append(comment.pk)
    for comment in comments:
        if comment.reply_to_id is not None and comment.reply_to_id in by_id:
            by_id[comment.reply_to_id][1].append(comment)
    return [by_id[pk] for pk in order]


@dataclass
class NewSinceVisit:
    since: object
    first_visit: bool
    comments: list
    updates: list
    commitments: list


def new_since_last_visit(user, now=None):
    """What changed since `user` last opened the review: comments, status reports, commitments that moved.

    «Since» is the last look before the current sitting (see ReviewVisit): within a sitting the same things stay
    new. A first visit counts everything from the last 30 days as new. Reads only; call `mark_visited` afterwards
    with the result.
    """
    now = now or timezone.now()
    visit = ReviewVisit.objects.filter(user=user).first()
    if visit is None:
        since, first_visit = now - FIRST_VISIT_WINDOW, True
    elif now - visit.seen_at > SITTING_GAP:
        since, first_visit = visit.seen_at, False
    else:
        since, first_visit = visit.since or visit.seen_at, visit.sittings == 1
    comments = (
        Comment.objects.filter(created_at__gt=since)
        .exclude(author=user)
        .select_related("author", "measure", "commitment", "period")
        .order_by("-created_at", "-id")[:NEW_ROWS]
    )
    updates = (
        StatusUpdate.objects.filter(recorded_at__gt=since, author__isnull=False)
        .select_related("measure", "author", "period", "source")
        .order_by("-recorded_at", "-id")[:NEW_ROWS]
    )
    commitments = (
        Commitment.objects.filter(status_changed_at__gt=since)
        .select_related("decision", "platform")
        .order_by("-status_changed_at", "pk")[:NEW_ROWS]
    )
    return NewSinceVisit(since, first_visit, list(comments), list(updates), list(commitments))


def mark_visited(user, new, when=None):
    """Remember that `user` has seen the review now, with `new` (from new_since_last_visit) as what was new.

    Side effect: one ReviewVisit row written (a new sitting counted when `new` began one).
    """
    when = when or timezone.now()
    visit = ReviewVisit.objects.filter(user=user).first()
    if visit is None:
        ReviewVisit.objects.create(user=user, seen_at=when, since=new.since)
        return
    if visit.since != new.since:  # a new sitting
        visit.sittings += 1
    visit.seen_at, visit.since = when, new.since
    visit.save(update_fields=["seen_at", "since", "sittings"])


def late_and_neglected(today=None):
    """What is late and what nobody works on, for the overviews (the dashboard and the review).

    The first OVERVIEW_ROWS of each with their counts: measures past their deadline that are neither done nor
    cancelled, soonest deadline first, and commitments that need a measure and have none. Four queries when read.
    """
    today = today or timezone.localdate()
    late = Measure.objects.late(today).select_related("plan", "responsible_unit").order_by("deadline", "pk")
    neglected = Commitment.objects.not_followed_up().select_related("decision", "platform")
    return {
        "late_measures": late[:OVERVIEW_ROWS],
        "late_count": Measure.objects.late_count(today),
        "not_followed_up": neglected[:OVERVIEW_ROWS],
        "not_followed_up_count": neglected.count(),
    }
