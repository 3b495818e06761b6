#!/usr/bin/env bash
# A log-in storm that upgrades weak password hashes, beside progress writers, on SQLite.
# Seeds 4,000 accounts whose password hash is a weak Argon2id one (m=4096, t=1), so every
# first log-in rehashes with today's parameters and stores the new hash; then 16 clients log
# in to those accounts, each once, while 64 writers save progress for 10 seconds. Prints the
# writers' writes/s, errors and p99, and the log-ins (goal: 0 errors, 0 answers 503).
#
#   scripts/bench-login-upgrade.sh
#   LECTERN_BINARY=/path/to/lectern scripts/bench-login-upgrade.sh   # another build
#
# Needs Debian's wrk and Python's argon2-cffi (installed when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=18084
base="http://127.0.0.1:$PORT"
ACCOUNTS=4000
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
python3 -c 'import argon2' 2>/dev/null || python3 -m pip install --quiet argon2-cffi

work=$(mktemp -d)
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet --example bench_progress
if [ -z "${LECTERN_BINARY:-}" ]; then
  cargo build --release --quiet --bin lectern
  LECTERN_BINARY=./target/release/lectern
fi
LECTERN_BIND="127.0.0.1:$PORT" LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn \
  LECTERN_AUTH_RATE_LIMIT=1000000 LECTERN_SIGNUP_RATE_LIMIT=1000000 \
  "$LECTERN_BINARY" serve >"$work/server.log" 2>&1 &
server=$!
until curl -fs -o /dev/null "$base/healthz"; do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.05
done

password="an upgrade waiting to happen"
python3 - "$work/data/lectern.db" "$password" "$ACCOUNTS" <<'PY'
import sqlite3, sys, uuid
from argon2 import PasswordHasher
db, password, accounts = sys.argv[1], sys.argv[2], int(sys.argv[3])
weak = PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1).hash(password)
now = "2026-12-02T00:00:00.000Z"
conn = sqlite3.connect(db, timeout=30)
conn.executemany(
    "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    [(str(uuid.uuid4()), f"weak{i}@example.com", f"Weak {i}", weak, now, now) for i in range(accounts)],
)
conn.commit()
PY

cat >"$work/login.lua" <<LUA
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  n = 0
end
function request()
  local i = n * 2 + id
  n = n + 1
  local body = string.format('{"email":"weak%d@example.com","password":"$password"}', i % $ACCOUNTS)
  return wrk.format("POST", "/api/v1/auth/login", {["content-type"] = "application/json"}, body)
end
LUA
wrk -t2 -c16 -d11s -s "$work/login.lua" "$base" >"$work/storm.txt" &
storm=$!
sleep 0.5
./target/release/examples/bench_progress "$base" 10 64
wait "$storm"
echo "log-ins beside them: $(awk '/requests in/ {print $1}' "$work/storm.txt") in 11 s, $(awk '/Non-2xx/ {print $NF}' "$work/storm.txt" | grep . || echo 0) not 2xx"
echo "accounts upgraded: $(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(\"SELECT COUNT(*) FROM users WHERE password_hash LIKE '%m=19456%'\").fetchone()[0])" "$work/data/lectern.db")"
echo "server log, 503 or locked: $(grep -ciE 'unavailable|locked' "$work/server.log" || true)"
