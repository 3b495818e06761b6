#!/usr/bin/env bash
# Lesson page throughput: Lectern (release build, bundled course) against nginx serving the
# same HTML as a static file, with the same wrk settings, in one run. Prints both and the ratio.
#
#   scripts/bench-pages.sh [PATH]     PATH defaults to /lessons/transformer-revolution
#
# Needs Debian's nginx-light and wrk (installed when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."

PAGE="${1:-/lessons/transformer-revolution}"
WRK_ARGS=(-t2 -c64 -d10s --latency)
LECTERN_PORT=18080
NGINX_PORT=18081

for tool in nginx wrk; do
  if ! command -v "$tool" >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nginx-light wrk >/dev/null
  fi
done

work=$(mktemp -d)
cleanup() {
  [ -n "${lectern_pid:-}" ] && kill "$lectern_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --quiet
LECTERN_BIND="127.0.0.1:$LECTERN_PORT" LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn \
  ./target/release/lectern serve >"$work/lectern.log" 2>&1 &
lectern_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$LECTERN_PORT/healthz" >/dev/null && break
  sleep 0.1
done

mkdir -p "$work/www"
curl -fs "http://127.0.0.1:$LECTERN_PORT$PAGE" -o "$work/www/page.html"
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp;
  fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp;
  scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { root $work/www; try_files /page.html =404; }
  }
}
CONF
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf"

echo "page: $PAGE ($(wc -c <"$work/www/page.html") bytes); wrk ${WRK_ARGS[*]}"
run() {
  local name=$1 url=$2 out
  out=$(wrk "${WRK_ARGS[@]}" "$url")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-8s %10s req/s   p50 %8s   p99 %8s\n' "$name" "$rps" "$p50" "$p99" >&2
  echo "$rps"
}
nginx_rps=$(run nginx "http://127.0.0.1:$NGINX_PORT$PAGE")
lectern_rps=$(run lectern "http://127.0.0.1:$LECTERN_PORT$PAGE")
awk -v l="$lectern_rps" -v n="$nginx_rps" 'BEGIN { printf "ratio lectern/nginx: %.2f\n", l / n }'
