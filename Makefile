# `make serve` and `make test` set up everything they need first (idempotent, quick when done).
.PHONY: install serve test lint bench

install:
	@bash scripts/install.sh

serve: install
	.venv/bin/polydoc serve --port $${PORT:-30000}

lint: install
	.venv/bin/ruff check src tests benchmarks

test: install lint
	.venv/bin/pytest -q

bench: install
	.venv/bin/python benchmarks/throughput.py
	.venv/bin/python benchmarks/overhead.py
