#!/usr/bin/env bash
# Crash safety on SQLite: a release build of Lectern killed with SIGKILL at random moments
# (a delay drawn anew each cycle) while 16 writers send progress and quiz attempts and one
# more signs users up; after each kill the SQLite file must pass PRAGMA integrity_check and
# hold every write the server acknowledged (2xx). Prints the cycles, the acknowledged
# writes and the lost ones (the goal: 0). The same test runs 10 cycles in `cargo test`.
# The delays come from a seed printed first; CRASH_SEED=<seed> draws the same delays again.
#
#   scripts/crash-test.sh [CYCLES]     (default 100)
#   CRASH_SEED=<seed> scripts/crash-test.sh [CYCLES]
set -euo pipefail
cd "$(dirname "$0")/.."

LECTERN_CRASH_CYCLES="${1:-100}" cargo test --release --quiet --test it crash:: -- --nocapture
