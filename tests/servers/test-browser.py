#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The person's web browser, for the tests: GIO starts it as the desktop's
handler for http and https addresses (tests/mail-setup-test-browser.c
installs it so).

    test-browser.py URL

It appends one JSON line per visit to the file named by
MAIL_SETUP_TEST_BROWSER_LOG (else $MAIL_SETUP_TEST_DIR/browser.log), in
one write to a file opened for appending, so that lines never mix. What it
does depends on MAIL_SETUP_TEST_BROWSER_MODE:

  follow (the default): the person signs in. It asks URL (only on
      127.0.0.1 or localhost, over http: nothing else is ever contacted)
      without following the redirect, then asks the Location (the product's
      loopback listener, equally only on 127.0.0.1 or localhost) and logs
        {"opened": URL, "mode": "follow", "authorize_status": 302,
         "redirect": LOCATION, "status": STATUS, "page": BODY}
      where STATUS and BODY are the loopback listener's answer. When the
      identity server answers without a redirect (its error page) the line
      has "authorize_status" and "authorize_page" instead of "redirect",
      "status" and "page"; when something cannot be asked, "error" says why.
  ignore: the person never signs in; it logs {"opened": URL, "mode": "ignore"}.

Any other mode is logged with an "error". It always exits 0, within a few
seconds.
"""

import http.client
import json
import os
import sys
import urllib.parse

TIMEOUT = 3
MAX_PAGE = 64 * 1024
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


class Refused(Exception):
    pass


def get(url):
    """(status, Location, body text) of a GET of URL, redirects not followed."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise Refused(f"not a loopback http address: {url}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=TIMEOUT)
    try:
        connection.request("GET", path, headers={
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) MailSetupTestBrowser/1",
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        })
        response = connection.getresponse()
        body = response.read(MAX_PAGE).decode("utf-8", errors="replace")
        return response.status, response.getheader("Location"), body
    finally:
        connection.close()


def follow(url, visit):
    status, location, body = get(url)
    visit["authorize_status"] = status
    if status not in (301, 302, 303, 307, 308) or not location:
        visit["authorize_page"] = body
        return
    location = urllib.parse.urljoin(url, location)
    visit["redirect"] = location
    visit["status"], _, visit["page"] = get(location)


def log_path():
    path = os.environ.get("MAIL_SETUP_TEST_BROWSER_LOG")
    if not path and os.environ.get("MAIL_SETUP_TEST_DIR"):
        path = os.path.join(os.environ["MAIL_SETUP_TEST_DIR"], "browser.log")
    return path


def write_line(visit):
    line = (json.dumps(visit) + "\n").encode()
    path = log_path()
    if not path:
        sys.stderr.write("test-browser: no log (MAIL_SETUP_TEST_BROWSER_LOG is not set): "
                         + line.decode())
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def main():
    url = sys.argv[1] if len(sys.argv) > 1 else ""
    mode = os.environ.get("MAIL_SETUP_TEST_BROWSER_MODE") or "follow"
    visit = {"opened": url, "mode": mode}
    if len(sys.argv) != 2:
        visit["error"] = f"expected one address, got {len(sys.argv) - 1}"
    elif mode == "follow":
        try:
            follow(url, visit)
        except (Refused, OSError, http.client.HTTPException, ValueError) as error:
            visit["error"] = f"{type(error).__name__}: {error}"
    elif mode != "ignore":
        visit["error"] = f"unknown MAIL_SETUP_TEST_BROWSER_MODE {mode!r}"
    write_line(visit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
