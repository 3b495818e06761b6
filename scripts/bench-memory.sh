#!/usr/bin/env bash
# The server's idle memory as a new operator meets it: RSS (anonymous and file-backed) of a
# release build three seconds after it first answers /healthz, once after a first start with a
# fresh data folder (migrations, import of the bundled course) and once after a restart on
# that folder. Goal: <= 96 MiB in both cases.
#
#   scripts/bench-memory.sh
#   LECTERN_BINARY=/path/to/lectern scripts/bench-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=18085
work=$(mktemp -d)
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${LECTERN_BINARY:-}" ]; then
  cargo build --release --quiet
  LECTERN_BINARY=./target/release/lectern
fi
export LECTERN_DATA_DIR="$work/data" LECTERN_CONTENT_DIR="$PWD/content" LECTERN_LOG=warn \
  LECTERN_BIND="127.0.0.1:$PORT"

measure() { # LABEL
  "$LECTERN_BINARY" serve >"$work/server.log" 2>&1 &
  server=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.05
  done
  sleep 3
  awk -v label="$1" '/^VmRSS|^RssAnon|^RssFile/ { kib[$1] = $2 }
    END { printf "%s: RSS %.1f MiB (anonymous %.1f, file-backed %.1f); goal <= 96 MiB\n", label,
          kib["VmRSS:"] / 1024, kib["RssAnon:"] / 1024, kib["RssFile:"] / 1024 }' "/proc/$server/status"
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=""
}
measure "first start, fresh data folder"
measure "restart"
