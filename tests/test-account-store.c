/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Saved accounts against the real gnome-keyring of the test session: what
 * other programs (secret-tool, mbsync) find, what the keyfile holds, and
 * what a failed keyring or keyfile leaves behind. The keyfile lives in a
 * config folder of this program's own, as other test programs run beside
 * it in the same session. */

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "mail-setup-account-store.h"
#include "mail-setup-core.h"
#include "mail-setup-provider.h"
#include "mail-setup-test-util.h"

#define CHILD_SAVE_ARGUMENT "--save-as-child"

#define EMAIL "keep@example.test"
#define SIGN_IN "keep-user@example.test"
#define PASSWORD "store me: \"quoted\" {braces} Grüße"

static char *config_home;

static MailSetupAccount *
new_account (const char *email,
             const char *username,
             guint16     port)
{
  MailSetupAccount *account = mail_setup_account_new ();

  mail_setup_account_set_email (account, email);
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));
  mail_setup_account_set_server (account, "127.0.0.1");
  mail_setup_account_set_port (account, port);
  mail_setup_account_set_security (account, MAIL_SETUP_SECURITY_SSL_TLS);
  mail_setup_account_set_username (account, username);
  mail_setup_account_set_display_name (account, "Keep Tester");

  return account;
}

static MailSetupSavedAccount *
save (MailSetupAccount  *account,
      const char        *secret,
      GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mail_setup_account_store_save_async (account, secret, NULL, NULL,
                                       mail_setup_store_async_result, &result);

  return mail_setup_account_store_save_finish (mail_setup_wait_for_async_result (&result), error);
}

static MailSetupSavedAccount *
save_ok (const char *email,
         const char *username,
         const char *secret)
{
  g_autoptr(MailSetupAccount) account = new_account (email, username, 993);
  g_autoptr(GError) error = NULL;
  MailSetupSavedAccount *saved;

  saved = save (account, secret, &error);
  g_assert_no_error (error);
  g_assert_nonnull (saved);

  return saved;
}

static gboolean
remove_account (const char  *email,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mail_setup_account_store_remove_async (email, NULL, mail_setup_store_async_result, &result);

  return mail_setup_account_store_remove_finish (mail_setup_wait_for_async_result (&result), error);
}

static guint
count_items_of (const char *email,
                const char *protocol)
{
  g_autoptr(GError) error = NULL;
  GList *items;
  guint count;

  items = secret_password_search_sync (mail_setup_secret_store_get_schema (), SECRET_SEARCH_ALL,
                                       NULL, &error, "email", email, "protocol", protocol, NULL);
  g_assert_no_error (error);
  count = g_list_length (items);
  g_list_free_full (items, g_object_unref);

  return count;
}

/* Every item of the address: a password account has one for each server. */
static guint
count_items (const char *email)
{
  g_autoptr(GError) error = NULL;
  GList *items;
  guint count;

  items = secret_password_search_sync (mail_setup_secret_store_get_schema (), SECRET_SEARCH_ALL,
                                       NULL, &error, "email", email, NULL);
  g_assert_no_error (error);
  count = g_list_length (items);
  g_list_free_full (items, g_object_unref);

  return count;
}

static char *
keyfile_path (void)
{
  return g_build_filename (config_home, "mail-setup", "accounts.ini", NULL);
}

/* Each test starts with no keyfile and no items of its addresses. */
static void
reset_store (void)
{
  g_autofree char *path = keyfile_path ();
  g_autofree char *folder = g_path_get_dirname (path);
  const char *emails[] = { EMAIL, "other@example.test", "mbsync@example.test" };

  g_remove (path);
  g_remove (folder);
  for (gsize i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      g_autoptr(GError) error = NULL;

      secret_password_clear_sync (mail_setup_secret_store_get_schema (), NULL, &error,
                                  "email", emails[i], NULL);
      g_assert_no_error (error);
      g_assert_cmpuint (count_items (emails[i]), ==, 0);
    }
}

/* Runs ARGV and returns its exit status, with its standard output in OUT
 * and, when ERR is not NULL, its standard error in ERR. */
static int
run_full (const char * const *argv,
          const char * const *environment,
          char              **out,
          char              **err_out)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (guint i = 0; environment != NULL && environment[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, environment[i], environment[i + 1], TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s: exit status %d; standard error:\n%s", argv[0],
                  g_subprocess_get_exit_status (process), err);
  g_assert_true (g_subprocess_get_if_exited (process));
  if (err_out != NULL)
    *err_out = g_steal_pointer (&err);

  return g_subprocess_get_exit_status (process);
}

static int
run (const char * const *argv,
     const char * const *environment,
     char              **out)
{
  return run_full (argv, environment, out, NULL);
}

