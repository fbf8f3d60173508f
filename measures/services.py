"""The status rules: recording a status update and rolling commitment statuses up from their measures.

These functions are the only code that writes StatusUpdate rows, Measure.latest_update (with its copy
Measure.current_status) and Commitment.status.
Views, the admin, commands and fixtures all go through them.
"""

from collections import defaultdict
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from decisions.models import Commitment

from .caching import touch
from .models import Measure, PeriodState, ReportingPeriod, StatusUpdate
from .reports.jobs import prepare_period_reports
from .status import IMPORT_REASON, roll_up  # noqa: F401 (IMPORT_REASON: imported from here by the loader)


@transaction.atomic
def record_status(
    *,
    measure,
    status,
    happened,
    author=None,
    period=None,
    next_step="",
    expected_completion=None,
    evidence_links="",
    as_of=None,
    source=None,
    source_note="",
):
    """Append a status update to `measure` and return it.

    Side effects, in one transaction:
    - locks the measure row, so two reports on one measure are written one after the other, and the period row, so
      a report never lands in a period a coordinator is closing at the same moment; a period that is closed or
      published is refused (ValidationError on "period");
    - creates the StatusUpdate (validated with full_clean; a ValidationError changes nothing);
    - points `measure.latest_update` at it, so the measure's status is the new one;
    - re-computes and stores the status of every commitment the measure fulfils (see refresh_commitment_statuses).
    """
    locked = Measure.objects.select_for_update().get(pk=measure.pk)
    if period is not None:
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if not period.accepts_reports:
            raise ValidationError(
                {
                    "period": ValidationError(
                        _("%(period)s is closed for reporting. Choose the open period."),
                        params={"period": period},
                        code="period_closed",
                    )
                }
            )
    update = StatusUpdate(
        measure=locked,
        status=status,
        happened=happened,
        author=author,
        period=period,
        next_step=next_step,
        expected_completion=expected_completion,
        evidence_links=evidence_links,
        as_of=as_of,
        source=source,
        source_note=source_note,
    )
    if author is None and source is None:
        raise ValidationError({"author": ValidationError(_("A status update needs an author or a source."))})
    update.full_clean()
    update.save()
    Measure.objects.filter(pk=locked.pk).update(latest_update=update, current_status=update.status)
    measure.latest_update = update
    measure.current_status = update.status
    refresh_commitment_statuses(locked.commitments.values_list("pk", flat=True), user=author)
    return update


def refresh_commitment_statuses(commitment_ids=None, *, user=None):
    """Re-compute the rolled-up status of these commitments (all when None) and store those that changed.

    Reads each commitment's linked measures' current statuses in one query, applies measures.status.roll_up and
    writes the changed commitments with a history row each (attributed to `user`). Returns the changed ones.
    Call it whenever a status is recorded, a link between measures and commitments changes, a measure is
    deleted or a commitment's `requires_follow_up` changes.
    """
    commitments = Commitment.objects.all()
    links = Measure.commitments.through.objects.all()
    if commitment_ids is not None:
        ids = list(commitment_ids)
        if not ids:
            return []
        commitments = commitments.filter(pk__in=ids)
        links = links.filter(commitment_id__in=ids)

    statuses = defaultdict(list)
    for commitment_id, status in links.values_list("commitment_id", "measure__current_status"):
        statuses[commitment_id].append(status)

    now = timezone.now()
    changed = []
    for commitment in commitments:
        new_status = roll_up(statuses[commitment.pk], requires_follow_up=commitment.requires_follow_up)
        if commitment.status != new_status:
            commitment.status = new_status
            commitment.status_changed_at = now
            changed.append(commitment)
    if changed:
        bulk_update_with_history(
            changed, Commitment, ["status", "status_changed_at"], batch_size=500, default_user=user
        )
    return changed


@transaction.atomic
def rebuild_statuses(*, as_loaded=False):
    """Point every measure at its latest update and roll every commitment up again.

    Used after loading fixtures or bulk-generated data, where updates are inserted without record_status.
    With `as_loaded`, the statuses are what documents state, not a change made today: no commitment is marked as
    having changed status (its `status_changed_at` is emptied). Returns the number of commitments whose status
    changed.
    """
    newest = StatusUpdate.objects.filter(measure=OuterRef("pk")).order_by("-recorded_at", "-id")
    Measure.objects.update(
        latest_update=Subquery(newest.values("pk")[:1]), current_status=Subquery(newest.values("status")[:1])
    )
    changed = len(refresh_commitment_statuses())
    if as_loaded:
        Commitment.objects.update(status_changed_at=None)
    touch()
    return changed


def _advance_period(period, *, user, before, after, stamp, refusal):
    """Move a locked period from state `before` to `after`, stamping the time in `stamp`; a history row by `user`.

    Raises ValidationError with `refusal` when the period is not in `before`. Returns the locked, saved period.
    """
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.state != before:
        raise ValidationError(refusal, params={"period": period, "state": period.get_state_display().lower()})
    period.state = after
    setattr(period, stamp, timezone.now())
    period.version += 1
    period._history_user = user
    return period


@transaction.atomic
def open_period(*, period, user, report_deadline=None):
    """Open `period` for reporting (it must be planned, and no other period may be open).

    Side effects: sets the state to open, the opening time and (if given) the reporting deadline, with a history
    row attributed to `user`. Raises ValidationError when the period is not planned or another one is open.
    """
    other = ReportingPeriod.objects.filter(state=PeriodState.OPEN).exclude(pk=period.pk).first()
    if other is not None:
        raise ValidationError(
            _("%(other)s is still open. Close it before opening another period."), params={"other": other}
        )
    period = _advance_period(
        period,
        user=user,
        before=PeriodState.PLANNED,
        after=PeriodState.OPEN,
        stamp="opened_at",
        refusal=_("Only a planned period can be opened; %(period)s is %(state)s."),
    )
    if report_deadline is not None:
        period.report_deadline = report_deadline
    period.full_clean()
    period.save()
    return period


@transaction.atomic
def close_period(*, period, user):
    """Close an open period: no more reports go into it. Side effects: state, closing time, a history row, and
    once committed the period's status and progress reports queued for rendering (reports.jobs)."""
    period = _advance_period(
        period,
        user=user,
        before=PeriodState.OPEN,
        after=PeriodState.CLOSED,
        stamp="closed_at",
        refusal=_("Only an open period can be closed; %(period)s is %(state)s."),
    )
    period.save()
    transaction.on_commit(partial(prepare_period_reports, period_id=period.pk))
    return period


@transaction.atomic
def publish_period(*, period, user):
    """Publish a closed period: it is frozen from now on. Side effects: state, publishing time, a history row, and
    once committed the period's status and progress reports queued for rendering (reports.jobs)."""
    period = _advance_period(
        period,
        user=user,
        before=PeriodState.CLOSED,
        after=PeriodState.PUBLISHED,
        stamp="published_at",
        refusal=_("Only a closed period can be published; %(period)s is %(state)s."),
    )
    period.save()
    transaction.on_commit(partial(prepare_period_reports, period_id=period.pk))
    return period
