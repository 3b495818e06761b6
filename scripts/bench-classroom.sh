#!/usr/bin/env bash
# A classroom behind one address, with the default limits: 100 sign-ups, then 100 log-ins,
# then 40 wrong passwords, all from 127.0.0.1. Prints how many of each were refused, the
# time they took, and which wrong password was the first answered 429 (goal: 0 refused
# sign-ups and log-ins within a minute; the 21st wrong password at the latest).
#
#   scripts/bench-classroom.sh
#   LECTERN_BINARY=/path/to/lectern scripts/bench-classroom.sh   # another build
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=18083
base="http://127.0.0.1:$PORT"
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
LECTERN_BIND="127.0.0.1:$PORT" LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn \
  "$LECTERN_BINARY" serve >"$work/server.log" 2>&1 &
server=$!
until curl -fs -o /dev/null "$base/healthz"; do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.05
done

password="a class of readers at one school"
# Ten readers at a time, as a class clicking at once.
run() { # run PATH BODY COUNT: the statuses, one per line; {} in BODY is the reader's number
  seq 0 $(($3 - 1)) | xargs -P 10 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST "$base$1" \
    -H 'content-type: application/json' -d "$2"
}
t0=$(date +%s%N)
run /api/v1/auth/signup "{\"email\":\"reader{}@school.example\",\"password\":\"$password\",\"name\":\"Reader {}\"}" 100 >"$work/signup"
t1=$(date +%s%N)
run /api/v1/auth/login "{\"email\":\"reader{}@school.example\",\"password\":\"$password\"}" 100 >"$work/login"
t2=$(date +%s%N)
for i in $(seq 1 40); do
  curl -s -o /dev/null -w '%{http_code}\n' -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"reader0@school.example","password":"a wrong guess"}'
done >"$work/wrong"
refused() { grep -vc "^$2\$" "$1" || true; }
echo "sign-ups: 100 in $(((t1 - t0) / 1000000)) ms, $(refused "$work/signup" 201) refused"
echo "log-ins:  100 in $(((t2 - t1) / 1000000)) ms, $(refused "$work/login" 200) refused"
first=$(grep -n '^429$' "$work/wrong" | head -1 | cut -d: -f1)
echo "wrong passwords: the first 429 was number ${first:-none} of 40 (goal <= 21); $(grep -c '^401$' "$work/wrong") answered 401"
