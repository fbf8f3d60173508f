"""Reading measures and status updates back from the spreadsheets the export writes.

`preview()` reads a file row by row and says for each row what would happen — created, changed (old → new) or left
alone — or what is wrong with it, by row and column, without writing anything. `apply()` does it: it reads the file
again in one transaction, refuses everything if any row has an error, and otherwise makes every change through
measures.services (save_measure and record_status: row locks, the version check, the history in the importing
person's name with the file's name as the reason, the roll-up of every commitment touched), so a failure in any row
changes nothing.

A change made since the file was exported is a conflict, not something to overwrite: a measure row carries the
measure's `version` (and the id of its latest status update), a status row the id of the update the person saw.
Rows are read in chunks, each checked against the database in a few queries, so memory stays bounded however long
the file is.
"""

import datetime
import functools
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bergen_rus.versioning import StaleVersion
from decisions.models import Source

from ..forms import SHORT_TEXT_LIMIT, TEXT_LIMIT
from ..models import ActionPlan, Measure, Organisation, ReportingPeriod, StatusUpdate, validate_links
from ..permissions import is_coordinator
from ..services import record_status, save_measure
from ..status import NOT_REPORTED, MeasureStatus
from .reading import Formula, SheetError, open_sheet
from .resources import MeasureResource, StatusSheetResource, status_label

MEASURES = "measures"
STATUS = "status"
KINDS = (MEASURES, STATUS)
CREATE, CHANGE, UNCHANGED, ERROR = "create", "change", "unchanged", "error"
CHUNK = 1000
SHOWN_TEXT = 200


class ImportRefused(Exception):
    """apply() found errors (or a conflict arose while writing): nothing was written. Carries the Preview."""

    def __init__(self, preview):
        super().__init__(preview.file_error or _("The file has errors."))
        self.preview = preview


class Problem(Exception):
    """A cell's value cannot be taken; the message says why."""


@dataclass
class RowResult:
    number: int
    action: str
    label: str = ""
    record_id: int | None = None
    changes: list = field(default_factory=list)  # (heading, old, new) as texts
    errors: list = field(default_factory=list)  # (heading or "", message)
    payload: dict | None = None  # what apply() hands to the services

    def as_dict(self):
        return {
            "number": self.number,
            "action": self.action,
            "label": self.label,
            "record_id": self.record_id,
            "changes": self.changes,
            "errors": self.errors,
        }


@dataclass
class Preview:
    kind: str
    filename: str
    rows: list = field(default_factory=list)  # every row but the unchanged ones
    unchanged: list = field(default_factory=list)  # the numbers of the unchanged rows
    file_error: str = ""

    def count(self, action):
        if action == UNCHANGED:
            return len(self.unchanged)
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self):
        return {action: self.count(action) for action in (CREATE, CHANGE, UNCHANGED, ERROR)}

    @property
    def ok(self):
        return not self.file_error and not any(row.action == ERROR for row in self.rows)

    @property
    def changes_nothing(self):
        return self.ok and not self.rows

    def as_dict(self):
        return {
            "kind": self.kind,
            "filename": self.filename,
            "rows": [row.as_dict() for row in self.rows],
            "unchanged": self.unchanged,
            "file_error": self.file_error,
        }

    @classmethod
    def from_dict(cls, data):
        rows = [RowResult(**row) for row in data["rows"]]
        return cls(data["kind"], data["filename"], rows, data["unchanged"], data["file_error"])


def importable_kinds(user):
    """What `user` may import: coordinators measures and status updates, caseworkers status updates."""
    kinds = []
    if user.has_perm("measures.add_statusupdate"):
        kinds.append(STATUS)
    if is_coordinator(user):
        kinds.append(MEASURES)
    return kinds


