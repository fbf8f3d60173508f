"""The archive made in the background: by the worker's sweep after a change, one build at a time, with the waiting
page «Arkivet lages» only when no archive was ever made. The queue is the real database backend and the worker
django-tasks-db's own loop (as in tests/reports/test_jobs.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from measures.opendata import archive
from measures.reports import jobs
from measures.reports.models import JobState, ReportJob
from measures.services import record_status
from measures.status import MeasureStatus
from tests.reports.helpers import assert_follows_its_job
from tests.reports.test_jobs import poll, work

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_queue(settings, memory_cache):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_with_no_archive_made_yet_the_download_waits_for_the_first_build(client, one):
    url = reverse("open_data_archive")
    page = assert_follows_its_job(client.get(url), url)
    assert "Arkivet lages" in page and "Rapporten" not in page.split("<main", 1)[1]
    # Asked again before the worker ran: the same job, not a second one.
    assert client.get(url).status_code == 202
    assert ReportJob.objects.filter(spec__kind="archive").count() == 1
    work()
    assert "Arkivet er klart" in poll(client, url).content.decode()
    ready = client.get(url)
    assert ready.status_code == 200 and ready["Content-Type"] == "application/zip"


def test_the_sweep_makes_the_archive_again_after_a_change_and_only_one_at_a_time(client, one, reporter, settings):
    assert archive.refresh() is not None
    assert archive.refresh() is None  # one build at a time: the first is still queued
    work()
    assert archive.refresh() is None  # made for the data as it is
    first = client.get(reverse("open_data_archive"))
    assert first.status_code == 200 and "X-Archive-Version" not in first

    record_status(measure=one["measures"][0], status=MeasureStatus.DONE, happened="Ferdig.", user=reporter)
    # The data changed a moment ago: more changes may follow (a caseworker's reports come in a burst), so no build
    # yet; the download hands over the archive made before.
    assert archive.refresh() is None
    meanwhile = client.get(reverse("open_data_archive"))
    assert meanwhile["X-Archive-Version"] == "previous" and meanwhile.content == first.content
    assert meanwhile["ETag"] == first["ETag"]
    assert not ReportJob.objects.filter(state=JobState.QUEUED).exists()
    quiet = timezone.now() + timedelta(seconds=settings.OPEN_DATA_ARCHIVE_QUIET_SECONDS + 1)
    assert archive.refresh(now=quiet) is not None
    work()
    assert archive.refresh(now=quiet) is None
    after = client.get(reverse("open_data_archive"))
    assert after.status_code == 200 and "X-Archive-Version" not in after
    assert after.content != first.content
    made = ReportJob.objects.filter(spec__kind="archive")
    assert made.count() == 2 and set(made.values_list("state", flat=True)) == {JobState.DONE}


def test_an_archive_asked_for_data_that_changed_since_is_not_built_and_only_the_newest_are_kept(
    client, one, reporter, settings
):
    settings.OPEN_DATA_ARCHIVE_QUIET_SECONDS = 0
    for text in ("Første.", "Andre.", "Tredje."):
        assert archive.refresh() is not None
        work()
        record_status(measure=one["measures"][0], status=MeasureStatus.IN_PROGRESS, happened=text, user=reporter)
    stale = archive.refresh()
    record_status(measure=one["measures"][0], status=MeasureStatus.DONE, happened="Ferdig.", user=reporter)
    work()  # the job asked for the data before «Ferdig.»: not built
    assert not ReportJob.objects.filter(pk=stale.pk).exists()
    assert archive.refresh() is not None
    work()
    archive.refresh()
    done = ReportJob.objects.filter(spec__kind="archive", state=JobState.DONE)
    assert done.count() == archive.KEPT
    assert archive.newest()[1] == ReportJob.objects.filter(spec__kind="archive").latest("finished_at").spec["args"][0]


def test_a_job_whose_task_was_lost_before_it_began_is_queued_again(client, one):
    job = archive.refresh()
    # The worker took the task and died before it began the job: the task stays «running», the job «queued».
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=5))
    ReportJob.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert jobs.requeue_lost_in_queue() == 1
    assert jobs.requeue_lost_in_queue() == 0  # its new task waits in the queue
    work()
    job.refresh_from_db()
    assert job.state == JobState.DONE
