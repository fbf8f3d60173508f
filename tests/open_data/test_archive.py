"""The archive of every public record: a valid Frictionless Data Package that agrees with the pages, made again after a
change; its DCAT-AP-NO description with the profile's mandatory properties; the «Åpne data» page."""

import csv
import io
import json
import re
import zipfile

import pytest
from django.urls import reverse
from frictionless import validate
from rdflib import Graph, Namespace
from rdflib import namespace as ns

from measures.models import Measure
from measures.services import record_status
from measures.status import MeasureStatus

pytestmark = pytest.mark.django_db

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
# (Read through the module: pytest looks into a test module's names, and rdflib warns of every unknown one.)


def download(client):
    response = client.get(reverse("open_data_archive"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    # Named by the time of the change it holds (undated for a database whose data never changed).
    name = r'attachment; filename="bergen-rusoppfolging(-\d{8}-\d{6})?\.zip"'
    assert re.fullmatch(name, response["Content-Disposition"]), response["Content-Disposition"]
    return response


def unpack(content, folder):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(folder)
    return folder


def rows(folder, table):
    with open(folder / "data" / f"{table}.csv", encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_the_archive_is_a_valid_data_package(client, three, tmp_path):
    folder = unpack(download(client).content, tmp_path)
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((folder / "datapackage.json").read_text())
    assert package["profile"] == "tabular-data-package"
    assert package["licenses"][0]["name"] == "NLOD-2.0"
    names = {resource["name"] for resource in package["resources"]}
    assert {"measures", "commitments", "status-updates", "indicator-values", "measure-commitments"} <= names
    # The foreign keys were checked by the validation above: every link points at a row that is there.
    measures = next(r for r in package["resources"] if r["name"] == "measures")
    assert {"fields": "plan", "reference": {"resource": "action-plans", "fields": "id"}} in measures["schema"][
        "foreignKeys"
    ]


def test_the_archive_agrees_with_the_pages(client, three, tmp_path):
    folder = unpack(download(client).content, tmp_path)
    measures = {int(row["id"]): row for row in rows(folder, "measures")}
    assert set(measures) == set(Measure.objects.values_list("pk", flat=True))
    for measure in three["measures"]:
        page = client.get(measure.get_absolute_url()).content.decode()
        row = measures[measure.pk]
        assert row["title"] in page
        assert row["current_status_nb"] == "Pågår" and "Pågår" in page
        assert row["late"] == "true"
        assert row["page"] == f"http://127.0.0.1:8000/tiltak/{measure.pk}/"
    links = {(int(r["measure"]), int(r["commitment"])) for r in rows(folder, "measure_commitments")}
    assert links == set(Measure.commitments.through.objects.values_list("measure_id", "commitment_id"))
    # The JSON copy holds the same rows.
    copy = json.loads((folder / "data" / "all.json").read_text())
    assert [row["id"] for row in copy["measures"]] == [int(pk) for pk in measures]
    assert copy["measures"][0]["late"] is True
    assert copy["indicator_values"][0]["value"] == 12.5


def measure_statuses(response):
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        text = archive.read("data/measures.csv").decode()
    return [row["current_status"] for row in csv.DictReader(io.StringIO(text))]


def test_the_archive_is_made_once_per_change_of_the_data_and_the_previous_one_is_given_meanwhile(
    client, one, reporter, memory_cache, django_capture_on_commit_callbacks, settings
):
    settings.OPEN_DATA_ARCHIVE_QUIET_SECONDS = 0  # (the wait for more changes: tests/open_data/test_archive_jobs.py)
    first = download(client)
    assert first["X-Report-Cache"] == "miss"  # the first one of a fresh database: made at once (immediate backend)
    assert download(client)["X-Report-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        record_status(measure=one["measures"][0], status=MeasureStatus.DONE, happened="Ferdig.", user=reporter)
    # The records changed: the download hands over the archive made before, named by its own data, and starts the new.
    meanwhile = download(client)
    assert meanwhile["X-Archive-Version"] == "previous"
    assert meanwhile["Content-Disposition"] == first["Content-Disposition"]
    assert meanwhile["ETag"] == first["ETag"] and "no-cache" in meanwhile["Cache-Control"]
    assert "done" not in measure_statuses(meanwhile)
    after = download(client)
    assert after["X-Report-Cache"] == "hit" and "X-Archive-Version" not in after
    assert after["ETag"] != first["ETag"]
    assert measure_statuses(after)[0] == "done"


def test_the_dcat_description_has_the_mandatory_properties_of_dcat_ap_no(client, one):
    response = client.get(reverse("open_data_dcat"))
    assert response["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=response.content.decode(), format="turtle")
    catalogue = graph.value(predicate=ns.RDF.type, object=ns.DCAT.Catalog, any=False)
    dataset = graph.value(catalogue, ns.DCAT.dataset)
    assert (dataset, ns.RDF.type, ns.DCAT.Dataset) in graph
    for subject in (catalogue, dataset):
        for prop in (ns.DCTERMS.title, ns.DCTERMS.description, ns.DCTERMS.publisher, ns.DCAT.contactPoint):
            assert graph.value(subject, prop) is not None, (subject, prop)
        contact = graph.value(subject, ns.DCAT.contactPoint)
        assert graph.value(contact, VCARD.fn) is not None and graph.value(contact, VCARD.hasEmail) is not None
        publisher = graph.value(subject, ns.DCTERMS.publisher)
        assert str(publisher).endswith("/organizations/964338531")
        assert str(graph.value(publisher, ns.FOAF.name)) == "Bergen kommune"
    themes = {str(theme) for theme in graph.objects(dataset, ns.DCAT.theme)}
    assert "http://publications.europa.eu/resource/authority/data-theme/HEAL" in themes
    distributions = list(graph.objects(dataset, ns.DCAT.distribution))
    assert len(distributions) == 2
    for distribution in distributions:
        assert graph.value(distribution, ns.DCAT.accessURL) is not None
        assert graph.value(distribution, ns.DCTERMS.license) is not None
    download_url = next(
        graph.value(d, ns.DCAT.downloadURL) for d in distributions if graph.value(d, ns.DCAT.downloadURL)
    )
    assert str(download_url).endswith(reverse("open_data_archive"))
    service = graph.value(predicate=ns.RDF.type, object=ns.DCAT.DataService, any=False)
    assert str(graph.value(service, ns.DCAT.endpointDescription)).endswith("/api/v1/schema/")


def test_the_open_data_page_offers_the_archive_the_description_and_the_feeds(client, one):
    page = client.get(reverse("open_data")).content.decode()
    for address in (reverse("open_data_archive"), reverse("open_data_dcat"), reverse("api_page"), reverse("feed")):
        assert f'href="{address}"' in page
    assert f'href="{reverse("theme_feed", args=[one["theme"].slug])}"' in page
    assert "Åpne data" in page and "Last ned arkivet (zip)" in page


def test_every_page_links_the_open_data_the_api_and_its_description_in_its_footer(client, one):
    for address in (reverse("home"), reverse("measure_detail", args=[one["measures"][0].pk]), "/finnes-ikke/"):
        footer = client.get(address).content.decode().split('<footer class="site-footer">')[1]
        for target in (reverse("open_data"), reverse("api_page"), reverse("api:schema")):
            assert f'href="{target}"' in footer, (address, target)
    root = client.get("/api/v1/").json()
    assert root["measures"] == "http://testserver/api/v1/measures/" and len(root) == 13
