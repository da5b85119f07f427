# Onca: the two commands are `make demo` and `make test`; both set everything up from scratch.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
PYTEST_WORKERS ?= 2
PYTEST_DIST    ?= loadgroup

.PHONY: install browser demo test lint format bench bench-screen bench-amlsim bench-resolve bench-network bench-density bench-occupancy bench-trade bench-registry bench-registry-import bench-console clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev,spark,bench]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

demo: install  ## generate the Operation Jaguar scenario, ingest it, write onca-demo/report.html
	$(BIN)/onca demo --out onca-demo

browser:  ## Debian's Chromium for the console's end-to-end tests (apt-get, as root)
	scripts/install-browser.sh

test: install lint browser  ## lint, type-check and run the whole test suite
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST) -q --durations=20

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix src tests benchmarks scripts
	$(BIN)/ruff format src tests benchmarks scripts

bench: install  ## the foundation benchmarks (10 million transactions; see benchmarks/README.md)
	$(BIN)/python benchmarks/bench_foundation.py --transactions $${N:-10000000}

bench-screen: install  ## screening benchmark: every typology over 10M transactions (DuckDB), 1M on Spark
	$(BIN)/python benchmarks/bench_screening.py --transactions $${N:-10000000}
	$(BIN)/python benchmarks/bench_screening.py --transactions $${SPARK_N:-1000000} --spark

bench-amlsim: install  ## account scores and alerts on AMLSim fan-in and cycle samples (../shared) and the scenario, against counting
	$(BIN)/python benchmarks/bench_amlsim.py

bench-resolve: install  ## entity resolution: FEBRL4, the scenario, 1M records (DuckDB); PPRL on FEBRL4
	$(BIN)/python benchmarks/bench_resolve.py --records $${N:-1000000}
	$(BIN)/python benchmarks/bench_pprl.py

bench-network: install  ## tracing on 10M transactions, Leiden on 1M vertices, learned scoring vs rules on 200k
	$(BIN)/python benchmarks/bench_network_trace.py --transactions $${N:-10000000}
	$(BIN)/python benchmarks/bench_network_trace.py --transactions $${N:-10000000} --max-edges 1000000 --sql-starts 3
	$(BIN)/python benchmarks/bench_network_structure.py --nodes $${NODES:-1000000}
	$(BIN)/python benchmarks/bench_network_learn.py --transactions $${LEARN_N:-200000}

bench-density: install  ## SCR: captdata, a 50-camera survey and 5 sessions timed; 200 simulated surveys per detector type and of 3 sessions
	$(BIN)/python benchmarks/bench_scr.py --datasets $${DATASETS:-200}
	$(BIN)/python benchmarks/bench_scr_sessions.py --datasets $${DATASETS:-200}

bench-occupancy: install  ## occupancy and Royle-Nichols timed on 500 x 60, 200 simulated data sets; colext on 200 x 4 x 5
	$(BIN)/python benchmarks/bench_occupancy.py --datasets $${DATASETS:-200}
	$(BIN)/python benchmarks/bench_colext.py
	$(BIN)/python benchmarks/study_colext.py --datasets $${DATASETS:-200}
	$(BIN)/python benchmarks/bench_distribution.py

bench-trade: install  ## mirror analysis of 25M synthetic CITES shipment records (DuckDB)
	$(BIN)/python benchmarks/bench_trade.py --records $${N:-25000000}

bench-registry: install  ## registry load test: reads and writes per second against PostgreSQL (wrk)
	$(BIN)/python benchmarks/bench_registry.py

bench-registry-import: install  ## a 100,000-row bulk import under a /health poller, person search at that size (PostgreSQL, SQLite)
	$(BIN)/python benchmarks/bench_registry_import.py --rows $${N:-100000}

bench-console: install  ## console pages' server time with 100,000 seizures in PostgreSQL
	$(BIN)/python benchmarks/bench_console.py

clean:
	rm -rf $(VENV) onca-demo build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
