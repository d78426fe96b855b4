#!/usr/bin/env python3
"""Scriptable OAuth 2.0 authority for Outbox's tests (loopback only, stdlib only).

Implements, under /{tenant}/oauth2/v2.0/, the device authorization endpoint (RFC 8628 §3.1,
`devicecode`) and the token endpoint (`token`) with the device_code grant (RFC 8628 §3.4)
and the refresh_token grant (RFC 6749 §6). Scriptable: --pending N answers
authorization_pending N times, then --slow-down K answers slow_down K times, then
--device-outcome (tokens | expired_token | access_denied). A poll that comes sooner than
the current interval is answered slow_down (RFC 8628 §3.5) and logged as too_fast.
Refresh tokens rotate (the old one is revoked); unknown or revoked ones get invalid_grant.

Prints the port on stdout when ready and appends one JSON object per request to --log,
including the tokens it issued (test data: the tests check they never leak from Outbox).
Exits after --lifetime seconds at most.

Google's installed-app flow (RFC 6749 §4.1 with PKCE, RFC 7636): GET /o/oauth2/v2/auth
checks client_id, a loopback redirect_uri and an S256 code_challenge, and redirects (302) to
redirect_uri?state=…&code=… (or error=access_denied with --auth-outcome access_denied).
POST /token redeems the code once — checking redirect_uri and that SHA-256 of code_verifier
is the challenge, and client_secret when --client-secret is given — and refreshes without
rotating the refresh token, as Google does. Logged as `authorize` and `token` events (with
provider "google"); a failed check is logged with its reason.

For mail servers that check bearer tokens (Dovecot's oauth2 passdb, `tokeninfo_url`):
GET /tokeninfo?access_token=T answers 200 {"username": --token-user, "active": true} for
an access token it issued or was seeded with (--access-token), else 401 — logged as
`tokeninfo` events with the answer, never the token.
"""
import argparse
import base64
import hashlib
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from loopback_http import serve


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.log = open(args.log, "a", buffering=1, encoding="utf-8")
        self.devices = {}  # device_code -> {"polls", "interval", "last", "done"}
        self.refresh_tokens = set(args.refresh_token)
        self.access_tokens = set(args.access_token)
        self.codes = {}  # authorization code -> {"challenge", "redirect_uri", "used"}

    def write(self, **event):
        event["t"] = time.monotonic()
        self.log.write(json.dumps(event) + "\n")
        self.log.flush()

    def issue(self, rotate_from=None):
        access = "at-" + secrets.token_hex(16)
        refresh = "rt-" + secrets.token_hex(16)
        if rotate_from is not None:
            self.refresh_tokens.discard(rotate_from)
        self.refresh_tokens.add(refresh)
        self.access_tokens.add(access)
        return {"token_type": "Bearer", "scope": self.args.scope, "expires_in": self.args.token_lifetime,
                "ext_expires_in": self.args.token_lifetime, "access_token": access, "refresh_token": refresh}


