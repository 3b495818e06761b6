#!/usr/bin/env bash
# Memory of one ranged narration request: a release build of Lectern with the bundled course,
# a ~50 MB MP3 uploaded as the narration of a free lesson, a Plus reader, then one
# `Range: bytes=1000000-1000000` request for the stream route. Prints the server's peak and
# current resident memory (VmHWM, VmRSS from /proc/PID/status) before and after it. The
# server is restarted after the upload, so the upload's own memory is not counted. Figures
# only, no pass or fail.
#
#   scripts/bench-audio-range.sh
#   LECTERN_BINARY=/path/to/lectern scripts/bench-audio-range.sh   # another build
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=18093
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
SLUG=pretraining-and-scaling # a free lesson without a narration
EMAIL=reader@example.com
PASSWORD="a quiet lectern at dawn"
URL="http://127.0.0.1:$PORT"

work=$(mktemp -d)
cleanup() {
  [ -n "${lectern_pid:-}" ] && kill "$lectern_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${LECTERN_BINARY:-}" ]; then
  binary="$LECTERN_BINARY"
else
  cargo build --release --locked --quiet --bin lectern
  binary="$TARGET_DIR/release/lectern"
fi
echo "binary: $binary"
export LECTERN_DATA_DIR="$work/data" LECTERN_BIND="127.0.0.1:$PORT" LECTERN_LOG=warn

start() {
  "$binary" serve >>"$work/lectern.log" 2>&1 &
  lectern_pid=$!
  for _ in $(seq 1 300); do
    curl -fs "$URL/healthz" >/dev/null && return
    sleep 0.1
  done
  echo "the server did not start:" >&2
  cat "$work/lectern.log" >&2
  exit 1
}
stop() {
  kill "$lectern_pid"
  wait "$lectern_pid" 2>/dev/null || true
  lectern_pid=
}
memory() {
  grep -E '^(VmHWM|VmRSS):' "/proc/$lectern_pid/status" | tr -s ' \t' ' ' | paste -sd' ' -
}
token() { sed -E 's/.*"token":"([^"]+)".*/\1/'; }

# A valid ~50 MB MP3: MPEG frames concatenate.
mp3="$work/long.mp3"
for _ in $(seq 1 28); do cat content/ai-foundations/02-tokens-and-embeddings.mp3; done >"$mp3"
echo "narration: $(stat -c %s "$mp3") bytes"

start
LECTERN_ADMIN_PASSWORD="$PASSWORD" "$binary" create-admin --email admin@example.com --name Admin >/dev/null
admin=$(curl -fsS "$URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"admin@example.com\",\"password\":\"$PASSWORD\"}" | token)
curl -fsS -o /dev/null -X PUT "$URL/api/v1/admin/lessons/$SLUG/audio" \
  -H "authorization: Bearer $admin" -H 'content-type: audio/mpeg' --data-binary "@$mp3"
curl -fsS -o /dev/null "$URL/api/v1/auth/signup" -H "origin: $URL" -H 'content-type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"name\":\"Reader\"}"
"$binary" set-plan --email "$EMAIL" --plan plus >/dev/null
stop

# A fresh process; the narration is in the database and this instance's file cache.
start
reader=$(curl -fsS "$URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | token)
echo "before: $(memory)"
curl -fsS -o "$work/part" -D "$work/headers" -H "authorization: Bearer $reader" \
  -H 'range: bytes=1000000-1000000' "$URL/api/v1/lessons/$SLUG/audio"
echo "after:  $(memory)"
echo "answer: $(head -1 "$work/headers" | tr -d '\r'), $(grep -i '^content-range' "$work/headers" | tr -d '\r'), $(stat -c %s "$work/part") byte(s)"
