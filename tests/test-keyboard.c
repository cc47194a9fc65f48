/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The wizard with the keyboard alone: every step a real key press that the
 * X server sends (mail-setup-test-keys.h), never a click or a widget set
 * from the test. The test reads the window only to check what a user would
 * see, and drives the scripted servers as the other side would behave. */

#include <adwaita.h>

#include "mail-setup-account-store.h"
#include "mail-setup-core.h"
#include "mail-setup-test-browser.h"
#include "mail-setup-test-identity.h"
#include "mail-setup-test-keys.h"
#include "mail-setup-test-server.h"
#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"

static GtkWidget *
widget (MailSetupWindow *window,
        const char      *name)
{
  return mail_setup_test_ui_widget (window, name);
}

static void
press (MailSetupWindow *window,
       const char      *accelerator)
{
  mail_setup_test_keys_press (window, accelerator);
}

static void
type (MailSetupWindow *window,
      const char      *text)
{
  mail_setup_test_keys_type (window, text);
}

static void
tab_to (MailSetupWindow *window,
        const char      *name)
{
  /* More than any page has stops before its last widget. */
  mail_setup_test_keys_tab_to (window, name, 30);
}

static const char *
text_of (MailSetupWindow *window,
         const char      *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (widget (window, name)));
}

static gboolean
is_checked (MailSetupWindow *window,
            const char      *name)
{
  return gtk_check_button_get_active (GTK_CHECK_BUTTON (widget (window, name)));
}

/* The check button of a provider's row. */
static gboolean
provider_is_checked (MailSetupWindow *window,
                     const char      *provider)
{
  g_autofree char *name = g_strconcat ("provider-", provider, NULL);
  GtkWidget *row = widget (window, name);

  return gtk_check_button_get_active (GTK_CHECK_BUTTON (
    adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row))));
}

static const char *
provider_id (MailSetupWindow *window)
{
  return mail_setup_provider_get_id (mail_setup_account_get_provider (mail_setup_window_get_account (window)));
}

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

/* For the picture only: the rows' own animations (an entry row's title
 * shrinking, an expander sliding open) have ended. */
static void
screenshot (MailSetupWindow *window,
            const char      *name)
{
  mail_setup_test_ui_wait_until (never, NULL, 400);
  mail_setup_test_ui_save_screenshot (window, name);
}

/* Whether WIDGET is drawn and not in a stack's page that slides away. */
static gboolean
is_in_view (GtkWidget *widget)
{
  if (!gtk_widget_is_drawable (widget))
    return FALSE;

  for (GtkWidget *child = widget, *parent = gtk_widget_get_parent (widget);
       parent != NULL;
       child = parent, parent = gtk_widget_get_parent (parent))
    {
      if (GTK_IS_STACK (parent) && gtk_stack_get_visible_child (GTK_STACK (parent)) != child)
        return FALSE;
    }

  return TRUE;
}

/* The focus is somewhere a user sees it: on a widget on screen, in the
 * page that is in view (or in the header bar), never in a page or state
 * that a stack hides; and, after keys, with its ring drawn. */
static void
assert_focus_in_view (MailSetupWindow *window)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  g_assert_nonnull (focus);
  if (!is_in_view (focus))
    g_error ("The focus (%s) is in a part of the window out of view",
             mail_setup_test_keys_get_focus_name (window));
  g_assert_true (gtk_window_get_focus_visible (GTK_WINDOW (window)));
}

static void
assert_focus_in (MailSetupWindow *window,
                 const char      *name)
{
  if (!mail_setup_test_keys_focus_is_in (window, name))
    g_error ("The focus is in %s, not in %s", mail_setup_test_keys_get_focus_name (window), name);
  assert_focus_in_view (window);
}

