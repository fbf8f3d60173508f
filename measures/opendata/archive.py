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
import shutil
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from ..caching import cached_render, data_version, last_change_of
from .tables import tables

CACHE_KIND = "open-data-archive"
PACKAGE_NAME = "bergen-rusoppfolging"
JSON_COPY = "data/all.json"
JSON_IN_MEMORY = 8 * 1024 * 1024  # beyond this the JSON copy is written to a temporary file while the zip is made


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
    """The zip file's bytes, built from the database now (one query per table).

    Each CSV file is written into the zip as its rows are read; the JSON copy is written alongside into a temporary
    file (on disk beyond a few megabytes), so memory holds the zip, not the records.
    """
    all_tables = tables()
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        tempfile.SpooledTemporaryFile(max_size=JSON_IN_MEMORY) as spool,
    ):
        copy = io.TextIOWrapper(spool, encoding="utf-8")
        copy.write("{")
        for number, table in enumerate(all_tables):
            names = [column.name for column in table.columns]
            copy.write(f"{',' if number else ''}\n{json.dumps(table.name)}: [")
            with archive.open(f"data/{table.name}.csv", "w") as entry:
                text = io.TextIOWrapper(entry, encoding="utf-8", newline="")
                writer = csv.writer(text, lineterminator="\r\n")
                writer.writerow(names)
                for index, row in enumerate(table.rows()):
                    writer.writerow([_csv_value(value) for value in row])
                    record = dict(zip(names, (_json_value(value) for value in row), strict=True))
                    copy.write(("," if index else "") + "\n " + json.dumps(record, ensure_ascii=False))
                text.flush()
                text.detach()  # the zip entry is closed by its own `with`
            copy.write("\n]")
        copy.write("\n}\n")
        copy.flush()
        copy.detach()
        spool.seek(0)
        with archive.open(JSON_COPY, "w") as entry:
            shutil.copyfileobj(spool, entry)
        created = last_change_of() or timezone.now()
        archive.writestr(
            "datapackage.json", json.dumps(descriptor(all_tables, created=created), ensure_ascii=False, indent=2)
        )
    return buffer.getvalue()


def archive_bytes():
    """(the archive's bytes, whether they came from the cache): built once per version of the data and day."""
    return cached_render(CACHE_KIND, (timezone.localdate().isoformat(),), build_archive, alias="reports")
