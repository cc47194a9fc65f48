/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <glib/gi18n.h>

#include <adwaita.h>

#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"

static void
test_window_opens_with_title (void)
{
  g_autofree char *screenshot = NULL;
  MailSetupWindow *window;

  window = mail_setup_test_ui_open_window ();

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Mail Setup");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  screenshot = mail_setup_test_ui_screenshot (GTK_WIDGET (window), "first-page");
  g_assert_true (g_file_test (screenshot, G_FILE_TEST_IS_REGULAR));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_keyboard_shortcuts (void)
{
  MailSetupWindow *window = mail_setup_test_ui_open_window ();
  g_auto(GStrv) accels = NULL;
  g_autofree char *screenshot = NULL;
  GtkWidget *shortcuts = NULL;

  accels = gtk_application_get_accels_for_action (gtk_window_get_application (GTK_WINDOW (window)),
                                                  "win.show-help-overlay");
  g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>question"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  shortcuts = mail_setup_test_ui_wait_for_toplevel (GTK_TYPE_SHORTCUTS_WINDOW, 5000);
  screenshot = mail_setup_test_ui_screenshot (shortcuts, "shortcuts");
  gtk_window_destroy (GTK_WINDOW (shortcuts));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.mailsetup.MailSetup");
  MailSetupWindow *window;
  MailSetupAccount *account;
  GtkWidget *msn;
  int width = 0, height = 0;

  /* The memory backend: nothing of the user's dconf is read or written. */
  g_settings_set_uint (settings, "check-timeout", 7);
  g_settings_set_string (settings, "last-provider", "msn");
  g_settings_set_int (settings, "window-width", 520);

  window = mail_setup_test_ui_open_window ();
  account = mail_setup_window_get_account (window);
  g_assert_cmpuint (mail_setup_account_get_timeout (account), ==, 7);
  g_assert_cmpstr (mail_setup_provider_get_id (mail_setup_account_get_provider (account)), ==, "msn");
  msn = mail_setup_test_ui_find (GTK_WIDGET (window), "provider-msn");
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (msn)))));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 520);

  /* An address still picks its own provider. */
  gtk_editable_set_text (GTK_EDITABLE (mail_setup_test_ui_find (GTK_WIDGET (window), "email")),
                         "someone@hotmail.com");
  g_assert_cmpstr (mail_setup_provider_get_id (mail_setup_account_get_provider (account)), ==, "outlook");

  gtk_window_set_default_size (GTK_WINDOW (window), 480, 640);
  mail_setup_test_ui_wait_for_frame (GTK_WIDGET (window));
  gtk_window_close (GTK_WINDOW (window));
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 480);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 640);

  g_settings_reset (settings, "check-timeout");
  g_settings_reset (settings, "last-provider");
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

static GtkApplication *
window_app (MailSetupWindow *window)
{
  return gtk_window_get_application (GTK_WINDOW (window));
}

static void
test_window_about_and_quit (void)
{
  g_auto(GStrv) accels = NULL;
  GtkWidget *about = NULL;
  g_autofree char *screenshot = NULL;
  MailSetupWindow *window;

  window = mail_setup_test_ui_open_window ();

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.about", NULL));
  about = mail_setup_test_ui_wait_for_toplevel (ADW_TYPE_ABOUT_WINDOW, 5000);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==,
                   "Mail Setup");
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==,
                   GTK_LICENSE_GPL_3_0);
  screenshot = mail_setup_test_ui_screenshot (about, "about");
  gtk_window_destroy (GTK_WINDOW (about));

  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (window_app (window)),
                                                  "app.quit");
  g_assert_cmpstrv (accels, ((const char *[]) { "<Control>q", NULL }));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/window/opens-with-title", test_window_opens_with_title);
  g_test_add_func ("/window/about-and-quit", test_window_about_and_quit);
  g_test_add_func ("/window/keyboard-shortcuts", test_window_keyboard_shortcuts);
  g_test_add_func ("/window/settings", test_window_settings);

  return g_test_run ();
}
