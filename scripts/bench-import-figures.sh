#!/usr/bin/env bash
# Import time with figures (API.md section 13), on a release build and a fresh SQLite data
# folder: the bundled course, then a generated course of 100 lessons with 5 figures each
# (3 SVGs and 2 PNGs per lesson, every file different, so 500 figures are checked, measured
# and stored), then the same course again with nothing changed.
#
#   scripts/bench-import-figures.sh
#   LECTERN_BINARY=/path/to/lectern scripts/bench-import-figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${LECTERN_BINARY:-}" ]; then
  cargo build --release --quiet
  LECTERN_BINARY=./target/release/lectern
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The generated course: original filler text, and figures drawn from each lesson's number.
python3 - "$work/content" <<'EOF'
import os, struct, sys, zlib

root = sys.argv[1]
course = os.path.join(root, "figure-bench")
os.makedirs(os.path.join(course, "figures"))
with open(os.path.join(course, "course.toml"), "w") as f:
    f.write('title = "Figure bench"\nsummary = "One hundred illustrated lessons."\n')

def png(path, w, h, seed):
    rows = b"".join(
        b"\0" + bytes(v for x in range(w) for v in ((x * seed + y) % 256, (y * 7 + seed) % 256, (x + y) % 256))
        for y in range(h)
    )
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))

def svg(path, seed):
    bars = "".join(
        f'<rect x="{20 + i * 40}" y="{200 - (seed * (i + 3)) % 180}" width="30" '
        f'height="{(seed * (i + 3)) % 180}" fill="#3b6fd4"/>' for i in range(12))
    with open(path, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="520" height="220" '
                f'viewBox="0 0 520 220"><title>Bars {seed}</title>{bars}'
                f'<text x="20" y="215" font-size="12">series {seed}</text></svg>')

for n in range(1, 101):
    figures = []
    for k in range(5):
        seed = n * 5 + k
        if k < 3:
            name = f"l{n:03}-{k}.svg"
            svg(os.path.join(course, "figures", name), seed)
        else:
            name = f"l{n:03}-{k}.png"
            png(os.path.join(course, "figures", name), 96, 64, seed)
        figures.append(f'![Bar chart {k + 1} of lesson {n}](figures/{name} "Series {seed}.")')
    paragraphs = "\n\n".join(
        f"Paragraph {p} of lesson {n} walks through measurement {p * n}, what it shows and "
        f"why a reader might care about the trend it follows.\n\n{figures[p]}" for p in range(5))
    with open(os.path.join(course, f"{n:03}-lesson.md"), "w") as f:
        f.write(f'+++\ntitle = "Illustrated lesson {n}"\nslug = "illustrated-{n:03}"\n'
                f'summary = "Lesson {n} of the figure benchmark."\ncourse = "figure-bench"\n'
                f'position = {n}\naccess = "free"\nupdated = 2026-12-01\n+++\n{paragraphs}\n')
EOF

# Milliseconds one `lectern import DIR` takes on data folder $1.
import_ms() {
  local t0 t1
  t0=$(date +%s%N)
  LECTERN_DATA_DIR="$1" LECTERN_LOG=warn "$LECTERN_BINARY" import "$2" >/dev/null
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}

# The first import also creates the database (migrations); made once, outside the timing.
mkdir -p "$work/empty"
LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn "$LECTERN_BINARY" import "$work/empty" >/dev/null 2>&1 || true
bundled=$(import_ms "$work/data" content)
bundled_again=$(import_ms "$work/data" content)
generated=$(import_ms "$work/data" "$work/content")
generated_again=$(import_ms "$work/data" "$work/content")
figures=$(grep -o '!\[' "$work"/content/figure-bench/*.md | wc -l)
size=$(du -sh "$work/content/figure-bench/figures" | cut -f1)

echo "bundled course (8 lessons, its figures and narrations): ${bundled} ms; unchanged again: ${bundled_again} ms"
echo "100 lessons with ${figures} figures (${size}): ${generated} ms; unchanged again: ${generated_again} ms"
