"""Coordinators edit records and links in the browser; two people editing at once never overwrite each other."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import Commitment
from decisions.status import CommitmentStatus
from measures.models import Measure, MeasureDecision, PeriodState, ReportingPeriod
from measures.roles import Role
from measures.services import record_status
from measures.status import MeasureStatus
from tests.factories import (
    make_commitment,
    make_decision,
    make_measure,
    make_organisation,
    make_period,
    make_person,
    make_platform,
    make_source,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def anne():
    return make_person("anne", Role.COORDINATOR, first_name="Anne", last_name="Koordinator")


@pytest.fixture
def bjorn():
    return make_person("bjorn", Role.COORDINATOR, first_name="Bjørn", last_name="Kollega")


def form_data(client, url):
    """The fields of an edit form as the browser would send them back unchanged."""
    page = client.get(url)
    form = page.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    links = page.context.get("links")
    if links is not None:
        for name in links.management_form.fields:
            data[f"{links.prefix}-{name}"] = links.management_form[name].value()
        for link in links.forms:
            for name in link.fields:
                value = link[name].value()
                if value not in (None, False):
                    data[link.add_prefix(name)] = value
    return data


def test_linking_a_measure_to_a_commitment_rolls_it_up_and_is_in_the_history(client, anne):
    commitment = make_commitment(title="Helse- og overdoseteam")
    measure = make_measure(title="Etablere teamet")
    record_status(measure=measure, status=MeasureStatus.IN_PROGRESS, happened="Startet.", user=anne)
    client.force_login(anne)
    url = reverse("edit_measure", args=[measure.pk])
    data = form_data(client, url)
    data["commitments"] = [str(commitment.pk)]
    decision = make_decision(title="Vedtaket som skapte tiltaket")
    data.update({"decisions-0-decision": str(decision.pk), "decisions-0-role": "created"})

    response = client.post(url, data)

    assert response.status_code == 302
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.IN_PROGRESS
    assert MeasureDecision.objects.get(measure=measure).decision == decision
    page = client.get(reverse("measure_detail", args=[measure.pk])).text
    trail = page.split('id="trail-heading"')[1]
    assert "Anne Koordinator" in trail and "Helse- og overdoseteam" in trail

    # One save is one entry, whatever number of history rows it wrote (the record, and each list of links).
    before = trail.split("</section>")[0].count("<li")
    data = form_data(client, url)
    data["title"] = "Etablere teamet nå"
    data["partners"] = [str(make_organisation(name="Helse Bergen").pk)]
    assert client.post(url, data).status_code == 302
    trail = client.get(reverse("measure_detail", args=[measure.pk])).text.split('id="trail-heading"')[1]
    trail = trail.split("</section>")[0]
    assert trail.count("<li") == before + 1
    newest = trail.split("<li")[1]
    assert "Etablere teamet nå" in newest and "Helse Bergen" in newest

    # Dates in the trail are written as dates, in Norwegian.
    data = form_data(client, url)
    data["deadline"] = "2027-03-31"
    assert client.post(url, data).status_code == 302
    trail = client.get(reverse("measure_detail", args=[measure.pk])).text.split('id="trail-heading"')[1]
    assert "31. mars 2027" in trail and "2027-03-31" not in trail


def test_a_link_a_colleague_saved_meanwhile_is_explained_not_a_server_error(client, anne, bjorn):
    measure = make_measure(title="Regulert møteplass")
    decision = make_decision(title="Vedtaket om tiltak 5")
    url = reverse("edit_measure", args=[measure.pk])
    new_link = {"decisions-0-decision": str(decision.pk), "decisions-0-role": "amended"}
    client.force_login(anne)
    annes = {**form_data(client, url), **new_link}
    client.force_login(bjorn)
    bjorns = {**form_data(client, url), **new_link}
    assert client.post(url, bjorns).status_code == 302

    client.force_login(anne)
    conflict = client.post(url, annes)
    assert conflict.status_code == 200 and 'class="conflict"' in conflict.text
    again = {**annes, "seen_version": re.search(r'name="seen_version" value="(\d+)"', conflict.text).group(1)}
    response = client.post(url, again)
    assert response.status_code == 200
    assert "Denne koblingen er allerede lagret" in response.text
    assert MeasureDecision.objects.filter(measure=measure).count() == 1
    # A saved link removed and added again in one save (correcting a row) is no conflict.
    data = form_data(client, url)
    data.update({"decisions-0-DELETE": "on", "decisions-1-decision": str(decision.pk), "decisions-1-role": "amended"})
    assert client.post(url, data).status_code == 302
    assert MeasureDecision.objects.filter(measure=measure).count() == 1
    # The same when the form is made to claim it holds no saved rows.
    tampered = {**form_data(client, url), **new_link, "decisions-INITIAL_FORMS": "0"}
    assert "Denne koblingen er allerede lagret" in client.post(url, tampered).text
    assert MeasureDecision.objects.filter(measure=measure).count() == 1


def test_the_second_of_two_simultaneous_saves_is_refused_with_both_versions_shown(client, anne, bjorn):
    measure = make_measure(title="Opprinnelig tittel", description="Opprinnelig beskrivelse")
    url = reverse("edit_measure", args=[measure.pk])
    client.force_login(anne)
    annes = form_data(client, url)
    client.force_login(bjorn)
    bjorns = form_data(client, url)

    bjorns["title"] = "Bjørns tittel"
    assert client.post(url, bjorns).status_code == 302

    client.force_login(anne)
    annes["title"] = "Annes tittel"
    annes["description"] = "Annes nye beskrivelse"
    response = client.post(url, annes)

    assert response.status_code == 200
    measure.refresh_from_db()
    assert measure.title == "Bjørns tittel" and measure.version == 2
    conflict = response.text.split('class="conflict"')[1].split("</section>")[0]
    assert "Bjørn Kollega" in conflict
    assert "Bjørns tittel" in conflict and "Annes tittel" in conflict and "Annes nye beskrivelse" in conflict
    assert 'value="Annes tittel"' in response.text  # her input is kept in the form
    assert ">Rediger tiltak: Bjørns tittel</h1>" in response.text  # the heading names the record as it is saved

    # Saving again, having seen the other version, keeps hers.
    again = {**annes, "seen_version": re.search(r'name="seen_version" value="(\d+)"', response.text).group(1)}
    assert client.post(url, again).status_code == 302
    measure.refresh_from_db()
    assert (measure.title, measure.version) == ("Annes tittel", 3)


def test_keeping_ones_version_after_a_conflict_keeps_what_the_colleague_changed_elsewhere(client, anne, bjorn):
    measure = make_measure(title="Tittel", description="Opprinnelig beskrivelse", deadline=None)
    url = reverse("edit_measure", args=[measure.pk])
    client.force_login(anne)
    annes = form_data(client, url)
    client.force_login(bjorn)
    bjorns = form_data(client, url)

    annes["deadline"] = "2027-03-31"  # Anne sets a deadline and saves first
    client.force_login(anne)
    assert client.post(url, annes).status_code == 302

    client.force_login(bjorn)
    bjorns["description"] = "Bjørns beskrivelse"  # Bjørn only edits the description
    conflict = client.post(url, bjorns)
    assert 'class="conflict"' in conflict.text
    assert (
        "31. mars 2027" in conflict.text.split('class="conflict"')[1].split("</section>")[0]
    )  # dates the Norwegian way
    assert 'value="2027-03-31"' in conflict.text  # the form now holds Anne's deadline, which Bjørn did not touch
    again = {**bjorns, "deadline": "2027-03-31"}
    again["seen_version"] = re.search(r'name="seen_version" value="(\d+)"', conflict.text).group(1)
    assert client.post(url, again).status_code == 302

    measure.refresh_from_db()
    assert (measure.description, str(measure.deadline)) == ("Bjørns beskrivelse", "2027-03-31")


def test_a_new_commitment_must_belong_to_exactly_one_document_with_a_free_number(client, anne):
    decision, platform = make_decision(), make_platform()
    make_commitment(decision=decision, number=1)
    client.force_login(anne)
    base = {
        "number": 2,
        "kind": "addition",
        "title": "Nytt punkt",
        "source": decision.source_id,
        "requires_follow_up": "on",
    }

    both = client.post(reverse("add_commitment"), {**base, "decision": decision.pk, "platform": platform.pk})
    neither = client.post(reverse("add_commitment"), base)
    taken = client.post(reverse("add_commitment"), {**base, "decision": decision.pk, "number": 1})
    for response in (both, neither, taken):
        assert response.status_code == 200 and 'id="error-summary"' in response.text
    assert Commitment.objects.count() == 1

    ok = client.post(reverse("add_commitment"), {**base, "decision": decision.pk})
    assert ok.status_code == 302
    created = Commitment.objects.get(title="Nytt punkt")
    assert created.status == CommitmentStatus.NOT_FOLLOWED_UP
    assert created.history.get().history_user == anne


def test_a_measure_cannot_become_part_of_its_own_sub_measure(client, anne):
    parent = make_measure(title="Hovedtiltak")
    child = make_measure(title="Deltiltak", parent=parent)
    client.force_login(anne)
    url = reverse("edit_measure", args=[parent.pk])
    data = {**form_data(client, url), "parent": str(child.pk)}
    response = client.post(url, data)
    assert response.status_code == 200 and 'id="id_parent_error"' in response.text
    assert Measure.objects.get(pk=parent.pk).parent is None


def test_a_coordinator_creates_a_measure_and_a_decision(client, anne):
    source = make_source(title="Bystyresak 2026/1")
    client.force_login(anne)
    response = client.post(
        reverse("add_decision"),
        {
            "title": "Vedtak om brukerrom",
            "body": "council",
            "source": source.pk,
            "case_number": "2026/1",
            "decided_on": "2026-03-18",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("add_measure"),
        {
            "title": "Utrede brukerrom",
            "source": source.pk,
            "deadline": "2027-06-30",
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get(title="Utrede brukerrom")
    assert str(measure.deadline) == "2027-06-30" and measure.history.get().history_user == anne


def test_periods_open_close_and_publish_in_order_and_only_one_is_open(client, anne):
    first = make_period(year=2026, kind="t1")
    second = make_period(year=2026, kind="t2")
    client.force_login(anne)

    def act(period, action):
        return client.post(reverse("change_period_state", args=[period.pk, action]), follow=True)

    act(first, "open")
    refused = act(second, "open")
    assert ReportingPeriod.objects.get(pk=second.pk).state == PeriodState.PLANNED
    assert "ds-alert" in refused.text and str(first) in refused.text
    act(first, "publish")  # a period must be closed before it is published
    assert ReportingPeriod.objects.get(pk=first.pk).state == PeriodState.OPEN
    act(first, "close")
    act(first, "publish")
    act(second, "open")
    states = dict(ReportingPeriod.objects.values_list("kind", "state"))
    assert states == {"t1": PeriodState.PUBLISHED, "t2": PeriodState.OPEN}
    history = ReportingPeriod.objects.get(pk=first.pk).history.order_by("history_date")
    assert [h.state for h in history] == ["planned", "open", "closed", "published"]
    assert {h.history_user for h in history[1:]} == {anne}


def test_closing_a_period_asks_first_and_a_closed_period_can_be_reopened(client, anne):
    period = make_period(year=2026, kind="t1")
    make_measure(title="Ikke rapportert ennå")
    make_measure(title="Heller ikke rapportert")
    client.force_login(anne)
    client.post(reverse("change_period_state", args=[period.pk, "open"]))

    question = client.get(reverse("change_period_state", args=[period.pk, "close"]))
    assert "2 tiltak er ikke rapportert i den ennå" in question.text
    assert ReportingPeriod.objects.get(pk=period.pk).state == PeriodState.OPEN  # asking changes nothing
    client.post(reverse("change_period_state", args=[period.pk, "close"]))
    assert ReportingPeriod.objects.get(pk=period.pk).state == PeriodState.CLOSED

    assert "Gjenåpne" in client.get(reverse("period_list")).text
    client.post(reverse("change_period_state", args=[period.pk, "reopen"]))
    reopened = ReportingPeriod.objects.get(pk=period.pk)
    assert reopened.state == PeriodState.OPEN
    history = reopened.history.order_by("history_date", "history_id")
    assert [h.state for h in history] == ["planned", "open", "closed", "open"]
    assert history.last().history_user == anne


def test_a_published_period_cannot_be_reopened(client, anne):
    period = make_period(year=2026, kind="t1")
    client.force_login(anne)
    for action in ("open", "close", "publish"):
        client.post(reverse("change_period_state", args=[period.pk, action]))
    refused = client.post(reverse("change_period_state", args=[period.pk, "reopen"]), follow=True)
    assert ReportingPeriod.objects.get(pk=period.pk).state == PeriodState.PUBLISHED
    assert "ds-alert" in refused.text


def test_a_period_must_end_after_it_starts_and_be_unique(client, anne):
    make_period(year=2026, kind="t1")
    client.force_login(anne)
    response = client.post(
        reverse("add_period"), {"kind": "t2", "year": 2026, "starts_on": "2026-08-31", "ends_on": "2026-05-01"}
    )
    assert 'id="id_ends_on_error"' in response.text
    response = client.post(
        reverse("add_period"), {"kind": "t1", "year": 2026, "starts_on": "2026-01-01", "ends_on": "2026-04-30"}
    )
    assert 'id="id_kind_error"' in response.text
    response = client.post(
        reverse("add_period"), {"kind": "t2", "year": 3026, "starts_on": "2026-05-01", "ends_on": "2026-08-31"}
    )
    assert 'id="id_year_error"' in response.text
    # A period of 2027 lies in 2027 (it would overlap the periods of 2026).
    response = client.post(
        reverse("add_period"), {"kind": "t1", "year": 2027, "starts_on": "2026-06-01", "ends_on": "2026-12-31"}
    )
    assert 'id="id_starts_on_error"' in response.text and "må være i 2027" in response.text
    assert ReportingPeriod.objects.count() == 1


def test_the_audit_trail_is_for_logged_in_people_only(client, anne):
    measure = make_measure(title="Et tiltak")
    url = reverse("measure_detail", args=[measure.pk])
    assert 'id="trail-heading"' not in client.get(url).text
    reader = make_person("lise", Role.READER)
    client.force_login(reader)
    page = client.get(url).text
    assert 'id="trail-heading"' in page
    assert reverse("edit_measure", args=[measure.pk]) not in page  # a reader gets no edit link
    client.force_login(anne)
    assert reverse("edit_measure", args=[measure.pk]) in client.get(url).text


def test_the_coordinators_pages_cost_the_same_pinned_queries_with_one_record_and_with_many(client, anne):
    def world(n, year):
        decision = make_decision(title=f"Vedtak {year}")
        points = [make_commitment(decision=decision, number=i, title=f"Punkt {i} {year}") for i in range(1, n + 1)]
        units = [make_organisation(name=f"Enhet {i} {year}") for i in range(n)]
        measures = [
            make_measure(title=f"Tiltak {i} {year}", responsible_unit=units[i], commitments=points[: i + 1])
            for i in range(n)
        ]
        for measure in measures:
            MeasureDecision.objects.create(measure=measure, decision=decision, role="amended")
        period = make_period(year=year, kind="t1")
        return {
            "measure": reverse("edit_measure", args=[measures[0].pk]),
            "new measure": reverse("add_measure"),
            "commitment": reverse("edit_commitment", args=[points[0].pk]),
            "decision": reverse("edit_decision", args=[decision.pk]),
            "period": reverse("edit_period", args=[period.pk]),
            "periods": reverse("period_list"),
            "close?": reverse("change_period_state", args=[period.pk, "close"]),
        }

    def counts(urls):
        result = {}
        for name, url in urls.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, name
            result[name] = len(queries)
        return result

    client.force_login(anne)
    small = counts(world(1, 2025))
    large = counts(world(5, 2026))
    assert small == large
    # Pinned: the edit pages read the record, its links and the choices of every field once each.
    assert large == {
        "measure": 23,
        "new measure": 16,
        "commitment": 13,
        "decision": 11,
        "period": 8,
        "periods": 8,
        "close?": 9,
    }
