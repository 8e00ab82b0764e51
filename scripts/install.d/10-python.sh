#!/usr/bin/env bash
# The package itself (editable, from THIS checkout) with its test and lint tools.
set -euo pipefail
PY=${PY:-python3}
here=$(pwd -P)
# Where `import debugtape` resolves from outside the checkout (an older editable install of
# another clone must not be what the tests exercise).
where=$(cd / && $PY -c 'import debugtape, os; print(os.path.dirname(os.path.dirname(os.path.realpath(debugtape.__file__))))' 2>/dev/null || true)
if [ "$where" != "$here" ] \
   || ! $PY -c 'import sqlite_utils, pluggy, pytest, pytest_timeout, hypothesis, ruff, mypy, debugpy, pygdbmi, watchdog, textual, tree_sitter_c, tree_sitter_cpp, jsonschema' 2>/dev/null \
   || ! command -v debugtape >/dev/null; then
  $PY -m pip install -q --disable-pip-version-check -e '.[dev,sampling]'
fi
# Byte-compile the package as a regular pip install does (an editable install does not, and with
# PYTHONDONTWRITEBYTECODE set nothing is ever cached): every debugtape process, and gdb or lldb
# loading debugtape, would otherwise compile it from source at each start (~0.25 s).
$PY -m compileall -q debugtape >/dev/null
