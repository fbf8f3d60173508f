"""Every way a file can be wrong gets a clear Norwegian message and changes nothing, on the page and in the command."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from measures.models import Measure, SpreadsheetUpload, StatusUpdate
from measures.roles import Role
from measures.services import record_status
from tests.factories import make_open_period, make_person

from .helpers import csv_rows, download, edit_xlsx, make_csv, make_xlsx, page_text, xlsx_rows

pytestmark = pytest.mark.django_db


def status_sheet(client, unit):
    return download(client, "status_export", unit=unit.pk).content


def changed_status_sheet(client, unit, edits=None):
    content = status_sheet(client, unit)
    return edit_xlsx(content, {(1, "Status"): "Pågår", (1, "Hva som har skjedd"): "Nye stillinger.", **(edits or {})})


def rows_without(content, heading):
    rows = xlsx_rows(content)
    index = rows[0].index(heading)
    return [row[:index] + row[index + 1 :] for row in rows]


def wrong_column(client, ctx):
    rows = xlsx_rows(changed_status_sheet(client, ctx["unit"]))
    rows[0][-1] = "Kommentar"
    return "status", "ark.xlsx", make_xlsx(rows), "kolonner denne importen ikke kjenner: «Kommentar»"


def missing_column(client, ctx):
    rows = rows_without(changed_status_sheet(client, ctx["unit"]), "Status")
    return "status", "ark.xlsx", make_xlsx(rows), "Filen mangler kolonnene «Status»"


def column_twice(client, ctx):
    rows = xlsx_rows(changed_status_sheet(client, ctx["unit"]))
    rows = [[*row, row[6]] for row in rows]
    return "status", "ark.xlsx", make_xlsx(rows), "Kolonnen «Status» står to ganger (kolonne 7 og 15)"


def bad_date(client, ctx):
    content = changed_status_sheet(client, ctx["unit"], {(1, "Forventet ferdig"): "31.02.2026"})
    return "status", "ark.xlsx", content, "Forventet ferdig: «31.02.2026» er ikke en dato. Skriv den som dd.mm.åååå"


def unknown_status(client, ctx):
    content = changed_status_sheet(client, ctx["unit"], {(1, "Status"): "Nesten ferdig"})
    return "status", "ark.xlsx", content, "«Nesten ferdig» er ingen status. Skriv en av: Planlagt, Pågår"


def unknown_measure(client, ctx):
    content = changed_status_sheet(client, ctx["unit"], {(1, "Tiltak-ID"): 987654})
    return "status", "ark.xlsx", content, "Det finnes ikke noe tiltak med ID 987654."


def unknown_unit(client, ctx):
    content = download(client, "measure_export", document=f"plan-{ctx['plan'].pk}").content
    content = edit_xlsx(content, {(1, "Ansvarlig enhet"): "Etat for ingenting"})
    return "measures", "tiltak.xlsx", content, "Ingen enhet heter «Etat for ingenting»."


def another_units_measure(client, ctx):
    third = ctx["measures"][2]
    content = make_xlsx(
        [
            ["Tiltak-ID", "Statusoppdatering-ID", "Status", "Hva som har skjedd"],
            [third.pk, None, "Pågår", "Teamet er i gang."],
        ]
    )
    return "status", "ark.xlsx", content, "tilhører en annen enhet"


def duplicate_rows(client, ctx):
    rows = xlsx_rows(changed_status_sheet(client, ctx["unit"]))
    rows.append(list(rows[1]))
    return "status", "ark.xlsx", make_xlsx(rows), "Denne raden gjentar rad 2"


def conflict_since_export(client, ctx):
    content = changed_status_sheet(client, ctx["unit"])
    colleague = make_person("ola", Role.CASEWORKER, [ctx["unit"]], first_name="Ola", last_name="Kollega")
    record_status(measure=ctx["measures"][0], status="delayed", happened="Forsinket av Ola.", user=colleague)
    return "status", "ark.xlsx", content, "Ola Kollega har rapportert på tiltaket etter at filen ble eksportert"


def measure_changed_since_export(client, ctx):
    content = download(client, "measure_export", document=f"plan-{ctx['plan'].pk}").content
    content = edit_xlsx(content, {(1, "Tittel"): "Ny tittel fra regnearket"})
    Measure.objects.filter(pk=ctx["measures"][0].pk).update(version=5)
    return (
        "measures",
        "tiltak.xlsx",
        content,
        "Tiltaket er endret etter at filen ble eksportert (versjon 1 i filen, 5 nå)",
    )


def empty_file(client, ctx):
    return "status", "tom.csv", b"", "Filen er tom."


def headings_only(client, ctx):
    return "status", "tom.csv", b"Tiltak-ID;Statusoppdatering-ID;Status;Hva som har skjedd\n", "ingen rader under den"


def not_a_spreadsheet(client, ctx):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
    return "status", "bilde.xlsx", png, "Filen er ikke et regneark."


def old_xls(client, ctx):
    return "status", "gammel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "det gamle Excel-formatet (.xls)"


def zip_not_workbook(client, ctx):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hei")
    return "status", "ark.xlsx", buffer.getvalue(), "ikke en Excel-arbeidsbok"


def formula_in_xlsx(client, ctx):
    content = changed_status_sheet(client, ctx["unit"], {(1, "Hva som har skjedd"): '=HYPERLINK("http://x","y")'})
    return "status", "ark.xlsx", content, "Hva som har skjedd: Cellen inneholder en formel (=HYPERLINK"


def formula_in_csv(client, ctx):
    rows = csv_rows(download(client, "status_export", fmt="csv", unit=ctx["unit"].pk).content)
    rows[1][6], rows[1][8] = "Pågår", "=1+1"
    return "status", "ark.csv", make_csv(rows), "Cellen inneholder en formel (=1+1)"


def zip_bomb(client, ctx, settings):
    settings.SPREADSHEET_MAX_UNPACKED_BYTES = 5_000_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(20):
                member.write(b"0" * 1_000_000)
    assert len(buffer.getvalue()) < 100_000
    return "status", "bombe.xlsx", buffer.getvalue(), "Arbeidsboken ville pakkes ut til 20 MB, mer enn de 5 MB"


def too_large(client, ctx, settings):
    settings.SPREADSHEET_MAX_BYTES = 2_000
    content = make_csv([["Tiltak-ID", "Status"], *[[str(n), "Pågår"] for n in range(400)]])
    return "status", "stor.csv", content, "høyst 0 MB kan importeres"


def malformed_csv(client, ctx):
    content = 'Tiltak-ID;Statusoppdatering-ID;Status;Hva som har skjedd\n"1;;Pågår;Nytt\n'.encode()
    return "status", "ark.csv", content, "CSV-filen er ødelagt"


CASES = [
    wrong_column,
    missing_column,
    column_twice,
    bad_date,
    unknown_status,
    unknown_measure,
    unknown_unit,
    another_units_measure,
    duplicate_rows,
    conflict_since_export,
    measure_changed_since_export,
    empty_file,
    headings_only,
    not_a_spreadsheet,
    old_xls,
    zip_not_workbook,
    formula_in_xlsx,
    formula_in_csv,
    zip_bomb,
    too_large,
    malformed_csv,
]


@pytest.fixture
def ctx(unit, plan, measures):
    make_open_period(year=2026, kind="t2")
    return {"unit": unit, "plan": plan, "measures": measures}


def build(case, client, ctx, settings):
    if "settings" in case.__code__.co_varnames[: case.__code__.co_argcount]:
        return case(client, ctx, settings)
    return case(client, ctx)


def state():
    return (
        StatusUpdate.objects.count(),
        list(Measure.objects.order_by("pk").values_list("title", "version", "current_status", "responsible_unit")),
    )


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_a_bad_file_is_explained_on_the_page_and_changes_nothing(case, client, kari, per, ctx, settings):
    importer = per if case in (unknown_unit, measure_changed_since_export) else kari
    client.force_login(importer)
    kind, name, content, message = build(case, client, ctx, settings)
    before = state()
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(reverse("import_upload"), {"kind": kind, "file": upload}, follow=True)
    assert response.status_code in (200, 400)
    text = page_text(response)
    assert message in text
    assert "Ingenting er importert" in text or "Filen kunne ikke leses" in text
    assert 'type="submit">Importer' not in response.text  # nothing to confirm
    stored = SpreadsheetUpload.objects.filter(user=importer).first()
    if stored is not None:  # a confirmation sent all the same is refused as well
        refused = client.post(reverse("import_preview", args=[stored.token]))
        assert refused.status_code == 409
    assert state() == before


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_a_bad_file_is_explained_by_the_command_and_changes_nothing(case, client, kari, per, ctx, settings, tmp_path):
    importer = per if case in (unknown_unit, measure_changed_since_export) else kari
    client.force_login(importer)
    kind, name, content, message = build(case, client, ctx, settings)
    before = state()
    path = tmp_path / name
    path.write_bytes(content)
    out = io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("import_records", str(path), kind=kind, user=importer.username, stdout=out)
    assert message in out.getvalue() + str(refusal.value)
    assert state() == before


def test_a_csv_from_old_norwegian_excel_is_read_in_windows_1252(client, kari, ctx):
    client.force_login(kari)
    rows = csv_rows(download(client, "status_export", fmt="csv", unit=ctx["unit"].pk).content)
    rows[1][6], rows[1][8] = "Pågår", "Økt bemanning på Strax-huset – også i helgene"
    content = make_csv(rows, delimiter=";", encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    upload = io.BytesIO(content)
    upload.name = "status.csv"
    response = client.post(reverse("import_upload"), {"kind": "status", "file": upload}, follow=True)
    assert "Økt bemanning på Strax-huset – også i helgene" in page_text(response)
    client.post(reverse("import_preview", args=[SpreadsheetUpload.objects.get().token]))
    update = StatusUpdate.objects.get(author=kari)
    assert update.happened == "Økt bemanning på Strax-huset – også i helgene"


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_a_csv_is_read_whatever_its_separator(client, kari, ctx, delimiter):
    client.force_login(kari)
    rows = csv_rows(download(client, "status_export", fmt="csv", unit=ctx["unit"].pk).content)
    rows[1][6], rows[1][8] = "Forsinket", "Venter på anbud, også; med komma, og semikolon"
    upload = io.BytesIO(make_csv(rows, delimiter=delimiter))
    upload.name = "status.csv"
    response = client.post(reverse("import_upload"), {"kind": "status", "file": upload}, follow=True)
    text = page_text(response)
    assert "Venter på anbud, også; med komma, og semikolon" in text
    assert "1 ny" in text
