# eventwire: every target installs what it needs through `setup` first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
REPORTS := reports

.PHONY: setup run test test-all faults eval bench bench-dedup lint format constraints clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: setup  ## the demo: embedded Redis (if none configured), a worker, the bundled samples
	$(VENV)/bin/eventwire run

test: setup lint  ## unit, contract, integration tests and the fast fault subset
	$(PY) -m pytest -m "not slow" -q

test-all: setup lint
	$(PY) -m pytest -q

faults: setup  ## the whole fault suite, with its table of faults/outcomes/lost/doubled
	$(PY) -m pytest -m faults -q -s

eval: setup  ## extraction quality: the public PLOVER dev set (primary), the team's gold set, event locations
	@mkdir -p $(REPORTS)
	$(PY) -m tools.evaluate plover --report $(REPORTS)/eval-plover.json
	$(PY) -m tools.evaluate gold --gold tests/gold --report $(REPORTS)/eval.json
	$(PY) -m tools.evaluate locations --report $(REPORTS)/eval-locations.json

bench: setup bench-dedup  ## all benchmarks (JSON reports in reports/); BENCH_ARGS="--articles 400 --memory-articles 10000"
	@mkdir -p $(REPORTS)
	$(PY) tests/bench/bench_extraction.py --report $(REPORTS)/bench-extraction.json
	$(PY) tests/bench/bench_pipeline.py --profile --report $(REPORTS)/bench-pipeline.json $(BENCH_ARGS)
	$(PY) tests/bench/bench_worst_case.py --report $(REPORTS)/bench-worst-case.json
	$(PY) tests/bench/bench_language.py --report $(REPORTS)/bench-language.json
	$(PY) tests/bench/bench_state.py --report $(REPORTS)/bench-state.json

bench-dedup: setup  ## 100k synthetic articles through the Redis dedup index
	@mkdir -p $(REPORTS)
	$(PY) tests/bench/bench_dedup.py --report $(REPORTS)/bench-dedup.json

lint: setup  ## ruff, and the import contracts (the core imports no transport; layers)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff format .

constraints: setup  ## pin the production image (deploy/constraints.txt) to the versions installed here
	$(PY) -m tools.constraints > deploy/constraints.txt

clean:
	rm -rf $(VENV) $(REPORTS) .pytest_cache .ruff_cache *.egg-info
