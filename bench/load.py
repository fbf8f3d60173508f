"""Load benchmark: readers while anonymous visitors ask for PDFs nobody has made yet (`make bench-load`).

Run from the repository root with the project's virtualenv: `python -m bench.load`. It

1. fills the PostgreSQL database BENCH_DATABASE_URL as `make bench-pages` does (the real records and
   `generate_demo_data --measures 10000`; BENCH_SKIP_LOAD=1 keeps the database as it is) and adds a reader account;
2. serves it as production does: gunicorn with the shipped deploy/gunicorn.conf.py (DEBUG off, collected static
   files, ROOT_URLCONF=bench.urls for the bare reference page) and one `manage.py report_worker`;
3. phase «readers»: BENCH_READERS (50) readers, half of them logged in, each reading a page, pausing 0.5–1.5 s as a
   person does, and reading the next (the dashboard, the lists, filtered lists, a measure, a commitment, search),
   for BENCH_DURATION seconds;
4. phase «readers + PDFs»: the same, while BENCH_PDF_CLIENTS (8) anonymous clients ask for PDFs that are not made
   yet (status reports of other filters, measures, lists) as browsers do: the report, its waiting page's poll every
   2 s until it is made, the file, a pause, the next (BENCH_PDF_FLOOD=1: a new report after every answer, without
   pause or polling); each answer (the file, the page «Rapporten lages», its poll, or 429) must come within 1 s;
5. phase «logged in vs bare»: each logged-in page driven by 4 connections of one logged-in session, next to the
   bare page of the same size (bench/bare/<size>/) through the same middleware and the same session;
6. prints the figures and the verdicts, and stops gunicorn and the worker whatever happens.

This is a measurement, not a test: it asserts nothing. The machine is shared: the figures say how busy it was.
"""

import http.client
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime
from pathlib import Path

from bench import pages as page_bench

ROOT = page_bench.ROOT
READERS = int(os.environ.get("BENCH_READERS", "50"))
PDF_CLIENTS = int(os.environ.get("BENCH_PDF_CLIENTS", "8"))
DURATION = int(os.environ.get("BENCH_DURATION", "30"))
COMPARE_SECONDS = int(os.environ.get("BENCH_COMPARE_SECONDS", "10"))
PORT = page_bench.PORT
FLOOD = os.environ.get("BENCH_PDF_FLOOD", "") in {"1", "true", "yes"}
POLL_SECONDS = 2  # the waiting page's (measures.reports.exporters.POLL_SECONDS)
READER_PASSWORD = "bench-leser-passord-0123456789"  # noqa: S105 (the benchmark's own database)

READER_PAGES = [
    "/",
    "/forpliktelser/",
    "/forpliktelser/?status=delayed&sort=title",
    "/tiltak/",
    "/tiltak/?late=yes&sort=deadline",
    "/tiltak/?page=50",
    "/handlingsplaner/",
    "/sok/?q=styrke",
]
COMPARED = [("Dashboard", "/"), ("Measure list", "/tiltak/"), ("Measure detail", None)]


def log(message):
    print(f"[bench-load] {message}", flush=True)


class Client:
    """One HTTP/1.1 connection to the server, with the cookies of one person."""

    def __init__(self, cookies=None):
        self.cookies = dict(cookies or {})
        self.connection = None

    def get(self, path, headers=None):
        started = time.perf_counter()
        for attempt in range(2):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
                all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
                self.connection.request("GET", path, headers=all_headers)
                response = self.connection.getresponse()
                body = response.read()
                self._keep(response)
                return response.status, body, time.perf_counter() - started
            except (http.client.HTTPException, OSError):
                self.connection = None
                if attempt:
                    return 0, b"", time.perf_counter() - started
        return 0, b"", time.perf_counter() - started

    def post(self, path, data):
        body = urllib.parse.urlencode(data)
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": f"http://127.0.0.1:{PORT}{path}",
        }
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        self._keep(response)
        connection.close()
        return response.status

    def _keep(self, response):
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


