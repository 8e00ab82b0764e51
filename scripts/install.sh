#!/usr/bin/env bash
# Installs everything debugtape's demo and tests need on a fresh Debian 12 machine.
# Each part keeps its own steps in scripts/install.d/NN-part.sh; they run in order.
set -euo pipefail
cd "$(dirname "$0")/.."
for step in scripts/install.d/*.sh; do
  echo "== install: $step"
  bash "$step"
done
