"""The report downloads: where the reader is, what they are called, what they cost, and that forty politicians
downloading one report cost one render."""

import re
from datetime import date

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import MeasureDecision
from measures.reports.models import ReportJob
from measures.status import MeasureStatus
from tests.factories import (
    make_commitment,
    make_decision,
    make_location,
    make_measure,
    make_organisation,
    make_period,
    make_plan,
    make_theme,
)
from tests.reports.helpers import page_texts, update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A memory cache per test, so a render cached by one test is never served to another."""
    settings.CACHES = {
        name: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"reports-{name}"}
        for name in ("default", "reports", "limits")
    }
    cache.clear()
    caches["reports"].clear()
    yield
    cache.clear()
    caches["reports"].clear()


def build(n, *, author, year):
    """n of everything that repeats: points, measures, updates, themes, units, places."""
    make_period(year=year, kind="t1")  # the period before: the report compares with it
    period = make_period(year=year, kind="t2")
    theme = make_theme(name=f"Tema {year}")
    decision = make_decision(title=f"Vedtak {year}", case_number=f"{year}/7", decided_on=date(year, 3, 1))
    plan = make_plan(title=f"Handlingsplan {year}", adopted_by=decision)
    location = make_location(name=f"Sted {year}")
    measures = []
    for i in range(1, n + 1):
        point = make_commitment(decision=decision, number=i, title=f"Punkt {i} i {year}")
        unit = make_organisation(name=f"Enhet {i} {year}")
        measure = make_measure(
            title=f"Tiltak {i} i {year}", plan=plan, number=str(i), responsible_unit=unit, commitments=[point]
        )
        measure.themes.add(theme)
        measure.locations.add(location)
        measure.partners.add(make_organisation(name=f"Partner {i} {year}"))
        MeasureDecision.objects.create(measure=measure, decision=decision, role="adopted_plan")
        for day in range(1, n + 1):
            update(measure, MeasureStatus.IN_PROGRESS, author=author, on=date(year, 6, day), period=period)
        if i % 2:  # as in the real records: the latest status is one a public document states
            update(measure, MeasureStatus.IN_PROGRESS, author=None, on=date(year, 7, 1), source=decision.source)
        measures.append(measure)
    make_commitment(decision=decision, number=n + 1, title=f"Ingen jobber med dette {year}")
    return {"period": period, "theme": theme, "decision": decision, "plan": plan, "measure": measures[0]}


def report_urls(world):
    key = f"{world['period'].year}-t2"
    return {
        "status": reverse("status_report_pdf") + f"?period={key}",
        "status filtered": reverse("status_report_pdf") + f"?period={key}&theme={world['theme'].pk}",
        "decision": reverse("decision_pdf", args=[world["decision"].pk]),
        "measure": reverse("measure_pdf", args=[world["measure"].pk]),
        "commitments": reverse("commitment_list_pdf") + f"?theme={world['theme'].pk}",
        "measures": reverse("measure_list_pdf") + f"?document=plan-{world['plan'].pk}",
        "decisions": reverse("decision_list_pdf"),
        "plans": reverse("plan_list_pdf"),
        "reports page": reverse("reports"),
    }


def query_counts(client, world):
    counts = {}
    for name, url in report_urls(world).items():
        # Nothing from an earlier request: neither a PDF nor the data version, which is kept for VERSION_SECONDS
        # and would otherwise save a query or not depending on how long the previous render took.
        cache.clear()
        caches["reports"].clear()
        ReportJob.objects.all().delete()  # nor the record of a job that made the same report before
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    return counts


def test_each_report_view_costs_the_same_queries_with_one_record_and_with_many(client, caseworker):
    small = query_counts(client, build(1, author=caseworker, year=2023))
    large = query_counts(client, build(5, author=caseworker, year=2024))
    grew = {name: (small[name], large[name]) for name in small if large[name] != small[name]}
    assert not grew, f"query counts grew with the data (1 → 5): {grew}"
    # A filtered status report: its data, the filter built once more to count the selection against the size limit,
    # and the record of its job (with the tests' immediate task backend the render is part of the request).
    assert max(large.values()) <= 43, large  # 43 on PostgreSQL: the advisory lock that counts the running renders


@pytest.mark.parametrize(
    ("name", "file_name"),
    [
        ("status", r"statusrapport-2-tertial-2026\.pdf"),
        ("decision", r"oppfolging-av-vedtak-2026-7\.pdf"),
        ("measure", r"tiltak-1-tiltak-1-i-2026\.pdf"),
        ("commitments", r"forpliktelser-\d{4}-\d\d-\d\d\.pdf"),
        ("measures", r"tiltak-\d{4}-\d\d-\d\d\.pdf"),
        ("decisions", r"vedtak-\d{4}-\d\d-\d\d\.pdf"),
        ("plans", r"handlingsplaner-\d{4}-\d\d-\d\d\.pdf"),
    ],
)
def test_a_download_is_a_pdf_with_a_norwegian_file_name(client, caseworker, name, file_name):
    response = client.get(report_urls(build(1, author=caseworker, year=2026))[name])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert re.fullmatch(rf'attachment; filename="{file_name}"', response["Content-Disposition"]), response[
        "Content-Disposition"
    ]
    assert response.content.startswith(b"%PDF-")


def test_forty_downloads_of_unchanged_data_cost_one_render_and_a_change_makes_a_new_one(
    client, caseworker, django_capture_on_commit_callbacks
):
    world = build(1, author=caseworker, year=2026)
    url = report_urls(world)["status"]
    first = client.get(url)
    assert first["X-Report-Cache"] == "miss"
    again = [client.get(url) for _ in range(3)]
    assert {response["X-Report-Cache"] for response in again} == {"hit"}
    assert {response.content for response in again} == {first.content}

    with django_capture_on_commit_callbacks(execute=True):  # the data version moves on when the change commits
        update(world["measure"], MeasureStatus.DONE, author=caseworker, on=date(2026, 7, 1), period=world["period"])

    changed = client.get(url)
    assert changed["X-Report-Cache"] == "miss"
    assert changed.content != first.content
    assert "Gjennomført 1" in " ".join(page_texts(changed.content))
    assert client.get(url)["X-Report-Cache"] == "hit"


def test_the_archive_variant_is_cached_apart_from_the_default(client, caseworker):
    world = build(1, author=caseworker, year=2026)
    url = report_urls(world)["measure"]
    assert client.get(url)["X-Report-Cache"] == "miss"
    archive = client.get(url + "?archive=1")
    assert archive["X-Report-Cache"] == "miss"
    # The archive's XMP metadata is left uncompressed (PDF/A asks for it), so its claims can be read as they are.
    assert b'pdfaid:part="3"' in archive.content and b'pdfuaid:part="1"' in archive.content
    assert client.get(url + "?archive=1")["X-Report-Cache"] == "hit"


def test_each_list_page_links_to_its_pdf_with_the_same_filters_and_no_page(client, caseworker):
    world = build(1, author=caseworker, year=2026)
    theme = world["theme"].pk
    for list_name, pdf_name in [
        ("commitment_list", "commitment_list_pdf"),
        ("measure_list", "measure_list_pdf"),
        ("decision_list", "decision_list_pdf"),
        ("plan_list", "plan_list_pdf"),
    ]:
        page = client.get(reverse(list_name) + f"?theme={theme}&sort=title&page=1").text
        expected = f'href="{reverse(pdf_name)}?theme={theme}&amp;sort=title"'
        assert expected in page, list_name
        assert f'href="{reverse(pdf_name)}"' in client.get(reverse(list_name)).text, list_name


def test_the_decision_and_measure_pages_offer_their_pdf(client, caseworker):
    world = build(1, author=caseworker, year=2026)
    decision_page = client.get(reverse("decision_detail", args=[world["decision"].pk])).text
    assert reverse("decision_pdf", args=[world["decision"].pk]) in decision_page
    measure_page = client.get(reverse("measure_detail", args=[world["measure"].pk])).text
    assert reverse("measure_pdf", args=[world["measure"].pk]) in measure_page


def test_the_measure_list_pdf_selects_exactly_what_the_list_shows(client, caseworker):
    world = build(3, author=caseworker, year=2026)
    make_measure(title="Et tiltak utenfor planen")
    query = f"document=plan-{world['plan'].pk}&sort=-title"
    listed = re.findall(
        r'<td><a class="ds-link" href="/tiltak/\d+/">(?:\d+\. )?([^<]+)</a>',
        client.get(reverse("measure_list") + "?" + query).text,
    )
    document = " ".join(page_texts(client.get(reverse("measure_list_pdf") + "?" + query).content))
    in_pdf = re.findall(r"Tiltak \d i 2026|Et tiltak utenfor planen", document)
    assert listed == ["Tiltak 3 i 2026", "Tiltak 2 i 2026", "Tiltak 1 i 2026"]
    assert in_pdf == listed


def test_the_reports_page_offers_periods_filters_and_is_in_the_main_menu(client, caseworker):
    build(1, author=caseworker, year=2026)
    page = client.get(reverse("reports"))
    assert page.status_code == 200
    text = page.text
    assert f'<a href="{reverse("reports")}" aria-current="page">Rapporter</a>' in text
    assert 'name="period"' in text and 'value="2026-t2"' in text and 'value="2026-t1"' in text
    for name in ("theme", "document", "unit", "location", "archive"):
        assert f'name="{name}"' in text, name
    assert f'action="{reverse("status_report_pdf")}"' in text
    assert "style=" not in text and "<script>" not in text
    home = client.get(reverse("home")).text
    assert f'<a href="{reverse("reports")}">Rapporter</a>' in home


@pytest.mark.parametrize("query", ["period=1999-t1", "period=nonsense", "theme=999999", "unit=abc"])
def test_a_period_or_filter_that_does_not_exist_is_explained_not_reported_on_everything(client, caseworker, query):
    build(1, author=caseworker, year=2026)
    response = client.get(reverse("status_report_pdf") + "?period=2026-t2&" + query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_without_any_period_there_is_no_status_report(client):
    make_measure()
    assert client.get(reverse("status_report_pdf")).status_code == 404
    assert "Det finnes ingen rapporteringsperioder ennå" in client.get(reverse("reports")).text


def test_a_record_that_does_not_exist_is_a_404(client):
    assert client.get(reverse("decision_pdf", args=[999999])).status_code == 404
    assert client.get(reverse("measure_pdf", args=[999999])).status_code == 404
    assert client.get("/tiltak/" + "9" * 30 + "/pdf/").status_code == 404


def test_a_huge_report_is_only_made_for_people_who_are_logged_in(client, caseworker, settings):
    world = build(2, author=caseworker, year=2026)
    settings.PUBLIC_REPORT_LIMIT = 1  # a limit the small world exceeds
    url = reverse("measure_list_pdf") + f"?document=plan-{world['plan'].pk}"
    refused = client.get(url)
    assert refused.status_code == 413 and "Utvalget har 2" in refused.text
    assert f'href="{reverse("measure_list")}?document=plan-{world["plan"].pk}"' in refused.text  # back to narrow it
    assert client.get(reverse("status_report_pdf") + "?period=2026-t2").status_code == 413
    client.force_login(caseworker)
    assert client.get(url)["Content-Type"] == "application/pdf"


def test_made_up_parameters_do_not_make_a_list_pdf_render_again(client, caseworker, memory_cache):
    world = build(1, author=caseworker, year=2026)
    first = client.get(reverse("decision_list_pdf") + "?x=1")
    second = client.get(reverse("decision_list_pdf") + "?x=2&y=3")
    assert (first["X-Report-Cache"], second["X-Report-Cache"]) == ("miss", "hit")
    # The same selection written another way is the same PDF.
    theme = world["theme"].pk
    url = reverse("measure_list_pdf")
    assert client.get(f"{url}?theme={theme}")["X-Report-Cache"] == "miss"
    for same in (f"?theme={theme}&unit=&q=", f"?q=&theme={theme}&page=3", f"?theme={theme}&theme={theme}&late="):
        assert client.get(url + same)["X-Report-Cache"] == "hit", same
    assert client.get(f"{url}?status=in_progress&status=done")["X-Report-Cache"] == "miss"
    assert client.get(f"{url}?status=done&status=in_progress")["X-Report-Cache"] == "hit"
    status = reverse("status_report_pdf") + "?period=2026-t2"
    assert client.get(f"{status}&theme={theme}")["X-Report-Cache"] == "miss"
    assert client.get(f"{status}&unit=&theme={theme}&theme={theme}")["X-Report-Cache"] == "hit"
    unit = world["measure"].responsible_unit_id
    assert client.get(f"{status}&unit={unit}")["X-Report-Cache"] == "miss"
    assert client.get(f"{status}&unit=00{unit}")["X-Report-Cache"] == "hit"  # the same unit, written another way


@pytest.mark.parametrize("query", ["unit=abc", "sort=unknown", "theme=999999", "status=bogus", "unit=" + "9" * 30])
def test_filter_values_no_list_knows_make_no_pdf(client, caseworker, memory_cache, query):
    build(1, author=caseworker, year=2026)
    response = client.get(reverse("measure_list_pdf") + "?" + query)
    assert response.status_code == 400 and "Filtrene kan ikke brukes" in response.text
    assert f'href="{reverse("measure_list")}?' in response.text
    assert not caches["reports"]._cache  # nothing rendered, nothing cached
