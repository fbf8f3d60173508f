"""Import measures or status updates from a spreadsheet (.xlsx or CSV), as the import page does.

    python manage.py import_records status.xlsx --kind status --user kari [--dry-run]

Prints the same preview as the page, row by row, in Norwegian; then imports every row or none (one transaction,
through measures.services, the history in the person's name with the file's name as the reason). With --dry-run it
stops after the preview. The person's role decides what they may import, as in the browser.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...spreadsheets import importing
from ...spreadsheets.reading import SheetError, check_size


def preview_lines(result):
    """The preview as lines of text (the page's table, one row after the other)."""
    actions = {
        importing.CREATE: _("New status update") if result.kind == importing.STATUS else _("New measure"),
        importing.CHANGE: _("Changed"),
        importing.ERROR: _("Error"),
    }
    if result.file_error:
        return [result.file_error]
    lines = []
    for row in result.rows:
        record = f"{row.record_id}: {row.label}" if row.record_id else row.label
        lines.append(
            _("Row %(number)d: %(action)s – %(record)s")
            % {"number": row.number, "action": actions[row.action], "record": record or "–"}
        )
        for column, message in row.errors:
            lines.append(f"    ! {column}: {message}" if column else f"    ! {message}")
        for column, old, new in row.changes:
            lines.append(f"    {column}: {old} → {new}")
    counts = result.counts
    if result.unchanged:
        lines.append(_("Left alone: rows %(rows)s") % {"rows": importing.row_ranges(result.unchanged)})
    lines.append(
        _("In all: %(create)d new, %(change)d changed, %(unchanged)d left alone, %(error)d with errors.") % counts
    )
    if result.changes_nothing:
        lines.append(_("Importing this file changes nothing: every row is as it is on the site."))
    return lines


class Command(BaseCommand):
    help = "Import measures or status updates from an .xlsx or CSV file exported from the site."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, choices=importing.KINDS)
        parser.add_argument("--user", required=True, help="The user name of the person the import is made by.")
        parser.add_argument("--dry-run", action="store_true", help="Show the preview only; write nothing.")

    def handle(self, *args, file, kind, user, dry_run, **options):
        person = get_user_model().objects.filter(username=user, is_active=True).first()
        if person is None:
            raise CommandError(_("There is no active user «%(name)s».") % {"name": user})
        if kind not in importing.importable_kinds(person):
            raise CommandError(_("%(name)s's role does not allow importing this kind of file.") % {"name": user})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file «%(name)s».") % {"name": file})
        try:
            check_size(path.stat().st_size)
        except SheetError as error:
            raise CommandError(str(error)) from None
        content = path.read_bytes()
        result = importing.preview(kind=kind, content=content, filename=path.name, user=person)
        self.stdout.write("\n".join(preview_lines(result)))
        if not result.ok:
            raise CommandError(_("Nothing is imported."))
        if dry_run or result.changes_nothing:
            self.stdout.write(_("Nothing is saved (dry run).") if dry_run else "")
            return
        try:
            done = importing.apply(kind=kind, content=content, filename=path.name, user=person)
        except importing.ImportRefused as refusal:
            self.stdout.write("\n".join(preview_lines(refusal.preview)))
            raise CommandError(_("Nothing is imported.")) from None
        self.stdout.write(_("Imported: %(create)d new, %(change)d changed, %(unchanged)d left alone.") % done.counts)
