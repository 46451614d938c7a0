#!/usr/bin/env bash
# Starts the system on embedded defaults (SQLite, local files) and stops it on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
HOST=${NSO_HOST:-127.0.0.1}
PORT=${NSO_PORT:-8000}
echo "==> API on http://$HOST:$PORT (docs at /docs)"
exec .venv/bin/uvicorn --factory bot.main:create_app --host "$HOST" --port "$PORT"
