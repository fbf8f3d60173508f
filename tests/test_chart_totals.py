"""Every chart counts what its page lists: on each page kind and each PDF with a chart, the chart's total is the
number of rows the page's table or list reports.

The pages are read as a person reads them: from the rendered HTML (the chart's own bars and caption, the heading's
count, the table's rows) and from the PDF's text, never from the functions that compute them. So a page whose chart
is counted another way than its table (as the place pages once were, grouped on a queryset that kept its
ordering) fails here. Run over synthetic data with every status and over the real records.
"""

import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from decisions.models import Commitment, Decision, Platform, Theme
from measures.models import ActionPlan, Location, Measure, Organisation
from measures.status import MeasureStatus
from tests.factories import (
    make_commitment,
    make_decision,
    make_location,
    make_measure,
    make_organisation,
    make_period,
    make_plan,
    make_platform,
    make_theme,
)
from tests.reports.helpers import page_texts, update

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def find_all(self, tag, **attrs):
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and all(
                    value in (child.attrs.get(name.rstrip("_")) or "").split() for name, value in attrs.items()
                ):
                    found.append(child)
                found += child.find_all(tag, **attrs)
        return found

    def by_id(self, element_id):
        for child in self.children:
            if isinstance(child, Node):
                if child.attrs.get("id") == element_id:
                    return child
                hit = child.by_id(element_id)
                if hit is not None:
                    return hit
        return None


