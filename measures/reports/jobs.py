"""PDF reports made in the background, on Django's task framework (the django-tasks backport).

A render takes seconds to minutes and up to gigabytes, so no web request makes one. A request for a report (a
`Report`: what, which variant, which language, which day) finds it in the reports cache under the same key as
before (the data's version, the code's release, the report's cleaned filters, variant, language and day), or starts
one job for it (`start`), or joins the job already making it: one render per report at a time. The worker
(`manage.py report_worker`) runs `make_report`: it takes one of REPORT_RENDERS_AT_ONCE slots (the rest wait in the
queue), renders in a child process whose memory is limited, renews the job's lease while it runs and puts the file
into the reports cache. A job whose worker died is queued again when its lease runs out (`requeue_stale`); one that
fails says so on the waiting page and in the log. Finished files expire after REPORT_FILE_SECONDS (`expire`).
"""

import ctypes
import logging
import os
import resource
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.mail import send_mail
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from ..caching import cache_key, data_version
from ..models import Measure
from ..periods import find_period, period_key
from . import pdf, render
from .models import JobState, ReportJob

logger = logging.getLogger(__name__)

CACHE_KIND = "report-pdf"
ARCHIVE_KIND = "archive"
# pg_advisory_xact_lock's key for counting the running renders (any fixed number no other code uses).
SLOT_LOCK = 7_310_462_001
# A render that exits with this code ran out of memory. So did one that a library ended with abort() or GLib's
# g_error() (SIGABRT, SIGTRAP), which is what cairo, pango and GLib do when an allocation or a thread's stack fails
# under the limit, or that crashed on memory it did not get (SIGSEGV, SIGBUS: a failed allocation not checked).
OUT_OF_MEMORY = 3
OUT_OF_MEMORY_CODES = (OUT_OF_MEMORY, -signal.SIGABRT, -signal.SIGTRAP, -signal.SIGSEGV, -signal.SIGBUS)


def report_cache():
    return caches["reports"]


@dataclass(frozen=True)
class Report:
    """One report to make: its kind and arguments, the variant, the language and the day it is made for.

    kind and args: «status» (period key, filter query), «progress» (period key), «decision» (id), «measure» (id),
    «list» (list kind, filter query); the filters are always written one way (data.canonical_params). The open-data
    archive (a zip file, not a PDF) is made the same way: «archive» (the data's version it was asked for).
    """

    kind: str
    args: tuple
    archive: bool = False
    language: str = settings.LANGUAGE_CODE
    day: str = ""

    @classmethod
    def of(cls, kind, *args, archive=False):
        """The report `kind` of `args` in the current language, as of today."""
        return cls(
            kind=kind,
            args=tuple(str(arg) for arg in args),
            archive=archive,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            day=timezone.localdate().isoformat(),
        )

    def key(self, version=None):
        """The cache key of the file under the data's `version` (the current one by default): as the reports were
        keyed before they were made in the background."""
        parts = (self.kind, *self.args, "archive" if self.archive else "ua", self.language, self.day)
        return cache_key(CACHE_KIND, version or data_version(), *parts)

    def as_json(self):
        return {**asdict(self), "args": list(self.args)}

    @classmethod
    def from_json(cls, value):
        return cls(**{**value, "args": tuple(value["args"])})

    def document(self):
        """The report as a pdf.Document (in the report's language)."""
        kind, args = self.kind, self.args
        if kind == "status":
            return render.status_report_document(period=find_period(args[0]), params=QueryDict(args[1]))
        if kind == "progress":
            return render.progress_document(period=find_period(args[0]))
        if kind == "decision":
            return render.decision_document(decision_id=int(args[0]))
        if kind == "measure":
            return render.measure_document(measure_id=int(args[0]))
        if kind == "list":
            return render.list_document(kind=args[0], params=QueryDict(args[1]))
        raise ValueError(f"No report of kind {kind!r}")

    def render(self):
        """The file's bytes: the PDF, or the open-data archive's zip file."""
        if self.kind == ARCHIVE_KIND:
            from ..opendata.archive import build_archive  # the archive's tables read the models this module serves

            return build_archive(version=self.args[0])
        with translation.override(self.language):
            return pdf.write_pdf(self.document(), archive=self.archive)


