/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A NUL-terminated password or token that is wiped before its memory is
 * given back. Use it for every copy of a secret, including encoded ones. */
typedef char MailSetupSecret;

MailSetupSecret *mail_setup_secret_new  (const char      *text);
MailSetupSecret *mail_setup_secret_take (char            *text);
void             mail_setup_secret_free (MailSetupSecret *secret);
void             mail_setup_secret_wipe (gpointer         data,
                                         gsize            length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailSetupSecret, mail_setup_secret_free)

G_END_DECLS
