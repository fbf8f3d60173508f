"""Reports made in the background: the waiting page, one job per report, the budget, the limits, failures,
expiry, and the reports made when a period is closed or published. The queue is the real database backend; the
worker is django-tasks-db's own worker loop, run here until the queue is empty (tests/reports/test_worker.py runs
it as a process of its own and kills it)."""

import re
import time
import urllib.parse
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from measures import services
from measures.models import PeriodState
from measures.reports import jobs
from measures.reports.models import JobState, ReportJob
from tests.factories import make_commitment, make_decision, make_measure, make_period, make_user
from tests.reports.helpers import assert_follows_its_job

# Transactional: the worker loop closes and reopens its database connection between jobs, as a worker does.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_queue(settings):
    """The embedded default: jobs go into the database queue, and nothing runs them until `work()`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def work():
    """Run the worker until the queue is empty (the same loop `manage.py report_worker` runs)."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.fixture
def decision():
    decision = make_decision(title="Vedtak om lavterskeltilbud", case_number="2026/17")
    make_commitment(decision=decision, number=1, title="Styrke MO-sentrene")
    return decision


def pdf_url(decision):
    return reverse("decision_pdf", args=[decision.pk])


def poll(client, url, trigger="report-job"):
    return client.get(url, headers={"HX-Request": "true", "HX-Trigger": trigger})


def test_an_uncached_report_answers_at_once_with_a_norwegian_waiting_page_that_follows_the_job(client, decision):
    response = client.get(pdf_url(decision))
    page = assert_follows_its_job(response, pdf_url(decision))
    assert "Rapporten lages" in page
    assert "oppfolging-av-vedtak-2026-17.pdf" in page
    assert ReportJob.objects.get().state == JobState.QUEUED


def test_the_waiting_page_hands_over_the_file_when_the_job_is_done(client, decision):
    url = pdf_url(decision)
    client.get(url)
    waiting = poll(client, url)
    assert waiting.status_code == 200
    assert "står i kø" in waiting.content.decode()
    assert 'hx-trigger="every 2s"' in waiting.content.decode()

    work()

    ready = poll(client, url)
    assert ready.status_code == 200
    text = ready.content.decode()
    assert "Rapporten er klar" in text
    assert 'hx-trigger="every' not in text  # the polling part is replaced: it stops
    assert 'id="report-handover"' in text and 'hx-trigger="load"' in text
    handover = poll(client, url, trigger="report-handover")
    assert handover.status_code == 204
    assert handover["HX-Redirect"] == url
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-")
    assert download["X-Report-Cache"] == "hit"


def test_requests_for_a_report_being_made_wait_for_the_same_job(client, decision):
    url = pdf_url(decision)
    for _ in range(5):
        assert client.get(url).status_code == 202
    other_visitor = client.__class__(REMOTE_ADDR="10.0.0.9")
    assert other_visitor.get(url).status_code == 202
    assert ReportJob.objects.count() == 1
    assert DBTaskResult.objects.count() == 1, "one render queued, not six"
    work()
    assert client.get(url)["Content-Type"] == "application/pdf"
    assert other_visitor.get(url)["Content-Type"] == "application/pdf"
    assert DBTaskResult.objects.count() == 1


def test_the_archive_variant_and_another_language_are_other_reports(client, decision):
    url = pdf_url(decision)
    client.get(url)
    client.get(url + "?archive=1")
    client.cookies["django_language"] = "en"
    client.get(url)
    assert ReportJob.objects.count() == 3


def test_a_logged_in_person_gets_an_email_with_the_link_when_the_report_is_ready(client, decision, settings):
    settings.SITE_URL = "https://rus.bergen.example"
    person = make_user("politiker", email="politiker@bergen.example")
    client.force_login(person)
    page = client.get(pdf_url(decision))
    assert page.status_code == 202
    assert "Du får også en e-post med lenken" in page.content.decode()
    assert mail.outbox == []
    work()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["politiker@bergen.example"]
    assert "Rapporten din er klar" in message.subject
    assert f"https://rus.bergen.example{pdf_url(decision)}" in message.body


# A rate window that does not end during a test run (the windows are fixed: the next boundary is in 2033). With the
# real ten minutes, a window could end between two requests of one test and start the count anew.
ONE_WINDOW = 10**9


