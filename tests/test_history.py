"""Every create, change and delete of decisions, commitments and measures is kept with who and when."""

import pytest
from django.urls import reverse

from decisions.models import Commitment, Decision
from measures.models import Measure
from measures.services import refresh_commitment_statuses
from tests.admin_forms import change_form_data
from tests.factories import make_commitment, make_decision, make_measure, make_source

pytestmark = pytest.mark.django_db


def test_adding_a_decision_with_points_in_the_back_office_is_recorded_with_the_author(coordinator_client, coordinator):
    source = make_source()
    data = change_form_data(coordinator_client, reverse("admin:decisions_decision_add"))
    data.update(
        {
            "title": "Vedtak om sprøyterom",
            "body": "council",
            "source": source.pk,
            "points-TOTAL_FORMS": "1",
            "points-0-number": "1",
            "points-0-kind": "addition",
            "points-0-title": "Utrede brukerrom",
            "points-0-requires_follow_up": "on",
        }
    )
    response = coordinator_client.post(reverse("admin:decisions_decision_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""

    decision = Decision.objects.get(title="Vedtak om sprøyterom")
    created = decision.history.get()
    assert (created.history_type, created.history_user) == ("+", coordinator)
    point = decision.points.get()
    assert point.source == source  # a point added inline cites its decision's source
    assert point.history.get().history_user == coordinator


def test_deleting_a_commitment_in_the_back_office_keeps_it_in_the_history(coordinator_client, coordinator):
    commitment = make_commitment(title="Døgnåpent Strax-hus")
    response = coordinator_client.post(
        reverse("admin:decisions_commitment_delete", args=[commitment.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Commitment.objects.filter(pk=commitment.pk).exists()
    deleted = Commitment.history.filter(id=commitment.pk).latest("history_date")
    assert (deleted.history_type, deleted.history_user, deleted.title) == ("-", coordinator, "Døgnåpent Strax-hus")


def test_deleting_a_measure_without_history_rolls_its_commitments_back(coordinator_client, coordinator):
    commitment = make_commitment()
    measure = make_measure(commitments=[commitment], title="Midlertidig tiltak")
    refresh_commitment_statuses([commitment.pk])
    assert Commitment.objects.get(pk=commitment.pk).status == "not_started"
    response = coordinator_client.post(reverse("admin:measures_measure_delete", args=[measure.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert Measure.history.filter(id=measure.pk, history_type="-").get().history_user == coordinator
    assert Commitment.objects.get(pk=commitment.pk).status == "not_followed_up"


def test_changes_record_each_version_with_time_in_order(coordinator_client, coordinator):
    decision = make_decision(title="Første")
    url = reverse("admin:decisions_decision_change", args=[decision.pk])
    for title in ["Andre", "Tredje"]:
        data = change_form_data(coordinator_client, url)
        data["title"] = title
        assert coordinator_client.post(url, data).status_code == 302
    versions = list(Decision.history.filter(id=decision.pk).order_by("history_date"))
    assert [v.title for v in versions] == ["Første", "Andre", "Tredje"]
    assert [v.history_type for v in versions] == ["+", "~", "~"]
    assert versions[0].history_date < versions[1].history_date < versions[2].history_date
    assert [v.version for v in versions] == [1, 2, 3]
