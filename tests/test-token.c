/* SPDX-License-Identifier: GPL-3.0-or-later */

/* `mail-setup --token ADDRESS` as a mail program runs it: the built program
 * without a display, against the test session's gnome-keyring and the
 * identity server, which counts the token requests that reach it, and a
 * Dovecot that checks the token it printed. A Microsoft sign-in is saved
 * through the core, as the window saves one, after a device code sign-in.
 *
 * It changes the identity server's lifetime of tokens, its delay and its
 * forced errors, and counts its requests: it runs alone (serial_tests). */

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "mail-setup-account-store.h"
#include "mail-setup-core.h"
#include "mail-setup-oauth.h"
#include "mail-setup-provider.h"
#include "mail-setup-secret-store.h"
#include "mail-setup-test-browser.h"
#include "mail-setup-test-check.h"
#include "mail-setup-test-identity.h"
#include "mail-setup-test-program.h"
#include "mail-setup-test-util.h"

#define TOKEN_USER "token@example.test"
#define PASSWORD_USER "token-password@example.test"
#define APPLICATION_ID "io.github.mailsetup.MailSetup"
#define EXIT_OK 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define NOTIFICATION_TIMEOUT_MS 5000
#define WINDOW_TIMEOUT_MS 30000

static char *work_dir;

/* Signs in as TOKEN_USER on a device, as the person at the browser would,
 * and saves the sign-in; returns the refresh token saved. */
static char *
save_sign_in (void)
{
  g_autoptr(MailSetupOAuth) oauth = NULL;
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(GAsyncResult) requested = NULL;
  g_autoptr(GAsyncResult) polled = NULL;
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GError) error = NULL;

  mail_setup_test_identity_reset ();
  oauth = mail_setup_oauth_new ();
  mail_setup_oauth_request_code_async (oauth, NULL, mail_setup_store_async_result, &requested);
  g_assert_true (mail_setup_oauth_request_code_finish (oauth, mail_setup_wait_for_async_result (&requested),
                                                       &error));
  g_assert_no_error (error);
  mail_setup_test_identity_approve (mail_setup_oauth_get_user_code (oauth), TOKEN_USER);
  mail_setup_oauth_poll_async (oauth, NULL, mail_setup_store_async_result, &polled);
  tokens = mail_setup_oauth_poll_finish (oauth, mail_setup_wait_for_async_result (&polled), &error);
  g_assert_no_error (error);

  mail_setup_account_set_email (account, TOKEN_USER);
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));
  mail_setup_account_set_server (account, "127.0.0.1");
  mail_setup_account_set_port (account,
                               mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"));
  mail_setup_account_set_security (account, MAIL_SETUP_SECURITY_SSL_TLS);
  mail_setup_account_store_save_async (account, mail_setup_oauth_tokens_get_refresh_token (tokens),
                                       "oauth2", NULL, mail_setup_store_async_result, &stored);
  saved = mail_setup_account_store_save_finish (mail_setup_wait_for_async_result (&stored), &error);
  g_assert_no_error (error);

  /* What the sign-in cost is not counted. */
  mail_setup_test_identity_reset ();

  return g_strdup (mail_setup_oauth_tokens_get_refresh_token (tokens));
}

/* What the keyring holds for TOKEN_USER under AUTHTYPE, as any program
 * reads it; NULL when nothing. */
static char *
keyring_item (const char *authtype)
{
  g_autoptr(GError) error = NULL;
  char *secret;
  char *copy;

  secret = secret_password_lookup_sync (mail_setup_secret_store_get_schema (), NULL, &error,
                                        "email", TOKEN_USER, "authtype", authtype, NULL);
  g_assert_no_error (error);
  copy = g_strdup (secret);
  secret_password_free (secret);

  return copy;
}

static guint
refresh_requests (void)
{
  return mail_setup_test_identity_count_requests ("refresh_token");
}

/* Runs `mail-setup ARGUMENTS`; with TRACE_NAME, the dynamic loader writes
 * which libraries it loaded to a file of that name in the work folder. */
static MailSetupTestProgramResult *
run_traced (const char * const *arguments,
            const char         *trace_name)
{
  g_autofree char *trace = trace_name != NULL ? g_build_filename (work_dir, trace_name, NULL) : NULL;
  const char *environment[] = { "LD_DEBUG", "files", "LD_DEBUG_OUTPUT", trace, NULL };

  return mail_setup_test_program_run (arguments, trace != NULL ? environment : NULL,
                                      MAIL_SETUP_TEST_PROGRAM_NO_DISPLAY, NULL);
}