static void
collect_mnemonics (GtkWidget  *widget,
                   GHashTable *labels_by_key)
{
  if (!is_in_view (widget))
    return;

  if (GTK_IS_LABEL (widget) && gtk_label_get_mnemonic_keyval (GTK_LABEL (widget)) != GDK_KEY_VoidSymbol)
    {
      guint key = gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (GTK_LABEL (widget)));
      const char *label = gtk_label_get_label (GTK_LABEL (widget));
      const char *other = g_hash_table_lookup (labels_by_key, GUINT_TO_POINTER (key));

      /* The same words may share a key, as the steps' Open buttons do:
       * Alt and the key then go from one to the next. */
      if (other != NULL && !g_str_equal (other, label))
        g_error ("“%s” and “%s” share the mnemonic %s", other, label, gdk_keyval_name (key));
      g_hash_table_insert (labels_by_key, GUINT_TO_POINTER (key), (gpointer) label);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_mnemonics (child, labels_by_key);
}

/* Alt and a letter presses one button, never a choice of two: no two
 * labels in view share an underlined letter. */
static void
assert_mnemonics_unique (MailSetupWindow *window)
{
  g_autoptr(GHashTable) labels_by_key = g_hash_table_new (NULL, NULL);

  collect_mnemonics (GTK_WIDGET (window), labels_by_key);
}

static MailSetupWindow *
open_wizard (void)
{
  MailSetupWindow *window;

  window = mail_setup_test_ui_open_wizard ();

  /* Typing starts with the address, without a click first. */
  g_assert_cmpstr (mail_setup_window_get_page (window), ==, "provider");
  g_assert_true (mail_setup_test_keys_focus_is_in (window, "email"));

  return window;
}

static gboolean
is_revealed (gpointer user_data)
{
  return gtk_revealer_get_child_revealed (GTK_REVEALER (user_data));
}

/* Opens the folded settings of the expander row NAME: its title row is a
 * stop of the Tab chain, and space opens it. Its rows take the focus, and
 * the page scrolls to the focus, once they have slid open, as a user sees
 * them; the first of them is FIRST_ROW. */
static void
unfold (MailSetupWindow *window,
        const char      *name,
        const char      *first_row)
{
  GtkWidget *revealer;

  tab_to (window, name);
  press (window, "space");
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (widget (window, name))));
  revealer = gtk_widget_get_ancestor (widget (window, first_row), GTK_TYPE_REVEALER);
  g_assert_true (mail_setup_test_ui_wait_until (is_revealed, revealer, 2000));
}

/* Replaces what the field NAME holds, as a user does: Tab there, select
 * it all, type. */
static void
retype (MailSetupWindow *window,
        const char      *name,
        const char      *text)
{
  tab_to (window, name);
  press (window, "<Control>a");
  type (window, text);
  g_assert_cmpstr (text_of (window, name), ==, text);
}

static gboolean
switch_is_off (gpointer user_data)
{
  return !gtk_switch_get_active (GTK_SWITCH (user_data));
}

/* "Test Sending Mail" off: the scripted servers receive mail only. A
 * switch turns when its slider has slid, a moment after the key. */
static void
skip_sending (MailSetupWindow *window)
{
  GtkWidget *check_smtp;

  tab_to (window, "check-smtp");
  check_smtp = widget (window, "check-smtp");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (check_smtp)));
  press (window, "space");
  g_assert_true (mail_setup_test_ui_wait_until (switch_is_off, check_smtp, 2000));
}

/* Address, provider, password and server, Test Account, the guided fix
 * and Try Again, then Save: the whole wizard, each step with keys. */