def row_ranges(numbers):
    """[2, 3, 4, 7] → «2–4, 7»."""
    parts, start, previous = [], None, None
    for number in numbers:
        if start is None:
            start = previous = number
        elif number == previous + 1:
            previous = number
        else:
            parts.append(f"{start}–{previous}" if previous != start else str(start))
            start = previous = number
    if start is not None:
        parts.append(f"{start}–{previous}" if previous != start else str(start))
    return ", ".join(parts)


def reason_for(filename):
    """The change reason written on every history entry an import makes."""
    return _("Imported from the spreadsheet «%(name)s»") % {"name": filename}


# --- cells -------------------------------------------------------------------------------------------------------


def _empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def parse_int(value):
    if _empty(value):
        return None
    if isinstance(value, bool):
        raise Problem(_("«%(value)s» is not a whole number.") % {"value": value})
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal) and value == int(value):
        return int(value)
    text = str(value).strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    raise Problem(_("«%(value)s» is not a whole number.") % {"value": str(value)[:40]})


DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y")


def parse_date(value):
    if _empty(value):
        return None
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = str(value).strip().split(" ")[0]
        for pattern in DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise Problem(
                _("«%(value)s» is not a date. Write it as dd.mm.yyyy, e.g. 31.12.2026.") % {"value": str(value)[:40]}
            )
    if not 1900 <= day.year <= 2100:
        raise Problem(
            _("%(value)s is not a date people can mean (the year must be 1900–2100).") % {"value": day.isoformat()}
        )
    return day


def text_parser(limit, *, required=False):
    def parse(value):
        if _empty(value):
            if required:
                raise Problem(_("This column must be filled in."))
            return ""
        if isinstance(value, float) and value == int(value):
            value = int(value)
        text = value.isoformat() if isinstance(value, datetime.date) else str(value).strip()
        if limit and len(text) > limit:
            raise Problem(
                _("The text is %(length)d characters long; at most %(limit)d fit.")
                % {"length": len(text), "limit": limit}
            )
        return text

    return parse


@functools.cache
def _status_names():
    """Every way a status may be written (its label in Norwegian or English, any case, or its code) → the code.
    The same for every file, so it is made once."""
    names = {str(NOT_REPORTED.label).casefold(): None}
    for language in ("nb", "en"):
        with translation.override(language):
            names[str(NOT_REPORTED.label).casefold()] = None
            for status in MeasureStatus:
                names[str(status.label).casefold()] = status.value
    for status in MeasureStatus:
        names[status.value] = status.value
    return names


def parse_status(value):
    if _empty(value):
        return None
    names = _status_names()
    key = str(value).strip().casefold()
    if key not in names:
        known = ", ".join(str(status.label) for status in MeasureStatus.ordered())
        raise Problem(
            _("«%(value)s» is no status. Write one of: %(known)s.") % {"value": str(value)[:40], "known": known}
        )
    return names[key]


def shown(value):
    """A value as the preview shows it."""
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    text = str(value)
    return text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 1] + "…"


def status_shown(value):
    return status_label(value)


# --- columns -------------------------------------------------------------------------------------------------------

IGNORED = None  # a column the export writes for people to read; the import leaves it alone

MEASURE_COLUMNS = {
    "id": parse_int,
    "address": IGNORED,
    "version": parse_int,
    "plan_id": parse_int,
    "plan": IGNORED,
    "number": text_parser(20),
    "title": text_parser(300, required=True),
    "description": text_parser(TEXT_LIMIT),
    "responsible_unit": text_parser(200),
    "deadline": parse_date,
    "status": parse_status,
    "latest_update_id": parse_int,
    "status_date": IGNORED,
    "source_id": parse_int,
}
MEASURE_REQUIRED = ("id", "version", "title")

STATUS_COLUMNS = {
    "id": parse_int,
    "address": IGNORED,
    "number": IGNORED,
    "title": IGNORED,
    "responsible_unit": IGNORED,
    "update_id": parse_int,
    "status": parse_status,
    "period": IGNORED,
    "happened": text_parser(TEXT_LIMIT),
    "next_step": text_parser(SHORT_TEXT_LIMIT),
    "expected_completion": parse_date,
    "evidence_links": text_parser(SHORT_TEXT_LIMIT),
    "reported_by": IGNORED,
    "recorded_at": IGNORED,
}
STATUS_REQUIRED = ("id", "update_id", "status", "happened")

