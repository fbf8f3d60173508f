"""Issue 11.1, on a phone: the lists are cards with whole words and a visible action, the menu folds, and at WCAG's
reflow width of 320 px no page scrolls sideways (only a data table may, inside its own region)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from decisions.models import Decision, Platform, Source
from measures.models import ActionPlan, Indicator, Location

from .conftest import axe_violations, watch

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
REFLOW = {"width": 320, "height": 640}

# Words of the list cells that the browser laid out on two lines (a word broken inside, «russc/ener»). A break after
# a hyphen or a dash is a break between words, so those split words apart here.
BROKEN_WORDS = """(selector) => {
    const broken = [];
    for (const cell of document.querySelectorAll(selector)) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            const words = /[^\\s\\-–/]+/g;
            let match;
            while ((match = words.exec(node.data))) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
                if (tops.size > 1) broken.push(match[0]);
            }
        }
    }
    return broken;
}"""

# Everything on the page that reaches past the right edge of the window, except inside a data table's region.
SIDEWAYS = """() => {
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        if (el.closest('.table-wrap')) continue;
        const box = el.getBoundingClientRect();
        if (box.width && box.right > window.innerWidth + 0.5) out.push(el.outerHTML.slice(0, 100));
    }
    return {width: document.documentElement.scrollWidth, out: out.slice(0, 5)};
}"""

# The card lists' regions: none of them scrolls sideways (a card is as wide as the screen).
CARD_REGIONS_SCROLL = """() => [...document.querySelectorAll('.table-wrap:has(> .stack-table)')]
    .filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.getAttribute('aria-labelledby'))"""


def test_the_caseworkers_report_action_is_in_view_on_a_phone_without_scrolling_sideways(logged_in, world):
    page = logged_in(world.caseworker)
    page.set_viewport_size(PHONE)
    watcher = watch(page)
    page.goto(reverse("my_measures"))
    main = page.locator("main")
    rows = main.locator("#todo-heading ~ .table-wrap tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 1
    for index in range(rows.count()):
        row = rows.nth(index)
        row.scroll_into_view_if_needed()
        action = row.get_by_role("link", name="Rapporter")
        for part in [action, row.locator(".status-badge"), row.locator("td[data-label=Frist]")]:
            expect(part).to_be_in_viewport()
            box = part.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (index, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(CARD_REGIONS_SCROLL) == []
    # The action leads to the report form of that measure.
    first_title = rows.first.locator("td").first.inner_text()
    rows.first.get_by_role("link", name="Rapporter").click()
    expect(page.locator("main h1")).to_contain_text(first_title.split(".", 1)[-1].strip()[:20])
    assert watcher.take() == []


@pytest.mark.parametrize("name", ["measure_list", "commitment_list", "my_measures", "decision_list", "plan_list"])
def test_list_cards_on_a_phone_keep_every_word_whole_and_name_each_value(logged_in, world, name):
    page = logged_in(world.caseworker)
    page.set_viewport_size(PHONE)
    page.goto(reverse(name))
    cells = "main .stack-table td, main .stack-table tbody th"
    expect(page.locator(cells).first).to_be_visible()
    assert page.evaluate(BROKEN_WORDS, cells) == []
    # Each value stands under the name of its column (the header row itself is out of view on a phone).
    expect(page.locator("main .stack-table thead").first).not_to_be_in_viewport()
    label = page.locator("main .stack-table td[data-label]").first
    name_shown = label.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.get_attribute("data-label") in name_shown
    assert page.evaluate(CARD_REGIONS_SCROLL) == []


def test_list_cells_stay_table_cells_with_their_headers_for_screen_readers(page, world):
    """Chromium keeps the table's roles when its rows are shown as cards, and does not read the column names written
    before the values (the cells are announced with their column headers already)."""
    page.set_viewport_size(PHONE)
    page.goto(reverse("measure_list"))
    expect(page.locator("main .stack-table tbody tr").first).to_be_visible()
    session = page.context.new_cdp_session(page)
    nodes = [n for n in session.send("Accessibility.getFullAXTree")["nodes"] if not n.get("ignored")]
    roles = [n["role"]["value"] for n in nodes]
    assert roles.count("columnheader") == 5 and "table" in roles and roles.count("cell") >= 10
    names = [n.get("name", {}).get("value", "") for n in nodes if n["role"]["value"] == "cell"]
    assert not any(value.startswith(("Status:", "Frist:", "Ansvarlig enhet:")) for value in names), names[:10]


def test_the_menu_folds_behind_a_button_on_a_phone_and_opens_by_keyboard(page, world):
    page.set_viewport_size(PHONE)
    page.goto(reverse("home"))
    header = page.locator("header")
    button = header.get_by_role("button", name="Meny")
    nav_link = header.get_by_role("link", name="Tiltak", exact=True)
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav_link).to_be_hidden()
    expect(header.get_by_role("link", name="English")).to_be_hidden()
    expect(header.get_by_role("searchbox")).to_be_visible()  # search stays in view
    header_height = header.bounding_box()["height"]
    assert header_height < 200, header_height

    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav_link).to_be_visible()
    expect(header.get_by_role("link", name="English")).to_be_visible()
    assert axe_violations(page) == []
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(nav_link).to_be_hidden()

    button.click()
    nav_link.click()
    expect(page.locator("main h1")).to_have_text("Tiltak")

    # On a wide screen there is no button: the menu is always shown.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(button).to_be_hidden()
    expect(header.get_by_role("link", name="Forpliktelser", exact=True)).to_be_visible()


def test_without_javascript_the_menu_is_shown_on_a_phone(open_context, world):
    page = open_context(java_script_enabled=False).new_page()
    page.set_viewport_size(PHONE)
    page.goto(reverse("home"))
    expect(page.locator("header").get_by_role("link", name="Tiltak", exact=True)).to_be_visible()
    expect(page.locator("header .menu-toggle")).to_be_hidden()


def every_page_kind(world):
    measure = world.reported[0]
    return [
        reverse("home"),
        reverse("commitment_list"),
        reverse("decision_list"),
        reverse("platform_list"),
        reverse("measure_list"),
        reverse("plan_list"),
        reverse("location_list"),
        reverse("organisation_list"),
        reverse("source_list"),
        reverse("indicator_list"),
        reverse("reports"),
        reverse("status_legend"),
        reverse("accessibility_statement"),
        reverse("search") + "?q=rom",
        reverse("commitment_detail", args=[world.commitment.pk]),
        reverse("decision_detail", args=[Decision.objects.order_by("pk").first().pk]),
        reverse("platform_detail", args=[Platform.objects.order_by("pk").first().pk]),
        reverse("measure_detail", args=[measure.pk]),
        reverse("plan_detail", args=[ActionPlan.objects.order_by("pk").first().pk]),
        reverse("location_detail", args=[Location.objects.order_by("pk").first().pk]),
        reverse("organisation_detail", args=[world.unit.pk]),
        reverse("source_detail", args=[Source.objects.order_by("pk").first().pk]),
        reverse("indicator_detail", args=[Indicator.objects.order_by("pk").first().pk]),
        reverse("my_measures"),
        reverse("report_status", args=[world.measure.pk]),
        reverse("edit_measure", args=[measure.pk]),
        reverse("add_measure"),
        reverse("edit_commitment", args=[world.commitment.pk]),
        reverse("period_list"),
        reverse("edit_period", args=[world.period.pk]),
        reverse("period_completeness", args=[world.period.pk]),
        reverse("progress_report", args=[world.period.pk]),
        reverse("review"),
        reverse("add_indicator"),
        reverse("password_change"),
        "/finnes-ikke/",
    ]


def test_at_320_px_no_page_scrolls_sideways(logged_in, world):
    page = logged_in(world.coordinator)
    page.set_viewport_size(REFLOW)
    problems = []
    for url in every_page_kind(world):
        page.goto(url)
        found = page.evaluate(SIDEWAYS)
        if found["width"] > REFLOW["width"] or found["out"]:
            problems.append(f"{url}: {found['width']} px wide; {found['out']}")
        if page.evaluate(CARD_REGIONS_SCROLL):
            problems.append(f"{url}: a list of cards scrolls sideways")
    assert not problems, "\n".join(problems)


def test_phone_pages_have_no_accessibility_violations(logged_in, world):
    page = logged_in(world.caseworker)
    page.set_viewport_size(PHONE)
    problems = []
    for url in [reverse("my_measures"), reverse("measure_list"), reverse("commitment_list"), reverse("home")]:
        page.goto(url)
        problems += axe_violations(page)
    assert not problems, "\n".join(problems)


def test_in_english_on_a_phone_the_cards_menu_and_limits_speak_english(logged_in, world):
    page = logged_in(world.caseworker)
    page.set_viewport_size(PHONE)
    page.goto(reverse("choose_language", args=["en"]) + "?next=" + reverse("my_measures"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header").get_by_role("button", name="Menu")).to_be_visible()
    deadline = page.locator("main .stack-table td[data-label=Deadline]").first
    deadline.scroll_into_view_if_needed()  # below the questions waiting for an answer; never beside the screen
    expect(deadline).to_be_in_viewport()
    assert "Deadline" in deadline.evaluate("td => getComputedStyle(td, '::before').content")
    page.locator("main .stack-table__action a").first.click()
    form = page.locator("main form.report-form")
    expect(form).to_contain_text("At most 5\u00a0000 characters.")
    expect(form.locator(".char-count").first).to_have_text("0 of 5\u00a0000 characters")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
