"""load_real_records --update on a database loaded from the fixture as sites loaded it before December 2026.

fixtures/corrections/real_records-2026-12-01.json is that fixture, byte for byte (main's fixtures/real_records.json
before issue 12). The corrections must bring a database nobody touched to what a fresh load gives, leave alone what a
person changed, and say so; and every correction is in the history and on «Rettelser».
"""

import importlib
import json
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from decisions.models import Commitment
from decisions.status import CommitmentStatus
from measures.models import Correction, Location, Measure, StatusUpdate
from measures.services import record_status, save_record
from measures.status import MeasureStatus
from tests.factories import make_source, make_user

pytestmark = pytest.mark.django_db

BASELINE = settings.BASE_DIR / "fixtures" / "corrections" / "real_records-2026-12-01.json"
FIXTURE = settings.BASE_DIR / "fixtures" / "real_records.json"
ROUND = json.loads((settings.BASE_DIR / "fixtures" / "corrections" / "round-2026-12.json").read_text())


def load_old():
    call_command("load_real_records", fixture=str(BASELINE), verbosity=0)


def update(user):
    out = StringIO()
    call_command("load_real_records", update=True, user=user.username, stdout=out)
    return out.getvalue()


def plain_fields(model, fields):
    return {
        name: value
        for name, value in fields.items()
        if not model._meta.get_field(name).is_relation and name not in {"target_value"}
    }