RESOURCES = {MEASURES: MeasureResource, STATUS: StatusSheetResource}
COLUMNS = {MEASURES: (MEASURE_COLUMNS, MEASURE_REQUIRED), STATUS: (STATUS_COLUMNS, STATUS_REQUIRED)}


def headings_of(kind):
    """{column key: heading in the active language} of the import format of `kind`."""
    return dict(_headings(kind, translation.get_language()))


@functools.cache
def _headings(kind, language):
    resource = RESOURCES[kind]()  # a resource copies its fields when it is made: made once per kind and language
    with translation.override(language):
        return tuple((name, str(field.column_name)) for name, field in resource.fields.items())


def _heading_keys(kind):
    """Every way a heading of `kind` may be written (Norwegian or English, any case) → the column's key."""
    resource = RESOURCES[kind]()
    keys = {}
    for language in ("en", "nb"):
        with translation.override(language):
            for name, column in resource.fields.items():
                keys[str(column.column_name).strip().casefold()] = name
    return keys


def map_columns(kind, headings):
    """[column key or None per position] for the file's headings; raises SheetError for a missing, unknown or
    repeated heading."""
    known = _heading_keys(kind)
    wanted, required = COLUMNS[kind]
    labels = headings_of(kind)
    keys, seen, unknown = [], {}, []
    for position, heading in enumerate(headings):
        key = known.get(heading.strip().casefold())
        if not heading.strip():
            keys.append(None)
            continue
        if key is None:
            unknown.append(heading)
        elif key in seen:
            raise SheetError(
                _("The column «%(heading)s» appears twice (columns %(first)d and %(second)d). Remove one of them.")
                % {"heading": heading, "first": seen[key] + 1, "second": position + 1}
            )
        seen[key] = position
        keys.append(key)
    if unknown:
        raise SheetError(
            _("The file has columns this import does not know: %(unknown)s. The columns are: %(known)s.")
            % {"unknown": ", ".join(f"«{h}»" for h in unknown), "known": ", ".join(f"«{labels[k]}»" for k in wanted)}
        )
    missing = [labels[key] for key in required if key not in seen]
    if missing:
        raise SheetError(
            _("The file lacks the columns %(missing)s. Start from a file exported from the list.")
            % {"missing": ", ".join(f"«{h}»" for h in missing)}
        )
    return keys


def parse_row(kind, keys, cells, labels):
    """({key: value} for the file's columns, [(heading, message)]) of one row; `labels` from headings_of(kind)."""
    parsers = COLUMNS[kind][0]
    values, errors = {}, []
    for position, key in enumerate(keys):
        if key is None or parsers[key] is IGNORED:
            continue
        cell = cells[position] if position < len(cells) else None
        if isinstance(cell, Formula):
            errors.append(
                (
                    labels[key],
                    _("The cell holds a formula (%(formula)s). Write the value itself.") % {"formula": cell[:40]},
                )
            )
            continue
        try:
            values[key] = parsers[key](cell)
        except Problem as problem:
            errors.append((labels[key], str(problem)))
    return values, errors


# --- checking rows against the database -----------------------------------------------------------------------------


