#!/usr/bin/env bash
# The report's browser tests: Debian's Chromium, Node.js and playwright-core (tests/report/node),
# plus jsonschema for validating speedscope exports. Idempotent; quick when all is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-python3}
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
missing=()
for p in chromium nodejs npm; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A Node.js from elsewhere (nodesource, nvm) already brings npm: do not ask apt for Debian's.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]:-}"
if ((${#missing[@]})); then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -d tests/report/node/node_modules/playwright-core ]; then
  (cd tests/report/node && npm ci --no-audit --no-fund --loglevel=error)
fi
$PY -c 'import jsonschema' 2>/dev/null || $PY -m pip install -q --disable-pip-version-check 'jsonschema>=4'
