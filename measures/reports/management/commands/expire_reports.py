"""Remove the finished report files past REPORT_FILE_SECONDS and queue again the jobs that lost their worker.

The worker (`report_worker`) does this every minute by itself; the command is for a timer or cron when it does not.
"""

from django.core.management.base import BaseCommand

from ...jobs import expire, requeue_stale


class Command(BaseCommand):
    help = "Remove expired report files and their jobs; queue again the jobs whose worker died."

    def handle(self, *args, **options):
        requeued = requeue_stale()
        removed = expire()
        self.stdout.write(f"{removed} expired report job(s) removed, {requeued} lost job(s) queued again.")
