/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The wizard driven as a user drives it: typing into its fields, pressing
 * its buttons, waiting for its pages, against the test Dovecot and the
 * scripted Microsoft servers. Each test saves screenshots of the pages it
 * reaches. */

#include <adwaita.h>

#include "mail-setup-account-store.h"
#include "mail-setup-core.h"
#include "mail-setup-test-browser.h"
#include "mail-setup-test-identity.h"
#include "mail-setup-test-server.h"
#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"
#include "mail-setup-uri.h"

/* The named widget on the visible page (or in the header bar). */
static GtkWidget *
widget (MailSetupWindow *window,
        const char      *name)
{
  return mail_setup_test_ui_widget (window, name);
}

static void
type_into (MailSetupWindow *window,
           const char      *name,
           const char      *text)
{
  mail_setup_test_ui_type_into (window, name, text);
}

static void
press (MailSetupWindow *window,
       const char      *name)
{
  mail_setup_test_ui_press (window, name);
}

static void
screenshot (MailSetupWindow *window,
            const char      *name)
{
  mail_setup_test_ui_save_screenshot (window, name);
}

/* The outgoing server: Dovecot's submission service on PORT, with
 * STARTTLS. */
static void
point_outgoing_at (MailSetupWindow *window,
                   guint16          port)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  type_into (window, "smtp-server", "127.0.0.1");
  type_into (window, "smtp-port", port_text);
  adw_combo_row_set_selected (ADW_COMBO_ROW (widget (window, "smtp-security")),
                              MAIL_SETUP_SECURITY_STARTTLS);
}

/* "Test Sending Mail" off, for a test of the receiving server alone. */
static void
skip_sending (MailSetupWindow *window)
{
  gtk_switch_set_active (GTK_SWITCH (widget (window, "check-smtp")), FALSE);
}

/* Fills in the first two pages for an IMAP server of one's own, with the
 * main Dovecot's submission service as the outgoing server. */
static void
fill_in_other_server (MailSetupWindow *window,
                      const char      *email,
                      const char      *password,
                      guint16          port,
                      const char      *screenshot_prefix)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autofree char *provider_shot = g_strconcat (screenshot_prefix, "-provider", NULL);
  g_autofree char *account_shot = g_strconcat (screenshot_prefix, "-account", NULL);

  g_assert_cmpstr (mail_setup_window_get_page (window), ==, "provider");
  type_into (window, "email", email);
  gtk_widget_activate (widget (window, "provider-other"));
  screenshot (window, provider_shot);
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);

  type_into (window, "password", password);
  type_into (window, "server", "127.0.0.1");
  type_into (window, "port", port_text);
  point_outgoing_at (window, mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT"));
  screenshot (window, account_shot);
}

static void
clipboard_text_read_cb (GObject      *clipboard,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (clipboard), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
is_set (gpointer user_data)
{
  return *(char **) user_data != NULL;
}

/* Presses Copy Report on the visible page; returns what the clipboard got. */
static char *
copy_report (MailSetupWindow *window)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  char *text = NULL;

  gdk_clipboard_set_text (clipboard, "");
  press (window, "copy-report");
  gdk_clipboard_read_text_async (clipboard, NULL, clipboard_text_read_cb, &text);
  g_assert_true (mail_setup_test_ui_wait_until (is_set, &text, 2000));

  return text;
}

static void
scroll_to_end (GtkWidget *inside)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (inside, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                        gtk_adjustment_get_page_size (adjustment));
  mail_setup_test_ui_wait_for_frame (inside);
}

static const char *
detail (MailSetupWindow *window,
        const char      *name)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (widget (window, name)));
}

static const char *
result_title (MailSetupWindow *window,
              const char      *diagnosis)
{
  return gtk_label_get_label (GTK_LABEL (widget (window, diagnosis)));
}

static const char *
label (MailSetupWindow *window,
       const char      *name)
{
  return gtk_label_get_label (GTK_LABEL (widget (window, name)));
}

/* The row of STAGE, its name after PREFIX, says how long it took. */
static void
assert_stage_timed (MailSetupWindow *window,
                    const char      *prefix,
                    const char      *stage)
{
  g_autofree char *name = g_strdup_printf ("%s%s-duration", prefix, stage);
  const char *duration = label (window, name);

  g_test_message ("%s: %s", name, duration);
  g_assert_true (g_str_equal (duration, "< 1 ms") ||
                 (g_str_has_suffix (duration, " ms") && g_ascii_strtoull (duration, NULL, 10) > 0));
}

