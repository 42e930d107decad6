# The two commands: `make run` and `make test`. Both work from a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Coverage of classroom/ and lessons/ below this fails `make test`: the figure of the suite
# without the browser tests when it was set (95.7 %, 1 December 2026), rounded down.
COVERAGE_FLOOR ?= 95
# COVERAGE=0 runs the suite without measuring coverage (CI's second run, on PostgreSQL: the
# first run measured it, and measuring slows the suite down).
COVERAGE ?= 1
ifeq ($(COVERAGE),0)
COVERAGE_ARGS :=
else
COVERAGE_ARGS := --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR)
endif
# Production values for `check --deploy`: the same checks a real deployment must pass.
DEPLOY_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=deploy-check-$(shell printf '%064d' 0 | tr 0 x)-key \
	DJANGO_ALLOWED_HOSTS=classroom.example.org EMAIL_URL=smtp+tls://classroom:secret@smtp.example.org:587

.PHONY: run test suite lint serve setup screenshots bench lighthouse backup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# locust for `make bench` only, so the test install stays lighter.
$(VENV)/.bench: requirements.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@ $(VENV)/.runtime

## setup: migrate the database (the background tasks' table included), load the lessons and
## the demo data, and bring stored instant feedback up to the current mark schemes and matching
## rules (at once: `remark` does not wait for the worker).
setup: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py import_lessons
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py remark

# The address other machines on the network reach this one at (finding it sends no packet).
LAN_ADDRESS = $(shell $(PYTHON) -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(("192.0.2.1", 9)); print(s.getsockname()[0])' 2>/dev/null || hostname -I 2>/dev/null | cut -d" " -f1)

## run: everything `setup` does, then the development server on HOST:PORT, with the worker
## of background tasks (emails, re-marking) beside it, stopped with the server. With
## HOST=0.0.0.0 (a class on the school network) the machine's network address is allowed as a
## host name and is the address on login cards and the join panel (unless SITE_URL says
## otherwise).
run: setup
ifeq ($(HOST),0.0.0.0)
	@echo "Students on the school network open http://$(LAN_ADDRESS):$(PORT)/"
	DJANGO_LAN_URL=http://$(LAN_ADDRESS):$(PORT) bin/with-worker $(BIN)/python manage.py runserver $(HOST):$(PORT)
else
	bin/with-worker $(BIN)/python manage.py runserver $(HOST):$(PORT)
endif

## lint: ruff, mypy (django-stubs), djLint, migrations in step with the models, deploy checks,
## mark schemes.
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/djlint templates --lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

# The Nu HTML Checker for the test of valid HTML (npm's vnu-jar, run with Java). Without npm
# that test skips, except in CI, where it fails.
VNU := node_modules/vnu-jar/build/dist/vnu.jar

$(VNU): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --ignore-scripts --loglevel error && touch $@; \
	else echo "npm not found: the HTML checker test will skip (install Node.js and npm to run it)"; fi

## test: lint, then the whole pytest suite (browser tests included when Chromium is found, the
## HTML checker when Java and npm are), measuring coverage (pytest-cov) against COVERAGE_FLOOR.
## A part of the suite alone: make test PYTEST_ARGS=tests/lessons COVERAGE_FLOOR=0
test: lint suite

## suite: the pytest suite alone, without lint (COVERAGE=0: without measuring coverage).
suite: $(VENV)/.dev $(VNU)
	$(BIN)/python -m pytest $(COVERAGE_ARGS) $(PYTEST_ARGS)

## backup: a consistent copy of the database, taken while the site runs, into backups/.
backup: $(VENV)/.runtime
	$(BIN)/python manage.py backup

## screenshots: PNGs of the main pages at phone and desktop widths into docs/screenshots/.
screenshots: $(VENV)/.dev
	SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser/test_screenshots.py -q -s -p no:cacheprovider

## lighthouse: Lighthouse scores of the public pages, served as in production (needs npm and
## Chromium); the figures are in bench/README.md.
bench/lighthouse/node_modules/.bin/lighthouse: bench/lighthouse/package.json bench/lighthouse/package-lock.json
	cd bench/lighthouse && npm ci --no-audit --no-fund --ignore-scripts --loglevel error

lighthouse: $(VENV)/.dev bench/lighthouse/node_modules/.bin/lighthouse
	$(BIN)/python bench/lighthouse.py

## bench: a class of 50 at once against gunicorn in production settings, on SQLite and, when
## DATABASE_URL is set (e.g. postgres://postgres@127.0.0.1:5432/bench), on PostgreSQL too.
## Reports go to bench/reports/.
bench: $(VENV)/.bench
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules staticfiles test-db*.sqlite3* .pytest_cache
