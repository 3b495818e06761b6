#!/usr/bin/env python3
"""A webhook receiver for Lectern's webhook tests (tests/it/webhooks.rs).

Every POST is verified with the Standard Webhooks reference library
(`standardwebhooks.Webhook(secret).verify(body, headers)`) and recorded as one JSON line
appended to the log: the event's `id`, `type` and `data` as the body says, whether it
verified, the answer given and the `webhook-*` headers of that attempt. The line is written
before the answer is sent. The first N requests are answered 500, the rest 200.

    webhook_receiver.py --port PORT --secret whsec_... --log FILE [--fail-first N]
"""

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True, help="the endpoint's whsec_ secret")
    parser.add_argument("--log", required=True, help="the file JSON lines are appended to")
    parser.add_argument("--fail-first", type=int, default=0, help="answer 500 to this many")
    args = parser.parse_args()

    webhook = Webhook(args.secret)
    lock = threading.Lock()
    received = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                event = webhook.verify(body, headers)
                verified, error = True, None
            except (WebhookVerificationError, ValueError) as refused:
                verified, error = False, str(refused)
                try:
                    event = json.loads(body)
                except ValueError:
                    event = {}
            with lock:
                received[0] += 1
                answer = 500 if received[0] <= args.fail_first else 200
                record = {
                    "id": event.get("id"),
                    "type": event.get("type"),
                    "created_at": event.get("created_at"),
                    "data": event.get("data"),
                    "verified": verified,
                    "error": error,
                    "answered": answer,
                    "path": self.path,
                    "body": body.decode("utf-8", "replace"),
                    "attempt_headers": {
                        name: headers.get(name)
                        for name in (
                            "webhook-id",
                            "webhook-timestamp",
                            "webhook-signature",
                            "content-type",
                        )
                    },
                }
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps(record) + "\n")
            self.send_response(answer)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_):
            pass

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