static void
test_keyboard_whole_wizard (void)
{
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autofree char *port = NULL;
  g_autofree char *stored = NULL;
  MailSetupWindow *window;

  server = mail_setup_test_server_start ("ms-login-failed", "--user", "someone@outlook.com", NULL);
  port = g_strdup_printf ("%u", mail_setup_test_server_get_port (server));
  window = open_wizard ();

  /* The address picks Outlook.com. */
  type (window, "someone@outlook.com");
  g_assert_cmpstr (text_of (window, "email"), ==, "someone@outlook.com");
  g_assert_true (provider_is_checked (window, "outlook"));

  /* Another provider, with Tab and space, and Outlook.com again with the
   * arrow keys. */
  tab_to (window, "provider-other");
  press (window, "space");
  g_assert_cmpstr (provider_id (window), ==, "other");
  g_assert_true (provider_is_checked (window, "other"));
  mail_setup_test_keys_press_until (window, "Up", "provider-outlook", 3);
  press (window, "space");
  g_assert_cmpstr (provider_id (window), ==, "outlook");
  g_assert_true (provider_is_checked (window, "outlook"));
  assert_focus_in (window, "provider-outlook");
  screenshot (window, "keyboard-provider");
  assert_mnemonics_unique (window);

  /* Enter in the address continues. Tab goes round the new page as it
   * slides in, never into the page sliding out. */
  mail_setup_test_keys_press_until (window, "<Shift>Tab", "email", 6);
  press (window, "Return");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  assert_focus_in (window, "password");
  for (guint i = 0; i < 8; i++)
    {
      press (window, "Tab");
      assert_focus_in_view (window);
    }
  mail_setup_test_keys_tab_to (window, "password", 8);

  /* Outlook.com's servers are folded away as known-good; the test points
   * the incoming one at the scripted server, and tests receiving only. */
  type (window, password);
  g_assert_cmpstr (text_of (window, "password"), ==, password);
  unfold (window, "server-settings", "server");
  g_assert_cmpstr (text_of (window, "server"), ==, "outlook.office365.com");
  retype (window, "server", "127.0.0.1");
  retype (window, "port", port);
  unfold (window, "outgoing-server-settings", "smtp-server");
  skip_sending (window);
  assert_focus_in (window, "check-smtp");
  screenshot (window, "keyboard-account");
  assert_mnemonics_unique (window);

  /* Test Account by its mnemonic, from wherever the focus is. */
  press (window, "<Alt>t");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (widget (window, "ms-auth-failed"))), ==,
                   "Microsoft Refused the Sign-In");
  g_assert_true (gtk_widget_is_drawable (widget (window, "recent-activity")));

  /* The focus waits on the fix's own Try Again, which Enter presses; first
   * the user goes up to the steps and ticks them. */
  assert_focus_in (window, "retry");
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (window)) == widget (window, "retry"));
  mail_setup_test_keys_press_until (window, "<Shift>Tab", "tick-1", 20);
  for (guint i = 1; i <= 4; i++)
    {
      g_autofree char *tick = g_strdup_printf ("tick-%u", i);

      mail_setup_test_keys_tab_to (window, tick, 6);
      g_assert_false (is_checked (window, tick));
      press (window, "space");
      g_assert_true (is_checked (window, tick));
    }
  assert_focus_in (window, "tick-4");
  screenshot (window, "keyboard-remedy");
  assert_mnemonics_unique (window);

  /* The user chose "This was me". Enter is Try Again wherever it does
   * nothing else: here on the row of the stage that failed. */
  mail_setup_test_server_accept_sign_in (server);
  tab_to (window, "stage-sign-in");
  press (window, "Return");
  mail_setup_test_ui_wait_for_page (window, "testing", 2000);
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (widget (window, "ok"))), ==, "Your Account Works");

  /* Save has the focus: Enter saves. */
  assert_focus_in (window, "save");
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (window)) == widget (window, "save"));
  screenshot (window, "keyboard-result");
  assert_mnemonics_unique (window);
  press (window, "Return");
  g_assert_true (mail_setup_test_ui_wait_until (mail_setup_test_ui_save_finished, window, 10000));
  g_assert_true (gtk_widget_get_visible (widget (window, "done")));
  stored = mail_setup_test_ui_secret_tool_lookup ("someone@outlook.com", "127.0.0.1",
                                                  mail_setup_test_server_get_port (server), "password");
  g_assert_cmpstr (stored, ==, password);

  /* What a saved account is for follows, with the focus on its page. */
  mail_setup_test_ui_wait_for_page (window, "use", 2000);
  assert_focus_in_view (window);
  screenshot (window, "keyboard-saved");
  assert_mnemonics_unique (window);

  gtk_window_destroy (GTK_WINDOW (window));
  mail_setup_test_ui_remove_saved_account ("someone@outlook.com");
}

