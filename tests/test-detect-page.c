/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The provider page finds the provider while the address is typed: a
 * resolver of the test's own answers the MX and SRV records and
 * tests/servers/autoconfig-server.py answers as Microsoft's realm service,
 * as test-detect.c does for the detector alone. Saves screenshots of the
 * page for a Microsoft 365 custom domain. */

#include <adwaita.h>
#include <glib/gstdio.h>

#include "mail-setup-core.h"
#include "mail-setup-detect.h"
#include "mail-setup-test-resolver.h"
#include "mail-setup-test-a11y.h"
#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"

/* The detections answer in milliseconds; the page waits 400 ms for the
 * typing to stop. A loaded machine may be slow. */
#define WAIT_MS 10000

static MailSetupTestResolver *resolver;
static GSubprocess *server;
static char *routes_path;
static char *server_log;

static const char routes[] =
  "["
  "{\"host\": \"127.0.0.1\", \"path\": \"/common/userrealm/alice@contoso.test?api-version=2.1\","
  " \"type\": \"application/json\","
  " \"body\": \"{\\\"NameSpaceType\\\":\\\"Federated\\\",\\\"DomainName\\\":\\\"contoso.test\\\","
  "\\\"FederationBrandName\\\":\\\"Contoso\\\"}\"},"
  "{\"host\": \"127.0.0.1\", \"path\": \"/common/userrealm/carol@both.test?api-version=2.1\","
  " \"type\": \"application/json\","
  " \"body\": \"{\\\"NameSpaceType\\\":\\\"Managed\\\",\\\"FederationBrandName\\\":\\\"Both\\\"}\"}"
  "]";

/* Starts the server and points the detector at it, before anything reads
 * the variables. */
static void
start_server (void)
{
  const char *test_dir = mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR");
  g_autofree char *script = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_SOURCE_DIR"),
                                              "tests", "servers", "autoconfig-server.py", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *authority = NULL;
  g_auto(GStrv) words = NULL;
  int fd;

  routes_path = g_build_filename (test_dir, "detect-page-routes-XXXXXX.json", NULL);
  fd = g_mkstemp (routes_path);
  g_assert_cmpint (fd, >=, 0);
  g_close (fd, NULL);
  g_file_set_contents (routes_path, routes, -1, &error);
  g_assert_no_error (error);
  server_log = g_build_filename (test_dir, "detect-page-requests-XXXXXX.log", NULL);
  fd = g_mkstemp (server_log);
  g_assert_cmpint (fd, >=, 0);
  g_close (fd, NULL);

  /* A pipe on stdin: the server ends when this program does. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  server = g_subprocess_launcher_spawn (launcher, &error, "python3", script,
                                        "--routes", routes_path, "--log", server_log,
                                        "--name", "contoso.test", "--name", "autoconfig.contoso.test",
                                        NULL);
  g_assert_no_error (error);

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("autoconfig-server.py ended before it was ready (its error output says why)");
  words = g_strsplit (line, " ", 3);
  if (g_strv_length (words) != 3 || g_strcmp0 (words[0], "READY") != 0)
    g_error ("autoconfig-server.py said “%s” instead of READY <port> <ca-file>", line);

  authority = g_strdup_printf ("https://127.0.0.1:%s", words[1]);
  g_setenv ("MAIL_SETUP_OAUTH_AUTHORITY", authority, TRUE);
  g_setenv (MAIL_SETUP_DETECT_HTTPS_PORT_VARIABLE, words[1], TRUE);
  /* The ISPDB is asked too: the same server, which knows no domain. */
  g_setenv (MAIL_SETUP_DETECT_ISPDB_VARIABLE, authority, TRUE);
  /* The page gives the detector the authorities the account trusts. */
  g_setenv ("MAIL_SETUP_EXTRA_CA_FILE", words[2], TRUE);
}

static void
stop_server (void)
{
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  g_clear_object (&server);
  g_unlink (routes_path);
  g_unlink (server_log);
  g_clear_pointer (&routes_path, g_free);
  g_clear_pointer (&server_log, g_free);
}

static GtkWidget *
widget (MailSetupWindow *window,
        const char      *name)
{
  return mail_setup_test_ui_widget (window, name);
}

