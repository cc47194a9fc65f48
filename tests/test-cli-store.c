/* SPDX-License-Identifier: GPL-3.0-or-later */

/* `mail-setup --check ... --store`, `--list` and `--remove` as a person
 * or a script runs them: the built program without a display, the password
 * on standard input, against the test Dovecot and the test session's
 * gnome-keyring. The odd test user's password has quotes, a backslash and
 * letters outside ASCII, all of which must reach the keyring intact. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "mail-setup-secret-store.h"
#include "mail-setup-test-util.h"

#define EXIT_OK 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2

static char *config_home;

typedef struct
{
  int   status;
  char *out;
  char *err;
} RunResult;

static void
run_result_free (RunResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RunResult, run_result_free)

/* Runs PREFIX (a program that runs another, or NULL) then ARGUMENTS, with
 * XDG_CONFIG_HOME set to this test's own folder and no display. */
static RunResult *
run (const char * const *prefix,
     const char * const *arguments,
     const char         *stdin_text)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  RunResult *result = g_new0 (RunResult, 1);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);

  for (guint i = 0; prefix != NULL && prefix[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) prefix[i]);
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) arguments[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, stdin_text, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
  g_test_message ("%s: exit status %d\nstandard output:\n%s\nstandard error:\n%s",
                  (const char *) argv->pdata[0], result->status, result->out, result->err);

  return result;
}

static char *
mail_setup_path (void)
{
  return g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_BUILD_DIR"),
                           "src", "mail-setup", NULL);
}

static RunResult *
run_mail_setup (const char * const *prefix,
                const char * const *arguments,
                const char         *stdin_text)
{
  g_autofree char *program = mail_setup_path ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add (builder, program);
  g_strv_builder_addv (builder, (const char **) arguments);
  argv = g_strv_builder_end (builder);

  return run (prefix, (const char * const *) argv, stdin_text);
}

static char *
keyfile_path (void)
{
  return g_build_filename (config_home, "mail-setup", "accounts.ini", NULL);
}

static char *
read_keyfile (void)
{
  g_autofree char *path = keyfile_path ();
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

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

static void
reset_store (void)
{
  g_autofree char *path = keyfile_path ();
  g_autoptr(GError) error = NULL;
  const char *email = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_USER");

  g_remove (path);
  secret_password_clear_sync (mail_setup_secret_store_get_schema (), NULL, &error,
                              "email", email, NULL);
  g_assert_no_error (error);
}

/* `mail-setup --check` against the test Dovecot as the odd user, the
 * password on standard input, then EXTRA. */
static GStrv
check_arguments (const char *extra)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *port = NULL;
  g_autofree char *submission_port = NULL;

  port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"));
  submission_port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT"));
  g_strv_builder_add_many (builder, "--check",
                           "--email", mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_USER"),
                           "--provider", "other",
                           "--server", "127.0.0.1", "--port", port, "--security", "ssl",
                           "--smtp-server", "127.0.0.1", "--smtp-port", submission_port,
                           "--password-stdin",
                           "--ca-file", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"),
                           "--timeout", "5", NULL);
  if (extra != NULL)
    g_strv_builder_add (builder, extra);

  return g_strv_builder_end (builder);
}

static char *
password_line (const char *password)
{
  return g_strconcat (password, "\n", NULL);
}

