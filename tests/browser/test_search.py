"""The search page as people type into it (HTMX updates the hits in place): places and units, words typed without
Norwegian letters, several words, synonyms."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .conftest import watch

pytestmark = pytest.mark.browser


def type_search(page, text):
    box = page.locator("#search-q")
    box.fill("")
    box.press_sequentially(text)
    expect(page).to_have_url(re.compile(r"[?&]q=" + re.escape(text).replace(r"\ ", "(%20|\\+)")))


def section(page, kind):
    return page.locator(f"section[aria-labelledby=hits-{kind}]")


def test_typing_in_the_search_finds_places_words_without_norwegian_letters_and_synonyms(page, world):
    watcher = watch(page)
    page.goto(reverse("search"))

    type_search(page, "Strax")
    expect(section(page, "location").get_by_role("link", name="Strax-huset")).to_be_visible()
    expect(section(page, "measure").locator("li").first).to_be_visible()

    type_search(page, "sproyterom")
    expect(page.locator("#results")).to_contain_text(re.compile(r"[Ss]prøyterom"))

    # Two words that are also synonyms of each other: what has both comes first, what has either is found.
    type_search(page, "nalokson nesespray")
    hits = page.locator("#results .search-section li")
    expect(hits.first).to_be_visible()
    expect(page.locator("#results")).to_contain_text(re.compile(r"[Nn]alokson|[Nn]esespray|[Mm]otgift"))
    assert watcher.take() == []
