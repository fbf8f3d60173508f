"""Free-text search, on both databases: folded letters, places and units, any of several words, synonyms, and every
list's filters (free text included) inside a subquery and in every list PDF (the 500 PostgreSQL gave)."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import Commitment, Decision, Source
from measures.filters import ActionPlanFilter, CommitmentFilter, DecisionFilter, MeasureFilter
from measures.models import ActionPlan, Measure, MeasureDecision
from measures.search import ranked, synonym_groups, text_filter
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


def listed_titles(response):
    """The titles in the first column of a list's table, in order (without a leading number)."""
    titles = re.findall(r'<tr>\s*<td><a class="ds-link" href="/[a-z]+/\d+/">([^<]+)</a>', response.text)
    return [re.sub(r"^\d+\. ", "", title) for title in titles]


def search_section(client, query, kind):
    """The titles (or names) in one section of the search page for `query`, in order."""
    page = client.get(reverse("search"), {"q": query}).text
    if f'id="hits-{kind}"' not in page:
        return []
    section = page.split(f'id="hits-{kind}"')[1].split("</section>")[0]
    return re.findall(r'<a class="ds-link" href="/[a-z]+/\d+/">([^<]+)</a>', section)


def titles(queryset):
    return [row.title for row in queryset]


def test_words_typed_without_norwegian_letters_find_the_words_with_them(client):
    make_measure(title="Sprøyterommet i Bergen")
    make_measure(title="Lavterskel helsetilbud på Årstad")
    make_measure(title="Særlig tilbud for kvinner")
    make_measure(title="Noe helt annet")
    for query, title in [
        ("sproyterom", "Sprøyterommet i Bergen"),
        ("sproeyterom", "Sprøyterommet i Bergen"),
        ("arstad", "Lavterskel helsetilbud på Årstad"),
        ("aarstad", "Lavterskel helsetilbud på Årstad"),
        ("saerlig", "Særlig tilbud for kvinner"),
        ("SARLIG", "Særlig tilbud for kvinner"),
    ]:
        assert listed_titles(client.get(reverse("measure_list"), {"q": query})) == [title], query
    # And the other way round: the letters typed find text written without them.
    make_commitment(title="Apne et sproyterom")
    assert search_section(client, "sprøyterom", "commitment") == ["Apne et sproyterom"]


def test_places_and_units_are_found_and_find_their_measures(client):
    strax = make_location(name="Strax-huset", other_names="MO Gyldenpris")
    unit = make_organisation(name="Utekontakten i Bergen", short_name="UTE")
    at_strax = make_measure(title="Døgnåpent tilbud")
    at_strax.locations.add(strax)
    make_measure(title="Oppsøkende arbeid", responsible_unit=unit)
    partnered = make_measure(title="Felles kurs")
    partnered.partners.add(unit)
    make_measure(title="Noe helt annet")

    assert search_section(client, "Strax", "location") == ["Strax-huset"]
    assert search_section(client, "utekontakten", "organisation") == ["Utekontakten i Bergen"]
    assert search_section(client, "Strax", "measure") == ["Døgnåpent tilbud"]
    assert listed_titles(client.get(reverse("measure_list"), {"q": "Strax"})) == ["Døgnåpent tilbud"]
    assert listed_titles(client.get(reverse("measure_list"), {"q": "gyldenpris"})) == ["Døgnåpent tilbud"]
    assert sorted(listed_titles(client.get(reverse("measure_list"), {"q": "Utekontakten", "sort": "title"}))) == [
        "Felles kurs",
        "Oppsøkende arbeid",
    ]


def test_several_words_find_records_with_any_of_them_and_more_words_rank_higher(client):
    make_measure(title="Nalokson deles ut", description="")
    make_measure(title="Kurs i førstehjelp", description="Alle ansatte lærer å gi nalokson og hjerte-lunge-redning.")
    make_measure(title="Hjerte-lunge-redning for brukere", description="")
    make_measure(title="Noe helt annet", description="")

    found = listed_titles(client.get(reverse("measure_list"), {"q": "nalokson hjerte-lunge-redning", "sort": "title"}))
    assert found == ["Hjerte-lunge-redning for brukere", "Kurs i førstehjelp", "Nalokson deles ut"]
    ranked_titles = search_section(client, "nalokson hjerte-lunge-redning", "measure")
    assert ranked_titles[0] == "Kurs i førstehjelp"  # the only one with both
    assert "Noe helt annet" not in ranked_titles
    # A word nothing has does not make the others disappear.
    assert search_section(client, "nalokson blåbærsyltetøy", "measure") == ["Nalokson deles ut", "Kurs i førstehjelp"]


