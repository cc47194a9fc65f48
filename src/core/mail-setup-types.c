/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "mail-setup-types.h"

/* The strings of the command line, the keyfile and the JSON report. */
const char *
mail_setup_security_to_string (MailSetupSecurity security)
{
  switch (security)
    {
    case MAIL_SETUP_SECURITY_SSL_TLS:
      return "ssl";
    case MAIL_SETUP_SECURITY_STARTTLS:
      return "starttls";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
mail_setup_security_from_string (const char        *text,
                                 MailSetupSecurity *security)
{
  g_return_val_if_fail (security != NULL, FALSE);

  if (g_strcmp0 (text, "ssl") == 0 || g_strcmp0 (text, "tls") == 0)
    *security = MAIL_SETUP_SECURITY_SSL_TLS;
  else if (g_strcmp0 (text, "starttls") == 0)
    *security = MAIL_SETUP_SECURITY_STARTTLS;
  else
    return FALSE;

  return TRUE;
}
