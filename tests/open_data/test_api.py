"""The JSON API: what a record holds, the pages' filters, cursor pages, limits, conditional GET, query counts."""

import pytest
from django.core.cache import cache
from django.urls import resolve, reverse

from decisions.models import Theme
from measures.models import StatusUpdate
from measures.services import record_status
from measures.status import MeasureStatus
from tests.factories import make_measure

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "sources",
    "themes",
    "decisions",
    "platforms",
    "commitments",
    "action-plans",
    "measures",
    "status-updates",
    "periods",
    "locations",
    "units",
    "indicators",
    "indicator-values",
]


def api(client, path, **params):
    response = client.get(f"/api/v1/{path}", params)
    assert response["Content-Type"] == "application/json", response.content[:200]
    return response


def test_a_measure_has_its_id_links_as_urls_and_its_status_in_norwegian_and_english(client, one):
    measure = one["measures"][0]
    body = api(client, f"measures/{measure.pk}/").json()
    assert body["id"] == measure.pk
    assert body["url"] == f"http://testserver/api/v1/measures/{measure.pk}/"
    assert body["page"] == f"http://testserver/tiltak/{measure.pk}/"
    assert body["status"] == {"code": "in_progress", "nb": "Pågår", "en": "In progress"}
    assert body["late"] is True  # the deadline in 2025 has passed and the measure is not finished
    assert body["plan"] == f"http://testserver/api/v1/action-plans/{measure.plan_id}/"
    assert body["responsible_unit"] == f"http://testserver/api/v1/units/{one['unit'].pk}/"
    assert sorted(body["commitments"]) == sorted(
        f"http://testserver/api/v1/commitments/{pk}/" for pk in measure.commitments.values_list("pk", flat=True)
    )
    assert body["decisions"][0]["role"] == {"code": "created", "nb": "Opprettet tiltaket", "en": "Created the measure"}
    # Every link leads to the record it names.
    for link in [body["plan"], body["responsible_unit"], body["source"], *body["locations"], *body["partners"]]:
        assert client.get(link).json()["url"] == link


def test_a_measure_nobody_reported_on_is_not_reported(client, db):
    measure = make_measure(title="Uten rapport")
    assert api(client, f"measures/{measure.pk}/").json()["status"] == {
        "code": "not_reported",
        "nb": "Ikke rapportert",
        "en": "Not reported",
    }


def test_a_status_update_is_signed_with_the_name_on_the_pages(client, one):
    update = StatusUpdate.objects.get(measure=one["measures"][0])
    body = api(client, f"status-updates/{update.pk}/").json()
    assert body["reported_by"] == "Kari Nordmann"
    assert body["status"]["nb"] == "Pågår"
    assert body["measure"].endswith(f"/api/v1/measures/{one['measures'][0].pk}/")


def test_a_periods_progress_report_is_linked_only_once_published(client, one, hidden):
    published = api(client, f"periods/{one['period'].pk}/").json()
    assert published["progress_report"] == f"http://testserver{reverse('progress_report', args=[one['period'].pk])}"
    assert published["key"] == "2026-t1"
    assert published["state"]["nb"] == "Publisert"
    closed = api(client, f"periods/{hidden['period'].pk}/").json()
    assert closed["progress_report"] is None
    assert closed["status_report"].endswith("/rapporter/statusrapport/?period=2026-t2")


@pytest.mark.parametrize(
    ("path", "page", "params"),
    [
        ("measures/", "measure_list", {"status": "in_progress"}),
        ("measures/", "measure_list", {"status": "not_reported"}),
        ("measures/", "measure_list", {"late": "yes"}),
        ("commitments/", "commitment_list", {"kind": "pledge"}),
        ("commitments/", "commitment_list", {"status": "in_progress"}),
        ("decisions/", "decision_list", {"q": "nullvisjon 1"}),
        ("action-plans/", "plan_list", {"status": "in_progress"}),
    ],
)
def test_the_api_lists_what_the_page_with_the_same_filters_lists(client, three, path, page, params):
    make_measure(title="Ikke rapportert")
    api_ids = sorted(item["id"] for item in api(client, path, **params).json()["results"])
    page_ids = sorted(record.pk for record in client.get(reverse(page), params).context["page"].object_list)
    assert api_ids == page_ids
    assert api_ids  # the filter selects something, so the comparison says something


def test_filters_that_name_records_take_their_ids_as_on_the_pages(client, three):
    theme, unit = three["theme"], three["unit"]
    outside = make_measure(title="Uten tema")
    ids = {item["id"] for item in api(client, "measures/", theme=theme.pk, unit=unit.pk).json()["results"]}
    assert ids == {m.pk for m in three["measures"]}
    assert outside.pk not in ids
    document = f"plan-{three['measures'][1].plan_id}"
    assert [item["id"] for item in api(client, "measures/", document=document).json()["results"]] == [
        three["measures"][1].pk
    ]


