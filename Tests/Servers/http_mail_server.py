#!/usr/bin/env python3
"""Scriptable HTTP mail service for Outbox's `http` sender mode tests (loopback only).

Accepts POSTs on any path. Checks `Authorization` against --bearer TOKEN or --basic
USER:PASSWORD (a mismatch is answered 401), then answers the next status of --statuses
(comma-separated; the last one repeats), after --delay seconds. Prints the port on stdout
when ready and appends one JSON object per request to --log: {"event": "post", "path",
"content_type", "auth": "ok" | "missing" | "wrong" | "none-required", "envelope_from",
"envelope_to", "body": base64 of the exact bytes received, "status"}. The Authorization
value itself is never logged. Exits after --lifetime seconds at most.
"""
import argparse
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

from loopback_http import serve


class Handler(BaseHTTPRequestHandler):
    args = None
    lock = threading.Lock()
    log = None
    statuses = []
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def expected_authorization(self):
        if self.args.bearer:
            return "Bearer " + self.args.bearer
        if self.args.basic:
            return "Basic " + base64.b64encode(self.args.basic.encode()).decode()
        return None

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        expected = self.expected_authorization()
        given = self.headers.get("Authorization")
        if expected is None:
            auth = "none-required"
        elif given is None:
            auth = "missing"
        else:
            auth = "ok" if given == expected else "wrong"
        with self.lock:
            if auth in ("missing", "wrong"):
                status = 401
            else:
                status = self.statuses[0] if len(self.statuses) == 1 else self.statuses.pop(0)
            self.log.write(json.dumps({
                "event": "post", "path": self.path, "content_type": self.headers.get("Content-Type"), "auth": auth,
                "envelope_from": self.headers.get("X-Outbox-Envelope-From"),
                "envelope_to": self.headers.get("X-Outbox-Envelope-To"),
                "body": base64.b64encode(body).decode(), "status": status}) + "\n")
            self.log.flush()
        if self.args.delay:
            time.sleep(self.args.delay)
        answer = json.dumps({"status": status, "id": "msg-%d" % time.monotonic_ns()} if status < 300
                            else {"error": "scripted %d" % status}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            if self.args.retry_after and status in (429, 503):
                self.send_header("Retry-After", str(self.args.retry_after))
            self.end_headers()
            self.wfile.write(answer)
        except (BrokenPipeError, ConnectionResetError):
            pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--bearer")
    parser.add_argument("--basic", help="USER:PASSWORD")
    parser.add_argument("--statuses", default="202")
    parser.add_argument("--delay", type=float, default=0)
    parser.add_argument("--retry-after", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=900)
    args = parser.parse_args()

    Handler.args = args
    Handler.statuses = [int(s) for s in args.statuses.split(",")]
    Handler.log = open(args.log, "a", buffering=1, encoding="utf-8")
    serve(Handler, args.lifetime)


if __name__ == "__main__":
    sys.exit(main())