def test_the_domains_synonyms_find_each_other(client):
    make_measure(title="Nesespray med nalokson til brukere", description="")
    make_measure(title="Motgift på MO-sentrene", description="")
    make_measure(title="Etablere brukerrom", description="")
    make_measure(title="Utvide LAR-tilbudet", description="")
    make_measure(title="Flere mottaks- og oppfølgingssentre", description="")
    make_measure(title="Noe helt annet", description="")
    cases = [
        ("nalokson nesespray", ["Nesespray med nalokson til brukere", "Motgift på MO-sentrene"]),
        ("motgift", ["Motgift på MO-sentrene", "Nesespray med nalokson til brukere"]),
        ("sprøyterom", ["Etablere brukerrom"]),
        ("injeksjonsrom", ["Etablere brukerrom"]),
        ("legemiddelassistert rehabilitering", ["Utvide LAR-tilbudet"]),
        ("MO-senter", ["Flere mottaks- og oppfølgingssentre", "Motgift på MO-sentrene"]),
    ]
    for query, expected in cases:
        assert sorted(search_section(client, query, "measure")) == sorted(expected), query
    # What was typed itself ranks above its synonyms.
    assert search_section(client, "motgift", "measure")[0] == "Motgift på MO-sentrene"


def test_every_group_in_the_synonym_file_is_found_by_each_of_its_phrases():
    groups = set(synonym_groups().values())
    assert len(groups) >= 10
    for phrases in groups:
        written = " ".join(phrases[0])
        measure = make_measure(title=f"Om {written} i Bergen", description="")
        for phrase in phrases:
            query = " ".join(phrase)
            assert measure in text_filter(Measure.objects.all(), query), (written, query)
        measure.delete()


def test_the_search_page_costs_the_same_queries_with_one_hit_and_with_many(client):
    def count(query):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("search"), {"q": query})
        assert "treff" in response.text
        return len(queries)

    place, unit = make_location(name="Sted ved sjøen"), make_organisation(name="Sjøenheten")
    measure = make_measure(title="Tilbud ved sjøen", responsible_unit=unit)
    measure.locations.add(place)
    make_commitment(title="Ved sjøen", decision=make_decision(title="Vedtak om sjøen"))
    one = count("sjøen")
    for i in range(12):
        other = make_measure(title=f"Tilbud {i} ved sjøen", responsible_unit=make_organisation(name=f"Sjø {i}"))
        other.locations.add(make_location(name=f"Sjøsted {i}"))
        make_commitment(title=f"Ved sjøen {i}", decision=make_decision(title=f"Vedtak {i} om sjøen"))
    many = count("sjøen sjø nalokson")
    # The count and the first hits of each of the six kinds of record.
    assert (one, many) == (12, 12)


def _world():
    """Two of each listed record, one of which every filter and the word «plan» select."""
    theme, unit, partner, place = make_theme(), make_organisation(), make_organisation(), make_location()
    decision = make_decision(title="Vedtak om planen", case_number="2024/1", decided_on=date(2024, 3, 1))
    make_decision(title="Et annet vedtak")
    plan = make_plan(title="Plan mot åpne russcener", adopted_by=decision)
    make_plan(title="Et annet dokument")
    point = make_commitment(decision=decision, title="Følge opp planen")
    make_commitment(decision=decision, title="Noe annet")
    period = make_period(year=2024, kind="t1")
    measure = make_measure(
        title="Tiltak i planen", plan=plan, responsible_unit=unit, deadline=date(2024, 2, 1), commitments=[point]
    )
    measure.themes.add(theme)
    measure.partners.add(partner)
    measure.locations.add(place)
    MeasureDecision.objects.create(measure=measure, decision=decision, role="adopted_plan")
    update(measure, MeasureStatus.IN_PROGRESS, author=None, source=decision.source, on=date(2024, 2, 10), period=period)
    for record in (decision, plan, point):
        record.themes.add(theme)
    make_measure(title="Et tiltak uten noe")
    return {
        "q": "plan",
        "theme": [theme.pk],
        "unit": unit.pk,
        "partner": partner.pk,
        "location": place.pk,
        "period": period.pk,
        "late": "yes",
        "document": f"plan-{plan.pk}",
    }


