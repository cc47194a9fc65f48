/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-connection-details.h"
#include "mail-setup-stage-list.h"
#include "mail-setup-testing-page.h"

/* The third page: the live checklist of a running test, Cancel, and the
 * details as they become known. */

struct _MailSetupTestingPage
{
  MailSetupPage               parent_instance;

  GtkLabel                   *server_label;
  MailSetupStageList         *stage_list;
  GtkButton                  *cancel_button;
  MailSetupConnectionDetails *connection_details;
};

G_DEFINE_FINAL_TYPE (MailSetupTestingPage, mail_setup_testing_page, MAIL_SETUP_TYPE_PAGE)

static void
mail_setup_testing_page_shown (MailSetupPage *page)
{
  MailSetupTestingPage *self = MAIL_SETUP_TESTING_PAGE (page);

  gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));
}

static void
mail_setup_testing_page_class_init (MailSetupTestingPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  MAIL_SETUP_PAGE_CLASS (klass)->shown = mail_setup_testing_page_shown;

  g_type_ensure (MAIL_SETUP_TYPE_CONNECTION_DETAILS);
  g_type_ensure (MAIL_SETUP_TYPE_STAGE_LIST);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/pages/mail-setup-testing-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupTestingPage, server_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupTestingPage, stage_list);
  gtk_widget_class_bind_template_child (widget_class, MailSetupTestingPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupTestingPage, connection_details);
}

static void
mail_setup_testing_page_init (MailSetupTestingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

}

void
mail_setup_testing_page_set_check (MailSetupTestingPage *self,
                                   MailSetupCheck       *check)
{
  g_autofree char *server = NULL;

  g_return_if_fail (MAIL_SETUP_IS_TESTING_PAGE (self));
  g_return_if_fail (MAIL_SETUP_IS_CHECK (check));

  /* Translators: "Testing name@example.com on outlook.office365.com" */
  server = g_strdup_printf (_("Testing %s on %s"), mail_setup_check_get_username (check),
                            mail_setup_check_get_server (check));
  gtk_label_set_label (self->server_label, server);
  mail_setup_stage_list_set_check (self->stage_list, check);
  mail_setup_connection_details_set_check (self->connection_details, check);
}