def log_in():
    client = Client()
    client.get("/konto/logg-inn/")
    status = client.post(
        "/konto/logg-inn/",
        {"username": "bench-leser", "password": READER_PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
    )
    if status != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"could not log in the bench reader (status {status})")
    return client.cookies


def percentile(values, share):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = []
        self.statuses = {}
        self.errors = 0

    def add(self, status, seconds, *, ok):
        with self.lock:
            self.times.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if not ok:
                self.errors += 1

    def summary(self):
        times = [t * 1000 for t in self.times]
        return {
            "requests": len(times),
            "errors": self.errors,
            "p50": percentile(times, 0.5),
            "p95": percentile(times, 0.95),
            "max": max(times) if times else float("nan"),
            "statuses": dict(sorted(self.statuses.items())),
        }


def reader(stop, tally, pages, cookies, seed):
    rng = random.Random(seed)  # noqa: S311 (which page to read next)
    client = Client(cookies)
    time.sleep(rng.uniform(0, 1.5))
    while not stop.is_set():
        status, _body, seconds = client.get(rng.choice(pages))
        tally.add(status, seconds, ok=status == 200)
        stop.wait(rng.uniform(0.5, 1.5))


def pdf_client(stop, tally, urls, seed):
    """An anonymous visitor after PDFs nobody has made yet, as a browser asks for them: a new report, then the
    waiting page's poll every POLL_SECONDS (as htmx does) until it is made or has failed, then the file; after a
    refusal (429) or a file, a pause of 0.5–1.5 s and the next report. With BENCH_PDF_FLOOD=1 the clients ask for a
    new report at once after every answer instead, without pause or polling: a flood, not a person."""
    rng = random.Random(seed)  # noqa: S311 (pauses)
    client = Client()

    def ask(url, headers=None):
        status, body, seconds = client.get(url, headers=headers)
        tally.add(status, seconds, ok=status in (200, 202, 286, 429) and seconds <= 1.0)
        return status, body

    while not stop.is_set():
        url = next(urls)
        status, _body = ask(url)
        if FLOOD:
            continue
        while status == 202 and not stop.is_set():
            if stop.wait(POLL_SECONDS):
                break
            polled, body = ask(url, headers={"HX-Request": "true", "HX-Trigger": "report-job"})
            if polled == 286:  # failed: htmx stops polling
                break
            if b"report-job-ready" in body:
                ask(url)  # the page hands the file over
                break
        stop.wait(rng.uniform(0.5, 1.5))


