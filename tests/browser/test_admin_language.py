"""Issue 11.9, the back office in Norwegian and with names: Django's own strings that its Norwegian catalogs lack are
translated (locale/upstream/), «Legg til» reads right for every noun, and people are shown by their full names."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from measures.models import Measure
from measures.services import record_status

from .conftest import watch

pytestmark = pytest.mark.browser

ENGLISH = ["Choose ", "by selecting them", "Start typing", "Toggle theme", "Remove all", "Choose all", "Sunday"]


@pytest.fixture
def staff(world):
    world.coordinator.is_staff = True
    world.coordinator.save()
    return world.coordinator


def test_the_back_office_speaks_norwegian_also_in_its_scripts(logged_in, world, staff):
    page = logged_in(staff)
    watcher = watch(page)
    page.goto(reverse("admin:measures_measure_add"))
    expect(page.locator("h1")).to_have_text("Legg til tiltak")
    expect(page.locator("#nav-filter")).to_have_attribute("placeholder", "Skriv for å filtrere …")
    expect(page.locator(".theme-toggle .theme-label-when-auto")).to_have_text("Bytt fargetema (nå: automatisk)")
    # The two boxes of a many-to-many field are written by Django's JavaScript, from the JavaScript catalog.
    themes = page.locator(".selector").first
    expect(themes).to_contain_text("Velg temaer ved å markere dem og så trykke på pilen «Velg».")
    expect(themes).to_contain_text("Velg alle temaer")
    expect(themes).to_contain_text("Fjern alle temaer")
    expect(page.get_by_text("Legg til: Vedtak om et tiltak")).to_be_visible()
    # The calendar's day names.
    page.locator(".datetimeshortcuts a[id^=calendarlink]").first.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    text = page.locator("body").inner_text()
    assert not [word for word in ENGLISH if word in text], [word for word in ENGLISH if word in text]
    assert "Legg til ny" not in text
    page.goto(reverse("admin:decisions_decision_changelist"))
    expect(page.locator(".object-tools")).to_contain_text("Legg til vedtak")
    assert "Legg til ny" not in page.locator("body").inner_text()
    assert [p for p in watcher.take() if "Content Security Policy" not in p] == []


def test_the_back_office_shows_people_by_their_full_names(logged_in, world, staff):
    measure = Measure.objects.get(pk=world.reported[0].pk)
    record_status(measure=measure, status="delayed", happened="Forsinket av anbudet.", user=world.caseworker)
    measure = Measure.objects.get(pk=measure.pk)
    measure.description = "Endret av koordinatoren."
    measure._history_user = world.coordinator
    measure.save()
    page = logged_in(staff)
    page.goto(reverse("admin:measures_statusupdate_changelist"))
    rows = page.locator("#result_list tbody")
    expect(rows).to_contain_text("Sara Saksbehandler")
    assert "saksbehandler" not in rows.inner_text().split()
    page.goto(reverse("admin:measures_measure_history", args=[measure.pk]))
    history = page.locator("#change-history")
    expect(history).to_contain_text("Kari Koordinator")
    assert "koordinator" not in history.inner_text().split()
    page.goto(reverse("admin:measures_measure_change", args=[measure.pk]))
    expect(page.locator("#statusupdate_set-group, .inline-group").last).to_contain_text("Sara Saksbehandler")
