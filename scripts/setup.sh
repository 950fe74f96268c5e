#!/usr/bin/env bash
# One command from a machine with only Node.js and npm to a working checkout:
# the NATS server (for the distributed tests), pnpm, and every package dependency.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"

if ! command -v nats-server >/dev/null 2>&1; then
  echo "setup: nats-server not found; installing Debian package nats-server"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nats-server
  else
    echo "setup: no apt-get here; install nats-server (>= 2.9, with JetStream) yourself and re-run" >&2
    exit 1
  fi
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --no-fund --no-audit
fi

if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi
echo "setup: done. Run the tests with: pnpm test"
