"""WCAG 2.1 AA: axe-core finds no violation on any kind of page, in Norwegian and in English, logged in or not;
and no page breaks its Content-Security-Policy, fails a request or throws a JavaScript error.

Each test walks many pages and fails once at the end with every problem found, one line each (page, rule id,
impact, target nodes), so one run shows everything that needs fixing.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from decisions.models import Decision, Platform, Source
from measures.models import ActionPlan, Correction, Indicator, Location, Measure, SpreadsheetUpload, UploadState
from measures.people import set_person_active, update_person
from measures.roles import Role
from measures.services import post_comment
from measures.spreadsheets import jobs as import_jobs
from tests.factories import make_person

from .conftest import axe_violations, watch

pytestmark = pytest.mark.browser


def check_pages(page, urls, *, status=200):
    """Open each url, check its HTTP status, run axe and collect the watcher's findings; return all problems."""
    watcher = watch(page)
    problems = []
    for url in urls:
        response = page.goto(url)
        expected = status.get(url, 200) if isinstance(status, dict) else status
        if response.status != expected:
            problems.append(f"{url}: HTTP {response.status}, expected {expected}")
        problems += check_current(page, watcher)
    return problems


def check_current(page, watcher):
    page.wait_for_load_state("load")
    return axe_violations(page) + watcher.take()


def report(problems):
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def public_detail_urls(world):
    measure = world.reported[0]
    return [
        reverse("commitment_detail", args=[world.commitment.pk]),
        reverse("decision_detail", args=[Decision.objects.order_by("pk").first().pk]),
        reverse("platform_detail", args=[Platform.objects.order_by("pk").first().pk]),
        reverse("measure_detail", args=[measure.pk]),
        reverse("measure_detail", args=[world.measure.pk]),
        reverse("plan_detail", args=[ActionPlan.objects.order_by("pk").first().pk]),
        reverse("location_detail", args=[Location.objects.order_by("pk").first().pk]),
        reverse("organisation_detail", args=[world.unit.pk]),
        reverse("source_detail", args=[Source.objects.order_by("pk").first().pk]),
        *[
            reverse("indicator_detail", args=[pk])
            for pk in Indicator.objects.order_by("pk").values_list("pk", flat=True)[:1]
        ],
    ]


LISTS = [
    "home",
    "commitment_list",
    "decision_list",
    "platform_list",
    "measure_list",
    "plan_list",
    "location_list",
    "organisation_list",
    "indicator_list",
    "reports",
    "status_legend",
    "source_list",
    "correction_list",
    "accessibility_statement",
    "open_data",
    "api_page",
]


def add_corrections(world):
    """Two corrections, one of them on the measure whose page is scanned (its page then shows the note)."""
    for key, measure in (("a11y-1", world.measure), ("a11y-2", world.reported[0])):
        Correction.objects.create(
            key=key,
            record_label=f"Tiltak: {measure.title}",
            what="Tittel; Oppfyller forpliktelser",
            changes=[
                {"field": "Tittel", "before": "En tittel som sa mer enn kilden", "after": measure.title},
                {"field": "Oppfyller forpliktelser", "before": "«1. Et løfte»", "after": "ingen"},
            ],
            reason="Kilden sier «ønsker», ikke «skal»",
            measure=measure,
            commitment=world.commitment,
        )


def search_url():
    """A search with hits: a word from a measure's title."""
    title = Measure.objects.order_by("pk").values_list("title", flat=True).first()
    return reverse("search") + "?q=" + max(title.split(), key=len).strip(",.")


def test_public_pages_have_no_accessibility_violations(page, world):
    # The pages are checked under the strict policy they are served with (no inline script or style anywhere).
    policy = page.goto(reverse("home")).headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy

    add_corrections(world)
    urls = [reverse(name) for name in LISTS]
    urls += [
        reverse("measure_list") + "?status=in_progress&status=not_reported&late=no",
        reverse("commitment_list") + "?status=in_progress&sort=title",
        search_url(),
        reverse("login"),
        *public_detail_urls(world),
    ]
    problems = check_pages(page, urls)
    page.goto(search_url())
    expect(page.locator("#results .search-section li").first).to_be_visible()  # a search with hits
    problems += check_pages(page, ["/denne-siden-finnes-ikke/"], status=404)
    expect(page.locator("main h1")).to_have_text("Vi finner ikke siden")
    report(problems)


def test_pages_in_english_have_no_accessibility_violations(page, world):
    page.goto(reverse("home"))
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    switch = page.locator("header .language-switch a[hreflang=en]")
    expect(switch).to_have_attribute("lang", "en")
    switch.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(re.escape(reverse("home")) + "$"))  # the switch stays on the page
    expect(page.locator("header .language-switch a[hreflang=nb]")).to_have_attribute("lang", "nb")
    add_corrections(world)
    urls = [
        reverse("home"),
        reverse("correction_list"),
        reverse("measure_list") + "?status=in_progress",
        reverse("commitment_list"),
        reverse("measure_detail", args=[world.reported[0].pk]),
        reverse("commitment_detail", args=[world.commitment.pk]),
        search_url(),
        reverse("status_legend"),
        reverse("open_data"),
        reverse("api_page"),
        reverse("login"),
    ]
    problems = check_pages(page, urls)
    problems += check_pages(page, ["/missing-page/"], status=404)
    for url in urls:
        page.goto(url)
        if page.locator("html").get_attribute("lang") != "en":
            problems.append(f"{url}: not in English after choosing English")
    report(problems)