class MeasureRows:
    """Checks measure rows: existing ones against their measure (version, fields, status), new ones for what a new
    measure needs."""

    fields = ("plan_id", "number", "title", "description", "responsible_unit", "deadline")

    def __init__(self, user, filename):
        self.user = user
        self.labels = headings_of(MEASURES)
        self.units = {}
        for unit in Organisation.objects.only("pk", "name", "short_name"):
            self.units.setdefault(unit.name.casefold(), unit)
            if unit.short_name:
                self.units.setdefault(unit.short_name.casefold(), unit)
        self.plans = {plan.pk: plan for plan in ActionPlan.objects.only("pk", "title", "short_title", "source_id")}
        self.source_ids = set()
        self.seen_ids = {}
        self.seen_numbers = {}

    def check(self, parsed):
        ids = [values.get("id") for _number, values, _errors in parsed if values.get("id")]
        measures = Measure.objects.select_related("responsible_unit", "plan").in_bulk(ids)
        wanted_sources = {values["source_id"] for _n, values, _e in parsed if values.get("source_id")} - self.source_ids
        self.source_ids |= set(Source.objects.filter(pk__in=wanted_sources).values_list("pk", flat=True))
        numbers = {(values.get("plan_id"), values.get("number")) for _n, values, _e in parsed if values.get("number")}
        taken = {}
        if numbers:
            plan_ids = {plan for plan, _number in numbers if plan}
            for pk, plan_id, number in Measure.objects.filter(plan_id__in=plan_ids).values_list(
                "pk", "plan_id", "number"
            ):
                taken[(plan_id, number)] = pk
        for number, values, errors in parsed:
            yield self.row(number, values, errors, measures, taken)

    def _resolve(self, values, errors):
        """The row's fields as the model takes them (the unit by name, the plan by id)."""
        new = {}
        for key in self.fields:
            if key not in values:
                continue
            value = values[key]
            if key == "responsible_unit":
                if value:
                    unit = self.units.get(value.casefold())
                    if unit is None:
                        errors.append(
                            (
                                self.labels[key],
                                _("No unit is called «%(name)s». Write the name as the list of units has it.")
                                % {"name": value},
                            )
                        )
                        continue
                    value = unit
                else:
                    value = None
            if key == "plan_id" and value is not None and value not in self.plans:
                errors.append((self.labels[key], _("There is no action plan with ID %(id)s.") % {"id": value}))
                continue
            new[key] = value
        return new

    def row(self, number, values, errors, measures, taken):
        errors = list(errors)
        pk = values.get("id")
        new = self._resolve(values, errors)
        status = values.get("status")
        if pk is not None:
            measure = measures.get(pk)
            if measure is None:
                errors.append((self.labels["id"], _("There is no measure with ID %(id)s.") % {"id": pk}))
                return RowResult(number, ERROR, label=values.get("title", ""), record_id=pk, errors=errors)
            label = str(measure)
            if pk in self.seen_ids:
                errors.append(
                    (
                        self.labels["id"],
                        _("Measure %(id)s is also on row %(row)d. Keep one row per measure.")
                        % {"id": pk, "row": self.seen_ids[pk]},
                    )
                )
            self.seen_ids.setdefault(pk, number)
            changes, changed = [], {}
            for key, value in new.items():
                old = measure.responsible_unit if key == "responsible_unit" else getattr(measure, key)
                if (old.pk if hasattr(old, "pk") else old) != (value.pk if hasattr(value, "pk") else value):
                    changed[key] = value
                    changes.append((self.labels[key], shown(old), shown(value)))
            status_changed = "status" in values and status != measure.current_status
            if status_changed:
                if status is None:
                    errors.append(
                        (self.labels["status"], _("A status cannot be taken away. Leave the cell as it was."))
                    )
                changes.append((self.labels["status"], status_shown(measure.current_status), status_shown(status)))
            if changed and values.get("version") != measure.version:
                errors.append(
                    (
                        self.labels["version"],
                        _(
                            "The measure was changed after this file was exported "
                            "(version %(file)s in the file, %(now)s now). "
                            "Export the list again and make your changes there."
                        )
                        % {"file": values.get("version") or "–", "now": measure.version},
                    )
                )
            if (
                status_changed
                and "latest_update_id" in values
                and values["latest_update_id"] != measure.latest_update_id
            ):
                errors.append(
                    (
                        self.labels["status"],
                        _(
                            "Somebody reported on the measure after this file was exported. "
                            "Export the list again to see their report."
                        ),
                    )
                )
            self._check_number(
                number, measure.pk, {**{"plan_id": measure.plan_id, "number": measure.number}, **new}, taken, errors
            )
            if errors:
                return RowResult(number, ERROR, label=label, record_id=pk, changes=changes, errors=errors)
            if not changes:
                return RowResult(number, UNCHANGED, label=label, record_id=pk)
            payload = {
                "measure_id": pk,
                "version": measure.version,
                "changes": changed,
                "status": status if status_changed else None,
                "seen_update": measure.latest_update_id,
            }
            return RowResult(number, CHANGE, label=label, record_id=pk, changes=changes, payload=payload)
        # A new measure.
        label = new.get("title", "")
        plan = self.plans.get(new.get("plan_id"))
        source_id = values.get("source_id") or (plan.source_id if plan else None)
        if values.get("source_id") and values["source_id"] not in self.source_ids:
            errors.append(
                (
                    self.labels["source_id"],
                    _("There is no source with ID %(id)s (see /kilder/).") % {"id": values["source_id"]},
                )
            )
        elif source_id is None:
            errors.append(
                (self.labels["source_id"], _("A new measure needs its source: give the source's ID or an action plan."))
            )
        self._check_number(number, None, new, taken, errors)
        changes = [(self.labels[key], "", shown(value)) for key, value in new.items() if value not in (None, "")]
        if status:
            changes.append((self.labels["status"], "", status_shown(status)))
        if errors:
            return RowResult(number, ERROR, label=label, errors=errors, changes=changes)
        payload = {"fields": {**new, "source_id": source_id}, "status": status}
        return RowResult(number, CREATE, label=label, changes=changes, payload=payload)

    def _check_number(self, row_number, pk, values, taken, errors):
        plan_id, number = values.get("plan_id"), values.get("number")
        if not plan_id or not number:
            return
        key = (plan_id, number)
        other = self.seen_numbers.get(key)
        if other is not None and other[0] != pk:
            errors.append(
                (
                    self.labels["number"],
                    _("Number %(number)s in this plan is also on row %(row)d.") % {"number": number, "row": other[1]},
                )
            )
            return
        self.seen_numbers[key] = (pk, row_number)
        holder = taken.get(key)
        if holder is not None and holder != pk:
            errors.append(
                (
                    self.labels["number"],
                    _("Measure %(id)s already has number %(number)s in this plan.") % {"id": holder, "number": number},
                )
            )


