/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-connection-details.h"
#include "mail-setup-remedy-view.h"
#include "mail-setup-result-page.h"
#include "mail-setup-stage-list.h"

/* The fourth page: what the test found, in plain words, what to do about it,
 * and the details a helper would ask for. */

struct _MailSetupResultPage
{
  MailSetupPage              parent_instance;

  MailSetupAccount           *account;  /* the page's, borrowed */

  GtkImage                   *icon;
  GtkLabel                   *title_label;
  GtkLabel                   *explanation_label;
  AdwPreferencesGroup        *remedy_group;
  MailSetupRemedyView        *remedy_view;
  GtkWidget                  *failure_buttons;
  GtkWidget                  *success_buttons;
  GtkWidget                  *try_again_button;
  GtkWidget                  *done_button;
  GtkWidget                  *save_button;
  GtkLabel                   *save_status_label;
  MailSetupStageList         *stage_list;
  MailSetupConnectionDetails *connection_details;
};

G_DEFINE_FINAL_TYPE (MailSetupResultPage, mail_setup_result_page, MAIL_SETUP_TYPE_PAGE)

static gboolean
remedy_has_retry (MailSetupRemedy *remedy)
{
  for (guint i = 0; remedy != NULL && i < mail_setup_remedy_get_n_steps (remedy); i++)
    {
      if (mail_setup_remedy_get_step (remedy, i)->action == MAIL_SETUP_REMEDY_ACTION_RETRY)
        return TRUE;
    }

  return FALSE;
}

static void
mail_setup_result_page_map_cb (MailSetupResultPage *self)
{
  if (gtk_widget_get_visible (self->failure_buttons) && gtk_widget_get_visible (self->try_again_button))
    gtk_widget_grab_focus (self->try_again_button);
  else if (gtk_widget_get_visible (self->success_buttons))
    gtk_widget_grab_focus (self->save_button);
}

static void
mail_setup_result_page_dispose (GObject *object)
{
  MailSetupResultPage *self = MAIL_SETUP_RESULT_PAGE (object);

  self->account = NULL;

  G_OBJECT_CLASS (mail_setup_result_page_parent_class)->dispose (object);
}

static void
mail_setup_result_page_constructed (GObject *object)
{
  MailSetupResultPage *self = MAIL_SETUP_RESULT_PAGE (object);

  G_OBJECT_CLASS (mail_setup_result_page_parent_class)->constructed (object);

  self->account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
}

static void
mail_setup_result_page_class_init (MailSetupResultPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mail_setup_result_page_dispose;
  object_class->constructed = mail_setup_result_page_constructed;


  g_type_ensure (MAIL_SETUP_TYPE_CONNECTION_DETAILS);
  g_type_ensure (MAIL_SETUP_TYPE_STAGE_LIST);
  g_type_ensure (MAIL_SETUP_TYPE_REMEDY_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/pages/mail-setup-result-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, icon);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, explanation_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, remedy_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, remedy_view);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, failure_buttons);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, success_buttons);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, try_again_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, done_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, save_status_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, stage_list);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, connection_details);
}

static void
mail_setup_result_page_init (MailSetupResultPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self, "map", G_CALLBACK (mail_setup_result_page_map_cb), self);
}

/* Shows the outcome of CHECK, with the guided fix REMEDY_ID (or none). */
void
mail_setup_result_page_show (MailSetupResultPage *self,
                             MailSetupCheck      *check,
                             const char          *remedy_id)
{
  MailSetupDiagnosis diagnosis;
  MailSetupRemedy *remedy;
  gboolean ok;

  g_return_if_fail (MAIL_SETUP_IS_RESULT_PAGE (self));
  g_return_if_fail (MAIL_SETUP_IS_CHECK (check));

  diagnosis = mail_setup_check_get_diagnosis (check);
  remedy = remedy_id ? mail_setup_remedy_catalog_lookup (remedy_id) : NULL;
  ok = diagnosis == MAIL_SETUP_DIAGNOSIS_OK;

  gtk_widget_set_name (GTK_WIDGET (self->title_label), mail_setup_diagnosis_to_string (diagnosis));
  gtk_image_set_from_icon_name (self->icon, ok ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_widget_remove_css_class (GTK_WIDGET (self->icon), ok ? "warning" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->icon), ok ? "success" : "warning");
  gtk_label_set_label (self->title_label, mail_setup_diagnosis_get_title (diagnosis));
  gtk_label_set_label (self->explanation_label, mail_setup_diagnosis_get_explanation (diagnosis));

  gtk_widget_set_visible (GTK_WIDGET (self->remedy_group), remedy != NULL);
  if (remedy != NULL)
    mail_setup_remedy_view_show (self->remedy_view, remedy, self->account, check);
  gtk_widget_set_visible (self->failure_buttons, !ok);
  /* A guided fix ends in its own Try Again, in its place among the steps. */
  gtk_widget_set_visible (self->try_again_button, !remedy_has_retry (remedy));
  gtk_widget_set_visible (self->success_buttons, ok);
  gtk_widget_set_visible (self->save_button, TRUE);
  gtk_widget_set_sensitive (self->save_button, TRUE);
  gtk_button_set_label (GTK_BUTTON (self->save_button), _("_Save Account"));
  gtk_widget_set_visible (self->done_button, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->save_status_label), FALSE);

  mail_setup_stage_list_set_check (self->stage_list, check);

  mail_setup_connection_details_set_check (self->connection_details, check);
}

void
mail_setup_result_page_show_saving (MailSetupResultPage *self)
{
  g_return_if_fail (MAIL_SETUP_IS_RESULT_PAGE (self));

  gtk_widget_set_sensitive (self->save_button, FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->save_status_label), "error");
  gtk_label_set_label (self->save_status_label, _("Saving…"));
  gtk_widget_set_visible (GTK_WIDGET (self->save_status_label), TRUE);
}

void
mail_setup_result_page_show_saved (MailSetupResultPage *self)
{
  g_return_if_fail (MAIL_SETUP_IS_RESULT_PAGE (self));

  gtk_widget_remove_css_class (GTK_WIDGET (self->save_status_label), "error");
  gtk_label_set_label (self->save_status_label,
                       _("Saved. The password is in your keyring, where mail apps can find it."));
  gtk_widget_set_visible (self->save_button, FALSE);
  gtk_widget_set_visible (self->done_button, TRUE);
  gtk_widget_grab_focus (self->done_button);
}

/* The account stays as it is: saving can be tried again once the cause is
 * fixed. */
void
mail_setup_result_page_show_save_error (MailSetupResultPage *self,
                                        const char          *message)
{
  g_return_if_fail (MAIL_SETUP_IS_RESULT_PAGE (self));

  gtk_widget_add_css_class (GTK_WIDGET (self->save_status_label), "error");
  gtk_label_set_label (self->save_status_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->save_status_label), TRUE);
  gtk_widget_set_sensitive (self->save_button, TRUE);
  gtk_button_set_label (GTK_BUTTON (self->save_button), _("_Try Saving Again"));
}
