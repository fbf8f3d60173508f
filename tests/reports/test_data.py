"""The reports' data: the status report's content (what changed between periods included), a decision's follow-up."""

from datetime import date

import pytest
from django.http import QueryDict

from decisions.status import CommitmentStatus
from measures.models import MeasureDecision
from measures.periods import status_at_period
from measures.reports import data
from measures.status import MeasureStatus
from tests.factories import (
    make_commitment,
    make_decision,
    make_location,
    make_measure,
    make_organisation,
    make_plan,
    make_source,
    make_theme,
)
from tests.reports.helpers import update

pytestmark = pytest.mark.django_db

PLANNED, GOING, LATE, DONE = (
    MeasureStatus.PLANNED,
    MeasureStatus.IN_PROGRESS,
    MeasureStatus.DELAYED,
    MeasureStatus.DONE,
)


def test_a_status_a_document_states_counts_from_its_date_not_from_when_it_was_loaded(periods, caseworker):
    undated, dated, superseded = make_measure(), make_measure(), make_measure()
    document = make_source(title="Et innlegg uten dato")
    loaded = date(2026, 11, 30)  # the records were loaded after every period of 2026 had ended
    update(undated, GOING, author=None, on=loaded, source=document)
    update(dated, PLANNED, author=None, on=loaded, source=document, as_of=date(2026, 6, 15))
    update(superseded, PLANNED, author=None, on=loaded, source=document)
    update(superseded, DONE, author=caseworker, on=date(2026, 12, 1), period=periods["year"])

    at = {kind: status_at_period(period=period) for kind, period in periods.items()}
    # Undated: known before the first period, so it is the status at every period, never «a first report».
    assert [at[kind].get(undated.pk) for kind in ("t1", "t2", "year")] == [GOING, GOING, GOING]
    # Dated by `as_of`: from the period its date falls in.
    assert [at[kind].get(dated.pk) for kind in ("t1", "t2", "year")] == [None, PLANNED, PLANNED]
    # A person's later report takes over from the document.
    assert [at[kind].get(superseded.pk) for kind in ("t1", "t2", "year")] == [PLANNED, PLANNED, DONE]
    report = data.status_report(period=periods["year"], today=date(2027, 1, 5))
    assert [entry.measure for entry in report.changes] == [superseded]


def test_the_status_report_lists_new_reports_and_changed_statuses_only(periods, caseworker):
    steady, moved, first_report, silent = make_measure(), make_measure(), make_measure(), make_measure()
    update(steady, GOING, author=caseworker, on=date(2026, 2, 1))
    update(steady, GOING, author=caseworker, on=date(2026, 6, 1))
    update(moved, GOING, author=caseworker, on=date(2026, 2, 1))
    update(moved, LATE, author=caseworker, on=date(2026, 6, 1))
    update(first_report, PLANNED, author=caseworker, on=date(2026, 6, 1))

    changes = data.status_report(period=periods["t2"], today=date(2026, 12, 1)).changes

    assert [(entry.measure, entry.previous, entry.status) for entry in changes] == [
        (moved, GOING, LATE),
        (first_report, None, PLANNED),
    ]
    assert silent not in {entry.measure for entry in changes}


def test_commitment_status_at_a_period_is_rolled_up_from_its_measures_then(periods, caseworker):
    point = make_commitment()
    first, second = make_measure(commitments=[point]), make_measure(commitments=[point])
    update(first, GOING, author=caseworker, on=date(2026, 2, 1))
    update(first, DONE, author=caseworker, on=date(2026, 6, 1))
    update(second, DONE, author=caseworker, on=date(2026, 7, 1))
    nobody = make_commitment()

    def statuses(report):
        return {section.commitment: section.status for group in report.groups for section in group.sections}

    first_tertial = data.status_report(period=periods["t1"], today=date(2026, 12, 1))
    assert statuses(first_tertial) == {point: CommitmentStatus.IN_PROGRESS}
    assert first_tertial.not_followed_up == [nobody]
    assert statuses(data.status_report(period=periods["t2"], today=date(2026, 12, 1))) == {
        point: CommitmentStatus.FULFILLED
    }


def many_measures(n, *, author, periods):
    point = make_commitment()
    for i in range(n):
        measure = make_measure(commitments=[point], title=f"Tiltak {i}")
        for day in range(1, 4):
            update(measure, GOING, author=author, on=date(2026, 2, day), period=periods["t1"])
        update(measure, LATE, author=author, on=date(2026, 6, 1), period=periods["t2"])


