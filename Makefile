# Zhurnal — two commands set everything up:  make demo   and   make test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/zhurnal)
# Two workers: the machines (and CI) have two cores. Override with PYTEST_ARGS= for a serial run.
PYTEST_ARGS ?= -n 2

.PHONY: demo test install install-dev lint test-sqlite test-postgres chromium fet bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make demo: install, migrate, build the demo school, print the logins, serve on http://127.0.0.1:8000
demo: install
	$(BIN)/zhurnal demo

## make test: ruff and mypy, then pytest on SQLite, then pytest on PostgreSQL (browser journeys included)
test: install-dev chromium fet lint test-sqlite test-postgres

## make lint: ruff, and mypy with django-stubs over the apps (config in pyproject.toml)
lint:
	$(BIN)/ruff check .
	ZHURNAL_TESTING=1 $(BIN)/mypy

test-sqlite:
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		echo "== PostgreSQL leg: $(PG_URL)"; \
		DATABASE_URL="$(PG_URL)" $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(PG_URL): the PostgreSQL leg cannot be skipped in CI" >&2; exit 1; \
	else \
		echo "== PostgreSQL not reachable at $(PG_URL): PostgreSQL leg skipped"; \
	fi

chromium:
	@sh scripts/ensure-chromium.sh

fet:
	@sh scripts/ensure-fet.sh

## make bench: every benchmark case on SQLite and PostgreSQL → bench/results.{json,md}, bench/peers.md
bench: install-dev
	$(BIN)/python -m bench.run

## make generate: a 100-school region in PostgreSQL database zhurnal_region (SCHOOLS=N to change), for the load test
REGION_URL ?= postgres://postgres@127.0.0.1:5432/zhurnal_region
SCHOOLS ?= 100
generate: install-dev
	$(BIN)/python scripts/pg_ready.py "$(REGION_URL)" || { echo "PostgreSQL is not reachable at $(REGION_URL)" >&2; exit 1; }
	$(BIN)/python -c "from bench.run import recreate_pg_database; recreate_pg_database('$(REGION_URL)')"
	DATABASE_URL="$(REGION_URL)" SECRET_KEY=generate-only $(BIN)/python manage.py migrate -v0
	DATABASE_URL="$(REGION_URL)" SECRET_KEY=generate-only $(BIN)/python manage.py generate --schools $(SCHOOLS)

## make loadtest: gunicorn + wrk on 127.0.0.1 against the generated region → bench/loadtest/results.md
loadtest: install-dev
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
	LOADTEST_DATABASE_URL="$(REGION_URL)" $(BIN)/python -m bench.loadtest.run

clean:
	rm -rf $(VENV) var/zhurnal.sqlite3*
