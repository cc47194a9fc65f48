#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small OAuth2 identity server on 127.0.0.1 that answers as Microsoft's does.

    identity-server.py [--exit-on-stdin-eof]

It binds a free port of 127.0.0.1, prints "READY <port>" and serves HTTP
until SIGTERM. Every request is handled in its own thread; the state lives
in memory only.

Microsoft identity platform v2 endpoints, for any tenant:
  POST /{tenant}/oauth2/v2.0/devicecode  client_id, scope (RFC 8628)
       -> device_code, user_code, verification_uri, expires_in, interval
       (1 second), message. A tenant named "expires-in-N" issues codes that
       expire after N seconds (900 otherwise); "no-such-tenant" gets
       Microsoft's invalid_request for an unknown tenant, and "server-error"
       an HTML page with status 500.
  POST /{tenant}/oauth2/v2.0/token
       grant_type=urn:ietf:params:oauth:grant-type:device_code, client_id,
       device_code: authorization_pending until the code is approved, then
       the tokens once; slow_down when polled sooner than the interval (which
       then grows by 5 seconds), expired_token, access_denied.
       grant_type=refresh_token, client_id, refresh_token: a new access token
       and a new refresh token; the old refresh token stops working. An
       unknown refresh token gets invalid_grant.
Errors are HTTP 400 with {"error": ..., "error_description": ...}.

For Dovecot's oauth2 passdb (introspection_mode = post):
  POST /introspect  token=...
       -> {"active": true, "username": ...} for a live access token,
          {"active": false} otherwise.

For the tests, standing in for the person at the browser:
  POST /control/approve    user_code, username
  POST /control/deny       user_code [, error]  (default access_denied;
                           Microsoft says authorization_declined)
  POST /control/slow-down  user_code: the next poll gets slow_down
  POST /control/expire     user_code: the code expires now
  GET  /control/device?user_code=...
       -> what the client sent and did: tenant, client_id, scope, polls
          (seconds since the code was issued, one per poll), interval,
          state.
