#!/usr/bin/env bash
# Page throughput, memory and cold start of a release build with the bundled course.
#
# For the anonymous lesson page, the signed-in lesson page (session cookie, progress lookup)
# and the catalog, wrk runs against Lectern and against nginx serving the very same HTML as a
# static file (with sendfile, as nginx is usually run, and checked to answer those very
# bytes: any answer but 2xx stops the script), with the same settings, one after the other;
# it prints req/s, p50 and p99 of each and the ratio (goals: anonymous >= 0.7x nginx,
# signed-in >= 0.5x). A row does the anonymous page as browsers get it, gzipped (nginx with
# gzip_static). The mixed row reads the signed-in page while four other connections post
# quiz attempts as fast as they can (every commit moves the database's version, so what
# readers' threads keep is read again); its
# goal is >= 0.6x the same page's read-only figure. Then it prints
# Lectern's resident memory idle and its peak under that load, and the cold start to the
# first served page (fresh data folder, and again with the data folder already made).
#
#   scripts/bench-pages.sh [LESSON_PATH]     default /lessons/transformer-revolution
#   WRK_ARGS="-t2 -c64 -d10s" scripts/bench-pages.sh
#   LECTERN_BINARY=/path/to/lectern scripts/bench-pages.sh   # another build (say, an older
#                                                            # commit's), instead of building
#
# Needs Debian's nginx-light and wrk (installed when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."

LESSON="${1:-/lessons/transformer-revolution}"
read -r -a WRK <<<"${WRK_ARGS:--t2 -c64 -d10s}"
LECTERN_PORT=18080
NGINX_PORT=18081

for tool in nginx wrk curl; do
  if ! command -v "$tool" >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nginx-light wrk curl >/dev/null
  fi
done

work=$(mktemp -d)
# nginx's workers run as nobody when it is started as root: they must be able to read the
# pages (mktemp -d makes a folder only its owner can enter, and nginx would answer 403).
chmod 755 "$work"
cleanup() {
  [ -n "${lectern_pid:-}" ] && kill "$lectern_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${LECTERN_BINARY:-}" ]; then
  cargo build --release --quiet
  LECTERN_BINARY=./target/release/lectern
fi
base="http://127.0.0.1:$LECTERN_PORT"

# Start Lectern on $1 (data folder); sets startup_ms to the milliseconds until $LESSON is served.
start_lectern() {
  local t0 t1
  t0=$(date +%s%N)
  LECTERN_BIND="127.0.0.1:$LECTERN_PORT" LECTERN_DATA_DIR="$1" LECTERN_LOG=warn \
    LECTERN_AUTH_RATE_LIMIT=100000 "$LECTERN_BINARY" serve >>"$work/lectern.log" 2>&1 &
  lectern_pid=$!
  until curl -fs -o /dev/null "$base$LESSON"; do
    kill -0 "$lectern_pid" 2>/dev/null || { cat "$work/lectern.log" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  startup_ms=$(((t1 - t0) / 1000000))
}
stop_lectern() {
  kill "$lectern_pid"
  wait "$lectern_pid" || true
  lectern_pid=
}
rss_kib() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$lectern_pid/status"; }

start_lectern "$work/data"
cold_fresh=$startup_ms
stop_lectern
start_lectern "$work/data"
cold_again=$startup_ms
sleep 1
rss_idle=$(rss_kib VmRSS)

# A signed-in reader with some progress, and the HTML each variant serves.
password="bench passphrase for pages"
curl -fs -o /dev/null -c "$work/cookies" -X POST "$base/api/v1/auth/signup" \
  -H 'content-type: application/json' -H "origin: $base" \
  -d "{\"email\":\"bench@example.com\",\"password\":\"$password\",\"name\":\"Bench\"}"
cookie=$(awk '(!/^#/ || /^#HttpOnly_/) && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$work/cookies")
slug=${LESSON##*/}
curl -fs -o /dev/null -X PUT "$base/api/v1/lessons/$slug/progress" -H "cookie: $cookie" \
  -H "origin: $base" -H 'content-type: application/json' -d '{"percent": 50}'

mkdir -p "$work/www" "$work/tmp"
curl -fs "$base$LESSON" -o "$work/www/anonymous.html"
curl -fs -H "cookie: $cookie" "$base$LESSON" -o "$work/www/signed-in.html"
curl -fs "$base/" -o "$work/www/catalog.html"
grep -q 'Log out' "$work/www/signed-in.html" || { echo "the page was not served signed in" >&2; exit 1; }
# What a browser gets: Lectern sends the anonymous page gzipped (compressed once, when kept);
# nginx sends the same page precompressed (gzip_static) at the same level.
gzip -9 -k "$work/www/anonymous.html"
curl -fs -H 'accept-encoding: gzip' "$base$LESSON" -o "$work/anonymous.gz"

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
  sendfile on;
  tcp_nopush on;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $work/www;
    gzip_static on;
  }
}
CONF
nginx -c "$work/nginx.conf"
# Both must answer the very same bytes, or the comparison means nothing.
for file in anonymous.html signed-in.html catalog.html; do
  curl -fs "http://127.0.0.1:$NGINX_PORT/$file" | cmp -s - "$work/www/$file" ||
    { echo "nginx does not serve $file as Lectern did" >&2; exit 1; }
done

ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v } else if (v ~ /s$/) { sub(/s$/,"",v); print v*1000 } }'; }
# wrk one URL; prints "req/s p50 p99".
measure() {
  local out
  out=$(wrk "${WRK[@]}" --latency "$@")
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "wrk got answers other than 2xx from $*:" >&2
    echo "$out" >&2
    exit 1
  fi
  printf '%s %s %s\n' "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out" | ms)" "$(awk '$1 == "99%" {print $2}' <<<"$out" | ms)"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk ${WRK[*]}; lesson $LESSON"