/* What any program gets with the documented attributes. */
static int
secret_tool_lookup_protocol (const char  *user,
                             const char  *protocol,
                             char       **out)
{
  const char *argv[] = {
    "secret-tool", "lookup", "user", user, "server", "127.0.0.1", "protocol", protocol, NULL
  };

  return run (argv, NULL, out);
}

static int
secret_tool_lookup (const char  *user,
                    char       **out)
{
  return secret_tool_lookup_protocol (user, "imap", out);
}

static void
test_save_secret_tool_finds_it (void)
{
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(MailSetupSavedAccount) listed = NULL;
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *search = NULL;
  g_autofree char *search_err = NULL;
  g_autofree char *both = NULL;
  const char *search_argv[] = { "secret-tool", "search", "--all", "email", EMAIL, NULL };

  reset_store ();
  saved = save_ok (EMAIL, SIGN_IN, PASSWORD);

  g_assert_cmpint (secret_tool_lookup (SIGN_IN, &out), ==, 0);
  g_assert_cmpstr (out, ==, PASSWORD);

  /* secret-tool prints some of these on standard output, the rest on
   * standard error. */
  g_assert_cmpint (run_full (search_argv, NULL, &search, &search_err), ==, 0);
  both = g_strconcat (search, search_err, NULL);
  g_assert_nonnull (strstr (both, "label = Mail Setup: " EMAIL " (IMAP)\n"));
  g_assert_nonnull (strstr (both, "schema = io.github.mailsetup.Account\n"));
  g_assert_nonnull (strstr (both, "attribute.port = 993\n"));
  g_assert_nonnull (strstr (both, "attribute.authtype = password\n"));
  g_assert_nonnull (strstr (both, "attribute.email = " EMAIL "\n"));

  accounts = mail_setup_account_store_list (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 1);
  listed = g_list_model_get_item (accounts, 0);
  g_assert_cmpstr (mail_setup_saved_account_get_email (listed), ==, EMAIL);
  g_assert_cmpstr (mail_setup_saved_account_get_provider_id (listed), ==, "other");
  g_assert_cmpstr (mail_setup_saved_account_get_server (listed), ==, "127.0.0.1");
  g_assert_cmpuint (mail_setup_saved_account_get_port (listed), ==, 993);
  g_assert_cmpint (mail_setup_saved_account_get_security (listed), ==,
                   MAIL_SETUP_SECURITY_SSL_TLS);
  g_assert_cmpstr (mail_setup_saved_account_get_username (listed), ==, SIGN_IN);
  g_assert_cmpstr (mail_setup_saved_account_get_display_name (listed), ==, "Keep Tester");
  g_assert_cmpstr (mail_setup_saved_account_get_authtype (listed), ==, "password");
  g_assert_false (mail_setup_saved_account_get_secret_missing (listed));
}

static void
test_save_twice_one_item (void)
{
  g_autoptr(MailSetupSavedAccount) first = NULL;
  g_autoptr(MailSetupSavedAccount) second = NULL;
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(GAsyncResult) looked_up = NULL;
  g_autoptr(MailSetupSecret) secret = NULL;
  g_autoptr(GError) error = NULL;

  reset_store ();
  first = save_ok (EMAIL, SIGN_IN, "the old password");
  second = save_ok (EMAIL, SIGN_IN, PASSWORD);

  /* One item for each server. */
  g_assert_cmpuint (count_items (EMAIL), ==, 2);
  g_assert_cmpuint (count_items_of (EMAIL, "imap"), ==, 1);
  accounts = mail_setup_account_store_list (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 1);

  /* "Test again" gets the newer password. */
  mail_setup_account_store_lookup_secret_async (second, NULL,
                                                mail_setup_store_async_result, &looked_up);
  mail_setup_wait_for_async_result (&looked_up);
  secret = mail_setup_account_store_lookup_secret_finish (looked_up, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, PASSWORD);
}

/* A new sign-in name makes a new item; the old one must not linger. */
static void
test_save_new_sign_in_name_replaces_item (void)
{
  g_autoptr(MailSetupSavedAccount) first = NULL;
  g_autoptr(MailSetupSavedAccount) second = NULL;
  g_autofree char *old_out = NULL;
  g_autofree char *old_smtp_out = NULL;
  g_autofree char *new_out = NULL;

  reset_store ();
  first = save_ok (EMAIL, "old-name@example.test", PASSWORD);
  second = save_ok (EMAIL, SIGN_IN, PASSWORD);

  /* The outgoing server's item follows the sign-in name too. */
  g_assert_cmpuint (count_items_of (EMAIL, "imap"), ==, 1);
  g_assert_cmpuint (count_items_of (EMAIL, "smtp"), ==, 1);
  g_assert_cmpint (secret_tool_lookup_protocol ("old-name@example.test", "smtp", &old_smtp_out),
                   !=, 0);
  g_assert_cmpint (secret_tool_lookup ("old-name@example.test", &old_out), !=, 0);
  g_assert_cmpstr (old_out, ==, "");
  g_assert_cmpint (secret_tool_lookup (SIGN_IN, &new_out), ==, 0);
  g_assert_cmpstr (new_out, ==, PASSWORD);
}