def test_a_filter_value_the_list_does_not_know_is_refused_in_norwegian(client, one):
    response = api(client, "measures/", unit="999999", status="nonsense")
    assert response.status_code == 400
    errors = response.json()
    assert "Velg et gyldig valg" in errors["unit"][0]
    assert "status" in errors


def test_sorting_is_not_a_parameter_the_lists_stay_in_the_order_of_their_index(client, three):
    default = [item["id"] for item in api(client, "measures/").json()["results"]]
    assert default == sorted(default)
    assert [item["id"] for item in api(client, "measures/", sort="-title", ordering="-title").json()["results"]] == (
        default
    )


def test_cursor_pages_walk_every_record_once_and_the_page_size_is_capped(client, db):
    Theme.objects.bulk_create([Theme(slug=f"t{i}", name=f"Tema {i}") for i in range(130)])
    first = api(client, "themes/", page_size=1000).json()
    assert len(first["results"]) == 100
    seen = [item["id"] for item in first["results"]]
    response = client.get(first["next"]).json()
    seen += [item["id"] for item in response["results"]]
    assert response["next"] is None
    assert sorted(seen) == seen and len(set(seen)) == 130 == Theme.objects.count()
    assert len(api(client, "themes/").json()["results"]) == 25
    assert api(client, "themes/", cursor="not-a-cursor").status_code == 404


def test_status_updates_come_newest_first_and_filter_by_measure(client, three, reporter):
    newest = record_status(measure=three["measures"][0], status=MeasureStatus.DONE, happened="Ferdig.", user=reporter)
    listed = [item["id"] for item in api(client, "status-updates/").json()["results"]]
    assert listed[0] == newest.pk
    assert listed == sorted(listed, reverse=True)  # recorded one after another
    mine = api(client, "status-updates/", measure=three["measures"][0].pk).json()["results"]
    assert [item["happened"] for item in mine] == ["Ferdig.", "Arbeidet med tiltak 0 er i gang."]


def test_an_unchanged_answer_is_not_modified_and_a_change_gives_a_new_etag(
    client, one, reporter, memory_cache, django_capture_on_commit_callbacks
):
    first = api(client, "measures/")
    etag = first["ETag"]
    assert etag
    again = client.get("/api/v1/measures/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = api(client, "measures/", status="done")
    assert other["ETag"] != etag  # another address, another answer
    with django_capture_on_commit_callbacks(execute=True):
        record_status(measure=one["measures"][0], status=MeasureStatus.DONE, happened="Ferdig.", user=reporter)
    cache.clear()
    changed = client.get("/api/v1/measures/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["results"][0]["status"]["code"] == "done"


def test_reading_is_limited_per_address_with_a_429_in_json_that_says_when_to_come_back(
    client, settings, one, memory_cache
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/min"}}
    for _ in range(3):
        assert api(client, "sources/").status_code == 200
    refused = client.get("/api/v1/sources/", headers={"X-Forwarded-For": "10.9.9.9"})  # a header proves nothing
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert (
        refused.json()["detail"]
        == f"For mange forespørsler fra adressen din. Prøv igjen om {refused['Retry-After']} sekunder."
    )
    elsewhere = client.get("/api/v1/sources/", REMOTE_ADDR="10.1.2.3")
    assert elsewhere.status_code == 200


# Queries per answer, the same for one record as for three: the data version, the page (or record), and one per list
# of links the record carries (the choices of the page filter «source document» are read only to check a value).
QUERIES = {
    "sources": 2,
    "themes": 2,
    "decisions": 4,
    "platforms": 3,
    "commitments": 4,
    "action-plans": 3,
    "measures": 7,
    "status-updates": 2,
    "periods": 2,
    "locations": 2,
    "units": 2,
    "indicators": 5,
    "indicator-values": 2,
}


def record_count(endpoint):
    """How many records of the endpoint's kind there are."""
    return resolve(f"/api/v1/{endpoint}/").func.cls.queryset.model.objects.count()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("records", ["one", "three"])
def test_queries_per_list_do_not_grow_with_the_records(client, django_assert_num_queries, request, endpoint, records):
    request.getfixturevalue(records)
    with django_assert_num_queries(QUERIES[endpoint]):
        body = api(client, f"{endpoint}/").json()
    assert len(body["results"]) == record_count(endpoint) >= 1


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_queries_per_record(client, django_assert_num_queries, one, endpoint):
    first = api(client, f"{endpoint}/").json()["results"][0]
    with django_assert_num_queries(QUERIES[endpoint]):
        body = client.get(first["url"]).json()
    assert body["id"] == first["id"]
