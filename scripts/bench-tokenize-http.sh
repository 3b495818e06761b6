#!/usr/bin/env bash
# POST /api/v1/tokenize over HTTP, as the lesson page's widget calls it (o200k_base, with
# segments and ids), for 1 KiB, 64 KiB and 1 MiB of prose: wrk prints p50, p99 and req/s.
#
#   scripts/bench-tokenize-http.sh
#   WRK_ARGS="-t2 -c8 -d10s" scripts/bench-tokenize-http.sh
#
# Needs Debian's wrk (installed when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a WRK <<<"${WRK_ARGS:--t2 -c8 -d10s}"
PORT=18084

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d)
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --quiet --release --bin lectern --example tokenizer_throughput
target/release/examples/tokenizer_throughput write-corpus "$work/prose.txt"
LECTERN_BIND="127.0.0.1:$PORT" LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn \
  LECTERN_TOKENIZE_RATE_LIMIT=100000000 target/release/lectern serve >"$work/server.log" 2>&1 &
server=$!
until curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.05
done

echo "machine: $(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg); wrk ${WRK[*]}"
printf '%-8s %10s %10s %10s %10s\n' input tokens "p50 ms" "p99 ms" "req/s"
for size in 1024 65536 1048576; do
  # The first SIZE bytes of the prose, cut on a character boundary, as a JSON body.
  python3 - "$work/prose.txt" "$size" "$work/body.json" <<'EOF'
import json, sys
text = open(sys.argv[1], "rb").read()[: int(sys.argv[2])].decode("utf-8", "ignore")
json.dump({"text": text, "encoding": "o200k_base"}, open(sys.argv[3], "w"))
EOF
  tokens=$(curl -fs "http://127.0.0.1:$PORT/api/v1/tokenize" -H 'content-type: application/json' \
    --data-binary "@$work/body.json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])')
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/body.json", "rb")
wrk.body = f:read("*a")
f:close()
LUA
  out=$(wrk "${WRK[@]}" --latency -s "$work/post.lua" "http://127.0.0.1:$PORT/api/v1/tokenize")
  ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v } else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000 } }'; }
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  [ -z "$non2xx" ] || { echo "$non2xx answers were not 2xx" >&2; exit 1; }
  printf '%-8s %10s %10s %10s %10s\n' "$((size / 1024)) KiB" "$tokens" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out" | ms)" "$(awk '$1 == "99%" {print $2}' <<<"$out" | ms)" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
done
