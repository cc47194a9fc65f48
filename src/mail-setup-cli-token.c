/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "mail-setup-account-store.h"
#include "mail-setup-cli-sign-in.h"
#include "mail-setup-cli-token.h"
#include "mail-setup-core.h"
#include "mail-setup-modules.h"

/*
 * `mail-setup --token ADDRESS`, the command that a mail program runs for
 * the password of a Microsoft account (msmtp's passwordeval, mbsync's
 * PassCmd, neomutt's imap_oauth_refresh_command, aerc's source-cred-cmd):
 * the access token alone on standard output.
 *
 * The access token is kept in the keyring beside the refresh token
 * (mail-setup-account-store.h) and given again while it has more than
 * TOKEN_MARGIN_SECONDS left. That warm path reads the keyring and nothing
 * else: no libsoup (the sign-in module is loaded only to refresh), no
 * network. A mail program may run several of us at once (mbsync and msmtp
 * both, or a client with one connection per folder). Refresh tokens rotate,
 * so two refreshes of the same one would leave the keyring with a dead
 * token: whoever refreshes holds a lock file first, and reads the keyring
 * again once it has the lock, since the caller before it may have just
 * refreshed.
 */

#define EXIT_USAGE 2
/* A token is given out only with this much time left, so that the mail
 * program can still sign in with it after a slow start or a retry. */
#define TOKEN_MARGIN_SECONDS (5 * 60)

static gint64
now_in_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
print_saved_addresses (void)
{
  g_autoptr(GListModel) accounts = mail_setup_account_store_list (NULL);
  guint n_accounts = accounts != NULL ? g_list_model_get_n_items (accounts) : 0;

  if (n_accounts == 0)
    {
      g_printerr (_("No accounts are saved.\n"));
      return;
    }

  g_printerr (_("Saved accounts:\n"));
  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(MailSetupSavedAccount) saved = g_list_model_get_item (accounts, i);

      g_printerr ("  %s\n", mail_setup_saved_account_get_email (saved));
    }
}

/* The saved Microsoft sign-in of ADDRESS, or NULL with the exit status in
 * STATUS and the reason told on standard error. */
static MailSetupSavedAccount *
find_sign_in (const char *address,
              int        *status)
{
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(GError) error = NULL;
  MailSetupSecretKey key;

  saved = mail_setup_account_store_find (address, &error);
  if (saved == NULL)
    {
      g_printerr ("mail-setup: %s\n", error->message);
      if (!g_error_matches (error, MAIL_SETUP_ACCOUNT_STORE_ERROR,
                            MAIL_SETUP_ACCOUNT_STORE_ERROR_NOT_FOUND))
        {
          *status = 1;
          return NULL;
        }
      print_saved_addresses ();
      *status = EXIT_USAGE;
      return NULL;
    }

  if (!mail_setup_saved_account_get_access_token_key (saved, &key))
    {
      mail_setup_saved_account_get_secret_key (saved, &key);
      g_printerr (_("mail-setup: %s signs in with a password, not with Microsoft: --token gives "
                    "the tokens of Microsoft sign-ins only. Its password is in the keyring:\n"),
                  address);
      g_printerr ("  secret-tool lookup email %s user %s server %s protocol imap authtype %s\n",
                  key.email, key.user, key.server, key.authtype);
      *status = EXIT_USAGE;
      return NULL;
    }

  return g_steal_pointer (&saved);
}

/* The access token kept for SAVED while it has long enough to live; NULL
 * without an error when there is none such. */
static MailSetupSecret *
read_access_token (MailSetupSavedAccount  *saved,
                   GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MailSetupSecret) token = NULL;
  gint64 expires_at;

  mail_setup_account_store_lookup_access_token_async (saved, NULL, mail_setup_store_async_result,
                                                      &result);
  token = mail_setup_account_store_lookup_access_token_finish (mail_setup_wait_for_async_result (&result),
                                                               &expires_at, error);
  if (token == NULL || expires_at - now_in_seconds () <= TOKEN_MARGIN_SECONDS)
    return NULL;

  return g_steal_pointer (&token);
}

/* $XDG_RUNTIME_DIR/mail-setup: private to the user, in memory, gone at
 * log-out, as a lock should be. A session without one (cron, su, an SSH
 * login without a session manager) gets the cache folder, also private to
 * the user: a lock file left there across a reboot is harmless, since the
 * lock is the flock() on it, not the file. */