LISTS = [
    (CommitmentFilter, Commitment, {"status": ["in_progress"], "kind": "addition"}),
    (MeasureFilter, Measure, {"status": ["in_progress"]}),
    (DecisionFilter, Decision, {"status": ["in_progress"], "body": "council"}),
    (ActionPlanFilter, ActionPlan, {"status": ["in_progress"]}),
]


@pytest.mark.parametrize(("filterset_class", "model", "own"), LISTS, ids=lambda value: getattr(value, "__name__", ""))
def test_every_lists_filters_with_free_text_work_inside_a_subquery(filterset_class, model, own):
    shared = _world()
    shared["document"] = shared["document"] if "document" in filterset_class.base_filters else None
    every = {name: value for name, value in {**shared, **own}.items() if value is not None}
    combinations = [{"q": "plan"}, every] + [{"q": "plan", name: value} for name, value in every.items()]
    selected_something = False
    for data in combinations:
        filterset = filterset_class(data)
        assert filterset.is_valid(), (data, filterset.errors)
        direct = sorted(filterset.qs.values_list("pk", flat=True))
        inside = sorted(model.objects.filter(pk__in=filterset.qs.values("pk")).values_list("pk", flat=True))
        assert inside == direct, data
        # Inside a query of another table, too (there a column named by its table would point nowhere).
        sources = set(Source.objects.filter(pk__in=filterset.qs.values("source")).values_list("pk", flat=True))
        assert sources == set(model.objects.filter(pk__in=direct).values_list("source", flat=True)), data
        selected_something |= bool(direct)
    assert selected_something, "no combination selected a record: the test would prove nothing"
    assert filterset_class(every).qs.exists(), "every filter at once selects the record made for them"


@pytest.mark.parametrize(
    ("name", "expected", "left_out"),
    [
        ("commitment_list_pdf", "Følge opp planen", "Noe annet"),
        ("measure_list_pdf", "Tiltak i planen", "Et tiltak uten noe"),
        ("decision_list_pdf", "Vedtak om planen", "Et annet vedtak"),
        ("plan_list_pdf", "Plan mot åpne russcener", "Et annet dokument"),
    ],
)
def test_every_list_pdf_renders_with_free_text(client, name, expected, left_out):
    _world()
    response = client.get(reverse(name), {"q": "plan"})
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page_texts(response.content))
    assert expected in text
    assert left_out not in text


def test_ranked_search_works_inside_a_subquery_on_both_databases():
    make_measure(title="Sprøyterom i sentrum")
    make_measure(title="Noe annet")
    hits = ranked(Measure.objects.all(), "sproyterom brukerrom")
    assert titles(Measure.objects.filter(pk__in=hits.values("pk"))) == ["Sprøyterom i sentrum"]


@pytest.mark.parametrize("name", ["commitment_list", "measure_list", "decision_list", "plan_list"])
def test_a_searched_list_costs_the_same_queries_with_one_hit_and_with_many(client, name):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name), {"q": "sjøen nalokson"})
        assert listed_titles(response), "the search must find something"
        return len(queries)

    def add(i):
        decision = make_decision(title=f"Vedtak {i} om sjøen", decided_on=date(2024, 1, 1))
        point = make_commitment(decision=decision, title=f"Punkt {i} ved sjøen")
        plan = make_plan(title=f"Plan {i} for sjøen")
        measure = make_measure(title=f"Tiltak {i}", plan=plan, commitments=[point])
        measure.locations.add(make_location(name=f"Sted {i} ved sjøen"))
        measure.responsible_unit = make_organisation(name=f"Sjøenheten {i}")
        measure.save()

    add(0)
    one = count()
    for i in range(1, 8):
        add(i)
    assert count() == one
    assert one <= 16
