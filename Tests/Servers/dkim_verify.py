#!/usr/bin/env python3
"""Verifies every DKIM-Signature of a message with dkimpy (an independent verifier).

Usage: dkim_verify.py MESSAGE RECORDS_JSON
RECORDS_JSON maps DNS names ("sel._domainkey.example.com") to TXT record text; it is the
only "DNS" the verifier sees (a stub resolver, no network). Prints one JSON list:
[{"domain": ..., "selector": ..., "algorithm": ..., "pass": true|false, "detail": ...}].
"""
import json
import re
import sys

import dkim

message = open(sys.argv[1], "rb").read()
records = json.load(open(sys.argv[2]))


def dnsfunc(name, timeout=5):
    text = records.get(name.decode().rstrip(".").lower())
    return text.encode() if text is not None else None


header = message.split(b"\r\n\r\n", 1)[0]
count = len(re.findall(rb"^dkim-signature:", header, re.IGNORECASE | re.MULTILINE))
results = []
for index in range(count):
    verifier = dkim.DKIM(message)
    try:
        ok = bool(verifier.verify(idx=index, dnsfunc=dnsfunc))
        detail = ""
    except Exception as error:  # a verifier error is a failure, with its reason
        ok, detail = False, f"{type(error).__name__}: {error}"
    tags = verifier.signature_fields or {}
    results.append({
        "domain": tags.get(b"d", b"").decode(), "selector": tags.get(b"s", b"").decode(),
        "algorithm": tags.get(b"a", b"").decode(), "pass": ok, "detail": detail,
    })
print(json.dumps(results))
