"""The check and the import of an uploaded spreadsheet, as background jobs on Django's task framework.

A preview of 50,000 rows takes many seconds and an import of many changed rows longer, more than a web request may
take, so the requests only start a job and show the page that follows it. The upload (SpreadsheetUpload) moves
through its states:

    checking ──check_upload──▶ ready ──confirm──▶ importing ──apply_upload──▶ imported
                                 ▲                     │
                                 └──── refused ────────┘        (and from either job: failed)

- `start_check` stores the upload («checking») and queues `check_upload`, which writes the preview («ready»).
- `confirm` moves a ready upload to «importing» with one conditional UPDATE, so two clicks or two tabs queue one
  import; `apply_upload` runs importing.apply (one transaction, every row or none, through the services) and marks
  the upload «imported» in the same transaction. A refusal (a record changed since the preview) puts the upload back
  to «ready» with the refusal's preview, which the page shows.
- A job that raises is logged and the upload «failed»: the import's transaction was rolled back, nothing changed.
- A job whose worker died is started again by the worker's sweep (`requeue_stale`, from `manage.py report_worker`)
  once IMPORT_JOB_SECONDS have passed since its attempt started, at most IMPORT_ATTEMPTS times. Each attempt claims
  the upload under an id of its own (`run`), and finishes only while it still holds it: the import marks the upload
  «imported» in its own transaction, conditionally on its attempt, and is rolled back when another attempt has taken
  it over, so an upload is never imported twice.
"""

import logging
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from django_tasks import task

from ..models import SpreadsheetUpload, UploadState
from ..reports import jobs as report_jobs
from . import importing

logger = logging.getLogger(__name__)

# The messages of a failure, stored in English and shown in the reader's language.
FAILED = {
    UploadState.CHECKING: gettext_noop("The file could not be checked: an error stopped the check."),
    UploadState.IMPORTING: gettext_noop("The import could not be done: an error stopped it."),
}
LOST = {
    UploadState.CHECKING: gettext_noop(
        "The file could not be checked: the check was started several times and never finished."
    ),
    UploadState.IMPORTING: gettext_noop(
        "The import could not be done: it was started several times and never finished."
    ),
}


class TakenOver(Exception):
    """The attempt lost its upload to another attempt (after the sweep took it for lost): it must not finish."""


# --- The web requests' side ---------------------------------------------------------------------------------------


