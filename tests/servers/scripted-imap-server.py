#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted IMAP server on 127.0.0.1 that answers like Microsoft's (or worse).

    scripted-imap-server.py --scenario NAME [--tls implicit|starttls|none]
                            [--cert PEM --key PEM] [--transcript FILE]
                            [--user U] [--password-env VAR] [--token-env VAR]
                            [--other-user U2] [--drop-capability CAP]...
                            [--max-tls 1.0|1.1] [--exit-on-stdin-eof]

It binds a free port of 127.0.0.1, prints "READY <port>" and serves every
connection, each in its own thread, until SIGTERM (which ends it at once).
SIGUSR1 makes a scenario that refuses sign-in accept it from then on (the
"This was me" fix); the server confirms with the line "SIGN-IN ACCEPTED".
The exit status is 70 if a connection hit a bug of this script, else 0.

Secrets never travel in argv: --password-env and --token-env name environment
variables. Without --user any user name is accepted; without --password-env
(--token-env) any password (token) is.

--drop-capability leaves a capability out of the CAPABILITY answer, e.g.
AUTH=PLAIN to make the client sign in with LOGIN, LITERAL+ to make it wait
for a continuation before each literal.

--max-tls makes the server speak nothing newer than TLS 1.1 (or 1.0), as an
outdated server does. Every TLS mode accepts the weak certificates that the
tests give it (SHA-1 signatures, 768-bit RSA keys): OpenSSL's security level
is 0, as on a server nobody has updated.

The transcript (--transcript) receives every line the client sends, raw and
with its line end, appended and flushed at once. Lines that arrived without
TLS (before STARTTLS, or with --tls none) start with "[plain] ". Literal
data is recorded as it arrives, so a password sent as a literal is a line of
its own.

The default TLS mode is "implicit", except for plain-on-tls and the servers
of other protocols ("none"), and no-starttls and starttls-injection
("starttls"). Certificates default to
MAIL_SETUP_TEST_SERVER_CERT and MAIL_SETUP_TEST_SERVER_KEY.

Scenarios:
  ms-ok                  Microsoft Exchange; accepts the configured user
  ms-login-failed        NO LOGIN failed. / NO AUTHENTICATE failed.
  ms-basic-auth-blocked  NO [AUTHENTICATIONFAILED] AuthFailed:LogonDenied-BasicAuthBlocked
                         for passwords; XOAUTH2 works as in ms-ok
  ms-basic-auth-disabled NO Basic authentication is disabled. (XOAUTH2 works)
  ms-account-blocked     NO LOGIN failed. Account is blocked. ...
  ms-not-connected       signs in, then the next command gets
                         BAD User is authenticated but not connected. + BYE
  ms-xoauth2             XOAUTH2 only; --other-user signs in with a good token
                         but is not connected; passwords get NO ... failed.
  never-greets           says nothing, keeps the connection open
  plain-on-tls           greets in plain text (meant for a TLS port)
  no-starttls            STARTTLS mode without STARTTLS, still offering LOGIN
  generic-auth-failed    a Dovecot-like server: NO [AUTHENTICATIONFAILED] ...
  greet-then-close       greets, then closes
  close-during-handshake reads the TLS ClientHello, then closes
  long-line              greets with 8 MiB and no line end
  huge-literal           answers CAPABILITY with * CAPABILITY {4294967295}
  bad-utf8               answers sign-in with invalid UTF-8 and control bytes
  bye-during-sign-in     answers sign-in with * BYE going away, then closes
  drip                   sends the greeting one byte a second
  tls-on-plain           ms-ok in implicit TLS (meant for a plain port)
  starttls-injection     sends a plain "* OK [CAPABILITY ...] injected" line
                         right behind "OK Begin TLS", in the same write
  protocol-version-alert answers the ClientHello with a fatal protocol_version
                         alert, as a server that speaks only SSL 3.0 does

Servers of other protocols, as people mistake them for an IMAP server; each
greets as the real one does, answers whatever arrives as it would, and never
speaks IMAP:
  smtp                   Microsoft 365's sending server (smtp.office365.com)
  pop3                   Dovecot's POP3 server
  ssh                    OpenSSH; closes on anything that is not SSH
  ftp                    vsftpd
  http                   nginx: says nothing until a request comes, then
                         answers 400 Bad Request to anything that is not HTTP
                         and closes
