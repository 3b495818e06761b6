#!/usr/bin/env bash
# Mail through the outbox (API.md section 12), release build, against a real SMTP server
# (Python's aiosmtpd, writing a Maildir):
#   1. POST /api/v1/auth/password-reset p50/p99 for known and unknown addresses, with the SMTP
#      server up, then with it down (goal: the same, p99 <= 50 ms);
#   2. 1,000 resets queued while the SMTP server is down, then the server returns: the time
#      until all of them are in the Maildir (goal <= 60 s).
# Each request comes "from" its own client address through a trusted proxy header, and each
# known address is asked once, so neither limit (30 calls a minute per client, 5 mails an hour
# per address) is what is measured.
#
#   scripts/bench-mail.sh            # SQLite
#   scripts/bench-mail.sh postgres   # PostgreSQL at 127.0.0.1:5432 (a fresh database)
#   LECTERN_BINARY=/path/to/lectern scripts/bench-mail.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
PORT=18086
SMTP_PORT=18087
READERS=2000
CALLS=400
DRAIN=1000
base="http://127.0.0.1:$PORT"
work=$(mktemp -d)
PG_ROOT=postgres://postgres@127.0.0.1:5432
PG_DB=lectern_bench_mail
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  [ -n "${smtp:-}" ] && kill "$smtp" 2>/dev/null || true
  rm -rf "$work"
  if [ "$BACKEND" = postgres ]; then
    psql "$PG_ROOT/test" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet aiosmtpd
if [ -z "${LECTERN_BINARY:-}" ]; then
  cargo build --release --quiet
  LECTERN_BINARY=./target/release/lectern
fi
export LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn LECTERN_BIND="127.0.0.1:$PORT" \
  LECTERN_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" LECTERN_TRUSTED_PROXIES=127.0.0.1
case "$BACKEND" in
  sqlite)
    series="WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $((READERS - 1)))"
    run_sql() { python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.stdin.read()); c.commit()' "$work/data/lectern.db"; }
    ;;
  postgres)
    psql "$PG_ROOT/test" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1
    psql "$PG_ROOT/test" -qc "CREATE DATABASE $PG_DB" >/dev/null
    export LECTERN_DATABASE_URL="$PG_ROOT/$PG_DB"
    series="WITH n(i) AS (SELECT generate_series(0, $((READERS - 1))))"
    run_sql() { psql "$LECTERN_DATABASE_URL" -q -v ON_ERROR_STOP=1 >/dev/null; }
    ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac

start() {
  "$LECTERN_BINARY" serve >>"$work/server.log" 2>&1 &
  server=$!
  until curl -fs -o /dev/null "$base/healthz"; do
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.05
  done
}
smtp_up() {
  python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$work/maildir" &
  smtp=$!
  until python3 -c "import socket; socket.create_connection(('127.0.0.1', $SMTP_PORT), 1)" 2>/dev/null; do
    sleep 0.05
  done
}

# A first start migrates the database; the readers are seeded straight into it.
start
kill "$server"; wait "$server" 2>/dev/null || true
run_sql <<SQL
$series
INSERT INTO users (id, email, name, password_hash, plan, role, created_at, updated_at)
SELECT 'bench-' || i, 'reader' || i || '@bench.example', 'Reader ' || i, 'x', 'free', 'learner',
       '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM n;
SQL

smtp_up
start
python3 - "$PORT" "$CALLS" "$DRAIN" "$work/maildir/new" "$SMTP_PORT" "$smtp" <<'PY'
import http.client, json, os, signal, socket, subprocess, sys, time
port, calls, drain, maildir, smtp_port, smtp_pid = sys.argv[1:7]
calls, drain, smtp_pid = int(calls), int(drain), int(smtp_pid)
conn = http.client.HTTPConnection("127.0.0.1", int(port))
client = [0]

def reset(email):
    client[0] += 1
    n = client[0]
    headers = {"content-type": "application/json",
               "x-forwarded-for": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}
    t = time.perf_counter()
    conn.request("POST", "/api/v1/auth/password-reset", json.dumps({"email": email}), headers)
    response = conn.getresponse()
    response.read()
    assert response.status == 202, response.status
    return (time.perf_counter() - t) * 1000

def delivered():
    try:
        return len(os.listdir(maildir))
    except FileNotFoundError:
        return 0

def measure(label, first):
    known, unknown = [], []
    for i in range(calls):
        known.append(reset(f"reader{first + i}@bench.example"))
        unknown.append(reset(f"nobody{first + i}@bench.example"))
    for kind, times in (("known", known), ("unknown", unknown)):
        times.sort()
        pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
        print(f"password-reset, SMTP {label}, {kind} address: {len(times)} calls, "
              f"p50 {pick(0.5):.2f} ms, p99 {pick(0.99):.2f} ms (goal p99 <= 50 ms)")

measure("up", 0)
deadline = time.time() + 60
while delivered() < calls and time.time() < deadline:
    time.sleep(0.05)
assert delivered() == calls, f"{delivered()} of {calls} mails arrived with the server up"

os.kill(smtp_pid, signal.SIGTERM)
while True:  # until the port refuses connections
    try:
        socket.create_connection(("127.0.0.1", int(smtp_port)), 1).close()
        time.sleep(0.05)
    except OSError:
        break
measure("down", calls)
for i in range(drain):
    reset(f"reader{2 * calls + i}@bench.example")
queued = calls + drain
smtp = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}",
                         "-c", "aiosmtpd.handlers.Mailbox", os.path.dirname(maildir)])
t = time.time()
try:
    while delivered() < calls + queued and time.time() - t < 300:
        time.sleep(0.05)
    took = time.time() - t
    print(f"drain: {delivered() - calls} of {queued} mails queued while the SMTP server was down "
          f"delivered {took:.1f} s after it came back (goal <= 60 s)")
    assert delivered() == calls + queued
finally:
    smtp.terminate()
PY
