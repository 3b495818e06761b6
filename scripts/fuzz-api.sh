#!/usr/bin/env bash
# Fuzz the JSON API with schemathesis against its own OpenAPI document
# (GET /api/v1/openapi.json): a build of Lectern with the bundled course in a temporary
# data folder, a signed-up learner and an admin made with `lectern create-admin`, then three
# runs: as the learner, as the admin, and anonymous. Checks: no 5xx, every status, content
# type, header and body as documented (errors in the contract's shape), 405 with `Allow`
# for undocumented methods. Prints the totals and exits non-zero on any failure.
#
#   scripts/fuzz-api.sh
#
# Environment:
#   FUZZ_EXAMPLES   test cases per operation and phase (default 100)
#   FUZZ_PHASES     schemathesis phases (default examples,coverage,fuzzing,stateful)
#   FUZZ_RELEASE=1  fuzz a release build (default: the debug build `cargo test` shares)
#   FUZZ_SEED       schemathesis seed, for a reproducible run
#   FUZZ_CHECKS     schemathesis checks (default: the list below)
#   FUZZ_REPORT     folder for the reports (default: a temporary folder, removed)
set -euo pipefail
cd "$(dirname "$0")/.."

EXAMPLES="${FUZZ_EXAMPLES:-100}"
PHASES="${FUZZ_PHASES:-examples,coverage,fuzzing,stateful}"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
CHECKS="${FUZZ_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,unsupported_method}"

command -v st >/dev/null || { echo "schemathesis (st) is not installed: pip install schemathesis" >&2; exit 1; }

work=$(mktemp -d)
report="${FUZZ_REPORT:-$work/report}"
mkdir -p "$report"
cleanup() {
  if [ -n "${lectern_pid:-}" ]; then
    kill "$lectern_pid" 2>/dev/null || true
    wait "$lectern_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ "${FUZZ_RELEASE:-0}" = 1 ]; then
  cargo build --release --quiet --bin lectern
  bin="$TARGET_DIR/release/lectern"
else
  cargo build --quiet --bin lectern
  bin="$TARGET_DIR/debug/lectern"
fi

export LECTERN_DATA_DIR="$work/data"
export LECTERN_CONTENT_DIR="$PWD/content"
export LECTERN_LOG=warn
export LECTERN_AUTH_RATE_LIMIT=1000000
export LECTERN_SIGNUP_RATE_LIMIT=1000000
export LECTERN_TOKENIZE_RATE_LIMIT=1000000
# With a secret the webhook checks signatures (and answers 400 to the fuzzer's), not 404.
export LECTERN_BILLING_WEBHOOK_SECRET=fuzz-webhook-secret
admin_email=fuzz-admin@example.com
password="fuzzing is a quiet lectern"
LECTERN_ADMIN_PASSWORD="$password" "$bin" create-admin --email "$admin_email" --name "Fuzz Admin" >/dev/null
"$bin" set-plan --email "$admin_email" --plan pro >/dev/null

LECTERN_BIND=127.0.0.1:0 "$bin" serve >"$work/lectern.log" 2>&1 &
lectern_pid=$!
base=""
for _ in $(seq 1 300); do
  base=$(grep -o 'listening on http://[0-9.:]*' "$work/lectern.log" | head -n 1 | cut -d' ' -f3 || true)
  [ -n "$base" ] && break
  kill -0 "$lectern_pid" 2>/dev/null || { cat "$work/lectern.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "the server did not start" >&2; cat "$work/lectern.log" >&2; exit 1; }

token() { # PATH JSON -> the token in the answer
  curl -fsS -H 'content-type: application/json' -d "$2" "$base$1" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
learner=$(token /api/v1/auth/signup "{\"email\":\"fuzz-learner@example.com\",\"password\":\"$password\",\"name\":\"Fuzz Learner\"}")
admin=$(token /api/v1/auth/login "{\"email\":\"$admin_email\",\"password\":\"$password\"}")

status=0
# One worker: with two, CPython 3.11's `ast` module (which hypothesis uses to describe its
# strategies) can fail at random with "AST constructor recursion depth mismatch"
# (python/cpython#106905), a runtime error in the fuzzer, not in Lectern.
run() { # NAME [st options…]
  local name=$1
  shift
  echo "== schemathesis as $name: $EXAMPLES examples per operation, phases $PHASES"
  SCHEMATHESIS_HOOKS=fuzz_hooks PYTHONPATH="$PWD/scripts${PYTHONPATH:+:$PYTHONPATH}" \
    st --config-file scripts/fuzz-api.toml run "$base/api/v1/openapi.json" \
    --checks "$CHECKS" --phases "$PHASES" --max-examples "$EXAMPLES" \
    ${FUZZ_SEED:+--seed "$FUZZ_SEED"} --workers 1 --request-timeout 30 \
    --continue-on-failure --suppress-health-check all --no-color \
    --report ndjson --report-ndjson-path "$report/$name.ndjson" \
    "$@" || status=1
}
# Logging out would end the session the other operations use: it runs anonymous only.
run learner -H "Authorization: Bearer $learner" --exclude-path /api/v1/auth/logout
run admin -H "Authorization: Bearer $admin" --exclude-path /api/v1/auth/logout
run anonymous

python3 - "$report" <<'PY' || status=1
import json, pathlib, sys

requests = server_errors = failures = 0
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.ndjson")):
    for line in path.read_text().splitlines():
        event = json.loads(line)
        for kind, data in event.items():
            if kind != "ScenarioFinished":
                continue
            for check in data.get("recorder", {}).get("checks", {}).values():
                for result in check:
                    if result.get("status") == "failure":
                        failures += 1
            for interaction in data.get("recorder", {}).get("interactions", {}).values():
                response = interaction.get("response")
                if response is None:
                    continue
                requests += 1
                if response.get("status_code", 0) >= 500:
                    server_errors += 1
print(f"fuzz-api: {requests} requests, {server_errors} with status 5xx, {failures} failed checks")
sys.exit(1 if server_errors or failures or requests == 0 else 0)
PY
if grep -q "panicked" "$work/lectern.log"; then
  echo "the server log records a panic:" >&2
  grep -A5 "panicked" "$work/lectern.log" >&2
  status=1
fi
exit "$status"
