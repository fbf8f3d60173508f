"""Two people at once, in two browser contexts: nobody's save silently overwrites a colleague's."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from measures.models import Measure, StatusUpdate

from .conftest import watch

pytestmark = pytest.mark.browser


def test_two_coordinators_editing_one_measure(logged_in, world):
    measure = world.measure
    edit_url = reverse("edit_measure", args=[measure.pk])
    first, second = logged_in(world.coordinator), logged_in(world.coordinator2)
    watchers = [watch(first), watch(second)]
    first.goto(edit_url)
    second.goto(edit_url)

    first.locator("main #id_description").fill("Kari: ombyggingen starter i januar.")
    with first.expect_navigation():
        first.locator("main").get_by_role("button", name="Lagre").click()
    expect(first).to_have_url(re.compile(re.escape(reverse("measure_detail", args=[measure.pk])) + "$"))
    expect(first.locator("main .record__summary")).to_have_text("Kari: ombyggingen starter i januar.")

    # The second save started from the old version: refused, both versions shown, the input kept.
    main = second.locator("main")
    main.locator("#id_description").fill("Kjell: ombyggingen er utsatt til sommeren.")
    main.get_by_role("button", name="Lagre").click()
    expect(second).to_have_url(re.compile(re.escape(edit_url) + "$"))
    expect(main.locator("#error-summary")).to_contain_text("Noen andre lagret denne posten mens du redigerte den.")
    conflict = main.locator("section.conflict")
    expect(conflict.locator("h2")).to_contain_text("Lagret av Kari Koordinator")
    expect(conflict.locator("h2")).to_contain_text("mens du redigerte")
    row = conflict.locator("tbody tr").filter(has=second.get_by_role("rowheader", name="Beskrivelse"))
    expect(row.locator("td").nth(0)).to_have_text("Kari: ombyggingen starter i januar.")  # theirs
    expect(row.locator("td").nth(1)).to_have_text("Kjell: ombyggingen er utsatt til sommeren.")  # yours
    expect(main.locator("#id_description")).to_have_value("Kjell: ombyggingen er utsatt til sommeren.")
    assert Measure.objects.get(pk=measure.pk).description == "Kari: ombyggingen starter i januar."

    # Saving again keeps the second version, knowingly.
    with second.expect_navigation():
        main.get_by_role("button", name="Lagre").click()
    expect(main.locator(".record__summary")).to_have_text("Kjell: ombyggingen er utsatt til sommeren.")
    saved = Measure.objects.get(pk=measure.pk)
    assert saved.description == "Kjell: ombyggingen er utsatt til sommeren."
    authors = list(saved.history.order_by("-history_date")[:2].values_list("history_user__username", flat=True))
    assert authors == ["koordinator2", "koordinator"]
    assert not watchers[0].take() + watchers[1].take()


def test_two_caseworkers_reporting_on_one_measure_at_once(logged_in, world):
    measure = world.measure
    measure_url = reverse("measure_detail", args=[measure.pk])
    before = StatusUpdate.objects.filter(measure=measure).count()
    sara, siv = logged_in(world.caseworker), logged_in(world.caseworker2)
    watchers = [watch(sara), watch(siv)]
    # Sara uses the report page; Siv the form HTMX opens on the measure's page.
    sara.goto(reverse("report_status", args=[measure.pk]))
    siv.goto(measure_url)
    siv.locator("main").get_by_role("link", name="Rapporter status").click()
    panel = siv.locator("main #report-panel")
    expect(panel.locator("form.report-form")).to_be_visible()

    sara_main = sara.locator("main")
    sara_main.get_by_role("radio", name="Pågår").check()
    sara_main.get_by_label("Hva som har skjedd").fill("Sara: prosjektgruppen er satt ned.")
    with sara.expect_navigation():
        sara_main.get_by_role("button", name="Send rapport").click()
    expect(sara_main.locator("#timeline-list .timeline__item")).to_have_count(before + 1)

    # Siv sends hers: she is shown Sara's report first, and her text is kept.
    panel.get_by_role("radio", name="Forsinket").check()
    panel.get_by_label("Hva som har skjedd").fill("Siv: byggesøknaden er ikke behandlet.")
    panel.get_by_role("button", name="Send rapport").click()
    colleague = panel.locator(".ds-alert[data-color=warning]")
    expect(colleague).to_contain_text("Sara Saksbehandler rapporterte")
    expect(colleague).to_contain_text("Sara: prosjektgruppen er satt ned.")
    expect(panel.locator("#error-summary")).to_contain_text("En kollega rapporterte på dette tiltaket mens du skrev")
    expect(panel.get_by_label("Hva som har skjedd")).to_have_value("Siv: byggesøknaden er ikke behandlet.")
    expect(panel.get_by_role("radio", name="Forsinket")).to_be_checked()
    assert StatusUpdate.objects.filter(measure=measure).count() == before + 1

    panel.get_by_role("button", name="Send rapporten min likevel").click()
    expect(panel.locator("[role=status]")).to_contain_text("er lagret")
    items = siv.locator("main #timeline-list .timeline__item")
    expect(items).to_have_count(before + 2)
    expect(items.nth(0)).to_contain_text("Siv: byggesøknaden er ikke behandlet.")
    expect(items.nth(1)).to_contain_text("Sara: prosjektgruppen er satt ned.")
    expect(siv.locator("main #record-status .status-badge")).to_have_text("Forsinket")

    sara.reload()
    expect(sara_main.locator("#timeline-list .timeline__item")).to_have_count(before + 2)
    newest = StatusUpdate.objects.filter(measure=measure).order_by("-recorded_at", "-pk")[:2]
    assert [update.author.username for update in newest] == ["saksbehandler2", "saksbehandler"]
    assert not watchers[0].take() + watchers[1].take()
