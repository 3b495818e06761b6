#!/usr/bin/env bash
# Does a log-in storm slow the pages? Measures the lesson page's latency with wrk while
# idle, then while 16 clients log in continuously (each log-in is an Argon2id hash), and
# prints both p99s, their ratio (goal: at most 3x) and the log-in latency.
#
#   scripts/bench-login-storm.sh [PATH]     PATH defaults to /lessons/transformer-revolution
#
# Needs Debian's wrk (installed when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."

PAGE="${1:-/lessons/transformer-revolution}"
PORT=18082
PAGE_LOAD=(-t1 -c8 -d10s --latency)
STORM=(-t2 -c16 -d14s --latency)

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

work=$(mktemp -d)
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet
LECTERN_BIND="127.0.0.1:$PORT" LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn \
  LECTERN_AUTH_RATE_LIMIT=1000000 ./target/release/lectern serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.1
done

password="storm passphrase for benchmarks"
curl -fs -o /dev/null -X POST "http://127.0.0.1:$PORT/api/v1/auth/signup" \
  -H 'content-type: application/json' \
  -d "{\"email\":\"storm@example.com\",\"password\":\"$password\",\"name\":\"Storm\"}"
cat >"$work/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"storm@example.com","password":"$password"}'
LUA

p() { awk -v q="$1" '$1 == q {print $2}'; }
single=$(wrk -t1 -c1 -d5s --latency -s "$work/login.lua" "http://127.0.0.1:$PORT/api/v1/auth/login")
idle=$(wrk "${PAGE_LOAD[@]}" "http://127.0.0.1:$PORT$PAGE")
wrk "${STORM[@]}" -s "$work/login.lua" "http://127.0.0.1:$PORT/api/v1/auth/login" >"$work/storm.txt" &
storm=$!
sleep 2
busy=$(wrk "${PAGE_LOAD[@]}" "http://127.0.0.1:$PORT$PAGE")
wait "$storm"

to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v } else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000 } }'; }
idle_p99=$(p 99% <<<"$idle")
busy_p99=$(p 99% <<<"$busy")
echo "one log-in at a time: p50 $(p 50% <<<"$single")  p99 $(p 99% <<<"$single")"
echo "page $PAGE, wrk ${PAGE_LOAD[*]}"
echo "idle:           p50 $(p 50% <<<"$idle")  p99 $idle_p99  $(awk '/Requests\/sec/ {print $2}' <<<"$idle") req/s"
echo "during storm:   p50 $(p 50% <<<"$busy")  p99 $busy_p99  $(awk '/Requests\/sec/ {print $2}' <<<"$busy") req/s"
echo "log-ins:        p50 $(p 50% <"$work/storm.txt")  p99 $(p 99% <"$work/storm.txt")  $(awk '/Requests\/sec/ {print $2}' "$work/storm.txt") per s"
awk -v a="$(to_ms <<<"$busy_p99")" -v b="$(to_ms <<<"$idle_p99")" 'BEGIN { printf "p99 ratio storm/idle: %.2f (goal <= 3)\n", a / b }'
