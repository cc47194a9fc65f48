/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `mail-setup --export FORMAT ADDRESS`: prints the configuration of the
 * saved account ADDRESS for the mail program FORMAT (msmtp, mbsync,
 * neomutt, aerc) on standard output. Returns the exit status: 0 when
 * printed; 2 for a format or an address that does not exist, with what
 * does exist on standard error; 1 when the saved accounts cannot be read or
 * the account cannot be written in that format. */
int mail_setup_cli_export (const char *format,
                           const char *address);

G_END_DECLS
