/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The result page for failures whose reason is easy to get wrong: the
 * wrong kind of server on the IMAP port, and a server that leaves out an
 * intermediate certificate. The real window, driven as a user drives it,
 * against the scripted servers; each test saves a screenshot of the page. */

#include <adwaita.h>

#include "mail-setup-test-server.h"
#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"

static GtkWidget *
find_widget (MailSetupWindow *window,
             const char      *name)
{
  return mail_setup_test_ui_widget (window, name);
}

static void
click (MailSetupWindow *window,
       const char      *name)
{
  mail_setup_test_ui_press (window, name);
}

static void
enter_text (MailSetupWindow *window,
            const char      *name,
            const char      *text)
{
  mail_setup_test_ui_type_into (window, name, text);
}

static const char *
label_text (MailSetupWindow *window,
            const char      *name)
{
  return gtk_label_get_label (GTK_LABEL (find_widget (window, name)));
}

static const char *
row_title (MailSetupWindow *window,
           const char      *name)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (find_widget (window, name)));
}

static const char *
row_subtitle (MailSetupWindow *window,
              const char      *name)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (find_widget (window, name)));
}

/* The summary under the title of the remedy REMEDY_ID. */
static const char *
remedy_summary (MailSetupWindow *window,
                const char      *remedy_id)
{
  GtkWidget *title = find_widget (window, remedy_id);

  return gtk_label_get_label (GTK_LABEL (gtk_widget_get_next_sibling (title)));
}

static void
save_screenshot (MailSetupWindow *window,
                 const char      *name)
{
  mail_setup_test_ui_save_screenshot (window, name);
}

static MailSetupWindow *
open_window (void)
{
  g_setenv ("MAIL_SETUP_EXTRA_CA_FILE", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), TRUE);

  return mail_setup_test_ui_open_window ();
}

/* The account page, with the provider's own settings except the server and
 * port, which point at the scripted server on loopback; then the test. */
static void
test_account (MailSetupWindow     *window,
              MailSetupTestServer *server)
{
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_server_get_port (server));

  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  enter_text (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  enter_text (window, "server", "127.0.0.1");
  enter_text (window, "port", port);
  click (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
}

/* smtp.office365.com on port 587, given for outlook.office365.com: the
 * sending server greets in plain text, and its greeting is the answer to
 * the ClientHello. The page names it, and Use These Settings puts the
 * receiving server in its place. */
static void
test_result_not_imap_smtp (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  MailSetupWindow *window = open_window ();
  MailSetupAccount *account = mail_setup_window_get_account (window);
  g_autofree char *received = NULL;
  const char *summary;

  server = mail_setup_test_server_start ("smtp", "--tls", "none", NULL);

  /* The address picks Outlook.com and its settings: port 993, SSL/TLS. */
  enter_text (window, "email", "someone@outlook.com");
  click (window, "continue");
  test_account (window, server);

  g_assert_cmpstr (label_text (window, "not-imap"), ==, "Wrong Kind of Server");
  g_assert_cmpstr (label_text (window, "receiving-server"), ==,
                   "Use the Server That Receives Your Mail");
  summary = remedy_summary (window, "receiving-server");
  g_assert_true (g_str_has_prefix (summary, "This is Microsoft’s sending server (SMTP)"));
  g_assert_true (g_str_has_prefix (row_title (window, "step-1"), "1. For Outlook.com"));
  g_assert_true (g_str_has_suffix (row_title (window, "step-1"), " the receiving server is "
                                   "outlook.office365.com, port 993, SSL/TLS."));
  /* The server's own first line, in the connection details. */
  g_assert_true (g_str_has_prefix (row_subtitle (window, "server-response"),
                                   "220 BN9PR03CA0123.outlook.office365.com Microsoft ESMTP"));
  save_screenshot (window, "result-not-imap-smtp");

  click (window, "restore-settings");
  g_assert_cmpstr (mail_setup_account_get_server (account), ==, "outlook.office365.com");
  g_assert_cmpuint (mail_setup_account_get_port (account), ==, 993);
  g_assert_cmpint (mail_setup_account_get_security (account), ==, MAIL_SETUP_SECURITY_SSL_TLS);

  /* The sending server got a ClientHello at most: no command, no password. */
  received = mail_setup_test_server_get_transcript (server);
  g_assert_null (strstr (received, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD")));
  g_assert_null (strstr (received, "LOGIN"));
  g_assert_null (strstr (received, "AUTHENTICATE"));
  g_assert_null (strstr (received, "CAPABILITY"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A server of one's own that sends its certificate without the
 * intermediate one: the fix is for its administrator, and nothing on the
 * page speaks of someone intercepting. */
static void
test_result_tls_incomplete_chain (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  MailSetupWindow *window = open_window ();
  const char *explanation;
  const char *summary;

  server = mail_setup_test_server_start (
    "ms-ok",
    "--cert", mail_setup_test_service_env ("MAIL_SETUP_TEST_INCOMPLETE_CHAIN_CERT"),
    "--key", mail_setup_test_service_env ("MAIL_SETUP_TEST_INCOMPLETE_CHAIN_KEY"),
    NULL);

  enter_text (window, "email", "someone@example.test");
  gtk_widget_activate (find_widget (window, "provider-other"));
  click (window, "continue");
  test_account (window, server);

  g_assert_cmpstr (label_text (window, "tls-incomplete-chain"), ==,
                   "Incomplete Certificate Chain");
  explanation = label_text (window, "explanation");
  g_assert_null (strstr (explanation, "intercept"));
  g_assert_cmpstr (label_text (window, "complete-certificate-chain"), ==,
                   "Tell the Server’s Administrator");
  summary = remedy_summary (window, "complete-certificate-chain");
  g_assert_true (g_str_has_prefix (summary, "The server left out the certificate of “Mail Setup "
                                            "Test Intermediate CA”, from Mail Setup tests."));
  g_assert_null (strstr (summary, "intercept"));
  /* The certificate itself, fingerprint included. */
  g_assert_nonnull (strstr (row_subtitle (window, "step-1"), "SHA-256: "));
  save_screenshot (window, "result-tls-incomplete-chain");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/result-pages/not-imap-smtp", test_result_not_imap_smtp);
  g_test_add_func ("/result-pages/tls-incomplete-chain", test_result_tls_incomplete_chain);

  return g_test_run ();
}
