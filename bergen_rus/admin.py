"""The back office's shared machinery: history pages that cost a fixed number of queries, and initial values from
an address that cannot overflow a key. The models are registered in measures.admin, which saves every one of them
through measures.services (the one write path)."""

import itertools

from django.core.exceptions import FieldDoesNotExist
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange, ModelDelta

from bergen_rus.converters import parse_id

from .audit import HIDDEN_FIELDS, field_changes, m2m_members


class SafeInitialDataMixin:
    """Initial values from the address of an «add» page (`?measure=3`) only where they can name a record.

    A number too long for any key would reach the database driver and fail there with an overflow (a 500); such a
    value is left out, and the field starts empty.
    """

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.is_relation:
                continue
            values = value if isinstance(value, list) else [value]
            if any(parse_id(str(item)) is None for item in values):
                del initial[name]
        return initial


class HistoryAdmin(SafeInitialDataMixin, SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history page costs a fixed number of queries.

    The library diffs many-to-many fields with two queries per history row; here each tracked many-to-many field
    is read once for the whole page and compared in Python. The page shows the same "old → new" changes.
    """

    history_list_per_page = 50

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)  # newest first
        if not records:
            return
        m2m_fields = list(getattr(type(records[0]), "_history_m2m_fields", []))
        members = m2m_members(records, m2m_fields)
        excluded = [field.name for field in m2m_fields]
        uneditable = [f for f in type(records[0]).tracked_fields if not f.editable and f.name not in HIDDEN_FIELDS]
        for newer, older in itertools.pairwise(records):
            delta = newer.diff_against(older, excluded_fields=excluded, foreign_keys_are_objs=foreign_keys_are_objs)
            changes, changed_fields = list(delta.changes), list(delta.changed_fields)
            # The fields no form edits (a rolled-up status), which the library's diff leaves out.
            for change in field_changes(newer, older, uneditable):
                changes.append(change)
                changed_fields.append(change.field)
            for field in m2m_fields:
                before, after = members[field.name][older.history_id], members[field.name][newer.history_id]
                if [row["key"] for row in before] != [row["key"] for row in after]:
                    changes.append(ModelChange(field.name, before, after))
                    changed_fields.append(field.name)
            helper = self.get_historical_record_context_helper(request, newer)
            newer.history_delta_changes = helper.context_for_delta_changes(
                ModelDelta(changes, changed_fields, older, newer)
            )
