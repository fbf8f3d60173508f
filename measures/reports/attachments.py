"""The data a status report is made of, as files the archive variant (PDF/A-3a) carries inside it: the measures as
CSV and the whole report as JSON, so that an archive holds the numbers beside the text.

Both are written from the same StatusReport the PDF's pages are rendered from (measures.reports.data), so the files
and the pages agree by construction.
"""

import csv
import io
import json
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from decisions.models import Decision

from ..periods import period_key
from ..status import NOT_REPORTED

CSV_NAME = "statusrapport-tiltak.csv"
JSON_NAME = "statusrapport.json"
MEASURE_COLUMNS = [
    "section",
    "measure_id",
    "number",
    "title",
    "action_plan",
    "responsible_unit",
    "status",
    "status_label",
    "previous_status",
    "late",
    "deadline",
    "latest_update_id",
    "reported_on",
    "page",
]


@dataclass
class ReportFile:
    """One file to embed: its name, bytes, MIME type and description."""

    name: str
    content: bytes
    mime_type: str
    description: str


def _measure_row(entry):
    measure, update = entry.measure, entry.update
    status = entry.status
    reported_on = update.applies_on if update else None
    return {
        "section": entry.section,
        "measure_id": measure.pk,
        "number": measure.number,
        "title": measure.title,
        "action_plan": str(measure.plan) if measure.plan_id else "",
        "responsible_unit": str(measure.responsible_unit) if measure.responsible_unit_id else "",
        "status": entry.status_value,
        "status_label": str(status.label if status else NOT_REPORTED.label),
        "previous_status": (entry.previous_status or "not_reported") if entry.has_previous else "",
        "late": entry.late,
        "deadline": measure.deadline.isoformat() if measure.deadline else "",
        "latest_update_id": update.pk if update else "",
        "reported_on": reported_on.isoformat() if reported_on else "",
        "page": settings.SITE_URL + measure.get_absolute_url(),
    }


def _entries(report):
    """Each measure of the report once, in the order of the report's sections."""
    seen = set()
    for group in report.groups:
        for entry in [*(e for section in group.sections for e in section.entries), *group.entries]:
            if entry.measure.pk not in seen:
                seen.add(entry.measure.pk)
                yield entry


def _document(commitment):
    document = commitment.document
    kind = "decision" if isinstance(document, Decision) else "platform"
    return {"kind": kind, "id": document.pk, "title": document.title}


def report_files(report):
    """[CSV of the measures, JSON of the whole report] for a StatusReport."""
    rows = [_measure_row(entry) for entry in _entries(report)]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=MEASURE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "late": "true" if row["late"] else "false"})
    commitments = [
        {
            "section": section.number,
            "commitment_id": section.commitment.pk,
            "number": section.commitment.number,
            "title": section.commitment.title,
            "document": _document(section.commitment),
            "status": str(section.status.value),
            "status_label": str(section.status.label),
            "measure_ids": [entry.measure.pk for entry in [*section.entries, *section.references]],
        }
        for group in report.groups
        for section in group.sections
    ]
    period = report.period
    content = {
        "period": {
            "key": period_key(period),
            "name": str(period),
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
        },
        "previous_period": period_key(report.previous) if report.previous else None,
        "reference_date": report.reference_date.isoformat(),
        "extracted_at": timezone.localtime().isoformat(timespec="seconds"),
        "selection": [{"filter": str(chip["field"]), "value": str(chip["value"])} for chip in report.selection],
        "measure_count": report.measure_count,
        "commitment_count": report.commitment_count,
        "measures": rows,
        "commitments": commitments,
        "not_followed_up": [
            {"commitment_id": c.pk, "number": c.number, "title": c.title, "document": _document(c)}
            for c in report.not_followed_up
        ],
    }
    return [
        ReportFile(
            name=CSV_NAME,
            content=text.getvalue().encode("utf-8"),
            mime_type="text/csv",
            description="The measures of the report, one row each (UTF-8 CSV)",
        ),
        ReportFile(
            name=JSON_NAME,
            content=json.dumps(content, ensure_ascii=False, indent=1).encode("utf-8"),
            mime_type="application/json",
            description="The data of the report: measures, commitments and the selection (JSON)",
        ),
    ]
