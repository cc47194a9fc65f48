#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a test that needs the services of build-aux/with-test-services, or
# reports it as skipped where they are not there (a distribution's plain
# `meson test`): exit status 77, or with --tap first, a TAP plan that skips.
#
#   skip-without-services.sh [--tap] COMMAND [ARGS...]

set -eu

tap=
if [ "${1:-}" = --tap ]; then
    tap=1
    shift
fi

if [ -z "${MAIL_SETUP_TEST_DIR:-}" ]; then
    reason="needs the test services: run through build-aux/test or build-aux/with-test-services"
    if [ -n "$tap" ]; then
        echo "1..0 # SKIP $reason"
        exit 0
    fi
    echo "SKIP: $reason"
    exit 77
fi

exec "$@"