class Tree(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("document", {})
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return Tree(response.content.decode()).root


def number(text):
    return int(re.sub(r"\s", "", text))


def chart_total(figure):
    """The total a chart states in its caption, checked against the sum of the counts drawn at its bars."""
    caption = figure.find_all("figcaption")[0].text()
    stated = number(re.findall(r"\(([\d\s]+)\D*\)", caption)[-1])
    drawn = sum(number(text.text()) for text in figure.find_all("text") if text.attrs.get("font-weight") == "600")
    assert drawn == stated, caption
    return stated


def the_chart(root):
    figures = root.find_all("figure", class_="status-chart")
    assert len(figures) == 1
    return chart_total(figures[0])


def table_rows(root, section_id):
    section = root.by_id(section_id).parent
    return sum(len(body.find_all("tr")) for body in section.find_all("tbody"))


def heading_count(root, heading_id):
    return number(re.findall(r"\(([\d\s]+)\)", root.by_id(heading_id).text())[-1])


def result_count(root):
    return number(re.match(r"\s*([\d\s]+?)\s+\D", root.by_id("result-count").text()).group(1))


def pdf_text(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", url
    return " ".join(page_texts(b"".join(response.streaming_content) if response.streaming else response.content))


def pdf_chart_totals(text):
    """The totals the PDF's charts state in their captions («… (12 i alt)»)."""
    return [number(found) for found in re.findall(r"\(([\d\s]+?) i alt\)", text)]


def pdf_hits(text):
    return number(re.search(r"(\d[\d\s]*?) treff", text).group(1))


# --- The pages -----------------------------------------------------------------------------------------------------


def check_location(client, location):
    root = page(client, reverse("location_detail", args=[location.pk]))
    listed = heading_count(root, "measures-heading")
    assert the_chart(root) == listed == location.measures.count(), location
    if listed:
        assert table_rows(root, "measures-heading") == listed


def check_plan(client, plan):
    root = page(client, reverse("plan_detail", args=[plan.pk]))
    listed = heading_count(root, "measures-heading")
    assert the_chart(root) == listed == plan.measures.count(), plan
    if listed:
        assert table_rows(root, "measures-heading") == listed


def check_points(client, url, heading_id):
    root = page(client, url)
    points = root.by_id(heading_id).parent.find_all("li", class_="point")
    assert the_chart(root) == len(points), url


def check_dashboard(client):
    root = page(client, reverse("home"))
    for heading_id, list_name in [("commitments-heading", "commitment_list"), ("measures-heading", "measure_list")]:
        card = root.by_id(heading_id).parent
        total = chart_total(card.find_all("figure", class_="status-chart")[0])
        assert total == result_count(page(client, reverse(list_name)))
        # Each count under the chart is the number of hits its link finds.
        for link in card.find_all("ul", class_="count-links")[0].find_all("a"):
            shown = number(link.text().rsplit(":", 1)[1])
            assert result_count(page(client, link.attrs["href"])) == shown, link.attrs["href"]


def check_pages(client):
    check_dashboard(client)
    for location in Location.objects.all():
        check_location(client, location)
    for plan in ActionPlan.objects.all():
        check_plan(client, plan)
    for decision in Decision.objects.all():
        check_points(client, reverse("decision_detail", args=[decision.pk]), "points-heading")
    for platform in Platform.objects.all():
        check_points(client, reverse("platform_detail", args=[platform.pk]), "pledges-heading")


# --- The PDFs ------------------------------------------------------------------------------------------------------


def check_list_pdfs(client):
    for list_name, url_name in [("measure_list", "measure_list_pdf"), ("commitment_list", "commitment_list_pdf")]:
        text = pdf_text(client, reverse(url_name))
        assert pdf_chart_totals(text) == [pdf_hits(text)] == [result_count(page(client, reverse(list_name)))]
    # The plan list's chart counts the plans' measures; each plan states its own number of them.
    text = pdf_text(client, reverse("plan_list_pdf"))
    per_plan = [number(found) for found in re.findall(r"(\d+) tiltak", text)]
    assert pdf_chart_totals(text) == [sum(per_plan)] == [Measure.objects.filter(plan__isnull=False).count()]
    assert len(per_plan) == pdf_hits(text) == ActionPlan.objects.count()
    # The decision list's chart counts the decisions' points.
    text = pdf_text(client, reverse("decision_list_pdf"))
    assert pdf_chart_totals(text) == [Commitment.objects.filter(decision__isnull=False).count()]


def check_status_reports(client, selections):
    """The status report, whole and for a theme and a unit: each chart's total is what the report says it covers."""
    for query in selections:
        text = pdf_text(client, reverse("status_report_pdf") + query)
        covers = re.search(r"Rapporten omfatter ([\d\s]+?) tiltak og ([\d\s]+?) forpliktelse", text)
        measures, commitments = number(covers.group(1)), number(covers.group(2))
        assert pdf_chart_totals(text) == [measures, commitments], query
        in_all = [number(found) for found in re.findall(r"I alt ([\d\s]+?) ", text)]
        assert in_all == [measures, commitments], query


def check_decision_pdfs(client):
    for decision in Decision.objects.all():
        text = pdf_text(client, reverse("decision_pdf", args=[decision.pk]))
        assert pdf_chart_totals(text) == [decision.points.count()], decision


# --- The data ------------------------------------------------------------------------------------------------------


@pytest.fixture
def synthetic(caseworker):
    """Places, plans, a decision and a platform whose measures have every status, «not reported» included."""
    period = make_period(year=2026, kind="t1")
    theme, other_theme = make_theme(name="Skadereduksjon"), make_theme(name="Bolig")
    unit, other_unit = make_organisation(name="Etat for rusomsorg"), make_organisation(name="Helseetaten")
    place, quiet_place = make_location(name="Strax-huset"), make_location(name="Et nytt sted")
    plan, other_plan = make_plan(title="Handlingsplan mot åpne russcener"), make_plan(title="Boligplanen")
    decision, platform = make_decision(title="Vedtak om russcenen"), make_platform(title="Byrådsplattformen")
    points = [make_commitment(decision=decision, number=n, title=f"Punkt {n}") for n in range(1, 5)]
    pledges = [make_commitment(platform=platform, number=n, title=f"Løfte {n}") for n in range(1, 4)]
    statuses = [
        MeasureStatus.PLANNED,
        MeasureStatus.IN_PROGRESS,
        MeasureStatus.IN_PROGRESS,
        MeasureStatus.DELAYED,
        MeasureStatus.DONE,
        MeasureStatus.CANCELLED,
        None,
    ]
    for index, status in enumerate(statuses * 2):
        first_half = index < len(statuses)
        measure = make_measure(
            plan=plan if first_half else other_plan,
            number=str(index + 1),
            title=f"Tiltak {index + 1:02d}",
            responsible_unit=unit if index % 2 else other_unit,
            deadline=date(2025, 6, 1) if index % 3 == 0 else None,
            commitments=[points[index % 3], pledges[index % 2]],
        )
        measure.themes.add(theme if first_half else other_theme)
        if first_half:
            measure.locations.add(place)
        if status is not None:
            update(measure, status, author=caseworker, on=date(2026, 2, 1 + index), period=period)
    make_measure(title="Uten plan og sted")
    return {"period": period, "theme": theme, "unit": unit, "place": place, "quiet": quiet_place}


def test_every_chart_on_the_pages_counts_what_its_page_lists(client, synthetic):
    assert synthetic["place"].measures.count() == 7
    check_pages(client)


def test_every_chart_in_the_pdfs_counts_what_its_report_lists(client, synthetic):
    check_list_pdfs(client)
    check_decision_pdfs(client)
    period = f"?period={synthetic['period'].pk}"
    check_status_reports(
        client,
        [period, f"{period}&theme={synthetic['theme'].pk}", f"{period}&unit={synthetic['unit'].pk}"],
    )


@pytest.fixture
def real_records(db):
    call_command("load_real_records", stdout=io.StringIO())


def test_every_chart_on_the_pages_counts_what_its_page_lists_with_the_real_records(client, real_records):
    # Strax-huset: the page once said «2 in all» above a table of 7 measures.
    assert Location.objects.filter(measures__isnull=False).exists()
    check_pages(client)


def test_every_chart_in_the_pdfs_counts_what_its_report_lists_with_the_real_records(client, real_records):
    check_list_pdfs(client)
    check_decision_pdfs(client)
    period = make_period(year=2026, kind="t1")
    theme = Theme.objects.filter(measures__isnull=False).first()
    unit = Organisation.objects.filter(responsible_for__isnull=False).first()
    check_status_reports(
        client, [f"?period={period.pk}", f"?period={period.pk}&theme={theme.pk}", f"?period={period.pk}&unit={unit.pk}"]
    )
