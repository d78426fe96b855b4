#!/usr/bin/env python3
"""Scriptable aiosmtpd server for Outbox's transport tests (loopback only).

Listens on 127.0.0.1 on an ephemeral port, prints the port on stdout when ready, and
appends one JSON object per line to --log: {"event": "connect", "connection": n},
{"event": "disconnect", "connection": n},
{"event": "auth", ...}, {"event": "message", "connection": n, "mail_from": ...,
"rcpt_tos": [...], "mail_options": [...], "data": base64, "outcome": "accepted" | "dropped" | "stalled" | "replied"}
(each with "at", seconds since the epoch). --drop-in-data closes the connection after the
final "." without replying (the first --drop-count messages only, when given);
--data-reply answers the data of the first --data-reply-count messages with a provider's
deferral (e.g. "421 4.7.28 ... rate limited"); --drop-at-data closes it at DATA, before 354.
With --smtputf8 the EHLO offers SMTPUTF8 (RFC 6531); without it aiosmtpd refuses 8-bit commands.
Passwords and tokens are never logged. Exits after --lifetime seconds at most.
"""
import argparse
import asyncio
import base64
import json
import logging
import signal
import ssl
import sys
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, MISSING


class Recorder:
    def __init__(self, path):
        self.file = open(path, "a", buffering=1, encoding="utf-8")
        self.connections = 0

    def write(self, **event):
        self.file.write(json.dumps(event) + "\n")
        self.file.flush()


class CountingSMTP(SMTP):
    """Numbers each accepted TCP connection and logs it."""

    recorder = None

    def connection_made(self, transport):
        if hasattr(self, "connection_id"):  # called again with the TLS transport after STARTTLS
            return super().connection_made(transport)
        self.recorder.connections += 1
        self.connection_id = self.recorder.connections
        self.recorder.write(event="connect", connection=self.connection_id)
        super().connection_made(transport)

    async def smtp_DATA(self, arg):
        if self.recorder.args.drop_at_data:
            self.recorder.write(event="dropped-at-data", connection=self.connection_id)
            self.transport.abort()
            return
        return await super().smtp_DATA(arg)

    def connection_lost(self, error):
        if hasattr(self, "connection_id") and not getattr(self, "disconnect_logged", False):
            self.disconnect_logged = True
            self.recorder.write(event="disconnect", connection=self.connection_id)
        super().connection_lost(error)


class Handler:
    def __init__(self, args, recorder):
        self.args = args
        self.recorder = recorder
        self.rcpt_replies = dict(item.split("=", 1) for item in args.rcpt_reply)
        self.mail_reply = args.mail_reply
        self.messages = 0
        if args.auth_loop:
            self.auth_XOAUTH2 = self._auth_loop
        elif args.token or args.tokens_from:
            self.auth_XOAUTH2 = self._auth_xoauth2

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        outcome = "accepted"
        self.messages += 1
        if self.args.drop_in_data and (self.args.drop_count == 0 or self.messages <= self.args.drop_count):
            outcome = "dropped"
        elif self.args.data_reply and (self.args.data_reply_count == 0 or self.messages <= self.args.data_reply_count):
            outcome = "replied"
        elif self.args.stall_in_data:
            outcome = "stalled"
        self.recorder.write(
            event="message", connection=server.connection_id, mail_from=envelope.mail_from,
            rcpt_tos=envelope.rcpt_tos, mail_options=envelope.mail_options, data=base64.b64encode(envelope.original_content).decode(),
            outcome=outcome, helo=session.host_name, at=time.time(),
            user=session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None)
        if outcome == "dropped":
            server.transport.abort()
            await asyncio.sleep(3600)  # cancelled by connection_lost
        if outcome == "replied":
            return self.args.data_reply
        if outcome == "stalled":
            await asyncio.sleep(self.args.stall_in_data)
        return "250 2.0.0 Message accepted"

    async def _auth_xoauth2(self, server, args):
        blob = base64.b64decode(args[1]) if len(args) > 1 else await server.challenge_auth("")
        if blob is MISSING:
            return AuthResult(success=False, handled=True)
        fields = dict(part.split("=", 1) for part in blob.decode().split("\x01") if "=" in part)
        ok = fields.get("user") == self.args.user and fields.get("auth", "").startswith("Bearer ") \
            and fields["auth"][len("Bearer "):] in self._accepted_tokens()
        self.recorder.write(event="auth", mechanism="XOAUTH2", user=fields.get("user"), success=ok)
        if ok:
            return AuthResult(success=True, auth_data=LoginPassword(fields["user"].encode(), b""))
        return AuthResult(success=False, handled=False)

    def _accepted_tokens(self):
        """--token, and every access token the OAuth test server logged in --tokens-from (as an authority would accept)."""
        tokens = {self.args.token} if self.args.token else set()
        if self.args.tokens_from:
            with open(self.args.tokens_from, encoding="utf-8") as log:
                for line in log:
                    token = json.loads(line).get("access_token")
                    if token:
                        tokens.add(token)
        return tokens

    async def _auth_loop(self, server, args):
        """Answers 334 to everything, as Microsoft 365 does with Authenticated SMTP off."""
        self.recorder.write(event="auth", mechanism="XOAUTH2", user=None, success=False, loop=True)
        for _ in range(20):
            if await server.challenge_auth("") is MISSING:
                return AuthResult(success=False, handled=True)
        await asyncio.sleep(3600)


