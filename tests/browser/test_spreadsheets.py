"""Spreadsheets in the browser: a coordinator exports a plan's measures, changes three statuses and a title in
Excel (openpyxl here), imports the file and sees exactly those four changes before confirming; then finds them on
the pages and in the history. A caseworker does the same with the status sheet of their unit."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from measures.models import ActionPlan, Measure, StatusUpdate
from measures.status import MeasureStatus

from .conftest import axe_violations, watch

pytestmark = pytest.mark.browser


def download_link(page, link):
    with page.expect_download() as info:
        link.click()
    return info.value


def edited(path, edits):
    """The workbook at `path` with {(measure id, heading): value} written into it, as bytes."""
    workbook = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()))  # a download's path has no extension
    sheet = workbook.worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    rows = {sheet.cell(row=row, column=1).value: row for row in range(2, sheet.max_row + 1)}
    for (pk, heading), value in edits.items():
        sheet.cell(row=rows[pk], column=headings.index(heading) + 1, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def another_status(measure, *preferred):
    """A status the measure does not have now, from `preferred` first."""
    return next(status for status in (*preferred, *MeasureStatus) if status != measure.current_status)


def nb_status(status):
    """The status as the Norwegian interface and sheet name it."""
    with translation.override("nb"):
        return str(MeasureStatus(status).label)


def upload(page, kind_label, name, content):
    page.goto(reverse("import_upload"))
    main = page.locator("main")
    if kind_label:
        main.get_by_label(kind_label).check()
    main.locator("input[type=file]").set_input_files(
        {
            "name": name,
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": content,
        }
    )
    main.get_by_role("button", name="Sjekk filen").click()
    expect(main.locator("h1")).to_contain_text(f"Import av «{name}»")


def test_a_coordinator_changes_a_plans_measures_in_excel(logged_in, world):
    page = logged_in(world.coordinator)
    watcher = watch(page)
    plan = ActionPlan.objects.order_by("pk").first()
    measures = list(plan.measures.in_plan_order()[:4])
    assert len(measures) == 4
    page.goto(reverse("plan_detail", args=[plan.pk]))
    link = (
        page.locator("main p.sheet-links")
        .filter(has_text="Planens tiltak som regneark")
        .get_by_role("link", name="Excel (.xlsx)")
    )
    sheet = download_link(page, link)
    assert sheet.suggested_filename.startswith("tiltak-")
    new = [
        another_status(measures[0], MeasureStatus.IN_PROGRESS),
        another_status(measures[1], MeasureStatus.DELAYED),
        another_status(measures[2], MeasureStatus.DONE),
    ]
    content = edited(
        sheet.path(),
        {
            (measures[0].pk, "Status"): nb_status(new[0]),
            (measures[1].pk, "Status"): nb_status(new[1]),
            (measures[2].pk, "Status"): nb_status(new[2]),
            (measures[3].pk, "Tittel"): "Ny tittel skrevet i Excel",
        },
    )
    upload(page, "Tiltak (tiltakslisten som regneark)", "plan.xlsx", content)
    problems = axe_violations(page)
    main = page.locator("main")
    rows = main.locator("table tbody tr")
    expect(rows).to_have_count(4)
    expect(main.locator(".import-changes li")).to_have_count(4)
    expect(rows.nth(3)).to_contain_text(f"Tittel: {measures[3].title} → Ny tittel skrevet i Excel")
    for measure, status in zip(measures[:3], new, strict=True):
        expect(rows.filter(has_text=measure.title)).to_contain_text(f"→ {nb_status(status)}")
    expect(main).to_contain_text(f"{plan.measures.count() - 4} uendret")
    assert Measure.objects.get(pk=measures[3].pk).title == measures[3].title  # nothing written before confirming

    main.get_by_role("button", name="Importer 4 rader").click()
    expect(page.locator("#import-done")).to_contain_text("«plan.xlsx» er importert: 0 nye, 4 endret")
    problems += axe_violations(page)

    page.goto(reverse("measure_detail", args=[measures[3].pk]))
    expect(main.locator("h1")).to_contain_text("Ny tittel skrevet i Excel")
    expect(main.locator(".audit-trail")).to_contain_text("(Importert fra regnearket «plan.xlsx»)")
    expect(main.locator(".audit-trail")).to_contain_text("Kari Koordinator")
    page.goto(reverse("measure_detail", args=[measures[2].pk]))
    expect(main).to_contain_text(f"Status satt til «{nb_status(new[2])}» ved import av regnearket «plan.xlsx».")
    for measure, status in zip(measures[:3], new, strict=True):
        assert Measure.objects.get(pk=measure.pk).current_status == status
    problems += watcher.take()
    assert not problems, "\n".join(problems)


def test_a_caseworker_fills_in_the_status_sheet_of_their_unit(logged_in, world):
    page = logged_in(world.caseworker)
    watcher = watch(page)
    page.goto(reverse("my_measures"))
    link = (
        page.locator("main p.sheet-links").filter(has_text="Statusarket for").get_by_role("link", name="Excel (.xlsx)")
    )
    sheet = download_link(page, link)
    mine = list(Measure.objects.filter(responsible_unit=world.unit).order_by("pk")[:3])
    content = edited(
        sheet.path(),
        {
            (mine[0].pk, "Status"): "Forsinket",
            (mine[0].pk, "Hva som har skjedd"): "Venter på lokaler.",
            (mine[1].pk, "Status"): "Pågår",
            (mine[1].pk, "Hva som har skjedd"): "Ansatt to nye.",
            (mine[2].pk, "Neste steg"): "Evaluere i vår.",
            (mine[2].pk, "Hva som har skjedd"): "Åpnet i mai.",
            (mine[2].pk, "Status"): "Gjennomført",
        },
    )
    before = StatusUpdate.objects.count()
    upload(page, None, "status.xlsx", content)
    main = page.locator("main")
    problems = axe_violations(page)
    expect(main.locator("table tbody tr")).to_have_count(3)
    expect(main.locator("table tbody tr").first).to_contain_text("Ny statusoppdatering")
    expect(main.locator("table tbody tr").filter(has_text="Evaluere i vår.")).to_contain_text("→ Evaluere i vår.")
    assert StatusUpdate.objects.count() == before
    main.get_by_role("button", name="Importer 3 rader").click()
    expect(page.locator("#import-done")).to_contain_text("3 nye")
    page.goto(reverse("measure_detail", args=[mine[1].pk]))
    expect(main.locator("#timeline")).to_contain_text("Ansatt to nye.")
    expect(main.locator("#timeline")).to_contain_text("Sara Saksbehandler")
    assert StatusUpdate.objects.count() == before + 3

    # The same file again: its rows now conflict with what was just reported, so nothing is imported twice.
    upload(page, None, "status.xlsx", content)
    expect(main.locator("#error-summary")).to_contain_text("Ingenting er importert")
    problems += axe_violations(page)
    problems += watcher.take()
    assert not problems, "\n".join(problems)
