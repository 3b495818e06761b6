#!/usr/bin/env bash
# Generate MP3 narrations for bundled lessons with espeak-ng and lame.
#
#   scripts/make-narration.sh [--words N] LESSON.md [LESSON.md ...]
#
# For each lesson, the Markdown body (front matter, code blocks, tables, HTML, links'
# targets and markup stripped) is read aloud by espeak-ng and encoded by lame as a mono,
# 24 kbit/s, 16 kHz MP3 written next to the .md as <file stem>.mp3 (about 180 KB a minute,
# so the three bundled narrations together stay under 10 MB). `--words N` narrates only the
# first N words of the body (default: all of it). The script prints the file it wrote; it
# does not edit the lesson: add `audio = "<stem>.mp3"` to the front matter yourself.
# As root, missing espeak-ng/lame are installed with apt-get.
set -euo pipefail

words=1000000
if [[ "${1:-}" == "--words" ]]; then
  words="$2"
  shift 2
fi
if [[ $# -eq 0 ]]; then
  echo "usage: $0 [--words N] LESSON.md [LESSON.md ...]" >&2
  exit 2
fi

need=()
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v lame >/dev/null || need+=(lame)
if [[ ${#need[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y "${need[@]}" || { apt-get update && apt-get install -y "${need[@]}"; }
  else
    echo "missing: ${need[*]} (install them, e.g. apt-get install -y ${need[*]})" >&2
    exit 1
  fi
fi

# The lesson's body as plain sentences.
plain_text() {
  awk '
    BEGIN { fm = 0 }
    /^\+\+\+[[:space:]]*$/ { fm++; next }
    fm < 2 { next }
    /^[[:space:]]*(```|~~~)/ { code = !code; next }
    code { next }
    /^[[:space:]]*\|/ { next }
    /^[[:space:]]*<!--/ { next }
    { print }
  ' "$1" |
    sed -E \
      -e 's/<[^>]+>//g' \
      -e 's/!\[([^]]*)\]\([^)]*\)/\1/g' \
      -e 's/\[([^]]*)\]\([^)]*\)/\1/g' \
      -e 's/\[\^[^]]*\]//g' \
      -e 's/^[[:space:]]*>[[:space:]]*\[![A-Z]+\][[:space:]]*/Note: /' \
      -e 's/^[[:space:]]*>[[:space:]]?//' \
      -e 's/^#+[[:space:]]*(.*)$/\1./' \
      -e 's/^[[:space:]]*([-*+]|[0-9]+\.)[[:space:]]+(\[[ xX]\][[:space:]]*)?//' \
      -e 's/`//g; s/\*\*//g; s/__//g; s/[*_~]//g'
}

for lesson in "$@"; do
  out="${lesson%.md}.mp3"
  text="$(plain_text "$lesson" | tr -s '[:space:]' ' ' | cut -d' ' -f1-"$words")"
  wav="$(mktemp --suffix=.wav)"
  printf '%s\n' "$text" | espeak-ng -v en-us -s 170 -w "$wav"
  lame --quiet -m m -b 24 --resample 16 --tt "$(basename "${lesson%.md}")" "$wav" "$out"
  rm -f "$wav"
  echo "$out: $(stat -c %s "$out") bytes"
done
