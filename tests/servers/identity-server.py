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
       Microsoft's invalid_request for an unknown tenant (AADSTS90002; at
       authorize, its error page), and "server-error" an HTML page with
       status 500 (at every endpoint).
  GET  /{tenant}/oauth2/v2.0/authorize  client_id, response_type=code,
       redirect_uri, scope, state, code_challenge, code_challenge_method=S256,
       [response_mode=query], [login_hint], [prompt]
       (the authorization code grant with PKCE, RFC 7636, and a loopback
       redirect, RFC 8252 section 7.3). The query is kept as "the last
       authorize request" (see /control/authorize), whatever it holds.
       Without client_id, or without a redirect_uri of the form
       http://127.0.0.1[:PORT]/ or http://localhost[:PORT]/, the answer is an
       HTML page with status 400 and no redirect, as Microsoft's (AADSTS900144,
       AADSTS900971, AADSTS50011). Otherwise the answer is a 302 to
       redirect_uri?code=...&state=... (state echoed when sent; the code is
       good for 600 seconds and bound to client_id, redirect_uri,
       code_challenge, scope and the account), or to an error redirect
       redirect_uri?error=...&error_description=AADSTSnnnnn: ...\\r\\nTrace ID:
       ...&error_uri=...[&suberror=...]&state=... (form-encoded: spaces as +):
       invalid_request for a missing scope, response_type or code_challenge
       (AADSTS900144), a response_mode other than query (AADSTS70007), a
       code_challenge_method other than S256 (AADSTS50149) or a code_challenge
       that is not 43 base64url characters (AADSTS501491);
       unsupported_response_type (AADSTS70005) for a response_type other than
       code; and whatever /control/browser set. The person signs in as the
       login_hint unless /control/browser says otherwise (with neither, the
       answer is an error page: the test did not say who signs in).
  POST /{tenant}/oauth2/v2.0/token
       grant_type=urn:ietf:params:oauth:grant-type:device_code, client_id,
       device_code: authorization_pending (AADSTS70016) until the code is
       approved, then the tokens once; slow_down when polled sooner than the
       interval (which then grows by 5 seconds), expired_token (AADSTS70020),
       access_denied or authorization_declined (AADSTS65004) after a denial,
       invalid_grant (AADSTS70000) for an unknown or redeemed device code.
       grant_type=authorization_code, client_id, code, redirect_uri,
       code_verifier[, scope]: the tokens, once per code. invalid_grant with
       AADSTS70000 for an unknown code or one issued to another client_id,
       AADSTS54005 for a code already redeemed, AADSTS70008 for an expired
       one, AADSTS500112 when redirect_uri differs from the authorize
       request's, AADSTS50148 without code_verifier (Microsoft answers
       invalid_grant, not invalid_request, there) and AADSTS501481 when
       BASE64URL(SHA256(code_verifier)) is not the code_challenge.
       grant_type=refresh_token, client_id, refresh_token: a new access token
       and a new refresh token; the old refresh token stops working. An
       unknown refresh token gets invalid_grant (AADSTS70000).
       Other grant types get unsupported_grant_type (AADSTS70003); a missing
       parameter invalid_request (AADSTS900144).
Every token grant gives the same kind of tokens: an access token that
/introspect knows for the account that signed in, and a refresh token.
Errors are HTTP 400 in Microsoft's shape:
  {"error": ..., "error_description": "AADSTSnnnnn: text\\r\\nTrace ID: <uuid>
   \\r\\nCorrelation ID: <uuid>\\r\\nTimestamp: YYYY-MM-DD hh:mm:ssZ",
   "error_codes": [nnnnn], "timestamp": ..., "trace_id": ...,
   "correlation_id": ..., "error_uri":
   "https://login.microsoftonline.com/error?code=nnnnn"[, "suberror": ...]}
slow_down has no AADSTS number: its description is plain text, error_codes
is [] and error_uri has no code.

For Dovecot's oauth2 passdb (introspection_mode = post):
  POST /introspect  token=...
       -> {"active": true, "username": ...} for a live access token,
          {"active": false} otherwise.

