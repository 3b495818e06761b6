#!/usr/bin/env bash
# Compares Lectern's tokenizer with OpenAI's Python tiktoken on the same text,
# in one run: tiktoken's encode_ordinary throughput (in-process, vocabularies
# loaded offline as in scripts/gen-token-vectors.py), ours (in-process, via
# examples/tokenizer_throughput.rs), and the ratio, for o200k_base and
# cl100k_base. Also prints our worst cases and memory.
#
# Usage: scripts/bench-tokenizer.sh [--file FILE] [--url BASE_URL]
#   --file FILE     measure on FILE instead of the generated 1 MB of prose
#   --url BASE_URL  time POST BASE_URL/api/v1/tokenize on a running server
#                   (default: start a release build of Lectern on a free port)
set -euo pipefail

cd "$(dirname "$0")/.."
file=""
url=""
while [ $# -gt 0 ]; do
    case "$1" in
        --file) file="$2"; shift 2 ;;
        --url) url="$2"; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

python3 -c 'import tiktoken' 2>/dev/null || python3 -m pip install --quiet tiktoken
cargo build --quiet --release --example tokenizer_throughput
bin=target/release/examples/tokenizer_throughput

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "$file" ]; then
    file="$work/prose.txt"
    "$bin" write-corpus "$file"
fi
echo "text: $file ($(wc -c < "$file") bytes)"

echo "== tiktoken $(python3 -c 'import tiktoken; print(tiktoken.__version__)') (Python, in-process, best of 5, MB/s of thread CPU time)"
python3 - "$file" > "$work/tiktoken.txt" <<'EOF'
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location("gen", "scripts/gen-token-vectors.py")
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
text = open(sys.argv[1], encoding="utf-8").read()
size = len(text.encode("utf-8"))
for name in ("o200k_base", "cl100k_base"):
    enc, _ = gen.build_encoding(name, None)
    tokens = len(enc.encode_ordinary(text))
    best_cpu = best_wall = float("inf")
    for _ in range(5):
        cpu, wall = time.thread_time(), time.perf_counter()
        enc.encode_ordinary(text)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.thread_time() - cpu)
    print(f"TIKTOKEN {name} {size / 1e6 / best_cpu:.1f} {tokens} (wall {size / 1e6 / best_wall:.1f})")
EOF
cat "$work/tiktoken.txt"

echo "== lectern (Rust, in-process, best of >=5 runs, MB/s of thread CPU time)"
"$bin" "$file" | tee "$work/ours.txt"

echo "== summary (MB/s of CPU time; wall-clock figures are above)"
awk '
    $1 == "TIKTOKEN" { tik[$2] = $3; tiktokens[$2] = $4 }
    $1 == "RESULT" { ours[$2 " " $3] = $4 }
    $1 == "TOKENS" { toks[$2] = $3 }
    END {
        printf "%-12s %10s %10s %10s %9s %9s  %s\n", "encoding", "tiktoken", "encode", "count", "encode/x", "count/x", "same token count"
        split("o200k_base cl100k_base", names, " ")
        for (i = 1; i <= 2; i++) {
            n = names[i]
            printf "%-12s %10.1f %10.1f %10.1f %8.1fx %8.1fx  %s\n", n, tik[n], ours[n " encode"], ours[n " count"],
                ours[n " encode"] / tik[n], ours[n " count"] / tik[n], (toks[n] == tiktokens[n] ? "yes" : "NO")
        }
    }' "$work/tiktoken.txt" "$work/ours.txt"

if [ -z "$url" ]; then
    # Serve a release build of Lectern for the HTTP measurement.
    cargo build --quiet --release --bin lectern
    port=18083
    LECTERN_BIND="127.0.0.1:$port" LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn \
        LECTERN_TOKENIZE_RATE_LIMIT=1000000 target/release/lectern serve >"$work/server.log" 2>&1 &
    server=$!
    trap 'kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
        sleep 0.1
    done
    url="http://127.0.0.1:$port"
fi

echo "== HTTP POST $url/api/v1/tokenize (count_only, o200k_base, best of 5, wall clock)"
python3 - "$file" "$url" "$work/tiktoken.txt" <<'EOF'
import json, sys, time, urllib.request
text = open(sys.argv[1], encoding="utf-8").read()
size = len(text.encode("utf-8"))
body = json.dumps({"text": text, "count_only": True}).encode("utf-8")
best = float("inf")
count = None
for _ in range(5):
    req = urllib.request.Request(sys.argv[2].rstrip("/") + "/api/v1/tokenize", data=body,
                                 headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as resp:
        answer = json.loads(resp.read())
        assert resp.status == 200, resp.status
    best = min(best, time.perf_counter() - start)
    count = answer["count"]
tiktoken = {}
for line in open(sys.argv[3]):
    parts = line.split()
    if parts and parts[0] == "TIKTOKEN":
        tiktoken[parts[1]] = (float(parts[5].rstrip(")")), int(parts[3]))
wall, tokens = tiktoken["o200k_base"]
rate = size / 1e6 / best
print(f"HTTP {rate:.1f} MB/s ({best * 1e3:.1f} ms per request), count {count} "
      f"({'same as' if count == tokens else 'DIFFERENT from'} tiktoken)")
print(f"ratio HTTP/tiktoken (wall): {rate / wall:.1f}x (goal >= 1.5x)")
EOF
