"""The back office: every page renders what it should with a number of queries that does not grow with the data."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import Commitment, Decision, Platform, Source, Theme
from decisions.status import CommitmentStatus
from measures.models import (
    ActionPlan,
    Comment,
    Indicator,
    IndicatorValue,
    Location,
    Measure,
    MeasureDecision,
    Organisation,
    PeriodState,
    ReportingPeriod,
    StatusUpdate,
)
from measures.services import record_status
from measures.status import MeasureStatus
from tests.admin_forms import change_form_data
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
)

pytestmark = pytest.mark.django_db

PROJECT_MODELS = [
    Source,
    Theme,
    Decision,
    Platform,
    Commitment,
    Organisation,
    Location,
    ActionPlan,
    Measure,
    ReportingPeriod,
    StatusUpdate,
    Comment,
    Indicator,
]


def populate(children, author, year):
    """One record of every kind, each parent holding `children` children. Returns one object per model."""
    theme = make_theme()
    source = make_source()
    decision = make_decision(source=source)
    platform = make_platform()
    decision.themes.add(theme)
    points = [make_commitment(decision=decision, number=i) for i in range(1, children + 1)]
    pledges = [make_commitment(platform=platform, number=i) for i in range(1, children + 1)]
    unit = make_organisation()
    partners = [make_organisation() for _ in range(children)]
    location = make_location(operator=unit)
    plan = make_plan(adopted_by=decision)
    ReportingPeriod.objects.filter(state=PeriodState.OPEN).update(state=PeriodState.CLOSED)
    period = make_period(year=year, state=PeriodState.OPEN)
    measures = []
    for i in range(1, children + 1):
        measure = make_measure(plan=plan, number=str(i), responsible_unit=unit, commitments=[points[0], pledges[0]])
        measure.partners.set(partners)
        measure.locations.add(location)
        measure.themes.add(theme)
        MeasureDecision.objects.create(measure=measure, decision=decision, role="adopted_plan")
        measures.append(measure)
    main = measures[0]
    for i in range(children):
        record_status(measure=main, status=MeasureStatus.IN_PROGRESS, happened=f"Steg {i}", user=author, period=period)
    indicator = Indicator.objects.create(name=f"Indikator {year}", unit="per år", direction="lower", source=source)
    for i in range(children):
        IndicatorValue.objects.create(indicator=indicator, year=2000 + i, value=i, source=source)
    comment = Comment.objects.create(author=author, body="Første kommentar", measure=main)
    for i in range(children):
        Comment.objects.create(author=author, body=f"Svar {i}", measure=main, reply_to=comment)
    return {
        Source: source,
        Comment: comment,
        Indicator: indicator,
        Theme: theme,
        Decision: decision,
        Platform: platform,
        Commitment: points[0],
        Organisation: unit,
        Location: location,
        ActionPlan: plan,
        Measure: main,
        ReportingPeriod: period,
        StatusUpdate: main.updates.first(),
    }


def pages(objects):
    for model, obj in objects.items():
        info = (model._meta.app_label, model._meta.model_name)
        listed = obj.measure.title if model is StatusUpdate else str(obj)
        yield f"{model.__name__} list", reverse("admin:{}_{}_changelist".format(*info)), listed
        yield f"{model.__name__} change", reverse("admin:{}_{}_change".format(*info), args=[obj.pk]), str(obj)
        yield f"{model.__name__} history", reverse("admin:{}_{}_history".format(*info), args=[obj.pk]), str(obj)
        if model is not StatusUpdate:
            yield f"{model.__name__} add", reverse("admin:{}_{}_add".format(*info)), ""


def query_counts(client, objects):
    counts = {}
    for name, url, expected_text in pages(objects):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        if expected_text:
            assert expected_text in response.text, f"{name} does not show {expected_text!r}"
        counts[name] = len(queries)
    return counts


def test_every_project_model_is_in_the_back_office_with_history():
    registered = set(admin.site._registry)
    for model in PROJECT_MODELS:
        assert model in registered, model
        assert hasattr(admin.site._registry[model], "history_view"), model


def test_back_office_pages_render_with_queries_that_do_not_grow_with_the_data(coordinator_client, coordinator):
    first = populate(1, coordinator, 2023)
    query_counts(coordinator_client, first)  # warm the per-process caches (content types, the session)
    small = query_counts(coordinator_client, first)
    large = query_counts(coordinator_client, populate(4, coordinator, 2024))
    grew = {name: (small[name], large[name]) for name in small if large[name] != small[name]}
    assert not grew, f"query counts grew with the data (1 → 4 children): {grew}"
    assert max(large.values()) <= 40, large


def test_the_decision_page_shows_its_points_inline_and_the_measure_page_its_history(coordinator_client, coordinator):
    objects = populate(2, coordinator, 2024)
    decision_page = coordinator_client.get(reverse("admin:decisions_decision_change", args=[objects[Decision].pk]))
    for point in objects[Decision].points.all():
        assert point.title in decision_page.text
    measure_page = coordinator_client.get(reverse("admin:measures_measure_change", args=[objects[Measure].pk]))
    assert "Steg 0" in measure_page.text and "Steg 1" in measure_page.text
    assert reverse("admin:measures_statusupdate_add") + f"?measure={objects[Measure].pk}" in measure_page.text


def test_a_stale_save_is_refused_and_keeps_the_colleagues_version(coordinator_client, coordinator):
    commitment = make_commitment(title="Opprinnelig tittel")
    url = reverse("admin:decisions_commitment_change", args=[commitment.pk])
    mine = change_form_data(coordinator_client, url)
    theirs = change_form_data(coordinator_client, url)

    theirs["title"] = "Kollegaens tittel"
    assert coordinator_client.post(url, theirs).status_code == 302
    mine["title"] = "Min tittel"
    response = coordinator_client.post(url, mine)

    assert response.status_code == 200
    assert "lagret denne posten mens du redigerte" in response.text
    assert 'value="Min tittel"' in response.text
    commitment.refresh_from_db()
    assert commitment.title == "Kollegaens tittel"
    assert commitment.version == 2


def test_a_save_in_the_back_office_is_in_the_history_with_its_author(coordinator_client, coordinator):
    measure = make_measure(title="Gammelt navn")
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    data = change_form_data(coordinator_client, url)
    data["title"] = "Nytt navn"

    assert coordinator_client.post(url, data).status_code == 302

    newest = Measure.history.filter(id=measure.pk).latest("history_date")
    assert (newest.title, newest.history_user, newest.history_type) == ("Nytt navn", coordinator, "~")
    history_page = coordinator_client.get(reverse("admin:measures_measure_history", args=[measure.pk]))
    assert "koordinator" in history_page.text


def test_linking_a_measure_in_the_back_office_rolls_the_commitment_up(coordinator_client, coordinator):
    commitment = make_commitment()
    measure = make_measure()
    record_status(measure=measure, status=MeasureStatus.DELAYED, happened="Sent ute.", user=coordinator)
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    data = change_form_data(coordinator_client, url)
    data["commitments"] = [str(commitment.pk)]

    assert coordinator_client.post(url, data).status_code == 302

    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.DELAYED
    history = coordinator_client.get(reverse("admin:measures_measure_history", args=[measure.pk]))
    assert str(commitment) in history.text


def test_a_status_added_in_the_back_office_goes_through_the_status_rules(coordinator_client, coordinator):
    commitment = make_commitment()
    measure = make_measure(commitments=[commitment])
    response = coordinator_client.post(
        reverse("admin:measures_statusupdate_add"),
        {"measure": measure.pk, "status": "done", "happened": "Åpnet i mars."},
    )
    assert response.status_code == 302
    update = StatusUpdate.objects.get()
    assert (update.author, update.status) == (coordinator, "done")
    assert Measure.objects.get(pk=measure.pk).latest_update == update
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.FULFILLED


def test_status_updates_cannot_be_changed_or_deleted_in_the_back_office(coordinator_client, coordinator):
    measure = make_measure()
    update = record_status(measure=measure, status="done", happened="Ferdig.", user=coordinator)
    change = reverse("admin:measures_statusupdate_change", args=[update.pk])
    response = coordinator_client.post(change, {"measure": measure.pk, "status": "delayed", "happened": "Endret."})
    assert response.status_code == 403
    delete = reverse("admin:measures_statusupdate_delete", args=[update.pk])
    assert coordinator_client.post(delete, {"post": "yes"}).status_code == 403
    update.refresh_from_db()
    assert (update.status, update.happened) == ("done", "Ferdig.")


def test_the_back_office_refuses_anonymous_visitors(client):
    response = client.get(reverse("admin:measures_measure_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def _history_page_queries(client, measure):
    url = reverse("admin:measures_measure_history", args=[measure.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.text


def test_the_history_page_costs_the_same_however_many_changes_it_lists(coordinator_client):
    measure = make_measure(title="Versjon 0")
    few, _ = _history_page_queries(coordinator_client, measure)
    for n in range(1, 6):
        measure.title = f"Versjon {n}"
        measure.save()
        measure.commitments.add(make_commitment(title=f"Lovnad {n}"))
    many, page = _history_page_queries(coordinator_client, measure)
    assert few == many
    # The changes are listed, old → new, for plain fields and for links alike.
    assert "Versjon 4" in page and "Versjon 5" in page
    assert "Lovnad 5" in page


def test_a_point_changed_on_its_own_page_is_not_overwritten_from_the_decision_page(coordinator_client):
    decision = make_decision()
    point = make_commitment(decision=decision, number=1, title="Punktets tittel")
    decision_url = reverse("admin:decisions_decision_change", args=[decision.pk])
    stale = change_form_data(coordinator_client, decision_url)

    point_url = reverse("admin:decisions_commitment_change", args=[point.pk])
    fresh = change_form_data(coordinator_client, point_url)
    fresh["title"] = "Rettet på punktets egen side"
    assert coordinator_client.post(point_url, fresh).status_code == 302

    stale["points-0-title"] = "Gammel redigering fra vedtakssiden"
    response = coordinator_client.post(decision_url, stale)

    assert response.status_code == 200
    assert "lagret denne posten mens du redigerte" in response.text
    point.refresh_from_db()
    assert (point.title, point.version) == ("Rettet på punktets egen side", 2)


def test_editing_a_point_on_the_decision_page_bumps_its_version(coordinator_client):
    decision = make_decision()
    point = make_commitment(decision=decision, number=1, title="Før")
    url = reverse("admin:decisions_decision_change", args=[decision.pk])
    data = change_form_data(coordinator_client, url)
    data["points-0-title"] = "Etter"
    assert coordinator_client.post(url, data).status_code == 302
    point.refresh_from_db()
    assert (point.title, point.version) == ("Etter", 2)


def test_odd_addresses_in_the_back_office_are_answered_calmly(coordinator_client):
    measure = make_measure(title="Et tiltak")
    add = reverse("admin:measures_statusupdate_add")
    assert f'value="{measure.pk}" selected' in coordinator_client.get(f"{add}?measure={measure.pk}").text
    # An id too long for any key: the field starts empty instead of failing in the database driver.
    assert coordinator_client.get(f"{add}?measure={'1' * 25}").status_code == 200
    assert coordinator_client.get(reverse("admin:measures_measure_add") + "?commitments=1,²").status_code == 200
    # A NUL character in an address is refused with a plain answer, whatever the page.
    autocomplete = reverse("admin:autocomplete") + "?app_label=measures&model_name=statusupdate&field_name=measure"
    response = coordinator_client.get(autocomplete + "&term=%00")
    assert response.status_code == 400 and "Adressen kan ikke leses" in response.text
    assert coordinator_client.get(reverse("measure_list") + "?q=a%00b").status_code == 400


def test_the_back_office_keeps_the_rules_of_indicator_values(coordinator_client, coordinator):
    source = make_source(title="Dødsårsaksregisteret")
    synthetic = make_source(title="Syntetisk kilde", kind="synthetic")
    indicator = Indicator.objects.create(name="Overdosedødsfall", unit="per år", source=source)
    url = reverse("admin:measures_indicator_change", args=[indicator.pk])
    data = {
        "name": indicator.name,
        "unit": indicator.unit,
        "source": source.pk,
        "seen_version": indicator.version,
        "values-TOTAL_FORMS": "1",
        "values-INITIAL_FORMS": "0",
        "values-0-year": "2020",
        "values-0-value": "-42",
        "values-0-source": source.pk,
    }
    response = coordinator_client.post(url, data)
    assert response.status_code == 200 and "større enn eller lik 0" in response.text
    response = coordinator_client.post(url, {**data, "values-0-value": "3", "values-0-source": synthetic.pk})
    assert response.status_code == 200 and not IndicatorValue.objects.exists()
    assert coordinator_client.post(url, {**data, "values-0-value": "3"}).status_code == 302
    assert IndicatorValue.objects.get().entered_by == coordinator
