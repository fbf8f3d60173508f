"""The one write path: every service writes one true history entry per save and keeps every roll-up true.

The property test runs random sequences of writes through the services and checks, after each one, that the newest
history entry of the written record differs from the one before it in exactly the fields that changed (many-to-many
members included), and that every commitment's stored status equals a full recomputation from its measures.
"""

import threading

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import ProtectedError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from bergen_rus.audit import audit_trail
from decisions.models import Commitment
from decisions.status import CommitmentStatus
from measures.models import Comment, IndicatorValue, Measure, PeriodState, ReportingPeriod, StatusUpdate
from measures.services import (
    ColleagueReported,
    delete_record,
    post_comment,
    record_status,
    save_indicator_value,
    save_measure,
    save_record,
    transition_period,
)
from measures.status import MeasureStatus, roll_up
from tests.factories import (
    make_commitment,
    make_indicator,
    make_measure,
    make_period,
    make_source,
    make_theme,
    make_user,
)


def snapshot(record):
    """A record's tracked fields and many-to-many members as the database holds them now."""
    record = type(record).objects.get(pk=record.pk)
    history_model = type(record).history.model
    values = {field.attname: getattr(record, field.attname) for field in history_model.tracked_fields}
    for field in getattr(history_model, "_history_m2m_fields", []):
        values[field.name] = sorted(getattr(record, field.name).values_list("pk", flat=True))
    return values


def history_diff(record):
    """The names of the fields in which the record's newest history entry differs from the one before it."""
    entries = list(type(record).history.filter(id=record.pk).order_by("-history_date", "-history_id")[:2])
    newer, older = entries[0], entries[1]
    history_model = type(record).history.model
    changed = {
        field.attname
        for field in history_model.tracked_fields
        if getattr(newer, field.attname) != getattr(older, field.attname)
    }
    for field in getattr(history_model, "_history_m2m_fields", []):
        column = f"{field.related_model._meta.model_name}_id"
        members = [sorted(getattr(entry, field.name).values_list(column, flat=True)) for entry in (newer, older)]
        if members[0] != members[1]:
            changed.add(field.name)
    return changed


def assert_roll_ups_true():
    for commitment in Commitment.objects.all():
        statuses = list(Measure.objects.filter(commitments=commitment).values_list("current_status", flat=True))
        assert commitment.status == roll_up(statuses, requires_follow_up=commitment.requires_follow_up), commitment


def test_a_caseworkers_report_leaves_only_the_status_change_in_the_commitments_history(db):
    kari = make_user("kari", first_name="Kari", last_name="Nordmann")
    themes = [make_theme(name="Skadereduksjon"), make_theme(name="Overdoser")]
    commitment = make_commitment()
    commitment.themes.set(themes)
    measure = make_measure(commitments=[commitment])
    record_status(measure=measure, user=kari, status=MeasureStatus.IN_PROGRESS, happened="I gang.")

    record_status(measure=measure, user=kari, status=MeasureStatus.DELAYED, happened="Forsinket.")

    newest = audit_trail(Commitment.objects.get(pk=commitment.pk))[0]
    assert newest.who == kari
    assert [(change.field, change.old, change.new) for change in newest.changes] == [
        ("status", str(CommitmentStatus.IN_PROGRESS.label), str(CommitmentStatus.DELAYED.label))
    ]


