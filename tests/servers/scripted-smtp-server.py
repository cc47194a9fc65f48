#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted SMTP submission server on 127.0.0.1 that answers like
Microsoft 365's (smtp.office365.com).

    scripted-smtp-server.py --scenario NAME [--tls starttls|implicit]
                            [--cert PEM --key PEM] [--transcript FILE]
                            [--user U] [--password-env VAR] [--token-env VAR]
                            [--exit-on-stdin-eof]

It binds a free port of 127.0.0.1, prints "READY <port>" and serves every
connection, each in its own thread, until SIGTERM (which ends it at once).
SIGUSR1 makes a scenario that refuses sign-in accept it from then on; the
server confirms with the line "SIGN-IN ACCEPTED". The exit status is 70 if
a connection hit a bug of this script, else 0.

Secrets never travel in argv: --password-env and --token-env name
environment variables. Without --user any user name is accepted; without
--password-env (--token-env) any password (token) is.

--tls starttls (the default) is port 587's way: the greeting in plain text,
STARTTLS among the EHLO extensions, AUTH only after it. --tls implicit is
port 465's: TLS from the first byte. Certificates default to
MAIL_SETUP_TEST_SERVER_CERT and MAIL_SETUP_TEST_SERVER_KEY.

The transcript (--transcript) receives every line the client sends, raw and
with its line end, appended and flushed at once. Lines that arrived without
TLS start with "[plain] ". A test reads it to prove what the check never
sent: no AUTH before STARTTLS, nothing after QUIT, never DATA.

As Microsoft does, the server offers AUTH LOGIN and XOAUTH2, not PLAIN.
MAIL FROM with an address other than --user is refused as Send As only in
send-as-denied; elsewhere any address is taken.

