#!/usr/bin/env bash
# VS Code extension: build it (npm + esbuild), package the .vsix, and install code-server@4.100.3
# (VS Code 1.100.3, the last one that runs on Node 20) plus what its end-to-end test needs.
# Everything comes from Debian and the npm registry; nothing is downloaded from GitHub.
# Idempotent: a second run does nothing but cheap checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
CODE_SERVER_VERSION=4.100.3
RIPGREP_PKG_VERSION=1.15.11   # @vscode/ripgrep as pinned by code-server 4.100.3's npm-shrinkwrap.json
RIPGREP_ASSET_VERSION=v13.0.0-10
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
as_root() { if [ -n "$SUDO" ]; then sudo -E "$@"; else "$@"; fi; }

# Debian packages: kerberos (a native module of VS Code's server) builds against libkrb5-dev;
# node-gyp needs a compiler, make and python3; the test drives Debian's Chromium; rg is seeded below.
pkgs=(libkrb5-dev g++ make python3 chromium ripgrep)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "60-vscode: node and npm are required (Node 20: code-server ${CODE_SERVER_VERSION} refuses other majors)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" != 20 ]; then
  echo "60-vscode: code-server ${CODE_SERVER_VERSION} needs Node 20, found $(node --version)" >&2
  exit 1
fi

# The extension: install its npm dependencies when package.json or its lock changed, rebuild when a
# source changed.
(
  cd vscode-ext
  if [ ! -f node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ] \
     || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm install --no-audit --no-fund --loglevel=error
    touch node_modules/.package-lock.json
  fi
  newest_src=$(find src test package.json esbuild.mjs tsconfig.json -newer out/extension.js 2>/dev/null | head -1 || true)
  if [ ! -f out/extension.js ] || [ -n "$newest_src" ]; then
    npm run --silent build
  fi
  if [ ! -f debugtape.vsix ] || [ out/extension.js -nt debugtape.vsix ] || [ package.json -nt debugtape.vsix ] || [ README.md -nt debugtape.vsix ]; then
    npm run --silent package >/dev/null
  fi
)

# code-server from the npm registry. `code-server --version` would write ~/.config/code-server, so
# the installed version is read from its package.json.
cs_version() {
  local root
  root="$(npm root -g 2>/dev/null)/code-server"
  [ -x "$(command -v code-server)" ] && [ -f "$root/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
    && node -p "require('$root/package.json').version" 2>/dev/null || true
}
if [ "$(cs_version)" != "$CODE_SERVER_VERSION" ]; then
  # @vscode/ripgrep's postinstall fetches rg from GitHub unless its download cache already holds
  # the archive: put Debian's rg there under the name it looks for.
  case "$(uname -m)" in
    x86_64) target=x86_64-unknown-linux-musl ;;
    aarch64) target=aarch64-unknown-linux-musl ;;
    *) echo "60-vscode: no ripgrep target known for $(uname -m)" >&2; exit 1 ;;
  esac
  cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}"
  asset="$cache/ripgrep-${RIPGREP_ASSET_VERSION}-${target}.tar.gz"
  if [ ! -s "$asset" ]; then
    mkdir -p "$cache"
    tmp=$(mktemp -d)
    cp "$(command -v rg)" "$tmp/rg"
    tar czf "$asset" -C "$tmp" rg
    rm -rf "$tmp"
  fi
  # Native modules (argon2, kerberos, node-pty...) are built here from source: their prebuilt
  # binaries would come from GitHub. As root, npm runs lifecycle scripts only with unsafe_perm.
  export npm_config_build_from_source=true npm_config_unsafe_perm=true npm_config_yes=true
  # npm 11 hands npm_config_global to lifecycle scripts, and code-server's postinstall runs
  # `npm install` in lib/vscode, which then reinstalls into the global prefix and races the outer
  # install ("Cannot cd into .../font-finder"). So: install without scripts, then run them
  # ourselves with a clean npm environment.
  as_root npm install -g --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@${CODE_SERVER_VERSION}"
  root="$(npm root -g)/code-server"
  (cd "$root" && as_root npm rebuild argon2 --loglevel=error >/dev/null)
  (cd "$root" && as_root env -u npm_config_global -u npm_config_prefix \
     npm_config_user_agent="npm/$(npm -v) node/$(node -v) linux x64" sh ./postinstall.sh >/dev/null)
  if [ "$(cs_version)" != "$CODE_SERVER_VERSION" ]; then
    echo "60-vscode: code-server ${CODE_SERVER_VERSION} did not install (found: $(cs_version))" >&2
    exit 1
  fi
fi