class StatusRows:
    """Checks status rows: a row that differs from the update the person saw becomes a new update, if they may
    report on the measure and nobody has reported on it since."""

    compared = ("status", "happened", "next_step", "expected_completion", "evidence_links")

    def __init__(self, user, filename):
        self.user = user
        self.labels = headings_of(STATUS)
        self.all_units = is_coordinator(user)
        self.unit_ids = set() if self.all_units else set(user.units.values_list("pk", flat=True))
        self.seen_keys = {}
        self.changed = {}

    def check(self, parsed):
        ids = [values.get("id") for _n, values, _e in parsed if values.get("id")]
        measures = (
            Measure.objects.select_related("latest_update__author", "latest_update__source")
            .only(
                "pk",
                "number",
                "title",
                "responsible_unit_id",
                "latest_update",
                "latest_update__recorded_at",
                "latest_update__author__first_name",
                "latest_update__author__last_name",
                "latest_update__author_id",
                "latest_update__source__title",
                "latest_update__source_id",
                "latest_update__as_of",
                "latest_update__source__published_on",
            )
            .in_bulk(ids)
        )
        update_ids = [values.get("update_id") for _n, values, _e in parsed if values.get("update_id")]
        updates = StatusUpdate.objects.only("pk", "measure_id", *self.compared).in_bulk(update_ids)
        for number, values, errors in parsed:
            yield self.row(number, values, list(errors), measures, updates)

    def row(self, number, values, errors, measures, updates):
        pk = values.get("id")
        if pk is None:
            if "id" not in [key for key, _message in errors]:
                errors.append((self.labels["id"], _("Which measure? The measure's ID is missing.")))
            return RowResult(number, ERROR, errors=errors)
        measure = measures.get(pk)
        if measure is None:
            errors.append((self.labels["id"], _("There is no measure with ID %(id)s.") % {"id": pk}))
            return RowResult(number, ERROR, record_id=pk, errors=errors)
        label = str(measure)
        seen_id = values.get("update_id")
        seen = updates.get(seen_id) if seen_id else None
        if seen_id and (seen is None or seen.measure_id != pk):
            errors.append(
                (
                    self.labels["update_id"],
                    _("Status update %(update)s is not one of this measure's.") % {"update": seen_id},
                )
            )
            return RowResult(number, ERROR, label=label, record_id=pk, errors=errors)
        key = (pk, seen_id)
        if key in self.seen_keys:
            errors.append(
                (
                    self.labels["id"],
                    _("This row repeats row %(row)d (the same measure and status update).")
                    % {"row": self.seen_keys[key]},
                )
            )
        self.seen_keys.setdefault(key, number)
        old = {
            name: getattr(seen, name) if seen else (None if name in ("status", "expected_completion") else "")
            for name in self.compared
        }
        new = {name: values.get(name, old[name]) for name in self.compared}
        changes = [
            (
                self.labels[name],
                status_shown(old[name]) if name == "status" else shown(old[name]),
                status_shown(new[name]) if name == "status" else shown(new[name]),
            )
            for name in self.compared
            if new[name] != old[name]
        ]
        if not changes:
            if errors:
                return RowResult(number, ERROR, label=label, record_id=pk, errors=errors)
            return RowResult(number, UNCHANGED, label=label, record_id=pk)
        # A sheet of a whole plan may hold other units' measures: left as they are, they are no concern of the import.
        if not self.all_units and measure.responsible_unit_id not in self.unit_ids:
            errors.append(
                (
                    self.labels["id"],
                    _("You report only on the measures of your units; «%(measure)s» belongs to another unit.")
                    % {"measure": label},
                )
            )
            return RowResult(number, ERROR, label=label, record_id=pk, changes=changes, errors=errors)
        if pk in self.changed:
            errors.append(
                (
                    self.labels["id"],
                    _("Measure %(id)s gets a new status on row %(row)d too. Keep one row per measure.")
                    % {"id": pk, "row": self.changed[pk]},
                )
            )
        self.changed.setdefault(pk, number)
        if new["status"] is None:
            errors.append((self.labels["status"], _("Give the measure's status.")))
        if not new["happened"]:
            errors.append((self.labels["happened"], _("Write what happened.")))
        try:
            validate_links(new["evidence_links"])
        except ValidationError as error:
            errors.append((self.labels["evidence_links"], " ".join(error.messages)))
        if measure.latest_update_id != (seen.pk if seen else None):
            latest = measure.latest_update
            errors.append(
                (
                    self.labels["update_id"],
                    _(
                        "%(name)s reported on this measure after the file was exported (%(when)s). "
                        "Export the status sheet again to see their report, then add yours."
                    )
                    % {"name": latest.reporter_name or _("Somebody"), "when": shown(latest.applies_on)},
                )
            )
        if errors:
            return RowResult(number, ERROR, label=label, record_id=pk, changes=changes, errors=errors)
        payload = {"measure_id": pk, "seen_update": seen.pk if seen else None, **new}
        return RowResult(number, CREATE, label=label, record_id=pk, changes=changes, payload=payload)