/* One character at a time, as the user types: the page must look up only
 * the whole address. */
static void
type_slowly (MailSetupWindow *window,
             const char      *text)
{
  GtkEditable *email = GTK_EDITABLE (widget (window, "email"));

  gtk_editable_set_text (email, "");
  for (gsize i = 1; i <= strlen (text); i++)
    {
      g_autofree char *prefix = g_strndup (text, i);

      gtk_editable_set_text (email, prefix);
      g_main_context_iteration (NULL, FALSE);
    }
}

static GtkWidget *
provider_check (MailSetupWindow *window,
                const char      *id)
{
  g_autofree char *name = g_strdup_printf ("provider-%s", id);

  return adw_action_row_get_activatable_widget (ADW_ACTION_ROW (widget (window, name)));
}

static gboolean
provider_active (MailSetupWindow *window,
                 const char      *id)
{
  return gtk_check_button_get_active (GTK_CHECK_BUTTON (provider_check (window, id)));
}

static gboolean
detection_done (gpointer user_data)
{
  MailSetupWindow *window = user_data;
  GtkWidget *spinner = widget (window, "detection-spinner");
  GtkWidget *label = widget (window, "detection");

  return gtk_widget_is_visible (label) && !gtk_spinner_get_spinning (GTK_SPINNER (spinner)) &&
         gtk_widget_is_drawable (label);
}

static const char *
detection_text (MailSetupWindow *window)
{
  return gtk_label_get_label (GTK_LABEL (widget (window, "detection")));
}

static void
wait_for_detection (MailSetupWindow *window)
{
  g_assert_true (mail_setup_test_ui_wait_until (detection_done, window, WAIT_MS));
}

static gboolean
spinning (gpointer user_data)
{
  return gtk_spinner_get_spinning (GTK_SPINNER (widget (user_data, "detection-spinner")));
}

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

static MailSetupWindow *
open_window (void)
{
  return mail_setup_test_ui_open_window_with_size (-1, -1);
}

/* ---------------------------------------------------------------------- */

static void
test_microsoft_365_custom_domain (void)
{
  MailSetupWindow *window = open_window ();
  MailSetupAccount *account = mail_setup_window_get_account (window);
  guint questions_before = mail_setup_test_resolver_get_n_questions (resolver);
  g_auto(GStrv) questions = NULL;
  g_autoptr(JsonObject) tree = NULL;
  guint mx_questions = 0;

  g_assert_true (gtk_widget_get_visible (widget (window, "lookups-privacy")));

  type_slowly (window, "alice@contoso.test");
  /* Looking, and saying so, a moment after the last keystroke. */
  g_assert_true (mail_setup_test_ui_wait_until (spinning, window, WAIT_MS));
  g_assert_cmpstr (detection_text (window), ==, "Looking up your provider…");
  wait_for_detection (window);

  g_assert_cmpstr (detection_text (window), ==,
                   "Microsoft 365 for Contoso, found from the domain’s mail servers");
  g_assert_true (provider_active (window, "microsoft365"));
  g_assert_false (provider_active (window, "other"));
  g_assert_cmpstr (mail_setup_provider_get_id (mail_setup_account_get_provider (account)), ==,
                   "microsoft365");
  g_assert_false (mail_setup_account_get_provider_chosen (account));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "email"))), ==,
                   "alice@contoso.test");

  /* The half-typed addresses were never looked up: one MX question. */
  questions = mail_setup_test_resolver_get_questions (resolver);
  for (guint i = questions_before; questions[i] != NULL; i++)
    if (g_str_has_prefix (questions[i], "MX "))
      {
        g_assert_cmpstr (questions[i], ==, "MX contoso.test");
        mx_questions++;
      }
  g_assert_cmpuint (mx_questions, ==, 1);

  /* What was found is read out as a status, and the page stays named. */
  tree = mail_setup_test_a11y_assert_named (window, "provider page, provider found");
  mail_setup_test_a11y_expect (tree, "status bar", "Microsoft 365 for Contoso");

  mail_setup_test_ui_save_screenshot (window, "detect-page-microsoft-365");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  mail_setup_test_ui_wait_for_frame (GTK_WIDGET (window));
  mail_setup_test_ui_save_screenshot (window, "detect-page-microsoft-365-narrow-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_nothing_found (void)
{
  MailSetupWindow *window = open_window ();
  MailSetupAccount *account = mail_setup_window_get_account (window);
  MailSetupProvider *before = mail_setup_account_get_provider (account);

  type_slowly (window, "zoe@nowhere.test");
  wait_for_detection (window);

  g_assert_cmpstr (detection_text (window), ==,
                   "No settings found for nowhere.test; choose your provider below");
  g_assert_true (mail_setup_account_get_provider (account) == before);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "email"))), ==,
                   "zoe@nowhere.test");
  g_assert_cmpstr (mail_setup_account_get_server (account), ==,
                   before != NULL && mail_setup_provider_get_has_imap_server (before)
                     ? mail_setup_provider_get_imap_host (before) : "");

  /* Still usable: a provider chosen, Continue goes on. */
  gtk_widget_activate (provider_check (window, "other"));
  g_assert_true (mail_setup_account_get_provider_complete (account));
  g_assert_true (gtk_widget_get_sensitive (widget (window, "continue")));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* What the page preselected for one address is no guess for another about
 * which nothing is known. */
