#!/usr/bin/env bash
# Starts the API (which also serves the Rasa actions) and the Rasa server on embedded defaults,
# and stops both together (Ctrl-C, or either one exiting).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
HOST=${NSO_HOST:-127.0.0.1}
PORT=${NSO_PORT:-8000}
RASA_HOST=${NSO_RASA_HOST:-127.0.0.1}
RASA_PORT=${NSO_RASA_PORT:-5005}
# Rasa's HTTP API needs this token, and the action endpoint needs Rasa's: configured, or generated
# once into var/ (the API reads the same values).
NSO_RASA_TOKEN=$(.venv/bin/python -m settings rasa-token)
NSO_ACTION_TOKEN=$(.venv/bin/python -m settings action-token)
export NSO_RASA_TOKEN NSO_ACTION_TOKEN
MODEL=$(ls -t models/rasa/nso-*.tar.gz | head -1)
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

echo "==> API + actions on http://$HOST:$PORT (docs at /docs)"
.venv/bin/python -m bot serve --host "$HOST" --port "$PORT" &
pids+=($!)
echo "==> Rasa on http://$RASA_HOST:$RASA_PORT with $MODEL (HTTP API behind --auth-token)"
.venv-rasa/bin/rasa run --model "$MODEL" --endpoints endpoints.yml --interface "$RASA_HOST" \
  --port "$RASA_PORT" --enable-api --auth-token "$NSO_RASA_TOKEN" &
pids+=($!)
for _ in $(seq 1 120); do
  if curl -sf "http://$HOST:$PORT/health" >/dev/null && curl -sf "http://$RASA_HOST:$RASA_PORT/status?token=$NSO_RASA_TOKEN" >/dev/null; then
    echo "==> ready: REST webhook at http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook"
    break
  fi
  sleep 1
done
wait -n "${pids[@]}"
