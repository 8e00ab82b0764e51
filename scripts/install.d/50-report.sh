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
# playwright-core is pinned to a release that runs on Debian 12's Node.js 18 and drives the
# system Chromium (it downloads no browser). Reinstall when the pin changed.
if ! (cd tests/report/node && node -e '
  const want = require("./package.json").dependencies["playwright-core"];
  process.exit(require("./node_modules/playwright-core/package.json").version === want ? 0 : 1)' 2>/dev/null); then
  (cd tests/report/node && npm ci --no-audit --no-fund --loglevel=error)
fi
$PY -c 'import jsonschema' 2>/dev/null || $PY -m pip install -q --disable-pip-version-check 'jsonschema>=4'
