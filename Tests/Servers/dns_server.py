#!/usr/bin/env python3
"""Stub authoritative DNS server for Outbox's tests (loopback only; dnslib from PyPI).

Answers UDP and TCP queries on one ephemeral port of 127.0.0.1 from --records, a JSON file
re-read on every query so a test can change its zone while the server runs:

    {"NAME": [{"type": "TXT", "ttl": 300, "strings": ["v=spf1 ...", ...]}, ...], ...}

A NAME present with no record of the asked type is answered NOERROR without data; an absent
NAME NXDOMAIN; a NAME listed in the file's "servfail" list SERVFAIL. Long strings are split
into 255-octet character-strings. Prints the port on stdout when ready and appends one JSON
object per query to --log: {"event": "query", "name", "type", "transport"}. Exits after
--lifetime seconds at most.
"""
import argparse
import json
import socket
import socketserver
import struct
import sys
import threading
import time

from dnslib import QTYPE, RCODE, RR, TXT, DNSRecord


class Zone:
    def __init__(self, args):
        self.path = args.records
        self.lock = threading.Lock()
        self.log = open(args.log, "a", buffering=1, encoding="utf-8")

    def answer(self, data, transport):
        request = DNSRecord.parse(data)
        reply = request.reply()
        question = request.q
        name = str(question.qname).rstrip(".").lower()
        qtype = QTYPE[question.qtype]
        with self.lock:
            self.log.write(json.dumps({"event": "query", "name": name, "type": qtype, "transport": transport, "t": time.monotonic()}) + "\n")
            with open(self.path, encoding="utf-8") as file:
                zone = json.load(file)
        records = {key.rstrip(".").lower(): value for key, value in zone.items() if key != "servfail"}
        if name in [n.lower() for n in zone.get("servfail", [])]:
            reply.header.rcode = RCODE.SERVFAIL
        elif name not in records:
            reply.header.rcode = RCODE.NXDOMAIN
        else:
            for record in records[name]:
                if record.get("type", "TXT") != qtype:
                    continue
                strings = []
                for text in record["strings"]:
                    raw = text.encode()
                    strings += [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]
                reply.add_answer(RR(question.qname, QTYPE.TXT, ttl=record.get("ttl", 300), rdata=TXT(strings)))
        return reply.pack()


class UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(self.server.zone.answer(data, "udp"), self.client_address)


class TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        header = self.request.recv(2)
        if len(header) < 2:
            return
        (length,) = struct.unpack("!H", header)
        data = b""
        while len(data) < length:
            chunk = self.request.recv(length - len(data))
            if not chunk:
                return
            data += chunk
        reply = self.server.zone.answer(data, "tcp")
        self.request.sendall(struct.pack("!H", len(reply)) + reply)


class UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True


class TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--lifetime", type=float, default=900)
    args = parser.parse_args()
    zone = Zone(args)
    # One port for both transports: take a free UDP port, then bind TCP to the same number.
    for _ in range(20):
        udp = UDPServer(("127.0.0.1", 0), UDPHandler)
        port = udp.server_address[1]
        try:
            tcp = TCPServer(("127.0.0.1", port), TCPHandler)
            break
        except OSError:
            udp.server_close()
    else:
        sys.exit("dns_server.py: no free port for UDP and TCP")
    for server in (udp, tcp):
        server.zone = zone
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(port, flush=True)
    time.sleep(args.lifetime)


if __name__ == "__main__":
    main()
