"""Settings come from the environment and fail loudly on bad values; production settings pass the deploy check."""

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-enough-0123456789abcdef",
    "ALLOWED_HOSTS": "rus.bergen.kommune.no",
    "SITE_URL": "https://rus.bergen.kommune.no",
    "DATABASE_URL": "sqlite:////tmp/bergen_rus_deploy_check.sqlite3",
}


def run_manage(*args, env):
    # The test run itself may set DJANGO_ALLOW_ASYNC_UNSAFE (for the browser tests); production never does.
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "SITE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_warns_of_a_site_address_on_this_machine():
    env = {**PRODUCTION_ENV}
    del env["SITE_URL"]  # the default, http://127.0.0.1:8000, is for local use
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0 and "bergen_rus.W001" in result.stderr + result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV}
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be one of"),
        ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS must be an integer"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL is not a database URL"),
        ("ACCESSIBILITY_CONTACT", "ikke en adresse", "ACCESSIBILITY_CONTACT must be an e-mail address"),
    ],
)
def test_a_malformed_environment_value_stops_start_up_with_its_name(name, value, message):
    result = run_manage("check", env={**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_defaults_are_norwegian_oslo_time_and_sqlite_under_var():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    script = (
        "from django.conf import settings as s; print(s.LANGUAGE_CODE, s.TIME_ZONE, s.DATABASES['default']['NAME'])"
    )
    result = run_manage("shell", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    language, zone, database = result.stdout.split()[-3:]
    assert (language, zone) == ("nb", "Europe/Oslo")
    assert database == str(settings.BASE_DIR / "var" / "bergen_rus.sqlite3")
    assert [code for code, _ in settings.LANGUAGES] == ["nb", "en"]


def test_a_postgres_url_selects_psycopg():
    script = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])"
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"}
    result = run_manage("shell", "-c", script, env=env)
    assert result.stdout.split()[-1] == "django.db.backends.postgresql"


def test_the_local_site_address_follows_the_address_make_run_serves_on():
    script = "from django.conf import settings as s; print(s.SITE_URL)"
    env = {"DEBUG": "1", "DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"]}
    assert run_manage("shell", "-c", script, env=env).stdout.split()[-1] == "http://127.0.0.1:8000"
    moved = run_manage("shell", "-c", script, env={**env, "RUNSERVER_ADDRESS": "127.0.0.1:8101"})
    assert moved.stdout.split()[-1] == "http://127.0.0.1:8101"
    bare_port = run_manage("shell", "-c", script, env={**env, "RUNSERVER_ADDRESS": "8102"})
    assert bare_port.stdout.split()[-1] == "http://127.0.0.1:8102"
    # A SITE_URL set on purpose wins over the local default.
    chosen = run_manage("shell", "-c", script, env={**env, "RUNSERVER_ADDRESS": "8102", "SITE_URL": "https://x.no/"})
    assert chosen.stdout.split()[-1] == "https://x.no"


def test_make_run_passes_its_host_to_every_command_it_runs():
    result = subprocess.run(
        [shutil.which("make"), "-n", "run", "HOST=127.0.0.1:8101"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    commands = [
        line
        for line in result.stdout.splitlines()
        if ("manage.py" in line and "compilemessages" not in line) or "run-with-worker.sh" in line
    ]
    assert len(commands) == 4, result.stdout
    assert all("RUNSERVER_ADDRESS=127.0.0.1:8101" in line for line in commands)
    # The server and its report worker are started together, on the address asked for.
    assert commands[-1].endswith("scripts/run-with-worker.sh .venv/bin/python 127.0.0.1:8101")