CHECKERS = {MEASURES: MeasureRows, STATUS: StatusRows}


def analyse(*, kind, content, filename, user):
    """The Preview of the file's bytes: every row's outcome, written nowhere."""
    preview = Preview(kind=kind, filename=filename)
    try:
        headings, rows = open_sheet(content)
        keys = map_columns(kind, headings)
        labels = headings_of(kind)
        checker = CHECKERS[kind](user, filename)
        any_row = False
        while True:
            chunk = list(itertools.islice(rows, CHUNK))
            if not chunk:
                break
            parsed = []
            for number, cells in chunk:
                if all(_empty(cell) for cell in cells):
                    continue
                values, errors = parse_row(kind, keys, cells, labels)
                parsed.append((number, values, errors))
            for result in checker.check(parsed):
                any_row = True
                if result.action == UNCHANGED:
                    preview.unchanged.append(result.number)
                else:
                    preview.rows.append(result)
        if not any_row:
            raise SheetError(_("The file has a heading row but no rows under it."))
    except SheetError as error:
        preview.file_error = str(error)
        preview.rows = []
        preview.unchanged = []
    return preview


def preview(*, kind, content, filename, user):
    """What importing the file would do, row by row. Reads the database, writes nothing."""
    return analyse(kind=kind, content=content, filename=filename, user=user)