"""

import argparse
import base64
import binascii
import os
import re
import signal
import socket
import ssl
import sys
import threading
import time
import warnings

from scripted_server import (ClientGone, ScriptedServer, Transcript, secret_from_environment,
                             start_thread)

LISTEN_ADDRESS = "127.0.0.1"
MAX_LINE = 1024 * 1024
MAX_LITERAL = 1024 * 1024
BYE = b"* BYE going away"
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    MAX_TLS_VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1}


class Personality:
    def __init__(self, **texts):
        self.__dict__.update(texts)


def exchange_greeting():
    # Exchange names its back-end host in base64 of UTF-16LE text.
    host = "PR3P191CA0012.EURP191.PROD.OUTLOOK.COM".encode("utf-16-le")
    return "* OK The Microsoft Exchange IMAP4 service is ready. [%s]" % (
        base64.b64encode(host).decode())


MICROSOFT = Personality(
    greeting=exchange_greeting(),
    capabilities="IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT "
                 "CHILDREN IDLE NAMESPACE LITERAL+",
    pre_tls_capabilities="IMAP4 IMAP4rev1 LOGINDISABLED STARTTLS SASL-IR UIDPLUS ID "
                         "UNSELECT CHILDREN IDLE NAMESPACE LITERAL+",
    mechanisms=("PLAIN", "XOAUTH2"),
    continuation="+ Ready for additional command text.",
    completed="OK {command} completed.",
    signed_in="OK {command} completed.",
    wrong_credentials="NO {command} failed.",
    bye="* BYE Microsoft Exchange Server IMAP4 server signing off.",
    logout="OK LOGOUT completed.",
    begin_tls="OK Begin TLS negotiation now.",
    unknown="BAD Command Error. 10",
    syntax="BAD Command Argument Error. 11",
    invalid_state="BAD Command received in Invalid state.",
    no_folder="NO [TRYCREATE] Folder not found.",
    cancelled="BAD Command Argument Error. 11",
)

GENERIC = Personality(
    greeting="* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
             "LITERAL+ AUTH=PLAIN] Dovecot ready.",
    capabilities="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN",
    pre_tls_capabilities="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
                         "STARTTLS LOGINDISABLED",
    mechanisms=("PLAIN",),
    continuation="+ OK",
    completed="OK {command} completed",
    signed_in="OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
              "LITERAL+ NAMESPACE UNSELECT CHILDREN] Logged in",
    wrong_credentials="NO [AUTHENTICATIONFAILED] Authentication failed.",
    bye="* BYE Logging out",
    logout="OK Logout completed.",
    begin_tls="OK Begin TLS negotiation now.",
    unknown="BAD Error in IMAP command: Unknown command.",
    syntax="BAD Error in IMAP command: Invalid arguments.",
    invalid_state="BAD Error in IMAP command: Not allowed in this state.",
    no_folder="NO [NONEXISTENT] Mailbox doesn't exist.",
    cancelled="BAD Authentication aborted by client.",
)


class OtherServer:
    """A server of another protocol: its greeting (None for one that waits
    for a request), its answer to whatever arrives, and whether it closes
    after answering."""

    def __init__(self, greeting, answer, closes=False):
        self.greeting = greeting
        self.answer = answer
        self.closes = closes


OTHER_SERVERS = {
    "smtp": OtherServer(
        b"220 BN9PR03CA0123.outlook.office365.com Microsoft ESMTP MAIL Service ready at "
        b"Mon, 30 Nov 2026 18:00:00 +0000\r\n",
        b"500 5.3.3 Unrecognized command\r\n"),
    "pop3": OtherServer(b"+OK Dovecot (Debian) ready.\r\n", b"-ERR Unknown command.\r\n"),
    "ssh": OtherServer(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
                       b"Invalid SSH identification string.\r\n", closes=True),
    "ftp": OtherServer(b"220 (vsFTPd 3.0.3)\r\n", b"500 Unknown command.\r\n"),
    "http": OtherServer(None,
                        b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n"
                        b"Content-Type: text/html\r\nContent-Length: 0\r\n"
                        b"Connection: close\r\n\r\n", closes=True),
}

# A fatal protocol_version alert in an SSL 3.0 record.
PROTOCOL_VERSION_ALERT = bytes((0x15, 0x03, 0x00, 0x00, 0x02, 0x02, 0x46))


class Scenario:
    """What a scenario changes. Refusals are answers (bytes, with {command}
    standing for LOGIN or AUTHENTICATE) or BYE; None means sign-in goes on
    to the credential check."""

    def __init__(self, personality=MICROSOFT, tls="implicit", refuse_password=None,
                 refuse_oauth=None, not_connected=False, offers_starttls=True, other=None):
        self.personality = personality
        self.tls = tls
        self.refuse_password = refuse_password
        self.refuse_oauth = refuse_oauth
        self.not_connected = not_connected
        self.offers_starttls = offers_starttls
        self.other = other


GENERIC_FAILURE = b"NO {command} failed."
SCENARIOS = {
    "ms-ok": Scenario(),
    "ms-login-failed": Scenario(refuse_password=GENERIC_FAILURE, refuse_oauth=GENERIC_FAILURE),
    "ms-basic-auth-blocked": Scenario(
        refuse_password=b"NO [AUTHENTICATIONFAILED] AuthFailed:LogonDenied-BasicAuthBlocked"),
    "ms-basic-auth-disabled": Scenario(refuse_password=b"NO Basic authentication is disabled."),
    "ms-account-blocked": Scenario(
        refuse_password=b"NO LOGIN failed. Account is blocked. Login to your account via a "
                        b"web browser to verify your identity.",
        refuse_oauth=b"NO LOGIN failed. Account is blocked. Login to your account via a "
                     b"web browser to verify your identity."),
    "ms-not-connected": Scenario(not_connected=True),
    "ms-xoauth2": Scenario(refuse_password=GENERIC_FAILURE),
    "never-greets": Scenario(),
    "plain-on-tls": Scenario(tls="none"),
    "no-starttls": Scenario(tls="starttls", offers_starttls=False),
    "generic-auth-failed": Scenario(personality=GENERIC,
                                    refuse_password=GENERIC.wrong_credentials.encode(),
                                    refuse_oauth=GENERIC.wrong_credentials.encode()),
    "greet-then-close": Scenario(),
    "close-during-handshake": Scenario(),
    "long-line": Scenario(),
    "huge-literal": Scenario(),
    "bad-utf8": Scenario(refuse_password=b"NO \xff\xfe\x1b[31mBad\x07 \xc3\x28 login",
                         refuse_oauth=b"NO \xff\xfe\x1b[31mBad\x07 \xc3\x28 login"),
    "bye-during-sign-in": Scenario(refuse_password=BYE, refuse_oauth=BYE),
    "drip": Scenario(),
    "tls-on-plain": Scenario(),
    "starttls-injection": Scenario(tls="starttls"),
    "protocol-version-alert": Scenario(),
    **{name: Scenario(tls="none", other=other) for name, other in OTHER_SERVERS.items()},
}


class BadCommand(Exception):
    """A command this server cannot parse."""


class Recorder:
    """Splits what one connection receives into lines for the transcript."""

    def __init__(self, transcript):
        self.transcript = transcript
        self.pending = b""
        self.plain = True

    def feed(self, data):
        self.pending += data
        while True:
            end = self.pending.find(b"\n")
            if end < 0:
                break
            line, self.pending = self.pending[:end + 1], self.pending[end + 1:]
            self.transcript.record(line, self.plain)

    def flush(self):
        if self.pending:
            self.transcript.record(self.pending, self.plain)
            self.pending = b""


class Connection:
    def __init__(self, sock, context, transcript):
        self.raw = sock
        self.sock = sock
        self.context = context
        self.recorder = Recorder(transcript)
        self.buffer = b""
        self.tls = False

    def start_tls(self):
        # Plain bytes the client sent behind STARTTLS are recorded but must
        # never be taken as commands.
        self.recorder.flush()
        self.buffer = b""
        self.sock = self.context.wrap_socket(self.raw, server_side=True)
        self.tls = True
        self.recorder.plain = False

    def receive(self):
        data = self.sock.recv(65536)
        if not data:
            raise ClientGone()
        self.recorder.feed(data)
        return data

    def read_line(self):
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line, self.buffer = self.buffer[:end], self.buffer[end + 1:]
                return line[:-1] if line.endswith(b"\r") else line
            if len(self.buffer) > MAX_LINE:
                raise ClientGone()
            self.buffer += self.receive()

    def read_exact(self, size):
        while len(self.buffer) < size:
            self.buffer += self.receive()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def drain(self):
        """Records whatever the client still sends, until it goes."""
        while True:
            self.receive()

    def send(self, data):
        self.sock.sendall(data)

    def send_lines(self, *lines):
        self.send(b"".join((line.encode() if isinstance(line, str) else line) + b"\r\n"
                           for line in lines))

    def close(self):
        self.recorder.flush()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.raw.close()


LITERAL = re.compile(rb"\{([0-9]+)(\+?)\}")


class Session:
    def __init__(self, server, sock):
        self.server = server
        self.scenario = server.scenario
        self.personality = server.scenario.personality
        self.connection = Connection(sock, server.context, server.transcript)
        self.authenticated = False
        self.not_connected = False

    # Parsing

    def read_command(self):
        """The tokens of one command (quoted strings and literals unquoted),
        reading literals as the client sends them."""
        tokens = []
        line = self.connection.read_line()
        while True:
            literal = self.tokenize(line, tokens)
            if literal is None:
                return tokens
            size, synchronizing = literal
            if size > MAX_LITERAL:
                raise ClientGone()
            if synchronizing:
                self.connection.send_lines(self.personality.continuation)
            tokens.append(self.connection.read_exact(size))
            line = self.connection.read_line()

    @staticmethod
    def tokenize(line, tokens):
        position = 0
        while position < len(line):
            char = line[position:position + 1]
            if char in (b" ", b"(", b")"):
                position += 1
            elif char == b'"':
                value = bytearray()
                position += 1
                while True:
                    if position >= len(line):
                        raise BadCommand()
                    byte = line[position]
                    position += 1
                    if byte == 0x22:
                        break
                    if byte == 0x5C:
                        if position >= len(line):
                            raise BadCommand()
                        byte = line[position]
                        position += 1
                    value.append(byte)
                tokens.append(bytes(value))
            elif char == b"{":
                match = LITERAL.fullmatch(line, position)
                if match is None:
                    raise BadCommand()
                return int(match.group(1)), match.group(2) != b"+"
            else:
                end = position
                while end < len(line) and line[end:end + 1] not in (b" ", b"(", b")"):
                    end += 1
                tokens.append(line[position:end])
                position = end
        return None

    # Answers

    def tagged(self, tag, text, **fields):
        if isinstance(text, str):
            text = text.format(**fields).encode()
        else:
            for name, value in fields.items():
                text = text.replace(b"{%s}" % name.encode(), value.encode())
        self.connection.send_lines(tag + b" " + text)

    def capabilities(self):
        if (self.server.tls == "starttls" and not self.connection.tls
                and self.scenario.offers_starttls):
            capabilities = self.personality.pre_tls_capabilities
        else:
            capabilities = self.personality.capabilities
        dropped = {name.upper() for name in self.server.options.drop_capability}
        return " ".join(name for name in capabilities.split() if name.upper() not in dropped)

    def before_tls(self):
        """Sign-in waits for STARTTLS where the server offers it."""
        return (self.server.tls == "starttls" and self.scenario.offers_starttls
                and not self.connection.tls)

    # Sign-in

    def refusal(self, oauth):
        if self.server.accept_sign_in.is_set():
            return None
        return self.scenario.refuse_oauth if oauth else self.scenario.refuse_password

    def sign_in(self, tag, command, user, secret, oauth):
        refusal = self.refusal(oauth)
        if refusal is BYE:
            self.connection.send_lines(BYE)
            raise ClientGone()
        if refusal is not None:
            self.tagged(tag, refusal, command=command)
            return
        options = self.server.options
        expected = options.token if oauth else options.password
        secret_ok = expected is None or secret == expected
        if oauth and options.other_user is not None and user == options.other_user and secret_ok:
            self.not_connected = True
        elif not secret_ok or (options.user is not None and user != options.user):
            self.tagged(tag, self.personality.wrong_credentials, command=command)
            return
        if self.scenario.not_connected:
            self.not_connected = True
        self.authenticated = True
        self.tagged(tag, self.personality.signed_in, command=command)

    def login(self, tag, arguments):
        if len(arguments) != 2:
            self.tagged(tag, self.personality.syntax)
            return
        user, password = arguments
        self.sign_in(tag, "LOGIN", user.decode(errors="replace"), password, oauth=False)

    def authenticate(self, tag, arguments):
        if not arguments or len(arguments) > 2:
            self.tagged(tag, self.personality.syntax)
            return
        mechanism = arguments[0].decode(errors="replace").upper()
        if mechanism not in self.personality.mechanisms:
            self.tagged(tag, self.personality.wrong_credentials, command="AUTHENTICATE")
            return
        if len(arguments) == 2:
            response = arguments[1]
        else:
            self.connection.send_lines("+ ")
            response = self.connection.read_line().strip()
            if response == b"*":
                self.tagged(tag, self.personality.cancelled)
                return
        try:
            decoded = b"" if response == b"=" else base64.b64decode(response, validate=True)
        except (binascii.Error, ValueError):
            self.tagged(tag, self.personality.wrong_credentials, command="AUTHENTICATE")
            return
        if mechanism == "PLAIN":
            parts = decoded.split(b"\0")
            if len(parts) != 3:
                self.tagged(tag, self.personality.wrong_credentials, command="AUTHENTICATE")
                return
            self.sign_in(tag, "AUTHENTICATE", parts[1].decode(errors="replace"), parts[2],
                         oauth=False)
            return
        user = token = None
        for part in decoded.split(b"\x01"):
            if part.startswith(b"user="):
                user = part[len(b"user="):].decode(errors="replace")
            elif part.startswith(b"auth=Bearer "):
                token = part[len(b"auth=Bearer "):]
        if user is None or token is None:
            self.tagged(tag, self.personality.wrong_credentials, command="AUTHENTICATE")
            return
        self.sign_in(tag, "AUTHENTICATE", user, token, oauth=True)

    # Commands after sign-in

    def list_mailboxes(self, tag, arguments):
        if len(arguments) != 2:
            self.tagged(tag, self.personality.syntax)
            return
        pattern = arguments[1].decode(errors="replace")
        if pattern == "":
            self.connection.send_lines('* LIST (\\Noselect \\HasChildren) "/" ""')
        elif pattern.upper() in ("*", "%", "INBOX", "INBOX*", "INBOX%"):
            self.connection.send_lines('* LIST (\\Marked \\HasNoChildren) "/" INBOX')
        self.tagged(tag, self.personality.completed, command="LIST")

    def open_mailbox(self, tag, command, arguments):
        if len(arguments) != 1:
            self.tagged(tag, self.personality.syntax)
            return
        if arguments[0].upper() != b"INBOX":
            self.tagged(tag, self.personality.no_folder)
            return
        flags = "\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent"
        access = "READ-WRITE" if command == "SELECT" else "READ-ONLY"
        self.connection.send_lines(
            "* 0 EXISTS",
            "* 0 RECENT",
            "* FLAGS (%s)" % flags,
            "* OK [PERMANENTFLAGS (%s)] Permanent flags" % flags,
            "* OK [UIDVALIDITY 14] UIDVALIDITY value",
            "* OK [UIDNEXT 1] The next unique identifier value",
            (tag + b" OK [%s] %s completed." % (access.encode(), command.encode())))

    # The conversation

    def greet(self):
        scenario = self.server.name
        if scenario == "plain-on-tls":
            self.connection.send_lines("* OK IMAP4rev1 ready")
            self.connection.drain()
        if scenario == "never-greets":
            self.connection.drain()
        if scenario == "long-line":
            self.send_long_line()
            self.connection.drain()
        if scenario == "drip":
            for byte in (self.personality.greeting + "\r\n").encode():
                self.connection.send(bytes((byte,)))
                time.sleep(1)
            return
        self.connection.send_lines(self.personality.greeting)
        if scenario == "greet-then-close":
            raise ClientGone()

    def send_long_line(self):
        remaining = 8 * 1024 * 1024
        chunk = b"* OK " + b"x" * (64 * 1024 - 5)
        while remaining > 0:
            self.connection.send(chunk[:remaining])
            remaining -= len(chunk[:remaining])
            chunk = b"x" * (64 * 1024)

    def read_client_hello(self):
        header = self.connection.read_exact(5)
        if header[0] == 0x16:
            self.connection.read_exact(int.from_bytes(header[3:5], "big"))

    def serve_other(self, other):
        """Never a word of IMAP: the greeting, then an answer to whatever
        arrives, until the client goes."""
        if other.greeting is not None:
            self.connection.send(other.greeting)
        while True:
            self.connection.receive()
            self.connection.send(other.answer)
            if other.closes:
                return

    def run(self):
        connection = self.connection
        if self.server.name == "close-during-handshake":
            self.read_client_hello()
            return
        if self.server.name == "protocol-version-alert":
            self.read_client_hello()
            connection.send(PROTOCOL_VERSION_ALERT)
            connection.drain()
        if self.server.tls == "implicit":
            connection.start_tls()
        if self.scenario.other is not None:
            self.serve_other(self.scenario.other)
            return
        self.greet()
        while True:
            try:
                tokens = self.read_command()
            except BadCommand:
                connection.send_lines("* " + self.personality.syntax)
                continue
            if len(tokens) < 2:
                connection.send_lines("* " + self.personality.syntax)
                continue
            if self.not_connected and self.authenticated:
                connection.send_lines(tokens[0] + b" BAD User is authenticated but not connected.",
                                      "* BYE Connection closed. 14")
                return
            self.execute(tokens[0], tokens[1].decode(errors="replace").upper(), tokens[2:])

    def execute(self, tag, command, arguments):
        personality = self.personality
        if command == "CAPABILITY":
            if self.server.name == "huge-literal":
                self.connection.send_lines("* CAPABILITY {4294967295}")
                return
            self.connection.send_lines("* CAPABILITY " + self.capabilities())
            self.tagged(tag, personality.completed, command=command)
        elif command == "NOOP":
            self.tagged(tag, personality.completed, command=command)
        elif command == "ID":
            self.connection.send_lines("* ID NIL")
            self.tagged(tag, personality.completed, command=command)
        elif command == "LOGOUT":
            self.connection.send_lines(personality.bye)
            self.tagged(tag, personality.logout)
            raise ClientGone()
        elif command == "STARTTLS":
            self.starttls(tag)
        elif command in ("LOGIN", "AUTHENTICATE"):
            if self.authenticated or self.before_tls():
                self.tagged(tag, personality.invalid_state)
            elif command == "LOGIN":
                self.login(tag, arguments)
            else:
                self.authenticate(tag, arguments)
        elif command in ("LIST", "SELECT", "EXAMINE", "NAMESPACE", "UNSELECT", "CLOSE"):
            if not self.authenticated:
                self.tagged(tag, personality.invalid_state)
            elif command == "LIST":
                self.list_mailboxes(tag, arguments)
            elif command in ("SELECT", "EXAMINE"):
                self.open_mailbox(tag, command, arguments)
            else:
                if command == "NAMESPACE":
                    self.connection.send_lines('* NAMESPACE (("" "/")) NIL NIL')
                self.tagged(tag, personality.completed, command=command)
        else:
            self.tagged(tag, personality.unknown)

    def starttls(self, tag):
        if not self.before_tls():
            self.tagged(tag, self.personality.unknown)
            return
        answer = tag + b" " + self.personality.begin_tls.encode() + b"\r\n"
        if self.server.name == "starttls-injection":
            answer += b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n"
        self.connection.send(answer)
        self.connection.start_tls()


class Server(ScriptedServer):
    session_class = Session

    def __init__(self, options):
        super().__init__()
        self.options = options
        self.name = options.scenario
        self.scenario = SCENARIOS[options.scenario]
        self.tls = options.tls or self.scenario.tls
        self.transcript = Transcript(options.transcript)
        self.accept_sign_in = threading.Event()
        self.context = None
        if self.tls != "none":
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.minimum_version = ssl.TLSVersion.TLSv1_2
            if options.max_tls is not None:
                # Python warns that these versions are deprecated; that is the point.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    self.context.minimum_version = ssl.TLSVersion.TLSv1
                    self.context.maximum_version = MAX_TLS_VERSIONS[options.max_tls]
            self.context.set_ciphers("DEFAULT:@SECLEVEL=0")
            self.context.load_cert_chain(options.cert, options.key)

def main():
    parser = argparse.ArgumentParser(description="Scripted IMAP server for tests.")
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--tls", choices=("implicit", "starttls", "none"))
    parser.add_argument("--cert", default=os.environ.get("MAIL_SETUP_TEST_SERVER_CERT"))
    parser.add_argument("--key", default=os.environ.get("MAIL_SETUP_TEST_SERVER_KEY"))
    parser.add_argument("--transcript")
    parser.add_argument("--user")
    parser.add_argument("--password-env")
    parser.add_argument("--token-env")
    parser.add_argument("--other-user")
    parser.add_argument("--drop-capability", action="append", default=[], metavar="CAP",
                        help="leave CAP out of the CAPABILITY answer (repeatable)")
    parser.add_argument("--max-tls", choices=sorted(MAX_TLS_VERSIONS),
                        help="speak no TLS version newer than this")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin closes (when the test that started it is gone)")
    options = parser.parse_args()
    options.password = secret_from_environment(parser, options.password_env)
    options.token = secret_from_environment(parser, options.token_env)
    if (options.tls or SCENARIOS[options.scenario].tls) != "none" and not (
            options.cert and options.key):
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
