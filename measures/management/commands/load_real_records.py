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

from ...services import rebuild_statuses

FIXTURE = settings.BASE_DIR / "fixtures" / "real_records.json"
IMPORT_REASON = "Import av faste data fra fixtures/real_records.json"


class Command(BaseCommand):
    help = "Load Bergen's real drug-policy records into an empty database (skips a database that has records)."

    def handle(self, *args, **options):
        if Source.objects.exists():
            self.stdout.write("The database already has records; nothing loaded, so no change of yours is overwritten.")
            return
        with transaction.atomic():
            call_command("loaddata", str(FIXTURE), verbosity=0)
            created = self._record_initial_history()
            changed = rebuild_statuses()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the real records: {created} rows, each with an initial history entry; "
                f"{changed} commitment statuses rolled up."
            )
        )

    def _record_initial_history(self):
        total = 0
        for model in apps.get_models():
            history = getattr(model, "history", None)
            if history is None or model._meta.app_label not in {"decisions", "measures"}:
                continue
            objects = list(model.objects.all())
            model.history.bulk_history_create(objects, default_change_reason=IMPORT_REASON)
            total += len(objects)
        return total
