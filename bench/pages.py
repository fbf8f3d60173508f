"""Page benchmark: the main public pages under load, each next to a bare page of the same size (`make bench-pages`).

Run from the repository root with the project's virtualenv: `python -m bench.pages`. It

1. drops and creates the PostgreSQL database BENCH_DATABASE_URL (default bergen_rus_bench on 127.0.0.1), migrates
   it, loads fixtures/real_records.json when it is there, generates the synthetic data (10,000 measures with about
   10 status updates each), ANALYZEs it, and collects the static files into a temporary STATIC_ROOT;
2. serves the application with gunicorn (sync workers) with production settings (DEBUG off, whitenoise's manifest
   storage) through bench.settings, whose URLconf bench.urls adds `bench/bare/<size>/`, a constant page of `size`
   bytes that goes through the same middleware;
3. for every page: fetches it once for its size, drives it with wrk (BENCH_CONNECTIONS connections, 2 threads,
   a warm-up run, then the measured run), then does the same for the bare page of the same size; every page is
   measured as served (public pages come from the page cache for people not logged in, so that is a cache hit) and
   rendered by its view on every request (`bench/render/<path>`: a cache miss, or a logged-in person's request);
4. prints the table and writes it as Markdown to bench/results-pages.md;
5. stops gunicorn on the way out, whatever happens, and leaves the database for inspection.

Settings (environment): BENCH_DATABASE_URL, BENCH_MEASURES (10000), BENCH_WORKERS (4), BENCH_CONNECTIONS (4),
BENCH_THREADS (2), BENCH_DURATION (10, seconds), BENCH_WARMUP (2), BENCH_QUIET_CORES (0.15), BENCH_QUIET_WAIT
(120 s), BENCH_DISTURBED_CORES (0.25), BENCH_ATTEMPTS (3), BENCH_PORT (a free one), BENCH_SKIP_LOAD (1: keep the
database as it is, only serve and measure), BENCH_ONLY (comma-separated page keys, to measure a subset),
BENCH_RENDER (pages also measured rendered every time: all, page keys, or nothing).

The machine is shared, so before each page it waits for the other processes to quieten, measures how much CPU they
took during the runs, repeats a disturbed run and keeps the least disturbed one ("other CPU" in the table).

This is a measurement, not a test: it asserts nothing and always exits 0 once it has measured; the verdicts are in
the table.
"""

import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results-pages.md"
LUA = ROOT / "bench" / "latency.lua"

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bergen_rus_bench")
MEASURES = int(os.environ.get("BENCH_MEASURES", "10000"))
# Sync workers serve one request at a time. With 4 concurrent clients, 4 workers give every in-flight request its
# own worker, so none waits in gunicorn's accept queue behind another, and while one worker waits for PostgreSQL
# another can use a core. More workers than clients would only sit idle and take memory; fewer would make requests
# queue, which measures the queue, not the page. (Gunicorn's usual 2 x cores + 1 = 5 would leave one idle here.)
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
PORT = int(os.environ.get("BENCH_PORT", "0"))  # 0: a free port, chosen at start
SKIP_LOAD = os.environ.get("BENCH_SKIP_LOAD", "") in {"1", "true", "yes"}
# Pages also measured rendered on every request, past the page cache ("all", or page keys, or "" for none).
RENDER = {key.strip() for key in os.environ.get("BENCH_RENDER", "all").split(",") if key.strip()}
ONLY = {key.strip() for key in os.environ.get("BENCH_ONLY", "").split(",") if key.strip()}

# Before each page, wait (at most QUIET_WAIT s) until other processes on the machine use less than QUIET_CORES.
QUIET_CORES = float(os.environ.get("BENCH_QUIET_CORES", "0.15"))
QUIET_WAIT = int(os.environ.get("BENCH_QUIET_WAIT", "120"))
# A run during which other processes used DISTURBED_CORES or more is repeated (at most ATTEMPTS runs in all); the
# least disturbed one is kept, and its figure is printed with the row.
DISTURBED_CORES = float(os.environ.get("BENCH_DISTURBED_CORES", "0.25"))
ATTEMPTS = int(os.environ.get("BENCH_ATTEMPTS", "3"))

