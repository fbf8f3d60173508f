"""Issue 4.7, the caseworker's route in the browser: find my measure, report its status, see the timeline, the new
status and the commitment's rolled-up status follow; refusals, pasted script and nonsense input."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from decisions.models import Commitment
from measures.models import StatusUpdate

from .conftest import log_in, watch

pytestmark = pytest.mark.browser

SCRIPT = '<script>alert("xss")</script><img src=x onerror="alert(1)">'


def test_an_in_place_report_after_the_session_ended_goes_to_the_login_page_and_back(page, world):
    measure = world.measure
    measure_url = reverse("measure_detail", args=[measure.pk])
    log_in(page, world.caseworker)
    page.goto(measure_url)
    main = page.locator("main")
    main.get_by_role("link", name="Rapporter status").click()
    form = main.locator("#report-panel form.report-form")
    form.get_by_role("radio", name="Pågår").check()
    form.get_by_label("Hva som har skjedd").fill("Skrevet mens økten gikk ut.")
    # The session ends (the login cookie is gone); the CSRF cookie stays, as after a timeout.
    page.context.clear_cookies(name="sessionid")
    with page.expect_navigation():
        form.get_by_role("button", name="Send rapport").click()
    # The whole page is the login page (not a login page inside the measure's page), and it leads back.
    expect(page).to_have_url(re.compile(re.escape(reverse("login")) + r"\?next=" + re.escape(measure_url) + "$"))
    expect(page.locator("main h1")).to_have_text("Logg inn")
    expect(page.locator("header")).to_have_count(1)
    assert not StatusUpdate.objects.filter(measure=measure, happened__startswith="Skrevet mens").exists()


def test_an_in_place_report_that_is_refused_says_so_and_keeps_the_text(page, world):
    measure = world.measure
    log_in(page, world.caseworker)
    page.goto(reverse("measure_detail", args=[measure.pk]))
    main = page.locator("main")
    main.get_by_role("link", name="Rapporter status").click()
    form = main.locator("#report-panel form.report-form")
    form.get_by_role("radio", name="Pågår").check()
    form.get_by_label("Hva som har skjedd").fill("Teksten min skal ikke forsvinne.")
    # As when the person logged in again in another tab meanwhile: the form's CSRF token is no longer valid.
    form.locator("input[name=csrfmiddlewaretoken]").evaluate("input => { input.value = 'x'.repeat(64); }")
    form.get_by_role("button", name="Send rapport").click()
    expect(main.locator(".request-failed[role=alert]")).to_contain_text("kunne ikke sendes")
    expect(form.get_by_label("Hva som har skjedd")).to_have_value("Teksten min skal ikke forsvinne.")
    assert not StatusUpdate.objects.filter(measure=measure, happened__startswith="Teksten min").exists()


def test_a_caseworker_reports_and_sees_the_status_roll_up(page, world):
    watcher = watch(page)
    measure, commitment = world.measure, world.commitment
    measure_url = reverse("measure_detail", args=[measure.pk])
    report_url = reverse("report_status", args=[measure.pk])
    before = StatusUpdate.objects.filter(measure=measure).count()

    log_in(page, world.caseworker)
    page.locator("nav.site-nav").get_by_role("link", name="Mine tiltak").click()
    expect(page.locator("h1")).to_have_text("Mine tiltak")
    # The measure is in the list of all my measures and in the list of what is still to report in the open period.
    todo = page.locator("section[aria-labelledby=todo-heading]")
    expect(todo.locator(f"a[href='{measure_url}']")).to_have_text(str(measure))
    row = page.locator("section[aria-labelledby=all-heading] tbody tr").filter(
        has=page.locator(f"a[href='{measure_url}']")
    )
    row.get_by_role("link", name=re.compile(rf"^Rapporter\s*:\s*{re.escape(measure.title)}$")).click()
    expect(page).to_have_url(re.compile(re.escape(report_url) + "$"))

    main = page.locator("main")
    expect(main.locator("h1")).to_have_text(str(measure))
    expect(main.get_by_label("Rapporteringsperiode")).to_have_value(str(world.period.pk))  # the open period
    main.get_by_role("radio", name="Forsinket").check()
    main.get_by_label("Hva som har skjedd").fill("Anbudet måtte lyses ut på nytt.")
    main.get_by_label("Neste steg").fill("Ny tildeling i mars.")
    with page.expect_navigation():
        main.get_by_role("button", name="Send rapport").click()

    # Back on the measure's page, at its timeline: the confirmation there, in view and focused, the report first.
    expect(page).to_have_url(re.compile(re.escape(measure_url) + "#report-saved$"))
    saved = main.locator("#timeline #report-saved[role=status]")
    expect(saved).to_contain_text(f"Rapporten din om «{measure.title}» er lagret.")
    expect(saved).to_be_in_viewport()
    expect(saved).to_be_focused()
    expect(main.locator(".messages")).to_have_count(0)  # not also at the top, out of view
    newest = main.locator("#timeline-list .timeline__item").first
    expect(newest).to_contain_text("Anbudet måtte lyses ut på nytt.")
    expect(newest).to_contain_text("Ny tildeling i mars.")
    expect(newest).to_contain_text("rapportert av Sara Saksbehandler")
    expect(newest.locator(".status-badge")).to_have_text("Forsinket")
    expect(main.locator("#record-status .status-badge")).to_have_text("Forsinket")

    # The commitment the measure answers to is delayed now too.
    main.locator("section[aria-labelledby=answers-heading]").get_by_role("link", name=commitment.title).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("commitment_detail", args=[commitment.pk])) + "$"))
    expect(main.locator(".record__status .status-badge")).to_have_text("Forsinket")
    assert Commitment.objects.get(pk=commitment.pk).status == "delayed"

    # Done for the day: logged out, the report form is behind the login again.
    page.locator("header").get_by_role("button", name="Logg ut").click()
    expect(page.locator("header").get_by_role("link", name="Logg inn")).to_be_visible()
    page.goto(report_url)
    expect(page).to_have_url(re.compile(re.escape(reverse("login")) + r"\?next=" + re.escape(report_url)))
    expect(main.locator("h1")).to_have_text("Logg inn")
    assert StatusUpdate.objects.filter(measure=measure).count() == before + 1
    assert not watcher.take()


def test_a_report_made_in_place_updates_the_status_the_commitments_and_the_timeline(page, world):
    watcher = watch(page)
    measure, commitment = world.measure, world.commitment
    log_in(page, world.caseworker)
    page.goto(reverse("measure_detail", args=[measure.pk]))
    main = page.locator("main")
    page.evaluate("window.__marker = 1")
    main.get_by_role("link", name="Rapporter status").click()
    form = main.locator("#report-panel form.report-form")
    expect(form).to_be_visible()
    expect(form.locator("input[type=radio]").first).to_be_focused()  # the keyboard follows the form
    form.get_by_role("button", name="Send rapport").click()  # nothing filled in: refused
    expect(main.locator("#report-panel #error-summary")).to_be_focused()
    form = main.locator("#report-panel form.report-form")
    form.get_by_role("radio", name="Forsinket").check()
    form.get_by_label("Hva som har skjedd").fill("Leverandøren trakk seg.")
    form.get_by_role("button", name="Send rapport").click()

    expect(main.locator("#report-panel [role=status]")).to_contain_text("er lagret")
    expect(main.locator("#record-status .status-badge")).to_have_text("Forsinket")
    expect(main.locator("#record-status")).to_contain_text("rapportert")
    expect(main.locator("#timeline-list .timeline__item").first).to_contain_text("Leverandøren trakk seg.")
    # The commitment's rolled-up status follows on the same page, without a reload.
    row = main.locator("#measure-commitments li").filter(has=page.get_by_role("link", name=commitment.title))
    expect(row.locator(".status-badge")).to_have_text("Forsinket")
    expect(main.get_by_role("link", name=re.compile("Rapporter"))).to_have_count(1)
    assert page.evaluate("window.__marker") == 1
    assert not watcher.take()


def test_a_caseworker_of_another_unit_is_refused(logged_in, world):
    page = logged_in(world.outsider)
    watcher = watch(page)
    before = StatusUpdate.objects.count()
    page.goto(reverse("measure_detail", args=[world.measure.pk]))
    expect(page.locator("main .record-actions")).to_have_count(0)  # no «Rapporter status» to offer

    response = page.goto(reverse("report_status", args=[world.measure.pk]))
    assert response.status == 403
    expect(page.locator("main h1")).to_have_text("Du har ikke tilgang til dette")
    expect(page.locator("main [role=alert]")).to_have_text(
        "Du kan bare rapportere på tiltak som enhetene dine har ansvar for."
    )
    expect(page.locator("main form.report-form")).to_have_count(0)
    assert StatusUpdate.objects.count() == before
    assert not watcher.take()


def test_pasted_script_is_shown_as_text_and_never_runs(logged_in, world):
    page = logged_in(world.caseworker)
    watcher = watch(page)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    measure_url = reverse("measure_detail", args=[world.measure.pk])
    page.goto(measure_url)
    main = page.locator("main")

    # The report form opens in place (HTMX) and its answer replaces the status and the timeline in place.
    main.get_by_role("link", name="Rapporter status").click()
    panel = main.locator("#report-panel")
    panel.get_by_role("radio", name="Pågår").check()
    panel.get_by_label("Hva som har skjedd").fill(SCRIPT)
    panel.get_by_label("Neste steg").fill("<b>fet</b> & <i>kursiv</i>")
    panel.get_by_role("button", name="Send rapport").click()
    expect(panel.locator("[role=status]")).to_contain_text("er lagret")
    expect(main.locator("#record-status .status-badge")).to_have_text("Pågår")

    for attempt in ("swapped in by HTMX", "loaded anew"):
        newest = main.locator("#timeline-list .timeline__item").first
        expect(newest.locator("dd").first).to_have_text(SCRIPT)
        expect(newest).to_contain_text("<b>fet</b> & <i>kursiv</i>")
        assert newest.locator("script, img, b, i").count() == 0, f"markup was not escaped ({attempt})"
        page.reload()
    page.wait_for_timeout(300)
    assert dialogs == [], f"the pasted script ran: {dialogs}"
    assert StatusUpdate.objects.filter(measure=world.measure).latest("recorded_at", "pk").happened == SCRIPT
    assert not watcher.take()


def test_nonsense_gets_norwegian_messages_next_to_the_fields_and_keeps_the_input(logged_in, world):
    page = logged_in(world.caseworker)
    watcher = watch(page)
    before = StatusUpdate.objects.count()
    page.goto(reverse("report_status", args=[world.measure.pk]))
    main = page.locator("main")
    happened, expected = main.locator("#id_happened"), main.locator("#id_expected_completion")
    links = main.locator("#id_evidence_links")

    # «What happened» left empty, a date in 1800, a link that is not one.
    main.get_by_role("radio", name="Gjennomført").check()
    main.get_by_label("Neste steg").fill("Evaluere tiltaket.")
    expected.fill("1800-01-01")
    links.fill("ikke en lenke")
    main.get_by_role("button", name="Send rapport").click()

    summary = main.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("h2")).to_have_text("Skjemaet kunne ikke lagres")
    expect(main.locator("#id_happened_error")).to_have_text("Feltet er påkrevet.")
    expect(main.locator("#id_expected_completion_error")).to_have_text("Oppgi en dato mellom 01.01.2000 og 31.12.2100.")
    for field in (happened, expected):
        expect(field).to_have_attribute("aria-invalid", "true")
    expect(happened).to_have_attribute("aria-describedby", re.compile(r"\bid_happened_error\b"))
    expect(expected).to_have_attribute("aria-describedby", re.compile(r"\bid_expected_completion_error\b"))
    # What was typed is still there.
    expect(main.get_by_role("radio", name="Gjennomført")).to_be_checked()
    expect(main.get_by_label("Neste steg")).to_have_value("Evaluere tiltaket.")
    expect(expected).to_have_value("1800-01-01")
    expect(links).to_have_value("ikke en lenke")

    # The summary's links lead to the fields.
    summary.get_by_role("link", name=re.compile("Hva som har skjedd")).click()
    expect(happened).to_be_focused()

    # With the text and the date put right, the link is still refused, next to its field.
    happened.fill("Tiltaket er evaluert.")
    expected.fill("2027-06-30")
    main.get_by_role("button", name="Send rapport").click()
    expect(main.locator("#id_evidence_links_error")).to_have_text(
        "«ikke en lenke» er ikke en nettadresse (den må begynne med https:// eller http://)."
    )
    expect(links).to_have_attribute("aria-describedby", re.compile(r"\bid_evidence_links_error\b"))
    expect(happened).to_have_value("Tiltaket er evaluert.")
    expect(expected).to_have_value("2027-06-30")
    assert StatusUpdate.objects.count() == before

    # The same refusal in the form HTMX opens on the measure page: the messages show in place.
    page.goto(reverse("measure_detail", args=[world.measure.pk]))
    main.get_by_role("link", name="Rapporter status").click()
    panel = main.locator("#report-panel")
    panel.get_by_label("Neste steg").fill("Bare neste steg.")
    panel.get_by_role("button", name="Send rapport").click()
    expect(panel.locator("#id_happened_error")).to_have_text("Feltet er påkrevet.")
    expect(panel.get_by_label("Neste steg")).to_have_value("Bare neste steg.")
    assert StatusUpdate.objects.count() == before
    assert not watcher.take()
