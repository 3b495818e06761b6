#!/usr/bin/env bash
# The outbox under SIGKILL: 10 cycles of a release `lectern serve` on SQLite killed at a random
# moment while readers sign up (each sign-up records a `user.created` webhook event in its own
# transaction), then one last start. A receiver that verifies every delivery with the Standard
# Webhooks library (tests/support/webhook_receiver.py) must get the event of every sign-up that
# was answered 201: prints acknowledged, delivered, lost (goal 0), and duplicates, each of which
# must carry the same webhook-id as its first delivery.
#
#   scripts/outbox-kill-loop.sh [CYCLES]
#   LECTERN_BINARY=/path/to/lectern scripts/outbox-kill-loop.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CYCLES=${1:-10}
PORT=18088
RECEIVER_PORT=18089
work=$(mktemp -d)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

python3 -c 'import standardwebhooks' 2>/dev/null || python3 -m pip install --quiet standardwebhooks
if [ -z "${LECTERN_BINARY:-}" ]; then
  cargo build --release --quiet
  LECTERN_BINARY=./target/release/lectern
fi
export LECTERN_DATA_DIR="$work/data" LECTERN_LOG=warn \
  LECTERN_BIND="127.0.0.1:$PORT" LECTERN_WEBHOOKS_ALLOW_PRIVATE=1 \
  LECTERN_SIGNUP_RATE_LIMIT=1000000 LECTERN_AUTH_RATE_LIMIT=1000000

python3 - "$LECTERN_BINARY" "$PORT" "$RECEIVER_PORT" "$CYCLES" "$work" <<'PY'
import atexit, http.client, json, os, random, subprocess, sys, threading, time
binary, port, receiver_port, cycles, work = sys.argv[1:6]
port, receiver_port, cycles = int(port), int(receiver_port), int(cycles)
log = open(os.path.join(work, "server.log"), "ab")
events = os.path.join(work, "events.jsonl")

def call(method, path, body=None, token=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"null")

children = []
atexit.register(lambda: [child.kill() for child in children])

def start():
    server = subprocess.Popen([binary, "serve"], stdout=subprocess.DEVNULL, stderr=log)
    children.append(server)
    deadline = time.time() + 30
    while True:
        try:
            if call("GET", "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        assert server.poll() is None and time.time() < deadline, "the server did not start"
        time.sleep(0.05)

server = start()
password = "kill loop admin password"
subprocess.run([binary, "create-admin", "--email", "admin@kill.example", "--name", "Admin"],
               input=password.encode(), check=True, stdout=subprocess.DEVNULL)
_, signed = call("POST", "/api/v1/auth/login", {"email": "admin@kill.example", "password": password})
status, endpoint = call("POST", "/api/v1/admin/webhooks",
                        {"url": f"http://127.0.0.1:{receiver_port}/hook", "events": ["user.created"]},
                        signed["token"])
assert status == 201, endpoint
receiver = subprocess.Popen([sys.executable, "tests/support/webhook_receiver.py", "--port",
                             str(receiver_port), "--secret", endpoint["secret"], "--log", events])
children.append(receiver)

acked, lock, counter = [], threading.Lock(), [0]
def sign_up_until(stop):
    while not stop.is_set():
        with lock:
            counter[0] += 1
            n = counter[0]
        try:
            status, body = call("POST", "/api/v1/auth/signup", {
                "email": f"reader{n}@kill.example", "password": "a reader's long password",
                "name": f"Reader {n}"})
        except OSError:
            continue  # the server was killed mid-request: not acknowledged
        if status == 201:
            with lock:
                acked.append(body["user"]["id"])

for cycle in range(cycles):
    server = server if cycle == 0 else start()
    stop = threading.Event()
    writers = [threading.Thread(target=sign_up_until, args=(stop,)) for _ in range(4)]
    for writer in writers:
        writer.start()
    time.sleep(random.uniform(0.5, 2.5))
    server.kill()
    server.wait()
    stop.set()
    for writer in writers:
        writer.join()
    print(f"cycle {cycle + 1}: {len(acked)} sign-ups acknowledged so far", flush=True)

server = start()
def received():
    try:
        with open(events) as lines:
            return [json.loads(line) for line in lines if line.strip()]
    except FileNotFoundError:
        return []
# An event being sent at a kill stays claimed until its lease (60 s) runs out.
deadline = time.time() + 180
while True:
    got = [e for e in received() if e["type"] == "user.created" and e["answered"] == 200]
    delivered = {e["data"]["user_id"] for e in got}
    if set(acked) <= delivered or time.time() > deadline:
        break
    time.sleep(0.2)
server.kill()
receiver.kill()
assert all(e["verified"] for e in received()), "every delivery verifies"
ids_per_user = {}
for e in got:
    ids_per_user.setdefault(e["data"]["user_id"], []).append(e["id"])
lost = len(set(acked) - delivered)
duplicates = sum(len(ids) - 1 for ids in ids_per_user.values())
same_id = all(len(set(ids)) == 1 for ids in ids_per_user.values())
print(f"{cycles} kills: {len(acked)} sign-ups acknowledged, {len(delivered & set(acked))} of their "
      f"user.created events delivered and verified, lost {lost} (goal 0); "
      f"{len(delivered) - len(delivered & set(acked))} more for sign-ups committed as the server died; "
      f"{duplicates} duplicate deliveries, all with their first delivery's webhook-id: {same_id}")
assert lost == 0 and same_id
PY