RATIO_TARGET = 2.0
P95_TARGET_MS = 100.0


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = PORT or free_port()
BASE = f"http://127.0.0.1:{PORT}"


def log(message):
    print(f"[bench] {message}", flush=True)


def run(*args, check=True, **kwargs):
    log("$ " + " ".join(str(a) for a in args))
    return subprocess.run([str(a) for a in args], cwd=ROOT, check=check, **kwargs)  # noqa: S603 (our own commands)


def manage(*args, check=True):
    return run(sys.executable, "manage.py", *args, check=check)


# --- 1. The database ---------------------------------------------------------------------------------------------


def recreate_database():
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"BENCH_DATABASE_URL must name a plain database (letters, digits, _), got {name!r}")
    admin_url = parts._replace(path="/postgres").geturl()
    log(f"dropping and creating database {name}")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def load_data():
    recreate_database()
    manage("migrate", "--verbosity", "0")
    fixture = ROOT / "fixtures" / "real_records.json"
    real_loaded = False
    if fixture.exists():
        result = manage("load_real_records", check=False)
        real_loaded = result.returncode == 0
        if not real_loaded:
            log("WARNING: load_real_records failed (is fixtures/real_records.json being written?); going on without")
    else:
        log("fixtures/real_records.json is not there: no real records, only synthetic data")
    started = time.perf_counter()
    manage("generate_demo_data", "--measures", MEASURES)
    log(f"synthetic data generated in {time.perf_counter() - started:.1f} s")
    # A production database has been analysed by autovacuum; right after a bulk load the planner has no statistics.
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    log("VACUUM ANALYZE done")
    return real_loaded


# --- 2. The pages, looked up in the database -----------------------------------------------------------------------


def setup_django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    django.setup()


