"""The audit trail of a record, read from django-simple-history: who changed what, when, old → new.

Used by the back office's history pages and by the record pages that logged-in people see. The number of queries
is fixed: the history rows, one per tracked many-to-many field, one per kind of related record named in a change.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
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

    deltas = []
    wanted = defaultdict(set)  # related model -> ids to name
    for newer, older in itertools.pairwise(records):
        delta = newer.diff_against(older, excluded_fields=excluded, foreign_keys_are_objs=False)
        visible = [change for change in delta.changes if change.field not in HIDDEN_FIELDS]
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


# One save writes a history row for the record and one for each of its many-to-many fields, moments apart.
ONE_SAVE = timedelta(seconds=5)


def _same_save(newer, older):
    """Whether two changes are one save: the same version of a versioned record (every save moves it on), or, for
    records without one, the same person moments apart."""
    if newer.kind != older.kind or newer.who != older.who:
        return False
    if newer.version is not None and older.version is not None:
        return newer.version == older.version
    return newer.when - older.when <= ONE_SAVE


def _as_saves(entries):
    """The entries (newest first) as a reader thinks of them: one per save. A change that shows nothing (only
    bookkeeping moved) is left out, and the history rows of one save are one entry, each field with its value
    before and after the save."""
    saves = []
    for entry in entries:
        changed = entry.kind == str(HISTORY_TYPES["~"])
        if changed and not entry.changes:
            continue
        newer = saves[-1] if saves else None
        if changed and newer is not None and _same_save(newer, entry):
            by_field = {change.field: change for change in newer.changes}
            for change in entry.changes:
                if change.field in by_field:
                    by_field[change.field].old = change.old  # the value before the earlier of the two
                else:
                    newer.changes.append(change)
            continue
        saves.append(entry)
    return saves
