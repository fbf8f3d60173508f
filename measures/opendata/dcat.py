"""The DCAT-AP-NO 2 description of the open data, in RDF Turtle, for the national data catalogue to harvest.

One catalogue with one dataset (every public record of the tracker) and two distributions: the archive (a
Frictionless Data Package in a zip file) and the JSON API, which is also described as a data service with its OpenAPI
description. The mandatory properties of DCAT-AP-NO: for the catalogue and the dataset a title, a description, a
publisher (an agent named by its organisation number) and a contact point (a name and an e-mail address), for the
dataset at least one theme from the EU's data themes, for each distribution an access URL.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..caching import last_change_of

ORGANISATIONS = "https://organization-catalog.fellesdatakatalog.digdir.no/organizations/"
ARCHIVE_DESCRIPTION = "En zip-fil med datapackage.json, en CSV-fil per tabell og en JSON-kopi av alle tabellene."
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcatno: <https://data.norge.no/vocabulary/dcatno#> .
"""


def literal(text, language=None):
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"@{language}' if language else f'"{escaped}"'


def iri(address):
    for character in '<>"{}|^`\\ ':
        if character in address:
            raise ValueError(f"Not an IRI for Turtle: {address!r}")
    return f"<{address}>"


def site(path):
    return settings.SITE_URL + path