@pytest.mark.parametrize("n", [1, 6])
def test_the_status_report_costs_the_same_queries_for_one_measure_and_for_many(
    n, periods, caseworker, django_assert_num_queries
):
    many_measures(n, author=caseworker, periods=periods)
    make_commitment()
    with django_assert_num_queries(7):
        report = data.status_report(period=periods["t2"], today=date(2026, 12, 1))
    assert report.measure_count == n
    theme = make_theme()
    with django_assert_num_queries(10):
        data.status_report(period=periods["t2"], params={"theme": theme.pk, "unit": ""})


def test_the_status_report_counts_sections_late_changed_and_neglected(periods, caseworker):
    point = make_commitment(title="Punkt med to tiltak")
    shared = make_commitment(title="Punkt som deler et tiltak")
    neglected = make_commitment(title="Punkt ingen jobber med")
    make_commitment(title="Bare et standpunkt", requires_follow_up=False)
    first = make_measure(title="Første", commitments=[point, shared], deadline=date(2026, 6, 30))
    second = make_measure(title="Andre", commitments=[point], deadline=date(2026, 9, 30))
    loose = make_measure(title="Uten kobling")
    update(first, GOING, author=caseworker, on=date(2026, 2, 1), period=periods["t1"])
    update(first, LATE, author=caseworker, on=date(2026, 6, 1), period=periods["t2"])
    update(second, DONE, author=caseworker, on=date(2026, 6, 2), period=periods["t2"])

    report = data.status_report(period=periods["t2"], today=date(2026, 12, 1))

    assert report.previous == periods["t1"]
    assert report.measure_count == 3
    assert {row.value: row.count for row in report.measure_chart["rows"]} == {
        "not_reported": 1,
        "planned": 0,
        "in_progress": 0,
        "delayed": 1,
        "done": 1,
        "cancelled": 0,
    }
    counts = {row.value: row.count for row in report.commitment_chart["rows"]}
    assert counts["delayed"] == 2 and counts["not_followed_up"] == 1
    # A point that only states a view is counted (as the decision's follow-up counts it), but never listed as
    # something nobody works on.
    assert counts["statement"] == 1 and sum(counts.values()) == report.commitment_count == 4
    assert [entry.measure for entry in report.late] == [first]
    assert {entry.measure for entry in report.changes} == {first, second}
    assert report.not_followed_up == [neglected]
    sections = [section for group in report.groups for section in group.sections]
    described = [entry.measure for section in sections for entry in section.entries]
    referenced = [entry.measure for section in sections for entry in section.references]
    assert sorted(described, key=lambda m: m.pk) == [first, second]
    assert referenced == [first]
    assert report.groups[-1].document is None and [e.measure for e in report.groups[-1].entries] == [loose]


def test_the_status_report_selects_by_theme_unit_location_and_document(periods, caseworker):
    theme, unit, place, plan = make_theme(), make_organisation(), make_location(), make_plan()
    inside = make_measure(title="Innenfor", responsible_unit=unit, plan=plan, number="1")
    inside.themes.add(theme)
    inside.locations.add(place)
    make_measure(title="Utenfor")
    for params in (
        {"theme": theme.pk},
        {"unit": unit.pk},
        {"location": place.pk},
        {"document": f"plan-{plan.pk}"},
    ):
        report = data.status_report(period=periods["t1"], params=params)
        measures = [entry.measure for group in report.groups for entry in group.entries]
        assert measures == [inside], params
        assert report.selection, params


def test_status_report_params_keep_only_the_report_filters():
    params = QueryDict("theme=1&theme=2&unit=&period=9&q=x&document=plan-3")
    assert data.status_report_params(params).lists() is not None
    kept = data.status_report_params(params)
    assert kept.getlist("theme") == ["1", "2"] and kept["document"] == "plan-3"
    assert "unit" not in kept and "period" not in kept and "q" not in kept
    assert data.status_report_params({"theme": [4], "location": 5}).urlencode() == "theme=4&location=5"


def test_a_measure_a_decision_touched_in_two_ways_is_one_line_with_both(caseworker):
    decision = make_decision(title="Vedtaket om handlingsplanen")
    measure = make_measure(title="Regulert møteplass")
    MeasureDecision.objects.create(measure=measure, decision=decision, role="adopted_plan")
    MeasureDecision.objects.create(measure=measure, decision=decision, role="amended")
    followup = data.decision_followup(decision_id=decision.pk)
    assert len(followup.measure_links) == 1
    assert followup.measure_links[0].measure == measure and len(followup.measure_links[0].roles) == 2
