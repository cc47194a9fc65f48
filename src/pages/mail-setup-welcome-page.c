/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "mail-setup-welcome-page.h"

struct _MailSetupWelcomePage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (MailSetupWelcomePage, mail_setup_welcome_page, ADW_TYPE_BIN)

static void
mail_setup_welcome_page_class_init (MailSetupWelcomePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/pages/mail-setup-welcome-page.ui");
}

static void
mail_setup_welcome_page_init (MailSetupWelcomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
