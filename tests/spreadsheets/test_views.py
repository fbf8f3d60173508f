"""The import pages: upload, preview, confirm; who may import what; nobody confirms another person's upload."""

import io

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse

from measures.models import Measure, SpreadsheetUpload, StatusUpdate, UploadState
from measures.roles import Role
from measures.services import record_status
from tests.factories import make_person

from .helpers import download, edit_xlsx, page_text

pytestmark = pytest.mark.django_db


def upload(client, content, kind="status", name="status.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("import_upload"), {"kind": kind, "file": file})


def test_upload_preview_confirm(client, kari, measures, status_sheet):
    response = upload(client, status_sheet)
    stored = SpreadsheetUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_preview", args=[stored.token])
    assert len(stored.token) >= 40 and stored.user == kari

    preview = page_text(client.get(response["Location"]))
    assert "Ingenting er lagret ennå" in preview
    assert "1 ny statusoppdateringer" in preview or "1 ny" in preview
    assert "Status: Ikke rapportert → Pågår" in preview
    assert "Hva som har skjedd: – → Tomten er kjøpt." in preview
    assert "uendret (rad 2)" in preview
    assert not StatusUpdate.objects.filter(author=kari).exists()

    done = client.post(response["Location"], follow=True)
    assert "«status.xlsx» er importert: 1 nye, 0 endret, 1 uendret." in page_text(done)
    update = StatusUpdate.objects.get(author=kari)
    assert (update.measure, update.status, update.happened) == (measures[1], "in_progress", "Tomten er kjøpt.")
    # Confirming again imports nothing twice.
    client.post(response["Location"])
    assert StatusUpdate.objects.filter(author=kari).count() == 1


def test_nobody_else_can_see_or_confirm_an_upload(client, kari, unit, status_sheet):
    upload(client, status_sheet)
    stored = SpreadsheetUpload.objects.get()
    colleague = make_person("ola", Role.CASEWORKER, [unit], first_name="Ola", last_name="Kollega")
    client.force_login(colleague)
    assert client.get(reverse("import_preview", args=[stored.token])).status_code == 404
    assert client.post(reverse("import_preview", args=[stored.token])).status_code == 404
    assert not StatusUpdate.objects.filter(author__in=[kari, colleague]).exists()


def test_a_conflict_between_preview_and_confirm_imports_nothing(client, kari, unit, measures, status_sheet, per):
    upload(client, status_sheet)
    stored = SpreadsheetUpload.objects.get()
    record_status(measure=measures[1], status="delayed", happened="Per rapporterte først.", user=per)
    response = client.post(reverse("import_preview", args=[stored.token]), follow=True)
    # The import job refused it: the upload is ready again, and its page shows the refusal and offers no import.
    assert response.redirect_chain == [(reverse("import_preview", args=[stored.token]), 302)]
    text = page_text(response)
    assert "Ingenting er importert" in text
    assert "Per Koordinator har rapportert på tiltaket etter at filen ble eksportert" in text
    assert 'type="submit">Importer' not in response.text
    assert not StatusUpdate.objects.filter(author=kari).exists()
    stored.refresh_from_db()
    assert (stored.state, stored.applied_at) == (UploadState.READY, None)


@pytest.mark.parametrize("role", [None, Role.READER, Role.FAGRAD])
def test_only_caseworkers_and_coordinators_import(client, role):
    if role is not None:
        client.force_login(make_person("leser", role, first_name="Lise", last_name="Leser"))
    response = client.get(reverse("import_upload"))
    assert response.status_code == (302 if role is None else 403)


def test_a_caseworker_cannot_import_measures(client, kari, measures, plan):
    client.force_login(kari)
    content = download(client, "measure_export", document=f"plan-{plan.pk}").content
    form = client.get(reverse("import_upload"))
    assert 'value="measures"' not in form.text
    response = upload(client, edit_xlsx(content, {(1, "Tittel"): "Kari endrer"}), kind="measures")
    assert response.status_code == 400
    assert "Velg et gyldig valg" in page_text(response)
    assert not Measure.objects.filter(title="Kari endrer").exists()


@pytest.mark.parametrize("count", [1, 3])
def test_the_import_pages_read_a_fixed_number_of_queries(client, per, plan, measures, django_assert_num_queries, count):
    client.force_login(per)
    content = download(client, "measure_export", document=f"plan-{plan.pk}").content
    edits = {(row, "Beskrivelse"): f"Ny beskrivelse {row}" for row in range(1, count + 1)}
    upload(client, edit_xlsx(content, edits), kind="measures", name="tiltak.xlsx")
    stored = SpreadsheetUpload.objects.get()
    # The session, the person and their rights (3), the upload; the session is saved (3: a savepoint around it).
    with django_assert_num_queries(8):
        page = client.get(reverse("import_preview", args=[stored.token]))
    assert page_text(page).count("Ny beskrivelse") == count
    with django_assert_num_queries(7):
        client.get(reverse("import_upload"))


def test_the_command_imports_and_prints_the_preview(client, per, plan, measures, tmp_path):
    client.force_login(per)
    content = download(client, "measure_export", document=f"plan-{plan.pk}").content
    path = tmp_path / "tiltak.xlsx"
    path.write_bytes(edit_xlsx(content, {(3, "Tittel"): "Nytt overdoseteam i sentrum"}))
    out = io.StringIO()
    call_command("import_records", str(path), kind="measures", user="per", dry_run=True, stdout=out)
    assert "Rad 4: Endret" in out.getvalue()
    assert "Tittel: Nytt overdoseteam → Nytt overdoseteam i sentrum" in out.getvalue()
    assert "Ingenting er lagret (prøvekjøring)." in out.getvalue()
    assert Measure.objects.get(pk=measures[2].pk).title == "Nytt overdoseteam"

    call_command("import_records", str(path), kind="measures", user="per", stdout=out)
    measure = Measure.objects.get(pk=measures[2].pk)
    assert measure.title == "Nytt overdoseteam i sentrum"
    assert measure.history.latest().history_change_reason == "Importert fra regnearket «tiltak.xlsx»"
    same = io.StringIO()
    # The data's version moves on when a transaction commits, which a test's never does: forget the cached export.
    caches["reports"].clear()
    path.write_bytes(download(client, "measure_export", document=f"plan-{plan.pk}").content)
    call_command("import_records", str(path), kind="measures", user="per", stdout=same)
    assert "Å importere denne filen endrer ingenting" in same.getvalue()


def test_a_coordinator_creates_measures_from_a_sheet(client, per, plan, measures):
    client.force_login(per)
    content = download(client, "measure_export", document=f"plan-{plan.pk}").content
    rows = edit_xlsx(
        content,
        {
            (4, "Handlingsplan-ID"): plan.pk,
            (4, "Nummer"): "4",
            (4, "Tittel"): "Lavterskel arbeidstrening",
            (4, "Ansvarlig enhet"): "Helse Bergen",
            (4, "Frist"): "31.12.2026",
        },
    )
    response = upload(client, rows, kind="measures", name="ny.xlsx")
    preview = page_text(client.get(response["Location"]))
    assert "Nytt tiltak" in preview
    client.post(response["Location"])
    created = Measure.objects.get(title="Lavterskel arbeidstrening")
    assert (created.plan, created.number, created.responsible_unit.name) == (plan, "4", "Helse Bergen")
    assert created.source == plan.source
    assert created.history.get().history_user == per
