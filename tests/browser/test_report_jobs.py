"""A PDF nobody has made yet, in a real browser: the page «Rapporten lages» passes axe and its CSP, follows the job
with htmx, and hands the file over as a download once the worker has made it; the 429 and 413 pages pass axe too."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.reports.test_jobs import work

from .conftest import TIMEOUT_MS, axe_violations, watch

pytestmark = pytest.mark.browser


@pytest.fixture
def queued(settings):
    """Jobs go into the database queue and wait there for `work()`, as with a worker that is busy."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_waiting_page_follows_the_job_and_hands_over_the_file(page, world, queued):
    watcher = watch(page)
    url = reverse("measure_pdf", args=[world.measure.pk])
    response = page.goto(url)
    assert response.status == 202
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapporten lages")
    expect(page.locator("#report-job")).to_contain_text("står i kø")
    problems = axe_violations(page) + watcher.take()
    with page.expect_download(timeout=TIMEOUT_MS * 3) as download:
        work()  # the worker makes it; the page's next poll sees it and asks for the file
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"
    expect(page.get_by_text("Rapporten er klar.")).to_be_visible()
    expect(page.get_by_role("link", name="Last ned rapporten")).to_have_attribute("href", url)
    # The handover is a navigation that turns into a download: Chromium reports that navigation as aborted
    # (net::ERR_ABORTED) because no page replaces the waiting page. That one is the download itself, not a failure.
    handover = f"request failed: GET {page.url.split('/tiltak/')[0]}{url} (net::ERR_ABORTED)"
    problems += axe_violations(page) + [problem for problem in watcher.take() if problem != handover]
    assert not problems, "\n".join(problems)


def test_the_refusals_pass_axe(page, world, queued, settings):
    watcher = watch(page)
    settings.REPORT_RATE_LIMIT = 0
    response = page.goto(reverse("measure_pdf", args=[world.measure.pk]))
    assert response.status == 429
    expect(page.get_by_role("alert")).to_contain_text("Prøv igjen om")
    problems = axe_violations(page) + watcher.take()
    # (An address over its limit is refused before the report's records are counted: the size limit is met by an
    # address that may still start renders.)
    settings.REPORT_RATE_LIMIT = 1000
    settings.PUBLIC_REPORT_LIMIT = 1
    response = page.goto(reverse("measure_list_pdf"))
    assert response.status == 413
    problems += axe_violations(page) + watcher.take()
    assert not problems, "\n".join(problems)
