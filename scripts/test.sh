#!/usr/bin/env bash
# Runs every test: lint, KB validation, pytest (unit + integration).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
echo "==> ruff"
.venv/bin/ruff check knowledge bot actions bench tests
.venv/bin/ruff format --check knowledge bot actions bench tests
echo "==> mypy"
.venv/bin/mypy knowledge bot
echo "==> knowledge base"
.venv/bin/python -m knowledge validate
echo "==> pytest"
.venv/bin/python -m pytest -q
