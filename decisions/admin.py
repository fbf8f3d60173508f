"""Admin for sources and themes, and the base class for versioned records.

Decisions, platforms and commitments are registered in measures.admin: saving them can change a commitment's
rolled-up status, and the roll-up rule lives in measures (which imports decisions, never the reverse).
"""

import itertools

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange, ModelDelta

from bergen_rus.converters import parse_id

from .forms import VersionedModelForm, save_own_fields
from .history import m2m_members
from .models import Source, Theme


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
        for newer, older in itertools.pairwise(records):
            delta = newer.diff_against(older, excluded_fields=excluded, foreign_keys_are_objs=foreign_keys_are_objs)
            changes, changed_fields = list(delta.changes), list(delta.changed_fields)
            for field in m2m_fields:
                before, after = members[field.name][older.history_id], members[field.name][newer.history_id]
                if [row["key"] for row in before] != [row["key"] for row in after]:
                    changes.append(ModelChange(field.name, before, after))
                    changed_fields.append(field.name)
            helper = self.get_historical_record_context_helper(request, newer)
            newer.history_delta_changes = helper.context_for_delta_changes(
                ModelDelta(changes, changed_fields, older, newer)
            )


class VersionedAdmin(HistoryAdmin):
    """Admin for records with a `version`: a stale save is refused instead of overwriting a colleague's work."""

    form = VersionedModelForm

    def save_model(self, request, obj, form, change):
        form.bump_version()
        if change:
            save_own_fields(obj, form)  # a status written meanwhile by the status rules stays as it is
        else:
            super().save_model(request, obj, form, change)


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["title", "kind", "publisher", "date_note", "case_number", "file_name"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "case_number", "file_name", "summary"]


@admin.register(Theme)
class ThemeAdmin(HistoryAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