def find_pages():
    """The pages to measure: (key, label, path, group); group "main" has the targets, "extreme" is reported apart."""
    from django.db.models import Count

    from decisions.models import Commitment, Decision, SourceKind
    from measures.models import ActionPlan, Location, Measure

    synthetic = {"source__kind": SourceKind.SYNTHETIC}
    pages = [
        ("home", "Dashboard", "/", "main"),
        ("commitments", "Commitment list", "/forpliktelser/", "main"),
        ("commitments-filtered", "Commitment list, filtered", "/forpliktelser/?status=delayed&sort=title", "main"),
        ("measures", "Measure list", "/tiltak/", "main"),
        ("measures-filtered", "Measure list, filtered", "/tiltak/?late=yes&sort=deadline", "main"),
        ("measures-p200", "Measure list, page 200", "/tiltak/?page=200", "main"),
    ]
    notes = []

    # A synthetic measure with the typical number of updates (the generator makes 7-13, 10 on average).
    measure = (
        Measure.objects.filter(**synthetic)
        .annotate(n=Count("updates"))
        .filter(n=10)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if measure:
        pages.append(("measure", "Measure detail (10 updates)", f"/tiltak/{measure}/", "main"))

    # A synthetic commitment with measures (the last tenth of them have none).
    commitment = (
        Commitment.objects.filter(**synthetic)
        .annotate(n=Count("measures"))
        .filter(n__gt=0)
        .order_by("pk")
        .values_list("pk", "n")
        .first()
    )
    if commitment:
        pages.append(
            ("commitment", f"Commitment detail ({commitment[1]} measures)", f"/forpliktelser/{commitment[0]}/", "main")
        )

    # The real decision with the most points.
    real_decision = (
        Decision.objects.exclude(**synthetic)
        .annotate(n=Count("points"))
        .order_by("-n", "pk")
        .values_list("pk", "n")
        .first()
    )
    if real_decision:
        pages.append(
            ("decision", f"Decision detail, real ({real_decision[1]} points)", f"/vedtak/{real_decision[0]}/", "main")
        )
    else:
        notes.append("No real decision in the database (fixtures/real_records.json missing or not loadable).")

    pages.append(("plans", "Action-plan list", "/handlingsplaner/", "main"))

    plan = ActionPlan.objects.annotate(n=Count("measures")).order_by("-n", "pk").values_list("pk", "n").first()
    if plan:
        pages.append(("plan", f"Plan detail ({plan[1]} measures, page 1)", f"/handlingsplaner/{plan[0]}/", "main"))

    real_location = (
        Location.objects.exclude(**synthetic)
        .annotate(n=Count("measures"))
        .order_by("-n", "pk")
        .values_list("pk", "n")
        .first()
    )
    if real_location:
        pages.append(
            ("location", f"Location detail, real ({real_location[1]} measures)", f"/steder/{real_location[0]}/", "main")
        )
    else:
        notes.append("No real location in the database.")

    pages.append(("search", "Search «styrke»", "/sok/?q=styrke", "main"))

    # What the generator makes and real data does not: one decision with every synthetic point, ten locations
    # sharing all 10,000 measures. Measured and reported apart.
    synthetic_decision = (
        Decision.objects.filter(**synthetic).annotate(n=Count("points")).order_by("-n").values_list("pk", "n").first()
    )
    if synthetic_decision:
        pages.append(
            (
                "decision-synthetic",
                f"Decision detail, synthetic ({synthetic_decision[1]} points)",
                f"/vedtak/{synthetic_decision[0]}/",
                "extreme",
            )
        )
    synthetic_location = (
        Location.objects.filter(**synthetic).annotate(n=Count("measures")).order_by("-n").values_list("pk", "n").first()
    )
    if synthetic_location:
        pages.append(
            (
                "location-synthetic",
                f"Location detail, synthetic ({synthetic_location[1]} measures)",
                f"/steder/{synthetic_location[0]}/",
                "extreme",
            )
        )
    # The same pages rendered by their view on every request, past the cache of public pages (bench/urls.py).
    pages += [
        (f"{key}-render", label, "/bench/render/" + path.removeprefix("/"), f"render-{group}")
        for key, label, path, group in list(pages)
        if group in {"main", "extreme"} and ("all" in RENDER or key in RENDER)
    ]
    if ONLY:
        pages = [page for page in pages if page[0] in ONLY]
    return pages, notes


def data_counts():
    from decisions.models import Commitment, Decision
    from measures.models import Measure, StatusUpdate

    return {
        "measures": Measure.objects.count(),
        "updates": StatusUpdate.objects.count(),
        "commitments": Commitment.objects.count(),
        "decisions": Decision.objects.count(),
    }


def query_profile(path):
    """One request in this process, DEBUG-style query capture: (number of SQL queries, their total time in ms)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)  # warm the connection and caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        return None, None
    return len(captured.captured_queries), sum(float(q["time"]) for q in captured.captured_queries) * 1000


# --- 3. Serving and measuring ----------------------------------------------------------------------------------------


class Server:
    def __init__(self, workdir):
        self.log_path = Path(workdir) / "gunicorn.log"
        self.process = None

    def start(self):
        log(f"starting gunicorn: {WORKERS} sync workers on 127.0.0.1:{PORT}")
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(  # noqa: S603 (our own command)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bergen_rus.wsgi:application",
                "--worker-class",
                "sync",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{PORT}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log_path.read_text()}")
            try:
                fetch("/bench/bare/10/")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within 60 s:\n{self.log_path.read_text()}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        log("stopping gunicorn")
        self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers, then itself
        try:
            self.process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()


def fetch(path):
    """GET the page once: (status, body bytes)."""
    with urllib.request.urlopen(BASE + path, timeout=30) as response:  # noqa: S310 (our own local server)
        return response.status, response.read()


RESULT_LINE = re.compile(r"BENCH-RESULT (.*)")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
DATABASE_NAME = urlsplit(DATABASE_URL).path.lstrip("/")


class CpuMeter:
    """How much CPU the machine spent on anything but this benchmark, in cores, over an interval.

    The machine is shared (other people's test suites, browsers); a page measured while another process takes a
    core is not measured fairly. "Ours" is this process and the children it has reaped (wrk), gunicorn's master and
    workers, and the PostgreSQL backends connected to the benchmark database; the rest of /proc/stat's busy time is
    somebody else's. Our processes are counted one by one, so one that ends during the interval (a database
    connection closed after CONN_MAX_AGE) only loses its own last ticks instead of making the sum go backwards.
    """

    def __init__(self, server):
        self.server = server

    @staticmethod
    def _busy_ticks():
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
        return user + nice + system + irq + softirq + steal

    def _our_processes(self):
        """{pid: CPU ticks so far} of gunicorn's processes and the benchmark database's backends."""
        master = self.server.process.pid if self.server.process else None
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            pid, ppid = int(entry.name), int(fields[1])
            ours = master is not None and master in (pid, ppid)
            ours = ours or (cmdline.startswith(b"postgres: ") and f" {DATABASE_NAME} ".encode() in cmdline)
            if ours:
                found[pid] = int(fields[11]) + int(fields[12])  # utime, stime
        return found

    @staticmethod
    def _own_ticks():
        times = os.times()
        return (times.user + times.system + times.children_user + times.children_system) * CLOCK_TICKS

    def start(self):
        self._t0, self._busy0 = time.monotonic(), self._busy_ticks()
        self._own0, self._procs0 = self._own_ticks(), self._our_processes()

    def others(self):
        """Cores used by other processes since start()."""
        elapsed = time.monotonic() - self._t0
        procs = self._our_processes()
        ours = self._own_ticks() - self._own0
        ours += sum(ticks - self._procs0.get(pid, 0) for pid, ticks in procs.items())
        others = (self._busy_ticks() - self._busy0) - ours
        return max(0.0, others / CLOCK_TICKS / elapsed) if elapsed > 0 else 0.0

    def wait_for_quiet(self, threshold, limit):
        """Wait (at most `limit` seconds) until other processes use less than `threshold` cores for a second."""
        deadline = time.monotonic() + limit
        while True:
            self.start()
            time.sleep(1)
            load = self.others()
            if load < threshold or time.monotonic() >= deadline:
                return load

    def wait_for_server_idle(self, limit=120):
        """Wait until gunicorn and its database backends stop using CPU.

        When wrk stops, the workers still finish the requests it abandoned; for a page that takes seconds those would
        run into the next measurement.
        """
        deadline = time.monotonic() + limit
        still = 0
        before = sum(self._our_processes().values())
        while still < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
            now = sum(self._our_processes().values())
            still = still + 1 if now == before else 0
            before = now


def wrk(path, meter):
    url = BASE + path
    common = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", "--timeout", "30s"]
    meter.wait_for_server_idle()
    if WARMUP:
        subprocess.run([*common, f"-d{WARMUP}s", url], check=True, capture_output=True)  # noqa: S603
        meter.wait_for_server_idle()
    meter.start()
    out = subprocess.run(  # noqa: S603
        [*common, f"-d{DURATION}s", "-s", str(LUA), url], check=True, capture_output=True, text=True
    ).stdout
    background = meter.others()
    match = RESULT_LINE.search(out)
    if not match:
        raise SystemExit(f"wrk printed no result line for {url}:\n{out}")
    values = {key: float(value) for key, value in (item.split("=") for item in match.group(1).split())}
    errors = sum(values[key] for key in ("connect", "read", "write", "status", "timeout"))
    done = int(values["requests"])
    return {
        "p50": values["p50"] / 1000 if done else None,
        "p95": values["p95"] / 1000 if done else None,
        "p99": values["p99"] / 1000 if done else None,
        "rps": done / (values["duration_us"] / 1e6),
        "requests": done,
        "errors": int(errors),
        "background": background,
    }


def measure_pages(pages, server):
    meter = CpuMeter(server)
    rows = []
    for key, label, path, group in pages:
        status, body = fetch(path)
        size = len(body)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        queries, db_ms = query_profile(path)
        log(f"{label}: {path} is {size:,} bytes, {queries} queries ({db_ms:.1f} ms in SQL, one request)")
        best = None
        for attempt in range(1, ATTEMPTS + 1):
            quiet = meter.wait_for_quiet(QUIET_CORES, QUIET_WAIT)
            if quiet >= QUIET_CORES:
                log(f"  other processes still use {quiet:.2f} cores after {QUIET_WAIT} s; measuring anyway")
            page = wrk(path, meter)
            # The bare page right after the page, so both see the same machine.
            bare = wrk(f"/bench/bare/{size}/", meter)
            background = max(page["background"], bare["background"])
            if best is None or background < best[2]:
                best = (page, bare, background)
            if background < DISTURBED_CORES:
                break
            log(f"  attempt {attempt}: other processes used {background:.2f} cores meanwhile")
        page, bare, _background = best
        if page["p95"] is None or bare["p95"] is None:
            ratio = None
        else:
            ratio = page["p95"] / bare["p95"] if bare["p95"] else float("inf")
        row = {
            "key": key,
            "label": label,
            "path": path,
            "group": group,
            "bytes": size,
            "queries": queries,
            "db_ms": db_ms,
            "page": page,
            "bare": bare,
            "ratio": ratio,
            "ratio_ok": ratio is not None and ratio <= RATIO_TARGET,
            "p95_ok": page["p95"] is not None and page["p95"] < P95_TARGET_MS,
            "background": max(page["background"], bare["background"]),
        }
        log(
            f"  page p50 {ms(page['p50'])} ms, p95 {ms(page['p95'])} ms, {page['rps']:.1f} req/s; "
            f"bare p50 {ms(bare['p50'])} ms, p95 {ms(bare['p95'])} ms; ratio {ratio_text(ratio)}; "
            f"other processes {row['background']:.2f} cores"
        )
        rows.append(row)
    return rows


def ms(value):
    return "n/a" if value is None else f"{value:.1f}"


def ratio_text(ratio):
    return "n/a" if ratio is None else f"{ratio:.2f}"


# --- 4. The table --------------------------------------------------------------------------------------------------

HEADER = [
    "Page",
    "Path",
    "Bytes",
    "SQL q",
    "p50 ms",
    "p95 ms",
    "req/s",
    "bare p50",
    "bare p95",
    "p95 / bare p95",
    "≤ 2×",
    "< 100 ms",
    "other CPU",
]


def cells(row):
    page, bare = row["page"], row["bare"]
    errors = f" ({page['errors']} errors)" if page["errors"] else ""
    return [
        row["label"],
        row["path"],
        f"{row['bytes']:,}",
        "" if row["queries"] is None else str(row["queries"]),
        ms(page["p50"]),
        ms(page["p95"]),
        f"{page['rps']:.1f}{errors}",
        ms(bare["p50"]),
        ms(bare["p95"]),
        ratio_text(row["ratio"]),
        "yes" if row["ratio_ok"] else "**NO**",
        "yes" if row["p95_ok"] else "**NO**",
        f"{row['background']:.2f}",
    ]


def markdown_table(rows):
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join(["---"] * 2 + ["---:"] * 8 + [":---:"] * 2 + ["---:"]) + "|",
    ]
    for row in rows:
        values = cells(row)
        values[1] = f"`{values[1]}`"
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines)


def text_table(rows):
    table = [HEADER] + [[cell.replace("**", "") for cell in cells(row)] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    right = {*range(2, 10), 12}
    out = []
    for n, line in enumerate(table):
        out.append(
            "  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(line))
        )
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def machine():
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} cores ({model or platform.machine()}), Python {platform.python_version()}, PostgreSQL {pg}"
    )


def git_revision():
    try:
        command = ["git", "rev-parse", "--short", "HEAD"]
        rev = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{rev} (plus uncommitted changes in the working tree)" if dirty else rev


SECTIONS = [
    (
        "main",
        "As served to people who are not logged in: public pages come from the page cache "
        "(measures.caching.cached_for_the_public), so after the first request every request is a cache hit",
    ),
    (
        "extreme",
        "Synthetic extremes, as served (the generator puts every synthetic point in one decision and spreads all "
        "measures over ten locations; real records have nothing like it)",
    ),
    (
        "render-main",
        "The same pages rendered by their view on every request, past the page cache (`bench/render/<path>`, "
        "bench/urls.py): what the first visitor after any change of the data waits for, and what a logged-in "
        "person waits for on every request",
    ),
    ("render-extreme", "Synthetic extremes, rendered on every request"),
]


def report(rows, notes, counts, real_loaded):
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    data = (
        f"{counts['measures']:,} measures, {counts['updates']:,} status updates, "
        f"{counts['commitments']:,} commitments, "
        f"{counts['decisions']:,} decisions; real records {'loaded' if real_loaded else 'NOT loaded'}"
    )
    setup = (
        f"gunicorn {WORKERS} sync workers, DEBUG off; wrk {THREADS} threads, {CONNECTIONS} connections, "
        f"{WARMUP} s warm-up then {DURATION} s measured, per page and per bare page; wrk runs on the same machine"
    )
    sections = [(title, [row for row in rows if row["group"] == group]) for group, title in SECTIONS]
    sections = [(title, section) for title, section in sections if section]
    misses = []
    for group in ("main", "render-main"):
        missed = [row["label"] for row in rows if row["group"] == group and not (row["ratio_ok"] and row["p95_ok"])]
        name = "as served" if group == "main" else "rendered every time"
        misses.append(f"{name}: {', '.join(missed) if missed else 'none'}")
    md = [
        "# Page benchmark",
        "",
        f"Measured {when} by `make bench-pages` (bench/pages.py) at commit {git_revision()}.",
        "",
        f"- Machine: {machine()}",
        f"- Data: {data}",
        f"- Load: {setup}",
        "- Bare: `bench/bare/<bytes>/`, a constant HTML page of the same size through the same middleware and workers",
        f"- Targets: p95 ≤ {RATIO_TARGET:g}× the bare page's p95, and p95 < {P95_TARGET_MS:g} ms",
        "- «SQL q»: queries in one request of the page (captured in-process, outside the load run)",
        "- «other CPU»: cores used by other processes on the machine during the page's or the bare page's run "
        "(whichever is higher); the machine is shared, and a row with more than a few tenths is disturbed",
    ]
    for title, section in sections:
        md += ["", title + ":", "", markdown_table(section)]
    md += ["", "Pages missing a target, " + "; ".join(misses) + "."]
    md += [f"\nNote: {note}" for note in notes]
    RESULTS.write_text("\n".join(md) + "\n")

    print()
    print(f"Page benchmark, {when}: {machine()}")
    print(f"Data: {data}")
    print(f"Load: {setup}")
    for title, section in sections:
        print()
        print(title + ":")
        print(text_table(section))
    print()
    print("Pages missing a target, " + "; ".join(misses))
    for note in notes:
        print(f"Note: {note}")
    print(f"Written to {RESULTS.relative_to(ROOT)}; the database {urlsplit(DATABASE_URL).path.lstrip('/')} is kept.")


# --- main ------------------------------------------------------------------------------------------------------------


def bench_environment(workdir):
    return {
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(Path(workdir) / "static"),
        "CACHE_DIR": str(Path(workdir) / "cache"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }


def main():
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    workdir = tempfile.mkdtemp(prefix="bergen_rus_bench-")
    os.environ.update(bench_environment(workdir))
    server = Server(workdir)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through the finally below, which stops gunicorn

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        if SKIP_LOAD:
            log("BENCH_SKIP_LOAD: using the database as it is")
            real_loaded = True
        else:
            real_loaded = load_data()
        manage("collectstatic", "--noinput", "--verbosity", "0")
        setup_django()
        counts = data_counts()
        pages, notes = find_pages()
        if SKIP_LOAD:
            real_loaded = not any("real" in note for note in notes)
        server.start()
        rows = measure_pages(pages, server)
        report(rows, notes, counts, real_loaded)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
