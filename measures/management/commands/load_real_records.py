"""Load the real records from fixtures/ into a database that has none yet.

A database that already holds records is left alone, so running `make run` again never overwrites what users have
changed. The loaded rows get an initial audit-history entry and their statuses rolled up.
"""

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from decisions.models import Source

from ...services import IMPORT_REASON, rebuild_statuses

FIXTURE = settings.BASE_DIR / "fixtures" / "real_records.json"


class Command(BaseCommand):
    help = "Load Bergen's real drug-policy records into an empty database (skips a database that has records)."

    def handle(self, *args, **options):
        if Source.objects.exists():
            self.stdout.write("The database already has records; nothing loaded, so no change of yours is overwritten.")
            return
        with transaction.atomic():
            call_command("loaddata", str(FIXTURE), verbosity=0)
            # The statuses come from documents, not from a change today; each record's history then starts with one
            # import entry that holds its rolled-up status.
            changed = rebuild_statuses(as_loaded=True)
            created = self._record_initial_history()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the real records: {created} rows, each with an initial history entry; "
                f"{changed} commitment statuses rolled up."
            )
        )

    def _record_initial_history(self):
        """One «created» history row per loaded record, with its many-to-many links, as the import.

        loaddata writes no history for the rows themselves, but django-simple-history records a «changed» row for
        every many-to-many link it sets; those are replaced by the import rows, so each record's history starts
        with its import.
        """
        total = 0
        for model in apps.get_models():
            # Only models that keep a history (django-simple-history marks them); not the history tables themselves.
            if not hasattr(model._meta, "simple_history_manager_attribute"):
                continue
            if model._meta.app_label not in {"decisions", "measures"}:
                continue
            objects = list(model.objects.all())
            model.history.all().delete()
            records = model.history.bulk_history_create(objects, default_change_reason=IMPORT_REASON)
            self._record_m2m_links(model, records or [])
            total += len(objects)
        return total

    @staticmethod
    def _record_m2m_links(model, records):
        """Copy each record's many-to-many links into the history's link tables (as simple-history does on save)."""
        if not records:
            return
        by_pk = {record.instance.pk: record for record in records}
        for field in getattr(type(records[0]), "_history_m2m_fields", []):
            through = getattr(model, field.name).through
            history_through = getattr(records[0], field.name).model
            names = [f.name for f in through._meta.fields]
            owner = next(f.name for f in through._meta.fields if f.related_model is model)
            # The link rows loaddata's «changed» entries left behind go with those entries.
            history_through.objects.exclude(history__in=records).delete()
            rows = [
                history_through(
                    history=by_pk[getattr(row, f"{owner}_id")], **{name: getattr(row, name) for name in names}
                )
                for row in through.objects.all()
            ]
            history_through.objects.bulk_create(rows)
