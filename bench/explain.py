"""Where a page's time goes: its SQL queries (with EXPLAIN ANALYZE for the slow ones) and a cProfile summary.

For reading the benchmark's misses, on the database `make bench-pages` leaves behind:

    .venv/bin/python -m bench.explain /tiltak/?page=200 [more paths...]

It requests each path in this process with the benchmark's settings (DEBUG off, PostgreSQL bergen_rus_bench),
rendered by its view past the cache of public pages (through `bench/render/<path>`; BENCH_AS_SERVED=1 requests the
path as it is), a few times to warm up, then reports the median wall and CPU time of one request, every query with
its time, the plan of each query slower than BENCH_SLOW_MS (default 3 ms), and the functions of the project and
Django the time is spent in (cProfile, cumulative; BENCH_PROFILE_SORT=tottime sorts by own time).

BENCH_PG_SET="random_page_cost=1.1,work_mem=16MB" runs `SET` with those settings on every connection first, to see
what a PostgreSQL setting would change.
"""

import atexit
import cProfile
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time

SLOW_MS = float(os.environ.get("BENCH_SLOW_MS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
PROFILE_LINES = int(os.environ.get("BENCH_PROFILE_LINES", "30"))
PROFILE_SORT = os.environ.get("BENCH_PROFILE_SORT", "cumulative")  # or tottime, calls, …
AS_SERVED = os.environ.get("BENCH_AS_SERVED", "") in {"1", "true", "yes"}
PG_SET = [item.split("=", 1) for item in os.environ.get("BENCH_PG_SET", "").split(",") if "=" in item]


def configure():
    scratch = tempfile.mkdtemp(prefix="bergen_rus_explain-")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    defaults = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bergen_rus_bench",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": os.path.join(scratch, "static"),
        "CACHE_DIR": os.path.join(scratch, "cache"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    import django
    from django.core.management import call_command

    django.setup()
    if PG_SET:
        from django.db.backends.signals import connection_created

        def apply_settings(connection, **_kwargs):
            with connection.cursor() as cursor:
                for name, value in PG_SET:
                    cursor.execute("SELECT set_config(%s, %s, false)", [name.strip(), value.strip()])

        connection_created.connect(apply_settings, weak=False)
    # Production templates need the manifest of the collected static files.
    call_command("collectstatic", interactive=False, verbosity=0)


def explain(path):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if not AS_SERVED and not path.startswith("/bench/"):
        path = "/bench/render" + path
    for _ in range(3):
        response = client.get(path)
    walls, cpus = [], []
    for _ in range(ROUNDS):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(path)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    queries = captured.captured_queries
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    print(f"\n=== {path}: HTTP {response.status_code}, {len(response.content):,} bytes")
    print(
        f"one request (median of {ROUNDS}): {statistics.median(walls):.1f} ms wall, "
        f"{statistics.median(cpus):.1f} ms CPU in Python; {len(queries)} queries, {sql_ms:.1f} ms in SQL"
    )
    for n, query in enumerate(queries, 1):
        print(f"  [{n}] {float(query['time']) * 1000:7.1f} ms  {query['sql'][:160]}")
    with connection.cursor() as cursor:
        for n, query in enumerate(queries, 1):
            if float(query["time"]) * 1000 < SLOW_MS:
                continue
            sql = query["sql"]
            if sql.startswith("DECLARE "):  # a server-side cursor around the real SELECT
                sql = sql[sql.index(" FOR ") + 5 :]
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print(f"\n  --- plan of [{n}] ---")
            for (line,) in cursor.fetchall():
                print("  " + line)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(5):
        client.get(path)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(PROFILE_SORT).print_stats(PROFILE_LINES)
    print(f"\n  --- cProfile, 5 requests, {PROFILE_SORT} ---")
    print(out.getvalue())


def main():
    paths = sys.argv[1:]
    if not paths:
        raise SystemExit(__doc__)
    configure()
    for path in paths:
        explain(path)


if __name__ == "__main__":
    main()