def test_a_save_that_changes_nothing_writes_no_history(db):
    coordinator = make_user("koord")
    measure = make_measure(title="Uendret")
    save_record(user=coordinator, record=measure, fields={"title": "Endret"}, expected_version=measure.version)
    entries = Measure.history.filter(id=measure.pk).count()

    save_record(user=coordinator, record=measure, fields={"title": "Endret"}, expected_version=measure.version + 1)

    assert Measure.history.filter(id=measure.pk).count() == entries
    assert Measure.objects.get(pk=measure.pk).version == measure.version + 1


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("report"), st.integers(0, 3), st.sampled_from(list(MeasureStatus))),
        st.tuples(st.just("link"), st.integers(0, 3), st.sets(st.integers(0, 2), max_size=3)),
        st.tuples(st.just("themes"), st.integers(0, 3), st.sets(st.integers(0, 1), max_size=2)),
        st.tuples(st.just("title"), st.integers(0, 3), st.sampled_from(["Tiltak A", "Tiltak B", "Tiltak C"])),
        st.tuples(st.just("follow_up"), st.integers(0, 2), st.booleans()),
        st.tuples(st.just("commitment_themes"), st.integers(0, 2), st.sets(st.integers(0, 1), max_size=2)),
        st.tuples(st.just("delete"), st.integers(0, 3), st.none()),
        st.tuples(st.just("create"), st.sets(st.integers(0, 2), max_size=3), st.none()),
        st.tuples(st.just("period"), st.integers(0, 1), st.sampled_from(["open", "closed", "published"])),
        st.tuples(st.just("indicator"), st.integers(2020, 2022), st.integers(0, 50)),
        st.tuples(st.just("comment"), st.integers(0, 3), st.sampled_from(["Et spørsmål.", "  ", "Enda ett."])),
    ),
    min_size=1,
    max_size=12,
)


def measure_fields(operation, value, commitments, themes):
    """What a write of `operation` sets on a measure."""
    if operation == "link":
        return {"commitments": [commitments[n] for n in value]}
    if operation == "themes":
        return {"themes": [themes[n] for n in value]}
    if operation == "title":
        return {"title": value}
    return {}


