"""The API against its own OpenAPI description: schemathesis generates requests for every operation from the
description (filters, cursors, page sizes, ids) and sends them in-process to the WSGI application; no answer is a
server error, and every answer matches the description (status, content type, body)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.open_data.conftest import make_records

# A bounded number of examples per operation keeps the run to a minute or so; the examples vary every run.
EXAMPLES = 10


# Read from the application itself, in-process (the description needs no database). schemathesis' lazy loader from
# a fixture does not work with pytest 9, so the records are made by a fixture of the test instead.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@pytest.fixture
def records(db, reporter, enterer, hidden):
    return make_records(2, reporter=reporter, enterer=enterer)


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """The requests go to the WSGI application directly, not through Django's test client, so the end of each one
    would close the database connection that holds the test's transaction (on PostgreSQL, and on SQLite in a file);
    as the test client does, the test's requests leave the connection open."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_its_description_says(records, case):
    response = case.call_and_validate(
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance]
    )
    # A list or a record; a filter value or an id the API does not know; a method it does not answer (schemathesis
    # also tries those on every path).
    assert response.status_code in (200, 400, 404, 405), response.text[:300]