static void
test_keyfile_holds_no_secret (void)
{
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autofree char *path = keyfile_path ();
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf file_info, folder_info;
  const char *expected[] = {
    "[" EMAIL "]\n", "email=" EMAIL "\n", "provider=other\n", "server=127.0.0.1\n",
    "port=993\n", "security=ssl\n", "username=" SIGN_IN "\n", "display-name=Keep Tester\n",
    "authtype=password\n", "smtp-server=127.0.0.1\n", "smtp-port=587\n",
    "smtp-security=starttls\n", "smtp-username=" SIGN_IN "\n",
  };

  reset_store ();
  saved = save_ok (EMAIL, SIGN_IN, PASSWORD);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s:\n%s", path, contents);
  g_assert_null (strstr (contents, PASSWORD));
  g_assert_null (strstr (contents, "Grüße"));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_nonnull (strstr (contents, expected[i]));

  g_assert_cmpint (g_stat (folder, &folder_info), ==, 0);
  g_assert_cmpint (folder_info.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (path, &file_info), ==, 0);
  g_assert_cmpint (file_info.st_mode & 0777, ==, 0600);
}

static void
test_remove_deletes_item_and_settings (void)
{
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(MailSetupSavedAccount) other = NULL;
  g_autoptr(MailSetupSavedAccount) found = NULL;
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = keyfile_path ();
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  MailSetupSavedAccount *left;

  reset_store ();
  saved = save_ok (EMAIL, SIGN_IN, PASSWORD);
  other = save_ok ("other@example.test", "other@example.test", "another password");

  g_assert_true (remove_account (EMAIL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (count_items (EMAIL), ==, 0);
  g_assert_cmpint (secret_tool_lookup (SIGN_IN, &out), !=, 0);
  g_assert_cmpstr (out, ==, "");
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (contents, EMAIL));

  /* The other account is untouched. */
  g_assert_cmpuint (count_items ("other@example.test"), ==, 2);
  accounts = mail_setup_account_store_list (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 1);
  left = g_list_model_get_item (accounts, 0);
  g_assert_cmpstr (mail_setup_saved_account_get_email (left), ==, "other@example.test");
  g_object_unref (left);

  found = mail_setup_account_store_find (EMAIL, &error);
  g_assert_null (found);
  g_assert_error (error, MAIL_SETUP_ACCOUNT_STORE_ERROR, MAIL_SETUP_ACCOUNT_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (remove_account (EMAIL, &error));
  g_assert_error (error, MAIL_SETUP_ACCOUNT_STORE_ERROR, MAIL_SETUP_ACCOUNT_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, EMAIL));
}

static void
test_secret_missing_is_marked (void)
{
  g_autoptr(MailSetupSavedAccount) kept = NULL;
  g_autoptr(MailSetupSavedAccount) lost = NULL;
  g_autoptr(MailSetupSavedAccount) first = NULL;
  g_autoptr(MailSetupSavedAccount) second = NULL;
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(GAsyncResult) refreshed = NULL;
  g_autoptr(GAsyncResult) looked_up = NULL;
  g_autoptr(MailSetupSecret) secret = NULL;
  g_autoptr(GError) error = NULL;

  reset_store ();
  kept = save_ok (EMAIL, SIGN_IN, PASSWORD);
  lost = save_ok ("other@example.test", "other@example.test", "another password");

  /* Another program deletes the item behind our back. */
  secret_password_clear_sync (mail_setup_secret_store_get_schema (), NULL, &error,
                              "email", "other@example.test", NULL);
  g_assert_no_error (error);

  accounts = mail_setup_account_store_list (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 2);
  mail_setup_account_store_refresh_secrets_async (accounts, NULL,
                                                  mail_setup_store_async_result, &refreshed);
  mail_setup_wait_for_async_result (&refreshed);
  g_assert_true (mail_setup_account_store_refresh_secrets_finish (refreshed, &error));
  g_assert_no_error (error);

  first = g_list_model_get_item (accounts, 0);
  second = g_list_model_get_item (accounts, 1);
  g_assert_cmpstr (mail_setup_saved_account_get_email (first), ==, EMAIL);
  g_assert_false (mail_setup_saved_account_get_secret_missing (first));
  g_assert_cmpstr (mail_setup_saved_account_get_email (second), ==, "other@example.test");
  g_assert_true (mail_setup_saved_account_get_secret_missing (second));

  mail_setup_account_store_lookup_secret_async (second, NULL,
                                                mail_setup_store_async_result, &looked_up);
  mail_setup_wait_for_async_result (&looked_up);
  secret = mail_setup_account_store_lookup_secret_finish (looked_up, &error);
  g_assert_null (secret);
  g_assert_error (error, MAIL_SETUP_ACCOUNT_STORE_ERROR,
                  MAIL_SETUP_ACCOUNT_STORE_ERROR_SECRET_MISSING);
  g_assert_nonnull (strstr (error->message, "other@example.test"));
}

/* The keyring item is written first; when the keyfile then cannot be
 * written, the new item goes again. */
static void
test_keyfile_failure_leaves_no_item (void)
{
  g_autoptr(MailSetupAccount) account = new_account (EMAIL, SIGN_IN, 993);
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = keyfile_path ();
  g_autofree char *folder = g_path_get_dirname (path);

  reset_store ();
  /* A file where the folder should be. */
  g_file_set_contents (folder, "not a folder", -1, &error);
  g_assert_no_error (error);

  saved = save (account, PASSWORD, &error);
  g_assert_null (saved);
  g_assert_error (error, MAIL_SETUP_ACCOUNT_STORE_ERROR,
                  MAIL_SETUP_ACCOUNT_STORE_ERROR_WRITE_FAILED);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (count_items (EMAIL), ==, 0);

  g_remove (folder);
}

/* A keyfile that cannot be parsed is not overwritten, and the keyring is
 * not touched. */
static void
test_unreadable_keyfile_left_alone (void)
{
  g_autoptr(MailSetupAccount) account = new_account (EMAIL, SIGN_IN, 993);
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = keyfile_path ();
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *contents = NULL;
  const char *garbage = "this is [not a keyfile\n";

  reset_store ();
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_file_set_contents (path, garbage, -1, &error);
  g_assert_no_error (error);

  saved = save (account, PASSWORD, &error);
  g_assert_null (saved);
  g_assert_error (error, MAIL_SETUP_ACCOUNT_STORE_ERROR, MAIL_SETUP_ACCOUNT_STORE_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_cmpuint (count_items (EMAIL), ==, 0);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, garbage);

  accounts = mail_setup_account_store_list (&error);
  g_assert_null (accounts);
  g_assert_error (error, MAIL_SETUP_ACCOUNT_STORE_ERROR, MAIL_SETUP_ACCOUNT_STORE_ERROR_UNREADABLE);
}

static void
count_changes_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *changes)
{
  (*changes)++;
}