def test_an_anonymous_address_that_starts_too_many_renders_gets_429_and_nothing_is_rendered(client, settings):
    settings.REPORT_RATE_LIMIT = 2
    settings.REPORT_RATE_WINDOW = ONE_WINDOW
    decisions = [make_decision(title=f"Vedtak {n}") for n in range(3)]
    assert client.get(pdf_url(decisions[0])).status_code == 202
    assert client.get(pdf_url(decisions[1])).status_code == 202
    refused = client.get(pdf_url(decisions[2]))
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "Prøv igjen om" in text and "kl." in text
    assert int(refused["Retry-After"]) > 0
    assert ReportJob.objects.count() == 2, "nothing queued for the refused request"
    # Asking again for a report being made is no new render, and another address has its own count.
    assert client.get(pdf_url(decisions[0])).status_code == 202
    assert client.__class__(REMOTE_ADDR="10.0.0.7").get(pdf_url(decisions[2])).status_code == 202
    # A made report is free.
    work()
    assert client.get(pdf_url(decisions[0]))["Content-Type"] == "application/pdf"


def test_an_address_over_its_limit_is_refused_before_anything_is_counted_and_each_refusal_links_back_to_itself(
    client, settings, django_assert_max_num_queries
):
    settings.REPORT_RATE_LIMIT = 1
    settings.REPORT_RATE_WINDOW = ONE_WINDOW
    decisions = [make_decision(title=f"Vedtak {n}") for n in range(3)]
    assert client.get(pdf_url(decisions[0])).status_code == 202
    counter = f"bergen_rus:report-rate:127.0.0.1:{int(time.time() // settings.REPORT_RATE_WINDOW)}"
    assert caches["limits"].get(counter) == 1
    # Over the limit: the refusal comes before the records are counted (the decision, the job: no count of points).
    with django_assert_max_num_queries(3):
        first = client.get(pdf_url(decisions[1]))
    second = client.get(pdf_url(decisions[2]) + "?archive=1")
    assert first.status_code == second.status_code == 429
    assert caches["limits"].get(counter) == 1, "a refusal starts nothing and counts nothing"
    for response, url in ((first, pdf_url(decisions[1])), (second, pdf_url(decisions[2]) + "?archive=1")):
        links = re.findall(r'\?next=([^"]*)"', response.content.decode())
        assert links and {urllib.parse.unquote(link) for link in links} == {url}, links
    assert ReportJob.objects.count() == 1


def test_logged_in_people_have_no_rate_limit(client, settings, decision):
    settings.REPORT_RATE_LIMIT = 0
    client.force_login(make_user("leser"))
    assert client.get(pdf_url(decision)).status_code == 202


@pytest.mark.parametrize("kind", ["progress", "decision", "status"])
def test_every_report_kind_has_a_size_limit_for_anonymous_visitors(client, settings, kind):
    settings.PUBLIC_REPORT_LIMIT = 2
    period = make_period(2026, "t1", state=PeriodState.PUBLISHED)
    decision = make_decision(title="Stort vedtak")
    for number in range(3):
        make_measure(title=f"Tiltak {number}")
        make_commitment(decision=decision, number=number + 1)
    url = {
        "progress": reverse("progress_pdf", args=[period.pk]),
        "decision": pdf_url(decision),
        "status": reverse("status_report_pdf") + "?period=2026-t1",
    }[kind]
    response = client.get(url)
    assert response.status_code == 413
    assert "kan en PDF ha høyst 2" in response.content.decode()
    assert ReportJob.objects.count() == 0


def test_a_logged_in_person_past_the_higher_limit_is_told_to_narrow_the_selection(client, settings):
    settings.PUBLIC_REPORT_LIMIT = 1
    settings.LOGGED_IN_REPORT_LIMIT = 2
    for number in range(3):
        make_measure(title=f"Tiltak {number}")
    client.force_login(make_user("leser"))
    response = client.get(reverse("measure_list_pdf"))
    assert response.status_code == 413
    text = response.content.decode()
    assert "Utvalget har 3 poster" in text and "høyst 2" in text
    assert "snevre inn utvalget" in text
    assert "logg inn" not in text.lower().split("</header>")[-1]
    assert ReportJob.objects.count() == 0
    settings.LOGGED_IN_REPORT_LIMIT = 3
    assert client.get(reverse("measure_list_pdf")).status_code == 202


def test_a_failed_render_says_so_in_norwegian_on_the_waiting_page_and_is_logged(client, decision, caplog):
    url = pdf_url(decision)
    client.get(url)
    decision.delete()  # gone before the worker came to it: the render fails
    work()
    job = ReportJob.objects.get()
    assert job.state == JobState.FAILED
    assert job.error == "An error stopped it."  # shown in the reader's language (the next test)
    assert f"The report {job.filename} (job {job.pk}) could not be made." in caplog.text


