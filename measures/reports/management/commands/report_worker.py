"""The background worker: django-tasks-db's `db_worker` (every task of the default queue: the PDF reports, the
open-data archive and the spreadsheet imports), plus a sweep every SWEEP_SECONDS that queues again the report jobs
whose worker died (their lease ran out) and the spreadsheet checks and imports whose attempt ran too long
(measures.spreadsheets.jobs), removes expired report files, and starts the open-data archive's build when the data
changed since the last one.

    python manage.py report_worker            # what `make run` and deploy/bergen-rus-worker.service start
"""

import logging
import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from ....opendata import archive
from ....spreadsheets import jobs as import_jobs
from ...jobs import expire, requeue_lost_in_queue, requeue_stale

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 15


def sweep_forever(stop):
    while True:
        try:
            close_old_connections()
            requeue_stale()
            requeue_lost_in_queue()
            import_jobs.requeue_stale()
            expire()
            archive.refresh()
        except Exception:  # a database that is away for a moment must not end the sweep
            logger.exception("The sweep of the report jobs failed; trying again.")
        finally:
            connection.close()
        if stop.wait(SWEEP_SECONDS):
            return


class Command(DatabaseWorkerCommand):
    help = "Run the background jobs (PDF reports, spreadsheet imports), and queue again those whose worker died."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(self, *args, **options):
        stop = threading.Event()
        threading.Thread(target=sweep_forever, args=(stop,), daemon=True, name="report-sweep").start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
