#!/usr/bin/env bash
# Runs every test: lint and types, KB validation, Rasa test stories, then pytest: unit tests,
# integration tests on the real Rasa + action server (incl. held-out NLU F1 per language),
# faults, fuzzing, browser tests and the API contract (tests/contract: schemathesis with every
# check and the stateful phase, console signed in; schemathesis.toml); then the scale-out stage:
# the integration and fault suites again on real PostgreSQL + Redis (Debian packages, started on
# 127.0.0.1) with two API workers.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
export PYTHONPATH=$PWD
echo "==> ruff"
.venv/bin/ruff check settings.py knowledge conversation bot actions bench tests scripts
.venv/bin/ruff format --check settings.py knowledge conversation bot actions bench tests scripts
echo "==> mypy"
.venv/bin/mypy settings.py knowledge conversation bot
echo "==> import layers"
.venv/bin/lint-imports
echo "==> knowledge base"
.venv/bin/python -m knowledge validate
echo "==> rasa test stories (against the trained model)"
MODEL=$(ls -t models/rasa/nso-*.tar.gz | head -1)
mkdir -p test-output
.venv-rasa/bin/rasa test core --model "$MODEL" --stories tests/rasa/test_stories.yml \
  --fail-on-prediction-errors --out test-output/rasa-core --no-plot
echo "==> pytest"
.venv/bin/python -m pytest -q --durations=10
echo "==> pytest, scale-out profile (PostgreSQL + Redis, 2 API workers)"
# The fault test that kills both the action server and Rasa covers what the Rasa-only one does.
.venv/bin/python -m pytest -q --durations=5 --scale-out tests/integration tests/scale \
  tests/faults/test_faults.py::test_faults_action_server_then_rasa_killed_then_conversation_continues
