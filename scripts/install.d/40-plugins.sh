#!/usr/bin/env bash
# Plugin tests pip-install test plugin packages into a throw-away folder (real entry-point
# discovery, offline with --no-build-isolation): that needs setuptools and wheel at hand.
set -euo pipefail
PY=${PY:-python3}
if ! $PY -c 'import setuptools, wheel' 2>/dev/null; then
  $PY -m pip install -q --disable-pip-version-check setuptools wheel
fi
