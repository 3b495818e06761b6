#!/usr/bin/env bash
# Lesson analytics and the course gradebook at scale: 10,000 learners with progress and
# 50,000 quiz attempts (the first ones' outcomes per question included) on the flagship
# lesson, then 300 calls of GET /api/v1/admin/lessons/{slug}/analytics (p50, p99; goal p99 <= 200 ms)
# and one streamed GET /api/v1/admin/courses/{slug}/gradebook.csv (time, goal <= 2 s,
# and how much the server's RSS grew while it streamed).
#
#   scripts/bench-analytics.sh            # SQLite
#   scripts/bench-analytics.sh postgres   # PostgreSQL at 127.0.0.1:5432 (a fresh database)
#   LECTERN_BINARY=/path/to/lectern scripts/bench-analytics.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
PORT=18084
SLUG=transformer-revolution
COURSE=ai-foundations
LEARNERS=10000
ATTEMPTS_EACH=5
base="http://127.0.0.1:$PORT"
work=$(mktemp -d)
PG_ROOT=postgres://postgres@127.0.0.1:5432
PG_DB=lectern_bench_analytics
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
  if [ "$BACKEND" = postgres ]; then
    psql "$PG_ROOT/test" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

if [ -z "${LECTERN_BINARY:-}" ]; then
  cargo build --release --quiet
  LECTERN_BINARY=./target/release/lectern
fi
export LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn LECTERN_BIND="127.0.0.1:$PORT"
case "$BACKEND" in
  sqlite)
    series="WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $((LEARNERS - 1))), \
            k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < $((ATTEMPTS_EACH - 1)))"
    agg=group_concat
    run_sql() { python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.stdin.read()); c.commit()' "$work/data/lectern.db"; }
    ;;
  postgres)
    psql "$PG_ROOT/test" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
    psql "$PG_ROOT/test" -qc "CREATE DATABASE $PG_DB" >/dev/null
    export LECTERN_DATABASE_URL="$PG_ROOT/$PG_DB"
    series="WITH n(i) AS (SELECT generate_series(0, $((LEARNERS - 1)))), \
            k(j) AS (SELECT generate_series(0, $((ATTEMPTS_EACH - 1))))"
    agg=string_agg
    run_sql() { psql "$LECTERN_DATABASE_URL" -q -v ON_ERROR_STOP=1 >/dev/null; }
    ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac

start() {
  "$LECTERN_BINARY" serve >"$work/server.log" 2>&1 &
  server=$!
  until curl -fs -o /dev/null "$base/healthz"; do
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.05
  done
}

