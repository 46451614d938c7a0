#!/usr/bin/env bash
# Trains the Rasa model only when data/, config.yml or the domain changed (content hash).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
digest=$(find data domain config.yml -type f \( -name '*.yml' -o -name '*.yaml' \) 2>/dev/null \
  | sort | xargs cat | sha256sum | cut -c1-16)
model=models/rasa/nso-$digest.tar.gz
if [[ -f $model ]]; then
  echo "rasa: model $model is current"
  exit 0
fi
# Train beside the served model and swap it in only when complete: a Rasa that restarts (make
# run supervises it) meanwhile still finds the old model instead of none.
mkdir -p models/rasa
staging=$(mktemp -d models/rasa/.training-XXXXXX)
trap 'rm -rf "$staging"' EXIT
.venv-rasa/bin/rasa train --config config.yml --domain domain --data data \
  --out "$staging" --fixed-model-name "nso-$digest"
mv "$staging/nso-$digest.tar.gz" "$model"
find models/rasa -maxdepth 1 -name 'nso-*.tar.gz' ! -path "$model" -delete
