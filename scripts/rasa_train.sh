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
mkdir -p models/rasa
rm -f models/rasa/nso-*.tar.gz
.venv-rasa/bin/rasa train --config config.yml --domain domain --data data \
  --out models/rasa --fixed-model-name "nso-$digest"
