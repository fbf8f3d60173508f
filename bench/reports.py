"""Report benchmark: the status report rendered from the database next to WeasyPrint alone on the same HTML
(`make bench-reports`).

Run from the repository root with the project's virtualenv: `python -m bench.reports`. For each size N (200, 1,000,
5,000 and 10,000 synthetic measures; BENCH_SIZES changes them) it

1. makes a scratch SQLite database of its own under var/bench-reports/ (BENCH_DATABASE_URL=postgres://… uses that
   PostgreSQL database instead, dropped and refilled per size), migrates it and runs
   `manage.py generate_demo_data --measures N` (about 10 status updates per measure, 5 years of periods);
2. renders the status report of the latest ended period for every measure in a fresh process, the way the download
   does it (queries, template, WeasyPrint, PDF/UA-1), and saves the HTML and the print stylesheet it rendered;
3. renders that saved HTML file in a fresh process without Django (measures.reports.pdf.write_pdf: the same
   stylesheets, fonts, options and engine settings): the floor, what the PDF costs without the database and the
   template; and once, for comparison, with WeasyPrint as it is shipped (no garbage-collector pause, pydyf's own
   page_references), to show what those two settings save;
4. repeats 2 and 3 alternately (BENCH_REPEAT times, 3 by default, once from 5,000 up) and keeps the median.

Each process reports the wall time and CPU time of the render itself (from the first query to the PDF's bytes) and
its peak resident memory (`resource.getrusage`, which includes Python, Django and WeasyPrint themselves). On the
10,000 database it also renders the report filtered to one plan (200 measures), and it times 40 downloads of the
same report through the view and the cache: one render, 39 cache hits.

Before each measurement it waits (at most BENCH_QUIET_WAIT s) until the machine's other processes use less than
BENCH_QUIET_CORES, since colleagues share the machine. This is a measurement, not a test: it prints the table
(Markdown, ready for the README) and asserts nothing.
"""

import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import remove_sqlite_database

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-reports"
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "200,1000,5000,10000").split(",") if size.strip()]
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "")
QUIET_CORES = float(os.environ.get("BENCH_QUIET_CORES", "0.3"))
QUIET_WAIT = int(os.environ.get("BENCH_QUIET_WAIT", "120"))
RATIO_TARGET = 1.3
SMALL_TARGET_S = 5.0
DOWNLOADS = 40


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def busy_cores(interval=1.0):
    """How many cores the whole machine kept busy over `interval` seconds (from /proc/stat)."""

    def sample():
        with open("/proc/stat") as stat:
            values = [int(value) for value in stat.readline().split()[1:]]
        idle = values[3] + values[4]
        return sum(values), idle

    total_a, idle_a = sample()
    time.sleep(interval)
    total_b, idle_b = sample()
    ticks = total_b - total_a
    return (os.cpu_count() or 1) * (1 - (idle_b - idle_a) / ticks) if ticks else 0.0


def wait_for_quiet():
    started = time.monotonic()
    while (busy := busy_cores()) >= QUIET_CORES and time.monotonic() - started < QUIET_WAIT:
        time.sleep(2)
    if busy >= QUIET_CORES:
        log(f"other processes still use {busy:.2f} cores after {QUIET_WAIT} s; measuring anyway")
    return busy


def environment(database_url):
    return {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "CACHE_DIR": str(WORK / "cache"),
        "DJANGO_SETTINGS_MODULE": "bergen_rus.settings",
        "PYTHONPATH": str(ROOT),
    }


def prepare(size):
    """A database of its own with `size` synthetic measures; returns its URL."""
    if DATABASE_URL:
        url = DATABASE_URL
        database = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        for statement in (f'DROP DATABASE IF EXISTS "{database}"', f'CREATE DATABASE "{database}"'):
            subprocess.run(["psql", admin, "-qc", statement], check=True)  # noqa: S603, S607
    else:
        path = WORK / f"reports-{size}.sqlite3"
        remove_sqlite_database(path)
        url = f"sqlite:///{path}"
    env = environment(url)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*manage, "generate_demo_data", "--measures", str(size)], env=env, check=True, cwd=ROOT
    )
    return url


