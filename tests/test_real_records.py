"""The real records in fixtures/: they load, cite their sources, link up, hold the key facts and invent none."""

import json
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models

from decisions.models import Commitment, CommitmentKind, Decision, Platform, Source, Theme
from decisions.status import CommitmentStatus
from measures.models import ActionPlan, Location, Measure, Organisation, StatusUpdate

pytestmark = pytest.mark.django_db

SOURCE_FILES = {
    "000_a1696c7731b226bc.txt",
    "001_c7ce63feb14d8c00.txt",
    "002_0b0d3115c030e498.txt",
    "003_65d6d43db29db6b8.txt",
    "004_355a88318a588f0b.txt",
}
FIXTURE = settings.BASE_DIR / "fixtures" / "real_records.json"


@pytest.fixture
def records(db):
    call_command("load_real_records", verbosity=0)


def project_models():
    return [model for model in apps.get_models() if model._meta.app_label in {"decisions", "measures"}]


def test_the_fixture_holds_no_synthetic_data_and_no_stored_statuses():
    rows = json.loads(FIXTURE.read_text())
    labels = {row["model"] for row in rows}
    assert not any(label.split(".")[1].startswith("historical") for label in labels)
    text = FIXTURE.read_text()
    assert "Syntetisk" not in text and '"synthetic"' not in text
    for row in rows:
        assert "latest_update" not in row["fields"]
        assert "status_changed_at" not in row["fields"]
        if row["model"] == "decisions.commitment":
            assert "status" not in row["fields"]


def test_every_record_cites_a_source_document_from_the_archive(records):
    assert set(Source.objects.values_list("file_name", flat=True)) == SOURCE_FILES
    for model in project_models():
        if model.__name__.startswith("Historical"):
            continue
        field = next((f for f in model._meta.fields if f.name == "source"), None)
        if field is None:
            continue
        uncited = model.objects.filter(source__isnull=True)
        assert not uncited.exists(), f"{model.__name__} without a source: {list(uncited)}"
    used = set()
    for model in [Commitment, Decision, Platform, Measure, Location, Organisation, ActionPlan, StatusUpdate]:
        used |= set(model.objects.values_list("source__file_name", flat=True))
    assert used == SOURCE_FILES, "every source document is used by some record"


def test_every_link_resolves(records):
    for model in project_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey):
                ids = set(model.objects.exclude(**{field.attname: None}).values_list(field.attname, flat=True))
                found = set(field.related_model.objects.filter(pk__in=ids).values_list("pk", flat=True))
                assert ids == found, f"{model.__name__}.{field.name} points at missing rows {ids - found}"


def test_no_date_is_invented(records):
    # None of the source documents states a full date, so none may appear in the records.
    assert not Source.objects.filter(published_on__isnull=False).exists()
    assert not Decision.objects.filter(decided_on__isnull=False).exists()
    assert not Measure.objects.filter(deadline__isnull=False).exists()
    assert not StatusUpdate.objects.filter(as_of__isnull=False).exists()
    assert not StatusUpdate.objects.filter(expected_completion__isnull=False).exists()
    assert not Decision.objects.exclude(case_number="").exists(), "no source states a case number"
    assert not Platform.objects.filter(term_start_year__isnull=False).exists()


def test_status_updates_only_come_from_sources(records):
    assert StatusUpdate.objects.exists()
    assert not StatusUpdate.objects.filter(source__isnull=True).exists()
    assert not StatusUpdate.objects.filter(author__isnull=False).exists()
    assert not StatusUpdate.objects.filter(source_note="").exists()


def test_the_platform_and_its_drug_care_pledges(records):
    platform = Platform.objects.get()
    pledges = platform.pledges.all()
    assert 15 <= pledges.count() <= 30
    assert set(pledges.values_list("kind", flat=True)) == {CommitmentKind.PLEDGE}
    numbers = sorted(pledges.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    text = " ".join(f"{p.title} {p.summary}".lower() for p in pledges)
    topics = ["sprøyterom", "brukerrom", "overdoseteam", "døgnåpen", "mo-sentre", "ruspolitisk råd", "housing first"]
    for topic in topics:
        assert topic in text, topic


def test_the_decision_on_open_drug_scenes_with_each_point(records):
    decision = Decision.objects.get(title__icontains="åpne russcener")
    points = list(decision.points.order_by("number"))
    assert len(points) == 7
    assert [p.kind for p in points[:3]] == [
        CommitmentKind.RECOMMENDATION,
        CommitmentKind.ADDITION,
        CommitmentKind.AMENDMENT,
    ]
    assert {p.kind for p in points[3:]} == {CommitmentKind.REMARK}
    assert "MO Gyldenpris" in f"{points[1].title} {points[1].summary}"
    assert "5" in points[2].title
    plan = ActionPlan.objects.get(adopted_by=decision)
    assert (plan.valid_from_year, plan.valid_to_year) == (2019, 2022)
    measure_5 = plan.measures.get(number="5")
    assert points[2] in measure_5.commitments.all()
    assert set(measure_5.measuredecision_set.values_list("role", flat=True)) == {"adopted_plan", "amended"}


def test_the_zero_vision_with_its_ten_added_points(records):
    decision = Decision.objects.get(title__icontains="nullvisjon")
    points = list(decision.points.order_by("number"))
    assert len(points) == 11
    assert points[0].kind == CommitmentKind.RECOMMENDATION
    assert {p.kind for p in points[1:]} == {CommitmentKind.ADDITION}
    statements = [p for p in points if not p.requires_follow_up]
    assert len(statements) == 1
    assert statements[0].status == CommitmentStatus.STATEMENT
    assert "21. september" in decision.date_note
    joined = " ".join(f"{p.title} {p.summary}".lower() for p in points)
    for topic in ["nalokson", "rusmiddeltesting", "sverresgate", "helse bergen"]:
        assert topic in joined, topic


def test_the_places_and_organisations(records):
    gyldenpris = Location.objects.get(name="MO Gyldenpris")
    assert "Strax-huset" in gyldenpris.other_names
    names = set(Location.objects.values_list("name", flat=True))
    assert {"MO Nesttun", "MO Wergeland"} <= names
    assert Location.objects.filter(planned=True, kind="mo_centre").exists(), "the new MO-centre north of the centre"
    organisations = " ".join(Organisation.objects.values_list("name", flat=True))
    for name in ["Helse Bergen", "Kirkens Bymisjon", "Bergen kommune"]:
        assert name in organisations, name
    assert re.search(r"[Pp]olit", organisations)


def test_the_themes_of_the_design(records):
    assert set(Theme.objects.values_list("slug", flat=True)) == {
        "skadereduksjon",
        "behandling",
        "bolig",
        "forebygging",
        "lavterskel",
        "aktivitet-og-arbeid",
        "samhandling",
        "apne-russcener",
        "overdoser",
    }


def test_statuses_are_rolled_up_after_loading(records):
    assert Commitment.objects.filter(status=CommitmentStatus.NOT_FOLLOWED_UP).exists()
    linked = Commitment.objects.filter(measures__isnull=False).distinct()
    assert linked.exists()
    assert not linked.filter(status=CommitmentStatus.NOT_FOLLOWED_UP).exists()
    reported = Measure.objects.filter(updates__isnull=False).distinct()
    assert reported.count() == Measure.objects.filter(latest_update__isnull=False).count()


def test_titles_are_short_enough_for_lists_and_reports(records):
    for model in [Commitment, Measure, Decision, ActionPlan]:
        for title in model.objects.values_list("title", flat=True):
            assert 5 <= len(title) <= 160, title
