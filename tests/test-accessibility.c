/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The wizard as a screen reader meets it: on every page, the live
 * accessible tree is read over AT-SPI by tests/check-accessible-tree.py,
 * a separate process, exactly as Orca reads it, and any object that takes
 * the focus or can be clicked without a usable name fails the test. The
 * pages are reached as in test-wizard.c, against the test Dovecot, the
 * scripted Microsoft server and the identity server. */

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "mail-setup-core.h"
#include "mail-setup-test-a11y.h"
#include "mail-setup-test-browser.h"
#include "mail-setup-test-identity.h"
#include "mail-setup-test-server.h"
#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"

static GtkWidget *
widget (MailSetupWindow *window,
        const char      *name)
{
  return mail_setup_test_ui_widget (window, name);
}

static gboolean
code_is_shown (gpointer user_data)
{
  GtkWidget *code = mail_setup_test_ui_find (GTK_WIDGET (user_data), "user-code");

  return code != NULL && gtk_widget_is_drawable (code) && *gtk_label_get_label (GTK_LABEL (code)) != '\0';
}

/* "AB-C1" as a screen reader should say it: "A B, C 1"... here the
 * characters that are letters or digits, each on its own. */
static char *
spell_out (const char *code)
{
  GString *spelled = g_string_new (NULL);

  for (const char *c = code; *c != '\0'; c++)
    if (g_ascii_isalnum (*c))
      {
        if (spelled->len > 0)
          g_string_append_c (spelled, ' ');
        g_string_append_c (spelled, *c);
      }

  return g_string_free (spelled, FALSE);
}

static void
skip_sending (MailSetupWindow *window)
{
  gtk_switch_set_active (GTK_SWITCH (widget (window, "check-smtp")), FALSE);
}

/* The first two pages for someone@outlook.com, pointed at SERVER, the
 * scripted Microsoft server, which receives mail only. */
static void
fill_in_outlook (MailSetupWindow     *window,
                 MailSetupTestServer *server)
{
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_server_get_port (server));

  mail_setup_test_ui_type_into (window, "email", "someone@outlook.com");
  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  mail_setup_test_ui_type_into (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  mail_setup_test_ui_type_into (window, "server", "127.0.0.1");
  mail_setup_test_ui_type_into (window, "port", port);
  skip_sending (window);
}

/* The provider page, fresh and with the address typed; the account page
 * of Outlook.com and that of another server, with its server fields. */
static void
test_accessibility_first_pages (void)
{
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();
  g_autoptr(JsonObject) fresh = NULL;
  g_autoptr(JsonObject) typed = NULL;
  g_autoptr(JsonObject) outlook = NULL;
  g_autoptr(JsonObject) other = NULL;

  fresh = mail_setup_test_a11y_assert_named (window, "provider page");
  mail_setup_test_a11y_expect (fresh, "text", "E-mail Address");

  mail_setup_test_ui_type_into (window, "email", "someone@outlook.com");
  typed = mail_setup_test_a11y_assert_named (window, "provider page, address typed");
  mail_setup_test_a11y_expect (typed, "push button", "Continue");

  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  outlook = mail_setup_test_a11y_assert_named (window, "account page, Outlook.com");
  mail_setup_test_a11y_expect (outlook, "text", "Password");
  mail_setup_test_a11y_expect (outlook, "push button", "Test Account");

  mail_setup_test_ui_press (window, "back");
  mail_setup_test_ui_wait_for_page (window, "provider", 2000);
  gtk_widget_activate (widget (window, "provider-other"));
  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  other = mail_setup_test_a11y_assert_named (window, "account page, other server");
  mail_setup_test_a11y_expect (other, "text", "IMAP Server");

  gtk_window_destroy (GTK_WINDOW (window));
}

static const char *
member (JsonObject *object,
        const char *name)
{
  return json_object_get_string_member (object, name);
}

static gboolean
has_state (JsonObject *object,
           const char *state)
{
  JsonArray *states = json_object_get_array_member (object, "states");

  for (guint i = 0; i < json_array_get_length (states); i++)
    if (g_str_equal (json_array_get_string_element (states, i), state))
      return TRUE;

  return FALSE;
}

/* Whether any object on screen shows or names SECRET. */
static gboolean
tree_reveals (JsonObject *tree,
              const char *secret)
{
  JsonArray *objects = json_object_get_array_member (tree, "objects");

  for (guint i = 0; i < json_array_get_length (objects); i++)
    {
      JsonObject *object = json_array_get_object_element (objects, i);

      if (strstr (member (object, "name"), secret) != NULL ||
          strstr (member (object, "description"), secret) != NULL ||
          strstr (member (object, "text"), secret) != NULL)
        {
          g_test_message ("a %s named “%s” gives it away", member (object, "role"), member (object, "name"));
          return TRUE;
        }
    }

  return FALSE;
}

