# spec-check: every target sets itself up; nothing needs to be installed by hand.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TSTAMP  := $(VENV)/.installed-test
MODEL   ?= models/tdx.spec

.PHONY: run test lint bench golden check clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TSTAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(STAMP)

# Exit 1 means "a property is violated or a goal unreachable": a verdict, which is what `run` is
# for; only bad input (2), undecided (3) or an internal error (4) fail the target.
run: $(STAMP)
	@$(BIN)/spec-check $(MODEL); status=$$?; \
	if [ $$status -gt 1 ]; then exit $$status; fi

test: $(TSTAMP)
	$(BIN)/ruff check spec checker tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(TSTAMP)
	$(BIN)/ruff check spec checker tests bench
	$(BIN)/mypy
	$(BIN)/spec-check lint models/*.spec models/lib/*.spec
	@for f in models/*.spec models/lib/*.spec; do $(BIN)/spec-check fmt --check $$f || exit 1; done

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Accept the current output of the golden tests as expected (review the diff first).
golden: $(TSTAMP)
	SPEC_CHECK_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/spec/test_golden.py tests/cli -q

check: test lint

clean:
	rm -rf $(VENV) .spec-check-cache .pytest_cache
