/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "mail-setup-secret.h"

G_BEGIN_DECLS

/*
 * The SASL sign-in mechanisms' messages, the same bytes whichever protocol
 * carries them (IMAP's AUTHENTICATE, SMTP's AUTH): each is the base64 text
 * a client sends as its initial response, in memory that is wiped when
 * freed.
 */

MailSetupSecret *mail_setup_sasl_plain_response   (const char *username,
                                                   const char *password);
MailSetupSecret *mail_setup_sasl_xoauth2_response (const char *username,
                                                   const char *access_token);

G_END_DECLS