static char *
lock_folder (void)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");

  if (runtime != NULL && g_path_is_absolute (runtime))
    return g_build_filename (runtime, "mail-setup", NULL);

  g_debug ("XDG_RUNTIME_DIR is not set; the --token lock is in the cache folder");
  return g_build_filename (g_get_user_cache_dir (), "mail-setup", NULL);
}

/* Waits for the lock of EMAIL and returns its descriptor, which holds it
 * until closed; -1 with ERROR set. The file is never deleted: deleting a
 * lock file that another caller has open lets a third lock a new one. */
static int
take_lock (const char  *email,
           GError     **error)
{
  g_autofree char *folder = lock_folder ();
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, email, -1);
  g_autofree char *name = g_strdup_printf ("token-%s.lock", hash);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  int fd;
  int saved_errno;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The folder %s cannot be made: %s"), folder, g_strerror (saved_errno));
      return -1;
    }

  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The lock file %s cannot be opened: %s"), path, g_strerror (saved_errno));
      return -1;
    }

  while (flock (fd, LOCK_EX) != 0)
    {
      if (errno == EINTR)
        continue;
      saved_errno = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The lock file %s cannot be locked: %s"), path, g_strerror (saved_errno));
      return -1;
    }

  return fd;
}

/* A notification with an action that opens the window at the sign-in for
 * EMAIL. It is sent by a GApplication of the app's own ID, without GTK:
 * the desktop activates app.sign-in-again in Mail Setup itself, which
 * mail-setup-application.c handles. NON_UNIQUE, so that a window that is
 * open does not turn us into its remote. Without a session bus or a
 * notification service there is no one to tell, and nothing waits: the
 * notification is sent without waiting for an answer. */
static void
notify_sign_in_again (const char         *email,
                      MailSetupDiagnosis  diagnosis)
{
  g_autoptr(GApplication) application = g_application_new (APPLICATION_ID,
                                                            G_APPLICATION_NON_UNIQUE);
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  GDBusConnection *bus;

  if (!g_application_register (application, NULL, &error))
    {
      g_debug ("No notification: %s", error->message);
      return;
    }
  bus = g_application_get_dbus_connection (application);
  if (bus == NULL)
    {
      g_debug ("No notification: no session bus");
      return;
    }

  notification = g_notification_new (mail_setup_diagnosis_get_title (diagnosis));
  /* Translators: %s is an e-mail address. */
  body = g_strdup_printf (_("Mail programs cannot get mail for %s until you sign in with "
                            "Microsoft again."), email);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.sign-in-again", "s", email);
  g_notification_add_button_with_target (notification, _("Sign In Again"), "app.sign-in-again",
                                         "s", email);

  /* One notification per account, however often the mail program asks. */
  id = g_strconcat ("sign-in-again-", email, NULL);
  g_application_send_notification (application, id, notification);
  g_dbus_connection_flush_sync (bus, NULL, NULL);
}

/* A refresh that failed: what it means on standard error and, when only a
 * new sign-in helps, a notification, since a mail program that runs us
 * seldom shows what we print. */
static int
report_failure (MailSetupSavedAccount *saved,
                MailSetupDiagnosis     diagnosis,
                const char            *server_response)
{
  const char *email = mail_setup_saved_account_get_email (saved);

  g_printerr ("mail-setup: %s\n", mail_setup_diagnosis_get_title (diagnosis));
  g_printerr ("%s\n", mail_setup_diagnosis_get_explanation (diagnosis));
  if (server_response != NULL)
    g_printerr (_("Microsoft said: %s\n"), server_response);

  if (diagnosis == MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED ||
      diagnosis == MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED ||
      diagnosis == MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED)
    {
      g_printerr (_("Open Mail Setup and sign in with Microsoft again for %s.\n"), email);
      notify_sign_in_again (email, diagnosis);
    }

  return 1;
}

static MailSetupSecret *
read_refresh_token (MailSetupSavedAccount  *saved,
                    GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mail_setup_account_store_lookup_secret_async (saved, NULL, mail_setup_store_async_result, &result);
  return mail_setup_account_store_lookup_secret_finish (mail_setup_wait_for_async_result (&result),
                                                        error);
}

