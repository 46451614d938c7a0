#!/usr/bin/env bash
# Runs every test: lint and types, KB validation, Rasa test stories, then pytest: unit tests,
# integration tests on the real Rasa + action server (incl. held-out NLU F1 per language),
# faults, fuzzing and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
export PYTHONPATH=$PWD
echo "==> ruff"
.venv/bin/ruff check knowledge bot actions bench tests
.venv/bin/ruff format --check knowledge bot actions bench tests
echo "==> mypy"
.venv/bin/mypy knowledge bot
echo "==> knowledge base"
.venv/bin/python -m knowledge validate
echo "==> rasa test stories (against the trained model)"
MODEL=$(ls -t models/rasa/nso-*.tar.gz | head -1)
mkdir -p test-output
.venv-rasa/bin/rasa test core --model "$MODEL" --stories tests/rasa/test_stories.yml \
  --fail-on-prediction-errors --out test-output/rasa-core --no-plot
echo "==> pytest"
.venv/bin/python -m pytest -q
