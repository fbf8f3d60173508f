"""The Atom feeds: valid Atom, what each one follows, and the pages that link theirs in the head and with «Følg»."""

import re

import feedparser
import pytest
from django.urls import reverse

from measures.models import StatusUpdate
from measures.services import record_status
from measures.status import MeasureStatus
from tests.factories import make_measure, make_source

pytestmark = pytest.mark.django_db


def parse(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def test_the_site_feed_holds_the_reports_people_made_and_the_changes_of_status(client, three):
    feed = parse(client, reverse("feed"))
    assert feed.feed.title == "Ruspolitikk i Bergen: nye statusrapporter og endrede statuser"
    reports = [e for e in feed.entries if "#update-" in e.link]
    changes = [e for e in feed.entries if "/forpliktelser/" in e.link]
    assert {e.title for e in reports} == {f"{m}: Pågår" for m in three["measures"]}
    assert {e.author for e in reports} == {"Kari Nordmann"}
    update = StatusUpdate.objects.get(measure=three["measures"][0])
    assert f"http://testserver/tiltak/{three['measures'][0].pk}/#update-{update.pk}" in {e.link for e in reports}
    # Each measure moved its decision point and its platform pledge from «not followed up» to «in progress».
    assert len(changes) == 6
    assert all(e.title.endswith(": nå pågår") for e in changes)
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    dates = [e.updated_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True)


def test_a_status_a_document_states_is_no_news(client, one):
    measure = one["measures"][0]
    record_status(measure=measure, status=MeasureStatus.DONE, happened="Ifølge kilden ferdig.", source=make_source())
    titles = [e.title for e in parse(client, reverse("feed")).entries]
    assert f"{measure}: Gjennomført" not in titles


def test_each_record_feed_follows_only_its_own(client, three, reporter):
    first, second = three["measures"][0], three["measures"][1]
    record_status(measure=second, status=MeasureStatus.DELAYED, happened="Forsinket.", user=reporter)
    measure_feed = parse(client, reverse("measure_feed", args=[second.pk]))
    assert [e.title for e in measure_feed.entries if "#update-" in e.link] == [
        f"{second}: Forsinket",
        f"{second}: Pågår",
    ]
    point = three["commitments"][0]  # the decision point of the first measure
    commitment_feed = parse(client, reverse("commitment_feed", args=[point.pk]))
    assert {e.title for e in commitment_feed.entries} == {f"{first}: Pågår", f"{point}: nå pågår"}
    assert commitment_feed.feed.title == f"Følg: {point}"
    unit_feed = parse(client, reverse("unit_feed", args=[three["unit"].pk]))
    assert len([e for e in unit_feed.entries if "#update-" in e.link]) == 4
    theme_feed = parse(client, reverse("theme_feed", args=[three["theme"].slug]))
    assert theme_feed.feed.title == "Følg temaet: Skadereduksjon"


def test_a_filtered_list_has_a_feed_of_what_it_shows(client, three, reporter):
    other = make_measure(title="Tiltak uten tema")
    record_status(measure=other, status=MeasureStatus.DONE, happened="Ferdig.", user=reporter)
    everything = parse(client, reverse("measure_list_feed"))
    assert f"{other}: Gjennomført" in {e.title for e in everything.entries}
    themed = parse(client, reverse("measure_list_feed") + f"?theme={three['theme'].pk}")
    assert {e.title for e in themed.entries if "#update-" in e.link} == {f"{m}: Pågår" for m in three["measures"]}
    assert themed.feed.link == f"http://testserver/tiltak/?theme={three['theme'].pk}"
    done = parse(client, reverse("commitment_list_feed") + "?status=in_progress&kind=pledge")
    assert {e.title for e in done.entries if "/forpliktelser/" in e.link} == {
        f"{c}: nå pågår" for m in three["measures"] for c in m.commitments.filter(platform__isnull=False)
    }
    assert client.get(reverse("measure_list_feed") + "?unit=nonsense").status_code == 400
    assert client.get(reverse("decision_list_feed") + "?status=nonsense").status_code == 400


def head_feed(html):
    found = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)">', html)
    assert len(found) == 1, found
    return found[0].replace("&amp;", "&")


def follow_link(html):
    found = re.findall(r'<a class="ds-link" href="([^"]+)" type="application/atom\+xml">Følg<', html)
    assert len(found) == 1, found
    return found[0].replace("&amp;", "&")


def test_each_page_with_a_feed_links_it_in_its_head_and_shows_follow(client, three):
    measure, point, unit = three["measures"][0], three["commitments"][0], three["unit"]
    pages = {
        reverse("home"): reverse("feed"),
        reverse("measure_detail", args=[measure.pk]): reverse("measure_feed", args=[measure.pk]),
        reverse("commitment_detail", args=[point.pk]): reverse("commitment_feed", args=[point.pk]),
        reverse("organisation_detail", args=[unit.pk]): reverse("unit_feed", args=[unit.pk]),
        reverse("measure_list") + "?status=in_progress&page=1": reverse("measure_list_feed") + "?status=in_progress",
        reverse("commitment_list") + f"?theme={three['theme'].pk}": reverse("commitment_list_feed")
        + f"?theme={three['theme'].pk}",
        reverse("decision_list"): reverse("decision_list_feed"),
        reverse("plan_list"): reverse("plan_list_feed"),
    }
    for page, feed in pages.items():
        html = client.get(page).content.decode()
        assert head_feed(html) == feed, page
        assert follow_link(html) == feed, page
        parse(client, feed)
