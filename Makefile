# Two commands on a fresh machine with Python >= 3.11 and make: `make up`, `make test`.
# uv is used when it is on PATH; otherwise it is bootstrapped into .tools/ with pip.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PYTHON ?= python3

.PHONY: up test lint format sync bench soak fuzz clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

sync: $(UV)
	$(UV) sync --frozen

up: sync
	$(UV) run plc up

lint: sync
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format: sync
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

test: lint
	$(UV) run pytest

# Schemathesis against every service and the gateway (tests/test_fuzz.py) with many more examples than CI
# runs, and the coverage phase on every operation for both roles; FUZZ_EXAMPLES and FUZZ_SEED change them. Each run's full report lands in FUZZ_REPORT_DIR.
FUZZ_EXAMPLES ?= 100
FUZZ_REPORT_DIR ?= .fuzz
fuzz: sync
	FUZZ_FULL=1 FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_REPORT_DIR=$(FUZZ_REPORT_DIR) $(UV) run pytest tests/test_fuzz.py -q -s -o timeout=0

bench: sync
	$(UV) run python bench/report.py

# The whole stack under mixed load through the gateway for SOAK_SECONDS (default 60): errors, p50/p99, books.
soak: sync
	$(UV) run python bench/soak.py

clean:
	rm -rf .tools .venv .pytest_cache .ruff_cache