static MailSetupTestProgramResult *
run_token (const char *address)
{
  const char *arguments[] = { "--token", address, NULL };

  return run_traced (arguments, NULL);
}

/* The libraries that the traced run (see run_traced()) loaded. */
static char *
read_trace (const char *trace_name)
{
  g_autoptr(GDir) dir = g_dir_open (work_dir, 0, NULL);
  g_autoptr(GString) loaded = g_string_new (NULL);
  g_autofree char *prefix = g_strconcat (trace_name, ".", NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (work_dir, name, NULL);
      g_autofree char *contents = NULL;

      if (!g_str_has_prefix (name, prefix))
        continue;
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_string_append (loaded, contents);
      g_remove (path);
    }

  /* A trace at all: without it, the absence of a library proves nothing. */
  g_assert_nonnull (strstr (loaded->str, "libsecret-1.so"));

  return g_string_free (g_steal_pointer (&loaded), FALSE);
}

/* The one line printed, without its line end. */
static char *
printed_token (MailSetupTestProgramResult *result)
{
  gsize length = strlen (result->out);

  g_assert_cmpint (result->status, ==, EXIT_OK);
  g_assert_cmpuint (length, >, 1);
  g_assert_true (strchr (result->out, '\n') == result->out + length - 1);
  g_assert_cmpstr (result->err, ==, "");

  return g_strndup (result->out, strlen (result->out) - 1);
}

static void
assert_token_good (const char *token)
{
  g_autofree char *username = mail_setup_test_identity_introspect (token);

  g_assert_cmpstr (username, ==, TOKEN_USER);
}

/* The access token's item: its expiry, then the token. */
static void
assert_access_item (const char *token,
                    gint64      lifetime)
{
  g_autofree char *stored = keyring_item ("oauth2-access");
  g_auto(GStrv) lines = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 expires_at;

  g_assert_nonnull (stored);
  lines = g_strsplit (stored, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  expires_at = g_ascii_strtoll (lines[0], NULL, 10);
  g_assert_cmpint (expires_at, <=, now + lifetime);
  g_assert_cmpint (expires_at, >=, now + lifetime - 30);
  g_assert_cmpstr (lines[1], ==, token);
}

/* The first call refreshes and keeps the tokens; the next ones give the
 * same token from the keyring, asking no one and loading no libsoup. */
static void
test_token_reuse (void)
{
  g_autofree char *saved_refresh_token = save_sign_in ();
  g_autoptr(MailSetupTestProgramResult) first = NULL;
  g_autoptr(MailSetupTestProgramResult) second = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(GAsyncResult) removed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *again = NULL;
  g_autofree char *rotated = NULL;
  g_autofree char *loaded = NULL;
  const char *arguments[] = { "--token", TOKEN_USER, NULL };

  g_assert_null (keyring_item ("oauth2-access"));

  first = run_token (TOKEN_USER);
  token = printed_token (first);
  g_assert_true (g_str_has_prefix (token, "at-"));
  g_assert_cmpuint (refresh_requests (), ==, 1);
  assert_token_good (token);
  assert_access_item (token, 3600);
  /* The rotated refresh token replaced the one it was traded for. */
  rotated = keyring_item ("oauth2");
  g_assert_true (g_str_has_prefix (rotated, "rt-"));
  g_assert_cmpstr (rotated, !=, saved_refresh_token);

  /* The mail server takes it. */
  check = mail_setup_check_new ("127.0.0.1",
                                mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"),
                                MAIL_SETUP_SECURITY_SSL_TLS, TOKEN_USER);
  mail_setup_check_set_access_token (check, token);
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, 5);
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);

  second = run_traced (arguments, "warm");
  again = printed_token (second);
  g_assert_cmpstr (again, ==, token);
  g_assert_cmpuint (refresh_requests (), ==, 1);
  loaded = read_trace ("warm");
  g_assert_null (strstr (loaded, "libsoup"));
  g_assert_null (strstr (loaded, "mail-setup-sign-in"));

  /* Removing the account removes the access token with it. */
  mail_setup_account_store_remove_async (TOKEN_USER, NULL, mail_setup_store_async_result, &removed);
  g_assert_true (mail_setup_account_store_remove_finish (mail_setup_wait_for_async_result (&removed),
                                                         &error));
  g_assert_no_error (error);
  g_assert_null (keyring_item ("oauth2-access"));
  g_assert_null (keyring_item ("oauth2"));
}

