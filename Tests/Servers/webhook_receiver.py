#!/usr/bin/env python3
"""Webhook receiver for Outbox's webhook tests (loopback only).

Accepts POSTs on any path and checks the `Outbox-Signature: t=UNIX,v1=HEX` header itself:
HMAC-SHA256 keyed with the secret (read from --secret-file at each request, so the test
can write it after `outbox webhooks add` printed it) over "t.body", compared in constant
time, t within 5 minutes. Answers the next status of --statuses (comma-separated; the last
repeats), or never answers with --hang. Prints the port on stdout when ready and appends
one JSON object per request to --log: {"event": "delivery", "verified": bool, "status",
"event_id" (the Outbox-Event-Id header), "payload": the parsed body}. The secret is never
logged. Exits after --lifetime seconds at most.
"""
import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

from loopback_http import serve


def verify(secret, header, body, tolerance=300):
    """The check a receiver makes (the README shows the same)."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp = fields.get("t", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


class Handler(BaseHTTPRequestHandler):
    args = None
    lock = threading.Lock()
    log = None
    statuses = []
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.args.hang:
            time.sleep(self.args.lifetime)
            return
        with open(self.args.secret_file, encoding="utf-8") as file:
            secret = file.read().strip()
        verified = verify(secret, self.headers.get("Outbox-Signature", ""), body)
        with self.lock:
            status = self.statuses[0] if len(self.statuses) == 1 else self.statuses.pop(0)
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            self.log.write(json.dumps({"event": "delivery", "verified": verified, "status": status,
                                       "event_id": self.headers.get("Outbox-Event-Id"), "payload": payload}) + "\n")
            self.log.flush()
        answer = b"ok" if status < 300 else b"scripted failure"
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except (BrokenPipeError, ConnectionResetError):
            pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--secret-file", required=True)
    parser.add_argument("--statuses", default="200")
    parser.add_argument("--hang", action="store_true", help="read the request, never answer")
    parser.add_argument("--lifetime", type=float, default=900)
    args = parser.parse_args()

    Handler.args = args
    Handler.statuses = [int(s) for s in args.statuses.split(",")]
    Handler.log = open(args.log, "a", buffering=1, encoding="utf-8")
    serve(Handler, args.lifetime)


if __name__ == "__main__":
    sys.exit(main())
