#!/usr/bin/env python3
"""HTTP client for the API tests: Python's http.client, so the server is driven by a
client that is not ours. Every command prints one JSON object on stdout.

  request METHOD PORT PATH [--token T] [--header K:V]... [--body-file F] [--ca-file CERT] [--timeout S]
      -> {"status": N, "headers": {...}, "body": "...", "json": {...} or null}
  sse PORT PATH --token T [--last-event-id N] --count K [--timeout S]
      -> {"status": N, "events": [{"id": "..", "event": "..", "data": {...}}], "comments": [...]}
  metrics PORT --token T
      -> {"families": {name: {"type": t, "samples": [[name, labels, value], ...]}}}
  openapi PORT
      -> {"valid": true} or {"valid": false, "error": "..."}
"""
import argparse
import http.client
import json
import ssl
import sys
import time


def connect(port, timeout=30, ca_file=None):
    """Plain HTTP, or HTTPS verified against ca_file (certificate and host name)."""
    if ca_file:
        return http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=ssl.create_default_context(cafile=ca_file))
    return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)


def request(args):
    headers = {}
    if args.token:
        headers["Authorization"] = "Bearer " + args.token
    for header in args.header or []:
        name, value = header.split(":", 1)
        headers[name.strip()] = value.strip()
    body = open(args.body_file, "rb").read() if args.body_file else None
    connection = connect(args.port, timeout=getattr(args, "timeout", 30), ca_file=getattr(args, "ca_file", None))
    connection.request(args.method, args.path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read().decode("utf-8", "replace")
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    return {"status": response.status, "headers": {k.lower(): v for k, v in response.getheaders()}, "body": data, "json": parsed}


def sse(args):
    headers = {"Authorization": "Bearer " + args.token, "Accept": "text/event-stream"}
    if args.last_event_id is not None:
        headers["Last-Event-ID"] = args.last_event_id
    connection = connect(args.port, timeout=args.timeout)
    connection.request("GET", args.path, headers=headers)
    response = connection.getresponse()
    result = {"status": response.status, "contentType": response.getheader("Content-Type"), "events": [], "comments": []}
    if response.status != 200:
        result["body"] = response.read().decode("utf-8", "replace")
        return result
    deadline = time.time() + args.timeout
    frame = {}
    while len(result["events"]) < args.count and time.time() < deadline:
        try:
            raw = response.readline()
        except TimeoutError:
            break
        if not raw:
            break
        line = raw.decode("utf-8").rstrip("\n")
        if line == "":
            if frame:
                result["events"].append(frame)
                frame = {}
            continue
        if line.startswith(":"):
            result["comments"].append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        frame[name] = json.loads(value) if name == "data" else value
    connection.close()
    return result


def metrics(args):
    from prometheus_client.parser import text_string_to_metric_families
    response = request(argparse.Namespace(method="GET", port=args.port, path="/metrics", token=args.token, header=None, body_file=None))
    if response["status"] != 200:
        return {"status": response["status"], "body": response["body"]}
    families = {}
    for family in text_string_to_metric_families(response["body"]):
        families[family.name] = {"type": family.type, "samples": [[s.name, s.labels, s.value] for s in family.samples]}
    return {"status": 200, "contentType": response["headers"].get("content-type"), "families": families}


def openapi(args):
    from openapi_spec_validator import validate
    response = request(argparse.Namespace(method="GET", port=args.port, path="/v1/openapi.json", token=None, header=None, body_file=None))
    try:
        validate(response["json"])
        return {"valid": True, "status": response["status"], "version": response["json"].get("openapi")}
    except Exception as error:  # the validator's own error types
        return {"valid": False, "status": response["status"], "error": str(error)[:2000]}


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("request")
    r.add_argument("method")
    r.add_argument("port", type=int)
    r.add_argument("path")
    r.add_argument("--token")
    r.add_argument("--header", action="append")
    r.add_argument("--body-file")
    r.add_argument("--ca-file", help="speak HTTPS and trust this certificate")
    r.add_argument("--timeout", type=float, default=30, help="seconds to wait for the answer")
    s = sub.add_parser("sse")
    s.add_argument("port", type=int)
    s.add_argument("path")
    s.add_argument("--token", required=True)
    s.add_argument("--last-event-id")
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--timeout", type=float, default=20)
    m = sub.add_parser("metrics")
    m.add_argument("port", type=int)
    m.add_argument("--token", required=True)
    o = sub.add_parser("openapi")
    o.add_argument("port", type=int)
    args = parser.parse_args()
    result = {"request": request, "sse": sse, "metrics": metrics, "openapi": openapi}[args.command](args)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
