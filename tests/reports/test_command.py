"""render_report: the secretariat's command line for the same reports, to a file."""

from datetime import date

import page
import pytest
from django.core.management import CommandError, call_command

from measures.status import MeasureStatus
from tests.factories import make_commitment, make_decision, make_measure, make_period, make_theme
from tests.reports.helpers import page_texts, pdf_reader, update

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(caseworker):
    make_period(year=2026, kind="t2")
    year = make_period(year=2026, kind="year")
    theme = make_theme(slug="skadereduksjon", name="Skadereduksjon")
    decision = make_decision(title="Bystyrets vedtak om nullvisjon", case_number="2024/123")
    inside = make_measure(title="Nalokson i alle bydeler", commitments=[make_commitment(decision=decision)])
    inside.themes.add(theme)
    outside = make_measure(title="Et tiltak uten tema")
    update(inside, MeasureStatus.IN_PROGRESS, author=caseworker, on=date(2026, 10, 1), period=year)
    return {"decision": decision, "inside": inside, "outside": outside}


def test_the_status_report_for_a_period_and_a_theme_goes_to_a_file(world, tmp_path, capsys):
    target = tmp_path / "rapport.pdf"
    call_command("render_report", "status", "--period", "2026-year", "--theme", "skadereduksjon", "-o", str(target))
    document = " ".join(page_texts(target.read_bytes()))
    assert "Statusrapport for 2026" in document and "Årsrapport 2026" in document
    assert "Nalokson i alle bydeler" in document and "Et tiltak uten tema" not in document
    assert "Tema: Skadereduksjon" in document
    assert "rapport.pdf (PDF/UA-1)" in capsys.readouterr().out


def test_the_decision_and_the_measure_go_to_files_and_the_archive_variant_is_pdf_a(world, tmp_path):
    decision_file, measure_file = tmp_path / "vedtak.pdf", tmp_path / "tiltak.pdf"
    call_command("render_report", "decision", str(world["decision"].pk), "-o", str(decision_file))
    call_command("render_report", "measure", str(world["inside"].pk), "-o", str(measure_file), "--pdfa")
    assert "Oppfølging av bystyrets vedtak" in " ".join(page_texts(decision_file.read_bytes()))
    archive = measure_file.read_bytes()
    assert len(pdf_reader(archive).pages) == 1
    report = page.validate_pdf_bytes(archive, profile=page.ValidationProfile.PDF_A_3A)
    assert report.rules.failed == 0, [(f.rule_id, f.message) for f in report.failures]


def test_a_list_goes_to_a_file_with_the_lists_query(world, tmp_path):
    target = tmp_path / "liste.pdf"
    call_command("render_report", "list", "measure", "--query", "q=nalokson", "-o", str(target))
    document = " ".join(page_texts(target.read_bytes()))
    assert "Nalokson i alle bydeler" in document and "Et tiltak uten tema" not in document


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["status", "--period", "2031-t1"], "Known periods: 2026-t2, 2026-year"),
        (["status", "--theme", "finnes-ikke"], "No theme «finnes-ikke»"),
        (["status", "--plan", "1", "--document", "decision-1"], "not both"),
        (["status", "--unit", "999999"], "The filter is not valid"),
        (["decision", "999999"], "There is no decision with id 999999"),
        (["measure"], "Give the measure's id"),
        (["list", "people"], "Name the list"),
    ],
)
def test_a_mistake_on_the_command_line_is_explained(world, tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("render_report", *arguments, "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
