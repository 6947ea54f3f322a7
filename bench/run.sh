#!/usr/bin/env bash
# `npm run bench`: every performance figure of issue 10, by bench/all.mjs (see bench/README.md,
# "One command for every figure"). This wrapper only makes sure wrk is there, then hands over:
#   npm run bench                       # everything, ~15 min; the table goes into bench/README.md
#   npm run bench -- --only server      # one part: server, close, client, idle, startup
#   DURATION=3 ROUNDS=1 npm run bench -- --no-write
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repository root

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if ! command -v wrk >/dev/null 2>&1; then
  log "wrk not found; installing it with apt-get"
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "wrk is missing and we are not root; install wrk"
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! "${SUDO[@]}" apt-get install -y wrk >&2; then
    log "apt-get install failed; running apt-get update and retrying"
    "${SUDO[@]}" apt-get update >&2
    "${SUDO[@]}" apt-get install -y wrk >&2
  fi
fi
command -v node >/dev/null 2>&1 || die "node is required"

# exec: node is then the process Ctrl-C and kill reach, and it stops everything it started.
exec node bench/all.mjs "$@"
