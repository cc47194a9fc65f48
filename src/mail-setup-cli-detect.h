/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "mail-setup-detect.h"

G_BEGIN_DECLS

/* The detection of `mail-setup --detect ADDRESS` and of `--check` without
 * `--provider`, waited for. CA_FILE (may be NULL) is trusted besides the
 * system's authorities; TIMEOUT_SECONDS of 0 is the detector's default.
 * NULL only when ADDRESS has no valid domain (ERROR says so). */
MailSetupDetection *mail_setup_cli_detect_run   (const char          *address,
                                                 const char          *ca_file,
                                                 int                  timeout_seconds,
                                                 GError             **error);

/* Prints which provider hosts the address, how that was found and its
 * server settings, for people or, with JSON, as one object for scripts.
 * Returns the exit status: 0 when something was found, 1 when nothing
 * was. */
int                 mail_setup_cli_detect_print (MailSetupDetection  *detection,
                                                 gboolean             json);

G_END_DECLS