def cached_file(key):
    """The finished PDF under `key`, or None."""
    return report_cache().get(key)


# --- Starting and joining jobs (the web requests and the period services) ---------------------------------------


def find(key):
    """The job making or having made the report under `key`, or None (one query)."""
    return ReportJob.objects.filter(key=key).first()


def is_waiting(job):
    """Whether `job` is still queued or being made (once a lost job is queued again)."""
    if job.state == JobState.RUNNING and job.lease_until is not None and job.lease_until < timezone.now():
        requeue_stale(job_ids=[job.pk])
        job.refresh_from_db()
    return job.state in (JobState.QUEUED, JobState.RUNNING)


def is_recent_failure(job):
    failed_since = timezone.now() - timedelta(seconds=settings.REPORT_FAILED_SECONDS)
    return job.state == JobState.FAILED and job.finished_at is not None and job.finished_at > failed_since


def start(report, *, key, filename, path, email="", job=None):
    """Make sure `report` is being made or made: a job of its own, or the one that is making it already (`job`,
    when the caller has found it).

    A job for the same key that has finished but whose file is gone (expired), or that failed long enough ago, is
    queued again. Side effects: the ReportJob row, a task in the queue, `email` added to those told when it is done.
    Returns the job as it is after the task was queued.
    """
    created = False
    if job is None:
        try:
            with transaction.atomic():
                job = ReportJob.objects.create(
                    key=key, spec=report.as_json(), path=path, filename=filename, notify=[email] if email else []
                )
            created = True
        except IntegrityError:  # asked for at the same moment by someone else: theirs is the job
            job = ReportJob.objects.get(key=key)
    if not created:
        if job.state == JobState.DONE or (job.state == JobState.FAILED and not is_recent_failure(job)):
            reset = ReportJob.objects.filter(pk=job.pk, state=job.state).update(
                state=JobState.QUEUED, attempts=0, error="", run="", lease_until=None, finished_at=None, size=None
            )
            created = bool(reset)
        if email and email not in job.notify:
            ReportJob.objects.filter(pk=job.pk).update(notify=[*job.notify, email])
    if created:
        _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job, *, delay=0):
    backend = make_report.get_backend()
    if delay and backend.supports_defer:
        make_report.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(job.pk)
    else:
        make_report.enqueue(job.pk)


def prepare_period_reports(*, period_id):
    """Queue the status report and the progress report of a period, PDF/UA and archive, in the site's language,
    unless they are made already: called when a coordinator closes or publishes the period, so the first politician
    who opens them gets the file at once. A report larger than LOGGED_IN_REPORT_LIMIT is left for whoever asks.

    Side effects: up to four jobs queued.
    """
    period = find_period(str(period_id))
    if period is None:
        return
    measures = Measure.objects.count()
    if measures > settings.LOGGED_IN_REPORT_LIMIT:
        logger.info("The reports of %s are not prepared: %s measures is more than a render may hold.", period, measures)
        return
    key = period_key(period)
    with translation.override(settings.LANGUAGE_CODE):
        for archive in (False, True):
            query = "?archive=1" if archive else ""
            wanted = [
                (
                    Report.of("status", key, "", archive=archive),
                    render.status_report_name(period=period),
                    reverse("status_report_pdf") + f"?period={key}" + ("&archive=1" if archive else ""),
                ),
                (
                    Report.of("progress", key, archive=archive),
                    render.progress_name(period=period),
                    reverse("progress_pdf", args=[period.pk]) + query,
                ),
            ]
            for report, filename, path in wanted:
                report_key = report.key()
                if cached_file(report_key) is None:
                    start(report, key=report_key, filename=filename, path=path)


# --- Rate limit for anonymous visitors --------------------------------------------------------------------------


