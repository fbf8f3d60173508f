"""Helpers for the report tests: status updates at chosen moments, reading a rendered PDF back, and the page that
follows a background job."""

import io
import re
from datetime import datetime, time

from django.utils import timezone
from pypdf import PdfReader

from measures.models import Measure, StatusUpdate
from measures.services import refresh_commitment_statuses


def moment(day, hour=12):
    """An aware datetime at `hour` o'clock on `day`, Oslo time."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def update(measure, status, *, author, on, period=None, happened="Noe skjedde.", **fields):
    """A status update recorded at noon on the day `on`, made the measure's latest if it is the newest.

    Written directly (like the fixtures loader and the demo-data generator do) so a test can place updates in the
    past and in closed periods; the commitments' statuses are rolled up as record_status would.
    """
    row = StatusUpdate.objects.create(
        measure=measure,
        status=status,
        happened=happened,
        author=author,
        period=period,
        recorded_at=moment(on),
        **fields,
    )
    newest = measure.updates.order_by("-recorded_at", "-id").first()
    Measure.objects.filter(pk=measure.pk).update(latest_update=newest, current_status=newest.status)
    measure.latest_update = newest
    measure.current_status = newest.status
    refresh_commitment_statuses(measure.commitments.values_list("pk", flat=True))
    return row


def pdf_reader(data):
    return PdfReader(io.BytesIO(data))


def page_texts(data):
    """The text of each page, whitespace collapsed (pypdf's extraction, as a reader's copy-paste would give)."""
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in pdf_reader(data).pages]


def font_names(data):
    """The base names of every font the PDF uses (subset prefixes removed)."""
    names = set()
    for page in pdf_reader(data).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            name = str(font.get_object().get("/BaseFont", ""))
            names.add(name.split("+", 1)[-1].lstrip("/"))
    return names


def structure_tags(data):
    """The set of structure types (/H1, /P, /Figure, …) in the PDF's tag tree."""
    reader = pdf_reader(data)
    root = reader.trailer["/Root"]
    found = set()
    stack = [root["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if hasattr(node, "get_object"):
            node = node.get_object()
        if isinstance(node, dict):
            if "/S" in node:
                found.add(str(node["/S"]))
            kids = node.get("/K")
            if kids is not None:
                stack.extend(kids if isinstance(kids, list) else [kids])
        elif isinstance(node, list):
            stack.extend(node)
    return found


def figure_alternatives(data):
    """The /Alt texts of the /Figure elements in the tag tree."""
    reader = pdf_reader(data)
    texts = []
    stack = [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if hasattr(node, "get_object"):
            node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                texts.append(str(node.get("/Alt", "")))
            kids = node.get("/K")
            if kids is not None:
                stack.extend(kids if isinstance(kids, list) else [kids])
        elif isinstance(node, list):
            stack.extend(node)
    return texts


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def assert_follows_its_job(response, url):
    """`response` is the page that follows a background job at `url` (a report, the archive, an import): 202, never
    cached, polled by htmx every 2 s, and without JavaScript refreshed by itself and by a link. Returns its HTML."""
    assert response.status_code == 202
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert f'hx-get="{url}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert f'<a class="ds-link" href="{url}">Oppdater</a>' in page
    assert not INLINE_SCRIPT.search(page), "the strict CSP allows no inline script"
    assert "no-store" in response["Cache-Control"]
    return page