static void
test_store_list_remove (void)
{
  const char *email = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_USER");
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD");
  g_auto(GStrv) store = check_arguments ("--store");
  g_autofree char *stdin_text = password_line (password);
  g_autofree char *keyfile = NULL;
  g_autofree char *listed_line = NULL;
  g_autofree char *removed_message = NULL;
  g_autofree char *unknown_message = NULL;
  g_autofree char *remove_option = g_strdup_printf ("--remove=%s", email);
  const char *lookup[] = {
    "secret-tool", "lookup", "user", email, "server", "127.0.0.1", "protocol", "imap", NULL
  };
  const char *lookup_smtp[] = {
    "secret-tool", "lookup", "user", email, "server", "127.0.0.1", "protocol", "smtp", NULL
  };
  g_autofree char *smtp_port_line = NULL;
  g_autoptr(RunResult) looked_up_smtp = NULL;
  const char *clear[] = { "secret-tool", "clear", "email", email, NULL };
  const char *list[] = { "--list", NULL };
  const char *remove[] = { "--remove", email, NULL };
  const char *remove_again[] = { remove_option, NULL };
  g_autoptr(RunResult) stored = NULL;
  g_autoptr(RunResult) looked_up = NULL;
  g_autoptr(RunResult) listed = NULL;
  g_autoptr(RunResult) cleared = NULL;
  g_autoptr(RunResult) listed_missing = NULL;
  g_autoptr(RunResult) removed = NULL;
  g_autoptr(RunResult) listed_empty = NULL;
  g_autoptr(RunResult) looked_up_after = NULL;
  g_autoptr(RunResult) removed_again = NULL;

  reset_store ();

  stored = run_mail_setup (NULL, (const char * const *) store, stdin_text);
  g_assert_cmpint (stored->status, ==, EXIT_OK);
  g_assert_nonnull (strstr (stored->out, "Saved "));
  g_assert_nonnull (strstr (stored->out, email));

  /* Any program finds the password with the documented attributes. */
  looked_up = run (NULL, lookup, NULL);
  g_assert_cmpint (looked_up->status, ==, EXIT_OK);
  g_assert_cmpstr (looked_up->out, ==, password);
  /* And the sending side its own item, with the same password. */
  looked_up_smtp = run (NULL, lookup_smtp, NULL);
  g_assert_cmpint (looked_up_smtp->status, ==, EXIT_OK);
  g_assert_cmpstr (looked_up_smtp->out, ==, password);
  g_assert_cmpuint (count_items (email), ==, 2);

  keyfile = read_keyfile ();
  g_assert_nonnull (strstr (keyfile, "server=127.0.0.1\n"));
  g_assert_nonnull (strstr (keyfile, "smtp-server=127.0.0.1\n"));
  smtp_port_line = g_strdup_printf ("smtp-port=%u\n",
                                    mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT"));
  g_assert_nonnull (strstr (keyfile, smtp_port_line));
  g_assert_nonnull (strstr (keyfile, "smtp-security=starttls\n"));
  g_assert_null (strstr (keyfile, password));

  listed_line = g_strdup_printf ("%s  imap 127.0.0.1:%u ssl  smtp 127.0.0.1:%u starttls\n", email,
                                 mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"),
                                 mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT"));
  listed = run_mail_setup (NULL, list, NULL);
  g_assert_cmpint (listed->status, ==, EXIT_OK);
  g_assert_cmpstr (listed->out, ==, listed_line);

  /* The keyring loses the item: --list says so. */
  cleared = run (NULL, clear, NULL);
  g_assert_cmpint (cleared->status, ==, EXIT_OK);
  listed_missing = run_mail_setup (NULL, list, NULL);
  g_assert_cmpint (listed_missing->status, ==, EXIT_OK);
  g_assert_true (g_str_has_prefix (listed_missing->out, email));
  g_assert_nonnull (strstr (listed_missing->out, "password missing from keyring"));

  /* Storing again puts them back, one item for each server. */
  g_clear_pointer (&stored, run_result_free);
  stored = run_mail_setup (NULL, (const char * const *) store, stdin_text);
  g_assert_cmpint (stored->status, ==, EXIT_OK);
  g_assert_cmpuint (count_items (email), ==, 2);

  removed = run_mail_setup (NULL, remove, NULL);
  g_assert_cmpint (removed->status, ==, EXIT_OK);
  removed_message = g_strdup_printf ("Removed %s", email);
  g_assert_nonnull (strstr (removed->out, removed_message));

  g_assert_cmpuint (count_items (email), ==, 0);
  looked_up_after = run (NULL, lookup, NULL);
  g_assert_cmpint (looked_up_after->status, !=, EXIT_OK);
  g_assert_cmpstr (looked_up_after->out, ==, "");
  g_clear_pointer (&keyfile, g_free);
  keyfile = read_keyfile ();
  g_assert_null (strstr (keyfile, email));

  listed_empty = run_mail_setup (NULL, list, NULL);
  g_assert_cmpint (listed_empty->status, ==, EXIT_OK);
  g_assert_cmpstr (listed_empty->out, ==, "No accounts are saved.\n");

  removed_again = run_mail_setup (NULL, remove_again, NULL);
  g_assert_cmpint (removed_again->status, ==, EXIT_FAILED);
  unknown_message = g_strdup_printf ("No account is saved for %s", email);
  g_assert_nonnull (strstr (removed_again->err, unknown_message));
}

static void
test_failed_check_stores_nothing (void)
{
  const char *email = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_USER");
  g_auto(GStrv) store = check_arguments ("--store");
  g_autofree char *path = keyfile_path ();
  g_autoptr(RunResult) result = NULL;

  reset_store ();

  result = run_mail_setup (NULL, (const char * const *) store, "not the password\n");
  g_assert_cmpint (result->status, ==, EXIT_FAILED);
  g_assert_nonnull (strstr (result->err, "not saved"));
  g_assert_cmpuint (count_items (email), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_no_keyring_service (void)
{
  const char *email = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_USER");
  g_auto(GStrv) store = check_arguments ("--store");
  g_autofree char *stdin_text = password_line (mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD"));
  g_autofree char *path = keyfile_path ();
  g_autofree char *bus_config = NULL;
  g_autofree char *config_option = NULL;
  g_autoptr(RunResult) result = NULL;
  const char *prefix[] = { "dbus-run-session", NULL, "--", NULL };

  reset_store ();

  /* A session bus that has no keyring and cannot start one. */
  bus_config = g_test_build_filename (G_TEST_DIST, "session-without-keyring.conf", NULL);
  config_option = g_strdup_printf ("--config-file=%s", bus_config);
  prefix[1] = config_option;

  result = run_mail_setup (prefix, (const char * const *) store, stdin_text);
  g_assert_cmpint (result->status, ==, EXIT_FAILED);
  /* The check itself passed; only saving failed, and said why. */
  g_assert_nonnull (strstr (result->out, "(ok)"));
  g_assert_nonnull (strstr (result->err, "No keyring service is running. Install and start "
                                         "GNOME Keyring (the gnome-keyring package), then try "
                                         "again."));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_items (email), ==, 0);
}

static void
test_usage (void)
{
  const char *store_alone[] = { "--store", NULL };
  const char *list_and_remove[] = { "--list", "--remove", "someone@example.test", NULL };
  const char * const *cases[] = { store_alone, list_and_remove };
  const char *messages[] = { "--store goes with --check", "--list" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RunResult) result = run_mail_setup (NULL, cases[i], "");

      g_assert_cmpint (result->status, ==, EXIT_USAGE);
      g_assert_nonnull (strstr (result->err, messages[i]));
      g_assert_cmpstr (result->out, ==, "");
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *template = NULL;
  int status;

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  template = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                               "cli-store-XXXXXX", NULL);
  config_home = g_mkdtemp (template);
  g_assert_nonnull (config_home);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli-store/store-list-remove", test_store_list_remove);
  g_test_add_func ("/cli-store/failed-check-stores-nothing", test_failed_check_stores_nothing);
  g_test_add_func ("/cli-store/no-keyring-service", test_no_keyring_service);
  g_test_add_func ("/cli-store/usage", test_usage);

  status = g_test_run ();
  reset_store ();

  return status;
}
