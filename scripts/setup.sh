#!/usr/bin/env bash
# Installs what a fresh machine lacks, and only that: npm packages (when package-lock.json changed
# since the last install), and for the test suites redis-server and chromium from Debian's packages
# and typeshare-cli from crates.io. Safe to run again; each step is skipped when its tool is already there.
#   --node-only   npm packages only: what `npm run generate` needs (Node and npm, nothing else)
set -euo pipefail
cd "$(dirname "$0")/.."

install_npm_packages() {
  local lock_hash
  lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -f node_modules/.eventc-lock-hash ] || [ "$(cat node_modules/.eventc-lock-hash)" != "$lock_hash" ]; then
    echo "setup: installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_hash" > node_modules/.eventc-lock-hash
  fi
}

if [ "${1:-}" = "--node-only" ]; then
  install_npm_packages
  exit 0
fi

TYPESHARE_VERSION=1.13.4

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages the suites use: redis-server (runtime tests), chromium (the demo's browser test).
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} (Debian packages)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is required (install Rust with rustup)" >&2
  exit 1
fi
if ! command -v typeshare >/dev/null 2>&1; then
  echo "setup: installing typeshare-cli $TYPESHARE_VERSION (cargo)"
  cargo install typeshare-cli --locked --version "$TYPESHARE_VERSION" --quiet
fi

install_npm_packages