/* The testing page while the check waits for a server that never greets:
 * each stage row says how far it got; Cancel is named. */
static void
test_accessibility_testing_page (void)
{
  g_autoptr(MailSetupTestServer) server = mail_setup_test_server_start ("never-greets", NULL);
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_server_get_port (server));
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();
  g_autoptr(JsonObject) account = NULL;
  g_autoptr(JsonObject) testing = NULL;
  JsonObject *lookup;
  JsonObject *greeting;

  mail_setup_test_ui_type_into (window, "email", "someone@example.test");
  gtk_widget_activate (widget (window, "provider-other"));
  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  mail_setup_test_ui_type_into (window, "password", "Pa55 never sent");
  mail_setup_test_ui_type_into (window, "server", "127.0.0.1");
  mail_setup_test_ui_type_into (window, "port", port);
  skip_sending (window);

  /* GTK 4.8 gives the characters of a password field to any AT-SPI
   * client (its Text interface, under the plain text role): nothing in
   * its API changes that. Pages out of view, though, are hidden: the
   * testing page below must not give the password away. */
  account = mail_setup_test_a11y_assert_named (window, "account page, filled in");
  if (tree_reveals (account, "Pa55 never sent"))
    g_test_message ("GTK 4.8: the password field's text is readable over AT-SPI");

  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "testing", 2000);
  testing = mail_setup_test_a11y_assert_named (window, "testing page");
  mail_setup_test_a11y_expect (testing, "push button", "Cancel");
  lookup = mail_setup_test_a11y_expect (testing, "list item", "Looking up the server");
  g_assert_cmpstr (member (lookup, "description"), ==, "Passed");
  greeting = mail_setup_test_a11y_expect (testing, "list item", "Server greeting");
  g_assert_cmpstr (member (greeting, "description"), ==, "In progress");
  g_assert_false (tree_reveals (testing, "Pa55 never sent"));

  mail_setup_test_ui_press (window, "cancel");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Microsoft refuses the sign-in: the result page and its guided fix, whose
 * steps say their number and whether they are done; then Try Again, the
 * success page, Save, and the page of mail programs. */
static void
test_accessibility_remedy_and_result (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();
  g_autoptr(JsonObject) remedy = NULL;
  g_autoptr(JsonObject) ticked = NULL;
  g_autoptr(JsonObject) success = NULL;
  g_autoptr(JsonObject) saved = NULL;
  g_autoptr(JsonObject) use = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) removing = NULL;
  GtkWidget *dialog;
  JsonObject *step;

  server = mail_setup_test_server_start ("ms-login-failed", "--user", "someone@outlook.com", NULL);
  fill_in_outlook (window, server);
  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);

  remedy = mail_setup_test_a11y_assert_named (window, "result page, Microsoft refused the sign-in");
  mail_setup_test_a11y_expect (remedy, "push button", "Try Again");
  step = mail_setup_test_a11y_expect (remedy, "check box", "Step 1");
  g_assert_cmpstr (member (step, "description"), ==, "Not done");
  g_assert_false (has_state (step, "checked"));
  /* The result's mark is a picture with words. */
  mail_setup_test_a11y_expect (remedy, "image", "Problem");

  gtk_check_button_set_active (GTK_CHECK_BUTTON (widget (window, "tick-1")), TRUE);
  ticked = mail_setup_test_a11y_assert_named (window, "result page, first step done");
  step = mail_setup_test_a11y_expect (ticked, "check box", "Step 1");
  g_assert_true (has_state (step, "checked"));
  g_assert_cmpstr (member (step, "description"), ==, "Done");

  mail_setup_test_server_accept_sign_in (server);
  mail_setup_test_ui_press (window, "retry");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_true (gtk_widget_is_drawable (widget (window, "ok")));
  success = mail_setup_test_a11y_assert_named (window, "result page, success");
  mail_setup_test_a11y_expect (success, "image", "Success");
  mail_setup_test_a11y_expect (success, "push button", "Save");
  g_assert_cmpstr (member (mail_setup_test_a11y_expect (success, "list item", "Signing in"), "description"), ==, "Passed");

  mail_setup_test_ui_press (window, "save");
  g_assert_true (mail_setup_test_ui_wait_until (mail_setup_test_ui_save_finished, window, 10000));
  g_assert_true (gtk_widget_get_visible (widget (window, "done")));
  /* Saved, the window goes on to the mail programs. */
  mail_setup_test_ui_wait_for_page (window, "use", 2000);
  use = mail_setup_test_a11y_assert_named (window, "mail programs page");

  mail_setup_test_ui_press (window, "back");
  mail_setup_test_ui_wait_for_page (window, "result", 2000);
  saved = mail_setup_test_a11y_assert_named (window, "result page, saved");
  mail_setup_test_a11y_expect (saved, "push button", "Use in Mail Apps");

  gtk_window_destroy (GTK_WINDOW (window));

  /* The first page lists the saved account, with its buttons named. */
  window = mail_setup_test_ui_open_wizard ();
  first = mail_setup_test_a11y_assert_named (window, "provider page, saved account");
  mail_setup_test_a11y_expect (first, "push button", "Test");
  mail_setup_test_a11y_expect (first, "push button", "More Actions");

  /* Remove asks first: the dialog's answers are named too. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-account", "s", "someone@outlook.com");
  dialog = mail_setup_test_ui_wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG, 5000);
  removing = mail_setup_test_a11y_assert_named (dialog, "remove dialog");
  mail_setup_test_a11y_expect (removing, "push button", "Remove");
  mail_setup_test_a11y_expect (removing, "push button", "Cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  mail_setup_test_ui_remove_saved_account ("someone@outlook.com");
}

/* Microsoft no longer takes the password: the fix is its sign-in, whose
 * button is named; the result's answer from the server is readable. */
