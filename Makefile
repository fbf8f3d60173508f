# The project's vocabulary. `make run` and `make test` set everything up themselves on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REQUIREMENTS := requirements/base.txt requirements/dev.txt
HOST ?= 127.0.0.1:8000
CHROMIUM ?= /usr/bin/chromium
MO := locale/nb/LC_MESSAGES/django.mo
PO := locale/nb/LC_MESSAGES/django.po

.PHONY: help install run test check lock messages vendor clean bench-pages bench-reports bench-load bench-import

help:
	@echo "make run     set up, load the real records into a new SQLite database and serve on http://$(HOST)/"
	@echo "             (with a background worker for the PDF reports next to the server; Ctrl-C stops both)"
	@echo "make test    set up and run the whole test suite (DATABASE_URL selects PostgreSQL)"
	@echo "make check   ruff, formatting and the migration check"
	@echo "make lock    re-pin the dependencies after editing requirements/*.in"

$(STAMP): $(REQUIREMENTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes $(foreach r,$(REQUIREMENTS),-r $(r))
	touch $(STAMP)

# The compiled translations are committed; they are compiled again when the .po file is newer and gettext is here.
$(MO): $(PO) $(STAMP)
	@if command -v msgfmt >/dev/null; then DEBUG=1 $(PY) manage.py compilemessages --locale nb --ignore '$(VENV)/*' -v0; \
	else echo "gettext is not installed: using the committed $(MO)"; touch $(MO); fi

install: $(STAMP) $(MO)

# RUNSERVER_ADDRESS makes the local SITE_URL (login hint, e-mails, the PDFs' links) name the address served here.
run: install
	DEBUG=1 RUNSERVER_ADDRESS=$(HOST) $(PY) manage.py migrate --verbosity 0
	DEBUG=1 RUNSERVER_ADDRESS=$(HOST) $(PY) manage.py load_real_records
	DEBUG=1 RUNSERVER_ADDRESS=$(HOST) $(PY) manage.py setup_local_users
	DEBUG=1 RUNSERVER_ADDRESS=$(HOST) bash scripts/run-with-worker.sh $(PY) $(HOST)

# Browser tests (marked `browser`) drive the machine's Chromium; without it they are left out, and this says so.
test: install
	@if [ -x "$(CHROMIUM)" ]; then \
		DEBUG=1 DJANGO_ALLOW_ASYNC_UNSAFE=true CHROMIUM=$(CHROMIUM) $(PY) -m pytest $(PYTEST_ARGS); \
	else \
		echo "*** Chromium is not installed at $(CHROMIUM): the browser tests (accessibility, keyboard, HTMX) are NOT run."; \
		echo "*** Install it with 'apt-get install -y chromium' (or set CHROMIUM=/path) to run them."; \
		DEBUG=1 $(PY) -m pytest -m "not browser" $(PYTEST_ARGS); \
	fi

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

lock:
	$(PY) -m pip install --quiet pip-tools==7.5.2
	cd requirements && ../$(VENV)/bin/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links --strip-extras base.in -o base.txt
	cd requirements && ../$(VENV)/bin/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links --strip-extras dev.in -o dev.txt

messages: install
	DEBUG=1 $(PY) manage.py makemessages --locale nb --ignore '$(VENV)/*' --no-obsolete
	DEBUG=1 $(PY) manage.py compilemessages --locale nb --ignore '$(VENV)/*'

# Copy the pinned front-end packages (frontend/package.json) from the npm registry into static/vendor/; commit the result.
vendor:
	bash scripts/vendor-assets.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

# Page benchmark (a measurement, not a test): fills the PostgreSQL database bergen_rus_bench (BENCH_DATABASE_URL) with
# the real records and 10,000 synthetic measures, serves it with gunicorn and drives the main pages with wrk next to
# a bare page of the same size; prints p50/p95 per page and writes bench/results-pages.md. Needs wrk and PostgreSQL.
bench-pages: install
	$(PY) -m bench.pages

# Report benchmark (a measurement, not a test): for 200, 1,000, 5,000 and 10,000 synthetic measures in a scratch
# SQLite database of its own (var/bench-reports/), renders the status report in a fresh process next to WeasyPrint
# alone on the same HTML, and prints wall time, CPU time and peak memory (BENCH_SIZES, BENCH_REPEAT change the runs).
bench-reports: install
	$(PY) -m bench.reports

# Load benchmark (a measurement, not a test): the PostgreSQL database of bench-pages (BENCH_DATABASE_URL) with 10,000
# synthetic measures, served by gunicorn with deploy/gunicorn.conf.py and one report worker: 50 readers (half logged
# in) with and without 8 anonymous clients asking for PDFs not made yet, then each logged-in page next to a bare page
# of its size; prints the figures and which targets were met (bench/load.py).
bench-load: install
	$(PY) -m bench.load

# Spreadsheet benchmark (a measurement, not a test): in a scratch SQLite database of its own (var/bench-import/;
# BENCH_DATABASE_URL for PostgreSQL) with 10,000 synthetic measures, exports the measure list as .xlsx and CSV and
# previews the import of a status file of 50,000 rows, each in a fresh process; prints wall time and peak memory.
bench-import: install
	$(PY) -m bench.imports
