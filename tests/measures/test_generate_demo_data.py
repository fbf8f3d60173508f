"""The synthetic-data command: plausible, labelled, linked, with a status history, and apart from the real data."""

from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from decisions.models import Commitment, SourceKind
from decisions.status import CommitmentStatus
from measures.models import Measure, StatusUpdate
from measures.status import roll_up
from tests.factories import make_commitment, make_measure

pytestmark = pytest.mark.django_db


def test_generated_data_is_labelled_linked_and_has_a_history_over_several_years(capsys):
    real_commitment = make_commitment(title="Ekte forpliktelse")
    real_measure = make_measure(title="Ekte tiltak")

    call_command("generate_demo_data", measures=60, updates=8, seed=7)

    synthetic = Measure.objects.filter(source__kind=SourceKind.SYNTHETIC)
    assert synthetic.count() == 60
    assert all(title.startswith("[Syntetisk]") for title in synthetic.values_list("title", flat=True))
    assert synthetic.filter(plan__isnull=False, responsible_unit__isnull=False).count() == 60
    assert synthetic.filter(commitments__isnull=False).distinct().count() >= 50

    updates = StatusUpdate.objects.filter(measure__in=synthetic)
    assert 60 * 5 <= updates.count() <= 60 * 11
    years = {update.recorded_at.year for update in updates}
    assert len(years) >= 4
    assert not updates.filter(author__isnull=True).exists()
    assert not updates.filter(period__isnull=True).exists()

    # Each measure points at its newest update, and the stored roll-up agrees with the rule.
    for measure in synthetic.select_related("latest_update"):
        newest = measure.updates.order_by("-recorded_at", "-id").first()
        assert measure.latest_update == newest
    statuses = defaultdict(list)
    for commitment_id, status in Measure.commitments.through.objects.values_list(
        "commitment_id", "measure__current_status"
    ):
        statuses[commitment_id].append(status)
    for commitment in Commitment.objects.filter(source__kind=SourceKind.SYNTHETIC):
        assert commitment.status == roll_up(statuses[commitment.pk])
    assert Commitment.objects.filter(source__kind=SourceKind.SYNTHETIC, status=CommitmentStatus.NOT_FOLLOWED_UP)

    # The real records are not touched or linked.
    assert not real_measure.commitments.exists()
    assert not Measure.objects.filter(commitments=real_commitment).exists()
    assert Measure.objects.get(pk=real_measure.pk).source.kind != SourceKind.SYNTHETIC
    assert "60 measures" in capsys.readouterr().out


def test_generating_twice_adds_a_second_batch_without_clashes():
    call_command("generate_demo_data", measures=5, updates=2)
    call_command("generate_demo_data", measures=5, updates=2)
    assert Measure.objects.count() == 10


def test_generated_measures_have_history_rows_for_the_audit_trail():
    call_command("generate_demo_data", measures=3, updates=0)
    assert Measure.history.filter(history_type="+").count() == 3
    assert not StatusUpdate.objects.exists()


@pytest.mark.parametrize("arguments", [{"measures": 0}, {"measures": 5, "updates": -1}])
def test_nonsense_arguments_are_refused(arguments):
    with pytest.raises(CommandError):
        call_command("generate_demo_data", **arguments)
    assert not Measure.objects.exists()