/* The keyring replaces the refresh token's item in one step: when storing
 * the new one fails, the old one is still there. */
static void
keep_tokens (MailSetupSavedAccount    *saved,
             const char               *old_refresh_token,
             MailSetupCliSignInResult *signed_in,
             gint64                    expires_at)
{
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) kept = NULL;
  g_autoptr(GError) error = NULL;

  if (signed_in->refresh_token != NULL &&
      g_strcmp0 (signed_in->refresh_token, old_refresh_token) != 0)
    {
      mail_setup_account_store_update_secret_async (saved, signed_in->refresh_token, NULL,
                                                    mail_setup_store_async_result, &stored);
      if (!mail_setup_account_store_update_secret_finish (mail_setup_wait_for_async_result (&stored),
                                                          &error))
        {
          g_printerr (_("mail-setup: The renewed Microsoft sign-in was not saved. %s\n"),
                      error->message);
          g_clear_error (&error);
        }
    }

  mail_setup_account_store_save_access_token_async (saved, signed_in->access_token, expires_at,
                                                    NULL, mail_setup_store_async_result, &kept);
  if (!mail_setup_account_store_save_access_token_finish (mail_setup_wait_for_async_result (&kept),
                                                          &error))
    g_debug ("The access token was not kept: %s", error->message);
}

/* Trades the saved refresh token for new tokens and keeps them. Returns
 * the exit status; the access token in TOKEN on success. */
static int
refresh (MailSetupSavedAccount  *saved,
         MailSetupSecret       **token)
{
  g_autoptr(MailSetupSecret) refresh_token = NULL;
  g_auto(MailSetupCliSignInResult) signed_in = { 0 };
  g_autoptr(GError) error = NULL;
  MailSetupCliSignInRequest request = { mail_setup_saved_account_get_username (saved), TRUE,
                                        "saved", NULL };
  MailSetupCliSignInFunc sign_in;
  gint64 asked_at;

  refresh_token = read_refresh_token (saved, &error);
  /* A sign-in missing from the keyring is one that no longer works. */
  if (g_error_matches (error, MAIL_SETUP_ACCOUNT_STORE_ERROR,
                       MAIL_SETUP_ACCOUNT_STORE_ERROR_SECRET_MISSING))
    return report_failure (saved, MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED, NULL);
  if (refresh_token == NULL)
    {
      g_printerr ("mail-setup: %s\n", error->message);
      return 1;
    }

  sign_in = mail_setup_module_lookup ("mail-setup-sign-in", "mail_setup_cli_sign_in", &error);
  if (sign_in == NULL)
    {
      g_printerr (_("Microsoft sign-in is not available: %s\n"), error->message);
      return 1;
    }

  /* The expiry counts from before the question, never from after. */
  asked_at = now_in_seconds ();
  request.saved_refresh_token = refresh_token;
  if (!sign_in (&request, &signed_in))
    return report_failure (saved, signed_in.diagnosis, signed_in.server_response);

  keep_tokens (saved, refresh_token, &signed_in, asked_at + signed_in.expires_in);
  *token = g_steal_pointer (&signed_in.access_token);

  return 0;
}

static int
print_token (const char *token)
{
  /* Its purpose: the one place where a token goes to the terminal. */
  fputs (token, stdout);
  fputc ('\n', stdout);

  return fflush (stdout) == 0 ? 0 : 1;
}

int
mail_setup_cli_token (const char *address)
{
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(MailSetupSecret) token = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  int lock;

  saved = find_sign_in (address, &status);
  if (saved == NULL)
    return status;

  token = read_access_token (saved, &error);
  if (token == NULL && error == NULL)
    {
      lock = take_lock (mail_setup_saved_account_get_email (saved), &error);
      if (lock < 0)
        {
          g_printerr ("mail-setup: %s\n", error->message);
          return 1;
        }

      token = read_access_token (saved, &error);
      if (token == NULL && error == NULL)
        status = refresh (saved, &token);
      close (lock);
    }

  if (error != NULL)
    {
      g_printerr ("mail-setup: %s\n", error->message);
      return 1;
    }
  if (token == NULL)
    return status;

  return print_token (token);
}
