# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by build-aux/run and build-aux/test: installs the Debian packages
# that are missing, then configures and builds _build. Safe to run again;
# quick when nothing is missing.

set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

build_packages=(
    build-essential meson ninja-build pkg-config gettext
    libglib2.0-dev libglib2.0-dev-bin libglib2.0-bin
    libgtk-4-dev libadwaita-1-dev libsecret-1-dev libgnutls28-dev libjson-glib-dev
    libsoup-3.0-dev
    appstream desktop-file-utils
)
test_packages=(
    python3 openssl xvfb xauth dbus-daemon gnome-keyring libsecret-tools
    dovecot-imapd dovecot-submissiond isync valgrind
    msmtp neomutt aerc  # the mail programs that the exported configurations are fed to
    libsasl2-modules-kdexoauth2  # XOAUTH2 for mbsync, through Cyrus SASL
    locales  # localedef's de_DE source for tests/test-i18n.c
    binutils  # readelf, for tests/check-program-links.sh
    libxtst-dev  # XTest, for the key presses of tests/test-keyboard.c
    at-spi2-core python3-pyatspi  # the accessibility bus, read by tests/check-accessible-tree.py
    gsettings-desktop-schemas  # the desktop's High Contrast switch, which libadwaita follows
)
# bench/run, beside the test packages.
bench_packages=(
    curl valgrind
)
# Only CI builds and runs the fuzzers (build-aux/run-fuzzers).
ci_packages=(
    clang libclang-rt-14-dev
)

install_missing_packages() {
    local missing=()
    local package
    for package in "$@"; do
        if ! dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null | grep -qx installed; then
            missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    echo "Installing missing packages: ${missing[*]}" >&2
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    packages_installed=1
}

# configure_and_build DIR [MESON OPTIONS...]
configure_and_build() {
    local build_dir=$1
    shift
    if [ ! -f "$build_dir/build.ninja" ]; then
        meson setup "$build_dir" "$@"
    elif [ -n "${packages_installed:-}" ]; then
        # A build configured before, say by build-aux/run, has not looked
        # for what was installed just now (libXtst for the keyboard test).
        meson setup --reconfigure "$build_dir" "$@"
    elif [ $# -gt 0 ]; then
        meson configure "$build_dir" "$@"
    fi
    meson compile -C "$build_dir"
}
