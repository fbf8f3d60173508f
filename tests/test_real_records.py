"""The real records in fixtures/: they load, cite their sources, link up, hold the key facts and invent none."""

import json
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from decisions.models import Commitment, CommitmentKind, Decision, Platform, Source, Theme
from decisions.status import CommitmentStatus
from measures.models import (
    ActionPlan,
    Indicator,
    IndicatorValue,
    Location,
    Measure,
    Organisation,
    ReportingPeriod,
    StatusUpdate,
)
from measures.progress import progress

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
        assert "latest_update" not in row["fields"] and "current_status" not in row["fields"]
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
    # Bystyret wished the name MO Gyldenpris; no source says it was taken into use, so it is another name.
    strax = Location.objects.get(name="Strax-huset")
    assert "MO Gyldenpris" in strax.other_names
    names = set(Location.objects.values_list("name", flat=True))
    # Named as the sources name them (002: «Nesttun», «Wergeland»), never «MO Nesttun».
    assert {"Nesttun", "Wergeland"} <= names and not {"MO Nesttun", "MO Wergeland"} & names
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


# ---------------------------------------------------------------------------------------------------------------------
# Fidelity checks for specific key records and links (added with the fixture; see fixtures/SOURCES.md for the reasons).
# ---------------------------------------------------------------------------------------------------------------------

SOURCES_MD = settings.BASE_DIR / "fixtures" / "SOURCES.md"


def test_the_fixture_file_is_tidy_and_stores_nothing_computed():
    text = FIXTURE.read_text(encoding="utf-8")
    rows = json.loads(text)
    assert text == json.dumps(rows, indent=2, ensure_ascii=False) + "\n", "indent 2, æøå written as themselves"
    keys = [(row["model"], row["pk"]) for row in rows]
    assert len(keys) == len(set(keys)), "explicit, unique primary keys"
    assert all(isinstance(row["pk"], int) for row in rows)
    assert not {row["model"] for row in rows} & {"measures.reportingperiod", "auth.user", "measures.changestamp"}
    for row in rows:
        assert "version" not in row["fields"]
        if row["model"] == "measures.statusupdate":
            assert row["fields"]["period"] is None and row["fields"]["author"] is None


def test_every_record_is_accounted_for_in_sources_md():
    text = SOURCES_MD.read_text(encoding="utf-8")
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        label = f"{row['model']} {row['pk']}"
        assert re.search(rf"{re.escape(label)}\b", text), f"{label} is not accounted for in SOURCES.md"


def test_no_number_url_or_term_is_invented(records):
    assert not Source.objects.exclude(url="").exists()
    assert not Source.objects.exclude(case_number="").exists()
    assert not Platform.objects.filter(term_end_year__isnull=False).exists()
    assert not Organisation.objects.exclude(url="").exists()
    # Only measure 5 of the action plan is numbered in a source.
    assert list(Measure.objects.exclude(number="").values_list("number", flat=True)) == ["5"]
    assert Decision.objects.get(title__icontains="åpne russcener").date_note


def test_the_injection_room_pledge_and_its_one_measure(records):
    pledge = Commitment.objects.get(
        platform__isnull=False, title__icontains="sprøyterom", summary__icontains="lovverket"
    )
    (measure,) = pledge.measures.all()
    assert "brukerrom" in measure.title
    assert measure.source.file_name == "003_65d6d43db29db6b8.txt"
    assert measure.status == "in_progress"
    assert pledge.status == CommitmentStatus.IN_PROGRESS


def test_loading_is_no_date_of_a_status_and_no_change_of_one(records, client):
    pledge = Commitment.objects.get(
        platform__isnull=False, title__icontains="sprøyterom", summary__icontains="lovverket"
    )
    # One history entry per record, holding the status rolled up from what the documents state.
    assert [row.status for row in pledge.history.all()] == [CommitmentStatus.IN_PROGRESS]
    assert not Commitment.objects.filter(status_changed_at__isnull=False).exists()
    page = client.get(pledge.get_absolute_url()).text
    timeline = page.split('id="status-history-heading"')[1].split("</section>")[0]
    assert "Slik kildene viser" in timeline and "<time" not in timeline
    home = client.get("/").text
    assert "Ingen forpliktelser har endret status ennå" in home


def test_the_first_period_starts_from_what_the_documents_state(records):
    # The real records were loaded during the first period: their statuses are no change and their measures no news.
    today = timezone.localdate()
    period = ReportingPeriod.objects.create(
        year=today.year, kind="year", starts_on=today.replace(month=1, day=1), ends_on=today.replace(month=12, day=31)
    )
    report = progress(period)
    assert report.transition_count == 0 and report.transitions == []
    assert report.new_measures == []
    before = {value: count_before for _label, value, count_before, _count_now in report.measure_counts}
    assert before["in_progress"] > 0  # the statuses the documents state, known before the period began


def test_the_overdose_team_pledge_cites_the_trondheim_model_and_has_no_measure(records):
    pledge = Commitment.objects.get(platform__isnull=False, title__icontains="overdoseteam")
    assert "Trondheim" in pledge.summary and "fagråd" in pledge.source_note.lower()
    assert not pledge.measures.exists()
    assert pledge.status == CommitmentStatus.NOT_FOLLOWED_UP


