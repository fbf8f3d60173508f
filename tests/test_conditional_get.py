"""Public pages and PDFs carry versioned validators (ETag, Last-Modified) and Cache-Control, and a conditional GET is
answered 304 until the data changes, so a cache in front (nginx, a CDN, the browser) can keep them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date

from tests.factories import make_decision, make_measure

pytestmark = pytest.mark.django_db


def test_a_public_page_is_answered_304_until_the_data_changes(client, memory_cache, django_capture_on_commit_callbacks):
    measure = make_measure(title="Før endringen")
    url = reverse("measure_detail", args=[measure.pk])
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and len(etag) > 10
    assert "public" in first["Cache-Control"] and "must-revalidate" in first["Cache-Control"]

    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert len(queries) <= 1  # at most the data version
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.head(url, headers={"If-None-Match": etag}).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        measure.title = "Etter endringen"
        measure.save()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Etter endringen" in changed.text
    assert changed["ETag"] != etag
    # The language is part of the page, and so of its ETag.
    client.cookies["django_language"] = "en"
    assert client.get(url, headers={"If-None-Match": changed["ETag"]}).status_code == 200


def test_an_old_last_modified_gets_the_page(client, memory_cache):
    url = reverse("measure_detail", args=[make_measure().pk])
    response = client.get(url, headers={"If-Modified-Since": http_date(0)})
    assert response.status_code == 200 and "<h1" in response.text


def test_a_logged_in_persons_page_is_private_and_never_304(client, memory_cache, caseworker):
    url = reverse("measure_detail", args=[make_measure().pk])
    etag = client.get(url)["ETag"]
    client.force_login(caseworker)
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "ETag" not in response


def test_a_pdf_is_answered_304_until_the_data_changes(client, memory_cache, django_capture_on_commit_callbacks):
    decision = make_decision(title="Vedtak om MO-sentrene")
    url = reverse("decision_pdf", args=[decision.pk])
    first = client.get(url)  # the tests' task backend makes it at once
    assert first["Content-Type"] == "application/pdf"
    etag = first["ETag"]
    assert "public" in first["Cache-Control"] and first["Last-Modified"]
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    with django_capture_on_commit_callbacks(execute=True):
        decision.title = "Vedtak om MO-sentrene, endret"
        decision.save()
    fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh["Content-Type"] == "application/pdf"
    assert fresh["ETag"] != etag