For the tests, standing in for the person at the browser (every control
answers 200 with JSON; a mistake in a control request gets a 4xx):
  POST /control/approve    user_code, username
  POST /control/deny       user_code [, error]  (default access_denied;
                           Microsoft says authorization_declined)
  POST /control/slow-down  user_code: the next poll gets slow_down
  POST /control/expire     user_code: the code expires now
  GET  /control/device?user_code=...
       -> what the client sent and did: tenant, client_id, scope, polls
          (seconds since the code was issued, one per poll), interval,
          state.
  POST /control/browser    action=approve [, username] | action=error, error,
                           code (AADSTS number) [, suberror] [, description]
       What the person does at the next valid authorize request only, after
       which it is back to approving as the login_hint. approve signs in as
       username (default: the login_hint); error sends the error redirect
       (description defaults to Microsoft's text for the code).
       -> the setting, as JSON.
  POST /control/token-error  grant=device_code|authorization_code|
                           refresh_token, error, code (AADSTS number)
                           [, suberror] [, description] [, count (1)]
       The next COUNT token requests of that grant that would have
       succeeded get this error instead, and leave their grant unused (a
       device code only once it is approved: the person approved it, then
       Microsoft refuses the token, as AADSTS53003 "Block device code flow"
       does). Setting it again for a grant replaces the earlier one.
       -> the setting, as JSON.
  POST /control/lifetime   seconds: the access tokens issued from now on live
                           this long (3600 until set; a reset restores it).
                           -> {"seconds": N}
  POST /control/token-delay  milliseconds: every token request waits this
                           long before it is answered (0 until set; a reset
                           restores it), so that requests overlap.
                           -> {"milliseconds": N}
  GET  /control/requests   -> how many token requests arrived for each grant
                           since the start or the last reset, answered or
                           refused: {"device_code": N, "authorization_code":
                           N, "refresh_token": N, "other": N}
  POST /control/reset      forgets the browser setting, the token errors, the
                           last authorize request, the lifetime, the delay
                           and the request counts. -> {"reset": true}
  GET  /control/authorize
       -> the last authorize request: tenant and every query field
          (client_id, response_type, redirect_uri, response_mode, scope,
          state, code_challenge, code_challenge_method, login_hint, prompt
          are always there, null when not sent), "exchanged" (whether its
          code was traded for tokens) and, after a token request reached the
          PKCE check for its code, "pkce": "ok", "mismatch" or "missing".
          {} when there was none since the start or the last reset.
Tokens, codes and PKCE verifiers never appear in this server's log: it logs
request paths without their query.
"""

import argparse
import base64
import hashlib
import html
import json
import os
import re
import secrets
import signal
import string
import sys
import threading
import time
import urllib.parse
import uuid
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
AUTHORIZATION_CODE_LIFETIME = 600
USER_CODE_ALPHABET = string.ascii_uppercase + string.digits
MAX_BODY = 64 * 1024
ERROR_PAGE = "https://login.microsoftonline.com/error"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
# BASE64URL-NOPAD of a SHA-256 digest (RFC 7636 section 4.2).
S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
GRANTS = ("device_code", "authorization_code", "refresh_token")
AUTHORIZE_FIELDS = ("client_id", "response_type", "redirect_uri", "response_mode", "scope",
                    "state", "code_challenge", "code_challenge_method", "login_hint", "prompt")

# Microsoft's words for the AADSTS numbers the tests use, so that a control
# request can name a number alone. (Microsoft changes these texts; clients
# branch on the numbers.)
AADSTS_TEXT = {
    50011: "The redirect URI specified in the request does not match the redirect URIs "
           "configured for the application.",
    50020: "User account from identity provider does not exist in tenant and cannot access "
           "the application in that tenant.",
    50076: "Due to a configuration change made by your administrator, or because you moved "
           "to a new location, you must use multi-factor authentication to access the "
           "resource.",
    50079: "Due to a configuration change made by your administrator, or because you moved "
           "to a new location, you must enroll in multi-factor authentication to access the "
           "resource.",
    50097: "Device authentication is required.",
    50148: "The code_verifier does not match the code_challenge supplied in the "
           "authorization request for PKCE.",
    50149: "Invalid Code_Challenge_method parameter.",
    50173: "The provided grant has expired due to it being revoked, a fresh auth token is "
           "needed.",
    50199: "For security reasons, user confirmation is required for this request.",
    53000: "Device is not in required device state: compliant. Conditional Access policy "
           "requires a compliant device, and the device is not compliant.",
    53001: "Device is not in required device state: domain_joined. Conditional Access policy "
           "requires a domain joined device, and the device is not domain joined.",
    53003: "Access has been blocked by Conditional Access policies. The access policy does "
           "not allow token issuance.",
    54005: "OAuth2 Authorization code was already redeemed, please retry with a new valid "
           "code or use an existing refresh token.",
    65001: "The user or administrator has not consented to use the application. Send an "
           "interactive authorization request for this user and resource.",
    65004: "User declined to consent to access the app.",
    70000: "The provided grant has expired or is not valid.",
    70003: "The app requested an unsupported grant type.",
    70005: "The app requested an unsupported response type.",
    70007: "The app requested an unsupported value of response_mode.",
    70008: "The provided authorization code or refresh token has expired due to inactivity.",
    70016: "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
    70019: "Verification code expired.",
    70020: "The provided value for the input parameter 'device_code' is no longer valid.",
    70043: "The refresh token has expired or is invalid due to sign-in frequency checks by "
           "conditional access.",
    90014: "A required field is missing from the credential. Ensure that you have all the "
           "necessary parameters for the login request.",
    90002: "Tenant not found. Check to make sure you have the correct tenant ID.",
    90094: "Admin consent is required for the permissions requested by this application.",
    90095: "Need admin approval: the application needs permission to access resources in "
           "your organization that only an admin can grant.",
    500112: "The reply address does not match the reply address provided when requesting "
            "Authorization code.",
    500208: "The domain is not a valid login domain for the account type.",
    501481: "The Code_Verifier does not match the code_challenge supplied in the "
            "authorization request.",
    501491: "Invalid size of Code_Challenge parameter.",
    530033: "Access has been blocked by Conditional Access policies. The access policy "
            "requires a managed device.",
    700016: "Application was not found in the directory. This can happen if the application "
            "has not been installed by the administrator of the tenant or consented to by "
            "any user in the tenant.",
    700082: "The refresh token has expired due to inactivity.",
    900144: "The request body must contain the following parameter.",
    900971: "No reply address provided.",
    7000112: "Application is disabled.",
    7000218: "The request body must contain the following parameter: 'client_assertion' or "
             "'client_secret'.",
    9002313: "Invalid request. Request is malformed or invalid.",
}


def timestamp():
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())


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


class AuthorizationCode:
    def __init__(self, request, username):
        self.code = "ac-" + secrets.token_urlsafe(48)
        self.client_id = request["client_id"]
        self.redirect_uri = request["redirect_uri"]
        self.code_challenge = request["code_challenge"]
        self.scope = request["scope"]
        self.username = username
        self.expires = time.monotonic() + AUTHORIZATION_CODE_LIFETIME
        self.redeemed = False
        # The /control/authorize record this code answered, to note the exchange in.
        self.record = request


class ForcedError:
    def __init__(self, error, code, suberror, description, count):
        self.error = error
        self.code = code
        self.suberror = suberror
        self.description = description
        self.count = count

    def as_json(self, grant):
        return {"grant": grant, "error": self.error, "code": self.code,
                "suberror": self.suberror, "description": self.description,
                "count": self.count}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_device_code = {}
        self.by_user_code = {}
        self.access_tokens = {}
        self.refresh_tokens = {}
        self.authorization_codes = {}
        self.last_authorize = None
        self.browser = None
        self.forced_errors = {}
        self.lifetime = ACCESS_TOKEN_LIFETIME
        self.token_delay = 0.0
        self.requests = dict.fromkeys(GRANTS + ("other",), 0)

    def issue_tokens(self, username, client_id, scope):
        access_token = "at-" + secrets.token_urlsafe(32)
        refresh_token = "rt-" + secrets.token_urlsafe(32)
        self.access_tokens[access_token] = (username, time.monotonic() + self.lifetime)
        self.refresh_tokens[refresh_token] = (username, client_id, scope)
        return {
            "token_type": "Bearer",
            "scope": scope,
            "expires_in": self.lifetime,
            "ext_expires_in": self.lifetime,
            "access_token": access_token,
            "refresh_token": refresh_token,
        }

    def raise_forced_error(self, grant):
        """Called with the lock held where GRANT would succeed."""
        forced = self.forced_errors.get(grant)
        if forced is None:
            return
        forced.count -= 1
        if forced.count <= 0:
            del self.forced_errors[grant]
        raise OAuthError(forced.error, forced.code, forced.description,
                         suberror=forced.suberror)


STATE = State()


class OAuthError(Exception):
    """An error answer; CODE is the AADSTS number (None for errors without
    one) and TEXT defaults to Microsoft's words for it."""

    def __init__(self, error, code=None, text=None, status=400, suberror=None):
        super().__init__(error)
        self.error = error
        self.code = code
        self.text = text or AADSTS_TEXT.get(code, error)
        self.status = status
        self.suberror = suberror
        self.trace_id = str(uuid.uuid4())
        self.correlation_id = str(uuid.uuid4())
        self.timestamp = timestamp()

    @property
    def description(self):
        said = f"AADSTS{self.code}: {self.text}" if self.code else self.text
        return (f"{said}\r\nTrace ID: {self.trace_id}\r\nCorrelation ID: "
                f"{self.correlation_id}\r\nTimestamp: {self.timestamp}")

    @property
    def uri(self):
        return f"{ERROR_PAGE}?code={self.code}" if self.code else ERROR_PAGE

    def as_json(self):
        body = {
            "error": self.error,
            "error_description": self.description,
            "error_codes": [self.code] if self.code else [],
            "timestamp": self.timestamp,
            "trace_id": self.trace_id,
            "correlation_id": self.correlation_id,
            "error_uri": self.uri,
        }
        if self.suberror:
            body["suberror"] = self.suberror
        return body

    def as_redirect_query(self, state):
        fields = [("error", self.error), ("error_description", self.description),
                  ("error_uri", self.uri)]
        if self.suberror:
            fields.append(("suberror", self.suberror))
        if state is not None:
            fields.append(("state", state))
        return urllib.parse.urlencode(fields)


class ErrorPage(Exception):
    """Microsoft's sign-in error page, shown in the browser without a redirect."""

    def __init__(self, code, text, status=400):
        super().__init__(text)
        self.code = code
        self.text = text
        self.status = status

    def as_html(self):
        said = html.escape(f"AADSTS{self.code}: {self.text}")
        return ("<!DOCTYPE html>\n<html><head><title>Sign in to your account</title></head>"
                "<body><h1>Sign in</h1><p>Sorry, but we're having trouble signing you in.</p>"
                f"<p>{said}</p><p>Request Id: {uuid.uuid4()}<br>Correlation Id: "
                f"{uuid.uuid4()}<br>Timestamp: {timestamp()}</p></body></html>\n")


def missing(name):
    return f"The request body must contain the following parameter: '{name}'."


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
        raise OAuthError("invalid_request", 900144, missing(name))
    return value


def check_tenant(tenant):
    if tenant == "no-such-tenant":
        raise OAuthError("invalid_request", 90002, f"Tenant '{tenant}' not found. Check to "
                                                   "make sure you have the correct tenant ID.")


def device_authorization(tenant, form):
    check_tenant(tenant)
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
            raise OAuthError("invalid_grant", 70000, "The provided value for the input "
                                                     "parameter 'device_code' is not valid.")
        code.polls.append(round(now - code.issued, 3))
        too_early = now < code.last_poll + code.interval - EARLY_TOLERANCE
        code.last_poll = now
        if now >= code.expires or code.state == "expired":
            code.state = "expired"
            raise OAuthError("expired_token", 70020)
        if code.force_slow_down or too_early:
            code.force_slow_down = False
            code.interval += SLOW_DOWN_STEP
            raise OAuthError("slow_down", None, "Polling too fast.")
        if code.state == "denied":
            raise OAuthError(code.denial, 65004)
        if code.state == "pending":
            raise OAuthError("authorization_pending", 70016)
        STATE.raise_forced_error("device_code")
        code.state = "redeemed"
        return STATE.issue_tokens(code.username, code.client_id, code.scope)


def s256(verifier):
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def redeem_authorization_code(form):
    client_id = require(form, "client_id")
    value = require(form, "code")
    redirect_uri = require(form, "redirect_uri")
    verifier = form.get("code_verifier")
    with STATE.lock:
        code = STATE.authorization_codes.get(value)
        if code is None or code.client_id != client_id:
            raise OAuthError("invalid_grant", 70000, "The provided value for the 'code' "
                                                     "parameter is not valid.")
        if code.redeemed:
            raise OAuthError("invalid_grant", 54005)
        if time.monotonic() >= code.expires:
            raise OAuthError("invalid_grant", 70008)
        if redirect_uri != code.redirect_uri:
            raise OAuthError("invalid_grant", 500112, f"The reply address '{redirect_uri}' "
                             "does not match the reply address "
                             f"'{code.redirect_uri}' provided when requesting "
                             "Authorization code.")
        if not verifier:
            code.record["pkce"] = "missing"
            raise OAuthError("invalid_grant", 50148)
        if not secrets.compare_digest(s256(verifier), code.code_challenge):
            code.record["pkce"] = "mismatch"
            raise OAuthError("invalid_grant", 501481)
        code.record["pkce"] = "ok"
        STATE.raise_forced_error("authorization_code")
        code.redeemed = True
        code.record["exchanged"] = True
        return STATE.issue_tokens(code.username, code.client_id, code.scope)


def refresh(form):
    require(form, "client_id")
    refresh_token = require(form, "refresh_token")
    with STATE.lock:
        grant = STATE.refresh_tokens.get(refresh_token)
        if grant is None:
            raise OAuthError("invalid_grant", 70000)
        STATE.raise_forced_error("refresh_token")
        del STATE.refresh_tokens[refresh_token]
        username, client_id, scope = grant
        return STATE.issue_tokens(username, client_id, form.get("scope") or scope)


def count_request(grant_type):
    grant = "device_code" if grant_type == DEVICE_CODE_GRANT else grant_type
    with STATE.lock:
        STATE.requests[grant if grant in GRANTS else "other"] += 1
        delay = STATE.token_delay
    if delay > 0:
        time.sleep(delay)


def token(tenant, form):
    count_request(form.get("grant_type"))
    check_tenant(tenant)
    grant_type = require(form, "grant_type")
    if grant_type == DEVICE_CODE_GRANT:
        return poll(form)
    if grant_type == "authorization_code":
        return redeem_authorization_code(form)
    if grant_type == "refresh_token":
        return refresh(form)
    raise OAuthError("unsupported_grant_type", 70003, f"The app requested an unsupported "
                                                      f"grant type '{grant_type}'.")


def is_loopback_redirect(uri):
    try:
        parts = urllib.parse.urlsplit(uri)
        port = parts.port
    except ValueError:
        return False
    return (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
            and parts.username is None and parts.password is None
            and (port is None or 0 < port < 65536)
            and parts.path == "/" and not parts.query and not parts.fragment
            and "#" not in uri)


def authorize(tenant, query):
    """The Location to send the browser to; raises ErrorPage when there is none."""
    request = {name: query.get(name) for name in AUTHORIZE_FIELDS}
    request.update(query)
    request["tenant"] = tenant
    request["exchanged"] = False
    with STATE.lock:
        STATE.last_authorize = request

    if tenant == "no-such-tenant":
        raise ErrorPage(90002, f"Tenant '{tenant}' not found. Check to make sure you have "
                               "the correct tenant ID and are signing into the correct cloud.")
    if not query.get("client_id"):
        raise ErrorPage(900144, missing("client_id"))
    redirect_uri = query.get("redirect_uri")
    if not redirect_uri:
        raise ErrorPage(900971, AADSTS_TEXT[900971])
    if not is_loopback_redirect(redirect_uri):
        raise ErrorPage(50011, f"The redirect URI '{redirect_uri}' specified in the request "
                               "does not match the redirect URIs configured for the "
                               f"application '{query['client_id']}'. Make sure the redirect "
                               "URI sent in the request matches one added to your "
                               "application in the Azure portal. Navigate to "
                               "https://aka.ms/redirectUriMismatchError to learn more about "
                               "how to fix this.")

    state = query.get("state")
    try:
        response_type = query.get("response_type")
        if not response_type:
            raise OAuthError("invalid_request", 900144, missing("response_type"))
        if response_type != "code":
            raise OAuthError("unsupported_response_type", 70005,
                             f"response_type '{response_type}' is not supported here.")
        if query.get("response_mode", "query") != "query":
            raise OAuthError("invalid_request", 70007, "The response_mode "
                             f"'{query['response_mode']}' is not supported here.")
        if not query.get("scope"):
            raise OAuthError("invalid_request", 900144, missing("scope"))
        if not query.get("code_challenge"):
            raise OAuthError("invalid_request", 900144, missing("code_challenge"))
        if query.get("code_challenge_method") != "S256":
            raise OAuthError("invalid_request", 50149)
        if not S256_CHALLENGE.fullmatch(query["code_challenge"]):
            raise OAuthError("invalid_request", 501491)

        with STATE.lock:
            browser, STATE.browser = STATE.browser, None
            if browser is not None and browser["action"] == "error":
                raise OAuthError(browser["error"], browser["code"], browser["description"],
                                 suberror=browser["suberror"])
            username = (browser or {}).get("username") or query.get("login_hint")
            if not username:
                raise ErrorPage(900144, "The test did not say who signs in "
                                        "(POST /control/browser username=...) and the "
                                        "request has no login_hint.")
            code = AuthorizationCode(request, username)
            STATE.authorization_codes[code.code] = code
        fields = [("code", code.code)]
        if state is not None:
            fields.append(("state", state))
        return redirect_uri + "?" + urllib.parse.urlencode(fields)
    except OAuthError as error:
        return redirect_uri + "?" + error.as_redirect_query(state)


def introspect(form):
    with STATE.lock:
        entry = STATE.access_tokens.get(form.get("token", ""))
    if entry is None or entry[1] < time.monotonic():
        return {"active": False}
    return {"active": True, "username": entry[0]}


def aadsts_number(form):
    try:
        code = int(require(form, "code"))
    except ValueError:
        raise OAuthError("invalid_request", None, "code must be an AADSTS number") from None
    if code <= 0:
        raise OAuthError("invalid_request", None, "code must be an AADSTS number")
    return code


def control_browser(form):
    action = form.get("action") or "approve"
    if action == "approve":
        setting = {"action": "approve", "username": form.get("username")}
    elif action == "error":
        setting = {"action": "error", "error": require(form, "error"),
                   "code": aadsts_number(form), "suberror": form.get("suberror"),
                   "description": form.get("description")}
    else:
        raise OAuthError("invalid_request", None, f"no such browser action '{action}'")
    with STATE.lock:
        STATE.browser = setting
    return setting


def control_token_error(form):
    grant = require(form, "grant")
    if grant not in GRANTS:
        raise OAuthError("invalid_request", None, f"grant must be one of {', '.join(GRANTS)}")
    try:
        count = int(form.get("count") or 1)
    except ValueError:
        raise OAuthError("invalid_request", None, "count must be a number") from None
    forced = ForcedError(require(form, "error"), aadsts_number(form), form.get("suberror"),
                         form.get("description"), max(1, count))
    with STATE.lock:
        STATE.forced_errors[grant] = forced
    return forced.as_json(grant)


def control_number(form, name, minimum):
    try:
        value = int(require(form, name))
    except ValueError:
        raise OAuthError("invalid_request", None, f"{name} must be a number") from None
    if value < minimum:
        raise OAuthError("invalid_request", None, f"{name} must be at least {minimum}")
    return value


def control_lifetime(form):
    seconds = control_number(form, "seconds", 1)
    with STATE.lock:
        STATE.lifetime = seconds
    return {"seconds": seconds}


def control_token_delay(form):
    milliseconds = control_number(form, "milliseconds", 0)
    with STATE.lock:
        STATE.token_delay = milliseconds / 1000
    return {"milliseconds": milliseconds}


def control_requests():
    with STATE.lock:
        return dict(STATE.requests)


def control_reset():
    with STATE.lock:
        STATE.browser = None
        STATE.forced_errors.clear()
        STATE.last_authorize = None
        STATE.lifetime = ACCESS_TOKEN_LIFETIME
        STATE.token_delay = 0.0
        STATE.requests = dict.fromkeys(GRANTS + ("other",), 0)
    return {"reset": True}


def control_authorize():
    with STATE.lock:
        return dict(STATE.last_authorize or {})


def control(action, form):
    if action == "browser":
        return control_browser(form)
    if action == "token-error":
        return control_token_error(form)
    if action == "reset":
        return control_reset()
    if action == "lifetime":
        return control_lifetime(form)
    if action == "token-delay":
        return control_token_delay(form)
    with STATE.lock:
        code = STATE.by_user_code.get(form.get("user_code", ""))
        if code is None:
            raise OAuthError("not_found", None, "no such user code", status=404)
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
            raise OAuthError("not_found", None, "no such control", status=404)
        return {"state": code.state}


class Handler(BaseHTTPRequestHandler):
    server_version = "MailSetupIdentityServer/1"
    protocol_version = "HTTP/1.1"

    def log_request(self, code="-", size="-"):
        # The path without its query: authorize requests carry state and
        # the PKCE challenge there, redirects the code. Tokens travel in
        # bodies, never in paths.
        path = urllib.parse.urlsplit(getattr(self, "path", "")).path
        self.log_message('"%s %s" %s', self.command or "-", path or "-", str(code))

    def log_message(self, format, *args):  # noqa: A002 -- BaseHTTPRequestHandler's name
        sys.stderr.write("identity-server: %s\n" % (format % args))

    def send_body(self, status, content_type, data, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def answer(self, status, body):
        self.send_body(status, "application/json; charset=utf-8", json.dumps(body).encode())

    def answer_html(self, status, text):
        self.send_body(status, "text/html; charset=utf-8", text.encode())

    def redirect(self, location):
        self.send_body(302, "text/html; charset=utf-8",
                       b"<html><body>Redirecting&hellip;</body></html>",
                       headers=[("Location", location)])

    def read_form(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise OAuthError("invalid_request", None, "request too large")
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
                if url.path == "/control/authorize":
                    self.answer(200, control_authorize())
                    return
                if url.path == "/control/requests":
                    self.answer(200, control_requests())
                    return
                endpoint = parse_path(url.path)
                if endpoint is None or endpoint[1] != "authorize":
                    raise OAuthError("not_found", None, "no such endpoint", status=404)
                if endpoint[0] == "server-error":
                    self.answer_html(500, "<html><body>Service unavailable</body></html>")
                    return
                self.redirect(authorize(endpoint[0], form))
                return
            form = self.read_form()
            if url.path == "/introspect":
                self.answer(200, introspect(form))
                return
            if url.path.startswith("/control/"):
                self.answer(200, control(url.path[len("/control/"):], form))
                return
            endpoint = parse_path(url.path)
            if endpoint is None:
                raise OAuthError("not_found", None, "no such endpoint", status=404)
            tenant, name = endpoint
            if tenant == "server-error":
                self.answer_html(500, "<html><body>Service unavailable</body></html>")
            elif name == "devicecode":
                self.answer(200, device_authorization(tenant, form))
            elif name == "token":
                self.answer(200, token(tenant, form))
            else:
                raise OAuthError("not_found", None, "no such endpoint", status=404)
        except ErrorPage as page:
            self.answer_html(page.status, page.as_html())
        except OAuthError as error:
            self.answer(error.status, error.as_json())

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
