"""Spreadsheet benchmark (`make bench-import`): the export of 10,000 measures and the preview of 50,000 status rows.

Run from the repository root with the project's virtualenv: `python -m bench.imports`. It

1. makes a scratch SQLite database under var/bench-import/ (BENCH_DATABASE_URL=postgres://… uses that PostgreSQL
   database instead, emptied first), migrates it and runs `manage.py generate_demo_data --measures 10000` (about 10
   status updates per measure); kept between runs unless BENCH_FRESH=1;
2. in a fresh process each, exports the measure list (every measure) as .xlsx and as CSV the way the download does
   (measures.spreadsheets.exporters.write over the list's FilterSet queryset);
3. writes a status file of 50,000 rows (the first 50,000 rows of the «every status update» sheet, with the status
   changed on one in ten of the rows that are a measure's latest update) as .xlsx and CSV, and in a fresh process
   each previews its import as a coordinator (measures.spreadsheets.importing.preview: read, check every row against
   the database, write nothing).

Each process reports its wall time, its CPU time (on a shared machine the fairer figure) and its peak resident
memory (`resource.getrusage`, Python and Django included), next to the memory of the same process before the work
began. A measurement, not a test: it prints a Markdown table and asserts nothing. Targets: export under 5 s,
preview under 60 s with memory bounded.
"""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench import remove_sqlite_database

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-import"
MEASURES = int(os.environ.get("BENCH_MEASURES", "10000"))
STATUS_ROWS = int(os.environ.get("BENCH_STATUS_ROWS", "50000"))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "") or f"sqlite:///{WORK / 'bench.sqlite3'}"


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def environment():
    return {**os.environ, "DATABASE_URL": DATABASE_URL, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "bergen_rus.settings"}


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment(), check=True)  # noqa: S603


def prepare():
    WORK.mkdir(parents=True, exist_ok=True)
    marker = WORK / f"filled-{MEASURES}"
    if marker.exists() and os.environ.get("BENCH_FRESH") != "1" and DATABASE_URL.startswith("sqlite"):
        log(f"reusing the database with {MEASURES} synthetic measures")
        return
    if DATABASE_URL.startswith("sqlite"):
        remove_sqlite_database(Path(DATABASE_URL.removeprefix("sqlite:///")))
    else:
        manage("flush", "--no-input")
    manage("migrate", "--verbosity", "0")
    log(f"generate_demo_data --measures {MEASURES}")
    manage("generate_demo_data", "--measures", str(MEASURES))
    marker.touch()


def child(step, *args):
    """Run `step` in a fresh process; returns its JSON report."""
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.imports", "--step", step, *args],
        cwd=ROOT,
        env=environment(),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the steps, each in a process of its own -------------------------------------------------------------------------


def setup_django():
    import django

    django.setup()


def step_export(fmt):
    setup_django()
    from django.http import QueryDict
    from django.utils import translation

    from measures.reports import data
    from measures.spreadsheets import exporters, resources

    translation.activate("nb")
    before = peak_mb()
    started, cpu = time.perf_counter(), cpu_seconds()
    filterset = data.list_filterset(kind="measure", params=QueryDict())
    content = exporters.write(resources.MeasureResource(), filterset.qs, fmt)
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    (WORK / f"measures.{fmt}").write_bytes(content)
    rows = filterset.qs.count()
    return {
        "seconds": elapsed,
        "cpu": cpu,
        "peak_mb": peak_mb(),
        "before_mb": before,
        "bytes": len(content),
        "rows": rows,
    }


def step_make_status_file(fmt):
    """The status file of STATUS_ROWS rows, as a person would send it back (not timed)."""
    setup_django()
    from django.http import QueryDict
    from django.utils import translation

    from measures.models import Measure
    from measures.reports import data
    from measures.spreadsheets import exporters, resources
    from measures.status import MeasureStatus

    translation.activate("nb")
    resource = resources.StatusHistoryResource()
    latest = set(Measure.objects.values_list("latest_update_id", flat=True))
    headers = resource.headers()
    status_at, update_at = headers.index("Status"), headers.index("Statusoppdatering-ID")

    def rows():
        filterset = data.list_filterset(kind="measure", params=QueryDict())
        changed = 0
        for number, row in enumerate(resource.rows(filterset.qs)):
            if number >= STATUS_ROWS:
                return
            if row[update_at] in latest and number % 10 == 0:
                row[status_at] = str(MeasureStatus.DELAYED.label if row[status_at] != "Forsinket" else "Pågår")
                changed += 1
            yield row

    content = (
        exporters.write_xlsx(headers, rows(), sheet_name="status")
        if fmt == "xlsx"
        else exporters.write_csv(headers, rows())
    )
    (WORK / f"status.{fmt}").write_bytes(content)
    return {"bytes": len(content)}


def step_preview(fmt):
    setup_django()
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from measures.spreadsheets import importing

    translation.activate("nb")
    user_model = get_user_model()
    user = user_model.objects.filter(is_superuser=True).first() or user_model.objects.create_superuser(
        "bench-koordinator", password=None
    )
    content = (WORK / f"status.{fmt}").read_bytes()
    before = peak_mb()
    started, cpu = time.perf_counter(), cpu_seconds()
    result = importing.preview(kind=importing.STATUS, content=content, filename=f"status.{fmt}", user=user)
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        "seconds": elapsed,
        "cpu": cpu,
        "peak_mb": peak_mb(),
        "before_mb": before,
        "bytes": len(content),
        "rows": len(result.unchanged) + len(result.rows),
        "counts": result.counts,
        "file_error": result.file_error,
    }


STEPS = {"export": step_export, "make_status_file": step_make_status_file, "preview": step_preview}


def main():
    prepare()
    lines = [
        "| what | rows | file | wall (CPU) | peak memory (before the work) | target |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for fmt in ("xlsx", "csv"):
        log(f"export of the measure list as {fmt}")
        report = child("export", fmt)
        lines.append(
            f"| export of the measure list, .{fmt} | {report['rows']:,} | {report['bytes'] / 1e6:.1f} MB"
            f" | {report['seconds']:.2f} s ({report['cpu']:.2f} s) | {report['peak_mb']:.0f} MB"
            f" ({report['before_mb']:.0f} MB) | < 5 s: {'yes' if report['seconds'] < 5 else 'NO'} |"
        )
    for fmt in ("xlsx", "csv"):
        log(f"writing the status file of {STATUS_ROWS} rows as {fmt}")
        child("make_status_file", fmt)
        log(f"preview of the status file as {fmt}")
        report = child("preview", fmt)
        counts = report["counts"]
        lines.append(
            f"| preview of a status import, .{fmt} ({counts['create']:,} new, {counts['unchanged']:,} unchanged,"
            f" {counts['error']:,} errors) | {report['rows']:,} | {report['bytes'] / 1e6:.1f} MB"
            f" | {report['seconds']:.2f} s ({report['cpu']:.2f} s) | {report['peak_mb']:.0f} MB"
            f" ({report['before_mb']:.0f} MB) | < 60 s: {'yes' if report['seconds'] < 60 else 'NO'} |"
        )
        if report["file_error"]:
            log(f"the file was refused: {report['file_error']}")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--step":
        print(json.dumps(STEPS[sys.argv[2]](*sys.argv[3:])))
    else:
        main()