Scenarios (Microsoft's own words, from its documentation and its NDRs):
  ok                        accepts the password and the token; MAIL FROM
                            250 2.1.0 Sender OK, RSET 250 2.0.0 Resetting,
                            QUIT 221 2.0.0 Service closing transmission channel
  auth-disabled-tenant      535 5.7.139 ... SmtpClientAuthentication is
                            disabled for the Tenant ... (password and token)
  auth-disabled-mailbox     the same, "for the Mailbox"
  basic-auth-disabled       535 5.7.139 Authentication unsuccessful, basic
                            authentication is disabled. (a token works)
  basic-auth-not-supported  550 5.7.30 Basic authentication is not supported
                            for Client Submission. (a token works)
  auth-failed               535 5.7.3 Authentication unsuccessful (both)
  token-challenge           a token gets 334 and base64 JSON of the error,
                            then 535 5.7.3 after the client's empty line
  security-defaults         535 5.7.139 ... user is locked by your
                            organization's security defaults policy ...
  send-as-denied            MAIL FROM another address than --user:
                            554 5.2.252 SendAsDenied; ...
  not-authenticated         signs in, then MAIL FROM gets
                            530 5.7.57 Client not authenticated to send mail.
  no-starttls               EHLO without STARTTLS, still offering AUTH LOGIN
  starttls-injection        sends a plain "250 AUTH PLAIN" reply right behind
                            "220 2.0.0 SMTP server ready", in the same write
  unavailable               greets with 421 4.3.2 Service not available,
                            closing transmission channel, and closes
  never-greets              says nothing, keeps the connection open
"""

import argparse
import base64
import binascii
import json
import os
import signal
import socket
import ssl
import sys
import threading

from scripted_server import (ClientGone, ScriptedServer, Transcript, secret_from_environment,
                             start_thread)

LISTEN_ADDRESS = "127.0.0.1"
MAX_LINE = 64 * 1024

HOST = "BN9PR03CA0123.outlook.office365.com"
BACKEND = "[BN9PR03CA0123.namprd03.prod.outlook.com 2026-11-30T18:00:00.000Z 08DE1A2B3C4D5E6F]"
GREETING = ("220 %s Microsoft ESMTP MAIL Service ready at Mon, 30 Nov 2026 18:00:00 +0000 "
            "08DE1A2B3C4D5E6F" % HOST)
EXTENSIONS_BEFORE_TLS = ["SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES",
                         "STARTTLS", "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"]
EXTENSIONS_AFTER_TLS = ["SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES",
                        "AUTH LOGIN XOAUTH2", "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"]
EXTENSIONS_NO_STARTTLS = ["SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES",
                          "AUTH LOGIN XOAUTH2", "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"]

AUTH_OK = "235 2.7.0 Authentication successful"
AUTH_FAILED = "535 5.7.3 Authentication unsuccessful " + BACKEND
AUTH_DISABLED = ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled "
                 "for the %s. Visit https://aka.ms/smtp_auth_disabled for more information. "
                 + BACKEND)
BASIC_AUTH_DISABLED = ("535 5.7.139 Authentication unsuccessful, basic authentication is "
                       "disabled. " + BACKEND)
BASIC_AUTH_NOT_SUPPORTED = "550 5.7.30 Basic authentication is not supported for Client Submission."
SECURITY_DEFAULTS = ("535 5.7.139 Authentication unsuccessful, user is locked by your "
                     "organization's security defaults policy. Contact your administrator. "
                     + BACKEND)
SEND_AS_DENIED = ("554 5.2.252 SendAsDenied; {user} not allowed to send as {sender}; "
                  "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; "
                  "Failed to process message due to a permanent exception with message "
                  "[BeginDiagnosticData]Cannot submit message.")
NOT_AUTHENTICATED = "530 5.7.57 Client not authenticated to send mail. " + BACKEND
UNAVAILABLE = "421 4.3.2 Service not available, closing transmission channel"
TOKEN_CHALLENGE = base64.b64encode(json.dumps(
    {"status": "401", "schemes": "bearer",
     "scope": "https://outlook.office.com/SMTP.Send"}).encode()).decode()


class Scenario:
    """Refusals are reply lines; None means sign-in goes on to the
    credential check."""

    def __init__(self, refuse_password=None, refuse_token=None, refuse_sender=None,
                 offers_starttls=True, token_challenge=False):
        self.refuse_password = refuse_password
        self.refuse_token = refuse_token
        self.refuse_sender = refuse_sender
        self.offers_starttls = offers_starttls
        self.token_challenge = token_challenge


SCENARIOS = {
    "ok": Scenario(),
    "auth-disabled-tenant": Scenario(refuse_password=AUTH_DISABLED % "Tenant",
                                     refuse_token=AUTH_DISABLED % "Tenant"),
    "auth-disabled-mailbox": Scenario(refuse_password=AUTH_DISABLED % "Mailbox",
                                      refuse_token=AUTH_DISABLED % "Mailbox"),
    "basic-auth-disabled": Scenario(refuse_password=BASIC_AUTH_DISABLED),
    "basic-auth-not-supported": Scenario(refuse_password=BASIC_AUTH_NOT_SUPPORTED),
    "auth-failed": Scenario(refuse_password=AUTH_FAILED, refuse_token=AUTH_FAILED),
    "token-challenge": Scenario(token_challenge=True),
    "security-defaults": Scenario(refuse_password=SECURITY_DEFAULTS),
    "send-as-denied": Scenario(refuse_sender=SEND_AS_DENIED),
    "not-authenticated": Scenario(refuse_sender=NOT_AUTHENTICATED),
    "no-starttls": Scenario(offers_starttls=False),
    "starttls-injection": Scenario(),
    "unavailable": Scenario(),
    "never-greets": Scenario(),
}


class Connection:
    def __init__(self, sock, context, transcript):
        self.raw = sock
        self.sock = sock
        self.context = context
        self.transcript = transcript
        self.pending = b""
        self.buffer = b""
        self.tls = False

    def record(self, data):
        self.pending += data
        while True:
            end = self.pending.find(b"\n")
            if end < 0:
                break
            line, self.pending = self.pending[:end + 1], self.pending[end + 1:]
            self.transcript.record(line, not self.tls)

    def flush(self):
        if self.pending:
            self.transcript.record(self.pending, not self.tls)
            self.pending = b""

    def start_tls(self):
        # Plain bytes the client sent behind STARTTLS are recorded but must
        # never be taken as commands.
        self.flush()
        self.buffer = b""
        self.sock = self.context.wrap_socket(self.raw, server_side=True)
        self.tls = True

    def read_line(self):
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line, self.buffer = self.buffer[:end], self.buffer[end + 1:]
                return line[:-1] if line.endswith(b"\r") else line
            if len(self.buffer) > MAX_LINE:
                raise ClientGone()
            data = self.sock.recv(65536)
            if not data:
                raise ClientGone()
            self.record(data)
            self.buffer += data

    def drain(self):
        while True:
            data = self.sock.recv(65536)
            if not data:
                raise ClientGone()
            self.record(data)

    def send_lines(self, *lines):
        self.sock.sendall(b"".join(line.encode() + b"\r\n" for line in lines))

    def close(self):
        self.flush()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.raw.close()


class Session:
    def __init__(self, server, sock):
        self.server = server
        self.options = server.options
        self.scenario = server.scenario
        self.connection = Connection(sock, server.context, server.transcript)
        self.greeted = False
        self.authenticated = False
        self.user = None

    def before_tls(self):
        return self.server.tls == "starttls" and not self.connection.tls

    def extensions(self):
        if not self.scenario.offers_starttls:
            return EXTENSIONS_NO_STARTTLS
        if self.before_tls():
            return EXTENSIONS_BEFORE_TLS
        return EXTENSIONS_AFTER_TLS

    def reply(self, code, lines):
        """A reply of several lines: "250-..." up to "250 ..."."""
        self.connection.send_lines(*("%s-%s" % (code, line) for line in lines[:-1]),
                                   "%s %s" % (code, lines[-1]))

    # Sign-in

    def refusal(self, oauth):
        if self.server.accept_sign_in.is_set():
            return None
        return self.scenario.refuse_token if oauth else self.scenario.refuse_password

    def check_credentials(self, user, secret, oauth):
        refusal = self.refusal(oauth)
        if refusal is not None:
            self.connection.send_lines(refusal)
            return
        expected = self.options.token if oauth else self.options.password
        if ((expected is not None and secret != expected)
                or (self.options.user is not None and user != self.options.user)):
            self.connection.send_lines(AUTH_FAILED)
            return
        self.authenticated = True
        self.user = user
        self.connection.send_lines(AUTH_OK)

    def read_base64_line(self):
        line = self.connection.read_line()
        if line == b"*":
            self.connection.send_lines("501 5.0.0 Authentication cancelled")
            return None
        try:
            return base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError):
            self.connection.send_lines("501 5.5.2 Cannot Decode response")
            return None

    def auth_login(self, arguments):
        if len(arguments) > 1:
            self.connection.send_lines("501 5.5.4 Invalid arguments")
            return
        self.connection.send_lines("334 VXNlcm5hbWU6")
        user = self.read_base64_line()
        if user is None:
            return
        self.connection.send_lines("334 UGFzc3dvcmQ6")
        password = self.read_base64_line()
        if password is None:
            return
        self.check_credentials(user.decode(errors="replace"), password, oauth=False)

    def auth_xoauth2(self, arguments):
        if len(arguments) == 2:
            try:
                decoded = base64.b64decode(arguments[1], validate=True)
            except (binascii.Error, ValueError):
                self.connection.send_lines("501 5.5.2 Cannot Decode response")
                return
        else:
            self.connection.send_lines("334 ")
            decoded = self.read_base64_line()
            if decoded is None:
                return
        user = token = None
        for part in decoded.split(b"\x01"):
            if part.startswith(b"user="):
                user = part[len(b"user="):].decode(errors="replace")
            elif part.startswith(b"auth=Bearer "):
                token = part[len(b"auth=Bearer "):]
        if user is None or token is None:
            self.connection.send_lines(AUTH_FAILED)
            return
        if self.scenario.token_challenge and not self.server.accept_sign_in.is_set():
            self.connection.send_lines("334 " + TOKEN_CHALLENGE)
            self.connection.read_line()
            self.connection.send_lines(AUTH_FAILED)
            return
        self.check_credentials(user, token, oauth=True)

    def auth(self, arguments):
        if not self.greeted:
            self.connection.send_lines("503 5.5.2 Send hello first")
        elif self.before_tls() and self.scenario.offers_starttls:
            self.connection.send_lines("504 5.7.4 Unrecognized authentication type")
        elif self.authenticated:
            self.connection.send_lines("503 5.5.2 Already authenticated")
        elif not arguments:
            self.connection.send_lines("501 5.5.4 Invalid arguments")
        elif arguments[0].upper() == b"LOGIN":
            self.auth_login(arguments)
        elif arguments[0].upper() == b"XOAUTH2":
            self.auth_xoauth2(arguments)
        else:
            self.connection.send_lines("504 5.7.4 Unrecognized authentication type")

    # The envelope

    def mail_from(self, line):
        if self.before_tls() and self.scenario.offers_starttls:
            self.connection.send_lines("451 5.7.3 STARTTLS is required to send mail " + BACKEND)
            return
        if not self.authenticated:
            self.connection.send_lines(NOT_AUTHENTICATED)
            return
        text = line.decode(errors="replace")
        sender = text[text.find("<") + 1:text.find(">")] if "<" in text else ""
        refusal = self.scenario.refuse_sender
        if refusal is SEND_AS_DENIED and sender.lower() == (self.user or "").lower():
            refusal = None
        if refusal is not None:
            self.connection.send_lines(refusal.format(user=self.user, sender=sender))
            return
        self.connection.send_lines("250 2.1.0 Sender OK")

    # The conversation

    def run(self):
        connection = self.connection
        if self.server.tls == "implicit":
            connection.start_tls()
        name = self.server.name
        if name == "never-greets":
            connection.drain()
        if name == "unavailable":
            connection.send_lines(UNAVAILABLE)
            raise ClientGone()
        connection.send_lines(GREETING)
        while True:
            line = connection.read_line()
            words = line.split()
            verb = words[0].decode(errors="replace").upper() if words else ""
            if verb in ("EHLO", "HELO"):
                self.greeted = True
                if verb == "HELO":
                    connection.send_lines("250 %s Hello [127.0.0.1]" % HOST)
                else:
                    self.reply(250, ["%s Hello [127.0.0.1]" % HOST] + self.extensions())
            elif verb == "STARTTLS":
                if not self.before_tls() or not self.scenario.offers_starttls:
                    connection.send_lines("500 5.3.3 Unrecognized command")
                else:
                    if name == "starttls-injection":
                        connection.send_lines("220 2.0.0 SMTP server ready",
                                              "250-injected", "250 AUTH PLAIN")
                    else:
                        connection.send_lines("220 2.0.0 SMTP server ready")
                    connection.start_tls()
                    self.greeted = False
            elif verb == "AUTH":
                self.auth(words[1:])
            elif verb == "MAIL":
                self.mail_from(line)
            elif verb == "RCPT":
                connection.send_lines("250 2.1.5 Recipient OK")
            elif verb in ("DATA", "BDAT"):
                connection.send_lines("503 5.5.1 Bad sequence of commands")
            elif verb == "RSET":
                connection.send_lines("250 2.0.0 Resetting")
            elif verb == "NOOP":
                connection.send_lines("250 2.0.0 OK")
            elif verb == "QUIT":
                connection.send_lines("221 2.0.0 Service closing transmission channel")
                # Anything after QUIT still reaches the transcript.
                connection.drain()
            else:
                connection.send_lines("500 5.3.3 Unrecognized command")


class Server(ScriptedServer):
    session_class = Session

    def __init__(self, options):
        super().__init__()
        self.options = options
        self.name = options.scenario
        self.scenario = SCENARIOS[options.scenario]
        self.tls = options.tls
        self.transcript = Transcript(options.transcript)
        self.accept_sign_in = threading.Event()
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(options.cert, options.key)

def main():
    parser = argparse.ArgumentParser(description="Scripted SMTP server for tests.")
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--tls", choices=("starttls", "implicit"), default="starttls")
    parser.add_argument("--cert", default=os.environ.get("MAIL_SETUP_TEST_SERVER_CERT"))
    parser.add_argument("--key", default=os.environ.get("MAIL_SETUP_TEST_SERVER_KEY"))
    parser.add_argument("--transcript")
    parser.add_argument("--user")
    parser.add_argument("--password-env")
    parser.add_argument("--token-env")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin closes (when the test that started it is gone)")
    options = parser.parse_args()
    options.password = secret_from_environment(parser, options.password_env)
    options.token = secret_from_environment(parser, options.token_env)
    if not (options.cert and options.key):
        parser.error("no certificate: give --cert and --key or set "
                     "MAIL_SETUP_TEST_SERVER_CERT and MAIL_SETUP_TEST_SERVER_KEY")

    server = Server(options)

    def accept_sign_in(signum, frame):
        server.accept_sign_in.set()
        os.write(sys.stdout.fileno(), b"SIGN-IN ACCEPTED\n")

    signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(server.exit_status()))
    signal.signal(signal.SIGUSR1, accept_sign_in)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((LISTEN_ADDRESS, 0))
    listener.listen(16)
    if options.exit_on_stdin_eof:
        start_thread(server.watch_stdin)
    os.write(sys.stdout.fileno(), b"READY %d\n" % listener.getsockname()[1])

    while True:
        sock, _ = listener.accept()
        start_thread(server.serve_connection, sock)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