def test_an_untouched_database_ends_as_a_fresh_load_of_the_fixture(db):
    load_old()
    operator = make_user("drift", first_name="Kari", last_name="Drift")
    assert Measure.objects.get(fixture_pk=8).commitments.filter(fixture_pk=15).exists()

    output = update(operator)

    assert (
        f"{len(ROUND['corrections'])} corrections applied, 0 applied before, 0 needed nothing, 0 left alone" in output
    )
    # Every record holds what the fixture holds now, found by its fixture number.
    for row in json.loads(FIXTURE.read_text()):
        model = apps.get_model(row["model"])
        if model._meta.model_name == "measuredecision":
            continue
        record = model.objects.get(fixture_pk=row["pk"])
        for name, value in plain_fields(model, row["fields"]).items():
            assert getattr(record, name) == value, (row["model"], row["pk"], name)
        for name, value in row["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                assert sorted(getattr(record, name).values_list("fixture_pk", flat=True)) == sorted(value)
    # The rules the corrections carry: pledge 15 has no measure, the draft's measures are out of the plan, the
    # updates that rested on prescriptions are gone and the measures they described are not reported.
    pledge_15 = Commitment.objects.get(fixture_pk=15)
    assert not pledge_15.measures.exists() and pledge_15.status == CommitmentStatus.NOT_FOLLOWED_UP
    # A corrected reading of the documents is no change of the commitment: the overview does not list it as moved.
    assert pledge_15.status_changed_at is None and pledge_15.history.latest().history_user == operator
    assert Measure.objects.get(fixture_pk=4).plan is None and Measure.objects.get(fixture_pk=6).status is None
    assert not StatusUpdate.objects.filter(fixture_pk__in=[2, 3, 4, 19]).exists()
    assert Location.objects.get(fixture_pk=2).name == "Nesttun"
    added = Measure.objects.get(fixture_pk=29)
    assert added.plan is not None and added.decisions.exists()
    assert Commitment.objects.get(fixture_pk=45).status == CommitmentStatus.STATEMENT
    # Each correction is in the record's history, by the person who ran it, with the reason from the file.
    reason = next(e["why"] for e in ROUND["corrections"] if e["record"] == "decisions.commitment 13")
    latest = Commitment.objects.get(fixture_pk=13).history.latest()
    assert (latest.history_user, latest.history_change_reason) == (operator, reason)
    assert Commitment.objects.get(fixture_pk=13).version == 2
    assert Correction.objects.filter(made_by=operator).values("key").distinct().count() == len(ROUND["corrections"])

    # A second run finds everything applied and changes nothing.
    before = Correction.objects.count()
    assert "0 corrections applied" in update(operator)
    assert Correction.objects.count() == before


def test_records_a_person_changed_are_listed_and_left_alone(db):
    load_old()
    person = make_user("saksbehandler", first_name="Per", last_name="Person")
    pledge = save_record(
        user=person, record=Commitment.objects.get(fixture_pk=13), fields={"summary": "Min egen tekst."}
    )
    # A person reported on the measure whose loaded update a correction would withdraw.
    record_status(
        measure=Measure.objects.get(fixture_pk=6), status=MeasureStatus.IN_PROGRESS, happened="Flyttet.", user=person
    )
    # And made a measure of their own, which got the next free number (the fixture's new measure 29 has it too).
    own = save_record(user=person, record=Measure(), fields={"title": "Eget tiltak", "source": pledge.source})
    assert own.pk == 29

    output = update(make_user("drift"))

    assert "left alone: " in output and "(decisions.commitment 13): changed on this site" in output
    assert "(measures.statusupdate 3): the measure has reports made on this site" in output
    pledge.refresh_from_db()
    assert pledge.summary == "Min egen tekst." and pledge.title.startswith("Vurdere")
    assert StatusUpdate.objects.filter(fixture_pk=3).exists()
    assert Measure.objects.get(fixture_pk=6).status == MeasureStatus.IN_PROGRESS
    # The rest is corrected, and the person's measure is not the fixture's new one.
    assert Commitment.objects.get(fixture_pk=23).title.startswith("Ønske om")
    own.refresh_from_db()
    assert own.title == "Eget tiltak" and own.fixture_pk is None
    assert Measure.objects.get(fixture_pk=29).pk != own.pk
    assert not Correction.objects.filter(commitment=pledge, measure__isnull=True).exists()


def test_a_site_that_loaded_the_corrected_fixture_needs_nothing(db):
    call_command("load_real_records", verbosity=0)
    output = update(make_user("drift"))
    assert (
        f"0 corrections applied, 0 applied before, {len(ROUND['corrections'])} needed nothing, 0 left alone" in output
    )
    assert not Correction.objects.exists()


def test_the_update_needs_a_person_and_changes_nothing_without_one(db):
    load_old()
    with pytest.raises(CommandError, match="--user"):
        call_command("load_real_records", update=True)
    with pytest.raises(CommandError, match="No user"):
        call_command("load_real_records", update=True, user="ingen")
    assert not Correction.objects.exists()
    assert Commitment.objects.get(fixture_pk=13).title.startswith("Vurdere")


def test_the_corrections_page_lists_them_newest_first_and_the_record_links_to_it(db, client):
    load_old()
    update(make_user("drift"))
    page = client.get(reverse("correction_list")).text
    assert "<h1" in page and "Rettelser" in page
    # The last entry of the round is applied last and listed first.
    last = ROUND["corrections"][-1]
    first_listed = page.split('class="correction"')[1]
    assert last["why"] in first_listed
    # The corrected record's page says so and links to the page, and so does the page of the sources.
    measure = Measure.objects.get(fixture_pk=4)
    detail = client.get(measure.get_absolute_url()).text
    assert "Rettet" in detail and reverse("correction_list") in detail
    assert "Hviler på det planen foreskriver" in detail
    assert reverse("correction_list") in client.get(reverse("source_list")).text
    # A pledge that lost its link shows the correction made on the measure too.
    pledge_15 = client.get(Commitment.objects.get(fixture_pk=15).get_absolute_url()).text
    assert "Plattformløfte 15 er eldre enn planen" in pledge_15


def corrections(n, user):
    measure = Measure.objects.create(title="Et tiltak", source=make_source())
    return [
        Correction.objects.create(
            key=f"test-{i}",
            record_label=f"Tiltak: {measure.title}",
            what="Tittel",
            changes=[{"field": "Tittel", "before": "Gammel", "after": f"Ny {i}"}],
            reason=f"Grunn {i}",
            made_by=user,
            measure=measure,
        )
        for i in range(n)
    ]


QUERIES = 2


@pytest.mark.parametrize("count", [1, 5])
def test_the_corrections_page_costs_one_query_for_its_list_with_one_and_with_many(
    client, django_assert_num_queries, count
):
    corrections(count, make_user("drift"))
    # The first reader renders the page: the data version, then the corrections with their records in one query.
    with django_assert_num_queries(QUERIES):
        page = client.get(reverse("correction_list")).text
    assert page.count('class="correction"') == count
    assert page.index(f"Grunn {count - 1}") <= page.index("Grunn 0"), "newest first"


def test_the_corrections_page_in_english(client):
    corrections(1, make_user("drift"))
    client.get(reverse("choose_language", args=["en"]) + "?next=/rettelser/")
    page = client.get(reverse("correction_list")).text
    assert '<html lang="en"' in page and "Corrections" in page and "Why" in page


def test_the_migrations_mark_the_records_a_site_loaded_before_the_mark_existed(db):
    # Before fixture_pk, a loaded record was known by its import entry in the history; the migrations read it once.
    load_old()
    person_made = Measure.objects.create(title="Eget tiltak", source=make_source())
    record_status(measure=person_made, status=MeasureStatus.PLANNED, happened="Planlagt.", user=make_user("per"))
    for model in (Commitment, Measure, Location, StatusUpdate):
        model.objects.update(fixture_pk=None)
    decisions_migration = importlib.import_module("decisions.migrations.0005_fixture_pk_marks_loaded_records")
    measures_migration = importlib.import_module("measures.migrations.0007_fixture_pk_and_corrections")
    decisions_migration.mark_loaded_records(apps, None)
    measures_migration.mark(apps, None)
    assert set(Commitment.objects.values_list("fixture_pk", flat=True)) == set(range(1, 40))
    assert Measure.objects.get(pk=person_made.pk).fixture_pk is None
    assert Measure.objects.filter(fixture_pk__isnull=False).count() == 28
    assert StatusUpdate.objects.filter(fixture_pk__isnull=False).count() == 20
    assert not StatusUpdate.objects.filter(measure=person_made, fixture_pk__isnull=False).exists()
