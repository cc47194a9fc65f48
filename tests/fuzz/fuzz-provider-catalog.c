/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <stdint.h>

#include "mail-setup-provider.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) error = NULL;

  if (size > G_MAXSSIZE)
    return 0;

  providers = mail_setup_provider_parse (size > 0 ? (const char *) data : "", (gssize) size, &error);

  /* Exactly one of a result and an error, and an error that can be shown. */
  if ((providers == NULL) == (error == NULL))
    g_error ("parse returned %p with error %p", (gpointer) providers, (gpointer) error);
  if (error != NULL && (error->domain != MAIL_SETUP_PROVIDER_ERROR ||
                        !g_utf8_validate (error->message, -1, NULL)))
    g_error ("unexpected error %s: %s", g_quark_to_string (error->domain), error->message);
  if (providers == NULL)
    return 0;

  for (guint i = 0; i < providers->len; i++)
    {
      MailSetupProvider *provider = g_ptr_array_index (providers, i);
      const char * const *domains = mail_setup_provider_get_domains (provider);

      if (mail_setup_provider_get_id (provider) == NULL ||
          mail_setup_provider_get_name (provider) == NULL ||
          mail_setup_provider_get_short_name (provider) == NULL ||
          domains == NULL)
        g_error ("provider %u lacks an id, a name or a domain list", i);

      if (mail_setup_provider_get_has_imap_server (provider) &&
          mail_setup_provider_get_imap_port (provider) == 0)
        g_error ("provider %u has an IMAP server without a port", i);

      if (mail_setup_provider_get_has_smtp_server (provider) &&
          mail_setup_provider_get_smtp_port (provider) == 0)
        g_error ("provider %u has an SMTP server without a port", i);

      for (guint j = 0; domains[j] != NULL; j++)
        {
          if (!mail_setup_provider_matches_domain (provider, domains[j]))
            g_error ("provider %u does not match its own domain %s", i, domains[j]);
        }

      for (guint j = 0; j < mail_setup_provider_get_n_help_links (provider); j++)
        {
          if (!g_str_has_prefix (mail_setup_provider_get_help_link_url (provider, j), "https:") ||
              mail_setup_provider_get_help_link_title (provider, j) == NULL)
            g_error ("provider %u has a bad help link", i);
        }
    }

  return 0;
}