/* A token with 5 minutes or less to live is not given out: each call
 * refreshes, and each keeps the rotated refresh token. */
static void
test_token_near_expiry (void)
{
  g_autofree char *saved_refresh_token = save_sign_in ();
  g_autoptr(MailSetupTestProgramResult) first = NULL;
  g_autoptr(MailSetupTestProgramResult) second = NULL;
  g_autoptr(MailSetupOAuth) oauth = mail_setup_oauth_new ();
  g_autoptr(MailSetupOAuthTokens) dead = NULL;
  g_autoptr(GAsyncResult) refreshed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *next = NULL;
  g_autofree char *rotated = NULL;
  g_autofree char *rotated_again = NULL;
  g_autofree char *cache = g_build_filename (work_dir, "cache", NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, TOKEN_USER, -1);
  g_autofree char *lock_name = g_strdup_printf ("token-%s.lock", hash);
  g_autofree char *lock = g_build_filename (cache, "mail-setup", lock_name, NULL);
  const char *arguments[] = { "--token", TOKEN_USER, NULL };
  const char *environment[] = { "XDG_RUNTIME_DIR", "", "XDG_CACHE_HOME", cache, NULL };

  mail_setup_test_identity_set_lifetime (240);

  first = run_token (TOKEN_USER);
  token = printed_token (first);
  g_assert_cmpuint (refresh_requests (), ==, 1);
  assert_access_item (token, 240);
  rotated = keyring_item ("oauth2");
  g_assert_cmpstr (rotated, !=, saved_refresh_token);

  /* Without a runtime folder (cron, su), the lock is in the cache folder. */
  second = mail_setup_test_program_run (arguments, environment, MAIL_SETUP_TEST_PROGRAM_NO_DISPLAY,
                                        NULL);
  next = printed_token (second);
  g_assert_true (g_file_test (lock, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (refresh_requests (), ==, 2);
  g_assert_cmpstr (next, !=, token);
  assert_token_good (next);
  assert_access_item (next, 240);
  rotated_again = keyring_item ("oauth2");
  g_assert_true (g_str_has_prefix (rotated_again, "rt-"));
  g_assert_cmpstr (rotated_again, !=, rotated);

  /* The keyring holds the live one: the one before is dead. */
  mail_setup_oauth_refresh_async (oauth, rotated, NULL, mail_setup_store_async_result, &refreshed);
  dead = mail_setup_oauth_refresh_finish (oauth, mail_setup_wait_for_async_result (&refreshed), &error);
  g_assert_null (dead);
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_INVALID_GRANT);
  mail_setup_test_identity_reset ();
}

/* Two calls at once, while the identity server takes its time: one
 * refreshes, the other waits for the lock and finds its token. */
static void
test_token_concurrent (void)
{
  g_autofree char *saved_refresh_token = save_sign_in ();
  const char *arguments[] = { "--token", TOKEN_USER, NULL };
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;
  g_autoptr(GSubprocess) one = NULL;
  g_autoptr(GSubprocess) other = NULL;
  g_autoptr(MailSetupTestProgramResult) one_result = g_new0 (MailSetupTestProgramResult, 1);
  g_autoptr(MailSetupTestProgramResult) other_result = g_new0 (MailSetupTestProgramResult, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *one_token = NULL;
  g_autofree char *other_token = NULL;
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, TOKEN_USER, -1);
  g_autofree char *lock_name = g_strdup_printf ("token-%s.lock", hash);
  g_autofree char *lock_folder = g_build_filename (g_getenv ("XDG_RUNTIME_DIR"), "mail-setup", NULL);
  g_autofree char *lock = g_build_filename (lock_folder, lock_name, NULL);
  g_autofree char *refresh_token = NULL;
  GStatBuf status;

  /* Saving a new sign-in dropped the access token of the old one. */
  g_assert_null (keyring_item ("oauth2-access"));
  mail_setup_test_identity_set_token_delay (1000);

  one = mail_setup_test_program_spawn (arguments, NULL, MAIL_SETUP_TEST_PROGRAM_NO_DISPLAY, flags);
  other = mail_setup_test_program_spawn (arguments, NULL, MAIL_SETUP_TEST_PROGRAM_NO_DISPLAY, flags);
  g_subprocess_communicate_utf8 (one, NULL, NULL, &one_result->out, &one_result->err, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (other, NULL, NULL, &other_result->out, &other_result->err, &error);
  g_assert_no_error (error);
  one_result->status = g_subprocess_get_exit_status (one);
  other_result->status = g_subprocess_get_exit_status (other);
  g_test_message ("%s\n%s", one_result->err, other_result->err);

  one_token = printed_token (one_result);
  other_token = printed_token (other_result);
  g_assert_cmpstr (one_token, ==, other_token);
  g_assert_cmpuint (refresh_requests (), ==, 1);
  assert_token_good (one_token);
  refresh_token = keyring_item ("oauth2");
  g_assert_cmpstr (refresh_token, !=, saved_refresh_token);

  /* The lock, private to the user. */
  g_assert_cmpint (g_stat (lock, &status), ==, 0);
  g_assert_cmpint (status.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (lock_folder, &status), ==, 0);
  g_assert_cmpint (status.st_mode & 0777, ==, 0700);
  mail_setup_test_identity_reset ();
}

/* A stand-in for GNOME Shell's org.gtk.Notifications, which GLib uses for
 * GNotification when it is on the bus. */
typedef struct
{
  GVariant *added;
} NotificationService;

static void
notification_method_cb (GDBusConnection       *connection,
                        const char            *sender,
                        const char            *object_path,
                        const char            *interface_name,
                        const char            *method_name,
                        GVariant              *parameters,
                        GDBusMethodInvocation *invocation,
                        gpointer               user_data)
{
  NotificationService *service = user_data;

  if (g_str_equal (method_name, "AddNotification") && service->added == NULL)
    service->added = g_variant_ref (parameters);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const char notification_xml[] =
  "<node><interface name='org.gtk.Notifications'>"
  "<method name='AddNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='a{sv}' direction='in'/></method>"
  "<method name='RemoveNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "</method></interface></node>";

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

/* Microsoft refuses the saved sign-in: exit 1, why on standard error,
 * nothing on standard output, the saved sign-in as it was, a notification
 * that leads to a new sign-in, and no GTK loaded for it. */
static void
test_token_refused (void)
{
  g_autofree char *saved_refresh_token = save_sign_in ();
  const char *arguments[] = { "--token", TOKEN_USER, NULL };
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (notification_xml, NULL);
  const GDBusInterfaceVTable vtable = { notification_method_cb, NULL, NULL, { 0 } };
  NotificationService service = { NULL };
  g_autoptr(MailSetupTestProgramResult) refused = NULL;
  g_autoptr(MailSetupTestProgramResult) unnoticed = NULL;
  g_autoptr(GVariant) notification = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *loaded = NULL;
  g_autofree char *still = NULL;
  const char *app_id, *id, *action;
  g_autoptr(GVariant) target = NULL;
  g_autoptr(GVariant) name_owner = NULL;
  gboolean timed_out = FALSE;
  guint registration, owner, timeout;
  gint64 started;

  registration = g_dbus_connection_register_object (bus, "/org/gtk/Notifications",
                                                    node->interfaces[0], &vtable, &service, NULL,
                                                    &error);
  g_assert_no_error (error);
  owner = g_bus_own_name_on_connection (bus, "org.gtk.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                        NULL, NULL, NULL, NULL);
  /* Owned once the bus answered a round trip after the request. */
  g_dbus_connection_flush_sync (bus, NULL, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  name_owner = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                            "org.freedesktop.DBus", "GetNameOwner",
                                            g_variant_new ("(s)", "org.gtk.Notifications"),
                                            NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (name_owner);

  mail_setup_test_identity_force_token_error ("refresh_token", "invalid_grant", 700082, NULL,
                                              NULL, 1);
  refused = run_traced (arguments, "refused");
  g_assert_cmpint (refused->status, ==, EXIT_FAILED);
  g_assert_cmpstr (refused->out, ==, "");
  g_assert_nonnull (strstr (refused->err, mail_setup_diagnosis_get_title (MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED)));
  g_assert_nonnull (strstr (refused->err, mail_setup_diagnosis_get_explanation (MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED)));
  g_assert_nonnull (strstr (refused->err, "AADSTS700082"));
  g_assert_cmpuint (refresh_requests (), ==, 1);
  still = keyring_item ("oauth2");
  g_assert_cmpstr (still, ==, saved_refresh_token);
  g_assert_null (keyring_item ("oauth2-access"));
  loaded = read_trace ("refused");
  g_assert_null (strstr (loaded, "libgtk"));
  g_assert_null (strstr (loaded, "libadwaita"));

  timeout = g_timeout_add (NOTIFICATION_TIMEOUT_MS, timed_out_cb, &timed_out);
  while (service.added == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);
  g_assert_nonnull (service.added);
  g_variant_get (service.added, "(&s&s@a{sv})", &app_id, &id, &notification);
  g_assert_cmpstr (app_id, ==, APPLICATION_ID);
  g_assert_nonnull (strstr (id, TOKEN_USER));
  g_assert_true (g_variant_lookup (notification, "default-action", "&s", &action));
  g_assert_cmpstr (action, ==, "app.sign-in-again");
  target = g_variant_lookup_value (notification, "default-action-target", G_VARIANT_TYPE_STRING);
  g_assert_nonnull (target);
  g_assert_cmpstr (g_variant_get_string (target, NULL), ==, TOKEN_USER);
  g_variant_unref (service.added);

  g_bus_unown_name (owner);
  g_dbus_connection_unregister_object (bus, registration);

  /* Without a notification service, it still ends at once. */
  mail_setup_test_identity_force_token_error ("refresh_token", "invalid_grant", 700082, NULL,
                                              NULL, 1);
  started = g_get_monotonic_time ();
  unnoticed = run_token (TOKEN_USER);
  g_assert_cmpint (unnoticed->status, ==, EXIT_FAILED);
  g_assert_cmpstr (unnoticed->out, ==, "");
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  mail_setup_test_identity_reset ();
}

static gboolean
app_is_on_bus (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APPLICATION_ID),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);

  return has_owner;
}

static void
activate_app_action (GDBusConnection *bus,
                     const char      *action,
                     GVariant        *parameter)
{
  g_autoptr(GVariantBuilder) parameters = g_variant_builder_new (G_VARIANT_TYPE ("av"));
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (parameter != NULL)
    g_variant_builder_add (parameters, "v", parameter);
  reply = g_dbus_connection_call_sync (bus, APPLICATION_ID, "/io/github/mailsetup/MailSetup",
                                       "org.freedesktop.Application", "ActivateAction",
                                       g_variant_new ("(sav@a{sv})", action, parameters,
                                                      g_variant_new_array (G_VARIANT_TYPE ("{sv}"),
                                                                           NULL, 0)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

/* The notification's action, as the desktop activates it in the running
 * app: the window loads the saved account and starts a new Microsoft
 * sign-in in the browser, as that account. */
static void
test_token_sign_in_again_action (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GSubprocess) window = NULL;
  g_autoptr(JsonObject) visit = NULL;
  g_autoptr(GError) error = NULL;
  const char *no_arguments[] = { NULL };
  gint64 deadline;

  /* A work or school account: the window offers Microsoft sign-in. */
  mail_setup_account_set_email (account, TOKEN_USER);
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("microsoft365"));
  mail_setup_account_store_save_async (account, "rt-not-used", "oauth2", NULL,
                                       mail_setup_store_async_result, &stored);
  saved = mail_setup_account_store_save_finish (mail_setup_wait_for_async_result (&stored), &error);
  g_assert_no_error (error);

  mail_setup_test_browser_install ();
  mail_setup_test_browser_set_mode (MAIL_SETUP_TEST_BROWSER_IGNORE);
  g_assert_false (app_is_on_bus (bus));
  window = mail_setup_test_program_spawn (no_arguments, NULL, MAIL_SETUP_TEST_PROGRAM_WITH_DISPLAY,
                                          G_SUBPROCESS_FLAGS_NONE);
  deadline = g_get_monotonic_time () + WINDOW_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  while (!app_is_on_bus (bus) && g_get_monotonic_time () < deadline)
    g_usleep (50 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (app_is_on_bus (bus));

  activate_app_action (bus, "sign-in-again", g_variant_new_string (TOKEN_USER));
  visit = mail_setup_test_browser_wait_for_visit (WINDOW_TIMEOUT_MS);
  /* A window left open would keep the test's output open after a failure. */
  if (visit == NULL)
    g_subprocess_force_exit (window);
  g_assert_nonnull (visit);
  g_assert_nonnull (strstr (json_object_get_string_member (visit, "opened"),
                            "login_hint=token%40example.test"));

  activate_app_action (bus, "quit", NULL);
  g_subprocess_wait (window, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (window));
}

/* An account that is not a Microsoft sign-in, an address that is not
 * saved, and --token with anything else: exit 2, nothing on standard
 * output. */
static void
test_token_wrong_use (void)
{
  g_autofree char *saved_refresh_token = save_sign_in ();
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(MailSetupTestProgramResult) password = NULL;
  g_autoptr(MailSetupTestProgramResult) unknown = NULL;
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GError) error = NULL;
  const struct
  {
    const char *args[5];
  } usage[] = {
    { { "--token", TOKEN_USER, "--json", NULL } },
    { { "--check", "--token", TOKEN_USER, NULL } },
    { { "--token", TOKEN_USER, "extra", NULL } },
    { { "--token=" TOKEN_USER, "--list", NULL } },
    { { "--token", NULL } },
  };

  mail_setup_account_set_email (account, PASSWORD_USER);
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));
  mail_setup_account_set_server (account, "127.0.0.1");
  mail_setup_account_set_port (account, 993);
  mail_setup_account_store_save_async (account, "not a token", NULL, NULL,
                                       mail_setup_store_async_result, &stored);
  saved = mail_setup_account_store_save_finish (mail_setup_wait_for_async_result (&stored), &error);
  g_assert_no_error (error);

  password = run_token (PASSWORD_USER);
  g_assert_cmpint (password->status, ==, EXIT_USAGE);
  g_assert_cmpstr (password->out, ==, "");
  g_assert_nonnull (strstr (password->err, "password"));
  g_assert_null (strstr (password->err, "not a token"));

  unknown = run_token ("nobody@example.test");
  g_assert_cmpint (unknown->status, ==, EXIT_USAGE);
  g_assert_cmpstr (unknown->out, ==, "");
  g_assert_nonnull (strstr (unknown->err, "nobody@example.test"));
  g_assert_nonnull (strstr (unknown->err, "  " TOKEN_USER "\n"));
  g_assert_nonnull (strstr (unknown->err, "  " PASSWORD_USER "\n"));

  for (gsize i = 0; i < G_N_ELEMENTS (usage); i++)
    {
      g_autoptr(MailSetupTestProgramResult) result = run_traced (usage[i].args, NULL);

      g_assert_cmpint (result->status, ==, EXIT_USAGE);
      g_assert_null (strstr (result->out, "at-"));
    }

  /* The well-formed call still works, and none of the above asked. */
  g_assert_cmpuint (refresh_requests (), ==, 0);
  {
    g_autoptr(MailSetupTestProgramResult) good = run_token (TOKEN_USER);
    g_autofree char *token = printed_token (good);

    assert_token_good (token);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_home = NULL;
  g_autofree char *runtime_dir = NULL;

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  g_test_init (&argc, &argv, NULL);

  /* Saved accounts, a lock folder and traces of our own, inherited by the
   * program. */
  work_dir = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                               "test-token-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (work_dir));
  config_home = g_build_filename (work_dir, "config", NULL);
  runtime_dir = g_build_filename (work_dir, "runtime", NULL);
  g_assert_cmpint (g_mkdir (config_home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (runtime_dir, 0700), ==, 0);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_setenv ("MAIL_SETUP_OAUTH_AUTHORITY", mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"),
            TRUE);

  g_test_add_func ("/token/reuse", test_token_reuse);
  g_test_add_func ("/token/near-expiry", test_token_near_expiry);
  g_test_add_func ("/token/concurrent", test_token_concurrent);
  g_test_add_func ("/token/refused", test_token_refused);
  g_test_add_func ("/token/wrong-use", test_token_wrong_use);
  g_test_add_func ("/token/sign-in-again-action", test_token_sign_in_again_action);

  return g_test_run ();
}