def client_address(request):
    """The visitor's address: behind the TLS proxy the one it appended to X-Forwarded-For, else the peer's."""
    if settings.SECURE_PROXY_SSL_HEADER and request.headers.get("X-Forwarded-For"):
        return request.headers["X-Forwarded-For"].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def rate_limited_until(request, *, count=True):
    """Count one render started by this visitor's address (unless not `count`: only look); the time it may start
    another, if it is over the limit.

    Fixed windows of REPORT_RATE_WINDOW seconds, counted in the «limits» cache (Redis when REDIS_URL is set, so every
    application server counts together).
    """
    window = settings.REPORT_RATE_WINDOW
    slot = int(time.time() // window)
    key = f"bergen_rus:report-rate:{client_address(request)}:{slot}"
    limits = caches["limits"]
    if not count:
        if (limits.get(key) or 0) < settings.REPORT_RATE_LIMIT:
            return None
        return datetime.fromtimestamp((slot + 1) * window, tz=timezone.get_current_timezone())
    limits.add(key, 0, window + 60)
    if limits.incr(key) <= settings.REPORT_RATE_LIMIT:
        return None
    return datetime.fromtimestamp((slot + 1) * window, tz=timezone.get_current_timezone())


# --- The worker's side ------------------------------------------------------------------------------------------


@task()
def make_report(job_id):
    """Make the report of job `job_id` (see the module's docstring); returns the job's state."""
    return run(job_id)


TASK_PATH = make_report.module_path


def run(job_id):
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None or job.state in (JobState.DONE, JobState.FAILED):
        return job.state if job else "gone"
    if job.state == JobState.RUNNING:  # a task queued twice for one job (after a lost lease): one is enough
        return job.state
    if cached_file(job.key) is not None:  # made meanwhile by an attempt that survived its worker
        _finish(job, size=len(cached_file(job.key)))
        return JobState.DONE
    if job.spec.get("kind") == ARCHIVE_KIND:
        from ..opendata.archive import superseded  # the archive's module imports this one

        if superseded(job):  # the data changed since it was asked for: the sweep asks for the current one
            ReportJob.objects.filter(pk=job.pk, state=JobState.QUEUED).delete()
            return "superseded"
    run_id = claim(job)
    if run_id is None:
        _enqueue(job, delay=2)  # every slot is taken: wait in the queue
        return JobState.QUEUED
    try:
        outcome = _render(job, run_id)
    except Exception:
        logger.exception("The report %s (job %s) could not be made.", job.filename, job.pk)
        outcome = gettext_noop("An error stopped it.")
    if isinstance(outcome, int):
        _finish(job, size=outcome)
        return JobState.DONE
    if outcome is not None:
        _fail(job, run_id, outcome)
        return JobState.FAILED
    return JobState.QUEUED  # the attempt was taken over (its lease ran out): the new one finishes the job


def claim(job):
    """Take a render slot for `job` and mark it running with a fresh lease; the attempt's id, or None when all
    REPORT_RENDERS_AT_ONCE slots are taken. Counting and taking happen under one lock (an exclusive transaction on
    SQLite, an advisory lock on PostgreSQL), so two workers never take the last slot both."""
    now = timezone.now()
    run_id = uuid.uuid4().hex
    with exclusive_transaction():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SLOT_LOCK])
        busy = ReportJob.objects.filter(state=JobState.RUNNING, lease_until__gt=now).exclude(pk=job.pk).count()
        if busy >= settings.REPORT_RENDERS_AT_ONCE:
            return None
        taken = ReportJob.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
            state=JobState.RUNNING,
            run=run_id,
            attempts=F("attempts") + 1,
            started_at=now,
            lease_until=now + timedelta(seconds=settings.REPORT_LEASE_SECONDS),
        )
    return run_id if taken else None


def _renew(job, run_id):
    """Renew the lease of attempt `run_id`; False when the job was taken from it (its lease had run out). A database
    that cannot be written for a moment (SQLite busy with another process) is not a lost job: the lease runs a while
    yet, and the next heartbeat renews it."""
    lease = timezone.now() + timedelta(seconds=settings.REPORT_LEASE_SECONDS)
    try:
        renewed = ReportJob.objects.filter(pk=job.pk, run=run_id, state=JobState.RUNNING).update(lease_until=lease)
    except OperationalError:
        logger.warning("The lease of job %s could not be renewed now; trying again at the next heartbeat.", job.pk)
        return True
    return bool(renewed)


