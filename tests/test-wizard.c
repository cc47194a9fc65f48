/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The wizard driven as a user drives it: typing into its fields, pressing
 * its buttons, waiting for its pages, against the test Dovecot and the
 * scripted Microsoft servers. Each test saves screenshots of the pages it
 * reaches. */

#include <adwaita.h>

#include "mail-setup-account-store.h"
#include "mail-setup-core.h"
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
  GtkWidget *found = mail_setup_test_ui_find (GTK_WIDGET (window), name);

  if (found == NULL)
    g_error ("No widget named %s in the window", name);

  return found;
}

static void
type_into (MailSetupWindow *window,
           const char      *name,
           const char      *text)
{
  gtk_editable_set_text (GTK_EDITABLE (widget (window, name)), text);
}

static void
press (MailSetupWindow *window,
       const char      *name)
{
  GtkWidget *button = widget (window, name);

  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_is_drawable (button));
  /* What a click ends in; activating the button would only animate it first. */
  g_signal_emit_by_name (button, "clicked");
}

static void
screenshot (MailSetupWindow *window,
            const char      *name)
{
  g_autofree char *path = mail_setup_test_ui_screenshot (GTK_WIDGET (window), name);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

static MailSetupWindow *
open_wizard_with_size (int width,
                       int height)
{
  g_setenv ("MAIL_SETUP_EXTRA_CA_FILE", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), TRUE);

  return mail_setup_test_ui_open_window_with_size (width, height);
}

static MailSetupWindow *
open_wizard (void)
{
  return open_wizard_with_size (-1, -1);
}

/* Fills in the first two pages for an IMAP server of one's own. */
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

static void
test_wizard_good_account_succeeds (void)
{
  MailSetupWindow *window = open_wizard ();

  fill_in_other_server (window, mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
                        mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"),
                        mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"),
                        "wizard");
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);

  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
  g_assert_true (gtk_widget_is_drawable (widget (window, "save")));

  /* Every stage says how long it took; never "0 ms". */
  for (guint i = 0; i < MAIL_SETUP_CHECK_STAGE_LOGOUT; i++)
    {
      g_autofree char *name = g_strdup_printf ("stage-%s-duration", mail_setup_check_stage_to_string (i));
      const char *duration = gtk_label_get_label (GTK_LABEL (widget (window, name)));

      g_test_message ("%s: %s", name, duration);
      g_assert_true (g_str_equal (duration, "< 1 ms") ||
                     (g_str_has_suffix (duration, " ms") && g_ascii_strtoull (duration, NULL, 10) > 0));
    }
  screenshot (window, "wizard-result-success");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_wizard_wrong_password_explains (void)
{
  MailSetupWindow *window = open_wizard ();
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
  MailSetupWindow *window = open_wizard ();

  server = mail_setup_test_server_start ("ms-basic-auth-blocked", "--user", "someone@outlook.com", NULL);
  port = g_strdup_printf ("%u", mail_setup_test_server_get_port (server));

  type_into (window, "email", "someone@outlook.com");
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  type_into (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  type_into (window, "server", "127.0.0.1");
  type_into (window, "port", port);
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
  MailSetupWindow *window = open_wizard ();

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

  /* Only the test points it at the scripted server on loopback. */
  type_into (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  type_into (window, "server", "127.0.0.1");
  type_into (window, "port", port);
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
  MailSetupWindow *window = open_wizard ();
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
  MailSetupWindow *window = open_wizard ();
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

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_wizard_narrow_and_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  MailSetupWindow *window;

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  window = open_wizard_with_size (360, 640);
  type_into (window, "email", "someone@hotmail.com");
  mail_setup_test_ui_wait_for_frame (GTK_WIDGET (window));
  mail_setup_test_ui_wait_for_frame (GTK_WIDGET (window));

  screenshot (window, "wizard-provider-narrow-dark");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);

  gtk_window_destroy (GTK_WINDOW (window));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

static gboolean
save_finished (gpointer user_data)
{
  MailSetupWindow *window = user_data;

  return gtk_widget_get_visible (widget (window, "done")) ||
         gtk_widget_has_css_class (widget (window, "save-status"), "error");
}

/* The documented lookup, narrowed to this port and to passwords: other
 * tests keep items for the same user at the same time. */
static char *
secret_tool_lookup (const char *user,
                    const char *server,
                    guint16     port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  char *output = NULL;
  int status = 0;
  const char *argv[] = { "secret-tool", "lookup", "user", user, "server", server,
                         "protocol", "imap", "port", port_text, "authtype", "password", NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &output, NULL, &status, &error);
  g_assert_no_error (error);

  return output;
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
  g_autofree char *stored = NULL;
  g_autofree char *after_remove = NULL;
  MailSetupWindow *window = open_wizard ();
  GtkWidget *dialog;

  fill_in_other_server (window, user, password, port, "save");
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");

  press (window, "save");
  g_assert_true (mail_setup_test_ui_wait_until (save_finished, window, 10000));
  g_assert_true (gtk_widget_get_visible (widget (window, "done")));
  screenshot (window, "wizard-saved");

  /* Any program finds the password the documented way. */
  stored = secret_tool_lookup (user, "127.0.0.1", port);
  g_assert_cmpstr (stored, ==, password);

  /* The first page lists it; Test runs the check with the stored password. */
  gtk_window_destroy (GTK_WINDOW (window));

  window = open_wizard ();
  g_assert_true (gtk_widget_is_drawable (widget (window, "saved-user@example.test")));
  screenshot (window, "wizard-saved-accounts");
  press (window, "test-saved-user@example.test");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "server"))), ==, "127.0.0.1");

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
  after_remove = secret_tool_lookup (user, "127.0.0.1", port);
  g_assert_cmpstr (after_remove, ==, "");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