static void
test_accessibility_microsoft_sign_in_remedy (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(JsonObject) result = NULL;
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();

  server = mail_setup_test_server_start ("ms-basic-auth-blocked", "--user", "someone@outlook.com", NULL);
  fill_in_outlook (window, server);
  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_true (gtk_widget_is_drawable (widget (window, "ms-basic-auth-blocked")));

  result = mail_setup_test_a11y_assert_named (window, "result page, Microsoft sign-in needed");
  mail_setup_test_a11y_expect (result, "push button", "Sign In With Microsoft");
  mail_setup_test_a11y_expect (result, "image", "Problem");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Microsoft sign-in: the page that waits for the browser, and the code
 * for another device, read out one character at a time. */
static void
test_accessibility_sign_in (void)
{
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"));
  g_autoptr(JsonObject) browser = NULL;
  g_autoptr(JsonObject) code = NULL;
  g_autofree char *spelled = NULL;
  MailSetupWindow *window;
  const char *user_code;
  JsonObject *code_object;

  g_setenv ("MAIL_SETUP_OAUTH_AUTHORITY", mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"), TRUE);
  mail_setup_test_identity_reset ();
  mail_setup_test_browser_install ();
  mail_setup_test_browser_use_new_log ();
  mail_setup_test_browser_set_mode (MAIL_SETUP_TEST_BROWSER_IGNORE);

  window = mail_setup_test_ui_open_wizard ();
  mail_setup_test_ui_type_into (window, "email", mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  gtk_widget_activate (widget (window, "provider-microsoft365"));
  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  mail_setup_test_ui_type_into (window, "server", "127.0.0.1");
  mail_setup_test_ui_type_into (window, "port", port);
  gtk_widget_activate (widget (window, "microsoft-sign-in-row"));
  mail_setup_test_ui_wait_for_page (window, "sign-in", 2000);
  g_assert_true (mail_setup_test_ui_wait_until (mail_setup_test_ui_browser_is_waiting, window, 10000));
  browser = mail_setup_test_a11y_assert_named (window, "sign-in page, browser");
  mail_setup_test_a11y_expect (browser, "push button", "Open Again");

  mail_setup_test_ui_press (window, "use-device");
  g_assert_true (mail_setup_test_ui_wait_until (code_is_shown, window, 10000));
  code = mail_setup_test_a11y_assert_named (window, "sign-in page, code");
  user_code = gtk_label_get_label (GTK_LABEL (widget (window, "user-code")));
  spelled = spell_out (user_code);
  code_object = mail_setup_test_a11y_expect (code, "label", "Sign-in code");
  g_test_message ("the code %s is read as “%s”", user_code, member (code_object, "name"));
  g_assert_nonnull (strstr (member (code_object, "name"), spelled));

  mail_setup_test_ui_press (window, "cancel-sign-in");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  gtk_window_destroy (GTK_WINDOW (window));
  mail_setup_test_identity_reset ();
  g_unsetenv ("MAIL_SETUP_OAUTH_AUTHORITY");
}

typedef struct
{
  char    *line;
  gboolean done;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  read->done = TRUE;
}

static gboolean
line_done (gpointer user_data)
{
  return ((LineRead *) user_data)->done;
}

static char *
read_line (GDataInputStream *stream,
           guint             timeout_ms)
{
  LineRead read = { NULL, FALSE };

  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, line_read_cb, &read);
  g_assert_true (mail_setup_test_ui_wait_until (line_done, &read, timeout_ms));

  return read.line;
}

/* The descriptions announced by Cancel, the focused widget, in order. */
static GPtrArray *
cancel_announcements (JsonObject *heard)
{
  JsonArray *events = json_object_get_array_member (heard, "events");
  GPtrArray *said = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      /* Its tooltip is its description until the first stage ends. */
      if (g_str_equal (member (event, "role"), "push button") && g_str_equal (member (event, "name"), "Cancel") &&
          !g_str_equal (member (event, "description"), "Stop the test"))
        g_ptr_array_add (said, g_strdup (member (event, "description")));
    }

  return said;
}

static guint
position_of (GPtrArray  *said,
             const char *text)
{
  guint position;

  if (!g_ptr_array_find_with_equal_func (said, text, g_str_equal, &position))
    g_error ("A screen reader never heard “%s”", text);

  return position;
}

/* GTK 4.8 has no live regions: each stage's result reaches a screen
 * reader as the description of the focused Cancel button, as it happens.
 * A listener on the accessibility bus hears them while the test runs
 * against the test Dovecot, receiving and sending. */
static void
test_accessibility_stage_results_announced (void)
{
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"));
  g_autofree char *smtp_port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT"));
  g_autoptr(GSubprocess) listener = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) said = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *heard = NULL;
  MailSetupWindow *window = mail_setup_test_ui_open_wizard ();
  static const char * const receiving[] = {
    "Receiving Mail (IMAP): Looking up the server: Passed",
    "Receiving Mail (IMAP): Connecting: Passed",
    "Receiving Mail (IMAP): Securing the connection: Passed",
    "Receiving Mail (IMAP): Server greeting: Passed",
    "Receiving Mail (IMAP): Signing in: Passed",
    "Receiving Mail (IMAP): Opening the mailbox: Passed",
  };

  mail_setup_test_ui_type_into (window, "email", mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  gtk_widget_activate (widget (window, "provider-other"));
  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  mail_setup_test_ui_type_into (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  mail_setup_test_ui_type_into (window, "server", "127.0.0.1");
  mail_setup_test_ui_type_into (window, "port", port);
  mail_setup_test_ui_type_into (window, "smtp-server", "127.0.0.1");
  mail_setup_test_ui_type_into (window, "smtp-port", smtp_port);
  adw_combo_row_set_selected (ADW_COMBO_ROW (widget (window, "smtp-security")), MAIL_SETUP_SECURITY_STARTTLS);

  listener = mail_setup_test_a11y_spawn_listener ();
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (listener));
  ready = read_line (output, 30000);
  g_assert_cmpstr (ready, ==, "ready");

  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_true (gtk_widget_is_drawable (widget (window, "ok")));
  /* Whatever is still on its way over the bus arrives before the listener
   * stops. */
  mail_setup_test_ui_wait_for_frame (GTK_WIDGET (window));
  g_output_stream_close (g_subprocess_get_stdin_pipe (listener), NULL, &error);
  g_assert_no_error (error);
  heard = read_line (output, 30000);
  g_assert_nonnull (heard);
  json_parser_load_from_data (parser, heard, -1, &error);
  g_assert_no_error (error);

  said = cancel_announcements (json_node_get_object (json_parser_get_root (parser)));
  for (guint i = 0; i < said->len; i++)
    g_test_message ("heard: %s", (const char *) g_ptr_array_index (said, i));
  /* Every stage of both servers, each once, in the order they ran. */
  g_assert_cmpuint (said->len, ==, 2 * G_N_ELEMENTS (receiving));
  for (guint i = 1; i < G_N_ELEMENTS (receiving); i++)
    g_assert_cmpuint (position_of (said, receiving[i - 1]), <, position_of (said, receiving[i]));
  g_assert_cmpuint (position_of (said, "Sending Mail (SMTP): Signing in: Passed"), <,
                    position_of (said, "Sending Mail (SMTP): Checking the sender address: Passed"));

  /* It printed all it heard: it only ends now. */
  g_subprocess_wait_check (listener, NULL, &error);
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
time_passed (gpointer user_data)
{
  return g_get_monotonic_time () >= *(gint64 *) user_data;
}

/* Fails on any label on screen under ROOT whose text is cut short
 * without its whole text in a tooltip. */
static void
assert_no_text_cut (GtkWidget  *root,
                    const char *page)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_mapped (child))
        continue;
      if (GTK_IS_LABEL (child) && pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (child))) &&
          gtk_widget_get_tooltip_text (child) == NULL)
        g_test_fail_printf ("%s: “%s” is cut short", page, gtk_label_get_text (GTK_LABEL (child)));
      assert_no_text_cut (child, page);
    }
}

