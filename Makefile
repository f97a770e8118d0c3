# The two commands a new user runs (see README.md):
#   make run   - set everything up, then open the workshop on the built-in demo data (Ctrl-C stops it)
#   make test  - set everything up (incl. Debian's Chromium for browser tests), run all tests (on two workers:
#                pytest-xdist, see tests/conftest.py), then build the wheel and smoke-test it installed in a
#                fresh venv outside the source tree
# .venv gets the package editable with every extra (the test extra names workshop and course).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test setup browser postgres lint typecheck bench wheel-smoke mutation clean

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/dpup-eval demo workshop

# Generate the demo data and check both files against the agreement (the foundation's main job).
demo: $(STAMP)
	$(BIN)/dpup-eval demo check --outdir demo-data

# Browser tests drive Debian's Chromium; install it when we can (root + apt-get), else they skip.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's Chromium for the browser tests ..."; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# The record's tests run on PostgreSQL too; each starts its own throwaway cluster (tests/postgres_cluster.py).
# Install Debian's server when we can (root + apt-get) and it is missing; no default cluster is created
# or started (nothing listens). About 40 MB to download, 170 MB installed (~45 s here); without it those tests are skipped
# (and fail under CI=true).
postgres:
	@if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		&& command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's PostgreSQL server for the record's tests ..."; \
		mkdir -p /etc/postgresql-common/createcluster.d && \
		echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/dpup-eval.conf && \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; \
	fi

test: $(STAMP) browser postgres
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder
	$(BIN)/python .ci/wheel_smoke.py

# Build the sdist and wheel, install the wheel into a fresh venv (core only, then with the workshop and course
# extras) in a temporary folder, and run the commands from there (see .ci/wheel_smoke.py).
wheel-smoke: $(STAMP)
	$(BIN)/python .ci/wheel_smoke.py

lint: $(STAMP)
	$(BIN)/ruff check .

# Types of dpup_eval/ ([tool.mypy] in pyproject.toml; ~1.5 CPU-min from cold, seconds with .mypy_cache).
typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_peers.py
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_scan.py
	$(BIN)/python benchmarks/bench_evaluate.py
	$(BIN)/python benchmarks/bench_workshop.py
	$(BIN)/python benchmarks/bench_voila_floor.py

# Mutation testing (a developer tool, not part of `make test`): the modules and tests are listed under
# [tool.mutmut] in pyproject.toml. Survivors: `.venv/bin/mutmut results`, `.venv/bin/mutmut show NAME`.
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet 'mutmut>=3.3,<4'
	HYPOTHESIS_PROFILE=dev $(BIN)/mutmut run
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) demo-data artifacts .pytest_cache mutants build dist
