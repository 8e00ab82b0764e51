#!/usr/bin/env bash
# Correlation: git for blame and commits, the C++ grammar for tree-sitter (C comes with the package).
set -euo pipefail
PY=${PY:-python3}
if ! command -v git >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq git >/dev/null
fi
if ! $PY -c 'import tree_sitter, tree_sitter_c, tree_sitter_cpp' 2>/dev/null; then
  $PY -m pip install -q --disable-pip-version-check 'tree-sitter>=0.22' 'tree-sitter-c>=0.21' 'tree-sitter-cpp>=0.23'
fi