def authenticator(args, recorder):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        user = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else None
        recorder.write(event="auth", mechanism=mechanism, user=user, success=ok)
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        # aiosmtpd only answers 535 when the rejection is not marked handled.
        return AuthResult(success=False, handled=False)
    return check


async def serve(args):
    recorder = Recorder(args.log)
    recorder.args = args
    CountingSMTP.recorder = recorder
    handler = Handler(args, recorder)
    context = None
    if args.tls != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    options = dict(hostname="localhost", ident="outbox-test-smtpd", timeout=args.idle_timeout or args.lifetime,
                   enable_SMTPUTF8=args.smtputf8)
    if args.user:
        options.update(authenticator=authenticator(args, recorder), auth_required=args.auth_required,
                       auth_require_tls=(args.tls == "starttls"))
    if args.tls == "starttls":
        options.update(tls_context=context, require_starttls=True)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: CountingSMTP(handler, **options), host="127.0.0.1", port=0,
        ssl=context if args.tls == "implicit" else None)
    print(server.sockets[0].getsockname()[1], flush=True)
    try:
        await asyncio.wait_for(server.serve_forever(), timeout=args.lifetime)
    except (asyncio.TimeoutError, asyncio.CancelledError):
        pass


def main():
    # The test runner may start us with signals blocked (the mask is inherited): unblock so
    # SIGTERM from the test's stop() ends the server at once.
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    warnings.simplefilter("ignore")  # aiosmtpd's own deprecation and AUTH-without-TLS warnings
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--log", required=True, help="JSON Lines file of connections and messages")
    parser.add_argument("--tls", choices=["plain", "starttls", "implicit"], default="plain")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user", help="the one user allowed to AUTH (PLAIN, LOGIN; XOAUTH2 with --token)")
    parser.add_argument("--password", default="")
    parser.add_argument("--token", help="the bearer token XOAUTH2 accepts")
    parser.add_argument("--tokens-from", metavar="LOG", help="XOAUTH2 also accepts the access tokens oauth_server.py logged here")
    parser.add_argument("--auth-required", action="store_true", help="530 to MAIL before AUTH")
    parser.add_argument("--auth-loop", action="store_true", help="XOAUTH2 answers 334 forever")
    parser.add_argument("--rcpt-reply", action="append", default=[], metavar="ADDR=REPLY",
                        help='reply to RCPT TO:<ADDR>, e.g. "x@y=550 5.1.1 No such user"')
    parser.add_argument("--mail-reply", help="reply to every MAIL FROM, e.g. '451 4.3.0 Busy'")
    parser.add_argument("--drop-in-data", action="store_true", help="close the connection instead of answering the data")
    parser.add_argument("--drop-count", type=int, default=0, metavar="N", help="--drop-in-data for the first N messages only")
    parser.add_argument("--drop-at-data", action="store_true", help="close the connection at DATA, before 354")
    parser.add_argument("--data-reply", metavar="REPLY", help='answer the data with REPLY, e.g. "421 4.7.28 Rate limited"')
    parser.add_argument("--data-reply-count", type=int, default=0, metavar="N", help="--data-reply for the first N messages only")
    parser.add_argument("--stall-in-data", type=float, default=0, metavar="SECONDS", help="wait before answering the data")
    parser.add_argument("--idle-timeout", type=float, default=0, metavar="SECONDS", help="close connections idle this long")
    parser.add_argument("--smtputf8", action="store_true", help="offer SMTPUTF8 (RFC 6531) in the EHLO reply")
    parser.add_argument("--lifetime", type=float, default=900, help="exit after this many seconds")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
