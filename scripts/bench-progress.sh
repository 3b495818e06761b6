#!/usr/bin/env bash
# Progress writes per second: a release build of Lectern with the bundled course, 64
# concurrent writers each sending PUT /api/v1/lessons/{slug}/progress (Bearer auth), for 10
# seconds. Prints writes/s and the error count (the goal: >= 2,000/s, zero errors on SQLite).
#
#   scripts/bench-progress.sh [SECONDS] [WRITERS]
#   BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/test scripts/bench-progress.sh
#
# SQLite keeps its configured durability (journal_mode=WAL, synchronous=FULL). With
# BENCH_POSTGRES naming a server, a fresh database is made there, used and dropped.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN="${1:-10}"
WRITERS="${2:-64}"
PORT=18090
TARGET_DIR="${CARGO_TARGET_DIR:-target}"

work=$(mktemp -d)
cleanup() {
  [ -n "${lectern_pid:-}" ] && kill "$lectern_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet --bin lectern --example bench_progress
db_env=()
if [ -n "${BENCH_POSTGRES:-}" ]; then
  bench_db="lectern_bench_$$"
  psql "$BENCH_POSTGRES" -qc "CREATE DATABASE $bench_db"
  trap 'cleanup; psql "$BENCH_POSTGRES" -qc "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)"' EXIT
  db_env=("LECTERN_DATABASE_URL=${BENCH_POSTGRES%/*}/$bench_db")
  echo "database: PostgreSQL (${db_env[0]#*=})"
else
  echo "database: SQLite (WAL, synchronous=FULL)"
fi
env "${db_env[@]}" LECTERN_BIND="127.0.0.1:$PORT" LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn \
  "$TARGET_DIR/release/lectern" serve >"$work/lectern.log" 2>&1 &
lectern_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.1
done

"$TARGET_DIR/release/examples/bench_progress" "http://127.0.0.1:$PORT" "$SECONDS_TO_RUN" "$WRITERS"
if grep -qi "database is locked" "$work/lectern.log"; then
  echo "the server log mentions 'database is locked'" >&2
  exit 1
fi