/* WINDOW as a user sees it, saved as SHOT: nothing cut short, and as
 * wide as it was asked to be unless the page cannot be that narrow. */
static void
look_at (MailSetupWindow *window,
         const char      *shot,
         int              max_width)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

  /* The picture once a field's title has moved up over what was typed
   * (libadwaita animates it); nothing asserted depends on the wait. */
  mail_setup_test_ui_wait_until (time_passed, &until, 2000);
  mail_setup_test_ui_wait_for_frame (GTK_WIDGET (window));
  mail_setup_test_ui_save_screenshot (window, shot);
  g_test_message ("%s: %d px wide", shot, gtk_widget_get_width (GTK_WIDGET (window)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, max_width);
  assert_no_text_cut (GTK_WIDGET (window), shot);
}

static gboolean
is_high_contrast (gpointer user_data)
{
  return adw_style_manager_get_high_contrast (adw_style_manager_get_default ());
}

/* GNOME's Large Text doubles the text, which GTK takes as twice the DPI,
 * or the desktop's High Contrast; both at the narrowest width the window
 * allows. No text may be cut short, and the pictures are looked at. */
static void
look_at_pages (const char *look,
               int         max_width)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autofree char *port = NULL;
  g_autofree char *provider_shot = g_strdup_printf ("accessibility-provider-%s", look);
  g_autofree char *account_shot = g_strdup_printf ("accessibility-account-%s", look);
  g_autofree char *remedy_shot = g_strdup_printf ("accessibility-remedy-%s", look);
  MailSetupWindow *window;

  server = mail_setup_test_server_start ("ms-login-failed", "--user", "someone@outlook.com", NULL);
  port = g_strdup_printf ("%u", mail_setup_test_server_get_port (server));
  window = mail_setup_test_ui_open_wizard_with_size (360, 720);

  mail_setup_test_ui_type_into (window, "email", "someone@outlook.com");
  look_at (window, provider_shot, max_width);

  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  mail_setup_test_ui_type_into (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  mail_setup_test_ui_type_into (window, "server", "127.0.0.1");
  mail_setup_test_ui_type_into (window, "port", port);
  skip_sending (window);
  look_at (window, account_shot, max_width);

  mail_setup_test_ui_press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  look_at (window, remedy_shot, max_width);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_accessibility_large_text (void)
{
  GtkSettings *settings = gtk_settings_get_default ();
  int dpi = 0;

  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  g_object_set (settings, "gtk-xft-dpi", 2 * 96 * 1024, NULL);
  /* Back, Test Account, the menu and Close need 365 px in double-sized
   * text: the window keeps them whole, a little wider than asked. */
  look_at_pages ("large-text", 370);
  g_object_set (settings, "gtk-xft-dpi", dpi, NULL);
}

static void
test_accessibility_high_contrast (void)
{
  g_autoptr(GSettings) a11y = g_settings_new ("org.gnome.desktop.a11y.interface");

  /* libadwaita follows the desktop's setting, here in the tests' memory
   * backend. */
  g_settings_set_boolean (a11y, "high-contrast", TRUE);
  g_assert_true (mail_setup_test_ui_wait_until (is_high_contrast, NULL, 5000));
  look_at_pages ("high-contrast", 360);
  g_settings_reset (a11y, "high-contrast");
}

int
main (int   argc,
      char *argv[])
{
  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  mail_setup_test_a11y_init ();
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/accessibility/first-pages", test_accessibility_first_pages);
  g_test_add_func ("/accessibility/testing-page", test_accessibility_testing_page);
  g_test_add_func ("/accessibility/remedy-and-result", test_accessibility_remedy_and_result);
  g_test_add_func ("/accessibility/microsoft-sign-in-remedy", test_accessibility_microsoft_sign_in_remedy);
  g_test_add_func ("/accessibility/sign-in", test_accessibility_sign_in);
  g_test_add_func ("/accessibility/stage-results-announced", test_accessibility_stage_results_announced);
  g_test_add_func ("/accessibility/large-text", test_accessibility_large_text);
  g_test_add_func ("/accessibility/high-contrast", test_accessibility_high_contrast);

  return g_test_run ();
}
