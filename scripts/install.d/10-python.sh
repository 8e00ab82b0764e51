#!/usr/bin/env bash
# The package itself (editable) with its test and lint tools.
set -euo pipefail
PY=${PY:-python3}
if ! $PY -c 'import debugtape, sqlite_utils, pluggy, pytest, pytest_timeout, hypothesis, ruff, debugpy, pygdbmi, watchdog, textual, tree_sitter_c' 2>/dev/null \
   || ! command -v debugtape >/dev/null; then
  $PY -m pip install -q --disable-pip-version-check -e '.[dev]'
fi
