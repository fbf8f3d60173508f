"""Records of every public kind, n of each, and the things that must never leave the site: the names people log in
with, their e-mail addresses, a comment on a period that is not published, and that period's progress report."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.models import Comment, Indicator, PeriodState
from measures.services import post_comment, record_status, save_indicator_value
from measures.status import MeasureStatus
from tests.factories import (
    make_commitment,
    make_decision,
    make_location,
    make_measure,
    make_organisation,
    make_period,
    make_plan,
    make_platform,
    make_source,
    make_theme,
    make_user,
)

SECRET_COMMENT = "Fagrådets utkast som ingen utenfor skal lese"
REPORTER_USERNAME = "kari.innlogging"
REPORTER_EMAIL = "kari.hemmelig@example.no"
ENTERER_USERNAME = "ola.innlogging"
ENTERER_EMAIL = "ola.hemmelig@example.no"


def make_records(n, *, reporter, enterer):
    """n records of every kind the API lists, linked as real ones are; a status update by `reporter` on each
    measure (so commitments change status) and an indicator value entered by `enterer` per indicator."""
    theme = make_theme(name="Skadereduksjon")
    unit = make_organisation(name="Etat for rusomsorg")
    records = {"theme": theme, "unit": unit, "measures": [], "commitments": []}
    period = make_period(year=2026, kind="t1", state=PeriodState.PUBLISHED)
    records["period"] = period
    for i in range(n):
        decision = make_decision(title=f"Vedtak om nullvisjon {i}", case_number=f"2024/{i + 1}")
        decision.themes.add(theme)
        platform = make_platform(title=f"Plattform {i}")
        point = make_commitment(decision=decision, number=1, title=f"Vedtakspunkt {i}")
        pledge = make_commitment(platform=platform, number=1, title=f"Løfte {i}")
        point.themes.add(theme)
        plan = make_plan(title=f"Handlingsplan {i}", adopted_by=decision)
        plan.themes.add(theme)
        location = make_location(name=f"MO-senter {i}", operator=unit)
        partner = make_organisation(name=f"Partner {i}")
        measure = make_measure(
            title=f"Tiltak {i}",
            plan=plan,
            number=str(i + 1),
            responsible_unit=unit,
            deadline=date(2025, 1, 1),
            commitments=[point, pledge],
        )
        measure.partners.add(partner)
        measure.locations.add(location)
        measure.themes.add(theme)
        measure.measuredecision_set.create(decision=decision, role="created")
        record_status(
            measure=measure,
            status=MeasureStatus.IN_PROGRESS,
            happened=f"Arbeidet med tiltak {i} er i gang.",
            user=reporter,
        )
        indicator = Indicator.objects.create(name=f"Overdosedødsfall {i}", unit="dødsfall per år", source=make_source())
        indicator.commitments.add(point)
        indicator.themes.add(theme)
        save_indicator_value(user=enterer, indicator=indicator, year=2024, value=Decimal("12.50"), source=make_source())
        records["measures"].append(measure)
        records["commitments"].append(point)
    return records


@pytest.fixture
def reporter(db):
    return make_user(REPORTER_USERNAME, first_name="Kari", last_name="Nordmann", email=REPORTER_EMAIL)


@pytest.fixture
def enterer(db):
    return make_user(ENTERER_USERNAME, first_name="Ola", last_name="Hansen", email=ENTERER_EMAIL)


@pytest.fixture
def hidden(db, reporter):
    """A closed period (not published) with the advisory council's comment on it: only logged-in people see them."""
    period = make_period(year=2026, kind="t2", state=PeriodState.CLOSED)
    comment = post_comment(user=reporter, body=SECRET_COMMENT, period=period)
    assert Comment.objects.filter(pk=comment.pk).exists()
    return {"period": period, "progress_url": reverse("progress_report", args=[period.pk])}


@pytest.fixture
def one(db, reporter, enterer):
    return make_records(1, reporter=reporter, enterer=enterer)


@pytest.fixture
def three(db, reporter, enterer):
    return make_records(3, reporter=reporter, enterer=enterer)
