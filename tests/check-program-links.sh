#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The program links neither GTK nor libsoup: the window and Microsoft
# sign-in are modules it loads when they are wanted, so that a password
# check on the command line does not pay for loading them (bench/run).

set -eu

program=$1
needed=$(readelf --dynamic "$program" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')

echo "$program needs:" $needed
for library in libgtk libadwaita libsoup; do
    if echo "$needed" | grep -q "^$library"; then
        echo "$program links $library" >&2
        exit 1
    fi
done
