"""Load the real records from fixtures/ into a database that has none yet, or bring loaded records up to date.

Without options, a database that already holds records is left alone, so running `make run` again never overwrites
what users have changed. The loaded rows are marked as loaded (`fixture_pk`), get an initial audit-history entry and
their statuses rolled up.

With --update, the corrections in fixtures/corrections/ are applied to the records loaded earlier, in the name of
the person given with --user (see measures.corrections for the rules): records nobody has changed are corrected,
those a person has changed are listed and left alone, and every correction is in the history with its reason and on
the public «Rettelser» page.
"""

import json

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F

from decisions.models import Source

from ...corrections import apply_corrections, plan_corrections
from ...services import IMPORT_REASON, rebuild_statuses

FIXTURE = settings.BASE_DIR / "fixtures" / "real_records.json"
CORRECTIONS = settings.BASE_DIR / "fixtures" / "corrections"


def correction_rounds(directory=CORRECTIONS, fixture=FIXTURE):
    """The rounds of corrections in `directory`, oldest first, each with its baseline and the rows it leads to.

    Each round's file (round-*.json) names the baseline it corrects (the fixture as it was loaded before); a round
    leads to the next round's baseline, the last to the fixture as it is now.
    """
    rounds = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("round-*.json"))]
    baselines = [json.loads((directory / r["baseline"]).read_text(encoding="utf-8")) for r in rounds]
    targets = [*baselines[1:], json.loads(fixture.read_text(encoding="utf-8"))]
    return [(r, before, after) for r, before, after in zip(rounds, baselines, targets, strict=True)]


def fixture_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in {"decisions", "measures"}
        and any(f.name == "fixture_pk" for f in model._meta.fields)
    ]


class Command(BaseCommand):
    help = (
        "Load Bergen's real drug-policy records into an empty database (skips a database that has records); "
        "with --update, apply the fixture's corrections to the records loaded earlier."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update", action="store_true", help="Apply the corrections in fixtures/corrections/ to loaded records."
        )
        parser.add_argument("--user", help="With --update: the user name of the person the corrections are made by.")
        parser.add_argument(
            "--fixture",
            default=str(FIXTURE),
            help="Load this file instead of fixtures/real_records.json (e.g. an earlier release, to try --update).",
        )

    def handle(self, *args, **options):
        if options["update"]:
            return self.update(options["user"])
        if Source.objects.exists():
            self.stdout.write("The database already has records; nothing loaded, so no change of yours is overwritten.")
            return
        with transaction.atomic():
            call_command("loaddata", options["fixture"], verbosity=0)
            # Every row was loaded from the fixture (the database had none): mark them so, by their fixture number.
            for model in fixture_models():
                model.objects.update(fixture_pk=F("pk"))
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

    def update(self, username):
        if not username:
            raise CommandError("--update needs --user: the corrections are made in a person's name.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called «{username}».")
        if not any(model.objects.filter(fixture_pk__isnull=False).exists() for model in fixture_models()):
            raise CommandError("No records loaded from the fixture here; load them first (without --update).")
        for entries, before, after in correction_rounds():
            try:
                changes = plan_corrections(baseline_rows=before, fixture_rows=after, entries=entries["corrections"])
            except ValueError as error:
                raise CommandError(
                    f"{entries['baseline']}: the corrections do not match the fixture: {error}"
                ) from None
            outcome = apply_corrections(user=user, changes=changes)
            keys = {row.key for row in outcome.applied}
            self.stdout.write(
                f"{entries['baseline']}: {len(keys)} corrections applied, {len(outcome.done_before)} applied before, "
                f"{len(set(outcome.already))} needed nothing, {len(outcome.left_alone)} left alone."
            )
            for key, label, why in outcome.left_alone:
                self.stdout.write(self.style.WARNING(f"  left alone: {key} ({label}): {why}"))
        self.stdout.write(
            self.style.SUCCESS("The loaded records are up to date with the fixture where nobody changed them.")
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
