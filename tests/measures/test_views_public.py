"""The public tracking pages: what a reader sees, filters, search, HTMX, and queries that do not grow with the data."""

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from decisions.models import CommitmentKind
from decisions.status import CommitmentStatus
from measures.caching import code_version
from measures.models import MeasureDecision
from measures.status import MeasureStatus
from tests.factories import (
    make_commitment,
    make_decision,
    make_location,
    make_measure,
    make_open_period,
    make_organisation,
    make_plan,
    make_platform,
    make_report,
    make_source,
    make_theme,
    make_user,
)

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)


def build(n, *, author, year=2024):
    """A small world with n of everything that repeats: measures, points, pledges, updates, partners, places."""
    theme = make_theme(name=f"Tema {year}")
    decision = make_decision(title=f"Vedtak {year}", case_number=f"{year}/123")
    platform = make_platform(title=f"Plattform {year}")
    points = [make_commitment(decision=decision, number=i, title=f"Punkt {i} i {year}") for i in range(1, n + 1)]
    pledges = [make_commitment(platform=platform, number=i, title=f"Løfte {i} i {year}") for i in range(1, n + 1)]
    unit = make_organisation(name=f"Etat {year}")
    location = make_location(name=f"MO-senter {year}", operator=unit)
    plan = make_plan(title=f"Handlingsplan {year}", adopted_by=decision)
    period = make_open_period(year=year)
    measures = []
    for i in range(1, n + 1):
        measure = make_measure(
            plan=plan,
            number=str(i),
            title=f"Tiltak {i} i {year}",
            responsible_unit=unit,
            deadline=YESTERDAY,
            commitments=[points[i - 1], pledges[i - 1]],
        )
        measure.partners.set([make_organisation(name=f"Partner {i} {year}")])
        measure.locations.add(location)
        measure.themes.add(theme)
        points[i - 1].themes.add(theme)
        MeasureDecision.objects.create(measure=measure, decision=decision, role="adopted_plan")
        for step in range(n):
            make_report(measure, MeasureStatus.IN_PROGRESS, author, period=period, happened=f"Steg {step}")
        if i % 2:  # as in the real records: the latest status is one a public document states (dated by it)
            make_report(measure, MeasureStatus.IN_PROGRESS, None, source=decision.source, happened="Kilden sier det.")
        measures.append(measure)
    return {
        "theme": theme,
        "decision": decision,
        "platform": platform,
        "point": points[0],
        "unit": unit,
        "location": location,
        "plan": plan,
        "period": period,
        "measure": measures[0],
        "source": decision.source,
    }


def pages(world):
    m, c = world["measure"], world["point"]
    return {
        "home": reverse("home"),
        "commitments": reverse("commitment_list"),
        "commitments filtered": reverse("commitment_list")
        + f"?status=in_progress&theme={world['theme'].pk}&unit={world['unit'].pk}&late=yes&q=Punkt&sort=title",
        "commitment": reverse("commitment_detail", args=[c.pk]),
        "decisions": reverse("decision_list"),
        "decisions filtered": reverse("decision_list") + f"?status=in_progress&location={world['location'].pk}",
        "decision": reverse("decision_detail", args=[world["decision"].pk]),
        "platforms": reverse("platform_list"),
        "platform": reverse("platform_detail", args=[world["platform"].pk]),
        "measures": reverse("measure_list"),
        "measures filtered": reverse("measure_list")
        + f"?status=in_progress&status=not_reported&period={world['period'].pk}&document=plan-{world['plan'].pk}",
        "measure": reverse("measure_detail", args=[m.pk]),
        "plans": reverse("plan_list"),
        "plans filtered": reverse("plan_list") + f"?status=in_progress&partner={m.partners.first().pk}",
        "plan": reverse("plan_detail", args=[world["plan"].pk]),
        "locations": reverse("location_list"),
        "location": reverse("location_detail", args=[world["location"].pk]),
        "organisations": reverse("organisation_list"),
        "organisation": reverse("organisation_detail", args=[world["unit"].pk]),
        "source": reverse("source_detail", args=[world["source"].pk]),
        "sources": reverse("source_list"),
        "search": reverse("search") + "?q=tiltak",
        "statuses": reverse("status_legend"),
        "corrections": reverse("correction_list"),
    }