def start_check(*, user, kind, filename, content):
    """Store an uploaded file and queue its check.

    Side effects: a SpreadsheetUpload in state «checking» (the bytes, the uploader, a random token, the active
    language, in which the preview will be written) and a check_upload task in the queue, in one transaction.
    Returns the upload.
    """
    with transaction.atomic():
        upload = SpreadsheetUpload.objects.create(
            token=secrets.token_urlsafe(32),
            user=user,
            kind=kind,
            filename=filename[:255],
            content=content,
            state=UploadState.CHECKING,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        check_upload.enqueue(upload.pk)
    return upload


def confirm(*, upload):
    """Queue the import of a checked upload, once.

    Side effects: the upload's state «ready» → «importing» by a conditional UPDATE, and an apply_upload task in the
    queue, in one transaction. Returns False, changing nothing, when the upload is not ready (its import is queued,
    running or done already: a second click, a second tab).
    """
    with transaction.atomic():
        taken = SpreadsheetUpload.objects.filter(pk=upload.pk, state=UploadState.READY).update(
            state=UploadState.IMPORTING, run="", attempts=0, started_at=None, error=""
        )
        if taken:
            apply_upload.enqueue(upload.pk)
    return bool(taken)


def take_up_if_lost(upload):
    """Queue the upload's job again now if its attempt has run longer than any may (its worker died), as the sweep
    would (`requeue_stale`); the page that follows it then need not wait for the sweep. Refreshes `upload`."""
    before = timezone.now() - timedelta(seconds=settings.IMPORT_JOB_SECONDS)
    if upload.state in UploadState.waiting() and upload.run and upload.started_at and upload.started_at < before:
        requeue_stale(upload_ids=[upload.pk])
        upload.refresh_from_db(fields=["state", "run", "attempts", "started_at", "error"])


# --- The worker's side --------------------------------------------------------------------------------------------


@task()
def check_upload(upload_id):
    """Write the preview of upload `upload_id`: «checking» → «ready» (or «failed»). Returns the state."""
    return _run(upload_id, UploadState.CHECKING, _check)


@task()
def apply_upload(upload_id):
    """Import upload `upload_id`: «importing» → «imported», back to «ready» when refused, or «failed». Returns the
    state."""
    return _run(upload_id, UploadState.IMPORTING, _apply)


TASKS = {UploadState.CHECKING: check_upload, UploadState.IMPORTING: apply_upload}


def _run(upload_id, state, work):
    run_id = _claim(upload_id, state)
    if run_id is None:  # gone, done, or run by another attempt (a task queued twice): nothing to do
        return "skipped"
    upload = SpreadsheetUpload.objects.select_related("user").get(pk=upload_id)
    try:
        with translation.override(upload.language):
            return work(upload, run_id)
    except Exception:
        logger.exception(
            "The spreadsheet %s (upload %s) could not be %s.",
            upload.filename,
            upload.pk,
            "checked" if state == UploadState.CHECKING else "imported",
        )
        _finish(upload.pk, run_id, state, state=UploadState.FAILED, error=FAILED[state])
        return UploadState.FAILED


def _claim(upload_id, state):
    """Take the upload for a new attempt; its id, or None when it is not waiting in `state` for one."""
    run_id = uuid.uuid4().hex
    taken = SpreadsheetUpload.objects.filter(pk=upload_id, state=state, run="").update(
        run=run_id, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    return run_id if taken else None


def _finish(upload_id, run_id, held, **fields):
    """Write the outcome of attempt `run_id`, if it still holds the upload in state `held`; whether it did."""
    return bool(
        SpreadsheetUpload.objects.filter(pk=upload_id, run=run_id, state=held).update(run="", started_at=None, **fields)
    )


def _check(upload, run_id):
    result = importing.preview(
        kind=upload.kind, content=bytes(upload.content), filename=upload.filename, user=upload.user
    )
    _finish(upload.pk, run_id, UploadState.CHECKING, state=UploadState.READY, preview=result.as_dict())
    return UploadState.READY


def _apply(upload, run_id):
    try:
        with transaction.atomic():
            done = importing.apply(
                kind=upload.kind, content=bytes(upload.content), filename=upload.filename, user=upload.user
            )
            finished = _finish(
                upload.pk,
                run_id,
                UploadState.IMPORTING,
                state=UploadState.IMPORTED,
                applied_at=timezone.now(),
                preview=done.as_dict(),
            )
            if not finished:
                raise TakenOver
    except importing.ImportRefused as refusal:
        _finish(upload.pk, run_id, UploadState.IMPORTING, state=UploadState.READY, preview=refusal.preview.as_dict())
        return UploadState.READY
    except TakenOver:
        logger.warning("The import of %s (upload %s) was taken over by another attempt.", upload.filename, upload.pk)
        return "taken over"
    return UploadState.IMPORTED


def requeue_stale(*, upload_ids=None):
    """Queue again every check or import whose attempt has run longer than IMPORT_JOB_SECONDS (its worker died), or
    mark it failed after IMPORT_ATTEMPTS attempts. Safe to repeat: an import is all or nothing, and only the attempt
    holding the upload may finish it. Returns how many were queued again."""
    before = timezone.now() - timedelta(seconds=settings.IMPORT_JOB_SECONDS)
    stale = SpreadsheetUpload.objects.filter(state__in=UploadState.waiting(), started_at__lt=before).exclude(run="")
    if upload_ids is not None:
        stale = stale.filter(pk__in=upload_ids)
    queued = 0
    for upload in stale.only("pk", "filename", "state", "run", "attempts"):
        if upload.attempts >= settings.IMPORT_ATTEMPTS:
            logger.error(
                "The spreadsheet %s (upload %s) was lost %s times; given up.",
                upload.filename,
                upload.pk,
                upload.attempts,
            )
            _finish(upload.pk, upload.run, upload.state, state=UploadState.FAILED, error=LOST[upload.state])
            continue
        with transaction.atomic():
            taken = SpreadsheetUpload.objects.filter(pk=upload.pk, run=upload.run, state=upload.state).update(
                run="", started_at=None
            )
            if taken:
                logger.warning(
                    "The spreadsheet %s (upload %s) lost its worker; queued again.", upload.filename, upload.pk
                )
                TASKS[upload.state].enqueue(upload.pk)
                queued += 1
    if upload_ids is None:
        queued += _requeue_lost_in_queue()
    return queued


def _requeue_lost_in_queue():
    """Queue again every check or import that waits for a task the queue no longer holds (taken by a worker that
    died before it claimed the upload). A task queued twice is harmless: only one attempt claims the upload."""
    waiting = report_jobs.waiting_task_args([task.module_path for task in TASKS.values()])
    if waiting is None:
        return 0
    before = timezone.now() - timedelta(seconds=report_jobs.TASK_PICKUP_SECONDS)
    lost = SpreadsheetUpload.objects.filter(state__in=UploadState.waiting(), run="", uploaded_at__lt=before)
    queued = 0
    for upload in lost.only("pk", "filename", "state"):
        if (upload.pk,) not in waiting:
            logger.warning("The spreadsheet %s (upload %s) had no task left; queued again.", upload.filename, upload.pk)
            TASKS[upload.state].enqueue(upload.pk)
            queued += 1
    return queued
