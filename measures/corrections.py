"""Corrections of the records loaded from fixtures/real_records.json, for sites that loaded them earlier.

A round of corrections is a baseline (the fixture as it was loaded, kept in fixtures/corrections/), the fixture as it
is now, and a list of entries that give, per record, the fields changed or the record added or removed, and why.
`plan_corrections` turns these into the changes to make (and refuses a list of entries that does not cover the
difference exactly); `apply_corrections` is the one writer.

The rules:
- A loaded record is found by its `fixture_pk` (the mark of a loaded record), never by its primary key here or by a
  history string, so a record a person made with the same number is never touched.
- A record is corrected only while it is exactly as it was loaded (every field and link the baseline gives).
  One a person has changed, or removed, is left alone and reported. A record that already is as the fixture has it
  needs nothing.
- Status updates are append-only for what people report. A loaded status update is our reading of a document: its
  wording can be corrected, and one that rests on no passage that reports is withdrawn (deleted), but only while the
  measure's history holds nothing but loaded updates. The Correction row keeps what the update said, in public.
- Every correction writes a history row of the record with the acting person and the reason, and a Correction row
  (the «Rettelser» page); every commitment whose measures or links changed has its roll-up refreshed.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import translation

from decisions.models import Commitment

from .caching import touch
from .models import Correction, Measure, MeasureDecision, StatusUpdate
from .services import delete_record, refresh_commitment_statuses, save_record

# What a writer answers when the record already is as the fixture has it: nothing to do, nothing to report.
ALREADY = "already as in the fixture"
# The history table keeps a reason of at most this many characters (django-simple-history's field).
REASON_MAX = 100


@dataclass
class Change:
    """One entry of a round, resolved against the baseline and the fixture."""

    key: str
    label: str  # "app.model pk" of the fixture
    action: str  # "change", "add" or "remove"
    fields: list
    why: str
    before: dict | None  # the baseline row's fields (None for an added record)
    after: dict | None  # the fixture row's fields (None for a removed record)

    @property
    def model(self):
        return apps.get_model(self.label.split()[0])

    @property
    def fixture_pk(self):
        return int(self.label.split()[1])


@dataclass
class Outcome:
    applied: list = field(default_factory=list)  # Correction rows written
    done_before: list = field(default_factory=list)  # keys applied on an earlier run
    already: list = field(default_factory=list)  # keys whose record already is as the fixture has it (a fresh load)
    left_alone: list = field(default_factory=list)  # (key, label, why not) for records a person changed or removed


def rows_by_label(rows):
    return {f"{row['model']} {row['pk']}": row["fields"] for row in rows}


def plan_corrections(*, baseline_rows, fixture_rows, entries):
    """The changes from `baseline_rows` to `fixture_rows`, each with its entry's key and reason.

    Raises ValueError when the entries and the difference disagree: a changed field or an added or removed record
    without an entry, an entry for something that did not change, or a reason too long for the history.
    """
    before, after = rows_by_label(baseline_rows), rows_by_label(fixture_rows)
    wanted = {}
    for label in after.keys() - before.keys():
        wanted[(label, "add")] = None
    for label in before.keys() - after.keys():
        wanted[(label, "remove")] = None
    for label in before.keys() & after.keys():
        for name, value in after[label].items():
            if before[label].get(name) != value:
                wanted[(label, name)] = None

    changes, problems = [], []
    for entry in entries:
        label, why = entry["record"], entry["why"].strip()
        if not why or len(why) > REASON_MAX:
            problems.append(f"{entry['key']}: the reason must be 1–{REASON_MAX} characters")
        if entry.get("add"):
            action, names = "add", ["add"]
        elif entry.get("remove"):
            action, names = "remove", ["remove"]
        else:
            action, names = "change", list(entry["fields"])
        for name in names:
            if (label, name) not in wanted:
                problems.append(f"{entry['key']}: {label} {name} did not change")
            elif wanted[(label, name)] is not None:
                problems.append(f"{entry['key']}: {label} {name} is also in {wanted[(label, name)]}")
            else:
                wanted[(label, name)] = entry["key"]
        changes.append(
            Change(
                entry["key"],
                label,
                action,
                names if action == "change" else [],
                why,
                before.get(label),
                after.get(label),
            )
        )
    problems += [f"{label} {name} changed without an entry" for (label, name), key in wanted.items() if key is None]
    if problems:
        raise ValueError("; ".join(problems))
    return changes


def apply_corrections(*, user, changes):
    """Apply `changes` (from plan_corrections) to the loaded records, in the name of `user`; return an Outcome.

    Side effects, in one transaction:
    - each record to correct is locked and compared with the baseline; one a person has changed or removed is left
      alone and reported in `left_alone`, and so is a record the correction would make invalid;
    - added records are created (with a new primary key of this database and the fixture's number in `fixture_pk`),
      changed fields and links are written, and removed links deleted, through the one write path
      (measures.services.save_record and delete_record: row lock, version moved on, one history entry, roll-up);
      withdrawn loaded status updates are deleted here (no service deletes a person's report);
    - each record's history gets a row attributed to `user` with the entry's reason (status updates keep no history:
      their Correction row is their record); a Correction row per applied entry, for «Rettelser»;
    - measures whose updates were withdrawn point at their latest remaining update; every commitment linked to a
      corrected measure, before or after, is rolled up again (refresh_commitment_statuses), and a status that changes
      so is no change of the commitment (its `status_changed_at` is emptied, as for loaded records); the data version
      moves on.
    The texts written (what changed) are in the data's language, Norwegian. Entries whose key is already in
    Correction were applied before and are skipped.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _apply(user=user, changes=changes)


@transaction.atomic
def _apply(*, user, changes):
    """The body of apply_corrections, in one transaction."""
    outcome = Outcome()
    done = set(Correction.objects.filter(key__in=[c.key for c in changes]).values_list("key", flat=True))
    pending = []
    for change in changes:
        (outcome.done_before if change.key in done else pending).append(change)

    touched_commitments, touched_measures, added_commitments = set(), set(), set()
    statuses_before = dict(Commitment.objects.values_list("pk", "status"))
    verdicts = {}
    # Added records first (others may link to them), then the rest in the order of the entries.
    for change in sorted(pending, key=lambda c: c.action != "add"):
        writer = _ADD if change.action == "add" else _REMOVE if change.action == "remove" else _CHANGE
        result = writer(change, user=user, verdicts=verdicts, touched=(touched_commitments, touched_measures))
        if result == ALREADY:
            outcome.already.append(change.key)
            continue
        if isinstance(result, str):
            outcome.left_alone.append((change.key, change.label, result))
            continue
        record, details, commitments = result
        if change.action == "add" and isinstance(record, Commitment):
            added_commitments.add(record.pk)
        outcome.applied += _write_correction(change, user=user, record=record, details=details, commitments=commitments)

    if touched_measures:
        newest = StatusUpdate.objects.filter(measure=OuterRef("pk")).order_by("-recorded_at", "-id")
        Measure.objects.filter(pk__in=touched_measures).update(
            latest_update=Subquery(newest.values("pk")[:1]), current_status=Subquery(newest.values("status")[:1])
        )
        touched_commitments |= set(
            Measure.commitments.through.objects.filter(measure_id__in=touched_measures).values_list(
                "commitment_id", flat=True
            )
        )
    # save_record and delete_record rolled up the commitments of what they wrote; the withdrawn updates' are here.
    refresh_commitment_statuses(touched_commitments, user=user)
    # A status the corrected records give is what the documents state, like a loaded one's: no change of the
    # commitment made today, so the overview and the advisory council's «new» do not list it as moved (the
    # commitment's history and «Rettelser» say what happened).
    moved = {pk for pk, status in Commitment.objects.values_list("pk", "status") if statuses_before.get(pk) != status}
    Commitment.objects.filter(pk__in=moved | added_commitments).update(status_changed_at=None)
    if outcome.applied:
        touch()
    return outcome


# --- reading and comparing records ------------------------------------------------------------------------------


def _by_fixture_pk(model, fixture_pk, *, lock=False):
    queryset = model.objects.select_for_update() if lock else model.objects.all()
    return queryset.filter(fixture_pk=fixture_pk).first()


def _fixture_number(obj):
    return None if obj is None else obj.fixture_pk


def _current(obj, name):
    """The record's value of a fixture field, written as the fixture writes it (related records by fixture number)."""
    model_field = obj._meta.get_field(name)
    if model_field.many_to_many:
        return sorted(getattr(obj, name).values_list("fixture_pk", flat=True), key=lambda v: (v is None, v))
    if model_field.is_relation:
        return _fixture_number(getattr(obj, name))
    return getattr(obj, model_field.attname)


def _same(obj, name, value):
    model_field = obj._meta.get_field(name)
    current = _current(obj, name)
    if model_field.many_to_many:
        return current == sorted(value)
    if model_field.is_relation:
        return current == value
    return current == model_field.to_python(value)


def _untouched(obj, fields):
    """Whether `obj` holds exactly `fields` (a baseline row): nobody has changed it since it was loaded."""
    return all(_same(obj, name, value) for name, value in fields.items())


def _verdict(change, verdicts, *, lock=True):
    """The locked record of `change` and None, or None and why it is left alone (the same for all its entries)."""
    if change.label not in verdicts:
        obj = _by_fixture_pk(change.model, change.fixture_pk, lock=lock)
        if obj is None:
            # Gone: what a removal wants; for a change, a person removed it.
            verdicts[change.label] = (
                None,
                ALREADY if change.after is None else "removed on this site since it was loaded",
            )
        elif _untouched(obj, change.before):
            verdicts[change.label] = (obj, None)
        elif change.after is not None and _untouched(obj, change.after):
            verdicts[change.label] = (None, ALREADY)  # loaded from the corrected fixture
        else:
            verdicts[change.label] = (None, "changed on this site since it was loaded")
    return verdicts[change.label]


# --- describing values ------------------------------------------------------------------------------------------


def _label(obj):
    return str(obj) if obj is not None else str(translation.gettext("none"))


def _describe(model, name, value):
    """A fixture value as a reader sees it: text as it is, related records by their names."""
    model_field = model._meta.get_field(name)
    if model_field.many_to_many or model_field.is_relation:
        related = model_field.related_model
        numbers = value if model_field.many_to_many else [value]
        numbers = [number for number in numbers if number is not None]
        found = {o.fixture_pk: o for o in related.objects.filter(fixture_pk__in=numbers)}
        names = [f"«{_label(found.get(number))}»" for number in numbers]
        return "; ".join(names) if names else str(translation.gettext("none"))
    if isinstance(model_field, models.BooleanField):
        return str(translation.gettext("yes") if value else translation.gettext("no"))
    return "" if value is None else str(value)


def _field_label(model, name):
    return str(model._meta.get_field(name).verbose_name).capitalize()


# --- the writers ------------------------------------------------------------------------------------------------


def _resolve(model, fields):
    """Fixture values as a service takes them: related records by their fixture number, links by their members."""
    resolved = {}
    for name, value in fields.items():
        model_field = model._meta.get_field(name)
        related = model_field.related_model
        if model_field.many_to_many:
            resolved[name] = list(related.objects.filter(fixture_pk__in=value))
            if len(resolved[name]) != len(set(value)):
                raise ValidationError({name: f"a record it links to ({value}) is not on this site"})
        elif model_field.is_relation:
            resolved[name] = None if value is None else related.objects.filter(fixture_pk=value).first()
            if value is not None and resolved[name] is None:
                raise ValidationError({name: f"the record it points at ({value}) is not on this site"})
        else:
            resolved[name] = model_field.to_python(value)
    return resolved


def _measure_links(obj):
    return set(obj.commitments.values_list("pk", flat=True)) if isinstance(obj, Measure) else set()


def _failed(error):
    return f"refused: {'; '.join(error.messages)}"


def _change(change, *, user, verdicts, touched):
    """Write the entry's fields on the record; returns (record, details, commitments whose link changed)."""
    if change.model is MeasureDecision:
        return "a link to a decision is added or removed, not changed"
    obj, refusal = _verdict(change, verdicts)
    if refusal:
        return refusal
    fields = {name: change.after[name] for name in change.fields}
    details = [
        {
            "field": _field_label(change.model, name),
            "before": _describe(change.model, name, change.before.get(name)),
            "after": _describe(change.model, name, value),
        }
        for name, value in fields.items()
    ]
    links_before = _measure_links(obj)
    try:
        values = _resolve(change.model, fields)
        if isinstance(obj, StatusUpdate):
            # No history table (updates are never edited by people): the Correction row keeps the wording it replaces.
            for name, value in values.items():
                setattr(obj, name, value)
            obj.full_clean()
            obj.save(update_fields=list(values))
        else:
            # The one write path: locked, validated, version moved on, one history entry with the reason, roll-up.
            obj = save_record(user=user, record=obj, fields=values, reason=change.why)
    except ValidationError as error:
        return _failed(error)
    # The record now holds the fixture's values in these fields; its later entries compare with those.
    change.before.update(fields)
    return obj, details, links_before ^ _measure_links(obj)


def _add(change, *, user, verdicts, touched):
    model = change.model
    if model is MeasureDecision:
        return _add_decision_link(change, user=user)
    if _by_fixture_pk(model, change.fixture_pk) is not None:
        return ALREADY
    try:
        obj = save_record(
            user=user,
            record=model(fixture_pk=change.fixture_pk),
            fields=_resolve(model, change.after),
            reason=change.why,
        )
    except ValidationError as error:
        return _failed(error)
    name = getattr(obj, "title", None) or getattr(obj, "name", None) or str(obj)
    return obj, [{"field": str(translation.gettext("New record")), "before": "", "after": name}], _measure_links(obj)


def _decision_link(fields):
    return MeasureDecision.objects.filter(
        measure__fixture_pk=fields["measure"], decision__fixture_pk=fields["decision"], role=fields["role"]
    ).select_related("measure", "decision")


def _link_detail(link, *, removed):
    text = f"«{link.decision}» ({link.get_role_display()})"
    return {
        "field": _field_label(Measure, "decisions"),
        "before": text if removed else "",
        "after": "" if removed else text,
    }


def _add_decision_link(change, *, user):
    """A link between a measure and a decision (MeasureDecision has no fixture mark: it is found by what it joins)."""
    if _decision_link(change.after).exists():
        return ALREADY
    try:
        link = save_record(
            user=user, record=MeasureDecision(), fields=_resolve(MeasureDecision, change.after), reason=change.why
        )
    except ValidationError as error:
        return _failed(error)
    return link, [_link_detail(link, removed=False)], set()


def _remove(change, *, user, verdicts, touched):
    _commitments, measures = touched
    if change.model is MeasureDecision:
        link = _decision_link(change.before).first()
        if link is None:
            return ALREADY
        details = [_link_detail(link, removed=True)]
        delete_record(user=user, record=link, reason=change.why)
        return link, details, set()
    obj, refusal = _verdict(change, verdicts)
    if refusal:
        return refusal
    if isinstance(obj, StatusUpdate):
        others = StatusUpdate.objects.filter(measure_id=obj.measure_id).exclude(pk=obj.pk)
        if others.filter(models.Q(fixture_pk__isnull=True) | models.Q(author__isnull=False)).exists():
            return "the measure has reports made on this site; the loaded update stays"
        withdrawn = {
            "field": str(translation.gettext("Status update withdrawn")),
            "before": f"{obj.get_status_display()}: {obj.happened}",
            "after": "",
        }
        Measure.objects.filter(pk=obj.measure_id).update(latest_update=None)
        obj.delete()
        measures.add(obj.measure_id)
        return obj, [withdrawn], set()
    details = [{"field": str(translation.gettext("Record removed")), "before": str(obj), "after": ""}]
    links = _measure_links(obj)
    delete_record(user=user, record=obj, reason=change.why)
    return None, details, links


_ADD, _CHANGE, _REMOVE = _add, _change, _remove


def _write_correction(change, *, user, record, details, commitments):
    """The public Correction rows of one applied entry: one per commitment whose link changed, else one.

    Each points at the corrected record's page (a status update's or a decision link's: its measure's), and a
    changed link also at the commitment's, so the entry shows on both pages.
    """
    target = record.measure if isinstance(record, (StatusUpdate, MeasureDecision)) else record
    links = {}
    if isinstance(record, MeasureDecision):
        links["decision"] = record.decision
    for name in (*Correction.LINKED, "theme"):
        if target is not None and isinstance(target, Correction._meta.get_field(name).related_model):
            links[name] = target
    kind = str(target._meta.verbose_name).capitalize() if target is not None else ""
    label = f"{kind}: {target}" if target is not None else change.label
    if isinstance(record, StatusUpdate):
        label = f"{str(StatusUpdate._meta.verbose_name).capitalize()} – {label}"
    row = {
        "key": change.key,
        "record_label": label[:400],
        "what": "; ".join(detail["field"] for detail in details),
        "changes": details,
        "reason": change.why,
        "made_by": user,
    }
    others = list(Commitment.objects.filter(pk__in=commitments)) if not isinstance(target, Commitment) else []
    if not others:
        return [Correction.objects.create(**row, **links)]
    return [Correction.objects.create(**row, **links, commitment=commitment) for commitment in others]