# The queries each public page costs when nothing is cached (the tests' cache keeps nothing), the same with one record
# as with many (see the test below). A record's page reads the corrections made to it (one query, issue 12), and the
# data version for the keys of its cached fragments; a measure's page reads its unit and source inside its cached
# record (a hit reads neither).
PUBLIC_PAGE_QUERIES = {
    "home": 11,  # with the data version for the key of the cached body (a hit reads only that)
    "commitments": 13,
    "commitments filtered": 16,
    "commitment": 9,
    "decisions": 10,
    "decisions filtered": 11,
    "decision": 10,
    "platforms": 2,
    "platform": 6,
    "measures": 13,
    "measures filtered": 14,
    "measure": 14,
    "plans": 10,
    "plans filtered": 11,
    "plan": 8,
    "locations": 2,
    "location": 8,
    "organisations": 2,
    "organisation": 6,
    "source": 11,
    "sources": 4,
    "search": 8,
    "statuses": 1,
    "corrections": 2,
}


def query_counts(client, world):
    counts = {}
    for name, url in pages(world).items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    return counts


def test_every_public_page_costs_the_same_queries_with_one_record_and_with_many(client, caseworker):
    small = query_counts(client, build(1, author=caseworker, year=2023))
    large = query_counts(client, build(4, author=caseworker, year=2024))
    grew = {name: (small[name], large[name]) for name in small if large[name] != small[name]}
    assert not grew, f"query counts grew with the data (1 → 4): {grew}"
    # Pinned per page: a change that adds a query to a page shows here. The most is a filtered list (the version
    # of the data, the ids of the page and its rows, the count, and the choices of every filter in the form).
    assert large == PUBLIC_PAGE_QUERIES, large


def test_public_pages_need_no_account_and_set_a_strict_content_security_policy(client, caseworker):
    world = build(1, author=caseworker)
    response = client.get(pages(world)["measure"])
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.text and "style=" not in response.text


