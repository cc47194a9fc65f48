/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The result page for failures whose reason is easy to get wrong: the
 * wrong kind of server on the IMAP port, a server that leaves out an
 * intermediate certificate, and an account that receives mail but cannot
 * send it. The real window, driven as a user drives it, against the
 * scripted servers and the test Dovecot; each test saves a screenshot of
 * the page. */

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

/* Scrolls the page until the widget NAME is in the middle of the view. */
static void
scroll_to (MailSetupWindow *window,
           const char      *name)
{
  GtkWidget *widget = find_widget (window, name);
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *view = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  double x, y;

  g_assert_true (gtk_widget_translate_coordinates (widget, view, 0, 0, &x, &y));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + y -
                                        gtk_adjustment_get_page_size (adjustment) / 2);
  mail_setup_test_ui_wait_for_frame (widget);
}

static MailSetupWindow *
open_window (void)
{
  g_setenv ("MAIL_SETUP_EXTRA_CA_FILE", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), TRUE);

  return mail_setup_test_ui_open_window ();
}

/* The account page, with the provider's own settings except the server and
 * port, which point at the scripted server on loopback; then the test, of
 * receiving mail only. */
static void
test_account (MailSetupWindow     *window,
              MailSetupTestServer *server)
{
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_server_get_port (server));

  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  enter_text (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  enter_text (window, "server", "127.0.0.1");
  enter_text (window, "port", port);
  gtk_switch_set_active (GTK_SWITCH (find_widget (window, "check-smtp")), FALSE);
  click (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
}

/* The first two pages for the test account on its own server, which
 * receives mail at the main Dovecot and sends it through SMTP_PORT with
 * SMTP_SECURITY. */
static void
fill_in_account (MailSetupWindow   *window,
                 guint16            smtp_port,
                 MailSetupSecurity  smtp_security)
{
  g_autofree char *imap_port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"));
  g_autofree char *port = g_strdup_printf ("%u", smtp_port);

  enter_text (window, "email", mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  gtk_widget_activate (find_widget (window, "provider-other"));
  click (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  enter_text (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  enter_text (window, "server", "127.0.0.1");
  enter_text (window, "port", imap_port);
  enter_text (window, "smtp-server", "127.0.0.1");
  enter_text (window, "smtp-port", port);
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_widget (window, "smtp-security")), smtp_security);
}

/* The page says that receiving works and sending does not, with the
 * outgoing server's diagnosis, its words and its fix; the account can be
 * saved all the same. */
static void
assert_sending_fails (MailSetupWindow    *window,
                      MailSetupDiagnosis  diagnosis,
                      const char         *remedy)
{
  MailSetupAccount *account = mail_setup_window_get_account (window);
  const char *id = mail_setup_diagnosis_to_string (diagnosis);
  GtkWidget *save = find_widget (window, "save");

  g_assert_true (gtk_widget_is_drawable (find_widget (window, id)));
  g_assert_cmpstr (label_text (window, id), ==, mail_setup_diagnosis_get_title (diagnosis));
  g_assert_cmpstr (label_text (window, "outcome"), ==,
                   "Receiving mail works, but sending through 127.0.0.1 does not work yet.");
  g_assert_true (gtk_widget_is_drawable (mail_setup_test_ui_find (find_widget (window, "remedy"), remedy)));

  /* Every receiving stage passed; a sending one failed. */
  g_assert_true (gtk_widget_is_drawable (find_widget (window, "outgoing-stages")));
  g_assert_cmpint (mail_setup_check_get_diagnosis (mail_setup_account_get_last_check (account)), ==,
                   MAIL_SETUP_DIAGNOSIS_OK);

  /* Saving is there, second to the fix, and says what it means. */
  g_assert_true (gtk_widget_is_drawable (save));
  g_assert_true (gtk_widget_is_sensitive (save));
  g_assert_false (gtk_widget_has_css_class (save, "suggested-action"));
  g_assert_true (gtk_widget_is_drawable (find_widget (window, "save-note")));
  g_assert_true (gtk_widget_get_visible (find_widget (window, "back-to-settings")));
}

static gboolean
outgoing_server_focused (gpointer user_data)
{
  MailSetupWindow *window = user_data;
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && gtk_widget_is_ancestor (focus, find_widget (window, "smtp-server"));
}

/* Dovecot's submission service refuses the user name given for sending
 * (its own sign-in answer shown); back to the settings, the outgoing
 * server's are open, and once the user name is fixed both work. */
static void
test_result_sending_sign_in_refused (void)
{
  MailSetupWindow *window = open_window ();
  const char *said;

  fill_in_account (window, mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT"),
                   MAIL_SETUP_SECURITY_STARTTLS);
  enter_text (window, "smtp-username", "nobody@example.test");
  click (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);

  assert_sending_fails (window, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED, "smtp-sign-in");
  g_assert_true (g_str_has_prefix (remedy_summary (window, "smtp-sign-in"),
                                   "The outgoing server 127.0.0.1 refused the sign-in."));
  /* Not a Microsoft 365 account: nothing about its admin center, and the
   * steps are numbered without a gap. */
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (find_widget (window, "step-3"))), ==,
                   "3. Test again.");
  g_assert_null (mail_setup_test_ui_find (GTK_WIDGET (window), "step-4"));
  said = label_text (window, "server-said");
  g_assert_true (gtk_widget_is_drawable (find_widget (window, "server-said")));
  g_assert_true (g_str_has_prefix (said, "The outgoing server said: 535"));
  save_screenshot (window, "result-sending-sign-in-refused");
  scroll_to (window, "save");
  save_screenshot (window, "result-sending-sign-in-refused-save");

  click (window, "back-to-settings");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (find_widget (window, "outgoing-server-settings"))));
  g_assert_true (mail_setup_test_ui_wait_until (outgoing_server_focused, window, 2000));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_widget (window, "smtp-username"))), ==,
                   "nobody@example.test");
  save_screenshot (window, "result-sending-back-to-settings");

  /* Empty, the user name for sending is the one for receiving. */
  enter_text (window, "smtp-username", "");
  click (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (label_text (window, "ok"), ==, "Your Account Works");
  g_assert_cmpstr (label_text (window, "outcome"), ==, "Receiving and sending mail both work.");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A port of 127.0.0.1 that was free a moment ago, and so closed. */
static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any_port, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Nothing listens where mail is to be sent. */
static void
test_result_sending_connection_refused (void)
{
  MailSetupWindow *window = open_window ();

  fill_in_account (window, closed_port (), MAIL_SETUP_SECURITY_STARTTLS);
  click (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);

  /* The fix for wrong settings is the one for an outgoing server. */
  assert_sending_fails (window, MAIL_SETUP_DIAGNOSIS_CONNECT_REFUSED, "sending-server");
  g_assert_cmpstr (row_title (window, "step-1"), ==,
                   "1. For most providers, the sending server is port 587 with STARTTLS.");
  save_screenshot (window, "result-sending-connection-refused");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Nothing listens where mail is to be read, and sending works: receiving
 * is what the page is about, and sending is told second. */
static void
test_result_receiving_fails_sending_works (void)
{
  g_autofree char *imap_port = g_strdup_printf ("%u", closed_port ());
  MailSetupWindow *window = open_window ();

  fill_in_account (window, mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT"),
                   MAIL_SETUP_SECURITY_STARTTLS);
  enter_text (window, "port", imap_port);
  click (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);

  g_assert_cmpstr (label_text (window, "connect-refused"), ==, "Connection Refused");
  g_assert_false (gtk_widget_get_visible (find_widget (window, "outcome")));
  g_assert_cmpstr (label_text (window, "sending-outcome"), ==,
                   "Sending mail through 127.0.0.1 works; receiving does not.");
  g_assert_true (gtk_widget_is_drawable (find_widget (window, "check-server-settings")));
  g_assert_false (gtk_widget_is_visible (find_widget (window, "save")));
  save_screenshot (window, "result-receiving-fails-sending-works");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Receiving is tested, and sending waits for the server's greeting. */
static gboolean
only_sending_waits (gpointer user_data)
{
  MailSetupAccount *account = mail_setup_window_get_account (user_data);
  MailSetupCheck *check = mail_setup_account_get_last_check (account);
  MailSetupCheck *outgoing = check ? mail_setup_check_get_outgoing (check) : NULL;

  return outgoing != NULL &&
         mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_MAILBOX) == MAIL_SETUP_STAGE_STATUS_OK &&
         mail_setup_check_get_stage_status (outgoing, MAIL_SETUP_CHECK_STAGE_GREETING) == MAIL_SETUP_STAGE_STATUS_RUNNING;
}

/* The sending server never greets: the receiving half is done, and Cancel
 * stops the sending half at once, back to the settings as they were. */
static void
test_result_cancel_while_sending (void)
{
  g_autoptr(MailSetupTestServer) server = mail_setup_test_server_start ("never-greets", NULL);
  MailSetupWindow *window = open_window ();
  gint64 start;

  fill_in_account (window, mail_setup_test_server_get_port (server), MAIL_SETUP_SECURITY_SSL_TLS);
  click (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "testing", 2000);
  g_assert_true (mail_setup_test_ui_wait_until (only_sending_waits, window, 10000));

  g_assert_true (gtk_widget_is_drawable (find_widget (window, "incoming-stages")));
  g_assert_true (gtk_widget_is_drawable (find_widget (window, "outgoing-stages")));
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (find_widget (window, "outgoing-stages"))), ==,
                   "Sending Mail (SMTP)");
  g_assert_true (gtk_widget_is_drawable (find_widget (window, "smtp-stage-greeting")));
  save_screenshot (window, "testing-sending-waits");

  start = g_get_monotonic_time ();
  click (window, "cancel");
  mail_setup_test_ui_wait_for_page (window, "account", 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpint (mail_setup_check_get_diagnosis (mail_setup_check_get_outgoing (mail_setup_account_get_last_check (mail_setup_window_get_account (window)))),
                   ==, MAIL_SETUP_DIAGNOSIS_CANCELLED);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_widget (window, "smtp-server"))), ==, "127.0.0.1");

  gtk_window_destroy (GTK_WINDOW (window));
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
  g_assert_cmpstr (label_text (window, "sending-outcome"), ==, "Sending mail was not tested.");
  g_assert_false (gtk_widget_get_visible (find_widget (window, "outgoing-stages")));
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
  g_test_add_func ("/result-pages/sending-sign-in-refused", test_result_sending_sign_in_refused);
  g_test_add_func ("/result-pages/sending-connection-refused", test_result_sending_connection_refused);
  g_test_add_func ("/result-pages/receiving-fails-sending-works",
                   test_result_receiving_fails_sending_works);
  g_test_add_func ("/result-pages/cancel-while-sending", test_result_cancel_while_sending);

  return g_test_run ();
}