static void
test_nothing_found_after_found (void)
{
  MailSetupWindow *window = open_window ();
  MailSetupAccount *account = mail_setup_window_get_account (window);
  MailSetupProvider *before = mail_setup_account_get_provider (account);

  type_slowly (window, "alice@contoso.test");
  wait_for_detection (window);
  g_assert_true (provider_active (window, "microsoft365"));

  type_slowly (window, "alice@nowhere.test");
  g_assert_true (mail_setup_test_ui_wait_until (spinning, window, WAIT_MS));
  wait_for_detection (window);

  g_assert_cmpstr (detection_text (window), ==,
                   "No settings found for nowhere.test; choose your provider below");
  g_assert_true (mail_setup_account_get_provider (account) == before);
  g_assert_false (provider_active (window, "microsoft365"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_choice_by_hand_kept (void)
{
  MailSetupWindow *window = open_window ();
  MailSetupAccount *account = mail_setup_window_get_account (window);

  type_slowly (window, "alice@contoso.test");
  /* Before the page looks anything up. */
  gtk_widget_activate (provider_check (window, "other"));
  g_assert_true (mail_setup_account_get_provider_chosen (account));
  mail_setup_account_set_server (account, "imap.mine.test");
  wait_for_detection (window);

  g_assert_cmpstr (detection_text (window), ==,
                   "Microsoft 365 for Contoso, found from the domain’s mail servers");
  g_assert_true (provider_active (window, "other"));
  g_assert_false (provider_active (window, "microsoft365"));
  g_assert_cmpstr (mail_setup_provider_get_id (mail_setup_account_get_provider (account)), ==, "other");
  g_assert_cmpstr (mail_setup_account_get_server (account), ==, "imap.mine.test");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Going on before the lookup ends: nothing changes behind the user's
 * back on the next page. The provider is preselected, as from the
 * last-provider setting, not chosen. */
static void
test_continue_while_looking (void)
{
  MailSetupWindow *window = open_window ();
  MailSetupAccount *account = mail_setup_window_get_account (window);

  mail_setup_account_set_provider (account, mail_setup_provider_catalog_lookup ("other"));
  type_slowly (window, "alice@contoso.test");
  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", WAIT_MS);
  g_assert_false (mail_setup_test_ui_wait_until (never, NULL, 1500));

  g_assert_cmpstr (mail_setup_provider_get_id (mail_setup_account_get_provider (account)), ==, "other");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Another provider's settings, from the domain's SRV records, are filled
 * in; an address about which nothing is known afterwards takes back only
 * the page's own preselection. */
static void
test_other_provider_from_srv (void)
{
  MailSetupWindow *window = open_window ();
  MailSetupAccount *account = mail_setup_window_get_account (window);

  type_slowly (window, "dave@srvpage.test");
  wait_for_detection (window);

  g_assert_cmpstr (mail_setup_provider_get_id (mail_setup_account_get_provider (account)), ==, "other");
  g_assert_true (provider_active (window, "other"));
  g_assert_cmpstr (mail_setup_account_get_server (account), ==, "mail.srvpage.test");
  g_assert_cmpuint (mail_setup_account_get_port (account), ==, 993);
  g_assert_cmpint (mail_setup_account_get_security (account), ==, MAIL_SETUP_SECURITY_SSL_TLS);
  g_assert_cmpstr (mail_setup_account_get_smtp_server (account), ==, "smtp.srvpage.test");
  g_assert_cmpuint (mail_setup_account_get_smtp_port (account), ==, 587);
  g_assert_false (mail_setup_account_get_provider_chosen (account));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_personal_and_work (void)
{
  MailSetupWindow *window = open_window ();
  MailSetupAccount *account = mail_setup_window_get_account (window);

  type_slowly (window, "carol@both.test");
  wait_for_detection (window);

  g_assert_true (g_str_has_prefix (detection_text (window),
                                   "Outlook.com, found from the domain’s mail servers. "));
  g_assert_nonnull (strstr (detection_text (window), "Microsoft 365 for the work or school account"));
  g_assert_null (mail_setup_account_get_provider (account));
  g_assert_false (provider_active (window, "outlook"));
  g_assert_false (provider_active (window, "microsoft365"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_lookups_off (void)
{
  g_autoptr(GSettings) settings = mail_setup_settings_new ();
  MailSetupWindow *window;
  guint questions_before = mail_setup_test_resolver_get_n_questions (resolver);

  g_settings_set_boolean (settings, "network-lookups", FALSE);
  window = open_window ();

  g_assert_false (gtk_widget_get_visible (widget (window, "lookups-privacy")));
  type_slowly (window, "alice@contoso.test");
  /* Longer than the page waits before it looks up. */
  g_assert_false (mail_setup_test_ui_wait_until (never, NULL, 1000));
  g_assert_false (gtk_widget_is_visible (widget (window, "detection")));
  g_assert_cmpuint (mail_setup_test_resolver_get_n_questions (resolver), ==, questions_before);

  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_set_boolean (settings, "network-lookups", TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;
  g_autoptr(GSettings) settings = NULL;
  int status;

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  /* Settings of its own: other tests save accounts at the same time. */
  config = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                             "detect-page-config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  start_server ();

  mail_setup_test_a11y_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* On, whatever the other UI tests' default: this test answers the
   * lookups itself. */
  mail_setup_test_ui_allow_network_lookups ();
  settings = mail_setup_settings_new ();
  g_settings_set_boolean (settings, "network-lookups", TRUE);

  resolver = mail_setup_test_resolver_new ();
  mail_setup_test_resolver_add_mx (resolver, "contoso.test", 0,
                                   "contoso-test.mail.protection.outlook.com");
  mail_setup_test_resolver_add_mx (resolver, "both.test", 0, "both-test.olc.protection.outlook.com");
  mail_setup_test_resolver_add_srv (resolver, "_imaps._tcp.srvpage.test", 0, 1, 993,
                                    "mail.srvpage.test");
  mail_setup_test_resolver_add_srv (resolver, "_submission._tcp.srvpage.test", 0, 1, 587,
                                    "smtp.srvpage.test");
  g_resolver_set_default (G_RESOLVER (resolver));

  g_test_add_func ("/detect-page/microsoft-365-custom-domain", test_microsoft_365_custom_domain);
  g_test_add_func ("/detect-page/nothing-found", test_nothing_found);
  g_test_add_func ("/detect-page/nothing-found-after-found", test_nothing_found_after_found);
  g_test_add_func ("/detect-page/choice-by-hand-kept", test_choice_by_hand_kept);
  g_test_add_func ("/detect-page/continue-while-looking", test_continue_while_looking);
  g_test_add_func ("/detect-page/other-provider-from-srv", test_other_provider_from_srv);
  g_test_add_func ("/detect-page/personal-and-work", test_personal_and_work);
  g_test_add_func ("/detect-page/lookups-off", test_lookups_off);

  status = g_test_run ();
  stop_server ();
  g_clear_object (&resolver);

  return status;
}