def test_the_pages_speak_norwegian_by_default_and_english_when_chosen(client, caseworker):
    world = build(1, author=caseworker)
    url = pages(world)["measure"]
    norwegian = client.get(url, headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="nb"' in norwegian.text
    assert "Pågår" in norwegian.text and "Ansvarlig enhet" in norwegian.text

    client.get(reverse("choose_language", args=["en"]) + f"?next={url}")
    english = client.get(url)
    assert '<html lang="en"' in english.text
    assert "In progress" in english.text and "Responsible unit" in english.text


def test_the_dashboard_counts_statuses_and_shows_what_is_late_new_and_neglected(client, caseworker):
    neglected = make_commitment(title="Ingen jobber med dette")
    late = make_measure(title="Forsinket tiltak", deadline=YESTERDAY, commitments=[make_commitment()])
    make_report(late, MeasureStatus.DELAYED, caseworker)
    finished = make_measure(title="Ferdig tiltak", deadline=YESTERDAY)
    make_report(finished, MeasureStatus.DONE, caseworker)
    make_measure(title="Ikke rapportert tiltak")

    page = client.get(reverse("home")).text

    late_section = page.split('id="late-heading"')[1].split("</section>")[0]
    assert "Forsinket tiltak" in late_section and "Ferdig tiltak" not in late_section
    neglected_section = page.split('id="nobody-heading"')[1].split("</section>")[0]
    assert neglected.title in neglected_section
    recent = page.split('id="recent-heading"')[1].split("</section>")[0]
    assert "Ferdig tiltak" in recent and "Forsinket tiltak" in recent
    # The chart's accessible title lists every status with its count.
    assert "Forsinket: 1" in page and "Gjennomført: 1" in page and "Ikke rapportert: 1" in page
    assert "Ikke fulgt opp: 1" in page


def test_the_dashboard_chart_is_svg_drawn_on_the_server(client):
    make_measure()
    page = client.get(reverse("home")).text
    svg = re.search(r"<svg[^>]*role=\"img\"[^>]*>.*?</svg>", page, re.S)
    assert svg, "the status chart is an inline SVG with role=img"
    assert "<title" in svg.group(0) and "<rect" in svg.group(0)


def listed_titles(response):
    """The titles in the first column of a list's table, in order (without a leading number)."""
    titles = re.findall(r'<tr>\s*<td><a class="ds-link" href="/[a-z]+/\d+/">([^<]+)</a>', response.text)
    return [re.sub(r"^\d+\. ", "", title) for title in titles]


def test_the_measure_list_filters_by_every_criterion(client, caseworker):
    theme, unit, partner, place = make_theme(), make_organisation(), make_organisation(), make_location()
    plan, period = make_plan(), make_open_period(year=2025)
    target = make_measure(title="Målet for filteret", plan=plan, number="1", responsible_unit=unit, deadline=YESTERDAY)
    target.themes.add(theme)
    target.partners.add(partner)
    target.locations.add(place)
    make_report(target, MeasureStatus.DELAYED, caseworker, period=period)
    other = make_measure(title="Et annet tiltak", deadline=timezone.localdate() + timedelta(days=30))
    make_report(other, MeasureStatus.IN_PROGRESS, caseworker)

    url = reverse("measure_list")
    for query in [
        "status=delayed",
        f"theme={theme.pk}",
        f"unit={unit.pk}",
        f"partner={partner.pk}",
        f"location={place.pk}",
        f"period={period.pk}",
        f"document=plan-{plan.pk}",
        "late=yes",
        "q=målet",
    ]:
        assert listed_titles(client.get(f"{url}?{query}")) == ["Målet for filteret"], query
    assert listed_titles(client.get(f"{url}?late=no")) == ["Et annet tiltak"]
    assert listed_titles(client.get(f"{url}?status=not_reported")) == []


def test_the_commitment_list_filters_by_source_document_status_and_late_measures(client, caseworker):
    platform, decision = make_platform(), make_decision()
    pledge = make_commitment(platform=platform, title="Et plattformløfte")
    point = make_commitment(decision=decision, title="Et vedtakspunkt")
    late = make_measure(deadline=YESTERDAY, commitments=[point])
    make_report(late, MeasureStatus.IN_PROGRESS, caseworker)

    url = reverse("commitment_list")
    assert listed_titles(client.get(f"{url}?document=platform-{platform.pk}")) == ["Et plattformløfte"]
    assert listed_titles(client.get(f"{url}?document=decision-{decision.pk}")) == ["Et vedtakspunkt"]
    assert listed_titles(client.get(f"{url}?late=yes")) == ["Et vedtakspunkt"]
    assert listed_titles(client.get(f"{url}?late=no")) == ["Et plattformløfte"]
    assert listed_titles(client.get(f"{url}?status=not_followed_up")) == ["Et plattformløfte"]
    assert pledge.status == CommitmentStatus.NOT_FOLLOWED_UP


def test_active_filters_are_shown_and_each_can_be_removed_on_its_own(client):
    theme = make_theme(name="Skadereduksjon")
    response = client.get(reverse("measure_list") + f"?status=delayed&status=done&theme={theme.pk}&page=1")
    chips = re.findall(r'<a class="filter-chip" href="\?([^"]*)">\s*<span>([^<]+)</span>', response.text)
    labels = [label for _query, label in chips]
    assert labels == ["Status: Forsinket", "Status: Gjennomført", "Tema: Skadereduksjon"]
    query_without_delayed = next(q for q, label in chips if label == "Status: Forsinket")
    assert "status=done" in query_without_delayed and "status=delayed" not in query_without_delayed
    assert f"theme={theme.pk}" in query_without_delayed and "page=" not in query_without_delayed


def test_the_hit_count_and_pagination_follow_the_filters(client):
    for i in range(30):
        make_measure(title=f"Tiltak nummer {i:02d}")
    first = client.get(reverse("measure_list") + "?q=nummer&sort=title")
    assert "30 treff, side 1 av 2" in " ".join(first.text.split())
    assert len(listed_titles(first)) == 25
    second = client.get(reverse("measure_list") + "?q=nummer&sort=title&page=2")
    assert listed_titles(second) == [f"Tiltak nummer {i:02d}" for i in range(25, 30)]
    # Page links keep the filter.
    assert "?q=nummer&amp;sort=title&amp;page=2" in first.text


def test_an_htmx_request_gets_only_the_results_and_a_plain_request_the_whole_page(client):
    make_measure(title="Ett tiltak")
    url = reverse("measure_list") + "?q=ett"
    partial = client.get(url, headers={"hx-request": "true", "hx-target": "results"})
    assert partial.text.lstrip().startswith('<div id="results"')
    assert "Ett tiltak" in partial.text and "<html" not in partial.text
    whole = client.get(url)
    assert (
        "<html" in whole.text and 'id="results"' in whole.text and f'hx-get="{reverse("measure_list")}"' in whole.text
    )


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "theme=abc",
        "unit=999999",
        "document=plan-notanumber",
        "document=plan-%C2%B2",
        "late=maybe",
        "sort=-password",
        "page=-3",
        "page=99999",
        "q=" + "x" * 5000,
        "q=%27%22<script>",
        "period=1&period=2",
        "unit=" + "9" * 30,
        "theme=" + "9" * 25,
        "location=-1",
    ],
)
@pytest.mark.parametrize("name", ["measure_list", "commitment_list", "decision_list", "plan_list"])
def test_nonsense_in_a_list_url_gets_a_message_never_an_error(client, name, query):
    make_measure()
    response = client.get(reverse(name) + "?" + query)
    assert response.status_code == 200
    assert "<script>" not in response.text.split("</head>")[1]
    if not query.startswith(("q=", "page=", "sort=")):
        # A value the list cannot use is not shown as a filter in use (its field explains it, where it has one).
        assert "filter-chip" not in response.text, query