static void
test_wizard_good_account_succeeds (void)
{
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();

  fill_in_other_server (window, mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
                        mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"),
                        mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"),
                        "wizard");
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);

  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
  g_assert_cmpstr (label (window, "outcome"), ==, "Receiving and sending mail both work.");
  g_assert_true (gtk_widget_is_drawable (widget (window, "save")));
  g_assert_true (gtk_widget_has_css_class (widget (window, "save"), "suggested-action"));
  g_assert_false (gtk_widget_get_visible (widget (window, "save-note")));

  /* Every stage of both servers passed and says how long it took; never
   * "0 ms". The sending server's sixth stage is the sender's address. */
  g_assert_true (gtk_widget_is_drawable (widget (window, "outgoing-stages")));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget (window, "smtp-stage-sender"))), ==,
                   "Checking the sender address");
  for (guint i = 0; i < MAIL_SETUP_CHECK_STAGE_LOGOUT; i++)
    {
      assert_stage_timed (window, "stage-", mail_setup_check_stage_to_string (i));
      assert_stage_timed (window, "smtp-stage-",
                          i == MAIL_SETUP_CHECK_STAGE_MAILBOX ? "sender" : mail_setup_check_stage_to_string (i));
    }
  screenshot (window, "wizard-result-success");
  scroll_to_end (widget (window, "outgoing-stages"));
  screenshot (window, "wizard-result-success-sending");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_wizard_wrong_password_explains (void)
{
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();
  g_autofree char *report = NULL;
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autofree char *plain_base64 = NULL;
  GtkWidget *remedy;

  fill_in_other_server (window, mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
                        "not the password",
                        mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"),
                        "wrong-password");
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);

  g_assert_cmpstr (result_title (window, "auth-failed"), ==, "Wrong User Name or Password");
  /* The same password failed for sending: receiving is told first. */
  g_assert_cmpstr (label (window, "sending-outcome"), ==, "Sending mail was tested too, and does not work either.");
  g_assert_false (gtk_widget_get_visible (widget (window, "outcome")));
  g_assert_false (gtk_widget_is_visible (widget (window, "save")));
  remedy = widget (window, "check-password");
  g_assert_true (gtk_widget_is_drawable (remedy));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (remedy)), ==, "Check Your Password");
  screenshot (window, "wizard-result-auth-failed");

  /* The report says what happened, and never what was typed as password. */
  report = copy_report (window);
  g_assert_nonnull (strstr (report, "Diagnosis: auth-failed"));
  g_assert_nonnull (strstr (report, "Remedy: check-password"));
  g_assert_nonnull (strstr (report, "Mail Setup Test CA"));
  g_assert_nonnull (strstr (report, "<redacted>"));
  g_assert_null (strstr (report, "not the password"));
  /* Nor AUTHENTICATE PLAIN's argument: NUL, user, NUL, password, in base64. */
  g_string_append_c (plain, '\0');
  g_string_append (plain, mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  g_string_append_c (plain, '\0');
  g_string_append (plain, "not the password");
  plain_base64 = g_base64_encode ((const guchar *) plain->str, plain->len);
  g_assert_null (strstr (report, plain_base64));

  /* Back to Settings keeps everything that was typed. */
  press (window, "back-to-settings");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "password"))), ==,
                   "not the password");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "server"))), ==,
                   "127.0.0.1");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
uri_opened_cb (const char *uri,
               gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup (uri));
}

static void
assert_recent_activity_fix (MailSetupWindow     *window,
                            MailSetupTestServer *server)
{
  g_autoptr(GPtrArray) opened = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) attempt = NULL;
  g_autofree char *attempt_time = NULL;
  MailSetupCheck *check;
  const char *step;

  g_assert_true (gtk_widget_is_drawable (widget (window, "recent-activity")));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (widget (window, "recent-activity"))), ==,
                   "Confirm the Sign-In on Microsoft’s Website");

  /* Step 1 names the address; step 3 the exact local time of the attempt. */
  step = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget (window, "step-1")));
  g_assert_nonnull (strstr (step, "someone@outlook.com"));
  check = mail_setup_account_get_last_check (mail_setup_window_get_account (window));
  attempt = g_date_time_to_local (mail_setup_check_get_sign_in_time (check));
  attempt_time = g_date_time_format (attempt, "%X");
  step = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget (window, "step-3")));
  g_assert_nonnull (strstr (step, attempt_time));
  g_assert_nonnull (strstr (step, "Protocol: IMAP"));

  /* The web pages open through the one URI function, here intercepted. */
  mail_setup_set_uri_handler (uri_opened_cb, opened);
  press (window, "link-1");
  press (window, "link-2");
  mail_setup_set_uri_handler (NULL, NULL);
  g_assert_cmpuint (opened->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (opened, 0), ==, "https://outlook.live.com");
  g_assert_cmpstr (g_ptr_array_index (opened, 1), ==, "https://account.live.com/activity");

  for (guint i = 1; i <= 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("tick-%u", i);

      gtk_check_button_set_active (GTK_CHECK_BUTTON (widget (window, name)), TRUE);
    }
  screenshot (window, "wizard-remedy-recent-activity");

  /* The user chose "This was me"; Microsoft now lets the sign-in through. */
  mail_setup_test_server_accept_sign_in (server);
  press (window, "retry");
  mail_setup_test_ui_wait_for_page (window, "testing", 2000);
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
  g_assert_true (g_strv_contains (mail_setup_account_get_tried_remedies (mail_setup_window_get_account (window)),
                                  "recent-activity"));
}

static void
test_wizard_basic_auth_blocked_leads_to_microsoft_sign_in (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autofree char *port = NULL;
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();

  server = mail_setup_test_server_start ("ms-basic-auth-blocked", "--user", "someone@outlook.com", NULL);
  port = g_strdup_printf ("%u", mail_setup_test_server_get_port (server));

  type_into (window, "email", "someone@outlook.com");
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  type_into (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  type_into (window, "server", "127.0.0.1");
  type_into (window, "port", port);
  skip_sending (window);
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);

  g_assert_cmpstr (result_title (window, "ms-basic-auth-blocked"), ==,
                   "Microsoft No Longer Accepts Passwords Here");
  g_assert_true (gtk_widget_is_drawable (widget (window, "microsoft-sign-in")));
  g_assert_null (mail_setup_test_ui_find (GTK_WIDGET (window), "recent-activity"));
  screenshot (window, "wizard-remedy-microsoft-sign-in");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_wizard_microsoft_login_failed (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autofree char *port = NULL;
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();

  server = mail_setup_test_server_start ("ms-login-failed", "--user", "someone@outlook.com", NULL);
  port = g_strdup_printf ("%u", mail_setup_test_server_get_port (server));

  /* The address alone picks Outlook.com and fills in Microsoft's server. */
  type_into (window, "email", "someone@outlook.com");
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (
    adw_action_row_get_activatable_widget (ADW_ACTION_ROW (widget (window, "provider-outlook"))))));
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "server"))), ==,
                   "outlook.office365.com");

  /* Only the test points it at the scripted server on loopback, which
   * receives mail only. */
  type_into (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  type_into (window, "server", "127.0.0.1");
  type_into (window, "port", port);
  skip_sending (window);
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);

  g_assert_cmpstr (result_title (window, "ms-auth-failed"), ==, "Microsoft Refused the Sign-In");
  screenshot (window, "wizard-result-ms-auth-failed");

  /* The guided fix is Recent activity and "This was me". */
  assert_recent_activity_fix (window, server);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
count_frame_cb (GdkFrameClock *clock,
                guint         *frames)
{
  (*frames)++;
}