Tokens never appear in this server's log.
"""

import argparse
import json
import os
import secrets
import signal
import string
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LISTEN_ADDRESS = "127.0.0.1"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_EXPIRES_IN = 900
INTERVAL = 1
SLOW_DOWN_STEP = 5
# A poll may arrive this much sooner than the interval without counting as
# too early: the client measures from our previous answer, not our clock.
EARLY_TOLERANCE = 0.1
ACCESS_TOKEN_LIFETIME = 3600
USER_CODE_ALPHABET = string.ascii_uppercase + string.digits
MAX_BODY = 64 * 1024


class DeviceCode:
    def __init__(self, tenant, client_id, scope, expires_in):
        self.device_code = "dc-" + secrets.token_urlsafe(24)
        self.user_code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
        self.tenant = tenant
        self.client_id = client_id
        self.scope = scope
        self.issued = time.monotonic()
        self.expires = self.issued + expires_in
        self.expires_in = expires_in
        self.interval = INTERVAL
        self.last_poll = self.issued
        self.polls = []
        self.state = "pending"
        self.denial = None
        self.username = None
        self.force_slow_down = False


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_device_code = {}
        self.by_user_code = {}
        self.access_tokens = {}
        self.refresh_tokens = {}

    def issue_tokens(self, username, client_id, scope):
        access_token = "at-" + secrets.token_urlsafe(32)
        refresh_token = "rt-" + secrets.token_urlsafe(32)
        self.access_tokens[access_token] = (username, time.monotonic() + ACCESS_TOKEN_LIFETIME)
        self.refresh_tokens[refresh_token] = (username, client_id, scope)
        return {
            "token_type": "Bearer",
            "scope": scope,
            "expires_in": ACCESS_TOKEN_LIFETIME,
            "ext_expires_in": ACCESS_TOKEN_LIFETIME,
            "access_token": access_token,
            "refresh_token": refresh_token,
        }


STATE = State()


class OAuthError(Exception):
    def __init__(self, error, description, status=400):
        super().__init__(error)
        self.error = error
        self.description = description
        self.status = status


def parse_path(path):
    """(tenant, endpoint) for /{tenant}/oauth2/v2.0/{endpoint}, else None."""
    parts = path.split("/")
    if len(parts) == 5 and parts[0] == "" and parts[2:4] == ["oauth2", "v2.0"] and parts[1]:
        return parts[1], parts[4]
    return None


def expires_in_for(tenant):
    if tenant.startswith("expires-in-"):
        try:
            return max(1, int(tenant[len("expires-in-"):]))
        except ValueError:
            pass
    return DEFAULT_EXPIRES_IN


def require(form, name):
    value = form.get(name)
    if not value:
        raise OAuthError("invalid_request", f"AADSTS900144: The request body must contain "
                                            f"the following parameter: '{name}'.")
    return value


def device_authorization(tenant, form):
    if tenant == "no-such-tenant":
        raise OAuthError("invalid_request", f"AADSTS90002: Tenant '{tenant}' not found. Check "
                                            "to make sure you have the correct tenant ID.\r\n"
                                            "Trace ID: 0b3f6c1e-0000-4000-8000-000000000000")
    client_id = require(form, "client_id")
    scope = require(form, "scope")
    code = DeviceCode(tenant, client_id, scope, expires_in_for(tenant))
    with STATE.lock:
        STATE.by_device_code[code.device_code] = code
        STATE.by_user_code[code.user_code] = code
    return {
        "user_code": code.user_code,
        "device_code": code.device_code,
        "verification_uri": "https://microsoft.com/devicelogin",
        "expires_in": code.expires_in,
        "interval": code.interval,
        "message": "To sign in, use a web browser to open the page "
                   f"https://microsoft.com/devicelogin and enter the code {code.user_code} "
                   "to authenticate.",
    }


def poll(form):
    require(form, "client_id")
    device_code = require(form, "device_code")
    now = time.monotonic()
    with STATE.lock:
        code = STATE.by_device_code.get(device_code)
        if code is None or code.state == "redeemed":
            raise OAuthError("invalid_grant", "AADSTS70000: The provided value for the input "
                                              "parameter 'device_code' is not valid.")
        code.polls.append(round(now - code.issued, 3))
        too_early = now < code.last_poll + code.interval - EARLY_TOLERANCE
        code.last_poll = now
        if now >= code.expires or code.state == "expired":
            code.state = "expired"
            raise OAuthError("expired_token", "AADSTS70020: The provided value for the input "
                                              "parameter 'device_code' is no longer valid.")
        if code.force_slow_down or too_early:
            code.force_slow_down = False
            code.interval += SLOW_DOWN_STEP
            raise OAuthError("slow_down", "Polling too fast.")
        if code.state == "denied":
            raise OAuthError(code.denial, "AADSTS70000: The user declined the sign-in.")
        if code.state == "pending":
            raise OAuthError("authorization_pending", "AADSTS70016: OAuth 2.0 device flow "
                                                      "error. Authorization is pending.")
        code.state = "redeemed"
        return STATE.issue_tokens(code.username, code.client_id, code.scope)


def refresh(form):
    require(form, "client_id")
    refresh_token = require(form, "refresh_token")
    with STATE.lock:
        grant = STATE.refresh_tokens.pop(refresh_token, None)
        if grant is None:
            raise OAuthError("invalid_grant", "AADSTS70000: The provided grant has expired "
                                              "or is not valid.")
        username, client_id, scope = grant
        return STATE.issue_tokens(username, client_id, form.get("scope") or scope)


def token(form):
    grant_type = require(form, "grant_type")
    if grant_type == DEVICE_CODE_GRANT:
        return poll(form)
    if grant_type == "refresh_token":
        return refresh(form)
    raise OAuthError("unsupported_grant_type", f"AADSTS70003: The grant type {grant_type} "
                                               "is not supported.")


def introspect(form):
    with STATE.lock:
        entry = STATE.access_tokens.get(form.get("token", ""))
    if entry is None or entry[1] < time.monotonic():
        return {"active": False}
    return {"active": True, "username": entry[0]}


def control(action, form):
    with STATE.lock:
        code = STATE.by_user_code.get(form.get("user_code", ""))
        if code is None:
            raise OAuthError("not_found", "no such user code", status=404)
        if action == "device":
            return {
                "tenant": code.tenant,
                "client_id": code.client_id,
                "scope": code.scope,
                "polls": code.polls,
                "interval": code.interval,
                "state": code.state,
            }
        if action == "approve":
            code.username = require(form, "username")
            code.state = "approved"
        elif action == "deny":
            code.state = "denied"
            code.denial = form.get("error") or "access_denied"
        elif action == "slow-down":
            code.force_slow_down = True
        elif action == "expire":
            code.state = "expired"
        else:
            raise OAuthError("not_found", "no such control", status=404)
        return {"state": code.state}


class Handler(BaseHTTPRequestHandler):
    server_version = "MailSetupIdentityServer/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 -- BaseHTTPRequestHandler's name
        # The request line only: tokens travel in bodies, never in paths.
        sys.stderr.write("identity-server: %s\n" % (format % args))

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def answer_html(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_form(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise OAuthError("invalid_request", "request too large")
        body = self.rfile.read(length).decode(errors="replace")
        return {name: values[-1] for name, values in urllib.parse.parse_qs(body).items()}

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        try:
            if method == "GET":
                form = {name: values[-1]
                        for name, values in urllib.parse.parse_qs(url.query).items()}
                if url.path == "/control/device":
                    self.answer(200, control("device", form))
                    return
                raise OAuthError("not_found", "no such endpoint", status=404)
            form = self.read_form()
            if url.path == "/introspect":
                self.answer(200, introspect(form))
                return
            if url.path.startswith("/control/"):
                self.answer(200, control(url.path[len("/control/"):], form))
                return
            endpoint = parse_path(url.path)
            if endpoint is None:
                raise OAuthError("not_found", "no such endpoint", status=404)
            tenant, name = endpoint
            if tenant == "server-error":
                self.answer_html(500, "<html><body>Service unavailable</body></html>")
            elif name == "devicecode":
                self.answer(200, device_authorization(tenant, form))
            elif name == "token":
                self.answer(200, token(form))
            else:
                raise OAuthError("not_found", "no such endpoint", status=404)
        except OAuthError as error:
            self.answer(error.status, {"error": error.error,
                                       "error_description": error.description})

    def do_GET(self):  # noqa: N802 -- BaseHTTPRequestHandler's name
        self.dispatch("GET")

    def do_POST(self):  # noqa: N802 -- BaseHTTPRequestHandler's name
        self.dispatch("POST")


def watch_stdin():
    while os.read(sys.stdin.fileno(), 4096):
        pass
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description="OAuth2 identity server for tests.")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin closes (when whoever started it is gone)")
    options = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(0))

    server = ThreadingHTTPServer((LISTEN_ADDRESS, 0), Handler)
    server.daemon_threads = True
    if options.exit_on_stdin_eof:
        threading.Thread(target=watch_stdin, daemon=True).start()
    os.write(sys.stdout.fileno(), b"READY %d\n" % server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
