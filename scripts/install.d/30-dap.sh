#!/usr/bin/env bash
# DAP part: node + @vscode/debugadapter-testsupport (the DAP client the proxy tests drive it with)
# and py-spy (optional fast sampler for `debugtape record --python --sample`).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-python3}
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
NODE_DIR=tests/adapters/dap/node
if [ ! -d "$NODE_DIR/node_modules/@vscode/debugadapter-testsupport" ]; then
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi
if ! command -v py-spy >/dev/null; then
  $PY -m pip install -q --disable-pip-version-check py-spy
fi
