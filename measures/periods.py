"""The period rules: the sequence of reporting periods, which updates count for a period, a measure's status at the
end of a period, the previous period and the default one. Progress reports, the status report, the reminders and the
reporting pages all read periods through this module.

A measure's **status at a period** is the status of its latest update (by `recorded_at`, then id) among the updates
that count for that period: those reported into the period or an earlier one of the ordered sequence of periods
(ordered by `ends_on`, then `starts_on`, then id), those a person recorded before the period ended (before midnight
after its last day, Europe/Oslo), and those a public document states (no author, no period) whose date – `as_of`, else
the document's `published_on` – is not after the period's last day. A status a document states without any date is
known from before the first period: when it was loaded into the database is no date of the status. A measure with
no such update is «not reported» at that period. A commitment's status at a period is rolled up from its linked
measures' statuses at that period by `measures.status.roll_up_links`, the same rule that keeps `Commitment.status`
for today.

Every function here takes keyword arguments only (but for the one-argument helpers) and costs a fixed number of
queries, whatever the number of measures, updates or commitments: the per-measure "latest update that counts" is one
correlated subquery, read in one query, never a query per measure.
"""

from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from bergen_rus.converters import parse_id

from .models import Measure, PeriodKind, ReportingPeriod, StatusUpdate

# --- Periods -------------------------------------------------------------------------------------------------------


def _period_order(period):
    return (period.ends_on, period.starts_on, period.pk)


def ordered_periods():
    """Every reporting period in the sequence reports compare along: by end date, then start date, then id.

    One query.
    """
    return sorted(ReportingPeriod.objects.all(), key=_period_order)


def previous_period(*, period, periods=None):
    """The period just before `period` in the ordered sequence, or None for the first one.

    `periods` is the result of ordered_periods() when the caller has it already; otherwise one query.
    """
    periods = ordered_periods() if periods is None else periods
    earlier = [other for other in periods if _period_order(other) < _period_order(period)]
    return earlier[-1] if earlier else None


def period_end(period):
    """The moment `period` ends: midnight after its last day, in the project's time zone (Europe/Oslo)."""
    return _end_of(period.ends_on)


def period_key(period):
    """The short, stable name of a period in URLs and on the command line: «2026-year», «2026-t1»."""
    return f"{period.year}-{period.kind}"


def find_period(key):
    """The ReportingPeriod named by period_key() («2026-t2») or by its id («17»), or None. One query."""
    year, _sep, kind = (key or "").strip().partition("-")
    year = parse_id(year)
    if year is not None and kind in PeriodKind.values:
        return ReportingPeriod.objects.filter(year=year, kind=kind).first()
    if year is not None and not kind:
        return ReportingPeriod.objects.filter(pk=year).first()
    return None


def default_period(*, periods=None, today=None):
    """The period a report is for unless someone chooses: the latest one that has ended; before any has ended, the
    running one that ends first; before any has started, the first one. None when there are no periods.

    `periods` as from ordered_periods(); otherwise one query.
    """
    periods = ordered_periods() if periods is None else periods
    today = today or timezone.localdate()
    ended = [period for period in periods if period.ends_on < today]
    if ended:
        return ended[-1]
    running = [period for period in periods if period.starts_on <= today]
    return (running or periods or [None])[0]


# --- Status at a period --------------------------------------------------------------------------------------------


def _updates_known(*, last_day, period_ids):
    """The updates known by the end of `last_day`: reported into one of `period_ids`, recorded by a person before
    the day ended, or stated by a document dated by then or not dated at all (see the module's docstring)."""
    reported_by_then = Q(author__isnull=False, recorded_at__lt=_end_of(last_day))
    stated_by_then = Q(author__isnull=True, period__isnull=True) & (
        Q(as_of__lte=last_day)
        | Q(as_of__isnull=True, source__published_on__lte=last_day)
        | Q(as_of__isnull=True, source__published_on__isnull=True)
    )
    return StatusUpdate.objects.filter(Q(period_id__in=period_ids) | reported_by_then | stated_by_then)


def _end_of(day):
    """The moment `day` ends: midnight after it, in the project's time zone (Europe/Oslo)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def updates_counting_for(*, period, periods=None):
    """The StatusUpdate queryset of the updates that count for `period` (see the module's docstring).

    `periods` as from ordered_periods(); otherwise one query to read them. The queryset itself is lazy.
    """
    periods = ordered_periods() if periods is None else periods
    up_to = _period_order(period)
    same_or_earlier = [other.pk for other in periods if _period_order(other) <= up_to]
    return _updates_known(last_day=period.ends_on, period_ids=same_or_earlier)


def updates_before(*, period, periods=None):
    """The updates known before `period` began: the state it starts from when no earlier period exists."""
    periods = ordered_periods() if periods is None else periods
    up_to = _period_order(period)
    earlier = [other.pk for other in periods if _period_order(other) < up_to]
    return _updates_known(last_day=period.starts_on - timedelta(days=1), period_ids=earlier)


def _latest_update_ids(*, period, measures, periods, before=False):
    """A subquery of the ids of each measure's latest update that counts for `period` (`before`: known before it)."""
    measures = Measure.objects.all() if measures is None else measures
    counting = updates_before if before else updates_counting_for
    latest = (
        counting(period=period, periods=periods)
        .filter(measure=OuterRef("pk"))
        .order_by("-recorded_at", "-id")
        .values("pk")[:1]
    )
    return (
        Measure.objects.filter(pk__in=measures.order_by().values("pk"))
        .annotate(update_id=Subquery(latest))
        .filter(update_id__isnull=False)
        .values("update_id")
    )


def latest_updates(*, period, measures=None, periods=None, related=()):
    """{measure id: StatusUpdate}: each measure's latest update that counts for `period`.

    `measures` is a Measure queryset (all measures when None); a measure with no update that counts is left out:
    at that period it is «not reported». `related` names relations to select with each update («period»,
    «author», «source»). One query (two without `periods`).
    """
    updates = StatusUpdate.objects.filter(
        pk__in=_latest_update_ids(period=period, measures=measures, periods=periods)
    ).select_related(*related)
    return {update.measure_id: update for update in updates}


def status_before_period(*, period, measures=None, periods=None):
    """{measure id: status value} as known before `period` began (the state a first period starts from).

    Like status_at_period for the day before the period's first day, with the periods before it. One query (two
    without `periods`).
    """
    ids = _latest_update_ids(period=period, measures=measures, periods=periods, before=True)
    return dict(StatusUpdate.objects.filter(pk__in=ids).values_list("measure_id", "status"))


def status_at_period(*, period, measures=None, periods=None):
    """{measure id: status value} for each measure in `measures` (all when None) reported on by the end of `period`.

    A measure missing from the result is «not reported» at that period. One query (two without `periods`).
    """
    ids = _latest_update_ids(period=period, measures=measures, periods=periods)
    return dict(StatusUpdate.objects.filter(pk__in=ids).values_list("measure_id", "status"))


def updates_in(period):
    """The updates reported into `period` itself (what makes a measure «reported in the period»)."""
    return StatusUpdate.objects.filter(period=period)


def reported_in(period):
    """An Exists expression over Measure: the measure has an update reported into `period` (see updates_in)."""
    return Exists(updates_in(period).filter(measure=OuterRef("pk")))
