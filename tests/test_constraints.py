"""What must never be false is refused by the database itself, not only by a form."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from decisions.models import Commitment, CommitmentKind, Platform
from measures.models import (
    ActionPlan,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureDecision,
    ReportingPeriod,
    StatusUpdate,
)
from tests.factories import (
    make_commitment,
    make_decision,
    make_measure,
    make_period,
    make_plan,
    make_platform,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_a_commitment_in_both_a_decision_and_a_platform_is_refused():
    decision, platform = make_decision(), make_platform()
    refused(
        lambda: Commitment.objects.create(
            decision=decision,
            platform=platform,
            number=1,
            kind=CommitmentKind.PLEDGE,
            title="x",
            source=decision.source,
        )
    )


def test_a_commitment_in_no_document_is_refused():
    source = make_source()
    refused(lambda: Commitment.objects.create(number=1, kind=CommitmentKind.PLEDGE, title="x", source=source))
    assert not Commitment.objects.exists()


def test_two_points_with_one_number_in_a_decision_are_refused_but_allowed_in_different_documents():
    decision = make_decision()
    make_commitment(decision=decision, number=3)
    refused(lambda: make_commitment(decision=decision, number=3))
    make_commitment(decision=make_decision(), number=3)
    make_commitment(platform=make_platform(), number=3)
    assert Commitment.objects.filter(number=3).count() == 3


def test_a_period_that_ends_before_it_starts_is_refused():
    refused(
        lambda: ReportingPeriod.objects.create(
            kind="t1", year=2024, starts_on=date(2024, 4, 30), ends_on=date(2024, 1, 1)
        )
    )
    refused(
        lambda: ReportingPeriod.objects.create(
            kind="t1", year=2024, starts_on=date(2024, 1, 1), ends_on=date(2024, 1, 1)
        )
    )


def test_a_second_period_of_the_same_kind_in_a_year_is_refused():
    make_period(2024, "t2")
    refused(lambda: make_period(2024, "t2"))


def test_a_status_update_without_a_measure_is_refused():
    author = make_user()
    refused(lambda: StatusUpdate.objects.create(status="done", happened="x", author=author))


def test_a_status_update_with_neither_author_nor_source_is_refused():
    measure = make_measure()
    refused(lambda: StatusUpdate.objects.create(measure=measure, status="done", happened="x"))


def test_a_status_update_with_an_unknown_status_is_refused():
    measure, author = make_measure(), make_user()
    refused(lambda: StatusUpdate.objects.create(measure=measure, status="almost", happened="x", author=author))


def test_two_measures_with_one_number_in_a_plan_are_refused():
    plan = make_plan()
    make_measure(plan=plan, number="5")
    refused(lambda: make_measure(plan=plan, number="5"))
    # Unnumbered measures and the same number in another plan are fine.
    make_measure(plan=plan, number="")
    make_measure(plan=plan, number="")
    make_measure(plan=make_plan(), number="5")
    assert Measure.objects.count() == 4


def test_a_measure_cannot_be_its_own_sub_measure():
    measure = make_measure()
    measure.parent_id = measure.pk
    refused(lambda: measure.save())


def test_a_plan_or_platform_that_ends_before_it_starts_is_refused():
    refused(lambda: make_plan(valid_from_year=2022, valid_to_year=2019))
    source = make_source()
    refused(lambda: Platform.objects.create(title="x", term_start_year=2023, term_end_year=2019, source=source))
    assert not ActionPlan.objects.exists()


def test_a_decision_linked_twice_to_a_measure_in_the_same_role_is_refused():
    measure, decision = make_measure(), make_decision()
    MeasureDecision.objects.create(measure=measure, decision=decision, role="created")
    refused(lambda: MeasureDecision.objects.create(measure=measure, decision=decision, role="created"))
    MeasureDecision.objects.create(measure=measure, decision=decision, role="amended")


def test_a_measure_with_status_history_cannot_be_deleted():
    measure = make_measure()
    StatusUpdate.objects.create(measure=measure, status="done", happened="x", author=make_user())
    with pytest.raises(ProtectedError):
        measure.delete()
    assert Measure.objects.filter(pk=measure.pk).exists()


def test_an_indicator_value_below_zero_or_outside_the_years_people_mean_is_refused():
    source = make_source()
    indicator = Indicator.objects.create(name="Overdosedødsfall", unit="per år", source=source)
    refused(lambda: IndicatorValue.objects.create(indicator=indicator, year=2024, value=-1, source=source))
    refused(lambda: IndicatorValue.objects.create(indicator=indicator, year=1850, value=3, source=source))
    IndicatorValue.objects.create(indicator=indicator, year=2024, value=0, source=source)
    refused(lambda: IndicatorValue.objects.create(indicator=indicator, year=2024, value=2, source=source))
