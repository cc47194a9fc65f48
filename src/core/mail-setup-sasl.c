/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "mail-setup-sasl.h"

/* RFC 4616: an empty authorisation identity, NUL, user, NUL, password. The
 * message starts with a NUL, so it is wiped by its length, not as a
 * string. */
MailSetupSecret *
mail_setup_sasl_plain_response (const char *username,
                                const char *password)
{
  gsize user_length = strlen (username);
  gsize password_length = strlen (password);
  gsize message_length = 1 + user_length + 1 + password_length;
  char *message = g_malloc0 (message_length + 1);
  MailSetupSecret *encoded;

  memcpy (message + 1, username, user_length);
  memcpy (message + 2 + user_length, password, password_length);
  encoded = mail_setup_secret_take (g_base64_encode ((const guchar *) message, message_length));

  mail_setup_secret_wipe (message, message_length);
  g_free (message);

  return encoded;
}

/* The user name and a bearer token, as Google and Microsoft document
 * XOAUTH2. */
MailSetupSecret *
mail_setup_sasl_xoauth2_response (const char *username,
                                  const char *access_token)
{
  g_autoptr(MailSetupSecret) message = NULL;

  message = mail_setup_secret_take (g_strdup_printf ("user=%s\001auth=Bearer %s\001\001",
                                                     username, access_token));

  return mail_setup_secret_take (g_base64_encode ((const guchar *) message, strlen (message)));
}