printf '%-11s %8s %12s %9s %9s %12s %9s %9s %7s %5s\n' page bytes "nginx req/s" p50ms p99ms "lectern r/s" p50ms p99ms ratio goal
# compare NAME FILE PATH GOAL BYTES_FILE [wrk arguments for both, such as headers]
compare() {
  local name=$1 file=$2 path=$3 goal=$4 bytes=$5
  shift 5
  local nginx lectern
  nginx=$(measure "$@" "http://127.0.0.1:$NGINX_PORT/$file")
  lectern=$(measure "$@" "$base$path")
  read -r n_rps n_p50 n_p99 <<<"$nginx"
  read -r l_rps l_p50 l_p99 <<<"$lectern"
  printf '%-11s %8s %12s %9s %9s %12s %9s %9s %7s %5s\n' "$name" "$(wc -c <"$bytes")" \
    "$n_rps" "$n_p50" "$n_p99" "$l_rps" "$l_p50" "$l_p99" \
    "$(awk -v l="$l_rps" -v n="$n_rps" 'BEGIN { printf "%.2f", l / n }')" "$goal"
  last_rps=$l_rps
}
compare anonymous anonymous.html "$LESSON" 0.7 "$work/www/anonymous.html"
compare signed-in signed-in.html "$LESSON" 0.5 "$work/www/signed-in.html" -H "cookie: $cookie"
signed_in_rps=$last_rps
compare catalog catalog.html / 0.7 "$work/www/catalog.html"
compare anon-gzip anonymous.html "$LESSON" - "$work/anonymous.gz" -H 'accept-encoding: gzip'

# The mixed row: another reader posts quiz attempts on four connections while wrk reads the
# signed-in page as above.
writer=$(curl -fs -X POST "$base/api/v1/auth/signup" -H 'content-type: application/json' \
  -d "{\"email\":\"writer@example.com\",\"password\":\"$password\",\"name\":\"Writer\"}" |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
cat >"$work/attempt.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"answers": {}}'
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer $writer"
LUA
duration=10
for ((i = 0; i < ${#WRK[@]}; i++)); do
  case "${WRK[i]}" in -d) duration=${WRK[i + 1]%s} ;; -d*) duration=${WRK[i]#-d} duration=${duration%s} ;; esac
done
wrk -t1 -c4 -d"$((duration + 1))s" -s "$work/attempt.lua" "$base/api/v1/lessons/$slug/quiz/attempts" >"$work/writes.txt" &
writes_pid=$!
sleep 0.5
mixed=$(measure -H "cookie: $cookie" "$base$LESSON")
read -r m_rps m_p50 m_p99 <<<"$mixed"
wait "$writes_pid"
grep -q 'Non-2xx' "$work/writes.txt" && { echo "quiz attempts failed:" >&2; cat "$work/writes.txt" >&2; exit 1; }
printf '%-11s %8s %12s %9s %9s %12s %9s %9s %7s %5s\n' mixed "$(wc -c <"$work/www/signed-in.html")" \
  "(signed-in)" - - "$m_rps" "$m_p50" "$m_p99" \
  "$(awk -v m="$m_rps" -v r="$signed_in_rps" 'BEGIN { printf "%.2f", m / r }')" 0.6
echo "  beside it: $(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/writes.txt") quiz attempts/s on 4 connections; the ratio is to the signed-in row"

echo "memory: RSS idle $((rss_idle / 1024)) MiB (goal <= 128), peak under the load above $(($(rss_kib VmHWM) / 1024)) MiB (goal <= 192)"
echo "cold start to the first served lesson page: ${cold_fresh} ms with a fresh data folder (migrations, import), ${cold_again} ms with it made"