def _render(job, run_id):
    """Render the job's report into the reports cache. Returns the file's size, a message saying why it failed, or
    None when the attempt lost its job to another."""
    if not settings.REPORT_RENDER_IN_CHILD:
        content = Report.from_json(job.spec).render()
        report_cache().set(job.key, content)
        return len(content)
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "render_report_job", str(job.pk)]
    # Two malloc arenas: glibc reserves 64 MB of address space for each thread's own, which the limit would count.
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    child = subprocess.Popen(  # noqa: S603 (our own command)
        command, preexec_fn=_die_with_parent, stdout=subprocess.DEVNULL, env=env
    )
    deadline = time.monotonic() + settings.REPORT_RENDER_SECONDS
    heartbeat = max(settings.REPORT_LEASE_SECONDS / 3, 0.5)
    while True:
        try:
            child.wait(timeout=heartbeat)
            break
        except subprocess.TimeoutExpired:
            pass
        if not _renew(job, run_id):
            child.kill()
            child.wait()
            return None
        if time.monotonic() > deadline:
            child.kill()
            child.wait()
            logger.error("The report %s (job %s) took longer than %s s.", job.filename, job.pk, deadline)
            return gettext_noop("It took longer than a report may take.")
    content = cached_file(job.key)
    if child.returncode == 0 and content is not None:
        return len(content)
    logger.error("The report %s (job %s) failed: the render exited with %s.", job.filename, job.pk, child.returncode)
    if child.returncode in OUT_OF_MEMORY_CODES:
        return gettext_noop("It needed more memory than a report may have.")
    return gettext_noop("An error stopped it.")


def _die_with_parent():
    """In the child, before it runs: a lower priority than the web servers' (a render waits for the CPU a reader's
    page needs), and death with the worker (Linux), so that no render goes on unwatched after its worker is gone;
    the job is queued again when its lease runs out."""
    os.nice(RENDER_NICENESS)
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1
RENDER_NICENESS = 10


def render_in_this_process(job_id):
    """The child process's work (`manage.py render_report_job`): limit this process's address space to what it has
    now (Python, Django and WeasyPrint, about 100 MB) plus REPORT_MEMORY_LIMIT_MB, render the job's report and put
    it into the reports cache. Exits with OUT_OF_MEMORY when the limit stops the render."""
    job = ReportJob.objects.get(pk=job_id)
    limit = _address_space("VmSize") + settings.REPORT_MEMORY_LIMIT_MB * 2**20
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        content = Report.from_json(job.spec).render()
    except Exception as error:
        # Past the limit an allocation fails wherever it happens: in Python (MemoryError, also one a library's error
        # was raised from) or in a library (cairo, fontconfig), which may then raise anything. A failure with the
        # address space at its limit is the limit. (The limit is lifted first, so that saying so needs no memory the
        # render could not have.)
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        if _caused_by_memory(error) or _address_space("VmPeak") >= limit - MEMORY_MARGIN:
            logger.error("The render of job %s needed more than %s MB.", job_id, settings.REPORT_MEMORY_LIMIT_MB)
            sys.exit(OUT_OF_MEMORY)
        raise
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    report_cache().set(job.key, content)


MEMORY_MARGIN = 64 * 2**20


def _caused_by_memory(error):
    """Whether `error` is a MemoryError or was raised while handling one (or from one)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, MemoryError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _address_space(field):
    """This process's address space now (VmSize) or at its largest (VmPeak), in bytes (Linux; 0 elsewhere)."""
    try:
        status = open("/proc/self/status").read()  # noqa: SIM115 (tiny, read at once)
    except OSError:
        return 0
    line = next((line for line in status.splitlines() if line.startswith(f"{field}:")), f"{field}: 0 kB")
    return int(line.split()[1]) * 1024


def _finish(job, *, size):
    ReportJob.objects.filter(pk=job.pk).update(
        state=JobState.DONE, finished_at=timezone.now(), size=size, lease_until=None, error=""
    )
    job.refresh_from_db()
    _tell(job)


def _fail(job, run_id, message):
    """Mark the attempt's job failed; `message` is the English source text, shown in the reader's language."""
    ReportJob.objects.filter(pk=job.pk, run=run_id).update(
        state=JobState.FAILED, finished_at=timezone.now(), error=message, lease_until=None
    )


