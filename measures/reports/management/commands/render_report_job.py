"""Render one report job into the reports cache (run by the worker as a child process with a memory limit)."""

from django.core.management.base import BaseCommand

from ...jobs import render_in_this_process


class Command(BaseCommand):
    help = "Render the report of one background job (the worker runs this in a child process)."

    def add_arguments(self, parser):
        parser.add_argument("job", type=int)

    def handle(self, *args, job, **options):
        render_in_this_process(job)
