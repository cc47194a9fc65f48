#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The measurements of bench/run; it runs inside build-aux/with-test-services.

    bench/bench.py --build DIR --output FILE [--runs N] [--window-runs N]
                   [--silent-runs N] [--lookup-runs N] [--no-callgrind]
                   [--only check|sending|diagnosis|window|callgrind|token]...

DIR holds the release build of mail-setup and of its window module
(DIR/src/mail-setup-ui.so) and, under DIR/bench, the two programs that
bench/run builds beside them: minimal-window, the baseline for the window,
and rusage, which starts every measured program (see bench/rusage.c).
Programs that are compared run interleaved, in an order that rotates every
round, so that a noisy machine slows all of them alike. Prints a table and
writes every sample and every median to FILE as JSON.
"""

import argparse
import datetime
import json
import os
import platform
import re
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTED_SERVER = os.path.join(TOP, "tests", "servers", "scripted-imap-server.py")
UNRESOLVABLE = "imap.bench.invalid"
WARM_UP_ROUNDS = 3
SECTIONS = ("check", "sending", "diagnosis", "window", "callgrind", "token")
TOKEN_USER = "bench-token@example.test"
TOKEN_SCOPE = ("https://outlook.office.com/IMAP.AccessAsUser.All "
               "https://outlook.office.com/SMTP.Send offline_access")


class Sample:
    def __init__(self, ms, status, max_rss_kb, cpu_ms, stdout):
        self.ms = ms
        self.status = status
        self.max_rss_kb = max_rss_kb
        self.cpu_ms = cpu_ms
        self.stdout = stdout


# DIR/bench/rusage, set by main().
RUSAGE = None


def run(args, stdin_data=b"", env=None, timeout=60.0):
    """Runs ARGS to its end under RUSAGE: wall time from fork to exit, exit
    status, and the peak RSS and CPU time of that one process (wait4)."""
    report_fd, report_write_fd = os.pipe()
    with tempfile.TemporaryFile() as out, open(report_fd, "rb") as report:
        start = time.perf_counter()
        try:
            process = subprocess.Popen([RUSAGE, str(report_write_fd)] + args,
                                       stdin=subprocess.PIPE, stdout=out,
                                       stderr=subprocess.DEVNULL, env=env,
                                       pass_fds=(report_write_fd,))
        finally:
            os.close(report_write_fd)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            process.stdin.write(stdin_data)
            process.stdin.close()
        except BrokenPipeError:
            pass
        _, wait_status, _ = os.wait4(process.pid, 0)
        elapsed_ms = (time.perf_counter() - start) * 1000.0
        killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(wait_status)
        out.seek(0)
        fields = report.read().split()
        if len(fields) != 3:
            # Killed by the timeout: the exit status tells.
            return Sample(elapsed_ms, process.returncode, 0, 0.0, out.read())
        return Sample(float(fields[0]), process.returncode, int(fields[1]),
                      float(fields[2]), out.read())


def interleaved(variants, rounds, warm_up=WARM_UP_ROUNDS):
    """VARIANTS: {name: callable returning a Sample}. Runs them in turns,
    rotating the order every round; the warm-up rounds are not kept."""
    names = list(variants)
    samples = {name: [] for name in names}
    for round_number in range(warm_up + rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            sample = variants[name]()
            if round_number >= warm_up:
                samples[name].append(sample)
    return samples


def median(values):
    return statistics.median(values) if values else None


def summary(samples, field="ms"):
    values = [getattr(sample, field) for sample in samples]
    return {
        "median": round(median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
        "samples": [round(value, 2) for value in values],
    }


def ratio(numerator, denominator):
    return round(numerator / denominator, 3) if denominator else None


def require(samples, name, expected_status=0):
    bad = [sample.status for sample in samples if sample.status != expected_status]
    if bad:
        raise RuntimeError(f"{name}: exit status {bad[0]} (expected {expected_status}) "
                           f"in {len(bad)} of {len(samples)} runs")


class Bench:
    def __init__(self, options):
        self.options = options
        self.build = os.path.abspath(options.build)
        self.mail_setup = os.path.join(self.build, "src", "mail-setup")
        self.ui_module = os.path.join(self.build, "src", "mail-setup-ui.so")
        self.minimal_window = os.path.join(self.build, "bench", "minimal-window")
        self.port = os.environ["MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"]
        self.submission_port = os.environ["MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT"]
        self.user = os.environ["MAIL_SETUP_TEST_USER"]
        self.password = os.environ["MAIL_SETUP_TEST_PASSWORD"]
        self.ca = os.environ["MAIL_SETUP_TEST_CA"]
        self.work = tempfile.mkdtemp(prefix="mail-setup-bench-")
        self.rows = []
        self.results = {}
        self.env = dict(os.environ)
        # The check must not know a display, as on a server or in a script.
        self.check_env = {key: value for key, value in os.environ.items()
                          if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
        self.curl_config = self.write_curl_config()
        self.machine_info = self.machine()
        self.smtp_options = self.has_smtp_options()

    def close(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def write_curl_config(self):
        # The password stays off argv: curl reads it from a private file.
        escaped = (f"{self.user}:{self.password}").replace("\\", "\\\\").replace('"', '\\"')
        path = os.path.join(self.work, "curl.conf")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as config:
            config.write(f'user = "{escaped}"\n')
        return path

    def row(self, section, what, value, baseline=None, unit="ms", target=None):
        """One line of the table. TARGET is (limit, 'ratio'|'value')."""
        value_ratio = ratio(value, baseline) if baseline is not None else None
        verdict = ""
        if target is not None:
            limit, kind = target
            measured = value_ratio if kind == "ratio" else value
            verdict = "ok" if measured is not None and measured <= limit else "MISSED"
            target_text = f"{'ratio ' if kind == 'ratio' else ''}<= {limit:g}"
        else:
            target_text = ""
        self.rows.append((section, what, value, baseline, value_ratio, unit, target_text,
                          verdict))

    # 1. The check against curl

    def has_smtp_options(self):
        """Whether this mail-setup checks an outgoing server (--smtp-server,
        --no-smtp); before it did, every check was of IMAP alone."""
        result = subprocess.run([self.mail_setup, "--help"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, env=self.check_env)
        return b"--smtp-server" in result.stdout and b"--no-smtp" in result.stdout

    def check_args(self, program, port=None, server="127.0.0.1", timeout=None, smtp=False):
        """The IMAP check alone, or with SMTP also the outgoing check of
        the main Dovecot's submission service (STARTTLS, as on port 587)."""
        args = [program, "--check", "--email", self.user, "--server", server,
                "--port", str(port or self.port), "--security", "ssl",
                "--ca-file", self.ca, "--password-stdin", "--json"]
        if smtp:
            args += ["--smtp-server", "127.0.0.1", "--smtp-port", self.submission_port,
                     "--smtp-security", "starttls"]
        elif self.smtp_options:
            args += ["--no-smtp"]
        if timeout is not None:
            args += ["--timeout", str(timeout)]
        return args

    def curl_args(self, cacert, examine=False):
        # With EXAMINE, curl sends the check's mailbox command instead of its
        # LIST "INBOX" *, which does not open the mailbox.
        url = f"imaps://127.0.0.1:{self.port}/" + ("" if examine else "INBOX")
        return (["curl", "--silent", "--show-error", "--cacert", cacert, url,
                 "-K", self.curl_config,
                 "--write-out", "\ntimes %{time_connect} %{time_appconnect} %{time_total}\n"]
                + (["--request", "EXAMINE INBOX"] if examine else []))

    def bench_check(self):
        password = (self.password + "\n").encode()
        variants = {
            "mail-setup": lambda: run(self.check_args(self.mail_setup), password,
                                      self.check_env),
            "curl": lambda: run(self.curl_args(self.ca), env=self.check_env),
            "curl-examine": lambda: run(self.curl_args(self.ca, examine=True),
                                        env=self.check_env),
        }
        samples = interleaved(variants, self.options.runs)
        for name, runs in samples.items():
            require(runs, name)

        startup = interleaved({
            "mail-setup": lambda: run([self.mail_setup, "--version"], env=self.check_env),
            "curl": lambda: run(["curl", "--version"], env=self.check_env),
        }, self.options.runs)

        tls_stage = [self.stage_ms(sample, "tls") for sample in samples["mail-setup"]]
        curl_handshake = [self.curl_handshake_ms(sample) for sample in samples["curl"]]

        after_tls = [sum(self.stage_ms(sample, stage)
                         for stage in ("greeting", "sign-in", "mailbox", "logout"))
                     for sample in samples["mail-setup"]]
        curl_after_handshake = [self.curl_after_handshake_ms(sample)
                                for sample in samples["curl"]]
        check_ms = [self.check_ms(sample) for sample in samples["mail-setup"]]
        curl_total = [self.curl_times(sample)[2] * 1000.0 for sample in samples["curl"]]

        result = {name: {"wall_ms": summary(runs), "max_rss_kb": summary(runs, "max_rss_kb"),
                         "cpu_ms": summary(runs, "cpu_ms")}
                  for name, runs in samples.items()}
        result["startup_version"] = {name: {"wall_ms": summary(runs)}
                                     for name, runs in startup.items()}
        result["tls_ms"] = {
            "mail-setup_tls_stage": median(tls_stage),
            "curl_handshake": round(median(curl_handshake), 2),
        }
        result["after_tls_ms"] = {
            "mail-setup_greeting_to_logout": median(after_tls),
            "curl_handshake_to_end": round(median(curl_after_handshake), 2),
        }
        result["in_process_ms"] = {
            "mail-setup_stages": median(check_ms),
            "curl_time_total": round(median(curl_total), 2),
        }
        main = median([s.ms for s in samples["mail-setup"]])
        curl = median([s.ms for s in samples["curl"]])
        curl_examine = median([s.ms for s in samples["curl-examine"]])
        result["ratio_mail_setup_to_curl"] = ratio(main, curl)
        result["ratio_mail_setup_to_curl_examine"] = ratio(main, curl_examine)
        self.results["check_vs_curl"] = result

        section = "1 check vs curl"
        self.row(section, "mail-setup --check vs curl (median wall)", main, curl,
                 target=(1.0, "ratio"))
        self.row(section, "  same mailbox command: vs curl --request 'EXAMINE INBOX'",
                 main, curl_examine)
        self.row(section, "  start-up only: --version vs curl --version",
                 median([s.ms for s in startup["mail-setup"]]),
                 median([s.ms for s in startup["curl"]]))
        self.row(section, "  in process: the check's stages vs curl's time_total",
                 median(check_ms), median(curl_total))
        self.row(section, "  TLS: mail-setup stage vs curl handshake",
                 median(tls_stage), median(curl_handshake))
        self.row(section, "  after TLS: greeting to logout vs curl",
                 median(after_tls), median(curl_after_handshake))
        self.row(section, "  peak RSS vs curl", median([s.max_rss_kb for s in samples["mail-setup"]]),
                 median([s.max_rss_kb for s in samples["curl"]]), unit="KiB")

    # 1b. The check with its outgoing server against curl

    def curl_imap_group(self):
        return ["--silent", "--show-error", "--cacert", self.ca,
                f"imaps://127.0.0.1:{self.port}/INBOX", "-K", self.curl_config,
                "--write-out", "\nimap-times %{time_connect} %{time_appconnect} %{time_total}\n"]

    def curl_smtp_group(self):
        # curl has no command for "would you take mail from this sender?":
        # without an upload it says HELP instead of MAIL FROM. --request
        # puts MAIL FROM in its place, so curl says EHLO, STARTTLS, EHLO,
        # AUTH PLAIN with the initial response (--sasl-ir, one round trip,
        # as the check signs in), MAIL FROM and QUIT: the check's commands
        # but its RSET. Nothing is sent: no --mail-rcpt, no upload.
        return ["--silent", "--show-error", "--cacert", self.ca,
                f"smtp://127.0.0.1:{self.submission_port}", "--ssl-reqd", "--sasl-ir",
                "-K", self.curl_config, "--request", f"MAIL FROM:<{self.user}>",
                "--write-out", "\nsmtp-times %{time_connect} %{time_appconnect} %{time_total}\n"]

    def bench_sending(self):
        password = (self.password + "\n").encode()
        # The check runs its IMAP and SMTP checks side by side; so does one
        # curl with --parallel, each transfer on its own connection.
        variants = {
            "curl-imap-and-smtp": lambda: run(["curl", "--parallel", *self.curl_imap_group(),
                                               "--next", *self.curl_smtp_group()],
                                              env=self.check_env),
            "curl-smtp": lambda: run(["curl", *self.curl_smtp_group()], env=self.check_env),
        }
        if self.smtp_options:
            variants["mail-setup"] = lambda: run(self.check_args(self.mail_setup, smtp=True),
                                                 password, self.check_env)
            variants["mail-setup-imap"] = lambda: run(self.check_args(self.mail_setup),
                                                      password, self.check_env)
        else:
            print("bench: this mail-setup has no --smtp-server: only curl is measured",
                  file=sys.stderr, flush=True)
        samples = interleaved(variants, self.options.runs)
        for name, runs in samples.items():
            require(runs, name)
        result = {name: {"wall_ms": summary(runs), "max_rss_kb": summary(runs, "max_rss_kb"),
                         "cpu_ms": summary(runs, "cpu_ms")}
                  for name, runs in samples.items()}
        # SMTP's own time in the parallel run, where it shares the machine
        # with IMAP as the check's SMTP stages do; and alone.
        result["curl_smtp_time_total_ms"] = round(median(
            [self.curl_times(sample, "smtp-times")[2] * 1000.0
             for sample in samples["curl-imap-and-smtp"]]), 2)
        result["curl_smtp_alone_time_total_ms"] = round(median(
            [self.curl_times(sample, "smtp-times")[2] * 1000.0
             for sample in samples["curl-smtp"]]), 2)
        self.results["check_with_sending_vs_curl"] = result
        if not self.smtp_options:
            result["mail-setup"] = "not measured: no --smtp-server option"
            return

        main = median([s.ms for s in samples["mail-setup"]])
        curl = median([s.ms for s in samples["curl-imap-and-smtp"]])
        result["ratio_mail_setup_to_curl"] = ratio(main, curl)
        section = "1b check with sending vs curl"
        self.row(section, "mail-setup --check, IMAP + SMTP, vs one curl --parallel (median wall)",
                 main, curl, target=(1.0, "ratio"))
        self.row(section, "  what SMTP adds: vs mail-setup --check --no-smtp", main,
                 median([s.ms for s in samples["mail-setup-imap"]]))
        outgoing_ms = [self.outgoing_check_ms(sample) for sample in samples["mail-setup"]]
        if None not in outgoing_ms:
            result["outgoing_stages_ms"] = median(outgoing_ms)
            self.row(section, "  in process: the SMTP check's stages vs curl's smtp time_total",
                     median(outgoing_ms), result["curl_smtp_time_total_ms"])
        self.row(section, "  peak RSS vs curl", median([s.max_rss_kb for s in samples["mail-setup"]]),
                 median([s.max_rss_kb for s in samples["curl-imap-and-smtp"]]), unit="KiB")

    @staticmethod
    def outgoing_check_ms(sample):
        """The sum of the SMTP check's stages in the JSON report ("smtp")."""
        outgoing = json.loads(sample.stdout).get("smtp")
        if not isinstance(outgoing, dict) or not isinstance(outgoing.get("stages"), list):
            return None
        return sum(stage.get("ms") or 0 for stage in outgoing["stages"])

    @staticmethod
    def stage_ms(sample, name):
        report = json.loads(sample.stdout)
        for stage in report["stages"]:
            if stage["name"] == name:
                return stage["ms"]
        raise RuntimeError(f"no stage {name} in the report")

    @staticmethod
    def curl_handshake_ms(sample):
        connect, handshake_done, _ = Bench.curl_times(sample)
        return (handshake_done - connect) * 1000.0

    @staticmethod
    def curl_after_handshake_ms(sample):
        _, handshake_done, total = Bench.curl_times(sample)
        return (total - handshake_done) * 1000.0

    @staticmethod
    def curl_times(sample, label="times"):
        match = re.search(rb"^" + label.encode() + rb" ([0-9.]+) ([0-9.]+) ([0-9.]+)$",
                          sample.stdout, re.MULTILINE)
        if not match:
            raise RuntimeError("curl printed no times")
        return tuple(float(group) for group in match.groups())

    # 2. Time to a diagnosis

    def diagnosis(self, sample):
        try:
            return json.loads(sample.stdout)["diagnosis"]
        except (ValueError, KeyError):
            return None

    def start_never_greets(self):
        server = subprocess.Popen([sys.executable, SCRIPTED_SERVER, "--scenario", "never-greets",
                                   "--exit-on-stdin-eof"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=self.env)
        ready, _, _ = select.select([server.stdout], [], [], 10)
        line = server.stdout.readline().decode() if ready else ""
        if not line.startswith("READY "):
            server.kill()
            server.wait()
            raise RuntimeError(f"the scripted server did not start: {line!r}")
        return server, int(line.split()[1])

    def bench_diagnosis(self):
        password = (self.password + "\n").encode()
        result = {}
        section = "2 time to a diagnosis"

        server, port = self.start_never_greets()
        try:
            silent = [run(self.check_args(self.mail_setup, port=port, timeout=2), password,
                          self.check_env) for _ in range(self.options.silent_runs)]
        finally:
            server.stdin.close()
            server.terminate()
            server.wait()
        require(silent, "never-greets", expected_status=1)
        result["never_greets_timeout_2"] = {"wall_ms": summary(silent),
                                            "diagnosis": self.diagnosis(silent[0]),
                                            "check_ms": [self.check_ms(s) for s in silent]}
        self.row(section, f"never greets, --timeout 2, slowest of {len(silent)} "
                 f"[{self.diagnosis(silent[0])}]",
                 max(s.ms for s in silent), target=(2200, "value"))
        self.row(section, "  the check's own time (its stages), slowest",
                 max(self.check_ms(s) for s in silent))

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            closed_port = sock.getsockname()[1]
        closed = interleaved({
            "mail-setup": lambda: run(self.check_args(self.mail_setup, port=closed_port),
                                      password, self.check_env),
            "curl": lambda: run(["curl", "--silent", f"imaps://127.0.0.1:{closed_port}/"],
                                env=self.check_env),
        }, self.options.runs)
        require(closed["mail-setup"], "closed port", expected_status=1)
        require(closed["curl"], "curl to a closed port", expected_status=7)
        closed_ms = median([s.ms for s in closed["mail-setup"]])
        closed_curl_ms = median([s.ms for s in closed["curl"]])
        closed_check_ms = median([self.check_ms(s) for s in closed["mail-setup"]])
        result["closed_port"] = {
            name: {"wall_ms": summary(runs)} for name, runs in closed.items()}
        result["closed_port"]["diagnosis"] = self.diagnosis(closed["mail-setup"][0])
        result["closed_port"]["check_ms_median"] = closed_check_ms
        self.row(section, f"closed port, exec to exit, vs curl "
                 f"[{self.diagnosis(closed['mail-setup'][0])}]",
                 closed_ms, closed_curl_ms, target=(50, "value"))
        self.row(section, "  the check's own time (its stages)", closed_check_ms)

        lookups = interleaved({
            "mail-setup": lambda: run(self.check_args(self.mail_setup, server=UNRESOLVABLE),
                                      password, self.check_env),
            "curl": lambda: run(["curl", "--silent", f"imaps://{UNRESOLVABLE}/"],
                                env=self.check_env),
            "getent": lambda: run(["getent", "ahosts", UNRESOLVABLE], env=self.check_env),
        }, self.options.lookup_runs, warm_up=1)
        require(lookups["mail-setup"], "unresolvable name", expected_status=1)
        require(lookups["curl"], "curl to an unresolvable name", expected_status=6)
        unresolved_ms = median([s.ms for s in lookups["mail-setup"]])
        resolve_stage_ms = median([self.stage_ms(s, "resolve") for s in lookups["mail-setup"]])
        getent_ms = median([s.ms for s in lookups["getent"]])
        result["unresolvable_name"] = {
            name: {"wall_ms": summary(runs)} for name, runs in lookups.items()}
        result["unresolvable_name"]["diagnosis"] = self.diagnosis(lookups["mail-setup"][0])
        result["unresolvable_name"]["resolve_stage_ms_median"] = resolve_stage_ms
        result["unresolvable_name"]["check_ms_median"] = median(
            [self.check_ms(s) for s in lookups["mail-setup"]])
        self.row(section, f"{UNRESOLVABLE}, exec to exit, vs curl "
                 f"[{self.diagnosis(lookups['mail-setup'][0])}]",
                 unresolved_ms, median([s.ms for s in lookups["curl"]]))
        self.row(section, "  resolve stage vs `getent ahosts` (whole process)",
                 resolve_stage_ms, getent_ms, target=(1.0, "ratio"))
        self.results["time_to_diagnosis"] = result

    @staticmethod
    def check_ms(sample):
        """The check's own time: its stages, without start-up and exit."""
        return sum(stage["ms"] for stage in json.loads(sample.stdout)["stages"])

    # 3. Window start-up

    def bench_window(self):
        if not os.path.exists(self.ui_module):
            raise RuntimeError(f"{self.ui_module} is missing: the window is in that module "
                               "(meson compile src/mail-setup-ui:shared_module)")
        env = dict(self.env, MAIL_SETUP_EXIT_AFTER_FIRST_FRAME="1")
        samples = interleaved({
            "mail-setup": lambda: run([self.mail_setup], env=env, timeout=60),
            "minimal-window": lambda: run([self.minimal_window], env=env, timeout=60),
        }, self.options.window_runs, warm_up=2)
        for name, runs in samples.items():
            require(runs, name)
        result = {name: {"wall_ms": summary(runs), "max_rss_kb": summary(runs, "max_rss_kb"),
                         "cpu_ms": summary(runs, "cpu_ms")}
                  for name, runs in samples.items()}
        section = "3 window start-up"
        for field, what, unit in (("ms", "exec to first frame (median)", "ms"),
                                  ("max_rss_kb", "peak RSS (median)", "KiB"),
                                  ("cpu_ms", "CPU time, user+sys (median)", "ms")):
            value = median([getattr(s, field) for s in samples["mail-setup"]])
            baseline = median([getattr(s, field) for s in samples["minimal-window"]])
            result[f"ratio_{field}"] = ratio(value, baseline)
            self.row(section, f"{what} vs minimal window", value, baseline, unit=unit,
                     target=(1.3, "ratio") if field != "cpu_ms" else None)
        self.results["window_startup"] = result

    # 5. --token, warm, against secret-tool

    def identity(self, path, fields=None):
        """A request to the test identity server: a POST of FIELDS, else a
        GET; its JSON answer."""
        url = os.environ["MAIL_SETUP_TEST_IDENTITY_URL"] + path
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with urllib.request.urlopen(url, data=data, timeout=10) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as error:
            return json.load(error)

    def save_token_account(self, env):
        """A Microsoft sign-in saved as the window saves one: a device code
        approved at the identity server, its refresh token in the keyring
        (the schema's attributes, as secret-tool stores them), the account
        in a keyfile of the bench's own."""
        client = {"client_id": "bench", "scope": TOKEN_SCOPE}
        code = self.identity("/common/oauth2/v2.0/devicecode", client)
        self.identity("/control/approve", {"user_code": code["user_code"],
                                           "username": TOKEN_USER})
        # A poll sooner than the code's interval is answered slow_down.
        time.sleep(code["interval"] + 0.1)
        tokens = self.identity("/common/oauth2/v2.0/token", {
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "client_id": "bench", "device_code": code["device_code"]})
        if "refresh_token" not in tokens:
            raise RuntimeError(f"the identity server gave no tokens: {tokens.get('error')}")
        port = os.environ["MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"]
        folder = os.path.join(env["XDG_CONFIG_HOME"], "mail-setup")
        os.makedirs(folder, mode=0o700)
        with open(os.path.join(folder, "accounts.ini"), "w") as keyfile:
            keyfile.write(f"[{TOKEN_USER}]\nemail={TOKEN_USER}\nprovider=other\n"
                          f"server=127.0.0.1\nport={port}\nsecurity=ssl\n"
                          f"username={TOKEN_USER}\nauthtype=oauth2\n"
                          "smtp-server=127.0.0.1\nsmtp-port=587\nsmtp-security=starttls\n"
                          f"smtp-username={TOKEN_USER}\n")
        for authtype, label, secret in (
                ("oauth2", "IMAP", tokens["refresh_token"]),
                ("oauth2-access", "access token",
                 f"{int(time.time()) + tokens['expires_in']}\n{tokens['access_token']}")):
            subprocess.run(["secret-tool", "store", "--label", f"Mail Setup: {TOKEN_USER} ({label})",
                            "xdg:schema", "io.github.mailsetup.Account", "user", TOKEN_USER,
                            "server", "127.0.0.1", "port", port, "protocol", "imap",
                            "email", TOKEN_USER, "authtype", authtype],
                           input=secret.encode(), check=True, env=env)

    def refresh_requests(self):
        return self.identity("/control/requests")["refresh_token"]

    def bench_token(self):
        env = dict(self.check_env,
                   XDG_CONFIG_HOME=os.path.join(self.work, "token-config"),
                   XDG_RUNTIME_DIR=os.path.join(self.work, "token-runtime"),
                   MAIL_SETUP_OAUTH_AUTHORITY=os.environ["MAIL_SETUP_TEST_IDENTITY_URL"])
        os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
        self.save_token_account(env)
        token_args = [self.mail_setup, "--token", TOKEN_USER]
        # secret-tool reads the very item that a warm --token reads.
        lookup_args = ["secret-tool", "lookup", "email", TOKEN_USER, "authtype", "oauth2-access"]
        clear_args = ["secret-tool", "clear", "email", TOKEN_USER, "authtype", "oauth2-access"]

        before = self.refresh_requests()
        samples = interleaved({
            "mail-setup": lambda: run(token_args, env=env),
            "secret-tool": lambda: run(lookup_args, env=env),
            # What the program costs before it reads the keyring.
            "mail-setup-version": lambda: run([self.mail_setup, "--version"], env=env),
        }, self.options.runs)
        for name, runs in samples.items():
            require(runs, name)
        asked = self.refresh_requests() - before
        if asked != 0:
            raise RuntimeError(f"warm --token asked the identity server {asked} times")
        tokens = {sample.stdout for sample in samples["mail-setup"]}
        if len(tokens) != 1 or not tokens.pop().startswith(b"at-"):
            raise RuntimeError("warm --token did not print one and the same token")

        result = {name: {"wall_ms": summary(runs), "max_rss_kb": summary(runs, "max_rss_kb"),
                         "cpu_ms": summary(runs, "cpu_ms")}
                  for name, runs in samples.items()}
        result["warm_refresh_requests"] = asked
        main = median([s.ms for s in samples["mail-setup"]])
        lookup = median([s.ms for s in samples["secret-tool"]])
        result["ratio_mail_setup_to_secret_tool"] = ratio(main, lookup)
        self.results["token_vs_secret_tool"] = result

        section = "5 --token vs secret-tool"
        self.row(section, "warm mail-setup --token vs secret-tool lookup (median wall)", main,
                 lookup, target=(1.5, "ratio"))
        self.row(section, "  of which start-up: mail-setup --version",
                 median([s.ms for s in samples["mail-setup-version"]]))
        self.row(section, "  CPU time, user+sys",
                 median([s.cpu_ms for s in samples["mail-setup"]]),
                 median([s.cpu_ms for s in samples["secret-tool"]]))
        self.row(section, "  peak RSS", median([s.max_rss_kb for s in samples["mail-setup"]]),
                 median([s.max_rss_kb for s in samples["secret-tool"]]), unit="KiB")

        # Cold: the access token is gone, so each call refreshes (the
        # sign-in module, libsoup, one request to the identity server).
        if not os.path.exists(os.path.join(self.build, "src", "mail-setup-sign-in.so")):
            print("bench: no mail-setup-sign-in.so in the build: cold --token not measured",
                  file=sys.stderr, flush=True)
            return

        def cold():
            subprocess.run(clear_args, check=True, env=env)
            return run(token_args, env=env)

        cold_runs = interleaved({"mail-setup": cold}, max(3, self.options.runs // 5), warm_up=1)
        require(cold_runs["mail-setup"], "mail-setup --token (cold)")
        result["cold"] = {"wall_ms": summary(cold_runs["mail-setup"])}
        self.row(section, "  cold: refresh at the local identity server and keep (median)",
                 median([s.ms for s in cold_runs["mail-setup"]]), lookup)

    # 4. Instructions, with callgrind

    def callgrind(self, name, args, stdin_data=b""):
        out = os.path.join(self.work, f"{name}.callgrind")
        sample = run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + args,
                     stdin_data, self.check_env, timeout=300)
        if sample.status != 0:
            raise RuntimeError(f"{name} under callgrind: exit status {sample.status}")
        annotated = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                                    out], stdout=subprocess.PIPE, check=True).stdout.decode()
        total = int(re.search(r"^([\d,]+) .*PROGRAM TOTALS", annotated,
                              re.MULTILINE).group(1).replace(",", ""))
        inclusive = {}
        for match in re.finditer(r"^\s*([\d,]+) \([^)]*\)\s+\S*?:(\S+) \[", annotated,
                                 re.MULTILINE):
            inclusive.setdefault(match.group(2), int(match.group(1).replace(",", "")))
        parts = {
            # Loading and relocating the shared libraries, before main().
            "dynamic_loading": inclusive.get("_dl_start", 0),
            # The libraries' constructors.
            "library_constructors": inclusive.get("_dl_init", 0),
            "system_trust": inclusive.get("gnutls_certificate_set_x509_system_trust", 0),
        }
        return total, parts

    def bench_instructions(self):
        password = (self.password + "\n").encode()
        section = "4 instructions (callgrind)"
        result = {}
        for name, args, stdin_data in (
                ("mail-setup", self.check_args(self.mail_setup, timeout=60), password),
                ("curl", self.curl_args(self.ca), b"")):
            total, parts = self.callgrind(name, args, stdin_data)
            result[name] = {"total_ir": total, **{f"{key}_ir": value
                                                  for key, value in parts.items()}}
        curl = result["curl"]
        parts = result["mail-setup"]
        self.row(section, "mail-setup --check, total Ir vs curl", parts["total_ir"] / 1e6,
                 curl["total_ir"] / 1e6, unit="M Ir")
        self.row(section, "  dynamic loading (_dl_start)", parts["dynamic_loading_ir"] / 1e6,
                 curl["dynamic_loading_ir"] / 1e6, unit="M Ir")
        self.row(section, "  library constructors (_dl_init)",
                 parts["library_constructors_ir"] / 1e6,
                 curl["library_constructors_ir"] / 1e6, unit="M Ir")
        # With --ca-file and a chain that verifies against it, 0: the
        # system's bundle is not read.
        self.row(section, "  gnutls_certificate_set_x509_system_trust",
                 parts["system_trust_ir"] / 1e6, unit="M Ir")
        self.results["instructions"] = result

    # Output

    def machine(self):
        info = {"nproc": os.cpu_count(), "cpu": None, "ram_gib": None,
                "kernel": platform.release(), "python": platform.python_version()}
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        info["load_average"] = [round(load, 2) for load in os.getloadavg()]
        if os.path.exists("/etc/debian_version"):
            with open("/etc/debian_version") as version:
                info["debian"] = version.read().strip()
        info["curl"] = subprocess.run(["curl", "--version"], stdout=subprocess.PIPE,
                                      check=True).stdout.decode().splitlines()[0]
        return info

    def print_table(self):
        headers = ("measure", "mail-setup", "baseline", "ratio", "target", "")
        lines = []
        for section, what, value, baseline, value_ratio, unit, target, verdict in self.rows:
            lines.append((section, what, f"{value:.1f} {unit}",
                          f"{baseline:.1f} {unit}" if baseline is not None else "",
                          f"{value_ratio:.2f}" if value_ratio is not None else "",
                          target, verdict))
        widths = [max(len(headers[i]), *(len(line[i + 1]) for line in lines))
                  for i in range(len(headers))]
        current = None
        print()
        print("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
        for line in lines:
            if line[0] != current:
                current = line[0]
                print(f"-- {current}")
            print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) if i < 4 else cell.ljust(w)
                            for i, (cell, w) in enumerate(zip(line[1:], widths))).rstrip())
        print()

    def write(self, path):
        document = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": dict(self.machine_info, load_average_at_end=[
                round(load, 2) for load in os.getloadavg()]),
            "runs": {"check": self.options.runs, "window": self.options.window_runs,
                     "never_greets": self.options.silent_runs,
                     "unresolvable": self.options.lookup_runs},
            "results": self.results,
            "table": [{"section": section, "measure": what.strip(), "value": value,
                       "baseline": baseline, "ratio": value_ratio, "unit": unit,
                       "target": target, "verdict": verdict}
                      for section, what, value, baseline, value_ratio, unit, target, verdict
                      in self.rows],
        }
        with open(path, "w") as output:
            json.dump(document, output, indent=2)
            output.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="the release build folder")
    parser.add_argument("--output", required=True, help="where the JSON goes")
    parser.add_argument("--runs", type=int, default=25,
                        help="runs of each check and of each closed-port check (25)")
    parser.add_argument("--window-runs", type=int, default=20,
                        help="runs of each window (20)")
    parser.add_argument("--silent-runs", type=int, default=3,
                        help="checks against the server that never greets (3)")
    parser.add_argument("--lookup-runs", type=int, default=5,
                        help="checks of the name that does not resolve (5)")
    parser.add_argument("--no-callgrind", action="store_true",
                        help="skip the instruction counts")
    parser.add_argument("--only", action="append", choices=SECTIONS,
                        help="run this section alone (repeatable)")
    options = parser.parse_args()

    global RUSAGE
    RUSAGE = os.path.join(os.path.abspath(options.build), "bench", "rusage")
    if not os.access(RUSAGE, os.X_OK):
        print(f"bench: {RUSAGE} is missing: bench/run builds it", file=sys.stderr)
        return 2

    bench = Bench(options)
    try:
        steps = [("check", "check against curl", bench.bench_check),
                 ("sending", "check with sending against curl", bench.bench_sending),
                 ("diagnosis", "time to a diagnosis", bench.bench_diagnosis),
                 ("window", "window start-up", bench.bench_window),
                 ("callgrind", "instructions under callgrind", bench.bench_instructions),
                 ("token", "--token against secret-tool", bench.bench_token)]
        for name, title, step in steps:
            if (options.only and name not in options.only or
                    name == "callgrind" and options.no_callgrind and not options.only):
                continue
            print(f"bench: {title}…", file=sys.stderr, flush=True)
            step()
        bench.print_table()
        bench.write(options.output)
        print(f"bench: the numbers are in {options.output}", file=sys.stderr)
    except (RuntimeError, OSError, ValueError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    finally:
        bench.close()
    return 1 if any(row[7] == "MISSED" for row in bench.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
