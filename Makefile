# clinkg — everything a fresh clone needs, with only python3 and make present.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export CLINKG_BUILD_DIR ?= $(CURDIR)/build

.PHONY: help install serve serve-hpo test bench lint typecheck build validate stats clean

help:
	@echo "make serve     serve the API on the embedded store (PORT, default 8000; builds the graph if needed)"
	@echo "make test      run the test suite (creates .venv and installs clinkg[dev] on first use)"
	@echo "make serve-hpo serve the HPO release (build/hpo; clinkg import hpo first when missing)"
	@echo "make bench     benchmarks (figures printed, bench/results/latest.json)"
	@echo "make lint      ruff check"
	@echo "make build     validate the content and build the graph into build/"
	@echo "make validate  check the content and the graph, exit 1 when invalid"
	@echo "make stats     counts per class, edge type and code system"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

PORT ?= 8000
HOST ?= 127.0.0.1
serve: $(STAMP)
	$(BIN)/clinkg serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

# The HPO release (clinkg import hpo) under build/hpo, imported when missing. Served without the
# staleness check of `make serve`, whose rebuild would replace it by a curated-only release.
serve-hpo: $(STAMP)
	@test -e build/hpo/current/store || $(BIN)/clinkg import hpo --out build/hpo
	CLINKG_BUILD_DIR=$(CURDIR)/build/hpo $(BIN)/clinkg serve --no-build --host $(HOST) --port $(PORT)

# wrk is the HTTP load tool of the benchmarks; installed from Debian's packages when missing.
bench: $(STAMP)
	@command -v wrk >/dev/null || (command -v apt-get >/dev/null && (apt-get install -y -q wrk >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null))) || echo "wrk unavailable: HTTP figures skipped"
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check .

# mypy cannot follow setuptools' package-dir mapping: it checks a tree of links laid out as the installed
# package (build/typecheck/clinkg/loaders -> loaders, ...), so that clinkg.* imports have their real types.
TYPECHECK := build/typecheck/clinkg
typecheck: $(STAMP)
	@mkdir -p $(TYPECHECK)
	@cp clinkg/*.py $(TYPECHECK)/
	@for d in content ontology loaders queries service; do ln -sfn ../../../$$d $(TYPECHECK)/$$d; done
	$(BIN)/mypy -p clinkg

build: $(STAMP)
	$(BIN)/clinkg build --out $(CLINKG_BUILD_DIR)

validate: $(STAMP)
	$(BIN)/clinkg validate

stats: $(STAMP)
	$(BIN)/clinkg stats

clean:
	rm -rf build .pytest_cache .ruff_cache .mypy_cache