static gboolean
half_second_passed (gpointer user_data)
{
  return g_get_monotonic_time () >= *(gint64 *) user_data;
}

static void
test_wizard_cancel_while_server_never_greets (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();
  g_autofree char *report = NULL;
  GdkFrameClock *clock;
  guint frames = 0;
  gulong handler;
  gint64 until;
  gint64 start;

  server = mail_setup_test_server_start ("never-greets", NULL);
  fill_in_other_server (window, "someone@example.test", "Pa55 never sent",
                        mail_setup_test_server_get_port (server), "never-greets");
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "testing", 2000);

  /* The window goes on drawing while the check waits on the server. */
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (count_frame_cb), &frames);
  until = g_get_monotonic_time () + G_USEC_PER_SEC;
  mail_setup_test_ui_wait_until (half_second_passed, &until, 2000);
  g_signal_handler_disconnect (clock, handler);
  g_test_message ("%u frames drawn in one second of waiting", frames);
  g_assert_cmpuint (frames, >=, 10);
  g_assert_cmpstr (mail_setup_window_get_page (window), ==, "testing");
  screenshot (window, "wizard-testing");

  /* What is known already shows while the test waits: the handshake is
   * done, the greeting is not. */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (widget (window, "connection-details")), TRUE);
  g_assert_true (g_str_has_prefix (detail (window, "tls-version"), "TLS1."));
  g_assert_nonnull (strstr (detail (window, "certificate-issuer"), "CN=Mail Setup Test CA"));
  g_assert_cmpuint (strlen (detail (window, "certificate-fingerprint")), ==, 32 * 3 - 1);
  g_assert_cmpstr (detail (window, "server-response"), ==, "Not known yet");
  /* Once the rows have slid open, scrolled down to them for the picture. */
  until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  mail_setup_test_ui_wait_until (half_second_passed, &until, 2000);
  scroll_to_end (widget (window, "connection-details"));
  screenshot (window, "wizard-testing-details");

  report = copy_report (window);
  g_assert_nonnull (strstr (report, "Diagnosis: none yet, the test is still running"));
  g_assert_nonnull (strstr (report, "Mail Setup Test CA"));
  g_assert_null (strstr (report, "Pa55 never sent"));
  g_assert_cmpstr (mail_setup_window_get_page (window), ==, "testing");

  start = g_get_monotonic_time ();
  press (window, "cancel");
  mail_setup_test_ui_wait_for_page (window, "account", 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  /* Nothing typed is lost. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "password"))), ==,
                   "Pa55 never sent");
  press (window, "back");
  mail_setup_test_ui_wait_for_page (window, "provider", 2000);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "email"))), ==,
                   "someone@example.test");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_wizard_checks_fields_as_typed (void)
{
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();
  GtkWidget *error;

  type_into (window, "email", "someone@example.test");
  gtk_widget_activate (widget (window, "provider-other"));
  type_into (window, "email", "someone@");
  error = widget (window, "email-error");
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_false (gtk_widget_is_sensitive (widget (window, "continue")));

  type_into (window, "email", "someone@example.test");
  g_assert_false (gtk_widget_get_visible (error));
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);

  type_into (window, "password", "secret");
  type_into (window, "server", "imap..example.test");
  g_assert_true (gtk_widget_get_visible (widget (window, "server-error")));
  g_assert_false (gtk_widget_is_sensitive (widget (window, "continue")));
  type_into (window, "server", "imap.example.test");
  type_into (window, "port", "70000");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (widget (window, "server-error"))), ==,
                   "The port is a number from 1 to 65535");
  g_assert_false (gtk_widget_is_sensitive (widget (window, "continue")));
  screenshot (window, "wizard-account-invalid");
  type_into (window, "port", "993");
  g_assert_false (gtk_widget_get_visible (widget (window, "server-error")));
  g_assert_true (gtk_widget_is_sensitive (widget (window, "continue")));

  /* The outgoing server is guessed from the incoming one, and checked the
   * same way. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "smtp-server"))), ==,
                   "smtp.example.test");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "smtp-port"))), ==, "587");
  type_into (window, "smtp-server", "smtp..example.test");
  g_assert_true (gtk_widget_get_visible (widget (window, "smtp-server-error")));
  g_assert_true (gtk_widget_has_css_class (widget (window, "smtp-server"), "error"));
  g_assert_false (gtk_widget_is_sensitive (widget (window, "continue")));
  type_into (window, "smtp-server", "mail.example.test");
  type_into (window, "smtp-port", "0");
  g_assert_cmpstr (label (window, "smtp-server-error"), ==, "The port is a number from 1 to 65535");
  g_assert_false (gtk_widget_is_sensitive (widget (window, "continue")));
  scroll_to_end (widget (window, "smtp-server-error"));
  screenshot (window, "wizard-account-outgoing-invalid");

  /* Without a test of sending, its settings stand in nobody's way. */
  skip_sending (window);
  g_assert_false (gtk_widget_get_visible (widget (window, "smtp-server-error")));
  g_assert_true (gtk_widget_is_sensitive (widget (window, "continue")));
  gtk_switch_set_active (GTK_SWITCH (widget (window, "check-smtp")), TRUE);
  g_assert_false (gtk_widget_is_sensitive (widget (window, "continue")));
  type_into (window, "smtp-port", "465");
  adw_combo_row_set_selected (ADW_COMBO_ROW (widget (window, "smtp-security")), MAIL_SETUP_SECURITY_SSL_TLS);
  type_into (window, "smtp-username", "sender@example.test");
  g_assert_false (gtk_widget_get_visible (widget (window, "smtp-server-error")));
  g_assert_true (gtk_widget_is_sensitive (widget (window, "continue")));

  /* Back and forth, and everything typed is still there; a new incoming
   * server no longer changes the outgoing one the user chose. */
  press (window, "back");
  mail_setup_test_ui_wait_for_page (window, "provider", 2000);
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  type_into (window, "server", "imap.example.org");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "smtp-server"))), ==,
                   "mail.example.test");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "smtp-port"))), ==, "465");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (widget (window, "smtp-security"))), ==,
                    MAIL_SETUP_SECURITY_SSL_TLS);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "smtp-username"))), ==,
                   "sender@example.test");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (widget (window, "check-smtp"))));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_wizard_narrow_and_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  MailSetupWindow *window;
  gint64 until;

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  window = mail_setup_test_ui_open_wizard_with_size (360, 640);
  type_into (window, "email", "someone@hotmail.com");
  mail_setup_test_ui_wait_for_frame (GTK_WIDGET (window));
  mail_setup_test_ui_wait_for_frame (GTK_WIDGET (window));

  screenshot (window, "wizard-provider-narrow-dark");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);

  /* Microsoft's outgoing server, folded away, and open. */
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  g_assert_false (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (widget (window, "outgoing-server-settings"))));
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (widget (window, "outgoing-server-settings"))), ==,
                   "smtp-mail.outlook.com, port 587, STARTTLS");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (widget (window, "outgoing-server-settings")), TRUE);
  /* Once the rows have slid open. */
  until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  mail_setup_test_ui_wait_until (half_second_passed, &until, 2000);
  scroll_to_end (widget (window, "outgoing-server-settings"));
  screenshot (window, "wizard-account-narrow-dark");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);

  gtk_window_destroy (GTK_WINDOW (window));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