/* The first two pages for a server of one's own at PORT of 127.0.0.1,
 * receiving only; the focus is left in the port field. */
static void
fill_in_other_server (MailSetupWindow *window,
                      const char      *email,
                      const char      *password,
                      guint16          port)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  type (window, email);
  tab_to (window, "provider-other");
  press (window, "space");
  g_assert_cmpstr (provider_id (window), ==, "other");
  /* Continue by its mnemonic. */
  press (window, "<Alt>c");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);

  /* A server of one's own: its settings are open. */
  assert_focus_in (window, "password");
  type (window, password);
  tab_to (window, "server");
  type (window, "127.0.0.1");
  tab_to (window, "port");
  press (window, "<Control>a");
  type (window, port_text);
  skip_sending (window);
  mail_setup_test_keys_press_until (window, "<Shift>Tab", "port", 12);
  g_assert_cmpstr (text_of (window, "port"), ==, port_text);
}

static void
test_keyboard_escape_cancels_test (void)
{
  g_autoptr(MailSetupTestServer) server = mail_setup_test_server_start ("never-greets", NULL);
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_server_get_port (server));
  MailSetupWindow *window = open_wizard ();
  gint64 start;

  fill_in_other_server (window, "someone@example.test", "Pa55 never sent",
                        mail_setup_test_server_get_port (server));

  /* Enter in a field tests the account. */
  press (window, "Return");
  mail_setup_test_ui_wait_for_page (window, "testing", 2000);
  assert_focus_in (window, "cancel");
  assert_mnemonics_unique (window);

  start = g_get_monotonic_time ();
  press (window, "Escape");
  mail_setup_test_ui_wait_for_page (window, "account", 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_false (gtk_widget_get_visible (widget (window, "cancel")));

  /* Nothing typed is lost, and the user types on where they begin. */
  g_assert_cmpstr (text_of (window, "password"), ==, "Pa55 never sent");
  g_assert_cmpstr (text_of (window, "server"), ==, "127.0.0.1");
  g_assert_cmpstr (text_of (window, "port"), ==, port);
  assert_focus_in (window, "password");

  /* Again from the password, and Cancel by its mnemonic, which no other
   * button on the page shares. */
  press (window, "Return");
  mail_setup_test_ui_wait_for_page (window, "testing", 2000);
  press (window, "<Alt>c");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  g_assert_cmpstr (text_of (window, "password"), ==, "Pa55 never sent");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_keyboard_escape_cancels_sign_in (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  g_autoptr(JsonObject) visit = NULL;
  MailSetupWindow *window;
  const char *address;
  guint port;

  /* The test's stand-in for Microsoft, and a browser that opens the
   * sign-in page and leaves it there. */
  g_setenv ("MAIL_SETUP_OAUTH_AUTHORITY", mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"), TRUE);
  mail_setup_test_identity_reset ();
  mail_setup_test_browser_install ();
  mail_setup_test_browser_use_new_log ();
  mail_setup_test_browser_set_mode (MAIL_SETUP_TEST_BROWSER_IGNORE);

  window = open_wizard ();
  type (window, user);
  tab_to (window, "provider-microsoft365");
  press (window, "space");
  g_assert_cmpstr (provider_id (window), ==, "microsoft365");
  press (window, "<Alt>c");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);

  /* "Sign In With Microsoft Instead" is a row that Enter activates. */
  tab_to (window, "microsoft-sign-in-row");
  press (window, "Return");
  mail_setup_test_ui_wait_for_page (window, "sign-in", 2000);
  g_assert_true (mail_setup_test_ui_wait_until (mail_setup_test_ui_browser_is_waiting, window, 10000));
  address = gtk_label_get_label (GTK_LABEL (widget (window, "authorize-uri")));
  visit = mail_setup_test_browser_wait_for_visit (5000);
  g_assert_cmpstr (json_object_get_string_member (visit, "opened"), ==, address);
  port = mail_setup_test_browser_redirect_port (address);
  g_assert_true (mail_setup_test_port_is_open (port));
  assert_focus_in_view (window);
  assert_mnemonics_unique (window);

  /* Escape stops the sign-in: back at once, and nothing listens for the
   * browser any more. */
  press (window, "Escape");
  mail_setup_test_ui_wait_for_page (window, "account", 1000);
  g_assert_false (mail_setup_test_port_is_open (port));
  g_assert_false (mail_setup_account_get_uses_microsoft_sign_in (mail_setup_window_get_account (window)));
  g_assert_cmpuint (mail_setup_test_browser_count_visits (), ==, 1);
  assert_focus_in (window, "password");

  gtk_window_destroy (GTK_WINDOW (window));
  mail_setup_test_identity_reset ();
  g_unsetenv ("MAIL_SETUP_OAUTH_AUTHORITY");
}

static void
test_keyboard_alt_left_goes_back (void)
{
  MailSetupWindow *window = open_wizard ();

  /* On the first page there is nowhere to go back to. */
  type (window, "someone@outlook.com");
  press (window, "<Alt>Left");
  g_assert_cmpstr (mail_setup_window_get_page (window), ==, "provider");

  press (window, "Return");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  type (window, "typed before going back");

  press (window, "<Alt>Left");
  mail_setup_test_ui_wait_for_page (window, "provider", 2000);
  g_assert_cmpstr (text_of (window, "email"), ==, "someone@outlook.com");
  assert_focus_in (window, "email");

  /* And forward again: the password is still there. */
  press (window, "Return");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  g_assert_cmpstr (text_of (window, "password"), ==, "typed before going back");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
collect_accelerators (GtkWidget *widget,
                      GPtrArray *accelerators)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      char *accelerator = NULL;

      g_object_get (widget, "accelerator", &accelerator, NULL);
      if (accelerator != NULL)
        g_ptr_array_add (accelerators, accelerator);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_accelerators (child, accelerators);
}

/* The keys of the wizard are where users look for them. */
static void
test_keyboard_shortcuts_listed (void)
{
  g_autoptr(GPtrArray) accelerators = g_ptr_array_new_with_free_func (g_free);
  MailSetupWindow *window = open_wizard ();
  GtkWidget *shortcuts = NULL;

  press (window, "<Control>question");
  shortcuts = mail_setup_test_ui_wait_for_toplevel (GTK_TYPE_SHORTCUTS_WINDOW, 5000);
  collect_accelerators (shortcuts, accelerators);
  g_ptr_array_add (accelerators, NULL);
  g_assert_true (g_strv_contains ((const char * const *) accelerators->pdata, "Return"));
  g_assert_true (g_strv_contains ((const char * const *) accelerators->pdata, "Escape"));
  g_assert_true (g_strv_contains ((const char * const *) accelerators->pdata, "<Alt>Left"));

  gtk_window_destroy (GTK_WINDOW (shortcuts));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  /* Settings of its own: other tests save accounts at the same time. */
  config = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"), "keyboard-config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/keyboard/whole-wizard", test_keyboard_whole_wizard);
  g_test_add_func ("/keyboard/escape-cancels-test", test_keyboard_escape_cancels_test);
  g_test_add_func ("/keyboard/escape-cancels-sign-in", test_keyboard_escape_cancels_sign_in);
  g_test_add_func ("/keyboard/alt-left-goes-back", test_keyboard_alt_left_goes_back);
  g_test_add_func ("/keyboard/shortcuts-listed", test_keyboard_shortcuts_listed);

  return g_test_run ();
}