def test_the_coordinators_pages_have_no_accessibility_violations(logged_in, world):
    page = logged_in(world.coordinator)
    measure = world.measure
    urls = [
        reverse("my_measures"),
        reverse("report_status", args=[measure.pk]),
        reverse("edit_measure", args=[measure.pk]),
        reverse("add_measure"),
        reverse("edit_commitment", args=[world.commitment.pk]),
        reverse("edit_period", args=[world.period.pk]),
        reverse("period_list"),
        reverse("period_completeness", args=[world.period.pk]),
        reverse("progress_report", args=[world.period.pk]),
        reverse("review"),
        reverse("add_indicator"),
        reverse("import_upload"),
        reverse("password_change"),
        # Logged-in views of the record pages show the audit trail and the edit buttons.
        reverse("measure_detail", args=[world.reported[0].pk]),
        reverse("commitment_detail", args=[world.commitment.pk]),
    ]
    problems = check_pages(page, urls)
    watcher = watch(page)

    # A refused report form: errors next to the fields and in the summary at the top.
    page.goto(reverse("report_status", args=[measure.pk]))
    main = page.locator("main")
    main.locator("#id_expected_completion").fill("1800-01-01")
    main.locator("#id_evidence_links").fill("ikke en lenke")
    main.locator("form.report-form button[type=submit]").click()
    expect(main.locator("#error-summary")).to_be_visible()
    problems += check_current(page, watcher)

    # The conflict page: somebody saved the measure while this form was open.
    page.goto(reverse("edit_measure", args=[measure.pk]))
    fresh = Measure.objects.get(pk=measure.pk)
    fresh.description = "Endret av en kollega mens skjemaet var åpent."
    fresh.version += 1
    fresh._history_user = world.coordinator2
    fresh.save()
    main.locator("#id_description").fill("Min egen beskrivelse.")
    main.locator("form.edit-form button[type=submit]").click()
    expect(main.locator("section.conflict")).to_be_visible()
    problems += check_current(page, watcher)

    # The report form swapped into the measure page by HTMX, and the answer swapped in after sending it.
    page.goto(reverse("measure_detail", args=[measure.pk]))
    main.locator(".record-actions a[hx-get]").click()
    expect(main.locator("#report-panel form.report-form")).to_be_visible()
    problems += check_current(page, watcher)
    main.locator("#report-panel input[name=status][value=in_progress]").check()
    main.locator("#report-panel #id_happened").fill("Arbeidet pågår.")
    main.locator("#report-panel button[type=submit]").click()
    expect(main.locator("#report-panel [role=status]")).to_be_visible()
    problems += check_current(page, watcher)
    report(problems)


def test_the_caseworkers_pages_have_no_accessibility_violations(logged_in, world):
    page = logged_in(world.caseworker)
    problems = check_pages(
        page,
        [
            reverse("my_measures"),
            reverse("report_status", args=[world.measure.pk]),
            reverse("import_upload"),
            reverse("password_change"),
        ],
    )
    # An uploaded spreadsheet being checked in the background (the page polls its job), and one whose import failed.
    waiting = {}
    for state, code in ((UploadState.CHECKING, 202), (UploadState.FAILED, 200)):
        upload = SpreadsheetUpload.objects.create(
            token=f"a11y-{state}",
            user=world.caseworker,
            kind="status",
            filename="status.xlsx",
            content=b"",
            state=state,
            error=import_jobs.FAILED[UploadState.IMPORTING] if state == UploadState.FAILED else "",
        )
        waiting[reverse("import_preview", args=[upload.token])] = code
    problems += check_pages(page, list(waiting), status=waiting)
    # Refusals: a caseworker may not edit a measure, nor see how complete a period's reporting is.
    problems += check_pages(
        page,
        [reverse("edit_measure", args=[world.measure.pk]), reverse("period_completeness", args=[world.period.pk])],
        status=403,
    )
    report(problems)


def test_the_people_pages_have_no_accessibility_violations(logged_in, world):
    page = logged_in(world.coordinator)
    # Some history on the caseworker's page: a change of units made through the people page's rules.
    update_person(
        actor=world.coordinator2,
        person=world.caseworker,
        seen_version=0,
        first_name=world.caseworker.first_name,
        last_name=world.caseworker.last_name,
        email="sara@bergen.kommune.no",
        role="caseworker",
        units=[world.unit, world.other_unit],
    )
    detail = reverse("person_detail", args=[world.caseworker.pk])
    own = reverse("person_detail", args=[world.coordinator.pk])
    urls = [reverse("person_list"), reverse("add_person"), detail, own]
    problems = check_pages(page, urls)
    watcher = watch(page)
    main = page.locator("main")

    # A refused new person: errors next to the fields and in the summary.
    page.goto(reverse("add_person"))
    main.get_by_label("E-postadresse").fill("ikke en adresse")
    main.get_by_role("radio", name="Saksbehandler").check()
    main.locator("form.edit-form button[type=submit]").click()
    expect(main.locator("#error-summary")).to_be_visible()
    problems += check_current(page, watcher)

    # The conflict: another coordinator changed the person while this form was open.
    page.goto(detail)
    set_person_active(actor=world.coordinator2, person=world.caseworker, active=False)
    main.get_by_label("Etternavn").fill("Saksbehandler-Berg")
    main.locator("form.edit-form button[type=submit]").click()
    expect(main.locator("section.conflict")).to_be_visible()
    problems += check_current(page, watcher)
    report(problems)


def test_my_measures_with_waiting_comments_and_the_open_answer_form_have_no_accessibility_violations(logged_in, world):
    fagrad = make_person("fagrad-axe", Role.FAGRAD, first_name="Frida", last_name="Fagråd")
    question = post_comment(user=fagrad, body="Når kommer evalueringen?", measure=world.measure)
    page = logged_in(world.caseworker)
    measure_url = reverse("measure_detail", args=[world.measure.pk])
    report(check_pages(page, [reverse("my_measures"), f"{measure_url}?svar={question.pk}#comment-{question.pk}"]))
