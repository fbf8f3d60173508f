"""Every list as .xlsx and CSV: the list's selection, every page; headings in the reader's language; typed cells;
formula-looking text escaped; ids and addresses; only what the pages show to anybody."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from decisions.status import CommitmentStatus
from measures.models import Indicator, IndicatorValue, Measure
from measures.services import record_status
from measures.status import MeasureStatus
from tests.factories import (
    make_commitment,
    make_location,
    make_measure,
    make_organisation,
    make_plan,
    make_source,
)

from .helpers import csv_rows, download, xlsx_rows

pytestmark = pytest.mark.django_db

EVERY_LIST = [
    "measure_export",
    "status_export",
    "status_history_export",
    "commitment_export",
    "decision_export",
    "plan_export",
    "location_export",
    "organisation_export",
    "indicator_export",
]


@pytest.fixture
def records(per):
    unit = make_organisation(name="Etat for rusomsorg")
    plan = make_plan(title="Plan mot åpne russcener")
    commitment = make_commitment(title="Flere boliger")
    measures = [
        make_measure(
            plan=plan,
            number=str(n),
            title=f"Tiltak nr. {n} – æøå",
            responsible_unit=unit,
            deadline=datetime.date(2026, 6, 30),
            commitments=[commitment],
        )
        for n in range(1, 31)
    ]
    record_status(measure=measures[0], status=MeasureStatus.DONE, happened='=HYPERLINK("http://evil")', user=per)
    record_status(measure=measures[1], status=MeasureStatus.DELAYED, happened="-5 plasser", user=per)
    make_measure(title="Tiltak uten plan")
    make_location(name="MO-senteret i sentrum", planned=True)
    indicator = Indicator.objects.create(
        name="Overdosedødsfall", unit="dødsfall per år", target_value=0, source=make_source()
    )
    IndicatorValue.objects.create(indicator=indicator, year=2024, value=Decimal("9.5"), source=make_source())
    return {"unit": unit, "plan": plan, "measures": measures, "commitment": commitment}


def test_the_measure_list_sheet_holds_every_page_of_what_the_filters_select(client, records):
    rows = xlsx_rows(download(client, "measure_export", unit=records["unit"].pk).content)
    assert len(rows) == 1 + 30  # the list page shows 25 a page; the sheet holds them all
    assert rows[0] == [
        "ID", "Adresse", "Versjon", "Handlingsplan-ID", "Handlingsplan", "Nummer", "Tittel", "Beskrivelse",
        "Ansvarlig enhet", "Frist", "Status", "Siste statusoppdatering-ID", "Status per", "Kilde-ID",
    ]  # fmt: skip
    first = dict(zip(rows[0], rows[1], strict=True))
    measure = records["measures"][0]
    assert first["ID"] == measure.pk
    assert first["Adresse"] == f"http://127.0.0.1:8000/tiltak/{measure.pk}/"
    assert first["Tittel"] == "Tiltak nr. 1 – æøå"
    assert first["Frist"] == datetime.datetime(2026, 6, 30)  # a typed date (openpyxl reads dates as datetimes)
    assert first["Status"] == "Gjennomført"
    assert isinstance(first["Versjon"], int)
    only_done = xlsx_rows(download(client, "measure_export", status="done").content)
    assert [row[0] for row in only_done[1:]] == [measure.pk]


def test_the_sheet_follows_the_lists_order_and_sort(client, records):
    page = client.get(reverse("measure_list"), {"sort": "-title"})
    rows = xlsx_rows(download(client, "measure_export", sort="-title").content)
    titles = [row[6] for row in rows[1:]]
    assert titles == sorted(titles, reverse=True)
    assert titles[0] in page.text


def test_headings_are_english_with_the_english_interface(client, records):
    client.cookies["django_language"] = "en"
    rows = xlsx_rows(download(client, "measure_export").content)
    assert rows[0][:7] == ["ID", "Address", "Version", "Action plan ID", "Action plan", "Number", "Title"]
    assert "Done" in [row[10] for row in rows]
    csv = download(client, "measure_export", fmt="csv").content
    assert csv_rows(csv, delimiter=",")[0][:2] == ["ID", "Address"]


def test_text_that_could_run_as_a_formula_is_escaped(client, records):
    rows = xlsx_rows(download(client, "status_export").content)
    happened = {row[0]: row[8] for row in rows[1:]}
    assert happened[records["measures"][0].pk] == '\'=HYPERLINK("http://evil")'
    assert happened[records["measures"][1].pk] == "'-5 plasser"
    csv = csv_rows(download(client, "status_export", fmt="csv").content)
    assert '\'=HYPERLINK("http://evil")' in [row[8] for row in csv]


def test_csv_is_utf8_with_a_byte_order_mark_and_norwegian_separators(client, records):
    response = download(client, "indicator_export", fmt="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="indikatorer-')
    assert response.content.startswith("\ufeff".encode())
    rows = csv_rows(response.content)
    assert rows[0][:3] == ["Indikator-ID", "Adresse", "Indikator"]
    assert rows[1][2:] == ["Overdosedødsfall", "dødsfall per år", "0,00", "", "2024", "9,50", rows[1][-1]]


def test_an_indicator_sheet_types_its_numbers(client, records):
    rows = xlsx_rows(download(client, "indicator_export").content)
    assert rows[1][6:8] == [2024, 9.5]


def test_every_list_downloads_in_both_formats(client, records):
    for url_name in EVERY_LIST:
        for fmt in ("xlsx", "csv"):
            response = download(client, url_name, fmt=fmt)
            assert response["Content-Disposition"].endswith(f'.{fmt}"')
            rows = xlsx_rows(response.content) if fmt == "xlsx" else csv_rows(response.content)
            assert len(rows) > 1, url_name
            assert rows[1][1].startswith("http://127.0.0.1:8000/"), url_name


def test_a_list_sheet_holds_what_the_page_shows_anonymously(client, records, per):
    record_status(measure=records["measures"][2], status=MeasureStatus.IN_PROGRESS, happened="I gang.", user=per)
    page = client.get(reverse("commitment_list"), {"status": CommitmentStatus.DELAYED})
    rows = xlsx_rows(download(client, "commitment_export", status=CommitmentStatus.DELAYED).content)
    assert [row[0] for row in rows[1:]] == [records["commitment"].pk]
    assert records["commitment"].title in page.text
    history = xlsx_rows(download(client, "status_history_export").content)
    measure_page = client.get(reverse("measure_detail", args=[records["measures"][2].pk]))
    assert "I gang." in measure_page.text
    assert [row[8] for row in history[1:] if row[0] == records["measures"][2].pk] == ["I gang."]
    assert "Per Koordinator" in [row[12] for row in history[1:]]  # the name the pages sign reports with
    assert "per" not in [row[12] for row in history[1:]]  # never the user name


def test_a_filter_the_list_does_not_understand_is_explained(client, records):
    response = client.get(reverse("measure_export", kwargs={"fmt": "xlsx"}), {"status": "nonsense"})
    assert response.status_code == 400
    assert reverse("measure_list") in response.text


def test_an_unknown_format_is_not_found(client, records):
    assert client.get("/tiltak/eksport.pdfx").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_an_export_reads_a_fixed_number_of_queries(client, per, django_assert_num_queries, count):
    plan = make_plan()
    for n in range(count):
        commitment = make_commitment()
        measure = make_measure(plan=plan, number=str(n + 1), commitments=[commitment])
        record_status(measure=measure, status=MeasureStatus.PLANNED, happened="Planlagt.", user=per)
        make_location(operator=make_organisation()).measures.add(measure)
        indicator = Indicator.objects.create(name=f"Indikator {n}", unit="antall", source=make_source())
        IndicatorValue.objects.create(indicator=indicator, year=2024, value=n, source=make_source())
    # Every download reads the data version (1); the documents a FilterSet offers are read only to check a value.
    expected = {"measure_export": 2, "status_export": 2, "status_history_export": 2, "commitment_export": 2,
                "decision_export": 2, "plan_export": 2, "location_export": 2, "organisation_export": 2,
                "indicator_export": 4}  # fmt: skip
    for url_name, queries in expected.items():
        with django_assert_num_queries(queries):
            response = client.get(reverse(url_name, kwargs={"fmt": "xlsx"}))
        if url_name != "plan_export":  # one plan whatever the count
            assert len(xlsx_rows(response.content)) >= 1 + count, url_name


def test_the_list_pages_link_to_their_sheets_with_their_filters(client, records):
    page = client.get(reverse("measure_list"), {"status": "done", "page": "1"})
    assert 'href="/tiltak/eksport.xlsx?status=done"' in page.text
    assert 'href="/tiltak/eksport.csv?status=done"' in page.text
    assert 'href="/tiltak/status.xlsx?status=done"' in page.text
    plan_page = client.get(reverse("plan_detail", args=[records["plan"].pk]))
    assert f'href="/tiltak/eksport.xlsx?document=plan-{records["plan"].pk}"' in plan_page.text
    pages = {
        "location_list": "steder",
        "organisation_list": "enheter",
        "indicator_list": "indikatorer",
        "commitment_list": "forpliktelser",
        "decision_list": "vedtak",
        "plan_list": "handlingsplaner",
    }
    for list_name, export in pages.items():
        assert f'href="/{export}/eksport.csv' in client.get(reverse(list_name)).text, list_name


def test_a_changed_record_is_in_the_next_download(client, records, memory_cache, django_capture_on_commit_callbacks):
    first = download(client, "plan_export")
    assert first["X-Report-Cache"] == "miss"
    assert download(client, "plan_export")["X-Report-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        plan = records["plan"]
        plan.title = "Ny plantittel"
        plan.save()
    again = download(client, "plan_export")
    assert again["X-Report-Cache"] == "miss"
    assert "Ny plantittel" in [row[2] for row in xlsx_rows(again.content)]


def test_measure_is_exported_without_its_private_fields(client, records):
    headings = xlsx_rows(download(client, "organisation_export").content)[0]
    assert not {"Medlemmer", "Members"} & set(headings)  # who reports for a unit is not public
    assert Measure.objects.count() == 31
