/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-application.h"
#include "mail-setup-resources.h"
#include "mail-setup-window.h"

struct _MailSetupApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (MailSetupApplication, mail_setup_application, ADW_TYPE_APPLICATION)

static void
mail_setup_application_about_action (GSimpleAction *action,
                                     GVariant      *parameter,
                                     gpointer       user_data)
{
  MailSetupApplication *self = user_data;
  static const char *developers[] = { "The Mail Setup developers", NULL };
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  adw_show_about_window (window,
                         "application-name", _("Mail Setup"),
                         "application-icon", APPLICATION_ID,
                         "developer-name", _("The Mail Setup developers"),
                         "version", PACKAGE_VERSION,
                         "website", "https://github.com/mailsetup/mail-setup",
                         "issue-url", "https://github.com/mailsetup/mail-setup/issues",
                         "developers", developers,
                         /* Translators: Replace "translator-credits" with your name and e-mail address. */
                         "translator-credits", _("translator-credits"),
                         "copyright", "© 2026 The Mail Setup developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
mail_setup_application_quit_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static GtkWindow *
mail_setup_application_get_window (MailSetupApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (mail_setup_window_new (self));

  return window;
}

/* The action of the notification that `mail-setup --token` sends when
 * Microsoft refused a saved sign-in (mail-setup-cli-token.c): the saved
 * account in the wizard, as Change Password puts it there, and a new
 * Microsoft sign-in, which is tested and saved over the old one. It may
 * come before any window, when the desktop starts the app for it. */
static void
mail_setup_application_sign_in_again_action (GSimpleAction *action,
                                             GVariant      *parameter,
                                             gpointer       user_data)
{
  GtkWidget *window = GTK_WIDGET (mail_setup_application_get_window (user_data));

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action_variant (window, "win.change-password", parameter);
  gtk_widget_activate_action (window, "win.microsoft-sign-in", NULL);
}

static const GActionEntry app_actions[] = {
  { "about", mail_setup_application_about_action },
  { "quit", mail_setup_application_quit_action },
  { "sign-in-again", mail_setup_application_sign_in_again_action, "s" },
};

static void
mail_setup_application_activate (GApplication *app)
{
  GtkWindow *window = mail_setup_application_get_window (MAIL_SETUP_APPLICATION (app));

  gtk_window_present (window);

  /* bench/run times the start-up to the first drawn frame with this. */
  if (g_strcmp0 (g_getenv ("MAIL_SETUP_EXIT_AFTER_FIRST_FRAME"), "1") == 0)
    g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                             G_CALLBACK (g_application_quit), app, G_CONNECT_SWAPPED);
}

static void
mail_setup_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (mail_setup_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
mail_setup_application_class_init (MailSetupApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = mail_setup_application_activate;
  app_class->startup = mail_setup_application_startup;

  /* Registered here rather than by a constructor, so that the UI tests that
   * link the same code get the same resources. */
  mail_setup_register_resource ();
}

static void
mail_setup_application_init (MailSetupApplication *self)
{
}

MailSetupApplication *
mail_setup_application_new (void)
{
  return g_object_new (MAIL_SETUP_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}
