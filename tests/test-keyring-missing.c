/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The wizard on a desktop with no keyring service: run by meson inside a
 * D-Bus session that has no Secret Service and cannot start one. */

#include <adwaita.h>

#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"

static gboolean
save_failed (gpointer user_data)
{
  GtkWidget *status = mail_setup_test_ui_find (GTK_WIDGET (user_data), "save-status");

  return gtk_widget_has_css_class (status, "error");
}

static void
test_keyring_missing_keeps_the_account (void)
{
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"));
  g_autofree char *submission_port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT"));
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");
  g_autofree char *screenshot = NULL;
  MailSetupWindow *window;
  const char *message;

  g_setenv ("MAIL_SETUP_EXTRA_CA_FILE", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), TRUE);
  window = mail_setup_test_ui_open_window ();

  gtk_editable_set_text (GTK_EDITABLE (mail_setup_test_ui_find (GTK_WIDGET (window), "email")),
                         mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  gtk_widget_activate (mail_setup_test_ui_find (GTK_WIDGET (window), "provider-other"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.continue", NULL);
  gtk_editable_set_text (GTK_EDITABLE (mail_setup_test_ui_find (GTK_WIDGET (window), "password")), password);
  gtk_editable_set_text (GTK_EDITABLE (mail_setup_test_ui_find (GTK_WIDGET (window), "server")), "127.0.0.1");
  gtk_editable_set_text (GTK_EDITABLE (mail_setup_test_ui_find (GTK_WIDGET (window), "port")), port);
  /* The outgoing server: Dovecot's submission service. */
  gtk_editable_set_text (GTK_EDITABLE (mail_setup_test_ui_find (GTK_WIDGET (window), "smtp-server")),
                         "127.0.0.1");
  gtk_editable_set_text (GTK_EDITABLE (mail_setup_test_ui_find (GTK_WIDGET (window), "smtp-port")),
                         submission_port);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.continue", NULL);
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_nonnull (mail_setup_test_ui_find (GTK_WIDGET (window), "ok"));

  g_signal_emit_by_name (mail_setup_test_ui_find (GTK_WIDGET (window), "save"), "clicked");
  g_assert_true (mail_setup_test_ui_wait_until (save_failed, window, 10000));

  /* The cause and what to do, and the account still there to save again. */
  message = gtk_label_get_label (GTK_LABEL (mail_setup_test_ui_find (GTK_WIDGET (window), "save-status")));
  g_test_message ("keyring error: %s", message);
  g_assert_nonnull (strstr (message, "GNOME Keyring"));
  g_assert_true (gtk_widget_is_sensitive (mail_setup_test_ui_find (GTK_WIDGET (window), "save")));
  screenshot = mail_setup_test_ui_screenshot (GTK_WIDGET (window), "wizard-keyring-missing");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (mail_setup_test_ui_find (GTK_WIDGET (window), "password"))),
                   ==, password);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (mail_setup_test_ui_find (GTK_WIDGET (window), "port"))),
                   ==, port);

  /* Nothing was written half: no settings without their password. */
  g_assert_false (g_file_test (g_build_filename (g_get_user_config_dir (), "mail-setup", "accounts.ini",
                                                 NULL), G_FILE_TEST_EXISTS));

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
  config = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                             "keyring-missing-config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/keyring-missing/keeps-the-account", test_keyring_missing_keeps_the_account);

  return g_test_run ();
}