static gboolean
saved_row_gone (gpointer user_data)
{
  return mail_setup_test_ui_find (GTK_WIDGET (user_data), "saved-user@example.test") == NULL;
}

static GtkWidget *
find_remove_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel))
        return toplevel;
    }

  return NULL;
}

static gboolean
remove_dialog_shown (gpointer user_data)
{
  return find_remove_dialog () != NULL;
}

static void
test_wizard_save_and_manage_account (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");
  guint16 port = mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT");
  const char *submission_port = mail_setup_test_service_env ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT");
  g_autofree char *stored = NULL;
  g_autofree char *after_remove = NULL;
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();
  GtkWidget *dialog;

  fill_in_other_server (window, user, password, port, "save");
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");

  press (window, "save");
  g_assert_true (mail_setup_test_ui_wait_until (mail_setup_test_ui_save_finished, window, 10000));
  g_assert_true (gtk_widget_get_visible (widget (window, "done")));
  screenshot (window, "wizard-saved");

  /* Any program finds the password the documented way. */
  stored = mail_setup_test_ui_secret_tool_lookup (user, "127.0.0.1", port, "password");
  g_assert_cmpstr (stored, ==, password);

  /* The first page lists it; Test runs the check with the stored password. */
  gtk_window_destroy (GTK_WINDOW (window));

  window = mail_setup_test_ui_open_wizard ();
  g_assert_true (gtk_widget_is_drawable (widget (window, "saved-user@example.test")));
  screenshot (window, "wizard-saved-accounts");
  press (window, "test-saved-user@example.test");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "server"))), ==, "127.0.0.1");
  /* The outgoing server was saved too, and tested again. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "smtp-port"))), ==, submission_port);
  g_assert_cmpstr (label (window, "outcome"), ==, "Receiving and sending mail both work.");

  /* Remove, after saying yes. */
  press (window, "back");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  press (window, "back");
  mail_setup_test_ui_wait_for_page (window, "provider", 2000);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-account", "s", user);
  g_assert_true (mail_setup_test_ui_wait_until (remove_dialog_shown, NULL, 5000));
  dialog = find_remove_dialog ();
  g_free (mail_setup_test_ui_screenshot (dialog, "wizard-remove-confirmation"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "remove");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (mail_setup_test_ui_wait_until (saved_row_gone, window, 10000));
  after_remove = mail_setup_test_ui_secret_tool_lookup (user, "127.0.0.1", port, "password");
  g_assert_cmpstr (after_remove, ==, "");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Microsoft sign-in, against the test's identity server standing in for
 * Microsoft's and the test Dovecot that checks the tokens it issues. The
 * browser is tests/servers/test-browser.py, this desktop's https handler:
 * in "follow" mode it signs in as the identity server says, in "ignore"
 * mode it only opens the address. */
static void
use_identity_server (const char *browser_mode)
{
  g_setenv ("MAIL_SETUP_OAUTH_AUTHORITY", mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"), TRUE);
  mail_setup_test_identity_reset ();
  mail_setup_test_browser_install ();
  mail_setup_test_browser_use_new_log ();
  mail_setup_test_browser_set_mode (browser_mode);
}

static void
leave_identity_server (MailSetupWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  mail_setup_test_identity_reset ();
  g_unsetenv ("MAIL_SETUP_OAUTH_AUTHORITY");
  g_unsetenv ("MAIL_SETUP_BROWSER_SIGN_IN_TIMEOUT");
}

/* The first two pages for a Microsoft 365 address, pointed at the Dovecot
 * that takes the identity server's tokens. */
static MailSetupWindow *
open_microsoft_account (const char *email)
{
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"));
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();

  type_into (window, "email", email);
  gtk_widget_activate (widget (window, "provider-microsoft365"));
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  type_into (window, "server", "127.0.0.1");
  type_into (window, "port", port);
  point_outgoing_at (window, mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_SUBMISSION_PORT"));

  return window;
}

/* "Sign In With Microsoft Instead", instead of a password: in the browser,
 * since this desktop has one. */
static void
sign_in_with_microsoft (MailSetupWindow *window)
{
  g_assert_true (gtk_widget_is_drawable (widget (window, "microsoft-sign-in-row")));
  gtk_widget_activate (widget (window, "microsoft-sign-in-row"));
  mail_setup_test_ui_wait_for_page (window, "sign-in", 2000);
}

static const char *
authorize_uri (MailSetupWindow *window)
{
  g_assert_true (mail_setup_test_ui_wait_until (mail_setup_test_ui_browser_is_waiting, window, 10000));

  return gtk_label_get_label (GTK_LABEL (widget (window, "authorize-uri")));
}

/* The port of the loopback listener, from the redirect address inside the
 * address the browser was given. */
static char *
clipboard_text (MailSetupWindow *window)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  char *text = NULL;

  gdk_clipboard_read_text_async (clipboard, NULL, clipboard_text_read_cb, &text);
  g_assert_true (mail_setup_test_ui_wait_until (is_set, &text, 2000));

  return text;
}

/* The result page shows DIAGNOSIS with the guided fix REMEDY; the picture
 * is saved as SHOT. */
static void
assert_result (MailSetupWindow *window,
               const char      *diagnosis,
               const char      *remedy,
               const char      *shot)
{
  MailSetupDiagnosis expected;
  g_autofree char *report = NULL;
  g_autofree char *report_diagnosis = g_strdup_printf ("Diagnosis: %s\n", diagnosis);
  GtkWidget *remedy_title;

  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_true (mail_setup_diagnosis_from_string (diagnosis, &expected));
  g_assert_true (gtk_widget_is_drawable (widget (window, diagnosis)));
  g_assert_cmpstr (result_title (window, diagnosis), ==, mail_setup_diagnosis_get_title (expected));

  remedy_title = mail_setup_test_ui_find (widget (window, "remedy"), remedy);
  g_assert_nonnull (remedy_title);
  g_assert_true (gtk_widget_is_drawable (remedy_title));

  screenshot (window, shot);

  /* The report of that very outcome, for a help request. */
  report = copy_report (window);
  g_assert_nonnull (strstr (report, report_diagnosis));
}

/* What Microsoft answered, in view and selectable, with its AADSTS number. */
static void
assert_microsoft_said (MailSetupWindow *window,
                       const char      *code)
{
  GtkWidget *said = widget (window, "sign-in-response");
  const char *text = gtk_label_get_label (GTK_LABEL (said));

  g_assert_true (gtk_widget_is_drawable (said));
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (said)));
  g_assert_true (g_str_has_prefix (text, "Microsoft said: "));
  g_assert_nonnull (strstr (text, code));
  /* Never the trace and correlation IDs of Microsoft's description. */
  g_assert_null (strstr (text, "Trace ID"));
}