class TestEveryServiceWritesTrueHistory(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(operations=OPERATIONS)
    def test_random_writes_keep_history_and_roll_ups_true(self, operations):
        user = make_user("skriver")
        themes = [make_theme(name="Bolig"), make_theme(name="Behandling")]
        commitments = [make_commitment(title=f"Punkt {n}") for n in range(3)]
        measures = [make_measure(title=f"Tiltak {n}") for n in range(4)]
        periods = [make_period(year=2026, kind="t1"), make_period(year=2026, kind="t2")]
        indicator = make_indicator()
        real_source = make_source()
        for operation, target, value in operations:
            if operation in ("period", "indicator", "comment"):
                self.check_other_write(user, operation, target, value, periods, indicator, real_source, measures)
                assert_roll_ups_true()
                continue
            if operation == "create":
                links = [commitments[n] for n in target]
                measure = save_measure(
                    user=user, measure=Measure(title="Nytt", source=measures[0].source), fields={"commitments": links}
                )
                measures.append(measure)
                assert Measure.history.filter(id=measure.pk).count() == 1
                assert snapshot(measure)["commitments"] == sorted(c.pk for c in links)
                assert_roll_ups_true()
                continue
            if operation in ("follow_up", "commitment_themes"):
                record = commitments[target]
                fields = (
                    {"requires_follow_up": value}
                    if operation == "follow_up"
                    else {"themes": [themes[n] for n in value]}
                )
            else:
                record = measures[target % len(measures)]
                if not Measure.objects.filter(pk=record.pk).exists():
                    continue
                fields = measure_fields(operation, value, commitments, themes)
            before = snapshot(record)
            entries = type(record).history.filter(id=record.pk).count()
            if operation == "report":
                record_status(measure=record, user=user, status=value, happened="Rapport.")
            elif operation == "delete":
                try:
                    delete_record(user=user, record=record)
                except ProtectedError:  # its status history keeps it: nothing is deleted, nothing is written
                    assert (snapshot(record), Measure.history.filter(id=record.pk).count()) == (before, entries)
                    continue
                deleted = Measure.history.filter(id=record.pk).latest("history_date", "history_id")
                assert (deleted.history_type, deleted.history_user) == ("-", user)
                assert_roll_ups_true()
                continue
            else:
                current = type(record).objects.get(pk=record.pk)
                save_record(user=user, record=current, fields=fields, expected_version=current.version)
            after = snapshot(record)
            bookkeeping = {"version", "status", "status_changed_at", "latest_update_id", "current_status"}
            really_changed = {name for name in after if after[name] != before[name]} - bookkeeping
            written = type(record).history.filter(id=record.pk).count() - entries
            if operation == "report":
                assert written == 0  # a status update is its own audit record
            elif really_changed:
                assert written == 1
                assert history_diff(record) - bookkeeping == really_changed
                newest = type(record).history.filter(id=record.pk).latest("history_date", "history_id")
                assert newest.history_user == user
            else:
                assert written == 0
            assert_roll_ups_true()
            for commitment in commitments:
                # Every history entry holds the links as they were: a roll-up's entry never «removes» the themes.
                latest = commitment.history.latest("history_date", "history_id")
                assert sorted(latest.themes.values_list("theme_id", flat=True)) == snapshot(commitment)["themes"]

    def check_other_write(self, user, operation, target, value, periods, indicator, source, measures):
        """A period's move, an indicator value, a comment: one true entry when it is written, nothing when refused."""
        if operation == "period":
            record = periods[target]
            before, entries = snapshot(record), record.history.count()
            try:
                transition_period(period=record, user=user, to=value)
            except ValidationError:
                assert (snapshot(record), record.history.count()) == (before, entries)
                return
            assert record.history.count() == entries + 1
            after = snapshot(record)
            assert history_diff(record) - {"version"} == {name for name in after if after[name] != before[name]} - {
                "version"
            }
            assert ReportingPeriod.objects.filter(state=PeriodState.OPEN).count() <= 1
        elif operation == "indicator":
            entries = IndicatorValue.history.filter(indicator_id=indicator.pk, year=target).count()
            saved = save_indicator_value(user=user, indicator=indicator, year=target, value=value, source=source)
            written = IndicatorValue.history.filter(id=saved.pk).count() - entries
            # A first value is one entry; entering a year again is one entry (a new time of entry), never more.
            assert written == 1
            assert IndicatorValue.objects.get(indicator=indicator, year=target).value == value
        else:
            measure = measures[target % len(measures)]
            if not Measure.objects.filter(pk=measure.pk).exists():
                return
            count = Comment.objects.count()
            try:
                comment = post_comment(user=user, body=value, measure=measure)
            except ValidationError:
                assert not value.strip() and Comment.objects.count() == count
                return
            entry = comment.history.get()
            assert (entry.history_type, entry.history_user, entry.body) == ("+", user, value.strip())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks that wait need PostgreSQL (SQLite locks the file)"
)
def test_thirty_caseworkers_sending_on_the_same_seen_report_let_one_through():
    measure = make_measure()
    period = make_period(year=2026)
    transition_period(period=period, user=None, to=PeriodState.OPEN)
    people = [make_user(f"saksbehandler{n}") for n in range(30)]
    outcomes = []
    start = threading.Barrier(len(people))

    def send(person):
        try:
            start.wait()
            record_status(
                measure=measure,
                user=person,
                status=MeasureStatus.IN_PROGRESS,
                happened="Samtidig.",
                period=period,
                seen_update_id=0,
            )
            outcomes.append("saved")
        except ColleagueReported:
            outcomes.append("shown the colleague's report")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("saved") == 1
    assert outcomes.count("shown the colleague's report") == 29
    assert StatusUpdate.objects.filter(measure=measure).count() == 1


def test_no_door_rolls_up_or_takes_a_lock():
    """The views, the back office and the commands leave locks and roll-ups to the services."""
    root = django_settings.BASE_DIR
    doors = [
        *sorted((root / "measures" / "views").glob("*.py")),
        root / "measures" / "admin.py",
        root / "bergen_rus" / "admin.py",
        *sorted((root / "measures" / "management" / "commands").glob("*.py")),
    ]
    offenders = [
        f"{path.relative_to(root)}: {word}"
        for path in doors
        for word in ("refresh_commitment_statuses", "select_for_update", "bulk_update_with_history")
        if word in path.read_text()
    ]
    assert offenders == []
