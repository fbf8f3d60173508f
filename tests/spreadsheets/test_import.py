"""The import of measures and status updates: preview row by row, then all rows or none, through the services."""

import pytest

from decisions.status import CommitmentStatus
from measures.models import Measure, StatusUpdate
from measures.spreadsheets import importing
from measures.status import MeasureStatus
from tests.factories import make_commitment, make_open_period

from .helpers import download, edit_xlsx, xlsx_rows

pytestmark = pytest.mark.django_db


def sheet(client, url_name, **params):
    return download(client, url_name, **params).content


def run_preview(user, kind, content, filename="ark.xlsx"):
    return importing.preview(kind=kind, content=content, filename=filename, user=user)


def test_the_file_just_exported_changes_nothing_and_says_so(client, per, measures, plan):
    client.force_login(per)
    for url_name, kind in [("measure_export", importing.MEASURES), ("status_export", importing.STATUS)]:
        for fmt in ("xlsx", "csv"):
            content = download(client, url_name, fmt=fmt, document=f"plan-{plan.pk}").content
            result = run_preview(per, kind, content, f"ark.{fmt}")
            assert result.file_error == ""
            assert result.rows == []
            assert result.unchanged == [2, 3, 4]
            assert result.changes_nothing


def test_a_coordinator_changes_titles_and_statuses_of_a_plans_measures(client, per, measures, plan):
    commitment = make_commitment(title="Færre i de åpne russcenene")
    measures[1].commitments.add(commitment)
    client.force_login(per)
    content = sheet(client, "measure_export", document=f"plan-{plan.pk}")
    rows = xlsx_rows(content)
    assert rows[0][:7] == ["ID", "Adresse", "Versjon", "Handlingsplan-ID", "Handlingsplan", "Nummer", "Tittel"]
    edited = edit_xlsx(content, {(1, "Tittel"): "Styrke MO-sentrene i sentrum", (2, "Status"): "Gjennomført"})

    result = run_preview(per, importing.MEASURES, edited)
    assert [(row.number, row.action, row.changes) for row in result.rows] == [
        (2, "change", [("Tittel", "Styrke MO-sentrene", "Styrke MO-sentrene i sentrum")]),
        (3, "change", [("Status", "Ikke rapportert", "Gjennomført")]),
    ]
    assert Measure.objects.get(pk=measures[0].pk).title == "Styrke MO-sentrene"  # the preview wrote nothing

    importing.apply(kind=importing.MEASURES, content=edited, filename="tiltak.xlsx", user=per)
    first = Measure.objects.get(pk=measures[0].pk)
    assert first.title == "Styrke MO-sentrene i sentrum"
    assert first.version == measures[0].version + 1
    entry = first.history.latest()
    assert (entry.history_user, entry.history_change_reason) == (per, "Importert fra regnearket «tiltak.xlsx»")
    second = Measure.objects.get(pk=measures[1].pk)
    assert second.current_status == MeasureStatus.DONE
    assert second.latest_update.author == per
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED


def test_a_caseworker_reports_through_the_status_sheet(client, kari, unit, measures):
    period = make_open_period(year=2026, kind="t2")
    client.force_login(kari)
    content = sheet(client, "status_export", unit=unit.pk)
    rows = xlsx_rows(content)
    assert [row[0] for row in rows[1:]] == [measures[0].pk, measures[1].pk]
    edited = edit_xlsx(
        content,
        {
            (1, "Status"): "Pågår",
            (1, "Hva som har skjedd"): "To nye stillinger er besatt.",
            (2, "Status"): "Forsinket",
            (2, "Hva som har skjedd"): "Tomten er ikke klar.",
        },
    )
    result = run_preview(kari, importing.STATUS, edited)
    assert [(row.number, row.action) for row in result.rows] == [(2, "create"), (3, "create")]
    assert result.rows[0].changes[0] == ("Status", "Planlagt", "Pågår")

    importing.apply(kind=importing.STATUS, content=edited, filename="status.xlsx", user=kari)
    updates = StatusUpdate.objects.filter(author=kari).order_by("measure_id")
    assert [(u.measure_id, u.status, u.period) for u in updates] == [
        (measures[0].pk, "in_progress", period),
        (measures[1].pk, "delayed", period),
    ]
    again = run_preview(kari, importing.STATUS, sheet(client, "status_export", unit=unit.pk))
    assert again.changes_nothing


def test_a_caseworker_cannot_import_a_measure_of_another_unit(client, kari, per, measures, plan):
    client.force_login(per)
    content = sheet(client, "status_export", document=f"plan-{plan.pk}")
    edited = edit_xlsx(content, {(3, "Status"): "Pågår", (3, "Hva som har skjedd"): "Teamet er i gang."})
    result = run_preview(kari, importing.STATUS, edited)
    assert result.rows[0].action == "error"
    assert "tilhører en annen enhet" in result.rows[0].errors[0][1] or "annen enhet" in result.rows[0].errors[0][1]
    with pytest.raises(importing.ImportRefused):
        importing.apply(kind=importing.STATUS, content=edited, filename="status.xlsx", user=kari)
    assert not StatusUpdate.objects.filter(author=kari).exists()


def test_a_caseworker_may_send_a_whole_plans_sheet_back_with_only_their_rows_changed(client, kari, per, measures, plan):
    client.force_login(per)
    content = sheet(client, "status_export", document=f"plan-{plan.pk}")
    edited = edit_xlsx(content, {(2, "Status"): "Pågår", (2, "Hva som har skjedd"): "Karis enhet er i gang."})
    result = run_preview(kari, importing.STATUS, edited)
    assert [(row.number, row.action) for row in result.rows] == [(3, "create")]
    assert result.unchanged == [2, 4]  # the other unit's measure, untouched, is no concern of the import
