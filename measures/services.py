"""The status rules: recording a status update and rolling commitment statuses up from their measures.

These functions are the only code that writes StatusUpdate rows, Measure.latest_update and Commitment.status.
Views, the admin, commands and fixtures all go through them.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from decisions.models import Commitment

from .caching import touch
from .models import Measure, StatusUpdate
from .status import roll_up


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
    evidence_url="",
    as_of=None,
    source=None,
    source_note="",
):
    """Append a status update to `measure` and return it.

    Side effects, in one transaction:
    - locks the measure row, so two reports on one measure are written one after the other;
    - creates the StatusUpdate (validated with full_clean; a ValidationError changes nothing);
    - points `measure.latest_update` at it, so the measure's status is the new one;
    - re-computes and stores the status of every commitment the measure fulfils (see refresh_commitment_statuses).
    """
    locked = Measure.objects.select_for_update().get(pk=measure.pk)
    update = StatusUpdate(
        measure=locked,
        status=status,
        happened=happened,
        author=author,
        period=period,
        next_step=next_step,
        expected_completion=expected_completion,
        evidence_url=evidence_url,
        as_of=as_of,
        source=source,
        source_note=source_note,
    )
    if author is None and source is None:
        raise ValidationError({"author": ValidationError("A status update needs an author or a source.")})
    update.full_clean()
    update.save()
    Measure.objects.filter(pk=locked.pk).update(latest_update=update)
    measure.latest_update = update
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
    for commitment_id, status in links.values_list("commitment_id", "measure__latest_update__status"):
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
def rebuild_statuses():
    """Point every measure at its latest update and roll every commitment up again.

    Used after loading fixtures or bulk-generated data, where updates are inserted without record_status.
    Returns the number of commitments whose status changed.
    """
    latest = StatusUpdate.objects.filter(measure=OuterRef("pk")).order_by("-recorded_at", "-id").values("pk")[:1]
    Measure.objects.update(latest_update=Subquery(latest))
    changed = len(refresh_commitment_statuses())
    touch()
    return changed