def child(mode, database_url, *arguments):
    """Run one measurement in a fresh process and return what it reports."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.reports", "--child", mode, *arguments],
        env=environment(database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"the {mode} measurement failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- In the child process ----------------------------------------------------------------------------------------
# The children import Django and the project inside their functions: each one is a fresh process that sets Django up
# for the database it was given, and the floor never sets Django up at all.


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_django(html_path, css_path, params):
    import django
    from django.http import QueryDict

    django.setup()
    from pypdf import PdfReader

    from measures.periods import default_period
    from measures.reports import data, pdf, render

    period = default_period()
    query = QueryDict(params)
    started, cpu = time.perf_counter(), _cpu()
    document = render.status_report_document(period=period, params=query)
    html_done = time.perf_counter()
    content = pdf.write_pdf(document)
    elapsed, cpu = time.perf_counter() - started, _cpu() - cpu
    Path(html_path).write_text(document.html, encoding="utf-8")
    Path(css_path).write_text(document.print_css, encoding="utf-8")
    report = data.status_report(period=period, params=query)
    return {
        "seconds": elapsed,
        "cpu": cpu,
        "html_seconds": html_done - started,
        "peak_mb": _peak_mb(),
        "pages": len(PdfReader(io.BytesIO(content)).pages),
        "bytes": len(content),
        "measures": report.measure_count,
        "period": str(period),
    }


def child_floor(html_path, css_path):
    """The saved HTML file through measures.reports.pdf.write_pdf, without Django: the same stylesheets, fonts,
    fetcher, PDF options and engine settings as the download, only the database and the template are gone."""
    from measures.reports import pdf

    document = pdf.Document(
        html=Path(html_path).read_text(encoding="utf-8"),
        print_css=Path(css_path).read_text(encoding="utf-8"),
        title="",
    )
    started, cpu = time.perf_counter(), _cpu()
    content = pdf.write_pdf(document)
    return {"seconds": time.perf_counter() - started, "cpu": _cpu() - cpu, "peak_mb": _peak_mb(), "bytes": len(content)}


def child_plain(html_path, css_path):
    """WeasyPrint as it is shipped on the same HTML file and options: no garbage-collector pause, pydyf's own
    page_references. What measures.reports.pdf's two engine settings save."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    stylesheet = ROOT / "static" / "reports" / "report.css"
    started, cpu = time.perf_counter(), _cpu()
    fonts = FontConfiguration()
    content = HTML(filename=html_path, base_url=str(stylesheet)).write_pdf(
        stylesheets=[
            CSS(filename=str(stylesheet), font_config=fonts),
            CSS(filename=css_path, base_url=str(stylesheet), font_config=fonts),
        ],
        font_config=fonts,
        pdf_variant="pdf/ua-1",
        pdf_tags=True,
        pdf_identifier=True,
    )
    return {"seconds": time.perf_counter() - started, "cpu": _cpu() - cpu, "peak_mb": _peak_mb(), "bytes": len(content)}


