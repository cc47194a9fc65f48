#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An https server on 127.0.0.1 for the provider detection's tests: a
domain's autoconfig files, the ISPDB and Microsoft's realm service.

    autoconfig-server.py --routes FILE --log FILE --name DNS [--name DNS]...

It makes a test CA of its own and one certificate, signed by it, for every
--name and for 127.0.0.1 and localhost, so that the client checks the
certificate against the real host name (autoconfig.example.test) as it
would on the Internet; the test trusts the CA through the detector's extra
CA file. It binds a free port of 127.0.0.1, prints "READY <port> <ca-file>"
and serves every connection in a thread of its own until SIGTERM or until
its standard input closes (the test died). The CA's folder lives under
MAIL_SETUP_TEST_DIR when that is set and is removed at the end.

The routes file is a JSON list; each route answers a GET whose Host header
(without the port, lower case) and target (path and query) are equal to
its "host" and "path":

    {"host": "autoconfig.example.test",
     "path": "/mail/config-v1.1.xml?emailaddress=alice%40example.test",
     "status": 200, "body": "<clientConfig ...>", "delay": 0}

"status" defaults to 200, "delay" (seconds before answering, for a server
that does not answer in time) to 0, "type" to application/xml. Anything else
gets 404. Every request is appended to the log file as one line,
"HOST TARGET", flushed at once; the exit status is 70 if a request hit a bug
of this script.
"""

import argparse
import http.server
import json
import os
import random
import shutil
import signal
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time

failed = False
log_lock = threading.Lock()


def run_quietly(args):
    result = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        sys.stderr.write(result.stdout.decode(errors="replace"))
        raise RuntimeError(f"{args[0]} failed with status {result.returncode}")


def make_certificates(folder, names):
    ca_key = os.path.join(folder, "ca.key")
    ca_cert = os.path.join(folder, "ca.pem")
    key = os.path.join(folder, "server.key")
    request = os.path.join(folder, "server.csr")
    cert = os.path.join(folder, "server.pem")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    alt_names = [f"DNS:{name}" for name in names] + ["DNS:localhost", "IP:127.0.0.1"]

    run_quietly(["openssl", "req", "-x509", *ec, "-days", "2",
                 "-subj", "/O=Mail Setup tests/CN=Mail Setup autoconfig test CA",
                 "-keyout", ca_key, "-out", ca_cert])
    run_quietly(["openssl", "req", "-new", *ec,
                 "-subj", f"/O=Mail Setup tests/CN={names[0] if names else 'localhost'}",
                 "-addext", "subjectAltName=" + ",".join(alt_names),
                 "-keyout", key, "-out", request])
    run_quietly(["openssl", "x509", "-req", "-in", request, "-CA", ca_cert, "-CAkey", ca_key,
                 "-set_serial", str(random.getrandbits(63)), "-days", "2",
                 "-copy_extensions", "copy", "-out", cert])
    return ca_cert, cert, key


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        global failed
        try:
            self.answer()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # the client gave up, as a cancelled lookup does
        except Exception as error:  # a bug of this script
            failed = True
            print(f"autoconfig-server: {error!r}", file=sys.stderr, flush=True)
            raise

    def answer(self):
        host = (self.headers.get("Host") or "").strip().lower()
        if host.startswith("["):
            host = host[1:host.find("]")]
        elif ":" in host:
            host = host.rsplit(":", 1)[0]

        with log_lock:
            self.server.log.write(f"{host} {self.path}\n")
            self.server.log.flush()

        route = next((r for r in self.server.routes
                      if r["host"].lower() == host and r["path"] == self.path), None)
        if route is None:
            self.send_error(404)
            return

        time.sleep(route.get("delay", 0))
        body = route.get("body", "").encode()
        self.send_response(route.get("status", 200))
        self.send_header("Content-Type", route.get("type", "application/xml"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def __init__(self, context, routes, log):
        super().__init__(("127.0.0.1", 0), Handler)
        self.context = context
        self.routes = routes
        self.log = log

    def get_request(self):
        connection, address = self.socket.accept()
        # The handshake happens in the connection's own thread, on its
        # first read, so that a slow client holds up nobody else.
        return self.context.wrap_socket(connection, server_side=True,
                                        do_handshake_on_connect=False), address

    def shutdown_request(self, request):
        try:
            request.unwrap()  # TLS's close_notify, as a tidy server sends
        except (OSError, ValueError):
            pass
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        # A client that refused our certificate or went away mid-handshake.
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--routes", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--name", action="append", default=[])
    options = parser.parse_args()

    with open(options.routes) as routes_file:
        routes = json.load(routes_file)

    folder = tempfile.mkdtemp(prefix="autoconfig-server-", dir=os.environ.get("MAIL_SETUP_TEST_DIR"))
    try:
        ca_cert, cert, key = make_certificates(folder, options.name)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)

        with open(options.log, "a") as log:
            server = Server(context, routes, log)

            def stop(*_):
                raise SystemExit(0)

            def watch_stdin():
                # Unbuffered: a buffered reader's lock held by this daemon
                # thread would abort the interpreter's shutdown.
                while os.read(sys.stdin.fileno(), 4096):
                    pass
                os.kill(os.getpid(), signal.SIGTERM)

            signal.signal(signal.SIGTERM, stop)
            threading.Thread(target=watch_stdin, daemon=True).start()
            print(f"READY {server.server_address[1]} {ca_cert}", flush=True)
            try:
                server.serve_forever()
            except SystemExit:
                pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    sys.exit(70 if failed else 0)


if __name__ == "__main__":
    main()
