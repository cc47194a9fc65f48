/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `mail-setup --token ADDRESS`: prints an access token of the Microsoft
 * sign-in saved for ADDRESS, for a mail program. Returns the exit status:
 * 0 with the token on standard output, 1 when there is none to give (the
 * reason on standard error), 2 for an address that is not a saved
 * Microsoft sign-in. */
int mail_setup_cli_token (const char *address);

G_END_DECLS
