"""On the embedded default (SQLite) the web server, the worker, its sweep and a render are separate connections to one
database file. A long read in one of them (a render of a thousand measures) must not hold up a caseworker's save in
another, and a transaction that reads before it writes must wait for a colleague's write instead of failing."""

import sqlite3
import threading
import time

import pytest
from django.db import connection, transaction

from decisions.models import Decision
from tests.factories import make_decision

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's own locking"),
]


def other_connection():
    """A connection of its own to the same file, as another process has it."""
    return sqlite3.connect(connection.settings_dict["NAME"], timeout=20, isolation_level=None)


def test_a_save_does_not_wait_for_a_long_read_elsewhere():
    for number in range(5):
        make_decision(title=f"Vedtak {number}")
    render = other_connection()
    rows = render.execute("SELECT id FROM decisions_decision")
    render.execute("BEGIN")
    rows.fetchone()  # the read is under way, as in a render that walks its records while it lays out pages
    try:
        started = time.monotonic()
        make_decision(title="Lagret mens en rapport leses")
        waited = time.monotonic() - started
    finally:
        render.execute("COMMIT")
        render.close()
    assert waited < 2, f"the save waited {waited:.1f} s for the read"
    assert Decision.objects.filter(title="Lagret mens en rapport leses").exists()


def test_a_transaction_that_reads_then_writes_waits_for_a_colleague_and_both_writes_stay():
    make_decision(title="Første")
    colleague_done = threading.Event()
    errors = []

    def colleague():
        other = other_connection()
        try:
            other.execute("UPDATE decisions_decision SET title = 'Kollegaens tittel' WHERE title = 'Første'")
        except sqlite3.Error as error:  # the failure this test is there to catch
            errors.append(error)
        finally:
            other.close()
            colleague_done.set()

    with transaction.atomic():
        count = Decision.objects.count()  # read first …
        thread = threading.Thread(target=colleague)
        thread.start()
        assert not colleague_done.wait(0.5), "the colleague wrote inside this transaction"
        make_decision(title=f"Nummer {count + 1}")  # … then write
    thread.join(30)
    assert errors == []
    assert set(Decision.objects.values_list("title", flat=True)) == {"Kollegaens tittel", "Nummer 2"}
