"""The one write path: every create, change and delete of the tracked records goes through these functions.

Each is keyword-only, takes the acting person (`user`), runs in one transaction and lists its side effects. Together
they are the only code that
- takes row locks and checks a record's `version` against the version the person started from (optimistic
  locking: a save based on an older version raises StaleVersion, which carries the record as saved now);
- writes the audit history: exactly one entry per save, attributed to `user` (bergen_rus.audit.write_history);
- writes StatusUpdate rows, Measure.latest_update (with its copy Measure.current_status) and Commitment.status,
  re-computing the rolled-up status of every commitment a write touches, before and after.

Views, the admin, management commands, importers and the API are doors: they validate input, call one of these and
turn the result or the refusal into a response.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from bergen_rus.audit import quietly, write_history
from bergen_rus.versioning import StaleVersion
from decisions.models import Commitment, Decision, Platform

from .caching import touch
from .models import (
    Comment,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureDecision,
    PeriodState,
    ReportingPeriod,
    StatusUpdate,
)
from .status import roll_up, roll_up_links

COMMENT_LIMIT = 5000


class ColleagueReported(ValidationError):
    """A report written while a colleague's report landed: `latest` is the colleague's update, shown first."""

    def __init__(self, latest):
        self.latest = latest
        super().__init__(
            _(
                "A colleague reported on this measure while you were writing (shown below). Your text is kept: "
                "read their report, then send yours if it still holds."
            ),
            code="colleague_reported",
        )


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _check_version(locked, expected_version):
    """Refuse a save based on an older version of `locked` (None: the caller does not check, e.g. a command)."""
    if expected_version is not None and expected_version != locked.version:
        raise StaleVersion(locked)


def _m2m_names(model):
    return {field.name for field in model._meta.many_to_many}


def _apply(record, fields, *, user, reason, created):
    """Set `fields` (many-to-many fields by their members) on `record`, validate and save it with one history
    entry. Returns whether anything changed; a save that changes nothing writes nothing."""
    model = type(record)
    m2m_names = _m2m_names(model)
    plain = {name: value for name, value in fields.items() if name not in m2m_names}
    links = {name: {getattr(item, "pk", item) for item in value} for name, value in fields.items() if name in m2m_names}
    changed = [name for name, value in plain.items() if created or getattr(record, name) != value]
    if not created:
        links = {
            name: ids for name, ids in links.items() if set(getattr(record, name).values_list("pk", flat=True)) != ids
        }
        if not changed and not links:
            return False
    for name in changed:
        setattr(record, name, plain[name])
    if hasattr(record, "version") and not created:
        record.version += 1
    # Only what this save writes is validated (with the model's own rules and constraints): the rest is as saved.
    unchanged = [field.name for field in model._meta.concrete_fields if field.name not in changed]
    record.full_clean(exclude=None if created else unchanged)
    with quietly(record):
        if created:
            record.save()
        else:
            names = {model._meta.get_field(name).attname for name in changed}
            if hasattr(record, "version"):
                names.add("version")
            record.save(update_fields=sorted(names))
        for name, ids in links.items():
            getattr(record, name).set(ids)
    write_history([record], user=user, reason=reason, created=created)
    return True


@transaction.atomic
def save_record(*, user, record, fields, expected_version=None, reason=""):
    """Create `record` (not saved yet) or change a saved one, writing `fields` ({name: value}; a many-to-many
    field's value is its members) and return the saved record.

    Side effects: locks a saved record's row and refuses a save based on an older version (StaleVersion); validates
    the record (ValidationError changes nothing); saves only the fields that changed and moves the version on; one
    history entry attributed to `user` with `reason` (none when nothing changed). For a measure or a commitment the
    rolled-up status of every commitment touched is stored again (see refresh_commitment_statuses). Fields the
    caller does not name (a status the status rules keep, the latest report) are left as they are.
    """
    return _save(user=user, record=record, fields=fields, expected_version=expected_version, reason=reason)[0]


def _save(*, user, record, fields, expected_version, reason):
    """save_record's work; returns (the saved record, whether this save changed it)."""
    model = type(record)
    created = record.pk is None
    if not created:
        record = _lock(model, record.pk)
        if hasattr(record, "version"):
            _check_version(record, expected_version)
    before = _touched_commitments(record) if not created else set()
    if isinstance(record, Commitment):
        # The point's own status is rolled up in the same save, so its history has one entry for the change.
        fields = {**fields, **_own_roll_up(record, fields)}
    changed = _apply(record, fields, user=user, reason=reason, created=created)
    refresh_commitment_statuses(before | _touched_commitments(record), user=user)
    return record, changed


def _own_roll_up(commitment, fields):
    """The status fields of `commitment` as they are to be after a save that writes `fields`."""
    statuses = []
    if commitment.pk:
        statuses = list(Measure.objects.filter(commitments=commitment).values_list("current_status", flat=True))
    status = roll_up(statuses, requires_follow_up=fields.get("requires_follow_up", commitment.requires_follow_up))
    if status == commitment.status:
        return {}
    return {"status": status, "status_changed_at": timezone.now()}


def _touched_commitments(record):
    """The commitments whose rolled-up status depends on `record`: a measure's links, a commitment itself, the
    points of a decision or a platform."""
    if isinstance(record, Measure):
        return set(record.commitments.values_list("pk", flat=True))
    if isinstance(record, Commitment):
        return {record.pk}
    if isinstance(record, Decision | Platform):
        return set(Commitment.objects.filter(**{type(record)._meta.model_name: record}).values_list("pk", flat=True))
    return set()


@transaction.atomic
def save_measure(*, user, measure, fields, decision_links=None, expected_version=None, reason=""):
    """Create or change a measure with its fields and links and return it.

    `decision_links`, when given, is the whole set of (decision, role) the measure is to have: links not in it are
    removed, new ones added (each with its own history entry). Side effects as save_record, under the measure's row
    lock, and the commitments of the links before and after are rolled up again.
    """
    created = measure.pk is None
    measure, changed = _save(user=user, record=measure, fields=fields, expected_version=expected_version, reason=reason)
    if decision_links is None:
        return measure
    wanted = {(getattr(decision, "pk", decision), role) for decision, role in decision_links}
    current = {(row.decision_id, row.role): row for row in MeasureDecision.objects.filter(measure=measure)}
    gone = [row for key, row in current.items() if key not in wanted]
    added = sorted(wanted - set(current))
    for row in gone:
        _delete_with_history(row, user=user, reason=reason)
    for decision_id, role in added:
        link = MeasureDecision(measure=measure, decision_id=decision_id, role=role)
        link.full_clean()
        with quietly(link):
            link.save()
        write_history([link], user=user, reason=reason, created=True)
    if (gone or added) and not created and not changed:
        # Only the links changed: the measure's version moves on all the same, so a colleague's form that was
        # opened on the old links is refused too.
        measure.version += 1
        Measure.objects.filter(pk=measure.pk).update(version=measure.version)
    return measure


@transaction.atomic
def delete_record(*, user, record, reason=""):
    """Delete `record` with a history entry of the deletion attributed to `user`.

    A measure's commitments are rolled up again without it; a record that others still refer to is refused
    (django.db.models.ProtectedError).
    """
    record = _lock(type(record), record.pk)
    touched = _touched_commitments(record) if isinstance(record, Measure) else set()
    _delete_with_history(record, user=user, reason=reason)
    refresh_commitment_statuses(touched, user=user)


def _delete_with_history(record, *, user, reason):
    """Delete one row; django-simple-history writes its «deleted» entry, attributed to `user`."""
    record._history_user = user
    if reason:
        record._change_reason = reason
    record.delete()


@transaction.atomic
def delete_measures(*, user, measures, reason=""):
    """Delete several measures (the back office's bulk delete), each as delete_record."""
    for measure in list(measures):
        delete_record(user=user, record=measure, reason=reason)


@transaction.atomic
def record_status(
    *,
    measure,
    user=None,
    status,
    happened,
    period=None,
    next_step="",
    expected_completion=None,
    evidence_links="",
    as_of=None,
    source=None,
    source_note="",
    seen_update_id=None,
):
    """Append a status update to `measure` and return it.

    Side effects, in one transaction:
    - locks the measure row, so two reports on one measure are written one after the other; with `seen_update_id`
      (the latest update the person saw when they began, 0 for none) a report that a colleague's report overtook is
      refused on the locked row (ColleagueReported, carrying the colleague's update), so nobody adds a report
      without having seen the one before it;
    - locks the period row, so a report never lands in a period a coordinator is closing at the same moment; a
      period that is closed or published is refused (ValidationError on "period");
    - creates the StatusUpdate (validated with full_clean; a ValidationError changes nothing); the update is its own
      audit record (who, when), never changed afterwards;
    - points `measure.latest_update` at it, so the measure's status is the new one;
    - re-computes and stores the status of every commitment the measure fulfils (see refresh_commitment_statuses).
    """
    locked = _lock(Measure, measure.pk)
    if seen_update_id is not None and (locked.latest_update_id or 0) != seen_update_id:
        raise ColleagueReported(
            StatusUpdate.objects.select_related("author", "period", "source").get(pk=locked.latest_update_id)
        )
    if period is not None:
        period = _lock(ReportingPeriod, period.pk)
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
    if user is None and source is None:
        raise ValidationError({"author": ValidationError(_("A status update needs an author or a source."))})
    update = StatusUpdate(
        measure=locked,
        status=status,
        happened=happened,
        author=user,
        period=period,
        next_step=next_step,
        expected_completion=expected_completion,
        evidence_links=evidence_links,
        as_of=as_of,
        source=source,
        source_note=source_note,
    )
    update.full_clean()
    update.save()
    Measure.objects.filter(pk=locked.pk).update(latest_update=update, current_status=update.status)
    measure.latest_update = update
    measure.current_status = update.status
    refresh_commitment_statuses(locked.commitments.values_list("pk", flat=True), user=user)
    return update


# The reason written on the history entries of the real records when they are loaded (load_real_records): what the
# public documents state, not a change anyone made on that day.
IMPORT_REASON = "Import av faste data fra fixtures/real_records.json"


def refresh_commitment_statuses(commitment_ids=None, *, user=None):
    """Re-compute the rolled-up status of these commitments (all when None) and store those that changed.

    Locks the commitments' rows (in key order, so two writers never wait on each other crosswise) before it reads
    their linked measures' current statuses, so two reports on two measures of one commitment at the same moment
    roll it up one after the other from what both wrote. Applies measures.status.roll_up_links, writes the changed
    commitments with one history entry each (attributed to `user`) and returns them. Called by the services above
    whenever a status is recorded, a link between measures and commitments changes, a measure is deleted or a
    commitment's `requires_follow_up` changes; never by a door.
    """
    commitments = Commitment.objects.select_for_update().order_by("pk")
    links = Measure.commitments.through.objects.all()
    if commitment_ids is not None:
        ids = sorted(set(commitment_ids))
        if not ids:
            return []
        commitments = commitments.filter(pk__in=ids)
        links = links.filter(commitment_id__in=ids)
    commitments = list(commitments)

    rows = list(links.values_list("commitment_id", "measure_id", "measure__current_status"))
    rolled_up = roll_up_links(
        [(commitment_id, measure_id) for commitment_id, measure_id, _status in rows],
        {measure_id: status for _commitment_id, measure_id, status in rows},
        {commitment.pk: commitment.requires_follow_up for commitment in commitments},
    )

    now = timezone.now()
    changed = []
    for commitment in commitments:
        new_status = rolled_up[commitment.pk]
        if commitment.status != new_status:
            commitment.status = new_status
            commitment.status_changed_at = now
            changed.append(commitment)
    if changed:
        Commitment.objects.bulk_update(changed, ["status", "status_changed_at"], batch_size=500)
        write_history(changed, user=user, reason=_("Status rolled up from the linked measures"))
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


# The moves a period can make, and the time each one stamps: forward through its life, and back from closed to open
# while it is not published (a coordinator who closed too early reopens it).
PERIOD_MOVES = {
    (PeriodState.PLANNED, PeriodState.OPEN): "opened_at",
    (PeriodState.OPEN, PeriodState.CLOSED): "closed_at",
    (PeriodState.CLOSED, PeriodState.OPEN): "opened_at",
    (PeriodState.CLOSED, PeriodState.PUBLISHED): "published_at",
}


@transaction.atomic
def transition_period(*, period, user, to, report_deadline=None):
    """Move `period` to the state `to` (open, closed or published) and return it.

    Allowed: planned → open, open → closed, closed → open (reopening; only while not published), closed →
    published. At most one period is open: opening or reopening while another is open is refused. Side effects:
    locks the period row, sets the state and stamps the time of the move (and, when opening, the reporting
    deadline if given), moves the version on, one history entry attributed to `user`. Raises ValidationError for
    any other move.
    """
    period = _lock(ReportingPeriod, period.pk)
    to = PeriodState(to)
    stamp = PERIOD_MOVES.get((period.state, to))
    if stamp is None:
        raise ValidationError(
            _("%(period)s is %(state)s and cannot be %(target)s."),
            params={"period": period, "state": period.get_state_display().lower(), "target": to.label.lower()},
            code="invalid_move",
        )
    if to == PeriodState.OPEN:
        other = ReportingPeriod.objects.filter(state=PeriodState.OPEN).exclude(pk=period.pk).first()
        if other is not None:
            raise ValidationError(
                _("%(other)s is still open. Close it before opening another period."), params={"other": other}
            )
    fields = {"state": to, stamp: timezone.now()}
    if to == PeriodState.OPEN and report_deadline is not None:
        fields["report_deadline"] = report_deadline
    _apply(period, fields, user=user, reason="", created=False)
    return period


@transaction.atomic
def post_comment(*, user, body, measure=None, commitment=None, period=None, reply_to=None):
    """Add a comment (or, with `reply_to`, an answer, which goes on the same record) and return it.

    Side effects: one Comment row and its history entry, attributed to `user`. Raises ValidationError for an empty
    or over-long text, or when the comment is not about exactly one record.
    """
    body = (body or "").strip()
    if reply_to is not None:
        measure, commitment, period = reply_to.measure, reply_to.commitment, reply_to.period
        reply_to = reply_to.reply_to or reply_to  # answers hang on the first comment of a thread
    if not body:
        raise ValidationError({"body": _("Write something before you send.")})
    if len(body) > COMMENT_LIMIT:
        raise ValidationError({"body": _("A comment can be at most %(limit)d characters.") % {"limit": COMMENT_LIMIT}})
    comment = Comment(author=user, body=body, measure=measure, commitment=commitment, period=period, reply_to=reply_to)
    _apply(comment, {}, user=user, reason="", created=True)
    return comment


@transaction.atomic
def save_indicator_value(*, user, indicator, year, value, source, source_note=""):
    """Enter one year's value of `indicator`, or replace the value that year has (the history keeps the old one).

    Side effects: locks the indicator row, so two people entering the same year are written one after the other;
    creates or changes the IndicatorValue (validated: never negative, never from a synthetic source) with one
    history entry attributed to `user`, who is named as the one who entered it. Returns the value.
    """
    _lock(Indicator, indicator.pk)
    record = IndicatorValue.objects.filter(indicator=indicator, year=year).first()
    created = record is None
    if created:
        record = IndicatorValue(indicator=indicator, year=year)
    fields = {"value": value, "source": source, "source_note": source_note, "entered_by": user}
    if not created:
        fields["entered_at"] = timezone.now()
    _apply(record, fields, user=user, reason="", created=created)
    return record
