# Accountability — the two commands that matter: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: demo test install migrate seed serve bench lint format clean check-migrations timers upgrade-check messages bench-verify static smoke load browser-walk

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# --- production (issue 18): static files, make serve, make smoke -------------------------
# collectstatic at install: the hashed, compressed files whitenoise serves with DEBUG off
# (rebuilt when the dependencies or any app's static/ change).
STATIC_SOURCES := $(shell find . -path ./.venv -prune -o -path ./staticfiles -prune -o -path ./var -prune -o -path '*/static/*' -type f -print 2>/dev/null)
staticfiles/staticfiles.json: $(VENV)/.installed $(STATIC_SOURCES)
	DJANGO_DEBUG=off DJANGO_SECRET_KEY=collectstatic-only $(BIN)/python manage.py collectstatic --noinput >/dev/null
	@touch $@

static: staticfiles/staticfiles.json

# The production configuration on this machine: DEBUG off, PostgreSQL (SERVE_DATABASE_URL,
# created if missing), gunicorn, whitenoise; demo data loaded once. See docs/deploy.md.
serve: install
	$(BIN)/python scripts/serve.py

# Two production nodes (PostgreSQL, Redis, a local S3 server) walked by headless Chromium.
smoke: install
	@test -x /usr/bin/chromium || { echo "make smoke needs Debian's chromium: apt-get install -y chromium"; exit 1; }
	$(BIN)/python scripts/production_smoke.py

# 20 people on two production nodes over 10,000 bulk-seeded cases (docs/performance.md).
load: install
	$(BIN)/python benchmarks/load.py
# --- end production ---

install: $(VENV)/.installed static

migrate: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput

# The demo signs regulator bundles with a key of its own, made once (never replaced).
seed: migrate
	@DJANGO_DEBUG=1 $(BIN)/python manage.py signing_key public >/dev/null 2>&1 || \
		DJANGO_DEBUG=1 $(BIN)/python manage.py signing_key generate >/dev/null
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo

# The demo opens effectiveness reviews two minutes after the last corrective action and
# closes the appeal window three minutes after execution; `manage.py run_jobs` runs in the
# background as the scheduler does in production (docs/operations.md), its output in
# var/jobs.log, mail printed there by the console backend.
demo: seed
	@echo "Serving on http://127.0.0.1:8000 — log in as officer / demo (see README for every role)"
	@export DJANGO_DEBUG=1 ACCOUNTABILITY_REVIEW_DELAY_MINUTES=2 ACCOUNTABILITY_APPEAL_WINDOW_MINUTES=3; \
	mkdir -p var; $(BIN)/python manage.py run_jobs >var/jobs.log 2>&1 & jobs=$$!; \
	trap 'kill $$jobs 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	@mkdir -p var
	DJANGO_DEBUG=1 $(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$status

# One case from report to close in Debian's Chromium (/usr/bin/chromium; Playwright never
# downloads a browser), in English and Traditional Chinese; page loads in var/browser-walk.json.
browser-walk: install
	@mkdir -p var
	ACCOUNTABILITY_BROWSER_WALK=1 DJANGO_DEBUG=1 $(BIN)/python -m pytest tests/browser

check-migrations: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# One pass of every scheduled job that is due (timers, escalations, the outbox, ...).
timers: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py run_jobs --once

bench: install
	DJANGO_DEBUG=1 $(BIN)/python benchmarks/run.py

# verify_audit over a ledger of 1,000,000 events, with and without reading the files.
bench-verify: install
	$(BIN)/python benchmarks/verify_ledger.py

# Translations: list the strings of viewflow, django-filter and django-axes, gather every
# string into locale/ (keeping the translations there), compile. See docs/operations.md.
messages: install
	$(BIN)/python tools/third_party_strings.py
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hant -l zh_Hans --no-obsolete \
		--ignore=tests --ignore=benchmarks
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -l zh_Hant -l zh_Hans --ignore='.*'

# ruff (rules and format), the one-way dependencies between apps, and types on the core.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_DEBUG=1 $(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# A database seeded by the code from before ledger/ and casework/ migrates, and its open
# cases close (scripts/upgrade_check.py).
upgrade-check: install
	DJANGO_DEBUG=1 $(BIN)/python scripts/upgrade_check.py

clean:
	rm -rf $(VENV) var db.sqlite3*