def test_a_failed_job_is_shown_as_failed_and_not_rendered_again_at_once(client, decision):
    url = pdf_url(decision)
    client.get(url)
    job = ReportJob.objects.get()
    ReportJob.objects.filter(pk=job.pk).update(
        state=JobState.FAILED, finished_at=timezone.now(), error="It needed more memory than a report may have."
    )
    page = client.get(url)
    assert page.status_code == 503
    text = page.content.decode()
    assert "Rapporten kunne ikke lages" in text
    assert "Den trengte mer minne enn en rapport kan få." in text
    assert 'hx-trigger="every' not in text
    polled = poll(client, url)
    assert polled.status_code == 286  # htmx stops polling
    assert DBTaskResult.objects.count() == 1


def test_a_job_whose_lease_ran_out_is_queued_again_when_someone_waits_for_it(client, decision):
    url = pdf_url(decision)
    client.get(url)
    job = ReportJob.objects.get()
    # A worker took it and died: running, its lease long gone.
    ReportJob.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, run="dead", attempts=1, lease_until=timezone.now() - timedelta(minutes=1)
    )
    DBTaskResult.objects.update(status="RUNNING")
    assert poll(client, url).status_code == 200
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    work()
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2
    assert client.get(url)["Content-Type"] == "application/pdf"


def test_a_job_lost_too_often_fails(decision, client, settings):
    client.get(pdf_url(decision))
    job = ReportJob.objects.get()
    ReportJob.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, run="dead", attempts=settings.REPORT_ATTEMPTS, lease_until=timezone.now()
    )
    assert jobs.requeue_stale() == 0
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == "It was started several times and never finished."


def test_no_more_renders_run_at_once_than_the_budget_allows(client, settings, decision):
    settings.REPORT_RENDERS_AT_ONCE = 1
    other = make_decision(title="Et annet vedtak")
    client.get(pdf_url(other))
    busy = ReportJob.objects.get()
    ReportJob.objects.filter(pk=busy.pk).update(
        state=JobState.RUNNING, run="elsewhere", lease_until=timezone.now() + timedelta(minutes=1)
    )
    client.get(pdf_url(decision))
    waiting = ReportJob.objects.exclude(pk=busy.pk).get()
    assert jobs.run(waiting.pk) == JobState.QUEUED
    waiting.refresh_from_db()
    assert waiting.state == JobState.QUEUED and waiting.attempts == 0
    ReportJob.objects.filter(pk=busy.pk).update(state=JobState.DONE)
    assert jobs.run(waiting.pk) == JobState.DONE


def test_finished_files_expire_by_rule(client, settings, decision):
    settings.REPORT_FILE_SECONDS = 3600
    url = pdf_url(decision)
    client.get(url)
    work()
    job = ReportJob.objects.get()
    assert caches["reports"].get(job.key) is not None
    assert jobs.expire() == 0, "not yet"
    ReportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=2))
    DBTaskResult.objects.update(finished_at=timezone.now() - timedelta(hours=2))
    assert jobs.expire() == 1
    assert caches["reports"].get(job.key) is None
    assert not ReportJob.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert client.get(url).status_code == 202, "asked for again, it is made anew"


def test_closing_and_publishing_a_period_queue_its_reports(django_capture_on_commit_callbacks, coordinator):
    period = make_period(2026, "t1", state=PeriodState.OPEN)
    make_measure(title="Et tiltak")
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_period(period=period, user=coordinator, to=PeriodState.CLOSED)
    made = ReportJob.objects.order_by("pk")
    assert [(job.spec["kind"], job.spec["archive"]) for job in made] == [
        ("status", False),
        ("progress", False),
        ("status", True),
        ("progress", True),
    ]
    assert all(job.spec["language"] == "nb" for job in made)
    work()
    assert set(ReportJob.objects.values_list("state", flat=True)) == {JobState.DONE}
    period.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_period(period=period, user=coordinator, to=PeriodState.PUBLISHED)
    # Publishing changed the data: four new reports for the new version.
    assert ReportJob.objects.count() == 8


def test_the_prepared_reports_are_handed_over_at_once(client, django_capture_on_commit_callbacks, coordinator):
    period = make_period(2026, "t1", state=PeriodState.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_period(period=period, user=coordinator, to=PeriodState.PUBLISHED)
    work()
    for url in (
        reverse("status_report_pdf") + "?period=2026-t1",
        reverse("status_report_pdf") + "?period=2026-t1&archive=1",
        reverse("progress_pdf", args=[period.pk]),
        reverse("progress_pdf", args=[period.pk]) + "?archive=1",
    ):
        response = client.get(url)
        assert response["Content-Type"] == "application/pdf", (url, response.status_code, response.content[:1500])
        assert response["X-Report-Cache"] == "hit", url