def test_the_open_scene_decisions_links(records):
    decision = Decision.objects.get(title__icontains="åpne russcener")
    points = {p.number: p for p in decision.points.all()}
    plan = ActionPlan.objects.get(adopted_by=decision)
    # The amendment is followed up by exactly the amended measure 5.
    assert list(points[3].measures.values_list("number", flat=True)) == ["5"]
    measure_5 = plan.measures.get(number="5")
    assert measure_5.responsible_unit.name == "Bergen kommune"
    assert measure_5.partners.filter(kind="police").exists()
    # The recommendation (adopt the plan) is followed up by every measure of the plan, each marked adopted_plan.
    assert set(points[1].measures.all()) == set(plan.measures.all())
    for measure in plan.measures.all():
        assert measure.measuredecision_set.filter(decision=decision, role="adopted_plan").exists()
    # Only what 001 names is in the plan: not the measures 003 describes from the draft (reporting violence, moving
    # the shelter, the outdoor area).
    assert set(plan.measures.values_list("fixture_pk", flat=True)) == {1, 2, 3, 5, 7, 29}
    # The Vågsbunnen remark came after 003 described the new MO-centre and the grants analysis: they are no answer.
    vagsbunnen = points[6]
    assert "Vågsbunnen" in vagsbunnen.title
    # The rename, the schools remark, the shelter remark, Vågsbunnen and the needle case: nothing the sources tie.
    for number in (2, 4, 5, 6, 7):
        assert not points[number].measures.exists(), points[number]
        assert points[number].status == CommitmentStatus.NOT_FOLLOWED_UP


def test_the_zero_vision_has_no_measure_and_one_statement(records):
    decision = Decision.objects.get(title__icontains="nullvisjon")
    assert not Measure.objects.filter(commitments__decision=decision).exists()
    statement = decision.points.get(requires_follow_up=False)
    assert statement.number == 10 and "medborgere" in statement.title
    assert decision.decided_on is None and decision.case_number == ""
    assert Location.objects.get(name__icontains="Sverresgate").kind == "user_run"


def test_statuses_follow_the_sources_wording(records):
    def status_of(fragment):
        return Measure.objects.get(title__icontains=fragment).status

    assert status_of("uteområde") == "in_progress"  # «i ferd med å etablere»
    assert status_of("utdeling av motgift") == "in_progress"  # «utleveres», a running service
    assert status_of("nytt MO-senter i 2015") == "planned"  # «vi etablerer et nytt senter i 2015»: the doer reports
    # A prescription, an intention, a forecast, a wish or a plan's content is not a report: these carry no status.
    assert status_of("Flytte akuttovernattingen") is None  # «vil … flyttes»
    assert status_of("Melde fra om alle voldstilfeller") is None  # «skal … rapportere»
    assert status_of("nord for Bergen sentrum") is None  # «forventes å lette på trykket»
    assert status_of("Ny kartlegging") is None  # «skal følges opp»
    assert status_of("forsøkskommune") is None
    assert status_of("FACT") is None
    assert not StatusUpdate.objects.filter(status__in=["done", "delayed", "cancelled"]).exists()


def test_the_named_places_and_organisations_are_all_there(records):
    places = set(Location.objects.values_list("name", flat=True))
    assert {"Vågsbunnen", "Damsgård", "Nygårdsparken"} <= places
    assert any("Akuttposten" in name for name in places)
    organisations = set(Organisation.objects.values_list("name", flat=True))
    for name in [
        "Bergensklinikkene",
        "Senter for arbeidslivsforberedelse",
        "NAV",
        "Kriminalomsorgen",
        "UDI",
        "Dagsverket",
    ]:
        assert name in organisations, name
    assert Organisation.objects.filter(name__startswith="Avdeling for rusmedisin", short_name="AFR").exists()


def test_the_zero_vision_is_an_indicator_with_target_zero_and_no_invented_values(records):
    deaths = Indicator.objects.get(name__icontains="overdosedødsfall")
    assert deaths.target_value == 0 and deaths.source.file_name == "004_355a88318a588f0b.txt"
    assert deaths.commitments.get().decision.title.lower().count("nullvisjon") == 1
    # No source gives a number for any indicator, so none is recorded.
    assert Indicator.objects.count() >= 3 and not IndicatorValue.objects.exists()


def test_a_pledge_is_never_linked_to_measures_described_after_it_was_made_without_a_source_tying_them(records):
    # Platform pledge 15 («følge opp Handlingsplanen mot åpne russcener») predates the 2019–2022 revision.
    pledge_15 = Commitment.objects.get(platform__isnull=False, number=15)
    assert not pledge_15.measures.exists() and pledge_15.status == CommitmentStatus.NOT_FOLLOWED_UP
    # The only pledge with a measure is the injection room, whose very step 003 reports (see SOURCES.md).
    assert list(Commitment.objects.filter(platform__isnull=False, measures__isnull=False).distinct()) == [
        Commitment.objects.get(fixture_pk=6)
    ]


def test_the_promises_of_restraint_and_the_stated_views_are_recorded_and_ask_for_nothing(records):
    restraint = Commitment.objects.get(title__icontains="føringer for spesialisthelsetjenestens")
    assert not restraint.requires_follow_up and restraint.status == CommitmentStatus.STATEMENT
    principle = Commitment.objects.get(title__icontains="Individuell oppfølging")
    assert principle.requires_follow_up and "må" in principle.title
    assert Measure.objects.filter(title__icontains="offentlig transport", source__file_name__startswith="002").exists()
    cooperation = Measure.objects.get(title="Samarbeid mellom kommunen, politiet og helseforetaket")
    assert cooperation.plan is not None and cooperation.source.file_name.startswith("001")
