"""The archive: every public record as a Frictionless Data Package in a zip file.

    datapackage.json        the package: its licence, its resources and each one's schema (types, keys)
    data/<table>.csv        one CSV file per table (measures.opendata.tables), UTF-8, with a header row
    data/all.json           the same tables in one JSON file, for those who would rather not join CSV files

It is built on the first request after the data changed and cached under the data's version (and the day, since
what is late depends on it), so it is never older than the last change.
"""

import csv
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from ..caching import cached_render, data_version, last_change
from .tables import tables

CACHE_KIND = "open-data-archive"
PACKAGE_NAME = "bergen-rusoppfolging"
JSON_COPY = "data/all.json"


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def _json_value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def licence():
    return {
        "name": settings.OPEN_DATA_LICENSE_NAME,
        "path": settings.OPEN_DATA_LICENSE_URL,
        "title": settings.OPEN_DATA_LICENSE_TITLE,
    }


def descriptor(all_tables, *, created):
    """datapackage.json for these tables."""
    resources = []
    for table in all_tables:
        schema = {"fields": [column.descriptor() for column in table.columns], "primaryKey": table.primary_key}
        if table.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": column, "reference": {"resource": target, "fields": "id"}}
                for column, target in table.foreign_keys
            ]
        resources.append(
            {
                "name": table.name.replace("_", "-"),
                "path": f"data/{table.name}.csv",
                "profile": "tabular-data-resource",
                "title": table.title,
                "description": table.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    for resource in resources:
        for key in resource["schema"].get("foreignKeys", []):
            if key["reference"]["resource"]:
                key["reference"]["resource"] = key["reference"]["resource"].replace("_", "-")
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "Oppfølging av ruspolitikken i Bergen",
        "description": (
            "Every public record of Bergen kommune's drug-policy tracker: decisions, platforms and their "
            "commitments, action plans, measures and their status updates, periods, places, units and indicators. "
            f"The same tables are in one JSON file, {JSON_COPY}."
        ),
        "homepage": settings.SITE_URL + "/",
        "version": data_version(),
        "created": timezone.localtime(created).isoformat(timespec="seconds"),
        "licenses": [licence()],
        "sources": [{"title": "Bergen kommune", "path": settings.SITE_URL + "/kilder/"}],
        "resources": resources,
    }


def build_archive():
    """The zip file's bytes, built from the database now (a fixed number of queries per table)."""
    all_tables = tables()
    buffer = io.BytesIO()
    everything = {}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in all_tables:
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            names = [column.name for column in table.columns]
            writer.writerow(names)
            records = []
            for row in table.rows():
                writer.writerow([_csv_value(value) for value in row])
                records.append(dict(zip(names, (_json_value(value) for value in row), strict=True)))
            archive.writestr(f"data/{table.name}.csv", text.getvalue())
            everything[table.name] = records
        archive.writestr(JSON_COPY, json.dumps(everything, ensure_ascii=False, indent=1))
        created = last_change() or timezone.now()
        archive.writestr(
            "datapackage.json", json.dumps(descriptor(all_tables, created=created), ensure_ascii=False, indent=2)
        )
    return buffer.getvalue()


def archive_bytes():
    """(the archive's bytes, whether they came from the cache): built once per version of the data and day."""
    return cached_render(CACHE_KIND, (timezone.localdate().isoformat(),), build_archive, alias="reports")
