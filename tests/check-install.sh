#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into a temporary folder and runs the installed program.
set -eu

build_root=$1
prefix=$2
libdir=$3
destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT

meson install -C "$build_root" --destdir "$destdir" --no-rebuild --quiet

for file in \
    bin/mail-setup \
    "$libdir/mail-setup/mail-setup-ui.so" \
    "$libdir/mail-setup/mail-setup-sign-in.so" \
    share/applications/io.github.mailsetup.MailSetup.desktop \
    share/dbus-1/services/io.github.mailsetup.MailSetup.service \
    share/metainfo/io.github.mailsetup.MailSetup.metainfo.xml \
    share/icons/hicolor/scalable/apps/io.github.mailsetup.MailSetup.svg \
    share/icons/hicolor/symbolic/apps/io.github.mailsetup.MailSetup-symbolic.svg \
    share/man/man1/mail-setup.1
do
    if [ ! -e "$destdir$prefix/$file" ]; then
        echo "not installed: $prefix/$file"
        exit 1
    fi
done

echo "installed:"
(cd "$destdir" && find . -type f | sort)

# The installed program runs, without a display.
env -u DISPLAY -u WAYLAND_DISPLAY "$destdir$prefix/bin/mail-setup" --version
