#!/usr/bin/env bash
# A full disk (needs root: mounts a 24 MB tmpfs): a start on it is refused with a clear
# message; a running instance's writes answer 503 `unavailable` once the disk is full and
# work again when space is freed; the SQLite file stays intact with exactly the
# acknowledged writes. Runs the ignored test in tests/it/full_disk.rs.
#
#   scripts/full-disk.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --quiet --test it full_disk:: -- --ignored --nocapture