def _tell(job):
    """E-mail the logged-in people who asked for the report the link to it."""
    if not job.notify:
        return
    with translation.override(job.spec.get("language", settings.LANGUAGE_CODE)):
        subject = _("Your report is ready: %(name)s") % {"name": job.filename}
        body = _(
            "The report you asked for is ready. Download it here:\n\n%(link)s\n\n"
            "The link gives the report as long as the records are unchanged; after a change it makes a new one."
        ) % {"link": settings.SITE_URL + job.path}
    for address in job.notify:
        send_mail(subject, body, None, [address], fail_silently=True)


# A task taken by a worker that has not started its job within this many seconds was lost with the worker.
TASK_PICKUP_SECONDS = 60


def waiting_task_args(task_paths):
    """The first argument of every task of `task_paths` still waiting in the database queue, or taken a moment ago
    (TASK_PICKUP_SECONDS): the jobs something will still run. None unless the queue is the database backend."""
    if not isinstance(make_report.get_backend(), DatabaseBackend):
        return None
    taken_since = timezone.now() - timedelta(seconds=TASK_PICKUP_SECONDS)
    rows = DBTaskResult.objects.filter(task_path__in=task_paths).filter(
        Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING, started_at__gt=taken_since)
    )
    return {tuple(args_kwargs.get("args", []))[:1] for args_kwargs in rows.values_list("args_kwargs", flat=True)}


def requeue_lost_in_queue():
    """Queue again every job that is «queued» but has no task left to run it: its task was taken by a worker that
    died before it began (or before it put the job back in the queue to wait for a slot). A task queued twice is
    harmless: only one attempt can claim the job. Returns how many were queued again."""
    waiting = waiting_task_args([TASK_PATH])
    if waiting is None:
        return 0
    before = timezone.now() - timedelta(seconds=TASK_PICKUP_SECONDS)
    queued = 0
    for job in ReportJob.objects.filter(state=JobState.QUEUED, created_at__lt=before).only("pk", "filename"):
        if (job.pk,) not in waiting:
            logger.warning("The report %s (job %s) had no task left in the queue; queued again.", job.filename, job.pk)
            _enqueue(job)
            queued += 1
    return queued


def requeue_stale(*, job_ids=None):
    """Queue again every running job whose lease ran out (its worker died or hung), or fail it after
    REPORT_ATTEMPTS attempts. Returns how many were queued again."""
    stale = ReportJob.objects.filter(state=JobState.RUNNING, lease_until__lt=timezone.now())
    if job_ids is not None:
        stale = stale.filter(pk__in=job_ids)
    queued = 0
    for job in stale:
        if job.attempts >= settings.REPORT_ATTEMPTS:
            logger.error("The report %s (job %s) was lost %s times; given up.", job.filename, job.pk, job.attempts)
            _fail(job, job.run, gettext_noop("It was started several times and never finished."))
            continue
        taken = ReportJob.objects.filter(pk=job.pk, run=job.run, state=JobState.RUNNING).update(
            state=JobState.QUEUED, run="", lease_until=None
        )
        if taken:
            logger.warning("The report %s (job %s) lost its worker; queued again.", job.filename, job.pk)
            _enqueue(job)
            queued += 1
    return queued


def expire(*, now=None):
    """Remove the finished files older than REPORT_FILE_SECONDS with their jobs, the failures older than
    REPORT_FAILED_SECONDS, and the task queue's finished rows of the same age. Returns how many jobs were removed."""
    now = now or timezone.now()
    files_before = now - timedelta(seconds=settings.REPORT_FILE_SECONDS)
    failures_before = now - timedelta(seconds=settings.REPORT_FAILED_SECONDS)
    old = ReportJob.objects.filter(
        Q(state=JobState.DONE, finished_at__lt=files_before) | Q(state=JobState.FAILED, finished_at__lt=failures_before)
    )
    keys = list(old.values_list("key", flat=True))
    report_cache().delete_many(keys)
    removed, _by_model = old.delete()
    tasks = DBTaskResult.objects.filter(task_path=TASK_PATH)
    tasks.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=files_before
    ).delete()
    # A task whose worker died stays «running» in the queue's table; its job was queued again with a task of its own.
    tasks.filter(status=TaskResultStatus.RUNNING, started_at__lt=files_before).delete()
    return removed
