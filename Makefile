# Congvan — the set-up contract. On a fresh Debian 12 machine (Python 3.11, root or sudo):
#   make run     install, migrate, load the demo province on first start, serve http://127.0.0.1:8000 + worker
#   make test    install what the tests need, then ruff, pytest on SQLite, pytest -m postgres on PostgreSQL
#   make bench   every bench/*.py on SQLite, then on PostgreSQL
#   make lint    ruff only
#   make clean   remove var/, .pgdata and the install stamps (the .venv itself stays)
# Every step is idempotent: Debian packages are installed only when dpkg lacks them, Python packages only
# when pyproject.toml changed since the last install (stamp files in .venv/).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --no-input -q
DATA_DIR ?= $(CURDIR)/var
BIND ?= 127.0.0.1:8000
export DEBIAN_FRONTEND := noninteractive

# Run time: Word → PDF conversion; the fonts of documents, stamps and reports; Pango for WeasyPrint (reports);
# OCR of scans (ocrmypdf: tesseract with the Vietnamese model, Ghostscript for PDF/A, unpaper and pngquant).
RUN_DEBS := libreoffice-writer-nogui fonts-noto-core fonts-croscore fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 \
	tesseract-ocr tesseract-ocr-vie ghostscript unpaper pngquant
# Tests: browser tests drive Debian's chromium; the PostgreSQL run; gettext for the message catalogues;
# Dovecot (IMAP, LDA) started unprivileged by the mail tests.
TEST_DEBS := $(RUN_DEBS) chromium postgresql postgresql-contrib gettext softhsm2 opensc poppler-utils dovecot-imapd

LINT_PATHS := $(wildcard src tests bench)
PYTEST_ARGS ?=
PYTEST_SQLITE_ARGS ?= -n 2 --dist loadgroup
PYTEST_POSTGRES_ARGS ?=
TEST_TIMEOUT ?= 1500
BENCH_ARGS ?=

.PHONY: run test lint bench clean deps-run deps-test test-sqlite test-postgres

run: deps-run
	CONGVAN_DEMO=1 CONGVAN_DATA_DIR=$(DATA_DIR) $(VENV)/bin/congvan run --bind $(BIND)

# ruff, then both pytest runs; -k: a failure in one step still lets the others report, make test fails at the end.
test:
	@$(MAKE) --no-print-directory -k lint test-sqlite test-postgres
	@echo "make test: all steps passed"

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check $(LINT_PATHS)

test-sqlite: deps-test
	env -u CONGVAN_DATABASE_URL CONGVAN_DATA_DIR=$(CURDIR)/var/test \
		timeout --foreground -k 30 $(TEST_TIMEOUT) $(PY) -m pytest $(PYTEST_SQLITE_ARGS) $(PYTEST_ARGS)

# The private cluster is stopped whatever happens; a server that does not start fails the run.
test-postgres: deps-test
	trap 'bash scripts/pg.sh stop' EXIT; \
	bash scripts/pg.sh start; \
	CONGVAN_DATABASE_URL="$$(bash scripts/pg.sh url)" CONGVAN_TEST_POSTGRES=1 CONGVAN_DATA_DIR=$(CURDIR)/var/test-pg \
		timeout --foreground -k 30 $(TEST_TIMEOUT) $(PY) -m pytest -m postgres $(PYTEST_POSTGRES_ARGS) $(PYTEST_ARGS)

bench: deps-test
	trap 'bash scripts/pg.sh stop' EXIT; \
	bash scripts/pg.sh start; \
	for script in bench/*.py; do \
		name="$$(basename "$$script" .py)"; \
		echo "== $$script on SQLite" >&2; \
		env -u CONGVAN_DATABASE_URL CONGVAN_DATA_DIR=$(CURDIR)/var/bench/$$name $(PY) "$$script" $(BENCH_ARGS); \
		echo "== $$script on PostgreSQL" >&2; \
		CONGVAN_DATABASE_URL="$$(bash scripts/pg.sh url "$${name}_db")" CONGVAN_DATA_DIR=$(CURDIR)/var/bench-pg/$$name \
			$(PY) "$$script" $(BENCH_ARGS); \
	done

clean:
	-bash scripts/pg.sh stop
	if [ -L .pgdata ]; then rm -rf "$$(readlink -f .pgdata)"; fi
	rm -rf var .pgdata test-results $(VENV)/.installed-run $(VENV)/.installed-test

deps-run: $(VENV)/.installed-run
	bash scripts/debs.sh $(RUN_DEBS)

deps-test: $(VENV)/.installed-test
	bash scripts/debs.sh $(TEST_DEBS)

# The virtualenv; Debian's python3 needs python3-venv for it.
$(PY):
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || bash scripts/debs.sh python3-venv
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install -e '.[test]'
	touch $@ $(VENV)/.installed-run