def turtle():
    """The catalogue, the dataset, its distributions and the API as a data service, as Turtle text."""
    catalogue = iri(site(reverse("open_data") + "#katalog"))
    dataset = iri(site(reverse("open_data") + "#datasett"))
    archive = iri(site(reverse("open_data") + "#arkiv"))
    api = iri(site(reverse("open_data") + "#api"))
    service = iri(site(reverse("api_page") + "#tjeneste"))
    publisher = iri(ORGANISATIONS + settings.OPEN_DATA_PUBLISHER_ID)
    contact = iri(site(reverse("open_data") + "#kontakt"))
    licence = iri(settings.OPEN_DATA_LICENSE_URL)
    modified = timezone.localtime(last_change_of() or timezone.now()).isoformat(timespec="seconds")
    themes = ", ".join(
        iri(f"http://publications.europa.eu/resource/authority/data-theme/{code}") for code in ("HEAL", "GOVE")
    )
    title_nb = "Oppfølging av ruspolitikken i Bergen"
    title_en = "Follow-up of the drug policy of Bergen"
    description_nb = (
        "Alle offentlige opplysninger i Bergen kommunes oppfølging av ruspolitikken: vedtak og byrådsplattformer med "
        "punktene de inneholder, handlingsplaner, tiltak med statusrapportene, rapporteringsperioder, steder, "
        "enheter og indikatorer. Hver post viser til dokumentet den er hentet fra."
    )
    description_en = (
        "Every public record of Bergen kommune's follow-up of its drug policy: decisions and platforms with their "
        "points, action plans, measures with their status reports, reporting periods, places, units and indicators. "
        "Every record names the document it is taken from."
    )
    lines = [
        PREFIXES,
        f"{catalogue} a dcat:Catalog ;",
        f"    dct:title {literal('Åpne data om ruspolitikken i Bergen', 'nb')}, "
        f"{literal('Open data on the drug policy of Bergen', 'en')} ;",
        f"    dct:description {literal(description_nb, 'nb')}, {literal(description_en, 'en')} ;",
        f"    dct:publisher {publisher} ;",
        f"    dcat:contactPoint {contact} ;",
        f"    foaf:homepage {iri(site('/'))} ;",
        f"    dct:language {iri('http://publications.europa.eu/resource/authority/language/NOB')} ;",
        f"    dct:modified {literal(modified)}^^xsd:dateTime ;",
        f"    dcat:themeTaxonomy {iri('http://publications.europa.eu/resource/authority/data-theme')} ;",
        f"    dcat:dataset {dataset} ;",
        f"    dcat:service {service} .",
        "",
        f"{publisher} a foaf:Agent ;",
        f"    dct:identifier {literal(settings.OPEN_DATA_PUBLISHER_ID)} ;",
        f"    foaf:name {literal(settings.OPEN_DATA_PUBLISHER_NAME, 'nb')} .",
        "",
        f"{contact} a vcard:Organization ;",
        f"    vcard:fn {literal(settings.OPEN_DATA_PUBLISHER_NAME, 'nb')} ;",
        f"    vcard:hasEmail {iri('mailto:' + settings.OPEN_DATA_CONTACT_EMAIL)} ;",
        f"    vcard:hasURL {iri(site('/'))} .",
        "",
        f"{dataset} a dcat:Dataset ;",
        f"    dct:title {literal(title_nb, 'nb')}, {literal(title_en, 'en')} ;",
        f"    dct:description {literal(description_nb, 'nb')}, {literal(description_en, 'en')} ;",
        f"    dct:identifier {literal(site(reverse('open_data') + '#datasett'))} ;",
        f"    dct:publisher {publisher} ;",
        f"    dcat:contactPoint {contact} ;",
        f"    dcat:theme {themes} ;",
        f"    dcat:keyword {literal('rus', 'nb')}, {literal('ruspolitikk', 'nb')}, {literal('Bergen', 'nb')}, "
        f"{literal('tiltak', 'nb')}, {literal('vedtak', 'nb')} ;",
        f"    dct:accessRights {iri('http://publications.europa.eu/resource/authority/access-right/PUBLIC')} ;",
        f"    dct:language {iri('http://publications.europa.eu/resource/authority/language/NOB')} ;",
        f"    dct:modified {literal(modified)}^^xsd:dateTime ;",
        f"    foaf:page {iri(site(reverse('open_data')))} ;",
        f"    dcat:distribution {archive}, {api} .",
        "",
        f"{archive} a dcat:Distribution ;",
        f"    dct:title {literal('Arkiv med alle offentlige poster (Frictionless Data Package)', 'nb')} ;",
        f"    dct:description {literal(ARCHIVE_DESCRIPTION, 'nb')} ;",
        f"    dcat:accessURL {iri(site(reverse('open_data')))} ;",
        f"    dcat:downloadURL {iri(site(reverse('open_data_archive')))} ;",
        f"    dcat:mediaType {iri('https://www.iana.org/assignments/media-types/application/zip')} ;",
        f"    dct:format {iri('http://publications.europa.eu/resource/authority/file-type/ZIP')} ;",
        f"    dct:conformsTo {iri('https://specs.frictionlessdata.io/tabular-data-package/')} ;",
        f"    dct:license {licence} ;",
        f"    dct:modified {literal(modified)}^^xsd:dateTime .",
        "",
        f"{api} a dcat:Distribution ;",
        f"    dct:title {literal('JSON-API', 'nb')} ;",
        f"    dct:description {literal('Lesetilgang til de samme postene, med filtre og sider.', 'nb')} ;",
        f"    dcat:accessURL {iri(site(reverse('api_page')))} ;",
        f"    dcat:accessService {service} ;",
        f"    dcat:mediaType {iri('https://www.iana.org/assignments/media-types/application/json')} ;",
        f"    dct:format {iri('http://publications.europa.eu/resource/authority/file-type/JSON')} ;",
        f"    dct:license {licence} .",
        "",
        f"{service} a dcat:DataService ;",
        f"    dct:title {literal('API for oppfølging av ruspolitikken i Bergen', 'nb')} ;",
        f"    dct:description {literal('Et lese-API med OpenAPI-beskrivelse.', 'nb')} ;",
        f"    dct:publisher {publisher} ;",
        f"    dcat:contactPoint {contact} ;",
        f"    dcat:endpointURL {iri(site('/api/v1/'))} ;",
        f"    dcat:endpointDescription {iri(site(reverse('api:schema')))} ;",
        f"    dcat:servesDataset {dataset} ;",
        f"    dct:license {licence} .",
        "",
    ]
    return "\n".join(lines)
