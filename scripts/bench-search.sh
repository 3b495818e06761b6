#!/usr/bin/env bash
# Search (API.md section 14) on a catalog of 2,000 generated lessons: the time to build a
# plan's index (from the app's "search index built" log line; goal <= 2 s), wrk's p50/p99 of
# GET /api/v1/search for a one-word, a three-word and a prefix query (goal p99 <= 10 ms),
# and the resident memory the index adds (RSS before and after the first search; goal
# <= 32 MiB).
#
#   scripts/bench-search.sh
#   LESSONS=500 WRK_ARGS="-t2 -c16 -d10s" scripts/bench-search.sh
#   LECTERN_BINARY=/path/to/lectern scripts/bench-search.sh   # instead of building release
#
# Needs python3, curl and Debian's wrk (installed when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."

LESSONS="${LESSONS:-2000}"
read -r -a WRK <<<"${WRK_ARGS:--t2 -c16 -d10s}"
PORT=18092

for tool in wrk curl python3; do
  if ! command -v "$tool" >/dev/null; then
    apt-get update -qq && apt-get install -y -qq wrk curl python3 >/dev/null
  fi
done

work=$(mktemp -d)
cleanup() {
  [ -n "${lectern_pid:-}" ] && kill "$lectern_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${LECTERN_BINARY:-}" ]; then
  nice -n 10 cargo build --release --quiet
  LECTERN_BINARY=./target/release/lectern
fi

# Original filler: sentences drawn from a small vocabulary, a third of the lessons Plus or
# Pro with a teaser before <!-- more -->.
python3 - "$work/content" "$LESSONS" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
random.seed(18)
words = """token tokenizer embedding attention layer model weight gradient training loss
context window prompt sample decode vector matrix softmax logit head residual norm batch
schedule warmup dataset corpus filter label reward policy value critic sequence position
cache memory latency throughput kernel shard replica checkpoint optimizer momentum decay
river garden lantern harbor meadow copper velvet orchard glacier compass thunder""".split()
def sentence():
    n = random.randint(6, 16)
    return " ".join(random.choice(words) for _ in range(n)).capitalize() + "."
def paragraph():
    return " ".join(sentence() for _ in range(random.randint(3, 6)))
course = os.path.join(root, "bench")
os.makedirs(course)
with open(os.path.join(course, "course.toml"), "w") as f:
    f.write('title = "Bench"\nsummary = "Generated lessons."\n')
for i in range(count):
    access = ["free", "free", "plus", "pro"][i % 4]
    body = "\n\n".join(paragraph() for _ in range(6))
    if access != "free":
        body = paragraph() + "\n\n<!-- more -->\n" + body
    title = " ".join(random.choice(words) for _ in range(3)).title()
    with open(os.path.join(course, f"l{i:04}.md"), "w") as f:
        f.write(f'+++\ntitle = "{title} {i}"\nslug = "lesson-{i:04}"\nsummary = "{sentence()}"\n'
                f'course = "bench"\nposition = {i + 1}\naccess = "{access}"\nupdated = 2026-12-01\n+++\n{body}\n')
PY

base="http://127.0.0.1:$PORT"
LECTERN_BIND="127.0.0.1:$PORT" LECTERN_DATA_DIR="$work/data" LECTERN_CONTENT_DIR="$work/content" \
  LECTERN_LOG=info "$LECTERN_BINARY" serve >"$work/lectern.log" 2>&1 &
lectern_pid=$!
until curl -fs -o /dev/null "$base/healthz"; do
  kill -0 "$lectern_pid" 2>/dev/null || { cat "$work/lectern.log" >&2; exit 1; }
  sleep 0.05
done
curl -fs -o /dev/null "$base/api/v1/lessons"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$lectern_pid/status"; }
before=$(rss)
curl -fsS -o /dev/null "$base/api/v1/search?q=attention" || { tail -5 "$work/lectern.log" >&2; exit 1; }
after=$(rss)
build_ms=$(grep -o 'search index built.*' "$work/lectern.log" | grep -o 'ms=[0-9.]*' | head -1 | cut -d= -f2)

echo "lessons: $LESSONS"
echo "index build (free plan): ${build_ms} ms"
echo "RSS before first search: $((before / 1024)) MiB, after: $((after / 1024)) MiB, added: $(((after - before) / 1024)) MiB"
for q in "attention" "gradient%20softmax%20layer" "tokeni"; do
  out=$(wrk "${WRK[@]}" --latency "$base/api/v1/search?q=$q")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  printf '%-28s p50 %-8s p99 %-8s req/s %s\n' "q=$q" "$p50" "$p99" "$rps"
done
