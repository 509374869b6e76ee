# `make serve` and `make test` set up everything they need first (idempotent, quick when done).
.PHONY: install install-test serve test lint bench services

# the same end-to-end suite runs a second time against PostgreSQL + Redis + S3
SCALEOUT_SUITE = tests/test_e2e_service.py tests/test_contract.py tests/test_errors.py tests/test_worker_crash.py tests/test_fair_queues.py

install:
	@bash scripts/install.sh

# test-only tools (chromium, LibreOffice) on top of what serving needs
install-test:
	@bash scripts/install.sh --test

# `make serve HOST=0.0.0.0 PORT=8080` listens on every interface, on another port
HOST ?= 127.0.0.1
PORT ?= 30000

serve: install
	.venv/bin/polydoc serve --host $(HOST) --port $(PORT)

lint: install-test
	.venv/bin/ruff check src tests benchmarks

services: install
	@bash scripts/services.sh >/dev/null

test: install-test lint
	@eval "$$(bash scripts/services.sh)" && \
	  POLYDOC_TEST_BACKEND=scaleout .venv/bin/pytest -q -p no:cacheprovider $(SCALEOUT_SUITE) && \
	  .venv/bin/pytest -q

bench: install
	.venv/bin/python benchmarks/throughput.py
	.venv/bin/python benchmarks/overhead.py