def test_an_invalid_filter_value_is_explained_next_to_the_field(client):
    response = client.get(reverse("measure_list") + "?status=bogus")
    assert "Velg et gyldig valg" in response.text


def test_the_walk_from_a_platform_promise_to_the_latest_report_and_back(client, caseworker):
    platform = make_platform(title="Byrådsplattformen")
    pledge = make_commitment(platform=platform, title="Etablere brukerrom")
    measure = make_measure(title="Bygge om sprøyterommet", commitments=[pledge])
    make_report(
        measure, MeasureStatus.IN_PROGRESS, caseworker, happened="Lokaler er leid.", next_step="Søke dispensasjon."
    )

    platform_page = client.get(reverse("platform_detail", args=[platform.pk])).text
    assert reverse("commitment_detail", args=[pledge.pk]) in platform_page
    pledge_page = client.get(reverse("commitment_detail", args=[pledge.pk])).text
    assert reverse("measure_detail", args=[measure.pk]) in pledge_page and "Pågår" in pledge_page
    measure_page = client.get(reverse("measure_detail", args=[measure.pk])).text
    assert "Lokaler er leid." in measure_page and "Søke dispensasjon." in measure_page
    assert "Kari Nordmann" in measure_page
    assert reverse("commitment_detail", args=[pledge.pk]) in measure_page


