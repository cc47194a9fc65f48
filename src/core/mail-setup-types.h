/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* How a connection to a mail server is secured. There is deliberately no
 * "none": passwords and tokens never cross a connection without TLS. */
typedef enum
{
  MAIL_SETUP_SECURITY_SSL_TLS,
  MAIL_SETUP_SECURITY_STARTTLS,
} MailSetupSecurity;

const char *mail_setup_security_to_string   (MailSetupSecurity  security);
gboolean    mail_setup_security_from_string (const char        *text,
                                             MailSetupSecurity *security);

G_END_DECLS