static void
assert_report_says (MailSetupWindow *window,
                    const char      *line)
{
  g_autofree char *report = copy_report (window);

  if (strstr (report, line) == NULL)
    g_error ("The report lacks \"%s\":\n%s", line, report);
}

static void
test_wizard_browser_sign_in (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) visit = NULL;
  MailSetupWindow *window;
  MailSetupAccount *account;

  use_identity_server (MAIL_SETUP_TEST_BROWSER_FOLLOW);
  window = open_microsoft_account (user);
  account = mail_setup_window_get_account (window);

  /* The person signs in in the browser; the browser comes back to Mail
   * Setup, which tests the account with the token. */
  sign_in_with_microsoft (window);
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
  g_assert_true (mail_setup_account_get_uses_microsoft_sign_in (account));
  g_assert_nonnull (mail_setup_account_get_refresh_token (account));
  g_assert_cmpstr (mail_setup_check_get_sign_in_method (mail_setup_account_get_last_check (account)), ==,
                   "browser");
  screenshot (window, "wizard-sign-in-browser-result");
  assert_report_says (window, "Microsoft sign-in: browser\n");

  /* Signed in as the address being set up, with PKCE. */
  request = mail_setup_test_identity_get_authorize ();
  g_assert_cmpstr (json_object_get_string_member (request, "login_hint"), ==, user);
  g_assert_cmpstr (json_object_get_string_member (request, "pkce"), ==, "ok");

  /* The browser was told that it can be closed. */
  visit = mail_setup_test_browser_wait_for_visit (5000);
  g_assert_cmpint (json_object_get_int_member (visit, "status"), ==, 200);
  g_assert_nonnull (strstr (json_object_get_string_member (visit, "page"), "close"));

  leave_identity_server (window);
}

static void
test_wizard_browser_sign_in_cancel (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  g_autoptr(JsonObject) visit = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autofree char *intro = NULL;
  g_autofree char *copied = NULL;
  MailSetupWindow *window;
  const char *countdown;
  const char *address;
  guint port;
  gint64 start;

  use_identity_server (MAIL_SETUP_TEST_BROWSER_IGNORE);
  window = open_microsoft_account (user);
  sign_in_with_microsoft (window);
  address = authorize_uri (window);
  port = mail_setup_test_browser_redirect_port (address);

  /* The page says where to go on, and what the browser was given. */
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (widget (window, "sign-in-heading"))), ==,
                   "Continue in Your Browser");
  intro = g_strdup_printf ("Mail Setup opened Microsoft’s sign-in page in your web browser. "
                           "Sign in there as %s; Mail Setup never sees your password.", user);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (widget (window, "sign-in-intro"))), ==, intro);
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (widget (window, "authorize-uri"))));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (widget (window, "authorize-uri")), ==, address);
  countdown = gtk_label_get_label (GTK_LABEL (widget (window, "browser-countdown")));
  g_assert_true (g_str_has_prefix (countdown, "Waiting for you to sign in… "));
  g_assert_true (g_str_has_suffix (countdown, " left"));
  g_assert_true (strstr (countdown, "10:00") != NULL || strstr (countdown, "9:5") != NULL);
  g_assert_false (gtk_widget_get_visible (widget (window, "browser-problem")));
  g_assert_true (gtk_widget_is_drawable (widget (window, "use-device")));

  visit = mail_setup_test_browser_wait_for_visit (5000);
  g_assert_cmpstr (json_object_get_string_member (visit, "opened"), ==, address);
  screenshot (window, "wizard-sign-in-browser");

  /* Copy, and Open Again: the same address. */
  press (window, "copy-authorize-uri");
  copied = clipboard_text (window);
  g_assert_cmpstr (copied, ==, address);
  press (window, "open-again");
  again = mail_setup_test_browser_wait_for_visit (5000);
  g_assert_cmpstr (json_object_get_string_member (again, "opened"), ==, address);

  /* Cancel goes back at once, and nothing listens for the browser any
   * more. */
  g_assert_true (mail_setup_test_port_is_open (port));
  start = g_get_monotonic_time ();
  press (window, "cancel-sign-in");
  mail_setup_test_ui_wait_for_page (window, "account", 1000);
  g_assert_false (mail_setup_test_port_is_open (port));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_false (mail_setup_account_get_uses_microsoft_sign_in (mail_setup_window_get_account (window)));

  leave_identity_server (window);
}

