"""The audit history of the records: writing it (one entry per save, by the services) and reading it back as a trail
of who changed what, when, old → new.

Every write of a record goes through a service (measures.services), which saves the row with django-simple-history's
automatic history switched off (`quietly`) and then writes exactly one history entry with `write_history`: the
record's fields and the members of every tracked many-to-many field as they are after the whole save. An entry
compared with the one before it is then exactly the change that save made.

Reading (`audit_trail`) is used by the back office's history pages and by the record pages that logged-in people
see. The number of queries is fixed: the history rows, one per tracked many-to-many field, one per kind of related
record named in a change.
"""

import itertools
from collections import defaultdict
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import ModelChange
from simple_history.utils import get_m2m_reverse_field_name

from bergen_rus.formats import number_text

TRAIL_LENGTH = 50
# Bookkeeping fields that every save touches; a reader learns nothing from them.
HIDDEN_FIELDS = {"version", "status_changed_at", "latest_update", "current_status"}

HISTORY_TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class TrailEntry:
    when: object
    who: object
    kind: str
    reason: str
    changes: list = field(default_factory=list)
    version: int | None = None  # the record's version after the change, for records that keep one


@contextmanager
def quietly(*instances):
    """Save `instances` (and set their many-to-many fields) without django-simple-history's automatic entries: the
    caller writes one entry per save with `write_history` when the whole save is done."""
    for instance in instances:
        instance.skip_history_when_saving = True
    try:
        yield
    finally:
        for instance in instances:
            with suppress(AttributeError):
                del instance.skip_history_when_saving


def write_history(instances, *, user, reason="", created=False):
    """One history entry for each of `instances` (all of one model) as they are now, with the members of each tracked
    many-to-many field, attributed to `user` (None for the system) with `reason`. Returns the entries.

    Queries: one insert of the entries, and per tracked many-to-many field one read of the links and one insert.
    """
    instances = list(instances)
    if not instances:
        return []
    model = type(instances[0])
    kind = "+" if created else "~"
    manager = model.history
    now = timezone.now()
    rows = [
        manager.model(
            history_date=now,
            history_user=user,
            history_change_reason=(reason or "")[:100] or None,
            history_type=kind,
            **{field.attname: getattr(instance, field.attname) for field in manager.model.tracked_fields},
        )
        for instance in instances
    ]
    rows = manager.model.objects.bulk_create(rows)
    by_pk = {getattr(row, model._meta.pk.attname): row for row in rows}
    for m2m_field in getattr(manager.model, "_history_m2m_fields", []):
        through = getattr(model, m2m_field.name).through
        history_through = getattr(rows[0], m2m_field.name).model
        owner = next(f.name for f in through._meta.fields if f.related_model is model)
        names = [f.name for f in through._meta.fields]
        links = through.objects.filter(**{f"{owner}_id__in": list(by_pk)})
        history_through.objects.bulk_create(
            history_through(history=by_pk[getattr(link, f"{owner}_id")], **{n: getattr(link, n) for n in names})
            for link in links
        )
    return rows


def m2m_members(records, m2m_fields):
    """{field name: {history id: [{related name: object, "key": pk}, ...]}}, one query per field."""
    history_ids = [record.history_id for record in records]
    members = {}
    for m2m_field in m2m_fields:
        related = get_m2m_reverse_field_name(m2m_field)
        through = getattr(records[0], m2m_field.name).model
        by_record = defaultdict(list)
        rows = through.objects.filter(history_id__in=history_ids).select_related(related).order_by(f"{related}_id")
        for row in rows:
            by_record[row.history_id].append({related: getattr(row, related), "key": getattr(row, f"{related}_id")})
        members[m2m_field.name] = by_record
    return members


def field_changes(newer, older, fields):
    """The changes between two history entries of one record in `fields` (raw values: keys for relations), every
    tracked field included, also those no form edits (a rolled-up status, a period's opening time), which
    django-simple-history's own diff leaves out."""
    return [
        ModelChange(field.name, getattr(older, field.attname), getattr(newer, field.attname))
        for field in fields
        if getattr(older, field.attname) != getattr(newer, field.attname)
    ]


def _display(model_field, value, related_names):
    if value in (None, ""):
        return "–"
    if isinstance(model_field, models.ForeignKey):
        return related_names.get((model_field.related_model, value), str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    if isinstance(model_field, models.DateTimeField):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(model_field, models.DateField):
        return date_format(value, "DATE_FORMAT")
    if isinstance(model_field, models.DecimalField):
        return number_text(value)
    return str(value)


def audit_trail(obj, limit=TRAIL_LENGTH):
    """The newest `limit` changes of `obj`, newest first, each with its author, time and old → new values."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    if not records:
        return []
    model = type(obj)
    m2m_fields = list(getattr(type(records[0]), "_history_m2m_fields", []))
    members = m2m_members(records, m2m_fields)
    excluded = [m2m_field.name for m2m_field in m2m_fields]
    tracked = [f for f in type(records[0]).tracked_fields if f.name not in excluded]

    deltas = []
    wanted = defaultdict(set)  # related model -> ids to name
    for newer, older in itertools.pairwise(records):
        visible = [change for change in field_changes(newer, older, tracked) if change.field not in HIDDEN_FIELDS]
        for change in visible:
            model_field = model._meta.get_field(change.field)
            if isinstance(model_field, models.ForeignKey):
                wanted[model_field.related_model] |= {change.old, change.new} - {None}
        deltas.append((newer, older, visible))

    related_names = {}
    for related_model, ids in wanted.items():
        for related in related_model._default_manager.filter(pk__in=ids):
            related_names[(related_model, related.pk)] = str(related)

    entries = []
    for newer, older, visible in deltas:
        entry = TrailEntry(
            newer.history_date,
            newer.history_user,
            str(HISTORY_TYPES.get(newer.history_type, "")),
            newer.history_change_reason or "",
            version=getattr(newer, "version", None),
        )
        for change in visible:
            model_field = model._meta.get_field(change.field)
            entry.changes.append(
                Change(
                    str(model_field.verbose_name),
                    _display(model_field, change.old, related_names),
                    _display(model_field, change.new, related_names),
                )
            )
        for m2m_field in m2m_fields:
            before = members[m2m_field.name][older.history_id]
            after = members[m2m_field.name][newer.history_id]
            if [row["key"] for row in before] != [row["key"] for row in after]:
                related = get_m2m_reverse_field_name(m2m_field)
                entry.changes.append(
                    Change(
                        str(m2m_field.verbose_name),
                        ", ".join(str(row[related]) for row in before) or "–",
                        ", ".join(str(row[related]) for row in after) or "–",
                    )
                )
        entries.append(entry)
    if len(records) <= limit:
        first = records[-1]
        entries.append(
            TrailEntry(
                first.history_date,
                first.history_user,
                str(HISTORY_TYPES.get(first.history_type, "")),
                first.history_change_reason or "",
            )
        )
    return _as_saves(entries)


def _as_saves(entries):
    """The entries (newest first) without those that show nothing: a change of bookkeeping only (the version, a
    status time) is no change a reader can see."""
    return [entry for entry in entries if entry.changes or entry.kind != str(HISTORY_TYPES["~"])]
