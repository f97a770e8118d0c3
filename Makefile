# The two commands a new user runs (see README.md):
#   make run   - set everything up, then open the workshop on the built-in demo data (Ctrl-C stops it)
#   make test  - set everything up (incl. Debian's Chromium for browser tests), then run all tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test setup browser lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/dpup-eval workshop

# Generate the demo data and check both files against the agreement (the foundation's main job).
demo: $(STAMP)
	$(BIN)/dpup-eval demo --outdir demo-data

# Browser tests drive Debian's Chromium; install it when we can (root + apt-get), else they skip.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's Chromium for the browser tests ..."; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_evaluate.py
	$(BIN)/python benchmarks/bench_workshop.py

clean:
	rm -rf $(VENV) demo-data artifacts .pytest_cache