static void
test_wizard_browser_sign_in_timeout (void)
{
  MailSetupWindow *window;

  use_identity_server (MAIL_SETUP_TEST_BROWSER_IGNORE);
  g_setenv ("MAIL_SETUP_BROWSER_SIGN_IN_TIMEOUT", "2", TRUE);
  window = open_microsoft_account (mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  sign_in_with_microsoft (window);
  authorize_uri (window);

  /* Nobody signed in in time. */
  assert_result (window, "sign-in-expired", "sign-in-again", "wizard-sign-in-expired");
  g_assert_false (gtk_widget_get_visible (widget (window, "sign-in-response")));
  assert_report_says (window, "Microsoft sign-in: browser\n");

  /* The fix's own button signs in again; no second Try Again competes
   * with it, and nothing tests without a token. */
  g_unsetenv ("MAIL_SETUP_BROWSER_SIGN_IN_TIMEOUT");
  g_assert_false (gtk_widget_get_visible (widget (window, "try-again")));
  press (window, "microsoft-sign-in-button");
  mail_setup_test_ui_wait_for_page (window, "sign-in", 2000);
  authorize_uri (window);
  press (window, "cancel-sign-in");
  mail_setup_test_ui_wait_for_page (window, "account", 1000);

  leave_identity_server (window);
}

static gboolean
code_is_shown (gpointer user_data)
{
  MailSetupWindow *window = user_data;
  GtkWidget *code = mail_setup_test_ui_find (GTK_WIDGET (window), "user-code");

  return code != NULL && *gtk_label_get_label (GTK_LABEL (code)) != '\0' &&
         gtk_widget_is_drawable (code);
}

/* Takes this desktop's https handler away (REMOVED) or gives it back, in
 * this test program's own mimeapps.list, and waits until GIO knows. */
static gboolean
has_no_browser (gpointer user_data)
{
  g_autoptr(GAppInfo) browser = g_app_info_get_default_for_uri_scheme ("https");

  return browser == NULL;
}

static void
remove_browser (gboolean removed)
{
  g_autoptr(GKeyFile) list = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "mimeapps.list", NULL);

  g_key_file_load_from_file (list, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  if (removed)
    {
      g_key_file_remove_key (list, "Default Applications", "x-scheme-handler/https", NULL);
      g_key_file_set_string (list, "Removed Associations", "x-scheme-handler/https",
                             "mail-setup-test-browser.desktop;");
    }
  else
    g_key_file_remove_group (list, "Removed Associations", NULL);
  g_key_file_save_to_file (list, path, &error);
  g_assert_no_error (error);

  if (removed)
    g_assert_true (mail_setup_test_ui_wait_until (has_no_browser, NULL, 10000));
  else
    mail_setup_test_browser_install ();
}

/* No web browser here: Microsoft sign-in is a code for another device,
 * without a way back to a browser. */
static void
test_wizard_microsoft_sign_in_without_browser (void)
{
  MailSetupWindow *window;

  use_identity_server (MAIL_SETUP_TEST_BROWSER_IGNORE);
  remove_browser (TRUE);
  window = open_microsoft_account (mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));

  sign_in_with_microsoft (window);
  g_assert_true (mail_setup_test_ui_wait_until (code_is_shown, window, 10000));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (widget (window, "sign-in-heading"))), ==,
                   "Sign In on Another Device");
  g_assert_false (gtk_widget_get_visible (widget (window, "use-browser")));
  screenshot (window, "wizard-sign-in-code-without-browser");

  press (window, "cancel-sign-in");
  mail_setup_test_ui_wait_for_page (window, "account", 1000);

  remove_browser (FALSE);
  leave_identity_server (window);
}

/* Microsoft sends the browser back with an error; the result page explains
 * it. */
static MailSetupWindow *
browser_sign_in_refused (const char *error,
                         guint       code,
                         const char *diagnosis,
                         const char *remedy,
                         const char *shot)
{
  g_autofree char *aadsts = g_strdup_printf ("AADSTS%u", code);
  MailSetupWindow *window;

  use_identity_server (MAIL_SETUP_TEST_BROWSER_FOLLOW);
  mail_setup_test_identity_browser_error (error, code, NULL, NULL);
  window = open_microsoft_account (mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  sign_in_with_microsoft (window);

  assert_result (window, diagnosis, remedy, shot);
  assert_microsoft_said (window, aadsts);
  assert_report_says (window, "Microsoft sign-in: browser\n");

  return window;
}

static void
test_wizard_sign_in_consent_required (void)
{
  MailSetupWindow *window = browser_sign_in_refused ("consent_required", 65001,
                                                     "sign-in-consent-required", "admin-consent",
                                                     "wizard-sign-in-consent-required");

  leave_identity_server (window);
}

static void
test_wizard_sign_in_declined (void)
{
  MailSetupWindow *window = browser_sign_in_refused ("access_denied", 65004, "sign-in-declined",
                                                     "sign-in-again", "wizard-sign-in-declined");

  /* The person changed their mind: they sign in again, and agree. */
  press (window, "microsoft-sign-in-button");
  mail_setup_test_ui_wait_for_page (window, "sign-in", 2000);
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");

  leave_identity_server (window);
}

static void
test_wizard_sign_in_wrong_account (void)
{
  MailSetupWindow *window = browser_sign_in_refused ("invalid_request", 50020, "sign-in-wrong-account",
                                                     "sign-in-right-account",
                                                     "wizard-sign-in-wrong-account");

  leave_identity_server (window);
}

static void
test_wizard_sign_in_app_rejected (void)
{
  MailSetupWindow *window = browser_sign_in_refused ("unauthorized_client", 700016,
                                                     "sign-in-app-rejected", "sign-in-app-settings",
                                                     "wizard-sign-in-app-rejected");

  leave_identity_server (window);
}

static void
test_wizard_sign_in_refused (void)
{
  MailSetupWindow *window = browser_sign_in_refused ("invalid_request", 90014, "sign-in-refused",
                                                     "sign-in-refused", "wizard-sign-in-refused");

  leave_identity_server (window);
}

/* From the browser page, "Sign In on Another Device Instead". */
static const char *
switch_to_device_code (MailSetupWindow *window)
{
  authorize_uri (window);
  press (window, "use-device");
  g_assert_true (mail_setup_test_ui_wait_until (code_is_shown, window, 10000));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (widget (window, "sign-in-heading"))), ==,
                   "Sign In on Another Device");
  /* And back, since a browser can be opened here. */
  g_assert_true (gtk_widget_is_drawable (widget (window, "use-browser")));

  return gtk_label_get_label (GTK_LABEL (widget (window, "user-code")));
}