/* The window binds its list once: saving and removing change the items of
 * that one model, in one change each. */
static void
test_store_keeps_one_model (void)
{
  g_autoptr(MailSetupAccountStore) store = mail_setup_account_store_new ();
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(MailSetupSavedAccount) first = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *accounts = mail_setup_account_store_get_accounts (store);
  guint changes = 0;

  reset_store ();
  g_signal_connect (accounts, "items-changed", G_CALLBACK (count_changes_cb), &changes);
  g_assert_true (mail_setup_account_store_reload (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 0);
  changes = 0;

  saved = save_ok (EMAIL, SIGN_IN, PASSWORD);
  g_assert_true (mail_setup_account_store_reload (store, &error));
  g_assert_true (mail_setup_account_store_get_accounts (store) == accounts);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 1);
  g_assert_cmpuint (changes, ==, 1);
  first = g_list_model_get_item (accounts, 0);
  g_assert_cmpstr (mail_setup_saved_account_get_email (first), ==, EMAIL);

  g_assert_true (remove_account (EMAIL, &error));
  g_assert_true (mail_setup_account_store_reload (store, &error));
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 0);
  g_assert_cmpuint (changes, ==, 2);
  g_signal_handlers_disconnect_by_func (accounts, count_changes_cb, &changes);
}

/* The outgoing server. */

/* msmtp 1.8 looks a password up by these attributes alone, under a schema
 * of its own that does not match on the schema name (its src/password.c). */