@transaction.atomic
def apply(*, kind, content, filename, user):
    """Import the file: every row's change through the services, all in one transaction, or nothing.

    Raises ImportRefused (nothing written) when any row has an error, including a change somebody made since the
    file was exported or since the preview. Returns the Preview of what was done.
    """
    result = analyse(kind=kind, content=content, filename=filename, user=user)
    if not result.ok:
        raise ImportRefused(result)
    reason = reason_for(filename)
    period = ReportingPeriod.objects.current()
    plans = ActionPlan.objects.in_bulk()
    try:
        for row in result.rows:
            if kind == MEASURES:
                _apply_measure(row, user=user, reason=reason, period=period, filename=filename, plans=plans)
            else:
                _apply_status(row, user=user, period=period)
    except StaleVersion as stale:
        # Somebody saved a measure of the file between this import's check and its write: nothing is written.
        transaction.set_rollback(True)
        result.file_error = _("Nothing was imported: «%(measure)s» was changed by somebody else meanwhile.") % {
            "measure": stale.current
        }
        raise ImportRefused(result) from None
    except (ValidationError, IntegrityError) as error:
        transaction.set_rollback(True)
        messages = (
            error.messages if isinstance(error, ValidationError) else [_("a colleague saved at the same moment.")]
        )
        result.file_error = _("Nothing was imported: %(error)s") % {"error": " ".join(messages)}
        raise ImportRefused(result) from None
    return result


def _model_fields(changes, plans):
    """The row's changes as the model's fields: the plan by its record (the sheet names it by id)."""
    fields = dict(changes)
    if "plan_id" in fields:
        plan_id = fields.pop("plan_id")
        fields["plan"] = plans.get(plan_id) if plan_id else None
    return fields


def _apply_measure(row, *, user, reason, period, filename, plans):
    payload = row.payload
    if row.action == CREATE:
        fields = _model_fields(payload["fields"], plans)
        fields["source"] = Source.objects.get(pk=fields.pop("source_id"))
        measure = save_measure(user=user, measure=Measure(), fields=fields, reason=reason)
        row.record_id = measure.pk
    else:
        measure = Measure.objects.get(pk=payload["measure_id"])
        if payload["changes"]:
            measure = save_measure(
                user=user,
                measure=measure,
                fields=_model_fields(payload["changes"], plans),
                expected_version=payload["version"],
                reason=reason,
            )
    if payload["status"]:
        status_text = _("Status set to «%(status)s» by importing the spreadsheet «%(name)s».") % {
            "status": status_shown(payload["status"]),
            "name": filename,
        }
        record_status(
            user=user,
            measure=measure,
            seen_update_id=payload.get("seen_update") or 0,
            status=payload["status"],
            happened=status_text,
            period=period,
        )


def _apply_status(row, *, user, period):
    payload = dict(row.payload)
    measure = Measure.objects.get(pk=payload.pop("measure_id"))
    seen = payload.pop("seen_update")
    record_status(user=user, measure=measure, seen_update_id=seen or 0, period=period, **payload)
