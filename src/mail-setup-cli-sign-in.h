/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gmodule.h>

#include "mail-setup-secret.h"

G_BEGIN_DECLS

/* The entry point of the module mail-setup-sign-in.so. */
typedef gboolean (*MailSetupCliSignInFunc) (const char       *username,
                                            gboolean          json,
                                            MailSetupSecret **access_token,
                                            MailSetupSecret **refresh_token,
                                            GError          **error);

G_MODULE_EXPORT gboolean mail_setup_cli_sign_in (const char       *username,
                                                 gboolean          json,
                                                 MailSetupSecret **access_token,
                                                 MailSetupSecret **refresh_token,
                                                 GError          **error);

G_END_DECLS
