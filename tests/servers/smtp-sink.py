#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A mail sink on 127.0.0.1 for the test Dovecot's submission service to
relay to.

    smtp-sink.py MAIL_FILE

It binds a free port of 127.0.0.1, prints "READY <port>" and speaks enough
plain SMTP (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to take what Dovecot
relays, until SIGTERM. Each message that reaches it is appended to
MAIL_FILE, after a line "From <sender> <recipients>", so that a test can
tell that nothing was ever sent: the check must leave that file empty. The
commands of each session go to standard error, for the log.
"""

import os
import signal
import socketserver
import sys
import threading

LISTEN_ADDRESS = "127.0.0.1"
MAX_LINE = 4096
MAX_MESSAGE = 10 * 1024 * 1024

WRITE_LOCK = threading.Lock()


def note(text):
    with WRITE_LOCK:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def path_of(argument, prefix):
    """The <path> of "FROM:<path> PARAMETERS" or "TO:<path>"."""
    if argument.upper().startswith(prefix):
        argument = argument[len(prefix):].strip()
    return argument.split(" ", 1)[0]


class Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def read_line(self):
        line = self.rfile.readline(MAX_LINE)
        if not line:
            return None
        return line.rstrip(b"\r\n").decode("utf-8", errors="replace")

    def read_message(self):
        """The DATA that follows, dot-unstuffed, up to the lone dot."""
        lines = []
        size = 0
        while True:
            line = self.rfile.readline(MAX_LINE)
            if not line:
                return None
            if line.rstrip(b"\r\n") == b".":
                return b"".join(lines)
            if line.startswith(b"."):
                line = line[1:]
            size += len(line)
            if size <= MAX_MESSAGE:
                lines.append(line)

    def store(self, sender, recipients, message):
        with WRITE_LOCK:
            with open(self.server.mail_file, "ab") as mail:
                mail.write(f"From {sender} {' '.join(recipients)}\n".encode())
                mail.write(message)
                if not message.endswith(b"\n"):
                    mail.write(b"\n")

    def handle(self):
        sender = None
        recipients = []
        self.reply("220 localhost Mail Setup test sink ESMTP")
        while True:
            line = self.read_line()
            if line is None:
                return
            note(f"{self.client_address[1]}: {line}")
            verb = line.split(" ", 1)[0].upper()
            argument = line[len(verb):].strip()
            if verb == "EHLO":
                self.reply("250-localhost")
                self.reply("250-PIPELINING")
                self.reply("250-8BITMIME")
                self.reply("250-ENHANCEDSTATUSCODES")
                self.reply("250 SIZE 10485760")
            elif verb == "HELO":
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender = path_of(argument, "FROM:")
                recipients = []
                self.reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                if sender is None:
                    self.reply("503 5.5.1 MAIL first")
                    continue
                recipients.append(path_of(argument, "TO:"))
                self.reply("250 2.1.5 Ok")
            elif verb == "DATA":
                if not recipients:
                    self.reply("503 5.5.1 RCPT first")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                message = self.read_message()
                if message is None:
                    return
                self.store(sender, recipients, message)
                note(f"{self.client_address[1]}: stored a message of {len(message)} bytes")
                sender = None
                recipients = []
                self.reply("250 2.0.0 Ok: queued")
            elif verb == "RSET":
                sender = None
                recipients = []
                self.reply("250 2.0.0 Ok")
            elif verb == "NOOP":
                self.reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Command not implemented")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(0))
    server = Server((LISTEN_ADDRESS, 0), Handler)
    server.mail_file = sys.argv[1]
    open(server.mail_file, "ab").close()
    os.write(sys.stdout.fileno(), b"READY %d\n" % server.server_address[1])
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
