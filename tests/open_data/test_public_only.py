"""What only logged-in people may see is in no API answer, no archive file, no feed and no catalogue description:
the advisory council's comment on a period that is not published, that period's progress report, the names people
log in with and their e-mail addresses. A logged-in session changes nothing in the API."""

import io
import zipfile

import pytest
from django.urls import reverse

from tests.open_data.conftest import (
    ENTERER_EMAIL,
    ENTERER_USERNAME,
    REPORTER_EMAIL,
    REPORTER_USERNAME,
    SECRET_COMMENT,
)
from tests.open_data.test_api import ENDPOINTS

pytestmark = pytest.mark.django_db


def every_api_answer(client):
    """The text of every list of the API and of every record they list (following the cursor to the end)."""
    texts = []
    for endpoint in ENDPOINTS:
        address = f"/api/v1/{endpoint}/"
        while address:
            response = client.get(address)
            assert response.status_code == 200, (address, response.content[:200])
            texts.append(response.content.decode())
            body = response.json()
            for record in body["results"]:
                texts.append(client.get(record["url"]).content.decode())
            address = body["next"]
    return texts


def archive_files(client):
    response = client.get(reverse("open_data_archive"))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def every_feed(client, records):
    measure, commitment = records["measures"][0], records["commitments"][0]
    addresses = [
        reverse("feed"),
        reverse("commitment_feed", args=[commitment.pk]),
        reverse("measure_feed", args=[measure.pk]),
        reverse("theme_feed", args=[records["theme"].slug]),
        reverse("unit_feed", args=[records["unit"].pk]),
        reverse("measure_list_feed") + "?status=in_progress",
        reverse("commitment_list_feed"),
        reverse("decision_list_feed"),
        reverse("plan_list_feed"),
    ]
    texts = []
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        texts.append(response.content.decode())
    return texts


SECRETS = [SECRET_COMMENT, REPORTER_USERNAME, REPORTER_EMAIL, ENTERER_USERNAME, ENTERER_EMAIL]


def test_nothing_only_logged_in_people_see_is_in_any_answer_export_or_feed(client, three, hidden):
    texts = every_api_answer(client)
    files = archive_files(client)
    texts += list(files.values())
    texts += every_feed(client, three)
    texts.append(client.get(reverse("open_data_dcat")).content.decode())
    texts.append(client.get(reverse("api:schema")).content.decode())
    everything = "\n".join(texts)
    for secret in SECRETS:
        assert secret not in everything, secret
    assert hidden["progress_url"] not in everything
    # What is public is there: the people's names as the pages show them, the published period's report.
    assert "Kari Nordmann" in files["data/status_updates.csv"]
    assert "Kari Nordmann" in "".join(every_feed(client, three))
    assert reverse("progress_report", args=[three["period"].pk]) in everything
    # The page itself keeps the comment and the report for those who log in.
    assert client.get(hidden["progress_url"]).status_code == 302


def test_a_logged_in_session_reads_the_same_api_as_everyone(client, three, hidden, coordinator):
    anonymous = every_api_answer(client)
    client.force_login(coordinator)
    assert SECRET_COMMENT in client.get(hidden["progress_url"]).content.decode()  # the session does see it here
    assert every_api_answer(client) == anonymous