def test_a_decision_shows_each_point_with_its_follow_up(client, caseworker):
    decision = make_decision(title="Nullvisjon for overdosedødsfall", date_note="21. september, år ikke oppgitt")
    done = make_commitment(decision=decision, number=1, title="Kartlegge hvem som dør", kind=CommitmentKind.ADDITION)
    make_commitment(decision=decision, number=2, title="Nalokson til flere", kind=CommitmentKind.ADDITION)
    measure = make_measure(title="Kartlegging", commitments=[done])
    make_report(measure, MeasureStatus.DONE, caseworker)

    page = client.get(reverse("decision_detail", args=[decision.pk])).text
    assert "21. september, år ikke oppgitt" in page
    first, second = page.split('id="point-1"')[1], page.split('id="point-2"')[1]
    assert "Oppfylt" in first.split("</li>")[0]
    assert "Ikke fulgt opp" in second.split("</li>")[0]
    assert "Ingen tiltak følger opp dette punktet" in second


def test_a_measure_shows_its_timeline_newest_first_with_who_when_period_and_next_step(client, caseworker):
    colleague = make_user("ola", first_name="Ola", last_name="Hansen")
    period = make_open_period(year=2025, kind="t2")
    measure = make_measure(title="Helse- og overdoseteam", deadline=date(2030, 1, 1))
    make_report(measure, MeasureStatus.PLANNED, caseworker, happened="Planlegging startet.")
    make_report(
        measure,
        MeasureStatus.IN_PROGRESS,
        colleague,
        period=period,
        happened="Teamet er i drift.",
        next_step="Evaluere.",
    )

    page = client.get(reverse("measure_detail", args=[measure.pk])).text
    timeline = page.split('class="timeline"')[1]
    assert timeline.index("Teamet er i drift.") < timeline.index("Planlegging startet.")
    assert "Ola Hansen" in timeline and "Kari Nordmann" in timeline
    assert "2. tertial 2025" in timeline and "Evaluere." in timeline
    assert "1. januar 2030" in page


def test_a_status_a_document_states_is_dated_by_the_document_never_by_its_loading(client, caseworker):
    document = make_source(title="Innlegg om lavterskeltilbudene")
    measure = make_measure(title="Motgift i nesespray")
    make_report(measure, MeasureStatus.IN_PROGRESS, None, source=document, happened="Utdelingen er i gang.")
    page = client.get(reverse("measure_detail", args=[measure.pk])).text
    loaded = date_format(timezone.localdate(), "DATE_FORMAT")
    assert "ifølge kilden, udatert" in page and loaded not in page
    assert "Innlegg om lavterskeltilbudene" in page.split('class="timeline"')[1]
    dated = make_measure(title="Med dato")
    make_report(dated, MeasureStatus.PLANNED, None, source=document, happened="Planlagt.", as_of=date(2019, 3, 1))
    assert "ifølge kilden, 1. mars 2019" in client.get(reverse("measure_detail", args=[dated.pk])).text
    # A person's report is dated by the day it was made.
    make_report(measure, MeasureStatus.DONE, caseworker, happened="Ferdig.")
    assert f"rapportert {loaded}" in client.get(reverse("measure_detail", args=[measure.pk])).text


def test_a_place_shows_all_that_happens_there(client, caseworker):
    gyldenpris = make_location(name="MO Gyldenpris", other_names="Strax-huset")
    there = make_measure(title="Regulert møteplass")
    there.locations.add(gyldenpris)
    make_measure(title="Et annet sted")
    page = client.get(reverse("location_detail", args=[gyldenpris.pk])).text
    assert "Regulert møteplass" in page and "Et annet sted" not in page and "Strax-huset" in page


def test_every_link_on_the_public_pages_leads_somewhere(client, caseworker):
    world = build(2, author=caseworker)
    seen, queue = set(), list(pages(world).values())
    while queue:
        url = queue.pop()
        if url in seen or len(seen) > 400:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        if "text/html" not in response.headers["Content-Type"]:
            continue
        for link in re.findall(r'href="(/[^"#]*)"', response.text):
            link = link.replace("&amp;", "&")
            if link.startswith(("/static/", "/admin/", "/sprak/", "/statusfarger")) or link in seen:
                continue
            queue.append(link)
    assert len(seen) > 30


