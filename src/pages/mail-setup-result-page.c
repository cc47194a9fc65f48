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


  GtkImage                   *icon;
  GtkLabel                   *title_label;
  GtkLabel                   *explanation_label;
  GtkLabel                   *server_response_label;
  AdwPreferencesGroup        *remedy_group;
  MailSetupRemedyView        *remedy_view;
  GtkWidget                  *failure_buttons;
  GtkWidget                  *success_buttons;
  GtkWidget                  *try_again_button;
  GtkWidget                  *done_button;
  GtkWidget                  *save_button;
  GtkLabel                   *save_status_label;
  GtkWidget                  *stage_group;
  MailSetupStageList         *stage_list;
  MailSetupConnectionDetails *connection_details;
};

G_DEFINE_FINAL_TYPE (MailSetupResultPage, mail_setup_result_page, MAIL_SETUP_TYPE_PAGE)

/* Whether the guided fix ends in its own way to try again: a test, or a
 * new Microsoft sign-in, which tests by itself when it succeeds. */
static gboolean
remedy_has_retry (MailSetupRemedy *remedy)
{
  for (guint i = 0; remedy != NULL && i < mail_setup_remedy_get_n_steps (remedy); i++)
    {
      switch (mail_setup_remedy_get_step (remedy, i)->action)
        {
        case MAIL_SETUP_REMEDY_ACTION_RETRY:
        case MAIL_SETUP_REMEDY_ACTION_MICROSOFT_SIGN_IN:
        case MAIL_SETUP_REMEDY_ACTION_BROWSER_SIGN_IN:
        case MAIL_SETUP_REMEDY_ACTION_DEVICE_SIGN_IN:
          return TRUE;
        default:
          break;
        }
    }

  return FALSE;
}

static void
mail_setup_result_page_shown (MailSetupPage *page)
{
  mail_setup_result_page_focus_action (MAIL_SETUP_RESULT_PAGE (page));
}

static void
mail_setup_result_page_class_init (MailSetupResultPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  MAIL_SETUP_PAGE_CLASS (klass)->shown = mail_setup_result_page_shown;



  g_type_ensure (MAIL_SETUP_TYPE_CONNECTION_DETAILS);
  g_type_ensure (MAIL_SETUP_TYPE_STAGE_LIST);
  g_type_ensure (MAIL_SETUP_TYPE_REMEDY_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/pages/mail-setup-result-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, icon);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, explanation_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, server_response_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, remedy_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, remedy_view);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, failure_buttons);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, success_buttons);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, try_again_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, done_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, save_status_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, stage_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, stage_list);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, connection_details);
}

static void
mail_setup_result_page_init (MailSetupResultPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

}

/* Shows the outcome of CHECK, with the guided fix REMEDY_ID (or none). */
void
mail_setup_result_page_show (MailSetupResultPage *self,
                             MailSetupCheck      *check,
                             const char          *remedy_id)
{
  MailSetupAccount *account;
  MailSetupDiagnosis diagnosis;
  MailSetupRemedy *remedy;
  const char *response;
  gboolean sign_in;
  gboolean ok;

  g_return_if_fail (MAIL_SETUP_IS_RESULT_PAGE (self));
  g_return_if_fail (MAIL_SETUP_IS_CHECK (check));

  account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  diagnosis = mail_setup_check_get_diagnosis (check);
  remedy = remedy_id ? mail_setup_remedy_catalog_lookup (remedy_id) : NULL;
  ok = diagnosis == MAIL_SETUP_DIAGNOSIS_OK;

  gtk_widget_set_name (GTK_WIDGET (self->title_label), mail_setup_diagnosis_to_string (diagnosis));
  gtk_image_set_from_icon_name (self->icon, ok ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_widget_remove_css_class (GTK_WIDGET (self->icon), ok ? "warning" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->icon), ok ? "success" : "warning");
  gtk_label_set_label (self->title_label, mail_setup_diagnosis_get_title (diagnosis));
  gtk_label_set_label (self->explanation_label, mail_setup_diagnosis_get_explanation (diagnosis));

  /* When Microsoft's sign-in refused, its own words name the reason (an
   * AADSTS number) for whoever helps; when it could not be reached, the
   * network's do. No server was asked, so there is no checklist to show. */
  sign_in = mail_setup_diagnosis_is_sign_in (diagnosis);
  response = mail_setup_check_get_server_response (check);
  if (sign_in && response != NULL && *response != '\0')
    {
      g_autofree char *said = NULL;

      if (diagnosis == MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE)
        /* Translators: %s says why Microsoft could not be reached, such as "Connection refused" */
        said = g_strdup_printf (_("The connection failed: %s"), response);
      else
        /* Translators: %s is Microsoft's answer, such as "invalid_grant: AADSTS53003: Access has been blocked by Conditional Access policies." */
        said = g_strdup_printf (_("Microsoft said: %s"), response);
      gtk_label_set_label (self->server_response_label, said);
      gtk_widget_set_visible (GTK_WIDGET (self->server_response_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->server_response_label), FALSE);
  gtk_widget_set_visible (self->stage_group, !sign_in);

  gtk_widget_set_visible (GTK_WIDGET (self->remedy_group), remedy != NULL);
  if (remedy != NULL)
    mail_setup_remedy_view_show (self->remedy_view, remedy, account, check);
  gtk_widget_set_visible (self->failure_buttons, !ok);
  /* A guided fix ends in its own Try Again or sign-in, in its place among
   * the steps; a second one below would compete with it. */
  gtk_widget_set_visible (self->try_again_button, !remedy_has_retry (remedy));
  gtk_widget_set_visible (self->success_buttons, ok);
  gtk_widget_set_visible (self->save_button, TRUE);
  gtk_widget_set_sensitive (self->save_button, TRUE);
  gtk_button_set_label (GTK_BUTTON (self->save_button), _("_Save Account"));
  gtk_widget_set_tooltip_text (self->save_button,
                               mail_setup_account_get_uses_microsoft_sign_in (account)
                               ? _("Keep the Microsoft sign-in in your keyring and the settings in Mail Setup")
                               : _("Keep the password in your keyring and the settings in Mail Setup"));
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
  MailSetupAccount *account;

  g_return_if_fail (MAIL_SETUP_IS_RESULT_PAGE (self));

  account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  gtk_widget_remove_css_class (GTK_WIDGET (self->save_status_label), "error");
  if (mail_setup_account_get_uses_microsoft_sign_in (account))
    gtk_label_set_label (self->save_status_label,
                         _("Saved. The Microsoft sign-in is in your keyring, where mail apps can find it."));
  else
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

/* Puts the focus on what the user most likely does next. The window calls
 * it once the page is in view: a stack that takes the focus along gives it
 * to the first widget that takes it, which may be Microsoft's answer, and
 * a selectable label selects all of itself when focused. */
void
mail_setup_result_page_focus_action (MailSetupResultPage *self)
{
  g_return_if_fail (MAIL_SETUP_IS_RESULT_PAGE (self));

  if (gtk_widget_get_visible (self->failure_buttons) && gtk_widget_get_visible (self->try_again_button))
    gtk_widget_grab_focus (self->try_again_button);
  else if (gtk_widget_get_visible (self->success_buttons))
    gtk_widget_grab_focus (self->save_button);
  gtk_label_select_region (self->server_response_label, 0, 0);
}
