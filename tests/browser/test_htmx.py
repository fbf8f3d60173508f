"""The filtered lists: with JavaScript, HTMX updates the results in place and pushes the URL, and that URL loaded
fresh shows the same; without JavaScript the same form works by a full page submit."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from measures.models import Measure

from .conftest import watch

pytestmark = pytest.mark.browser

STATUS = "in_progress"


def result_links(page):
    return page.locator("#results tbody tr td:first-child a").evaluate_all("links => links.map(a => a.pathname)")


def expected_links(status):
    measures = Measure.objects.filter(current_status=status).in_plan_order()
    return [reverse("measure_detail", args=[pk]) for pk in measures.values_list("pk", flat=True)]


def test_a_filter_updates_the_results_in_place_and_pushes_the_url(page, world):
    watcher = watch(page)
    expected = expected_links(STATUS)
    assert 0 < len(expected) < Measure.objects.count(), "the filter must pick some measures, not all"

    page.goto(reverse("measure_list"))
    everything = result_links(page)
    page.evaluate("window.__marker = 1")
    with page.expect_request(lambda request: request.headers.get("hx-request") == "true") as htmx_request:
        page.locator(f"form.filter-form input[name=status][value={STATUS}]").check()
    assert "status=in_progress" in htmx_request.value.url
    expect(page).to_have_url(re.compile(rf"{re.escape(reverse('measure_list'))}\?.*status={STATUS}"))
    expect(page.locator("#results tbody tr")).to_have_count(len(expected))
    assert result_links(page) == expected != everything
    assert page.evaluate("window.__marker") == 1, "the page was loaded anew instead of updated in place"
    # Screen-reader users hear the new number of hits (static/js/app.js fills the live region).
    count = page.locator("#result-count").inner_text().split(",")[0].strip()
    expect(page.locator("#live-region")).to_contain_text(count)
    expect(page.locator(".active-filters .filter-chip")).to_have_count(1)

    # Typing in the text field filters too, after a short pause, and the URL follows.
    word = max(re.findall(r"\w+", Measure.objects.get(pk=int(expected[0].split("/")[-2])).title), key=len)
    page.locator("form.filter-form input[name=q]").press_sequentially(word)
    expect(page).to_have_url(re.compile(r"[?&]q=" + re.escape(word)))
    expect(page.locator("#results tbody tr").first).to_be_visible()
    filtered = result_links(page)
    assert expected[0] in filtered and set(filtered) <= set(expected)
    assert page.evaluate("window.__marker") == 1

    # The pushed URL, loaded fresh, shows the same results and the same form state.
    fresh = page.context.new_page()
    watch_fresh = watch(fresh)
    fresh.goto(page.url)
    assert result_links(fresh) == filtered
    expect(fresh.locator(f"form.filter-form input[name=status][value={STATUS}]")).to_be_checked()
    expect(fresh.locator("form.filter-form input[name=q]")).to_have_value(word)
    assert fresh.evaluate("window.__marker") is None

    # Back in history restores the previous filter state: the results and the form that filters them.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"[?&]q=[^&]"))
    expect(page.locator("#results tbody tr")).to_have_count(len(expected))
    expect(page.locator("form.filter-form input[name=q]")).to_have_value("")
    expect(page.locator(f"form.filter-form input[name=status][value={STATUS}]")).to_be_checked()
    page.go_back()
    expect(page.locator(f"form.filter-form input[name=status][value={STATUS}]")).not_to_be_checked()
    assert len(result_links(page)) == min(Measure.objects.count(), 25)
    assert not watcher.take() + watch_fresh.take()


def test_a_filter_taken_away_again_is_gone_from_the_results_and_the_url(page, world):
    unit = world.unit
    by_unit = Measure.objects.filter(responsible_unit=unit)
    both = by_unit.filter(current_status=STATUS)
    assert by_unit.count() > both.count(), "the test needs measures of the unit outside the status"
    watcher = watch(page)
    page.goto(reverse("measure_list"))
    page.locator(f"form.filter-form input[name=status][value={STATUS}]").check()
    expect(page).to_have_url(re.compile(rf"status={STATUS}"))
    page.locator("form.filter-form select[name=unit]").select_option(str(unit.pk))
    expect(page).to_have_url(re.compile(rf"unit={unit.pk}"))
    expect(page.locator("#results tbody tr")).to_have_count(both.count())

    page.locator(f"form.filter-form input[name=status][value={STATUS}]").uncheck()
    expect(page).not_to_have_url(re.compile(r"status="))
    expect(page.locator("#results tbody tr")).to_have_count(min(by_unit.count(), 25))
    # The pushed URL names only the filter in use, once.
    assert page.url.split("?", 1)[1] == f"unit={unit.pk}"
    expect(page.locator(".active-filters .filter-chip")).to_have_count(1)

    # That URL, shared or reloaded, shows the same.
    fresh = page.context.new_page()
    fresh.goto(page.url)
    expect(fresh.locator(f"form.filter-form input[name=status][value={STATUS}]")).not_to_be_checked()
    expect(fresh.locator("#results tbody tr")).to_have_count(min(by_unit.count(), 25))
    assert not watcher.take()


def test_switching_language_after_filtering_keeps_the_filter(page, world):
    watcher = watch(page)
    page.goto(reverse("measure_list"))
    page.locator(f"form.filter-form input[name=status][value={STATUS}]").check()
    expect(page).to_have_url(re.compile(rf"status={STATUS}"))
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"{re.escape(reverse('measure_list'))}\?status={STATUS}$"))
    expect(page.locator(f"form.filter-form input[name=status][value={STATUS}]")).to_be_checked()
    expect(page.locator("header").get_by_role("link", name="Log in")).to_have_attribute(
        "href", re.compile(rf"next=.*status%3D{STATUS}")
    )
    assert not watcher.take()


def test_without_javascript_the_filter_form_works_by_full_page_submit(open_context, world):
    page = open_context(java_script_enabled=False).new_page()
    watcher = watch(page)
    page.goto(reverse("measure_list"))
    page.locator(f"form.filter-form input[name=status][value={STATUS}]").check()
    with page.expect_navigation():
        page.locator("form.filter-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"\?.*status={STATUS}"))
    assert result_links(page) == expected_links(STATUS)
    expect(page.locator(f"form.filter-form input[name=status][value={STATUS}]")).to_be_checked()

    # Removing the filter is a plain link too.
    with page.expect_navigation():
        page.locator(".active-filters .filter-chip").first.click()
    assert STATUS not in page.url
    assert len(result_links(page)) == min(Measure.objects.count(), 25)
    assert not watcher.take()
