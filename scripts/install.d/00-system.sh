#!/usr/bin/env bash
# System packages: compilers and debuggers. lldb's Python module needs liblldb-19-dev
# for the _lldb link (see README, "lldb on Debian").
set -euo pipefail
pkgs=(gcc make git gdb lldb-19 python3-lldb-19 liblldb-19-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
