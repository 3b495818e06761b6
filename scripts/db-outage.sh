#!/usr/bin/env bash
# A real PostgreSQL outage: Lectern (debug build) on a fresh database of the machine's
# PostgreSQL server; the server is stopped with pg_ctlcluster, then started again. Prints
# what a client sees: the time to the first 503 (API, /healthz), the answers during the
# outage, and how long the instance takes to serve again once PostgreSQL is back, with no
# restart of Lectern.
#
#   scripts/db-outage.sh [OUTAGE_SECONDS]
#
# It STOPS THE MACHINE'S POSTGRESQL SERVER for OUTAGE_SECONDS (default 10): run it only when
# nothing else needs PostgreSQL (not beside `cargo test`).
set -euo pipefail
cd "$(dirname "$0")/.."

OUTAGE_SECONDS="${1:-10}"
PORT=18091
BASE="http://127.0.0.1:$PORT"
ADMIN_URL="${LECTERN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
CLUSTER_VERSION="$(ls /etc/postgresql | head -n 1)"
DB="lectern_outage_$$"

pg() { pg_ctlcluster --skip-systemctl-redirect "$CLUSTER_VERSION" main "$1"; }
now_ms() { date +%s%3N; }

work=$(mktemp -d)
cleanup() {
  [ -n "${lectern_pid:-}" ] && kill "$lectern_pid" 2>/dev/null || true
  pg_isready -h 127.0.0.1 -p 5432 -q || pg start || true
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --quiet --bin lectern
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
LECTERN_BIND="127.0.0.1:$PORT" LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn \
  LECTERN_DATABASE_URL="${ADMIN_URL%/*}/$DB" \
  "$TARGET_DIR/debug/lectern" serve >"$work/lectern.log" 2>&1 &
lectern_pid=$!
for _ in $(seq 1 300); do
  curl -fs "$BASE/healthz" >/dev/null && break
  sleep 0.1
done
token=$(curl -fs "$BASE/api/v1/auth/signup" -H 'content-type: application/json' \
  -d '{"email":"outage@example.com","password":"a quiet lectern at dawn","name":"Outage"}' |
  sed -E 's/.*"token":"([^"]+)".*/\1/')

# status and seconds of one request
probe() {
  curl -s -o "$work/body" -w '%{http_code} %{time_total}s' --max-time 30 \
    -H "authorization: Bearer $token" "$BASE$1"
}

echo "before: /api/v1/me $(probe /api/v1/me), /healthz $(probe /healthz)"

echo "stopping PostgreSQL $CLUSTER_VERSION/main"
pg stop
stopped=$(now_ms)
echo "during: /api/v1/me $(probe /api/v1/me) $(cat "$work/body")"
echo "during: /api/v1/me again $(probe /api/v1/me)"
echo "during: /healthz $(probe /healthz)"
echo "during: / (anonymous) $(curl -s -o /dev/null -w '%{http_code} %{time_total}s' --max-time 30 "$BASE/")"
echo "during: Retry-After $(curl -s -D - -o /dev/null --max-time 30 -H "authorization: Bearer $token" \
  "$BASE/api/v1/me" | tr -d '\r' | sed -n 's/^retry-after: //Ip')"
sleep "$OUTAGE_SECONDS"

echo "starting PostgreSQL after $(( ($(now_ms) - stopped) / 1000 )) s"
pg start
started=$(now_ms)
for _ in $(seq 1 600); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "authorization: Bearer $token" "$BASE/api/v1/me")
  [ "$code" = 200 ] && break
  sleep 0.1
done
echo "recovered: /api/v1/me $code $(( $(now_ms) - started )) ms after pg_ctlcluster start returned, no restart of Lectern"
echo "after: /healthz $(probe /healthz)"