static char *
msmtp_lookup (const char *host,
              const char *user)
{
  static const SecretSchema msmtp_schema = {
    "de.marlam.msmtp.password", SECRET_SCHEMA_DONT_MATCH_NAME,
    {
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };
  g_autoptr(GError) error = NULL;
  char *secret;
  char *copy;

  secret = secret_password_lookup_sync (&msmtp_schema, NULL, &error, "host", host,
                                        "service", "smtp", "user", user, NULL);
  g_assert_no_error (error);
  copy = g_strdup (secret);
  secret_password_free (secret);

  return copy;
}

static void
test_save_smtp_item (void)
{
  g_autoptr(MailSetupAccount) account = new_account (EMAIL, SIGN_IN, 993);
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(MailSetupSavedAccount) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *search = NULL;
  g_autofree char *search_err = NULL;
  g_autofree char *both = NULL;
  g_autofree char *msmtp_secret = NULL;
  g_autofree char *msmtp_other = NULL;
  const char *search_argv[] = {
    "secret-tool", "search", "--all", "email", EMAIL, "protocol", "smtp", NULL
  };

  reset_store ();
  mail_setup_account_set_smtp_port (account, 465);
  mail_setup_account_set_smtp_security (account, MAIL_SETUP_SECURITY_SSL_TLS);
  mail_setup_account_set_smtp_username (account, "sender@example.test");
  saved = save (account, PASSWORD, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (count_items_of (EMAIL, "imap"), ==, 1);
  g_assert_cmpuint (count_items_of (EMAIL, "smtp"), ==, 1);
  g_assert_cmpint (secret_tool_lookup_protocol ("sender@example.test", "smtp", &out), ==, 0);
  g_assert_cmpstr (out, ==, PASSWORD);

  g_assert_cmpint (run_full (search_argv, NULL, &search, &search_err), ==, 0);
  both = g_strconcat (search, search_err, NULL);
  g_assert_nonnull (strstr (both, "label = Mail Setup: " EMAIL " (SMTP)\n"));
  g_assert_nonnull (strstr (both, "attribute.port = 465\n"));
  g_assert_nonnull (strstr (both, "attribute.host = 127.0.0.1\n"));
  g_assert_nonnull (strstr (both, "attribute.service = smtp\n"));

  /* msmtp finds it by itself; the receiving server's item is not its. */
  msmtp_secret = msmtp_lookup ("127.0.0.1", "sender@example.test");
  g_assert_cmpstr (msmtp_secret, ==, PASSWORD);
  msmtp_other = msmtp_lookup ("127.0.0.1", SIGN_IN);
  g_assert_null (msmtp_other);

  listed = mail_setup_account_store_find (EMAIL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mail_setup_saved_account_get_smtp_server (listed), ==, "127.0.0.1");
  g_assert_cmpuint (mail_setup_saved_account_get_smtp_port (listed), ==, 465);
  g_assert_cmpint (mail_setup_saved_account_get_smtp_security (listed), ==,
                   MAIL_SETUP_SECURITY_SSL_TLS);
  g_assert_cmpstr (mail_setup_saved_account_get_smtp_username (listed), ==, "sender@example.test");

  /* Removing the account removes both. */
  g_assert_true (remove_account (EMAIL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items (EMAIL), ==, 0);
  g_clear_pointer (&msmtp_secret, g_free);
  msmtp_secret = msmtp_lookup ("127.0.0.1", "sender@example.test");
  g_assert_null (msmtp_secret);
}

/* A Microsoft sign-in keeps one refresh token for both servers; the item
 * that a password had for the outgoing server goes. */
static void
test_save_oauth_one_item (void)
{
  g_autoptr(MailSetupAccount) account = new_account (EMAIL, SIGN_IN, 993);
  g_autoptr(MailSetupSavedAccount) with_password = NULL;
  g_autoptr(MailSetupSavedAccount) with_token = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MailSetupSecretKey key;

  reset_store ();
  with_password = save_ok (EMAIL, SIGN_IN, PASSWORD);
  g_assert_cmpuint (count_items_of (EMAIL, "smtp"), ==, 1);

  mail_setup_account_store_save_async (account, "refresh-token", "oauth2", NULL,
                                       mail_setup_store_async_result, &result);
  with_token = mail_setup_account_store_save_finish (mail_setup_wait_for_async_result (&result),
                                                     &error);
  g_assert_no_error (error);
  g_assert_false (mail_setup_saved_account_get_smtp_secret_key (with_token, &key));
  g_assert_cmpuint (count_items (EMAIL), ==, 1);
  g_assert_cmpuint (count_items_of (EMAIL, "imap"), ==, 1);

  g_assert_true (remove_account (EMAIL, &error));
  g_assert_cmpuint (count_items (EMAIL), ==, 0);
}

/* accounts.ini as written before the outgoing server was saved. */
static void
test_old_keyfile_loads (void)
{
  g_autofree char *path = keyfile_path ();
  g_autofree char *folder = g_path_get_dirname (path);
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(MailSetupSavedAccount) outlook = NULL;
  g_autoptr(MailSetupSavedAccount) other = NULL;
  g_autoptr(MailSetupAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const char *old =
    "[someone@outlook.com]\n"
    "email=someone@outlook.com\n"
    "provider=outlook\n"
    "server=outlook.office365.com\n"
    "port=993\n"
    "security=ssl\n"
    "username=someone@outlook.com\n"
    "display-name=Some One\n"
    "authtype=oauth2\n"
    "\n"
    "[" EMAIL "]\n"
    "email=" EMAIL "\n"
    "provider=other\n"
    "server=imap.example.test\n"
    "port=143\n"
    "security=starttls\n"
    "username=" SIGN_IN "\n"
    "display-name=\n"
    "authtype=password\n";

  reset_store ();
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_file_set_contents (path, old, -1, &error);
  g_assert_no_error (error);

  accounts = mail_setup_account_store_list (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 2);

  outlook = g_list_model_get_item (accounts, 0);
  g_assert_cmpstr (mail_setup_saved_account_get_smtp_server (outlook), ==, "smtp-mail.outlook.com");
  g_assert_cmpuint (mail_setup_saved_account_get_smtp_port (outlook), ==, 587);
  g_assert_cmpint (mail_setup_saved_account_get_smtp_security (outlook), ==,
                   MAIL_SETUP_SECURITY_STARTTLS);
  g_assert_cmpstr (mail_setup_saved_account_get_smtp_username (outlook), ==,
                   "someone@outlook.com");
  /* Saved before the switch was: sending was tested. */
  g_assert_true (mail_setup_saved_account_get_check_smtp (outlook));

  other = g_list_model_get_item (accounts, 1);
  g_assert_cmpstr (mail_setup_saved_account_get_smtp_server (other), ==, "smtp.example.test");
  g_assert_cmpuint (mail_setup_saved_account_get_smtp_port (other), ==, 587);
  g_assert_cmpint (mail_setup_saved_account_get_smtp_security (other), ==,
                   MAIL_SETUP_SECURITY_STARTTLS);
  g_assert_cmpstr (mail_setup_saved_account_get_smtp_username (other), ==, SIGN_IN);

  /* In the wizard it is still a guess that follows the receiving server. */
  account = mail_setup_saved_account_create_account (other);
  g_assert_cmpstr (mail_setup_account_get_smtp_server (account), ==, "smtp.example.test");
  g_assert_cmpstr (mail_setup_account_get_smtp_username (account), ==, "");
  mail_setup_account_set_server (account, "imap.example.org");
  g_assert_cmpstr (mail_setup_account_get_smtp_server (account), ==, "smtp.example.org");

  /* Removing it works, though it never had an outgoing item. */
  g_assert_true (remove_account (EMAIL, &error));
  g_assert_no_error (error);
}

static void
test_saved_account_fills_wizard (void)
{
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(MailSetupAccount) account = NULL;

  reset_store ();
  saved = save_ok (EMAIL, SIGN_IN, PASSWORD);
  account = mail_setup_saved_account_create_account (saved);

  g_assert_cmpstr (mail_setup_account_get_email (account), ==, EMAIL);
  g_assert_cmpstr (mail_setup_provider_get_id (mail_setup_account_get_provider (account)), ==,
                   "other");
  g_assert_cmpstr (mail_setup_account_get_server (account), ==, "127.0.0.1");
  g_assert_cmpuint (mail_setup_account_get_port (account), ==, 993);
  g_assert_cmpstr (mail_setup_account_get_sign_in_name (account), ==, SIGN_IN);
  g_assert_cmpstr (mail_setup_account_get_display_name (account), ==, "Keep Tester");
  g_assert_cmpstr (mail_setup_account_get_password (account), ==, "");
  g_assert_cmpstr (mail_setup_account_get_smtp_server (account), ==, "127.0.0.1");
  g_assert_cmpuint (mail_setup_account_get_smtp_port (account), ==, 587);
  g_assert_cmpstr (mail_setup_account_get_smtp_sign_in_name (account), ==, SIGN_IN);
}

/* Outgoing settings of the user's own come back as such. */
static void
test_saved_account_fills_wizard_smtp (void)
{
  g_autoptr(MailSetupAccount) original = new_account (EMAIL, SIGN_IN, 993);
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(MailSetupAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  reset_store ();
  mail_setup_account_set_smtp_server (original, "localhost");
  mail_setup_account_set_smtp_port (original, 465);
  mail_setup_account_set_smtp_security (original, MAIL_SETUP_SECURITY_SSL_TLS);
  mail_setup_account_set_smtp_username (original, "sender@example.test");
  saved = save (original, PASSWORD, &error);
  g_assert_no_error (error);

  account = mail_setup_saved_account_create_account (saved);
  g_assert_cmpstr (mail_setup_account_get_smtp_server (account), ==, "localhost");
  g_assert_cmpuint (mail_setup_account_get_smtp_port (account), ==, 465);
  g_assert_cmpint (mail_setup_account_get_smtp_security (account), ==,
                   MAIL_SETUP_SECURITY_SSL_TLS);
  g_assert_cmpstr (mail_setup_account_get_smtp_username (account), ==, "sender@example.test");
  g_assert_true (mail_setup_account_get_check_smtp (account));
  mail_setup_account_set_server (account, "imap.example.org");
  g_assert_cmpstr (mail_setup_account_get_smtp_server (account), ==, "localhost");
}

/* "Test Sending Mail" switched off stays off when the account comes back. */
static void
test_saved_account_keeps_check_smtp (void)
{
  g_autoptr(MailSetupAccount) original = new_account (EMAIL, SIGN_IN, 993);
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(MailSetupSavedAccount) found = NULL;
  g_autoptr(MailSetupAccount) account = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(GError) error = NULL;

  reset_store ();
  mail_setup_account_set_check_smtp (original, FALSE);
  saved = save (original, PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_false (mail_setup_saved_account_get_check_smtp (saved));

  /* From accounts.ini, not only from memory. */
  found = mail_setup_account_store_find (EMAIL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_false (mail_setup_saved_account_get_check_smtp (found));
  account = mail_setup_saved_account_create_account (found);
  g_assert_false (mail_setup_account_get_check_smtp (account));
  check = mail_setup_account_create_check (account);
  g_assert_null (mail_setup_check_get_outgoing (check));
}

static void
test_translate_error (void)
{
  struct {
    GQuark      domain;
    int         code;
    int         expected;
    const char *in_message;
  } cases[] = {
    { G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN, MAIL_SETUP_KEYRING_ERROR_NO_SERVICE,
      "Install and start GNOME Keyring" },
    { G_IO_ERROR, G_IO_ERROR_NOT_FOUND, MAIL_SETUP_KEYRING_ERROR_NO_SERVICE,
      "No keyring service is running" },
    { SECRET_ERROR, SECRET_ERROR_IS_LOCKED, MAIL_SETUP_KEYRING_ERROR_LOCKED, "locked" },
    { G_IO_ERROR, G_IO_ERROR_CANCELLED, MAIL_SETUP_KEYRING_ERROR_DISMISSED, "dismissed" },
    { G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, MAIL_SETUP_KEYRING_ERROR_FAILED,
      "the keyring's own words" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) original = g_error_new_literal (cases[i].domain, cases[i].code,
                                                        "the keyring's own words");
      g_autoptr(GError) translated = mail_setup_secret_store_translate_error (original);

      g_assert_error (translated, MAIL_SETUP_KEYRING_ERROR, cases[i].expected);
      g_assert_nonnull (strstr (translated->message, cases[i].in_message));
    }
}

/* The part of the no-keyring test that runs on the other bus. */
static int
save_as_child (void)
{
  g_autoptr(MailSetupAccount) account = new_account (EMAIL, SIGN_IN, 993);
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(GError) error = NULL;

  saved = save (account, PASSWORD, &error);
  if (saved != NULL)
    g_print ("saved\n");
  else
    g_print ("%s %d\n%s\n", g_quark_to_string (error->domain), error->code, error->message);

  return 0;
}

static void
assert_no_service_from_child (const char * const *argv,
                              const char         *bus_address)
{
  g_autofree char *child_config = g_build_filename (config_home, "child", NULL);
  g_autofree char *child_keyfile = g_build_filename (child_config, "mail-setup", "accounts.ini",
                                                     NULL);
  g_autofree char *out = NULL;
  g_autofree char *expected_first_line = NULL;
  const char *environment[] = {
    "XDG_CONFIG_HOME", child_config,
    bus_address != NULL ? "DBUS_SESSION_BUS_ADDRESS" : NULL, bus_address,
    NULL,
  };

  g_assert_cmpint (run (argv, environment, &out), ==, 0);
  expected_first_line = g_strdup_printf ("mail-setup-keyring-error-quark %d\n",
                                         MAIL_SETUP_KEYRING_ERROR_NO_SERVICE);
  g_assert_true (g_str_has_prefix (out, expected_first_line));
  g_assert_nonnull (strstr (out, "No keyring service is running. Install and start GNOME "
                                 "Keyring (the gnome-keyring package), then try again."));
  g_assert_false (g_file_test (child_keyfile, G_FILE_TEST_EXISTS));
}

static void
test_no_secret_service_writes_nothing (void)
{
  g_autofree char *folder = g_build_filename (config_home, "bus-XXXXXX", NULL);
  g_autofree char *bus_config = NULL;
  g_autofree char *self = g_test_build_filename (G_TEST_BUILT, "test-account-store", NULL);
  g_autofree char *no_socket = NULL;
  const char *on_empty_bus[] = {
    "dbus-run-session", NULL, "--", self, CHILD_SAVE_ARGUMENT, NULL
  };
  const char *without_bus[] = { self, CHILD_SAVE_ARGUMENT, NULL };

  reset_store ();
  g_assert_nonnull (g_mkdtemp (folder));
  bus_config = g_test_build_filename (G_TEST_DIST, "session-without-keyring.conf", NULL);

  /* A session bus on which no keyring runs, nor can be started. */
  on_empty_bus[1] = g_strdup_printf ("--config-file=%s", bus_config);
  assert_no_service_from_child (on_empty_bus, NULL);
  g_free ((char *) on_empty_bus[1]);

  /* No session bus at all. */
  no_socket = g_strdup_printf ("unix:path=%s/no-bus-here", folder);
  assert_no_service_from_child (without_bus, no_socket);

  g_remove (folder);
}

/* mbsync, a mail client that knows nothing of us, signs in to the test
 * Dovecot with the password it gets from `secret-tool lookup`. */
static void
test_mbsync_signs_in_with_stored_password (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  guint16 port = mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT");
  g_autoptr(MailSetupAccount) account = new_account ("mbsync@example.test", user, port);
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_build_filename (config_home, "mbsync-XXXXXX", NULL);
  g_autofree char *rc_path = NULL;
  g_autofree char *rc = NULL;
  g_autofree char *mail_folder = NULL;
  g_autofree char *inbox = NULL;
  g_autofree char *cur = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { "mbsync", "--config", NULL, "--all", NULL };

  reset_store ();
  /* mbsync checks the certificate's DNS names only, so not 127.0.0.1. */
  mail_setup_account_set_server (account, "localhost");
  saved = save (account, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"), &error);
  g_assert_no_error (error);

  g_assert_nonnull (g_mkdtemp (folder));
  rc_path = g_build_filename (folder, "mbsyncrc", NULL);
  mail_folder = g_build_filename (folder, "mail", NULL);
  inbox = g_build_filename (mail_folder, "INBOX", NULL);
  cur = g_build_filename (inbox, "cur", NULL);
  /* mbsync creates the inbox, not the folder that holds it. */
  g_assert_cmpint (g_mkdir (mail_folder, 0700), ==, 0);
  rc = g_strdup_printf ("IMAPAccount test\n"
                        "Host localhost\n"
                        "Port %u\n"
                        "User %s\n"
                        "PassCmd \"secret-tool lookup user %s server localhost protocol imap\"\n"
                        "SSLType IMAPS\n"
                        "CertificateFile %s\n"
                        "\n"
                        "IMAPStore remote\n"
                        "Account test\n"
                        "\n"
                        "MaildirStore local\n"
                        "Path %s/\n"
                        "Inbox %s\n"
                        "\n"
                        "Channel test\n"
                        "Far :remote:\n"
                        "Near :local:\n"
                        "Patterns INBOX\n"
                        "Create Near\n"
                        "SyncState *\n",
                        port, user, user, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"),
                        mail_folder, inbox);
  g_file_set_contents (rc_path, rc, -1, &error);
  g_assert_no_error (error);
  g_test_message ("%s", rc);

  argv[2] = rc_path;
  g_assert_cmpint (run (argv, NULL, &out), ==, 0);
  g_test_message ("mbsync: %s", out);
  /* It synchronised the inbox: the Maildir has its folders and state. */
  g_assert_true (g_file_test (cur, G_FILE_TEST_IS_DIR));

  g_assert_true (remove_account ("mbsync@example.test", &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *template = NULL;
  int status;

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  if (argc == 2 && g_str_equal (argv[1], CHILD_SAVE_ARGUMENT))
    return save_as_child ();

  /* Before anything asks GLib for the config folder, which it keeps. */
  template = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                               "account-store-XXXXXX", NULL);
  config_home = g_mkdtemp (template);
  g_assert_nonnull (config_home);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/account-store/save/secret-tool-finds-it", test_save_secret_tool_finds_it);
  g_test_add_func ("/account-store/save/twice-one-item", test_save_twice_one_item);
  g_test_add_func ("/account-store/save/new-sign-in-name-replaces-item",
                   test_save_new_sign_in_name_replaces_item);
  g_test_add_func ("/account-store/save/keyfile-holds-no-secret", test_keyfile_holds_no_secret);
  g_test_add_func ("/account-store/save/keyfile-failure-leaves-no-item",
                   test_keyfile_failure_leaves_no_item);
  g_test_add_func ("/account-store/save/unreadable-keyfile-left-alone",
                   test_unreadable_keyfile_left_alone);
  g_test_add_func ("/account-store/save/no-secret-service-writes-nothing",
                   test_no_secret_service_writes_nothing);
  g_test_add_func ("/account-store/remove/deletes-item-and-settings",
                   test_remove_deletes_item_and_settings);
  g_test_add_func ("/account-store/list/secret-missing-is-marked", test_secret_missing_is_marked);
  g_test_add_func ("/account-store/saved-account-fills-wizard", test_saved_account_fills_wizard);
  g_test_add_func ("/account-store/saved-account-fills-wizard-smtp",
                   test_saved_account_fills_wizard_smtp);
  g_test_add_func ("/account-store/saved-account-keeps-check-smtp",
                   test_saved_account_keeps_check_smtp);
  g_test_add_func ("/account-store/smtp/item", test_save_smtp_item);
  g_test_add_func ("/account-store/smtp/oauth-one-item", test_save_oauth_one_item);
  g_test_add_func ("/account-store/smtp/old-keyfile-loads", test_old_keyfile_loads);
  g_test_add_func ("/account-store/store-keeps-one-model", test_store_keeps_one_model);
  g_test_add_func ("/account-store/keyring-errors-in-words", test_translate_error);
  g_test_add_func ("/account-store/mbsync-signs-in-with-stored-password",
                   test_mbsync_signs_in_with_stored_password);

  status = g_test_run ();
  reset_store ();

  return status;
}
