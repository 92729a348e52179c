# Two commands do all the set-up on a fresh Debian machine with Python 3.11:
#   make run    virtual environment + project, then the dashboard on http://127.0.0.1:8050
#   make test   virtual environment + test extra + Debian's chromium, redis-server, poppler-utils and npm
#               (axe-core, pinned, for the accessibility tests), then the import contracts
#               (lint-imports) and the whole suite
# The running app needs only the base package; `make geodata` and `make data` (the offline
# build from ../shared/data-sources) add the `pipeline` extra (geopandas, shapely, ...).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
NPM ?= /usr/bin/npm
# axe-core, the accessibility rules the browser tests run (tests/pages.py), from npm into a
# git-ignored folder; pinned, so that a new rule cannot fail a build that did not change.
AXE_VERSION ?= 4.14.1
AXE := .cache/npm/node_modules/axe-core/axe.min.js
REDIS ?= /usr/bin/redis-server
# poppler's pdftotext, pdfinfo and pdftoppm: the board pack's tests read its PDF back with them.
PDFTOTEXT ?= /usr/bin/pdftotext
WORKERS ?= 2
BIND ?= 127.0.0.1:8050
SOURCES ?= ../shared/data-sources
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test serve-gunicorn geodata data audit bench fuzz vendor clean

run: $(VENV)/.installed
	$(BIN)/python -m dashboard serve

test: $(VENV)/.installed-test $(CHROMIUM) $(REDIS) $(PDFTOTEXT) $(AXE)
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest

# Production: gunicorn, WORKERS workers each holding the same read-only data, compression on,
# debug off (docs/performance.md). DASHBOARD_CACHE_URL=redis://host:6379/0 shares results.
serve-gunicorn: $(VENV)/.installed
	$(BIN)/gunicorn --config gunicorn.conf.py --workers $(WORKERS) --bind $(BIND) dashboard.wsgi:server

geodata: $(VENV)/.installed-pipeline
	$(BIN)/python -m dashboard build-geodata --sources $(SOURCES)

data: $(VENV)/.installed-pipeline
	$(BIN)/python -m dashboard build-data --sources $(SOURCES)

# The disclosure audit: linear programming over every relation among the served numbers, for
# every withheld count of 1 to 4 (docs/disclosure.md gives its run time). AUDIT_EXACT bounds
# the slow whole-component programmes for quantities no faster proof was found for.
AUDIT_EXACT ?= 20
audit: $(VENV)/.installed
	$(BIN)/python -m dashboard audit-disclosure --verbose --exact-limit $(AUDIT_EXACT)

# Every benchmark in bench/ on the committed data, each printing its figures beside its
# targets (docs/performance.md); stops at the first that cannot run.
BENCHMARKS ?= bench/startup.py bench/filter_change.py bench/browser.py bench/load.py bench/cache.py bench/growth.py
bench: $(VENV)/.installed-bench $(CHROMIUM) $(REDIS)
	@set -e; for script in $(BENCHMARKS); do \
		echo "== $$script"; \
		$(BIN)/python $$script; \
		echo; \
	done

# Hostile input (issue 14; docs/performance.md, "Hostile input and faults"): at least 5,000 mutated
# recorded callback bodies, paths and queries, then 1-50 MB bodies, against gunicorn --workers 2;
# exit 1 on any 5xx or dropped connection. Seeded: FUZZ_ARGS="--seed 7 --requests 20000".
FUZZ_ARGS ?=
fuzz: $(VENV)/.installed
	$(BIN)/python bench/fuzz.py $(FUZZ_ARGS)

# The plotly.js geo bundle in assets/vendor/: pinned version, checked sha512 and sha256.
vendor: | $(BIN)/python
	$(BIN)/python scripts/vendor_plotly.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-pipeline: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[pipeline]"
	touch $@ $(VENV)/.installed

# The test extra includes the pipeline extra.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed $(VENV)/.installed-pipeline

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $@ $(VENV)/.installed $(VENV)/.installed-pipeline $(VENV)/.installed-test

# Playwright cannot download its own browser here; Debian's chromium is the one we drive.
$(CHROMIUM):
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium

$(AXE): Makefile | $(NPM)
	$(NPM) install --no-save --no-audit --no-fund --prefix .cache/npm axe-core@$(AXE_VERSION)
	touch $@

$(NPM):
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y npm

$(PDFTOTEXT):
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y poppler-utils

# The shared-cache tests start their own Redis server (never a system one).
$(REDIS):
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y redis-server

clean:
	rm -rf $(VENV) screenshots .pytest_cache .hypothesis .import_linter_cache .cache/npm
