"""Keyboard only: the main routes work with Tab, Shift+Tab, Enter and Space, and focus is always visible."""

import re
import urllib.parse

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from measures.services import record_status

from .conftest import focus_is_visible, focused, watch

pytestmark = pytest.mark.browser


def is_focused(page, selector):
    return page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector)


def filter_request(response, **values):
    """Whether `response` answers an htmx request of a list's filter form with these values."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(response.url).query)
    return response.request.headers.get("hx-request") == "true" and all(
        value in query.get(name, []) for name, value in values.items()
    )


def tab_to(page, selector, *, max_steps=80):
    """Press Tab until the element matching `selector` has focus; every element passed must show its focus."""
    passed = []
    for _ in range(max_steps):
        page.keyboard.press("Tab")
        passed.append(focused(page))
        assert focus_is_visible(page), f"focus is not visible on {passed[-1]} (at {page.url})"
        if is_focused(page, selector):
            return passed
    raise AssertionError(
        f"{selector} never got focus from Tab on {page.url}; focus went through:\n" + "\n".join(passed)
    )


def test_the_main_routes_work_by_keyboard_alone(page, world):
    watcher = watch(page)
    measure, commitment = world.measure, world.commitment
    record_status(measure=measure, status="in_progress", happened="Ombyggingen er i gang.", user=world.caseworker)
    word = max(re.findall(r"\w+", measure.title), key=len)
    measure_url = reverse("measure_detail", args=[measure.pk])
    commitment_url = reverse("commitment_detail", args=[commitment.pk])

    # The skip link is the first stop, visible when focused, and moves focus to the main content.
    page.goto(reverse("home"))
    page.keyboard.press("Tab")
    skip = page.locator("a.ds-skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Hopp til hovedinnholdet")
    expect(skip).to_be_in_viewport()
    assert focus_is_visible(page), f"the skip link shows no focus: {focused(page)}"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    # Through the header and the navigation to the measure list.
    page.goto(reverse("home"))
    passed = tab_to(page, f"nav.site-nav a[href='{reverse('measure_list')}']")
    assert len(passed) > 3, "the navigation comes after the skip link and the header's tools"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(reverse("measure_list")) + "$"))
    expect(page.locator("h1")).to_have_text("Tiltak")

    # The filter form: skip to the content, type in the text field, check a status with Space, submit with Enter.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    tab_to(page, "form.filter-form input[name=q]")
    # The typing starts a search of its own 500 ms after the last key: wait for it, so that it cannot replace the
    # results later, while Tab walks through them.
    with page.expect_response(lambda response: filter_request(response, q=word)):
        page.keyboard.type(word)
    tab_to(page, "form.filter-form input[name=status][value=in_progress]")
    page.keyboard.press("Space")
    expect(page.locator("form.filter-form input[name=status][value=in_progress]")).to_be_checked()
    tab_to(page, "form.filter-form button[type=submit]")
    with page.expect_response(lambda response: filter_request(response, q=word, status="in_progress")):
        page.keyboard.press("Enter")
    # The results are replaced while the form is busy (htmx marks it): the walk below starts on the last of them.
    expect(page.locator("form.filter-form.htmx-request")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]status=in_progress(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]q=" + re.escape(word)))
    results = page.locator("#results tbody tr")
    expect(results.locator(f"a[href='{measure_url}']")).to_have_count(1)
    for badge in results.locator(".status-badge").all():
        expect(badge).to_have_class(re.compile(r"status--in_progress"))

    # Open the result with Enter.
    tab_to(page, f"#results a[href='{measure_url}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(measure_url) + "$"))
    expect(page.locator("h1")).to_have_text(measure.title)

    # From the measure to the commitment it answers to, and back to the measure from the commitment's list.
    tab_to(page, f"main a[href='{commitment_url}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(commitment_url) + "$"))
    expect(page.locator("h1")).to_have_text(commitment.title)
    tab_to(page, f"main a[href='{measure_url}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(measure_url) + "$"))
    expect(page.locator("h1")).to_have_text(measure.title)
    assert not watcher.take()
