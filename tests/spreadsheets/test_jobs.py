"""The check and the import of an upload as background jobs: the page that follows them, the preview once the worker
has checked the file, one import however often it is confirmed, a job that fails, a job whose worker died, and
nobody else's eyes on an upload. The queue is the real database backend, the worker django-tasks-db's own loop
(tests/reports/test_jobs.py runs it the same way)."""

import io
import logging
import zipfile
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from measures.models import SpreadsheetUpload, StatusUpdate, UploadState
from measures.roles import Role
from measures.spreadsheets import jobs
from tests.factories import make_person
from tests.reports.helpers import assert_follows_its_job
from tests.reports.test_jobs import work

from .helpers import page_text

# Transactional: the worker loop closes and reopens its database connection between jobs, as a worker does.
pytestmark = pytest.mark.django_db(transaction=True)

CHECK_TASK = jobs.check_upload.module_path
APPLY_TASK = jobs.apply_upload.module_path


@pytest.fixture(autouse=True)
def database_queue(settings):
    """The embedded default: jobs go into the database queue, and nothing runs them until `work()`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def sheet(status_sheet):
    return status_sheet


def upload(client, content, name="status.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    response = client.post(reverse("import_upload"), {"kind": "status", "file": file})
    assert response.status_code == 302
    return response["Location"]


def poll(client, url):
    return client.get(url, headers={"HX-Request": "true", "HX-Trigger": "import-job"})


def damaged(content):
    """The workbook with its sheet cut off in the middle: the heading row reads, the rows after it do not (the XML
    parser gives up at the end of the data), as a file broken in transfer would."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename.startswith("xl/worksheets/"):
                data = data[: len(data) * 3 // 4]
            target.writestr(member, data)
    return out.getvalue()


def kari_updates(kari):
    return StatusUpdate.objects.filter(author=kari).count()


def test_an_upload_answers_at_once_with_a_norwegian_page_that_follows_the_check(client, sheet, kari):
    url = upload(client, sheet)
    stored = SpreadsheetUpload.objects.get()
    assert url == reverse("import_preview", args=[stored.token])
    assert stored.state == UploadState.CHECKING and stored.preview == {}
    assert DBTaskResult.objects.filter(task_path=CHECK_TASK).count() == 1

    response = client.get(url)
    page = assert_follows_its_job(response, url)
    assert "Import av «status.xlsx»" in page
    assert "Filen sjekkes rad for rad. Ingenting er lagret ennå" in page
    assert 'type="submit">Importer' not in page


def test_the_preview_appears_once_the_worker_has_checked_the_file(client, sheet, kari):
    url = upload(client, sheet)
    waiting = poll(client, url)
    assert waiting.status_code == 200
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert "<html" not in waiting.content.decode()  # only the part that changes

    work()

    done = poll(client, url)
    assert done.status_code == 204
    assert done["HX-Redirect"] == url  # the whole page is loaded again: now the preview
    preview = page_text(client.get(url))
    assert "Ingenting er lagret ennå" in preview
    assert "Status: Ikke rapportert → Pågår" in preview
    assert "Hva som har skjedd: – → Tomten er kjøpt." in preview
    assert "Importer 1 rad" in preview
    assert kari_updates(kari) == 0


def test_confirming_twice_imports_once(client, sheet, kari, measures):
    url = upload(client, sheet)
    work()
    first = client.post(url)
    second = client.post(url)  # a double click, or the same page in a second tab
    assert (first.status_code, first["Location"]) == (302, url)
    assert (second.status_code, second["Location"]) == (302, url)
    assert DBTaskResult.objects.filter(task_path=APPLY_TASK).count() == 1
    assert SpreadsheetUpload.objects.get().state == UploadState.IMPORTING

    importing = client.get(url)
    assert importing.status_code == 202
    assert "Radene importeres nå" in importing.content.decode()

    work()
    client.post(url)  # and once more after the import
    work()
    assert DBTaskResult.objects.filter(task_path=APPLY_TASK).count() == 1
    assert kari_updates(kari) == 1
    update = StatusUpdate.objects.get(author=kari)
    assert (update.measure, update.status, update.happened) == (measures[1], "in_progress", "Tomten er kjøpt.")
    done = page_text(client.get(url))
    assert "«status.xlsx» er importert: 1 nye, 0 endret, 1 uendret." in done
    assert "Importer 1 rad" not in done
    # A task queued twice for one import (it happens after a lost worker) finds nothing to do.
    assert jobs.apply_upload.call(SpreadsheetUpload.objects.get().pk) == "skipped"
    assert kari_updates(kari) == 1


def refusing(table):
    """A database that refuses every query of `table` (Django's own hook on the connection), as one that lost the
    table's file or its lock would: the job's work fails in the middle, where no check of the file can catch it."""

    def wrapper(execute, sql, params, many, context):
        if f'"{table}"' in sql:
            raise DatabaseError(f"{table} is not available")
        return execute(sql, params, many, context)

    return wrapper


def test_a_file_cut_off_in_the_middle_is_refused_in_the_preview_with_the_row_it_broke_at(client, sheet, kari):
    url = upload(client, damaged(sheet))
    work()
    stored = SpreadsheetUpload.objects.get()
    assert stored.state == UploadState.READY
    text = page_text(client.get(url))
    assert "Arbeidsboken kunne ikke leses etter rad" in text and "lagre den på nytt" in text
    assert client.post(url).status_code == 409  # a file with an error is never imported
    assert DBTaskResult.objects.filter(task_path=APPLY_TASK).count() == 0
    assert kari_updates(kari) == 0


def test_a_check_that_fails_says_so_and_changes_nothing(client, sheet, kari, caplog):
    url = upload(client, sheet)
    with (
        caplog.at_level(logging.ERROR, logger="measures.spreadsheets.jobs"),
        connection.execute_wrapper(refusing("measures_measure")),
    ):
        work()
    assert SpreadsheetUpload.objects.get().state == UploadState.FAILED
    logged = [record for record in caplog.records if record.name == "measures.spreadsheets.jobs"]
    assert logged and logged[0].exc_info is not None and "could not be checked" in logged[0].getMessage()

    response = client.get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert "Filen kunne ikke sjekkes: en feil stoppet sjekken." in text
    assert "Ingenting ble endret." in text
    assert 'hx-trigger="every' not in response.content.decode()  # nothing more to follow
    polled = poll(client, url)
    assert polled.status_code == 286  # htmx stops polling
    assert "Filen kunne ikke sjekkes" in polled.content.decode()
    assert client.post(url)["Location"] == url
    assert DBTaskResult.objects.filter(task_path=APPLY_TASK).count() == 0
    assert kari_updates(kari) == 0


def test_an_import_that_fails_midway_says_so_and_changes_nothing(client, sheet, kari, caplog):
    url = upload(client, sheet)
    work()
    client.post(url)
    # The database refuses the status updates' table while the import reads and writes it.
    with (
        caplog.at_level(logging.ERROR, logger="measures.spreadsheets.jobs"),
        connection.execute_wrapper(refusing("measures_statusupdate")),
    ):
        work()
    stored = SpreadsheetUpload.objects.get()
    assert (stored.state, stored.applied_at) == (UploadState.FAILED, None)
    assert any("could not be imported" in record.getMessage() for record in caplog.records)
    text = page_text(client.get(url))
    assert "Importen kunne ikke gjøres: en feil stoppet den." in text
    assert "Ingenting ble endret." in text
    assert kari_updates(kari) == 0


def test_a_file_damaged_after_its_check_is_refused_at_the_import_and_nothing_is_written(client, sheet, kari):
    url = upload(client, sheet)
    work()
    # The stored bytes break after the check (a disk or a copy that broke): the import reads them again and refuses.
    SpreadsheetUpload.objects.update(content=damaged(sheet))
    client.post(url)
    work()
    stored = SpreadsheetUpload.objects.get()
    assert (stored.state, stored.applied_at) == (UploadState.READY, None)
    assert "Arbeidsboken kunne ikke leses etter rad" in page_text(client.get(url))
    assert kari_updates(kari) == 0


def test_a_job_whose_worker_died_is_taken_up_again(client, sheet, kari, settings):
    url = upload(client, sheet)
    work()
    client.post(url)
    # The worker took the import and died: its task stays «running» in the queue, the upload held by its attempt.
    DBTaskResult.objects.filter(task_path=APPLY_TASK).update(status=TaskResultStatus.RUNNING)
    long_ago = timezone.now() - timedelta(seconds=settings.IMPORT_JOB_SECONDS + 1)
    SpreadsheetUpload.objects.update(run="lost", started_at=long_ago, attempts=1)
    assert jobs.requeue_stale() == 1
    assert jobs.requeue_stale() == 0  # queued once
    work()
    stored = SpreadsheetUpload.objects.get()
    assert (stored.state, stored.attempts) == (UploadState.IMPORTED, 2)
    assert kari_updates(kari) == 1


def test_the_page_takes_up_a_lost_check_itself_and_gives_up_after_the_attempts(client, sheet, kari, settings):
    url = upload(client, sheet)
    long_ago = timezone.now() - timedelta(seconds=settings.IMPORT_JOB_SECONDS + 1)
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)
    SpreadsheetUpload.objects.update(run="lost", started_at=long_ago, attempts=1)
    assert client.get(url).status_code == 202
    assert DBTaskResult.objects.filter(task_path=CHECK_TASK, status=TaskResultStatus.READY).count() == 1

    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)
    SpreadsheetUpload.objects.update(run="lost again", started_at=long_ago, attempts=settings.IMPORT_ATTEMPTS)
    response = client.get(url)
    assert "Filen kunne ikke sjekkes: sjekken ble startet flere ganger og ble aldri ferdig." in page_text(response)
    assert SpreadsheetUpload.objects.get().state == UploadState.FAILED


def test_nobody_else_can_see_poll_or_confirm_an_upload(client, sheet, kari, unit, per):
    url = upload(client, sheet)
    colleague = make_person("ola", Role.CASEWORKER, [unit], first_name="Ola", last_name="Kollega")
    for other in (colleague, per):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert poll(client, url).status_code == 404
    work()
    for other in (colleague, per):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert SpreadsheetUpload.objects.get().state == UploadState.READY
    assert DBTaskResult.objects.filter(task_path=APPLY_TASK).count() == 0
    assert kari_updates(kari) == 0


def test_the_page_that_follows_a_job_reads_a_fixed_number_of_queries(client, sheet, django_assert_num_queries):
    url = upload(client, sheet)
    # The session, the person and their rights (3), the upload; the session is saved (3: a savepoint around it).
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 202
    with django_assert_num_queries(8):
        assert poll(client, url).status_code == 200