def test_search_finds_inflected_forms_and_ranks_title_hits_first(client):
    make_measure(title="Sprøyterommet flyttes", description="")
    make_measure(title="Oppfølging av brukere", description="Mer om sprøyterommene i byen.")
    make_commitment(title="Etablere sprøyterom med sikte på brukerrom")
    make_measure(title="Noe helt annet")

    page = client.get(reverse("search") + "?q=sprøyterom").text
    assert "3 treff" in page
    measures = page.split('id="hits-measure"')[1].split("</section>")[0]
    assert measures.index("Sprøyterommet flyttes") < measures.index("Oppfølging av brukere")
    assert "Noe helt annet" not in page


def test_a_search_of_only_stop_words_still_finds_the_words(client):
    # PostgreSQL's Norwegian configuration drops «ett» and «og» from a query; the search must not go blank.
    make_measure(title="Ett døgnåpent tilbud")
    make_measure(title="Mat og drikke ved MO-senteret")
    make_measure(title="Noe helt annet")
    for query, title in (("ett", "Ett døgnåpent tilbud"), ("og", "Mat og drikke ved MO-senteret")):
        found = listed_titles(client.get(reverse("measure_list"), {"q": query}))
        assert found == [title], (query, found)
    # A stop word beside a real word is left to the ranked search as before.
    assert listed_titles(client.get(reverse("measure_list"), {"q": "ett tilbud"})) == ["Ett døgnåpent tilbud"]


def test_an_empty_or_odd_search_is_answered_calmly(client):
    assert "treff" not in client.get(reverse("search")).text.split('id="results"')[1]
    for query in ["&&&", "og", "'", "a:*", "x" * 1000]:
        response = client.get(reverse("search"), {"q": query})
        assert response.status_code == 200, query


@pytest.mark.parametrize("path", ["/tiltak/{}/", "/forpliktelser/{}/", "/vedtak/{}/", "/steder/{}/", "/kilder/{}/"])
def test_an_id_no_record_can_have_is_an_ordinary_not_found(client, path):
    for number in ["999999", "9" * 19, "9" * 40]:
        response = client.get(path.format(number))
        assert response.status_code == 404, (path, number)


def test_public_pages_are_rendered_once_per_change_of_the_data(
    client, caseworker, memory_cache, django_capture_on_commit_callbacks
):
    measure = make_measure(title="Før endringen")
    url = reverse("measure_detail", args=[measure.pk])
    assert "Før endringen" in client.get(url).text
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert "Før endringen" in again.text and len(queries) <= 1  # at most the data version is read
    assert "Cookie" in again.headers["Vary"] and "HX-Request" in again.headers["Vary"]

    with django_capture_on_commit_callbacks(execute=True):  # as when the change's transaction commits
        measure.title = "Etter endringen"
        measure.save()
    assert "Etter endringen" in client.get(url).text  # a change makes every cached page stale at once

    english = client.get(reverse("choose_language", args=["en"]) + f"?next={url}", follow=True)
    assert '<html lang="en"' in english.text  # the language is part of the key
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) > 1  # logged-in people always get a fresh page (it shows them their own things)


def test_the_language_switch_only_follows_addresses_on_this_site(client):
    response = client.get(reverse("choose_language", args=["en"]) + "?next=https://evil.example/")
    assert response.status_code == 302 and response.url == "/"
    assert client.get(reverse("choose_language", args=["xx"])).status_code == 404


def test_the_source_documents_are_listed_with_what_is_known_of_their_date(client):
    dated = make_source(title="Bystyrets vedtak om nullvisjon", published_on=date(2021, 9, 21), case_number="2021/42")
    undated = make_source(title="Innlegg om lavterskeltilbudene", date_note="Udatert; trolig høsten 2014.")
    page = client.get(reverse("source_list")).text
    assert f'href="{reverse("source_detail", args=[dated.pk])}"' in page
    assert "21. september 2021" in page and "sak 2021/42" in page
    assert f'href="{reverse("source_detail", args=[undated.pk])}"' in page and "trolig høsten 2014" in page
    assert 'href="/kilder/"' in client.get(reverse("home")).text  # reached from every page's footer


