"""Send the reminders that are due (run by a scheduler, e.g. every morning; see the README)."""

from django.core.management.base import BaseCommand

from ...reminders import send_reminders


class Command(BaseCommand):
    help = "E-mail due reminders: period opened, a week to the deadline, progress report published. Never twice."

    def handle(self, *args, **options):
        outcome = send_reminders()
        self.stdout.write(f"Reminders sent: {outcome.sent}; not needed or sent before: {outcome.skipped}.")