class UncachedPdfs:
    """An endless supply of PDF addresses nobody has asked for before (thread-safe)."""

    def __init__(self, measure_ids, theme_ids, unit_ids, period_keys):
        self.lock = threading.Lock()
        self.count = 0
        self.measure_ids, self.theme_ids, self.unit_ids, self.period_keys = (
            measure_ids,
            theme_ids,
            unit_ids,
            period_keys,
        )

    def __next__(self):
        with self.lock:
            self.count += 1
            n = self.count
        kind = n % 3
        if kind == 0:
            return f"/tiltak/{self.measure_ids[n % len(self.measure_ids)]}/pdf/?archive={n % 2}"
        if kind == 1:
            period = self.period_keys[n % len(self.period_keys)]
            theme = self.theme_ids[n % len(self.theme_ids)]
            unit = self.unit_ids[(n // 7) % len(self.unit_ids)]
            return f"/rapporter/statusrapport/?period={period}&theme={theme}&unit={unit}"
        return f"/tiltak/pdf/?theme={self.theme_ids[n % len(self.theme_ids)]}&q=tiltak{n}"


def run_phase(name, *, readers_pages, reader_cookies, pdfs=None):
    stop = threading.Event()
    readers, pdf_tally = Tally(), Tally()
    threads = []
    for n in range(READERS):
        cookies = reader_cookies if n % 2 else None
        threads.append(threading.Thread(target=reader, args=(stop, readers, readers_pages, cookies, n)))
    if pdfs is not None:
        for n in range(PDF_CLIENTS):
            threads.append(threading.Thread(target=pdf_client, args=(stop, pdf_tally, pdfs, 1000 + n)))
    cpu_before = other_cpu()
    log(f"phase {name}: {READERS} readers" + (f" and {PDF_CLIENTS} PDF clients" if pdfs else "") + f", {DURATION} s")
    for thread in threads:
        thread.start()
    time.sleep(DURATION)
    stop.set()
    for thread in threads:
        thread.join()
    return readers.summary(), pdf_tally.summary() if pdfs is not None else None, other_cpu() - cpu_before


def compare(label, path, cookies):
    """p95 of `path` for the logged-in session next to the bare page of the same size, 4 connections each."""
    size = len(Client(cookies).get(path)[1])
    figures = {}
    for what, address in (("page", path), ("bare", f"/bench/bare/{size}/")):
        stop = threading.Event()
        tally = Tally()

        def loop(address=address, tally=tally, stop=stop):
            client = Client(cookies)
            while not stop.is_set():
                status, _body, seconds = client.get(address)
                tally.add(status, seconds, ok=status == 200)

        workers = [threading.Thread(target=loop) for _ in range(4)]
        for worker in workers:
            worker.start()
        time.sleep(COMPARE_SECONDS)
        stop.set()
        for worker in workers:
            worker.join()
        figures[what] = tally.summary()
    return label, size, figures


def other_cpu():
    """CPU seconds used so far by processes on the machine that are not this benchmark's (from /proc)."""
    mine = {os.getpid(), *[p.pid for p in PROCESSES if p.poll() is None]}
    mine |= {child for pid in list(mine) for child in children_of(pid)}
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / page_bench.CLOCK_TICKS
        except (OSError, IndexError, ValueError):
            continue
    return total


def children_of(pid):
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            for child in (task / "children").read_text().split():
                found |= {int(child), *children_of(int(child))}
        except OSError:
            continue
    return found


PROCESSES = []


def start(args, log_path, env):
    process = subprocess.Popen(  # noqa: S603 (our own commands)
        args,
        cwd=ROOT,
        env=env,
        stdout=open(log_path, "w"),  # noqa: SIM115 (the process's log; the process outlives this function)
        stderr=subprocess.STDOUT,
    )
    PROCESSES.append(process)
    return process


def stop_all():
    for process in PROCESSES:
        if process.poll() is None:
            process.terminate()
    for process in PROCESSES:
        try:
            process.wait(40)
        except subprocess.TimeoutExpired:
            process.kill()


def prepare():
    from django.contrib.auth import get_user_model

    from decisions.models import Theme
    from measures.models import Measure, Organisation, ReportingPeriod
    from measures.periods import period_key
    from measures.roles import Role, assign_role, ensure_roles

    user, _created = get_user_model().objects.get_or_create(username="bench-leser", defaults={"first_name": "Bench"})
    user.set_password(READER_PASSWORD)
    user.save()
    ensure_roles()
    assign_role(user, Role.READER)
    measure_ids = list(Measure.objects.order_by("?").values_list("pk", flat=True)[:2000])
    detail = Measure.objects.filter(updates__isnull=False).order_by("pk").values_list("pk", flat=True).first()
    return UncachedPdfs(
        measure_ids,
        list(Theme.objects.values_list("pk", flat=True)),
        # The units the filters offer: those responsible for a measure (another id is a filter value the list refuses).
        list(Organisation.objects.filter(responsible_for__isnull=False).distinct().values_list("pk", flat=True)),
        [period_key(period) for period in ReportingPeriod.objects.all()],
    ), detail


def main():
    workdir = tempfile.mkdtemp(prefix="bergen_rus_bench_load-")
    env = {**os.environ, **page_bench.bench_environment(workdir), "GUNICORN_BIND": f"127.0.0.1:{PORT}"}
    env["GUNICORN_ACCESS_LOG"] = str(Path(workdir) / "access.log")
    os.environ.update(env)
    try:
        if os.environ.get("BENCH_SKIP_LOAD", "") in {"1", "true", "yes"}:
            log("BENCH_SKIP_LOAD: using the database as it is")
        else:
            page_bench.load_data()
        page_bench.manage("collectstatic", "--noinput", "--verbosity", "0")
        page_bench.setup_django()
        pdfs, detail = prepare()
        pages = [*READER_PAGES, f"/tiltak/{detail}/"]
        start([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"], Path(workdir) / "web.log", env)
        start([sys.executable, "manage.py", "report_worker", "--verbosity", "0"], Path(workdir) / "worker.log", env)
        for _ in range(200):
            if Client().get("/bench/bare/10/")[0] == 200:
                break
            time.sleep(0.3)
        cookies = log_in()
        for path in pages:  # every public page once, into the page cache, as on a site that has been up a while
            Client().get(path)
        base_readers, _none, base_other = run_phase("readers", readers_pages=pages, reader_cookies=cookies)
        load_readers, pdf, load_other = run_phase(
            "readers + PDFs", readers_pages=pages, reader_cookies=cookies, pdfs=pdfs
        )
        comparisons = [compare(label, path or f"/tiltak/{detail}/", cookies) for label, path in COMPARED]
        renders = len(re.findall(r"state=SUCCESSFUL", (Path(workdir) / "worker.log").read_text()))
    finally:
        stop_all()
    report(base_readers, base_other, load_readers, load_other, pdf, comparisons, pdfs.count, renders)
    shutil.rmtree(workdir, ignore_errors=True)


def report(base, base_other, load, load_other, pdf, comparisons, pdf_asked, renders):
    def line(name, s):
        return (
            f"| {name} | {s['requests']:,} | {s['errors']} | {s['p50']:.1f} | {s['p95']:.1f} | {s['max']:.1f} | "
            f"{', '.join(f'{k}: {v:,}' for k, v in s['statuses'].items())} |"
        )

    cores = os.cpu_count()
    print()
    print(f"bench-load {datetime.now():%Y-%m-%d %H:%M}, {cores} cores, {READERS} readers (half logged in, 0.5–1.5 s")
    clients = "asking without pause (BENCH_PDF_FLOOD)" if FLOOD else "each following its waiting page as a browser does"
    print(f"between pages), {PDF_CLIENTS} anonymous PDF clients {clients}, {DURATION} s per phase; gunicorn with")
    print("deploy/gunicorn.conf.py and one report_worker. Milliseconds.")
    print()
    print("| phase | requests | errors | p50 | p95 | max | answers |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(line("readers alone", base))
    print(line("readers during PDF load", load))
    print(line("PDF requests", pdf))
    print()
    print(
        f"Other processes on the machine used {base_other / DURATION:.2f} and {load_other / DURATION:.2f} cores in the"
    )
    print(f"two phases. PDF addresses asked for: {pdf_asked:,}; renders the worker finished meanwhile: {renders}.")
    ratio = load["p95"] / base["p95"]
    errors = base["errors"] + load["errors"]
    slow_pdfs = pdf["errors"]
    print()
    print("| logged-in page | bytes | p50 | p95 | bare p50 | bare p95 | ÷ bare (p95) | ≤ 3× |")
    print("|---|---:|---:|---:|---:|---:|---:|:---:|")
    verdicts = []
    for label, size, figures in comparisons:
        page, bare = figures["page"], figures["bare"]
        times = page["p95"] / bare["p95"]
        verdicts.append(times <= 3)
        print(
            f"| {label} | {size:,} | {page['p50']:.1f} | {page['p95']:.1f} | {bare['p50']:.1f} | {bare['p95']:.1f} | "
            f"{times:.2f} | {'yes' if times <= 3 else '**NO**'} |"
        )
    print()
    print("Targets:")
    print(f"- 0 errors among the readers: {'met' if errors == 0 else f'NOT met ({errors})'}")
    print(f"- readers' p95 during PDF load ≤ 2× without: {ratio:.2f}× — {'met' if ratio <= 2 else 'NOT met'}")
    print(
        "- every PDF request answered (file, waiting page or 429) within 1 s: "
        + ("met" if slow_pdfs == 0 else f"NOT met ({slow_pdfs} of {pdf['requests']})")
        + f" (slowest {pdf['max']:.0f} ms)"
    )
    print(f"- every logged-in page p95 within 3× its bare page: {'met' if all(verdicts) else 'NOT met'}")


if __name__ == "__main__":
    main()
