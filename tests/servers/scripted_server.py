# SPDX-License-Identifier: GPL-3.0-or-later
"""What the scripted IMAP and SMTP servers share: the transcript of what
the client sent, the way a session ends, the threads, and the exit status
that tells the test whether the server itself failed."""

import os
import signal
import sys
import threading
import traceback

PLAIN_MARK = b"[plain] "
INTERNAL_ERROR_STATUS = 70


class ClientGone(Exception):
    """The client closed the connection, or the session must end."""


class Transcript:
    """Every line the client sent, those before TLS marked as plain."""

    def __init__(self, path):
        self.file = open(path, "ab") if path else None
        self.lock = threading.Lock()

    def record(self, line, plain):
        if self.file is None:
            return
        if not line.endswith(b"\n"):
            line += b"\n"
        with self.lock:
            self.file.write((PLAIN_MARK if plain else b"") + line)
            self.file.flush()


class ScriptedServer:
    """A server that runs one SESSION_CLASS per connection; a bug in a
    session makes the exit status INTERNAL_ERROR_STATUS, so that it fails
    the test instead of passing as a closed connection."""

    session_class = None

    def __init__(self):
        self.internal_error = False

    def exit_status(self):
        return INTERNAL_ERROR_STATUS if self.internal_error else 0

    def serve_connection(self, sock):
        session = self.session_class(self, sock)
        try:
            session.run()
        except (ClientGone, OSError):
            pass
        except Exception:  # noqa: BLE001 -- a bug here must fail the test
            traceback.print_exc()
            self.internal_error = True
        finally:
            session.connection.close()

    def watch_stdin(self):
        while os.read(sys.stdin.fileno(), 4096):
            pass
        os._exit(self.exit_status())


def start_thread(target, *args):
    # Signals must reach the main thread, so that its handlers run at once.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK,
                                     {signal.SIGTERM, signal.SIGUSR1, signal.SIGINT})
    try:
        threading.Thread(target=target, args=args, daemon=True).start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def secret_from_environment(parser, variable):
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        parser.error(f"the environment variable {variable} is not set")
    return value.encode()
