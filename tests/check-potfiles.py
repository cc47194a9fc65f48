#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when a file with translatable strings is missing from po/POTFILES.in,
when POTFILES.in names a file that does not exist, or when it is not sorted."""

import os
import re
import sys

top = sys.argv[1]
TRANSLATABLE = {
    ".c": re.compile(r'\b(?:N?_|C_|NC_|g_dngettext|ngettext)\s*\(\s*"'),
    ".ui": re.compile(r'translatable="yes"'),
    ".in": re.compile(r"^(Name|GenericName|Comment|Keywords)=|<summary>|<p>", re.M),
    ".xml": re.compile(r"<_?(name|description|title|text|summary)\b|translatable=\"yes\""),
}
SKIP = {"tests", "_build", "_build-sanitize", ".git", "build-aux"}

listed = []
with open(os.path.join(top, "po", "POTFILES.in")) as potfiles:
    for line in potfiles:
        line = line.strip()
        if line and not line.startswith("#"):
            listed.append(line)

failures = []
if listed != sorted(listed):
    failures.append("po/POTFILES.in is not sorted")
for path in listed:
    if not os.path.exists(os.path.join(top, path)):
        failures.append(f"po/POTFILES.in names {path}, which does not exist")

for folder in ("src", "data"):
    for root, dirs, files in os.walk(os.path.join(top, folder)):
        dirs[:] = [d for d in dirs if d not in SKIP and not d.startswith("_build")]
        for name in files:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, top)
            pattern = TRANSLATABLE.get(os.path.splitext(name)[1])
            # A D-Bus service file's Name= is a bus name, for no one to read.
            if name.endswith(".service.in"):
                pattern = None
            if pattern is None or relative in listed:
                continue
            with open(path, errors="replace") as source:
                if pattern.search(source.read()):
                    failures.append(f"{relative} has translatable strings but is not in po/POTFILES.in")

for failure in failures:
    print(failure)
sys.exit(1 if failures else 0)
