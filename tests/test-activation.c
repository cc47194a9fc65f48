/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Mail Setup started by the desktop over D-Bus, as GNOME Shell starts it
 * when the user clicks "Sign In Again" in the notification of
 * `mail-setup --token` and no window is open: the session bus runs the
 * built program from a service file like the one in data/, and the action
 * goes to it. Its Microsoft sign-in goes to the identity server and the
 * stand-in browser of the tests. */

#include <gio/gio.h>

#include "mail-setup-test-browser.h"
#include "mail-setup-test-identity.h"
#include "mail-setup-test-util.h"

#define APPLICATION_ID "io.github.mailsetup.MailSetup"
#define OBJECT_PATH "/io/github/mailsetup/MailSetup"
#define SAVED_EMAIL "someone@contoso.example"

static GDBusConnection *
session_bus (void)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);

  g_assert_no_error (error);
  return bus;
}

static GVariant *
call_bus (const char *method,
          GVariant   *parameters)
{
  g_autoptr(GDBusConnection) bus = session_bus ();
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", method, parameters, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
  return reply;
}

static gboolean
application_is_running (void)
{
  g_autoptr(GVariant) reply = call_bus ("NameHasOwner", g_variant_new ("(s)", APPLICATION_ID));
  gboolean running = FALSE;

  g_variant_get (reply, "(b)", &running);
  return running;
}

/* The service file that the session bus starts Mail Setup from: the
 * installed one's, with the built program and the tests' settings. */
static void
install_service_file (const char *config_home)
{
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "dbus-1", "services", NULL);
  g_autofree char *path = g_build_filename (folder, APPLICATION_ID ".service", NULL);
  g_autofree char *program = g_build_filename (g_getenv ("MAIL_SETUP_BUILD_DIR"), "src", "mail-setup", NULL);
  g_autofree char *schemas = g_build_filename (g_getenv ("MAIL_SETUP_BUILD_DIR"), "data", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  contents = g_strdup_printf ("[D-BUS Service]\n"
                              "Name=" APPLICATION_ID "\n"
                              "Exec=/usr/bin/env GSETTINGS_SCHEMA_DIR=%s GSETTINGS_BACKEND=memory "
                              "XDG_CONFIG_HOME=%s MAIL_SETUP_OAUTH_AUTHORITY=%s "
                              "MAIL_SETUP_TEST_BROWSER_MODE=%s MAIL_SETUP_TEST_BROWSER_LOG=%s "
                              "%s --gapplication-service\n",
                              schemas, config_home,
                              mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"),
                              g_getenv ("MAIL_SETUP_TEST_BROWSER_MODE"),
                              g_getenv ("MAIL_SETUP_TEST_BROWSER_LOG"),
                              program);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_variant_unref (call_bus ("ReloadConfig", NULL));
}

/* A Microsoft 365 account saved as the window saves it. */
static void
save_microsoft_account (const char *config_home)
{
  g_autofree char *folder = g_build_filename (config_home, "mail-setup", NULL);
  g_autofree char *path = g_build_filename (folder, "accounts.ini", NULL);
  g_autoptr(GKeyFile) accounts = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_set_string (accounts, SAVED_EMAIL, "email", SAVED_EMAIL);
  g_key_file_set_string (accounts, SAVED_EMAIL, "provider", "microsoft365");
  g_key_file_set_string (accounts, SAVED_EMAIL, "server", "127.0.0.1");
  g_key_file_set_integer (accounts, SAVED_EMAIL, "port",
                          mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"));
  g_key_file_set_string (accounts, SAVED_EMAIL, "security", "ssl");
  g_key_file_set_string (accounts, SAVED_EMAIL, "username", SAVED_EMAIL);
  g_key_file_set_string (accounts, SAVED_EMAIL, "authtype", "oauth2");
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_key_file_save_to_file (accounts, path, &error);
  g_assert_no_error (error);
}

static void
activate_action (const char *action,
                 GVariant   *parameter)
{
  g_autoptr(GDBusConnection) bus = session_bus ();
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder parameters;

  g_variant_builder_init (&parameters, G_VARIANT_TYPE ("av"));
  if (parameter != NULL)
    g_variant_builder_add (&parameters, "v", parameter);
  reply = g_dbus_connection_call_sync (bus, APPLICATION_ID, OBJECT_PATH, "org.freedesktop.Application",
                                       "ActivateAction",
                                       g_variant_new ("(sava{sv})", action, &parameters, NULL),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
  g_assert_no_error (error);
}

/* No Mail Setup runs; the notification's button is clicked. The desktop
 * starts it for the action, and the action opens the saved account at a
 * new Microsoft sign-in, in the browser, for that address. */
static void
test_activation_sign_in_again_starts_the_app (void)
{
  g_autofree char *config_home = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                                                   "activation-config", NULL);
  g_autoptr(JsonObject) visit = NULL;
  g_autoptr(GUri) opened = NULL;
  g_autoptr(GHashTable) query = NULL;
  gint64 deadline;

  g_assert_true (g_setenv ("XDG_CONFIG_HOME", config_home, TRUE));
  save_microsoft_account (config_home);
  mail_setup_test_identity_reset ();
  mail_setup_test_browser_install ();
  mail_setup_test_browser_set_mode (MAIL_SETUP_TEST_BROWSER_IGNORE);
  install_service_file (config_home);
  g_assert_false (application_is_running ());

  activate_action ("sign-in-again", g_variant_new_string (SAVED_EMAIL));
  g_assert_true (application_is_running ());

  visit = mail_setup_test_browser_wait_for_visit (20000);
  g_assert_nonnull (visit);
  /* Microsoft's sign-in page (the identity server's), for that address. */
  g_assert_true (g_str_has_prefix (json_object_get_string_member (visit, "opened"),
                                   mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL")));
  opened = g_uri_parse (json_object_get_string_member (visit, "opened"), G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (opened);
  query = g_uri_parse_params (g_uri_get_query (opened), -1, "&", G_URI_PARAMS_NONE, NULL);
  g_assert_nonnull (query);
  g_assert_cmpstr (g_hash_table_lookup (query, "login_hint"), ==, SAVED_EMAIL);

  /* Quit ends it: nothing is left running. */
  activate_action ("quit", NULL);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (application_is_running () && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  g_assert_false (application_is_running ());

  mail_setup_test_identity_reset ();
}

int
main (int   argc,
      char *argv[])
{
  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/activation/sign-in-again-starts-the-app", test_activation_sign_in_again_starts_the_app);

  return g_test_run ();
}
