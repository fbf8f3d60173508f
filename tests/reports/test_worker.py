"""The worker as a process of its own (`manage.py report_worker`, as `make run` and systemd start it), on the test
database: killed with SIGKILL in the middle of a render, the job is taken up again by the next worker and made
once; a render that runs out of memory fails, says so, and the worker goes on with the next job."""

import os
import re
import signal

import pytest
from django.core.management import call_command
from django.urls import reverse

from measures.reports.models import JobState, ReportJob
from tests.factories import make_decision
from tests.processes import alive, children, environment, start_worker, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shared(settings, tmp_path):
    """The queue in the database and the reports cache in files, both shared with the worker processes."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.CACHES = {
        **settings.CACHES,
        "reports": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache" / "reports"),
        },
    }
    return tmp_path


def pdf_jobs():
    """The report jobs but the open-data archive's, which the worker's sweep builds by itself."""
    return ReportJob.objects.exclude(spec__kind="archive")


def job_state():
    job = pdf_jobs().first()
    return job and job.state


def test_a_worker_killed_mid_render_loses_nothing(client, shared):
    call_command("generate_demo_data", measures=300, updates=2, verbosity=0)
    url = reverse("measure_list_pdf")
    assert client.get(url).status_code == 202
    env = environment(CACHE_DIR=shared / "cache", REPORT_LEASE_SECONDS=2)
    log = open(shared / "worker.log", "w")  # noqa: SIM115 (closed below)
    first = start_worker(env, log)
    try:
        wait_for(lambda: job_state() == JobState.RUNNING, timeout=60, interval=0.05, what="the render to start")
        renders = wait_for(lambda: children(first.pid), timeout=30, interval=0.05, what="the render's process")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        # The render dies with its worker (nothing goes on unwatched), and the job is still «running», unfinished.
        wait_for(lambda: not any(alive(pid) for pid in renders), timeout=10, what="the render to end")
        job = pdf_jobs().get()
        assert job.state == JobState.RUNNING and job.attempts == 1
        from django.core.cache import caches

        assert caches["reports"].get(job.key) is None

        # The job's lease (2 s) has run out by now; the second worker's own leases are the usual 30 s, so that a
        # slow moment of its heartbeat cannot take the job from it and render it a third time.
        second = start_worker({**env, "REPORT_LEASE_SECONDS": "30"}, log)
        try:
            wait_for(lambda: job_state() == JobState.DONE, timeout=180, what="the job to be taken up again")
        finally:
            stop(second)
    finally:
        stop(first)
        log.close()
    job = pdf_jobs().get()
    assert job.attempts == 2
    assert "lost its worker; queued again" in (shared / "worker.log").read_text()
    download = client.get(url)
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-") and len(download.content) == job.size


def test_a_render_past_the_memory_limit_fails_and_the_worker_goes_on(client, shared):
    call_command("generate_demo_data", measures=1000, updates=1, verbosity=0)
    large = reverse("measure_list_pdf")  # 1,000 measures: some 700 MB more than a small report
    small = reverse("decision_pdf", args=[make_decision(title="Et lite vedtak").pk])
    assert client.get(large).status_code == 202
    assert client.get(small).status_code == 202
    env = environment(CACHE_DIR=shared / "cache", REPORT_MEMORY_LIMIT_MB=250)
    log = open(shared / "worker.log", "w")  # noqa: SIM115 (closed below)
    worker = start_worker(env, log)
    try:
        wait_for(
            lambda: not ReportJob.objects.filter(state__in=[JobState.QUEUED, JobState.RUNNING]).exists(),
            timeout=180,
            what="both renders to end",
        )
        assert worker.poll() is None, "the worker survives a failed render"
    finally:
        stop(worker)
        log.close()
    failed = ReportJob.objects.get(path=large)
    worker_log = (shared / "worker.log").read_text()
    assert failed.state == JobState.FAILED, worker_log
    assert failed.error == "It needed more memory than a report may have.", worker_log
    assert ReportJob.objects.get(path=small).state == JobState.DONE
    page = client.get(large)
    assert page.status_code == 503
    assert "Den trengte mer minne enn en rapport kan få." in page.content.decode()
    assert re.search(r"failed: the render exited with (3|-5|-6|-7|-11)\.", worker_log), worker_log
    assert client.get(small)["Content-Type"] == "application/pdf"