def child_downloads(params):
    """DOWNLOADS downloads of one report through the view: the first renders, the others come from the cache."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from measures.periods import default_period, period_key

    cache.clear()
    client = Client()
    url = f"{reverse('status_report_pdf')}?period={period_key(default_period())}&{params}"
    times, hits = [], 0
    for _ in range(DOWNLOADS):
        started = time.perf_counter()
        response = client.get(url, headers={"accept-language": "nb", "host": "localhost"})
        times.append(time.perf_counter() - started)
        hits += response["X-Report-Cache"] == "hit"
    return {"first": times[0], "rest_median": statistics.median(times[1:]), "renders": DOWNLOADS - hits}


# --- The parent ----------------------------------------------------------------------------------------------------


def measure(size, url, params="", label=None):
    html, css = WORK / f"report-{size}{'-filtered' if params else ''}.html", WORK / f"report-{size}.css"
    repeat = REPEAT if size < 5000 or params else 1
    runs, floors = [], []
    for attempt in range(repeat):
        wait_for_quiet()
        runs.append(child("django", url, str(html), str(css), params))
        wait_for_quiet()
        floors.append(child("floor", url, str(html), str(css)))
        log(
            f"{label or size}: run {attempt + 1}/{repeat}: report {runs[-1]['seconds']:.2f} s "
            f"({runs[-1]['pages']} pages), floor {floors[-1]['seconds']:.2f} s"
        )

    wait_for_quiet()
    plain = child("plain", url, str(html), str(css))
    log(f"{label or size}: WeasyPrint as shipped {plain['seconds']:.2f} s")

    def median(rows, key):
        return statistics.median(row[key] for row in rows)

    return {
        "label": label or f"{size:,}",
        "measures": runs[0]["measures"],
        "pages": runs[0]["pages"],
        "mb_pdf": runs[0]["bytes"] / 1e6,
        "seconds": median(runs, "seconds"),
        "cpu": median(runs, "cpu"),
        "html_seconds": median(runs, "html_seconds"),
        "floor_seconds": median(floors, "seconds"),
        "floor_cpu": median(floors, "cpu"),
        "peak_mb": max(row["peak_mb"] for row in runs),
        "floor_peak_mb": max(row["peak_mb"] for row in floors),
        "plain_seconds": plain["seconds"],
        "plain_peak_mb": plain["peak_mb"],
        "period": runs[0]["period"],
    }


def table(rows, downloads):
    lines = [
        "| measures in the report | pages | report: wall (CPU) | of which data + HTML | WeasyPrint alone: wall (CPU) "
        "| ratio wall (CPU) | peak memory: report / floor | WeasyPrint as shipped: wall, memory |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        ratio = row["seconds"] / row["floor_seconds"]
        cpu_ratio = row["cpu"] / row["floor_cpu"]
        lines.append(
            f"| {row['label']} | {row['pages']:,} | {row['seconds']:.1f} s ({row['cpu']:.1f} s) "
            f"| {row['html_seconds']:.2f} s | {row['floor_seconds']:.1f} s ({row['floor_cpu']:.1f} s) "
            f"| {ratio:.2f}× ({cpu_ratio:.2f}×) | {row['peak_mb']:,.0f} MB / {row['floor_peak_mb']:,.0f} MB "
            f"| {row['plain_seconds']:.1f} s, {row['plain_peak_mb']:,.0f} MB |"
        )
    verdicts = []
    plain = [row for row in rows if "plan" not in row["label"]]
    worst = max((row["seconds"] / row["floor_seconds"] for row in rows), default=0)
    verdicts.append(f"worst ratio to the floor {worst:.2f}× (target ≤ {RATIO_TARGET}×)")
    small = [row for row in rows if row["measures"] <= 200]
    if small:
        verdicts.append(
            f"200-measure report {min(r['seconds'] for r in small):.1f} s (target < {SMALL_TARGET_S:.0f} s)"
        )
    if len(plain) >= 2:
        first, last = plain[0], plain[-1]
        scale = last["measures"] / first["measures"]
        verdicts.append(
            f"from {first['measures']:,} to {last['measures']:,} measures ({scale:.0f}×): time ×"
            f"{last['seconds'] / first['seconds']:.1f}, memory ×{last['peak_mb'] / first['peak_mb']:.1f}, "
            f"time per page {1000 * first['seconds'] / first['pages']:.0f} → "
            f"{1000 * last['seconds'] / last['pages']:.0f} ms"
        )
    if downloads:
        verdicts.append(
            f"{DOWNLOADS} downloads of one report: {downloads['renders']} render, first {downloads['first']:.1f} s, "
            f"the others {1000 * downloads['rest_median']:.0f} ms each (median)"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(f"- {verdict}" for verdict in verdicts)


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(WORK / "cache", ignore_errors=True)
    rows, downloads = [], None
    for size in SIZES:
        log(f"preparing a database with {size:,} synthetic measures")
        url = prepare(size)
        rows.append(measure(size, url))
        if size == max(SIZES):
            plan = child_plan(url)
            rows.append(measure(size, url, params=f"document=plan-{plan}", label=f"one plan of {size:,}"))
        if size == min(SIZES):
            wait_for_quiet()
            downloads = child("downloads", url, "")
    print(f"Status report of {rows[0]['period']}, PDF/UA-1, on {os.cpu_count()} cores:\n")
    print(table(rows, downloads))


def child_plan(url):
    return child("plan", url)["plan"]


def child_first_plan():
    import django

    django.setup()
    from measures.models import ActionPlan

    return {"plan": ActionPlan.objects.order_by("pk").values_list("pk", flat=True).first()}


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        mode, arguments = sys.argv[2], sys.argv[3:]
        if mode == "django":
            out = child_django(arguments[0], arguments[1], arguments[2] if len(arguments) > 2 else "")
        elif mode == "floor":
            out = child_floor(arguments[0], arguments[1])
        elif mode == "plain":
            out = child_plain(arguments[0], arguments[1])
        elif mode == "downloads":
            out = child_downloads(arguments[0] if arguments else "")
        else:
            out = child_first_plan()
        print(json.dumps(out))
    else:
        tempfile.tempdir = str(WORK)
        main()