result_arrived (gpointer user_data)
{
  return *(GAsyncResult **) user_data != NULL;
}

static void
remove_saved_account (const char *email)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  mail_setup_account_store_remove_async (email, NULL, mail_setup_store_async_result, &result);
  g_assert_true (mail_setup_test_ui_wait_until (result_arrived, &result, 10000));
  g_assert_true (mail_setup_account_store_remove_finish (result, &error));
  g_assert_no_error (error);
}

static gboolean
code_is_shown (gpointer user_data)
{
  MailSetupWindow *window = user_data;

  return *gtk_label_get_label (GTK_LABEL (widget (window, "user-code"))) != '\0' &&
         gtk_widget_is_drawable (widget (window, "user-code"));
}

static void
test_wizard_microsoft_sign_in (void)
{
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"));
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  g_autoptr(GPtrArray) opened = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *expected_uri = NULL;
  MailSetupWindow *window;
  const char *countdown;

  /* The test's identity server stands in for Microsoft's; the test Dovecot
   * checks the tokens it issues. */
  g_setenv ("MAIL_SETUP_OAUTH_AUTHORITY", mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"), TRUE);
  window = open_wizard ();

  type_into (window, "email", user);
  gtk_widget_activate (widget (window, "provider-microsoft365"));
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  type_into (window, "server", "127.0.0.1");
  type_into (window, "port", port);

  /* Instead of a password. */
  g_assert_true (gtk_widget_is_drawable (widget (window, "microsoft-sign-in-row")));
  gtk_widget_activate (widget (window, "microsoft-sign-in-row"));
  mail_setup_test_ui_wait_for_page (window, "sign-in", 2000);
  g_assert_true (mail_setup_test_ui_wait_until (code_is_shown, window, 10000));
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
  mail_setup_test_identity_approve (gtk_label_get_label (GTK_LABEL (widget (window, "user-code"))), user);
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
  g_assert_true (mail_setup_account_get_uses_microsoft_sign_in (mail_setup_window_get_account (window)));
  g_assert_nonnull (mail_setup_account_get_refresh_token (mail_setup_window_get_account (window)));
  screenshot (window, "wizard-sign-in-result");

  /* Saved, the sign-in is a refresh token in the keyring; Test trades it
   * for a new access token, with no code to enter. */
  press (window, "save");
  g_assert_true (mail_setup_test_ui_wait_until (save_finished, window, 10000));
  g_assert_true (gtk_widget_get_visible (widget (window, "done")));
  gtk_window_destroy (GTK_WINDOW (window));

  window = open_wizard ();
  press (window, "test-saved-user@example.test");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
  g_assert_true (mail_setup_account_get_uses_microsoft_sign_in (mail_setup_window_get_account (window)));

  remove_saved_account (user);
  g_unsetenv ("MAIL_SETUP_OAUTH_AUTHORITY");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;

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
  g_test_add_func ("/wizard/save-and-manage-account", test_wizard_save_and_manage_account);
  g_test_add_func ("/wizard/narrow-and-dark", test_wizard_narrow_and_dark);

  return g_test_run ();
}
