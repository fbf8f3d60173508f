"""The archive: every public record as a Frictionless Data Package in a zip file.

    datapackage.json        the package: its licence, its resources and each one's schema (types, keys)
    data/<table>.csv        one CSV file per table (measures.opendata.tables), UTF-8, with a header row
    data/all.json           the same tables in one JSON file, for those who would rather not join CSV files

It is made in the background, as the PDF reports are (measures.reports.jobs, kind «archive»): the worker's sweep
(`manage.py report_worker`) starts a build whenever the data's version (or the day, since what is late depends on
it) has no archive yet, one build at a time. Until the new one is made, the download hands over the newest archive
that was made (named and dated by the data it holds); a fresh database with none yet gets the waiting page.
"""

import csv
import io
import json
import shutil
import tempfile
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..caching import data_version, last_change_of
from ..reports import jobs
from ..reports.models import JobState, ReportJob
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


def build_archive(*, version=None):
    """The zip file's bytes, built from the database now (one query per table); `version` is the data's version it
    is made for (the package's «created» is that version's last change).

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
        created = last_change_of(version) or timezone.now()
        archive.writestr(
            "datapackage.json", json.dumps(descriptor(all_tables, created=created), ensure_ascii=False, indent=2)
        )
    return buffer.getvalue()


def report(version):
    """The archive of the data's `version` as a job's report: one per version and day, in the site's language."""
    return jobs.Report(
        kind=jobs.ARCHIVE_KIND,
        args=(version,),
        language=settings.LANGUAGE_CODE,
        day=timezone.localdate().isoformat(),
    )


def filename(version):
    """The download's name, dated by the last change of the data it holds (undated for data that never changed)."""
    changed = last_change_of(version)
    if changed is None:
        return f"{PACKAGE_NAME}.zip"
    return f"{PACKAGE_NAME}-{timezone.localtime(changed).strftime('%Y%m%d-%H%M%S')}.zip"


def _archive_jobs():
    return ReportJob.objects.filter(spec__kind=jobs.ARCHIVE_KIND)


def newest():
    """(the newest archive that was made and is still kept, the data version it holds, its job), or None."""
    for job in _archive_jobs().filter(state=JobState.DONE).order_by("-finished_at", "-pk")[:KEPT]:
        content = jobs.cached_file(job.key)
        if content is not None:
            return content, job.spec["args"][0], job
    return None


def is_made(key):
    return jobs.report_cache().has_key(key)


def superseded(job):
    """Whether the archive job `job` was asked for a version of the data that is not the current one any more."""
    return job.spec["args"][0] != data_version()


def refresh(*, now=None):
    """Start the build of the archive of the data as it is now, unless it is made, being made, or failed a moment
    ago, or the data changed less than OPEN_DATA_ARCHIVE_QUIET_SECONDS ago and an archive of earlier data is there
    to hand over meanwhile (a burst of reports makes one archive, not one per report); and forget all but the KEPT
    newest archives. The worker's sweep calls this every few seconds. At most one archive is built at a time: a build
    asked for while another runs waits for the next sweep. Returns the job started, or None."""
    now = now or timezone.now()
    made = _archive_jobs().filter(state=JobState.DONE).order_by("-finished_at", "-pk")
    old = list(made.values_list("pk", "key")[KEPT:])
    if old:
        jobs.report_cache().delete_many([key for _pk, key in old])
        ReportJob.objects.filter(pk__in=[pk for pk, _key in old]).delete()
    version = data_version()
    wanted = report(version)
    key = wanted.key(version)
    if is_made(key):
        return None
    if any(jobs.is_waiting(job) for job in _archive_jobs().filter(state__in=[JobState.QUEUED, JobState.RUNNING])):
        return None
    changed = last_change_of(version)
    quiet_since = now - timedelta(seconds=settings.OPEN_DATA_ARCHIVE_QUIET_SECONDS)
    if changed is not None and changed > quiet_since and made.exists():
        return None
    job = jobs.find(key)
    if job is not None and jobs.is_recent_failure(job):
        return None
    return jobs.start(wanted, key=key, filename=filename(version), path=reverse("open_data_archive"), job=job)


# How many archives of earlier data are kept (the newest is handed over while the next is made).
KEPT = 2
