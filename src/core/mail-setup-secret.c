/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gnutls/gnutls.h>
#include <string.h>

#include "mail-setup-secret.h"

/* gnutls_memset() is written so that the compiler cannot drop it as a
 * store to memory that is about to be freed. */
void
mail_setup_secret_wipe (gpointer data,
                        gsize    length)
{
  if (data != NULL && length > 0)
    gnutls_memset (data, 0, length);
}

MailSetupSecret *
mail_setup_secret_new (const char *text)
{
  return g_strdup (text);
}

/* Takes ownership of TEXT, which from now on is wiped when freed. */
MailSetupSecret *
mail_setup_secret_take (char *text)
{
  return text;
}

void
mail_setup_secret_free (MailSetupSecret *secret)
{
  if (secret == NULL)
    return;

  mail_setup_secret_wipe (secret, strlen (secret));
  g_free (secret);
}