# A first start migrates the database and imports the course.
start
questions=$(curl -fs "$base/api/v1/lessons/$SLUG" | python3 -c "import json, sys
q = json.load(sys.stdin)['quiz']['questions']
print(', '.join(\"(%d, '%s')\" % (i, x['id']) for i, x in enumerate(q)))")
kill "$server"; wait "$server" 2>/dev/null || true
count=$(echo "$questions" | tr -cd '(' | wc -c)

t0=$(date +%s%N)
run_sql <<SQL
BEGIN;
$series
INSERT INTO users (id, email, name, password_hash, plan, role, created_at, updated_at)
SELECT 'bench-' || i, 'learner' || i || '@bench.example', 'Learner ' || i, 'x', 'free', 'learner',
       '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z' FROM n;
$series
INSERT INTO progress (user_id, slug, percent, completed_at, updated_at)
SELECT 'bench-' || i, '$SLUG', (i * 37) % 101,
       CASE WHEN (i * 37) % 101 = 100 THEN '2026-01-02T00:00:00.000000Z' END,
       '2026-01-02T00:00:00.000000Z' FROM n;
$series
INSERT INTO quiz_attempts (user_id, slug, revision, answers, results, score, total, percent, passed, created_at)
SELECT 'bench-' || i, '$SLUG', 1, '{}', '[]', (i + j) % ($count + 1), $count,
       ((i + j) % ($count + 1)) * 100 / $count, CASE WHEN (i + j) % ($count + 1) * 10 >= $count * 7 THEN 1 ELSE 0 END,
       '2026-01-03T00:00:00.000000Z' FROM n CROSS JOIN k;
WITH firsts AS (SELECT MIN(id) AS id FROM quiz_attempts WHERE slug = '$SLUG' GROUP BY user_id),
qs(n, id) AS (VALUES $questions),
cells AS (SELECT f.id AS attempt_id, qs.id AS question_id,
                 CASE WHEN (f.id * 7 + qs.n * 13 + f.id % (qs.n + 2)) % 10 < 6 THEN 1 ELSE 0 END AS correct
          FROM firsts f CROSS JOIN qs)
INSERT INTO quiz_firsts (slug, user_id, attempt_id, outcomes)
SELECT '$SLUG', a.user_id, a.id,
       '[' || $agg('["' || c.question_id || '",' || CASE WHEN c.correct = 1 THEN 'true' ELSE 'false' END
                   || ',[' || CAST(1 - c.correct AS TEXT) || ']]', ',') || ']'
FROM cells c JOIN quiz_attempts a ON a.id = c.attempt_id GROUP BY a.id, a.user_id;
COMMIT;
SQL
t1=$(date +%s%N)
echo "$BACKEND: seeded $LEARNERS learners and $((LEARNERS * ATTEMPTS_EACH)) attempts ($count questions each) in $(((t1 - t0) / 1000000)) ms"
if [ "$BACKEND" = postgres ]; then psql "$LECTERN_DATABASE_URL" -qc "ANALYZE" >/dev/null; fi

start
password="bench analytics admin password"
echo "$password" | "$LECTERN_BINARY" create-admin --email admin@bench.example --name Admin >/dev/null
token=$(curl -fs -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"admin@bench.example\",\"password\":\"$password\"}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

python3 - "$PORT" "$token" "$SLUG" "$COURSE" "$server" <<'PY'
import http.client, json, sys, threading, time
port, token, slug, course, pid = sys.argv[1:6]
headers = {"Authorization": f"Bearer {token}"}

def rss_kib():
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

conn = http.client.HTTPConnection("127.0.0.1", int(port))
times = []
for i in range(310):
    t = time.perf_counter()
    conn.request("GET", f"/api/v1/admin/lessons/{slug}/analytics", headers=headers)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, body[:200]
    if i >= 10:  # the first ten warm the caches
        times.append((time.perf_counter() - t) * 1000)
times.sort()
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
report = json.loads(body)
answered = [q["answered"] for q in report["quiz"]["questions"]]
assert min(answered) == max(answered) > 0, answered
print(f"analytics: {report['readers']} readers, {report['quiz']['attempts']} attempts, "
      f"{len(answered)} questions each answered on {answered[0]} first attempts")
print(f"analytics: {len(times)} calls, p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, max {times[-1]:.1f} ms (goal p99 <= 200 ms)")

before = rss_kib()
peak = [before]
done = threading.Event()
def watch():
    while not done.is_set():
        peak[0] = max(peak[0], rss_kib())
        time.sleep(0.005)
watcher = threading.Thread(target=watch)
watcher.start()
t = time.perf_counter()
conn.request("GET", f"/api/v1/admin/courses/{course}/gradebook.csv", headers=headers)
response = conn.getresponse()
size, rows = 0, 0
while chunk := response.read(65536):
    size += len(chunk)
    rows += chunk.count(b"\n")
elapsed = time.perf_counter() - t
done.set()
watcher.join()
assert response.status == 200
print(f"gradebook: {rows - 1} learners, {size / 1e6:.1f} MB in {elapsed:.2f} s (goal <= 2 s); "
      f"server RSS {before / 1024:.1f} MiB before, peak {peak[0] / 1024:.1f} MiB while streaming")
PY
