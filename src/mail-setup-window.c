/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-window.h"
#include "pages/mail-setup-welcome-page.h"

struct _MailSetupWindow
{
  AdwApplicationWindow parent_instance;

  GtkStack *pages;
  MailSetupWelcomePage *welcome_page;
};

G_DEFINE_FINAL_TYPE (MailSetupWindow, mail_setup_window, ADW_TYPE_APPLICATION_WINDOW)

static void
mail_setup_window_class_init (MailSetupWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_type_ensure (MAIL_SETUP_TYPE_WELCOME_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/mail-setup-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupWindow, pages);
  gtk_widget_class_bind_template_child (widget_class, MailSetupWindow, welcome_page);
}

static void
mail_setup_window_init (MailSetupWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

MailSetupWindow *
mail_setup_window_new (MailSetupApplication *application)
{
  return g_object_new (MAIL_SETUP_TYPE_WINDOW,
                       "application", application,
                       NULL);
}
