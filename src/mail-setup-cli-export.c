/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "mail-setup-account-store.h"
#include "mail-setup-cli-export.h"
#include "mail-setup-core.h"
#include "mail-setup-export.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

/* How the mail program will call Mail Setup for a token, or NULL for
 * "mail-setup". By its name when the mail-setup that PATH finds is this
 * very program: the configuration then keeps working when an update moves
 * the file. Otherwise by the absolute path of the running program, so that
 * a configuration exported from a build folder, or from a prefix that is
 * not on PATH, calls the program that exported it and not another Mail
 * Setup or none. */
static char *
find_program_path (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *found = g_find_program_in_path ("mail-setup");
  GStatBuf self_stat, found_stat;

  if (self == NULL || g_stat ("/proc/self/exe", &self_stat) != 0)
    return NULL;

  if (found != NULL && g_stat (found, &found_stat) == 0 &&
      found_stat.st_dev == self_stat.st_dev && found_stat.st_ino == self_stat.st_ino)
    return NULL;

  return g_steal_pointer (&self);
}

/* "a@example.com, b@example.org", for an error about another address. */
static char *
list_addresses (GListModel *accounts)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(MailSetupSavedAccount) saved = g_list_model_get_item (accounts, i);

      if (i > 0)
        g_string_append (list, ", ");
      g_string_append (list, mail_setup_saved_account_get_email (saved));
    }

  return g_string_free (g_steal_pointer (&list), FALSE);
}

static int
report_unknown_address (const char *address)
{
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *addresses = NULL;

  accounts = mail_setup_account_store_list (&error);
  if (accounts == NULL)
    {
      g_printerr ("mail-setup: %s\n", error->message);
      return EXIT_FAILED;
    }

  if (g_list_model_get_n_items (accounts) == 0)
    {
      g_printerr (_("mail-setup: No account is saved for %s, and no other either. Save it "
                    "first, in the window or with “mail-setup --check --store”.\n"),
                  address);
      return EXIT_USAGE;
    }

  addresses = list_addresses (accounts);
  g_printerr (_("mail-setup: No account is saved for %s. The saved accounts are: %s.\n"),
              address, addresses);

  return EXIT_USAGE;
}

/* The configuration is of no use without the secret that it reads from the
 * keyring; saying so now saves a puzzling failure in the mail program. A
 * keyring that cannot be asked is not worth a word here: --list tells. */
static void
warn_if_secret_missing (MailSetupSavedAccount *saved)
{
  g_autoptr(GListStore) accounts = g_list_store_new (MAIL_SETUP_TYPE_SAVED_ACCOUNT);
  g_autoptr(GAsyncResult) result = NULL;

  g_list_store_append (accounts, saved);
  mail_setup_account_store_refresh_secrets_async (G_LIST_MODEL (accounts), NULL,
                                                  mail_setup_store_async_result, &result);
  if (!mail_setup_account_store_refresh_secrets_finish (mail_setup_wait_for_async_result (&result),
                                                        NULL))
    return;

  if (mail_setup_saved_account_get_secret_missing (saved))
    g_printerr (_("mail-setup: The keyring has no password or sign-in for %s, so the mail "
                  "program cannot sign in with this configuration. Test the account again "
                  "in Mail Setup and save it.\n"),
                mail_setup_saved_account_get_email (saved));
}

int
mail_setup_cli_export (const char *format,
                       const char *address)
{
  MailSetupExportFormat export_format;
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *program_path = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (format != NULL, EXIT_USAGE);
  g_return_val_if_fail (address != NULL, EXIT_USAGE);

  if (!mail_setup_export_format_from_string (format, &export_format))
    {
      g_printerr (_("mail-setup: Mail Setup cannot export “%s”. The formats are: %s.\n"),
                  format, mail_setup_export_format_list ());
      return EXIT_USAGE;
    }

  saved = mail_setup_account_store_find (address, &error);
  if (g_error_matches (error, MAIL_SETUP_ACCOUNT_STORE_ERROR,
                       MAIL_SETUP_ACCOUNT_STORE_ERROR_NOT_FOUND))
    return report_unknown_address (address);
  if (saved == NULL)
    {
      g_printerr ("mail-setup: %s\n", error->message);
      return EXIT_FAILED;
    }

  program_path = find_program_path ();
  text = mail_setup_export_config_for_saved_account (export_format, saved, program_path, &error);
  if (text == NULL)
    {
      g_printerr ("mail-setup: %s\n", error->message);
      return EXIT_FAILED;
    }

  warn_if_secret_missing (saved);
  if (program_path != NULL && g_str_equal (mail_setup_saved_account_get_authtype (saved), "oauth2"))
    g_printerr (_("mail-setup: No mail-setup on PATH is this program, so the configuration "
                  "calls it by its full name, %s. If you move it or install Mail Setup, "
                  "export the configuration again.\n"),
                program_path);

  g_print ("%s", text);

  return 0;
}
