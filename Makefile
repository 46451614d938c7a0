# The two set-up commands of README.md. Both install whatever is missing first (idempotent).
.PHONY: run test setup bench

setup:
	bash scripts/setup.sh

run: setup
	bash scripts/run.sh

test: setup
	bash scripts/test.sh

bench: setup
	.venv/bin/python -m bench.retrieval
