/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-connection-details.h"
#include "mail-setup-stage-list.h"
#include "mail-setup-testing-page.h"

/* The third page: the live checklists of a running test, one for
 * receiving and one for sending mail, which run at the same time, and the
 * details as they become known. Cancel, which stops both, is the window's,
 * in the header bar, in view however far the lists go. */

struct _MailSetupTestingPage
{
  MailSetupPage               parent_instance;

  GtkLabel                   *server_label;
  AdwPreferencesGroup        *incoming_group;
  MailSetupStageList         *stage_list;
  AdwPreferencesGroup        *outgoing_group;
  MailSetupStageList         *outgoing_stage_list;
  MailSetupConnectionDetails *connection_details;
};

G_DEFINE_FINAL_TYPE (MailSetupTestingPage, mail_setup_testing_page, MAIL_SETUP_TYPE_PAGE)

/* Which server a group of stages is about: "outlook.office365.com, port
 * 993, SSL/TLS". */
static void
describe_server (AdwPreferencesGroup *group,
                 MailSetupCheck      *check)
{
  g_autofree char *description = NULL;

  /* Translators: the server settings in short: "outlook.office365.com, port 993, SSL/TLS" */
  description = g_strdup_printf (_("%s, port %u, %s"), mail_setup_check_get_server (check),
                                 mail_setup_check_get_port (check),
                                 mail_setup_check_get_security (check) == MAIL_SETUP_SECURITY_STARTTLS
                                 ? "STARTTLS" : "SSL/TLS");
  adw_preferences_group_set_description (group, description);
}

enum
{
  ANNOUNCE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* With two lists on the page, the announcement says whose stage it was. */
static void
announce (MailSetupTestingPage *self,
          AdwPreferencesGroup  *group,
          const char           *text)
{
  g_autofree char *announcement = NULL;

  if (gtk_widget_get_visible (GTK_WIDGET (self->outgoing_group)))
    /* TRANSLATORS: which server's test, then a stage and how it ended:
     * "Sending Mail (SMTP): Connecting: Passed". */
    announcement = g_strdup_printf (_("%s: %s"), adw_preferences_group_get_title (group), text);
  else
    announcement = g_strdup (text);
  g_signal_emit (self, signals[ANNOUNCE], 0, announcement);
}

static void
incoming_announce_cb (MailSetupTestingPage *self,
                      const char           *text)
{
  announce (self, self->incoming_group, text);
}

static void
outgoing_announce_cb (MailSetupTestingPage *self,
                      const char           *text)
{
  announce (self, self->outgoing_group, text);
}

static void
mail_setup_testing_page_class_init (MailSetupTestingPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /**
   * MailSetupTestingPage::announce:
   * @text: the stage that just ended and how, in words
   *
   * For assistive technologies, which GTK 4.8 cannot tell otherwise.
   */
  signals[ANNOUNCE] = g_signal_new ("announce", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (MAIL_SETUP_TYPE_CONNECTION_DETAILS);
  g_type_ensure (MAIL_SETUP_TYPE_STAGE_LIST);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/pages/mail-setup-testing-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupTestingPage, server_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupTestingPage, incoming_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupTestingPage, stage_list);
  gtk_widget_class_bind_template_child (widget_class, MailSetupTestingPage, outgoing_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupTestingPage, outgoing_stage_list);
  gtk_widget_class_bind_template_child (widget_class, MailSetupTestingPage, connection_details);
  gtk_widget_class_bind_template_callback (widget_class, incoming_announce_cb);
  gtk_widget_class_bind_template_callback (widget_class, outgoing_announce_cb);
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
  MailSetupCheck *outgoing;
  GtkWidget *scrolled;

  g_return_if_fail (MAIL_SETUP_IS_TESTING_PAGE (self));
  g_return_if_fail (MAIL_SETUP_IS_CHECK (check));

  outgoing = mail_setup_check_get_outgoing (check);

  /* A new test starts at the top; the lists follow it from there. */
  scrolled = gtk_widget_get_ancestor (GTK_WIDGET (self->stage_list), GTK_TYPE_SCROLLED_WINDOW);
  if (scrolled != NULL)
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)), 0);

  /* With two servers, each group names its own. */
  if (outgoing != NULL)
    /* Translators: "Testing name@example.com" */
    server = g_strdup_printf (_("Testing %s"), mail_setup_check_get_username (check));
  else
    /* Translators: "Testing name@example.com on outlook.office365.com" */
    server = g_strdup_printf (_("Testing %s on %s"), mail_setup_check_get_username (check),
                              mail_setup_check_get_server (check));
  gtk_label_set_label (self->server_label, server);
  describe_server (self->incoming_group, check);
  mail_setup_stage_list_set_check (self->stage_list, check);

  gtk_widget_set_visible (GTK_WIDGET (self->outgoing_group), outgoing != NULL);
  mail_setup_stage_list_set_check (self->outgoing_stage_list, outgoing);
  if (outgoing != NULL)
    describe_server (self->outgoing_group, outgoing);

  mail_setup_connection_details_set_check (self->connection_details, check);
}
