#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The program itself, as the README's first command runs it, opens its
# window and draws it: main() finds and loads the window module built
# beside it.

set -eu

program="$1/src/mail-setup"

if ! MAIL_SETUP_EXIT_AFTER_FIRST_FRAME=1 timeout 60 "$program"; then
    echo "no window drawn by $program" >&2
    exit 1
fi
echo "window drawn by $program"