/* Signed in with a code, then Microsoft's "Block device code flow" policy
 * refuses the token; the fix is the browser, which works. */
static void
test_wizard_sign_in_blocked (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  MailSetupWindow *window;
  GtkWidget *browser_button;
  const char *code;

  use_identity_server (MAIL_SETUP_TEST_BROWSER_IGNORE);
  window = open_microsoft_account (user);
  sign_in_with_microsoft (window);
  code = switch_to_device_code (window);

  mail_setup_test_identity_force_token_error ("device_code", "invalid_grant", 53003, "message_only",
                                              NULL, 1);
  mail_setup_test_identity_approve (code, user);
  assert_result (window, "sign-in-blocked", "blocked-by-policy", "wizard-sign-in-blocked");
  assert_microsoft_said (window, "AADSTS53003");
  assert_report_says (window, "Microsoft sign-in: device\n");

  browser_button = widget (window, "browser-sign-in-button");
  g_assert_true (gtk_widget_is_drawable (browser_button));
  g_assert_true (gtk_widget_is_sensitive (browser_button));

  mail_setup_test_browser_set_mode (MAIL_SETUP_TEST_BROWSER_FOLLOW);
  press (window, "browser-sign-in-button");
  mail_setup_test_ui_wait_for_page (window, "sign-in", 2000);
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
  assert_report_says (window, "Microsoft sign-in: browser\n");

  leave_identity_server (window);
}