class Handler(BaseHTTPRequestHandler):
    state = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, description="", status=400):
        self.answer(status, {"error": code, "error_description": description})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/o/oauth2/v2/auth":
            return self.authorize({k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()})
        if url.path != "/tokeninfo":
            return self.error("not_found", url.path, status=404)
        token = urllib.parse.parse_qs(url.query).get("access_token", [""])[0]
        with self.state.lock:
            known = token in self.state.access_tokens
            self.state.write(event="tokeninfo", answer="active" if known else "invalid")
        if not known:
            return self.error("invalid_token", "unknown or revoked access token", status=401)
        self.answer(200, {"username": self.state.args.token_user, "active": True})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()}
        if self.path == "/token":
            with self.state.lock:
                return self.google_token(form)
        parts = self.path.strip("/").split("/")
        if len(parts) != 4 or parts[1:3] != ["oauth2", "v2.0"] or parts[3] not in ("devicecode", "token"):
            return self.error("not_found", self.path, status=404)
        state = self.state
        args = state.args
        with state.lock:
            if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
                state.write(event="bad_request", path=self.path, reason="content-type")
                return self.error("invalid_request", "form body expected")
            if form.get("client_id") != args.client_id:
                state.write(event="bad_client", path=self.path, client_id=form.get("client_id"))
                return self.error("invalid_client", "unknown client id", status=401)
            if parts[0] != args.tenant:
                return self.error("invalid_request", "unknown tenant")
            if parts[3] == "devicecode":
                return self.device_code(form)
            grant = form.get("grant_type")
            if grant == "urn:ietf:params:oauth:grant-type:device_code":
                return self.poll(form)
            if grant == "refresh_token":
                return self.refresh(form)
            state.write(event="token", grant_type=grant, answer="unsupported_grant_type")
            return self.error("unsupported_grant_type")

    def authorize(self, query):
        state, args = self.state, self.state.args
        redirect = query.get("redirect_uri", "")
        problem = None
        if query.get("client_id") != args.client_id:
            problem = "client_id"
        elif not redirect.startswith("http://127.0.0.1:"):
            problem = "redirect_uri"
        elif query.get("response_type") != "code" or query.get("code_challenge_method") != "S256" or len(query.get("code_challenge", "")) != 43:
            problem = "pkce"
        elif "state" not in query:
            problem = "state"
        with state.lock:
            if problem:
                state.write(event="authorize", answer="refused", reason=problem)
                return self.error("invalid_request", problem)
            params = {"state": query["state"]}
            if args.auth_outcome == "access_denied":
                params["error"] = "access_denied"
            else:
                code = "4/ac-" + secrets.token_hex(16)
                state.codes[code] = {"challenge": query["code_challenge"], "redirect_uri": redirect, "used": False}
                params["code"] = code
                params["scope"] = query.get("scope", "")
            state.write(event="authorize", answer=params.get("error", "code"), redirect_uri=redirect, scope=query.get("scope"),
                        access_type=query.get("access_type"), prompt=query.get("prompt"), login_hint=query.get("login_hint"),
                        code=params.get("code"))
        self.send_response(302)
        self.send_header("Location", redirect + "?" + urllib.parse.urlencode(params))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def google_token(self, form):
        state, args = self.state, self.state.args
        grant = form.get("grant_type")
        def refuse(error, reason, status=400):
            state.write(event="token", provider="google", grant_type=grant, answer=error, reason=reason)
            return self.error(error, reason, status=status)
        if form.get("client_id") != args.client_id:
            return refuse("invalid_client", "unknown client id", 401)
        if args.client_secret is not None and form.get("client_secret") != args.client_secret:
            return refuse("invalid_client", "client_secret missing or wrong", 401)
        if grant == "authorization_code":
            entry = state.codes.get(form.get("code"))
            if entry is None or entry["used"]:
                return refuse("invalid_grant", "Malformed auth code or already used.")
            entry["used"] = True
            if form.get("redirect_uri") != entry["redirect_uri"]:
                return refuse("invalid_grant", "redirect_uri_mismatch")
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != entry["challenge"]:
                return refuse("invalid_grant", "Invalid code verifier.")
            tokens = state.issue()
        elif grant == "refresh_token":
            token = form.get("refresh_token")
            if token not in state.refresh_tokens:
                return refuse("invalid_grant", "Token has been expired or revoked.")
            tokens = state.issue()
            state.refresh_tokens.discard(tokens.pop("refresh_token"))  # Google keeps the refresh token
        else:
            return refuse("unsupported_grant_type", str(grant))
        tokens.pop("ext_expires_in", None)
        tokens["scope"] = "https://mail.google.com/"
        state.write(event="token", provider="google", grant_type=grant, answer="tokens", scope=form.get("scope"),
                    access_token=tokens["access_token"], refresh_token=tokens.get("refresh_token"))
        self.answer(200, tokens)

    def device_code(self, form):
        state, args = self.state, self.state.args
        code = "dc-" + secrets.token_hex(16)
        state.devices[code] = {"polls": 0, "interval": args.interval, "last": time.monotonic()}
        state.write(event="device_code", scope=form.get("scope"), device_code=code)
        self.answer(200, {"device_code": code, "user_code": args.user_code,
                          "verification_uri": "https://microsoft.com/devicelogin",
                          "expires_in": args.expires_in, "interval": args.interval,
                          "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin "
                                     f"and enter the code {args.user_code} to authenticate."})

    def poll(self, form):
        state, args = self.state, self.state.args
        device = state.devices.get(form.get("device_code"))
        if device is None:
            state.write(event="token", grant_type="device_code", answer="invalid_grant")
            return self.error("invalid_grant", "unknown device code")
        now = time.monotonic()
        gap = now - device["last"]
        device["last"] = now
        device["polls"] += 1
        n = device["polls"]
        if gap < device["interval"] - 0.25:
            device["interval"] += 5
            state.write(event="token", grant_type="device_code", answer="slow_down", too_fast=True, gap=gap)
            return self.error("slow_down", "polled too fast")
        if n <= args.pending:
            answer = "authorization_pending"
        elif n <= args.pending + args.slow_down:
            answer = "slow_down"
            device["interval"] += 5
        else:
            answer = args.device_outcome
        if answer != "tokens":
            state.write(event="token", grant_type="device_code", answer=answer, gap=gap, interval=device["interval"])
            return self.error(answer, f"answer {n}")
        tokens = state.issue()
        state.devices.pop(form.get("device_code"))
        state.write(event="token", grant_type="device_code", answer="tokens", gap=gap,
                    access_token=tokens["access_token"], refresh_token=tokens["refresh_token"])
        self.answer(200, tokens)

    def refresh(self, form):
        state = self.state
        token = form.get("refresh_token")
        if token not in state.refresh_tokens:
            state.write(event="token", grant_type="refresh_token", answer="invalid_grant", scope=form.get("scope"))
            return self.error("invalid_grant", "AADSTS70000: The refresh token has been revoked.")
        tokens = state.issue(rotate_from=token)
        state.write(event="token", grant_type="refresh_token", answer="tokens", scope=form.get("scope"),
                    access_token=tokens["access_token"], refresh_token=tokens["refresh_token"])
        self.answer(200, tokens)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--client-id", default="test-client")
    parser.add_argument("--tenant", default="organizations")
    parser.add_argument("--scope", default="https://outlook.office.com/SMTP.Send")
    parser.add_argument("--user-code", default="QWER-TYUI")
    parser.add_argument("--interval", type=int, default=1)
    parser.add_argument("--expires-in", type=int, default=900)
    parser.add_argument("--token-lifetime", type=int, default=3600)
    parser.add_argument("--pending", type=int, default=0)
    parser.add_argument("--slow-down", type=int, default=0)
    parser.add_argument("--device-outcome", default="tokens", choices=["tokens", "expired_token", "access_denied"])
    parser.add_argument("--refresh-token", action="append", default=[], help="a refresh token the server accepts")
    parser.add_argument("--access-token", action="append", default=[], help="an access token /tokeninfo accepts")
    parser.add_argument("--token-user", default="bounces", help="the user name /tokeninfo reports")
    parser.add_argument("--client-secret", help="the client secret /token requires (Google)")
    parser.add_argument("--auth-outcome", default="code", choices=["code", "access_denied"])
    parser.add_argument("--lifetime", type=float, default=900)
    args = parser.parse_args()

    Handler.state = State(args)
    serve(Handler, args.lifetime)


if __name__ == "__main__":
    sys.exit(main())
