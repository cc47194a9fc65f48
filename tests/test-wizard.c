/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The wizard driven as a user drives it: typing into its fields, pressing
 * its buttons, waiting for its pages, against the test Dovecot and the
 * scripted Microsoft servers. Each test saves screenshots of the pages it
 * reaches. */

#include <adwaita.h>

#include "mail-setup-test-server.h"
#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"
#include "mail-setup-uri.h"

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The named widget on the visible page (or in the header bar). */
static GtkWidget *
widget (MailSetupWindow *window,
        const char      *name)
{
  GtkWidget *found = find_named (GTK_WIDGET (window), name);

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

typedef struct
{
  MailSetupWindow *window;
  const char      *page;
} PageWait;

static gboolean
page_is_shown (gpointer user_data)
{
  PageWait *wait = user_data;

  return g_strcmp0 (mail_setup_window_get_page (wait->window), wait->page) == 0;
}

static void
wait_for_page (MailSetupWindow *window,
               const char      *page,
               guint            timeout_ms)
{
  PageWait wait = { window, page };

  if (!mail_setup_test_ui_wait_until (page_is_shown, &wait, timeout_ms))
    g_error ("The %s page did not show within %u ms; the window shows %s", page, timeout_ms,
             mail_setup_window_get_page (window));
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
  wait_for_page (window, "account", 2000);

  type_into (window, "password", password);
  type_into (window, "server", "127.0.0.1");
  type_into (window, "port", port_text);
  screenshot (window, account_shot);
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
  wait_for_page (window, "result", 20000);

  g_assert_cmpstr (result_title (window, "ok"), ==, "Your Account Works");
  g_assert_true (gtk_widget_get_visible (widget (window, "done")));
  screenshot (window, "wizard-result-success");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_wizard_wrong_password_explains (void)
{
  MailSetupWindow *window = open_wizard ();
  GtkWidget *remedy;

  fill_in_other_server (window, mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
                        "not the password",
                        mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"),
                        "wrong-password");
  press (window, "continue");
  wait_for_page (window, "result", 20000);

  g_assert_cmpstr (result_title (window, "auth-failed"), ==, "Wrong User Name or Password");
  remedy = widget (window, "check-password");
  g_assert_true (gtk_widget_is_drawable (remedy));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (remedy)), ==, "Check Your Password");
  screenshot (window, "wizard-result-auth-failed");

  /* Back to Settings keeps everything that was typed. */
  press (window, "back-to-settings");
  wait_for_page (window, "account", 2000);
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
  wait_for_page (window, "testing", 2000);
  wait_for_page (window, "result", 20000);
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
  wait_for_page (window, "account", 2000);
  type_into (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  type_into (window, "server", "127.0.0.1");
  type_into (window, "port", port);
  press (window, "continue");
  wait_for_page (window, "result", 20000);

  g_assert_cmpstr (result_title (window, "ms-basic-auth-blocked"), ==,
                   "Microsoft No Longer Accepts Passwords Here");
  g_assert_true (gtk_widget_is_drawable (widget (window, "microsoft-sign-in")));
  g_assert_null (find_named (GTK_WIDGET (window), "recent-activity"));
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
  wait_for_page (window, "account", 2000);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "server"))), ==,
                   "outlook.office365.com");

  /* Only the test points it at the scripted server on loopback. */
  type_into (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  type_into (window, "server", "127.0.0.1");
  type_into (window, "port", port);
  press (window, "continue");
  wait_for_page (window, "result", 20000);

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
  GdkFrameClock *clock;
  guint frames = 0;
  gulong handler;
  gint64 until;
  gint64 start;

  server = mail_setup_test_server_start ("never-greets", NULL);
  fill_in_other_server (window, "someone@example.test", "secret",
                        mail_setup_test_server_get_port (server), "never-greets");
  press (window, "continue");
  wait_for_page (window, "testing", 2000);

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

  start = g_get_monotonic_time ();
  press (window, "cancel");
  wait_for_page (window, "account", 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  /* Nothing typed is lost. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (widget (window, "password"))), ==, "secret");
  press (window, "back");
  wait_for_page (window, "provider", 2000);
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
  wait_for_page (window, "account", 2000);

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

int
main (int   argc,
      char *argv[])
{
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
  g_test_add_func ("/wizard/narrow-and-dark", test_wizard_narrow_and_dark);

  return g_test_run ();
}