static void
test_wizard_sign_in_unreachable (void)
{
  g_autofree char *authority = g_strdup_printf ("http://127.0.0.1:%u", mail_setup_test_closed_port ());
  MailSetupWindow *window;

  use_identity_server (MAIL_SETUP_TEST_BROWSER_IGNORE);
  g_setenv ("MAIL_SETUP_OAUTH_AUTHORITY", authority, TRUE);
  window = open_microsoft_account (mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  sign_in_with_microsoft (window);
  authorize_uri (window);
  press (window, "use-device");

  assert_result (window, "sign-in-unreachable", "sign-in-unreachable", "wizard-sign-in-unreachable");
  assert_report_says (window, "Microsoft sign-in: device\n");

  leave_identity_server (window);
}

static void
last_check_changed_cb (MailSetupAccount *account,
                       GParamSpec       *pspec,
                       GPtrArray        *refresh_tokens)
{
  g_ptr_array_add (refresh_tokens, g_strdup (mail_setup_account_get_refresh_token (account)));
}

/* The browser signs in as another account, whose token Dovecot refuses for
 * this mailbox: refreshed once and tried again, then explained. */
static void
test_wizard_oauth_token_refused (void)
{
  g_autoptr(GPtrArray) refresh_tokens = g_ptr_array_new_with_free_func (g_free);
  MailSetupWindow *window;
  MailSetupAccount *account;

  use_identity_server (MAIL_SETUP_TEST_BROWSER_FOLLOW);
  mail_setup_test_identity_browser_approve ("other@example.test");
  window = open_microsoft_account (mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  account = mail_setup_window_get_account (window);
  g_signal_connect (account, "notify::last-check", G_CALLBACK (last_check_changed_cb), refresh_tokens);

  sign_in_with_microsoft (window);
  assert_result (window, "oauth-token-refused", "mailbox-imap-access",
                 "wizard-sign-in-oauth-token-refused");
  g_signal_handlers_disconnect_by_data (account, refresh_tokens);

  /* Two tests: the second with tokens refreshed in between, and no more. */
  g_assert_cmpuint (refresh_tokens->len, ==, 2);
  g_assert_nonnull (g_ptr_array_index (refresh_tokens, 0));
  g_assert_nonnull (g_ptr_array_index (refresh_tokens, 1));
  g_assert_cmpstr (g_ptr_array_index (refresh_tokens, 0), !=, g_ptr_array_index (refresh_tokens, 1));

  leave_identity_server (window);
}

typedef struct
{
  const char *user;
  guint16     port;
  const char *expected;
} KeyringWait;

static gboolean
keyring_holds (gpointer user_data)
{
  KeyringWait *wait = user_data;
  g_autofree char *stored = mail_setup_test_ui_secret_tool_lookup (wait->user, "127.0.0.1", wait->port, "oauth2");

  return g_strcmp0 (stored, wait->expected) == 0;
}

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

/* Polls the keyring, the way another program would read it. */
static gboolean
wait_for_keyring (const char *user,
                  guint16     port,
                  const char *expected)
{
  KeyringWait wait = { user, port, expected };

  for (guint i = 0; i < 50; i++)
    {
      if (keyring_holds (&wait))
        return TRUE;
      mail_setup_test_ui_wait_until (never, NULL, 100);
    }

  return keyring_holds (&wait);
}

/* A code on another device; saved, the sign-in is a refresh token in the
 * keyring that each test trades for new tokens, keeping the new refresh
 * token; once Microsoft refuses it, signing in again mends it. */
static void
test_wizard_microsoft_sign_in (void)
{
  guint16 port = mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT");
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  g_autoptr(GPtrArray) opened = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *expected_uri = NULL;
  g_autofree char *saved_token = NULL;
  g_autofree char *test_name = g_strconcat ("test-saved-", user, NULL);
  MailSetupWindow *window;
  const char *countdown;
  const char *code;

  use_identity_server (MAIL_SETUP_TEST_BROWSER_IGNORE);
  window = open_microsoft_account (user);
  sign_in_with_microsoft (window);
  code = switch_to_device_code (window);
  countdown = gtk_label_get_label (GTK_LABEL (widget (window, "countdown")));
  g_assert_nonnull (strstr (countdown, "expires in 1"));
  screenshot (window, "wizard-sign-in-code");

  mail_setup_set_uri_handler (uri_opened_cb, opened);
  press (window, "open-sign-in-page");
  mail_setup_set_uri_handler (NULL, NULL);
  g_assert_cmpuint (opened->len, ==, 1);
  expected_uri = g_strdup (gtk_widget_get_tooltip_text (widget (window, "open-sign-in-page")));
  g_assert_cmpstr (g_ptr_array_index (opened, 0), ==, expected_uri);

  /* The person at the browser enters the code and signs in. */
  mail_setup_test_identity_approve (code, user);
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
  g_assert_true (mail_setup_account_get_uses_microsoft_sign_in (mail_setup_window_get_account (window)));
  g_assert_nonnull (mail_setup_account_get_refresh_token (mail_setup_window_get_account (window)));
  screenshot (window, "wizard-sign-in-result");
  assert_report_says (window, "Microsoft sign-in: device\n");

  press (window, "save");
  g_assert_true (mail_setup_test_ui_wait_until (mail_setup_test_ui_save_finished, window, 10000));
  g_assert_true (gtk_widget_get_visible (widget (window, "done")));
  saved_token = g_strdup (mail_setup_account_get_refresh_token (mail_setup_window_get_account (window)));
  g_assert_true (wait_for_keyring (user, port, saved_token));
  gtk_window_destroy (GTK_WINDOW (window));

  /* Test trades the saved token for new ones, with no code to enter, and
   * the keyring gets the new refresh token at once: the old one is dead. */
  for (guint i = 0; i < 2; i++)
    {
      const char *rotated;

      window = mail_setup_test_ui_open_wizard ();
      press (window, test_name);
      mail_setup_test_ui_wait_for_page (window, "result", 20000);
      g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
      g_assert_true (mail_setup_account_get_uses_microsoft_sign_in (mail_setup_window_get_account (window)));
      assert_report_says (window, "Microsoft sign-in: saved\n");
      rotated = mail_setup_account_get_refresh_token (mail_setup_window_get_account (window));
      g_assert_cmpstr (rotated, !=, saved_token);
      g_assert_true (wait_for_keyring (user, port, rotated));
      g_free (saved_token);
      saved_token = g_strdup (rotated);
      gtk_window_destroy (GTK_WINDOW (window));
    }

  /* Microsoft no longer takes the saved sign-in. */
  mail_setup_test_identity_force_token_error ("refresh_token", "invalid_grant", 700082, NULL, NULL, 1);
  window = mail_setup_test_ui_open_wizard ();
  press (window, test_name);
  assert_result (window, "sign-in-saved-expired", "sign-in-again", "wizard-sign-in-saved-expired");
  assert_microsoft_said (window, "AADSTS700082");
  assert_report_says (window, "Microsoft sign-in: saved\n");

  /* Its fix: sign in again, here in the browser. */
  mail_setup_test_browser_set_mode (MAIL_SETUP_TEST_BROWSER_FOLLOW);
  press (window, "microsoft-sign-in-button");
  mail_setup_test_ui_wait_for_page (window, "sign-in", 2000);
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");

  mail_setup_test_ui_remove_saved_account (user);
  leave_identity_server (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  /* Settings of its own: other tests save accounts at the same time. */
  config = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"), "wizard-config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/wizard/good-account-succeeds", test_wizard_good_account_succeeds);
  g_test_add_func ("/wizard/wrong-password-explains", test_wizard_wrong_password_explains);
  g_test_add_func ("/wizard/microsoft-login-failed", test_wizard_microsoft_login_failed);
  g_test_add_func ("/wizard/basic-auth-blocked-leads-to-microsoft-sign-in",
                   test_wizard_basic_auth_blocked_leads_to_microsoft_sign_in);
  g_test_add_func ("/wizard/cancel-while-server-never-greets",
                   test_wizard_cancel_while_server_never_greets);
  g_test_add_func ("/wizard/checks-fields-as-typed", test_wizard_checks_fields_as_typed);
  g_test_add_func ("/wizard/microsoft-sign-in", test_wizard_microsoft_sign_in);
  g_test_add_func ("/wizard/browser-sign-in", test_wizard_browser_sign_in);
  g_test_add_func ("/wizard/browser-sign-in-cancel", test_wizard_browser_sign_in_cancel);
  g_test_add_func ("/wizard/browser-sign-in-timeout", test_wizard_browser_sign_in_timeout);
  g_test_add_func ("/wizard/microsoft-sign-in-without-browser",
                   test_wizard_microsoft_sign_in_without_browser);
  g_test_add_func ("/wizard/sign-in-consent-required", test_wizard_sign_in_consent_required);
  g_test_add_func ("/wizard/sign-in-blocked", test_wizard_sign_in_blocked);
  g_test_add_func ("/wizard/sign-in-declined", test_wizard_sign_in_declined);
  g_test_add_func ("/wizard/sign-in-wrong-account", test_wizard_sign_in_wrong_account);
  g_test_add_func ("/wizard/sign-in-app-rejected", test_wizard_sign_in_app_rejected);
  g_test_add_func ("/wizard/sign-in-unreachable", test_wizard_sign_in_unreachable);
  g_test_add_func ("/wizard/sign-in-refused", test_wizard_sign_in_refused);
  g_test_add_func ("/wizard/oauth-token-refused", test_wizard_oauth_token_refused);
  g_test_add_func ("/wizard/save-and-manage-account", test_wizard_save_and_manage_account);
  g_test_add_func ("/wizard/narrow-and-dark", test_wizard_narrow_and_dark);

  return g_test_run ();
}