def test_a_head_request_is_answered_like_a_get_without_the_page(client):
    # Uptime monitors and link checkers ask with HEAD.
    make_measure(title="Et tiltak")
    for name in ("home", "measure_list", "commitment_list", "search"):
        response = client.head(reverse(name))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), name


def test_a_new_release_of_the_code_renders_cached_pages_anew(client, memory_cache):
    # The page cache lives on disk and outlives the processes: a deploy must not serve pages of the old templates.
    measure = make_measure(title="Et tiltak")
    url = reverse("measure_detail", args=[measure.pk])

    def queries_to_get():
        with CaptureQueriesContext(connection) as queries:
            assert "Et tiltak" in client.get(url).text
        return len(queries)

    queries_to_get()
    assert queries_to_get() <= 1  # from the cache
    template = Path(settings.BASE_DIR) / "templates" / "tracking" / "measure_detail.html"
    stat = template.stat()
    try:
        os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # as a deploy would
        code_version.cache_clear()  # a new process
        assert queries_to_get() > 1  # rendered by the new code
    finally:
        os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        code_version.cache_clear()


def test_the_filter_form_is_rendered_once_per_change_of_the_data_for_everyone(
    client, caseworker, memory_cache, django_capture_on_commit_callbacks
):
    # Logged-in people get every page rendered, but the filter form is the same for all: it is kept.
    make_measure(title="Et tiltak")
    client.force_login(caseworker)
    url = reverse("measure_list") + "?q=tiltak"

    def queries_for_the_list():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).text
        return len(queries), page

    first, _page = queries_for_the_list()
    again, page = queries_for_the_list()
    assert again < first and 'name="q" value="tiltak"' in page  # the form's choices are not read again
    with django_capture_on_commit_callbacks(execute=True):
        make_theme(name="Et nytt tema")
    assert "Et nytt tema" in queries_for_the_list()[1]  # a change of the data renders the form anew
    other = client.get(reverse("measure_list") + "?q=annet").text
    assert 'name="q" value="annet"' in other  # another address, another form
    english = client.get(reverse("choose_language", args=["en"]) + "?next=" + url, follow=True).text
    assert '<legend class="ds-label">Status</legend>' in english and ">Show results<" in english  # another language


def test_the_sort_choices_follow_the_readers_language(client):
    make_measure(title="Et tiltak")
    norwegian = client.get(reverse("measure_list")).text
    assert re.search(r'<option value="-title"[^>]*>Tittel \(synkende\)<', norwegian)
    english = client.get(reverse("choose_language", args=["en"]) + "?next=/tiltak/", follow=True).text
    assert re.search(r'<option value="-title"[^>]*>Title \(descending\)<', english)


def test_the_dashboard_body_is_made_once_per_change_of_the_data_also_for_logged_in_people(
    client, caseworker, memory_cache, django_capture_on_commit_callbacks
):
    client.force_login(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        make_measure(title="Et forsinket tiltak", deadline=date(2020, 1, 1))
    first = client.get(reverse("home"))
    assert "Et forsinket tiltak" in first.text
    with CaptureQueriesContext(connection) as queries:
        again = client.get(reverse("home"))
    assert "Et forsinket tiltak" in again.text
    # The session, the person, the data version and the session's expiry: no count over the measures.
    assert not any("measures_measure" in query["sql"] for query in queries.captured_queries)
    with django_capture_on_commit_callbacks(execute=True):
        make_measure(title="Enda et forsinket tiltak", deadline=date(2020, 1, 2))
    assert "Enda et forsinket tiltak" in client.get(reverse("home")).text
