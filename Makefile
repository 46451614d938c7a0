# The two set-up commands of README.md. Both install whatever is missing first (idempotent):
# `make run` only what running needs, `make test` the test tools as well.
.PHONY: run test setup check bench lock

setup:
	bash scripts/setup.sh test

run:
	bash scripts/setup.sh run
	bash scripts/run.sh

test: setup
	bash scripts/test.sh

# The fast lane for developers (a few minutes): lint, types, layers, KB, unit tests. Not a gate;
# it skips set-up, so run `make test` (or `make setup`) once on a new machine first.
check:
	.venv/bin/ruff check settings.py knowledge conversation bot actions bench tests scripts
	.venv/bin/ruff format --check settings.py knowledge conversation bot actions bench tests scripts
	.venv/bin/mypy settings.py knowledge conversation bot
	.venv/bin/lint-imports
	.venv/bin/python -m knowledge validate
	PYTHONPATH=. .venv/bin/python -m pytest -q -m unit -p no:cacheprovider

bench: setup
	.venv/bin/python -m bench.retrieval

# Regenerate requirements/{run,test,rasa}.lock after changing pyproject.toml or requirements/rasa*.txt.
lock:
	.venv/bin/python scripts/lock.py
