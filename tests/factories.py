"""Plain factories: each makes one valid record with sensible defaults that a test can override."""

import itertools
from datetime import date

from django.contrib.auth import get_user_model

from decisions.models import Body, Commitment, CommitmentKind, Decision, Platform, Source, SourceKind, Theme
from measures.models import (
    ActionPlan,
    Indicator,
    Location,
    LocationKind,
    Measure,
    Organisation,
    OrganisationKind,
    ReportingPeriod,
)
from measures.roles import assign_role, ensure_roles
from measures.services import record_status

_seq = itertools.count(1)


def make_user(username=None, **fields):
    username = username or f"user{next(_seq)}"
    return get_user_model().objects.create_user(username=username, password="a-long-test-password", **fields)


def make_source(**fields):
    n = next(_seq)
    defaults = {"key": f"source-{n}", "title": f"Kilde {n}", "kind": SourceKind.DECISION_NOTICE}
    return Source.objects.create(**{**defaults, **fields})


def make_theme(**fields):
    n = next(_seq)
    return Theme.objects.create(**{"slug": f"tema-{n}", "name": f"Tema {n}", **fields})


def make_decision(**fields):
    n = next(_seq)
    defaults = {"title": f"Vedtak {n}", "body": Body.COUNCIL}
    if "source" not in fields:
        defaults["source"] = make_source()
    return Decision.objects.create(**{**defaults, **fields})


def make_platform(**fields):
    n = next(_seq)
    defaults = {"title": f"Plattform {n}"}
    if "source" not in fields:
        defaults["source"] = make_source(kind=SourceKind.PLATFORM)
    return Platform.objects.create(**{**defaults, **fields})


def make_commitment(**fields):
    n = next(_seq)
    if "decision" not in fields and "platform" not in fields:
        fields["decision"] = make_decision()
    document = fields.get("decision") or fields.get("platform")
    defaults = {
        "number": n,
        "kind": CommitmentKind.ADDITION if fields.get("decision") else CommitmentKind.PLEDGE,
        "title": f"Punkt {n}",
        "source": document.source,
    }
    return Commitment.objects.create(**{**defaults, **fields})


def make_organisation(**fields):
    n = next(_seq)
    defaults = {"name": f"Enhet {n}", "kind": OrganisationKind.MUNICIPAL}
    if "source" not in fields:
        defaults["source"] = make_source()
    return Organisation.objects.create(**{**defaults, **fields})


def make_location(**fields):
    n = next(_seq)
    defaults = {"name": f"Sted {n}", "kind": LocationKind.MO_CENTRE}
    if "source" not in fields:
        defaults["source"] = make_source()
    return Location.objects.create(**{**defaults, **fields})


def make_plan(**fields):
    n = next(_seq)
    defaults = {"title": f"Handlingsplan {n}", "valid_from_year": 2019, "valid_to_year": 2022}
    if "source" not in fields:
        defaults["source"] = make_source()
    return ActionPlan.objects.create(**{**defaults, **fields})


def make_measure(*, commitments=(), **fields):
    n = next(_seq)
    defaults = {"title": f"Tiltak {n}"}
    if "source" not in fields:
        defaults["source"] = make_source()
    measure = Measure.objects.create(**{**defaults, **fields})
    if commitments:
        measure.commitments.set(commitments)
    return measure


def make_period(year=2024, kind="t1", **fields):
    bounds = {"t1": (date(year, 1, 1), date(year, 4, 30)), "t2": (date(year, 5, 1), date(year, 8, 31))}
    starts, ends = bounds.get(kind, (date(year, 1, 1), date(year, 12, 31)))
    return ReportingPeriod.objects.create(
        **{"year": year, "kind": kind, "starts_on": starts, "ends_on": ends, **fields}
    )


def make_person(username, role, units=(), **fields):
    """A user with a role (measures.roles.Role) and the units they report for."""
    user = make_user(username, **fields)
    ensure_roles()
    assign_role(user, role)
    user.units.set(units)
    return user


def make_open_period(year=2024, kind="t1", **fields):
    """A period that is the open one (any other open period is closed first, as only one can be open)."""
    ReportingPeriod.objects.filter(state="open").update(state="closed")
    return make_period(year=year, kind=kind, state="open", **fields)


def make_indicator(**fields):
    n = next(_seq)
    defaults = {"name": f"Indikator {n}", "unit": "antall per år"}
    if "source" not in fields:
        defaults["source"] = make_source()
    return Indicator.objects.create(**{**defaults, **fields})


def make_report(measure, status, author, *, happened="Noe skjedde.", **extra):
    """A status report on `measure` made through the service, as a caseworker (`author`) or a document makes it."""
    return record_status(measure=measure, status=status, happened=happened, user=author, **extra)
