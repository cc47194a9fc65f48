/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-connection-details.h"
#include "mail-setup-remedy-view.h"
#include "mail-setup-result-page.h"
#include "mail-setup-stage-list.h"

/* The fourth page: what the test found, in plain words, what to do about it,
 * and the details a helper would ask for. A test of receiving and sending
 * mail is told by its first failure: receiving's, else sending's, with a
 * line that says how the other half went. */

struct _MailSetupResultPage
{
  MailSetupPage              parent_instance;

  GtkImage                   *icon;
  GtkLabel                   *title_label;
  GtkLabel                   *outcome_label;
  GtkLabel                   *sending_label;
  GtkLabel                   *explanation_label;
  GtkLabel                   *server_response_label;
  AdwPreferencesGroup        *remedy_group;
  MailSetupRemedyView        *remedy_view;
  GtkWidget                  *failure_buttons;
  GtkWidget                  *success_buttons;
  GtkWidget                  *try_again_button;
  GtkWidget                  *done_button;
  GtkWidget                  *save_button;
  GtkWidget                  *use_button;
  GtkLabel                   *save_note_label;
  GtkLabel                   *save_status_label;
  AdwPreferencesGroup        *stage_group;
  MailSetupStageList         *stage_list;
  GtkWidget                  *outgoing_stage_group;
  MailSetupStageList         *outgoing_stage_list;
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

/* How the half that the page is not about went, in a line; NULL when
 * there is nothing to say. */
static char *
describe_other_half (MailSetupCheck *check,
                     MailSetupCheck *failed)
{
  MailSetupCheck *outgoing = mail_setup_check_get_outgoing (check);
  gboolean sending_works;

  if (outgoing == NULL)
    return g_strdup (_("Sending mail was not tested."));

  sending_works = mail_setup_check_get_diagnosis (outgoing) == MAIL_SETUP_DIAGNOSIS_OK;
  if (failed == NULL)
    return g_strdup (_("Receiving and sending mail both work."));
  if (failed == outgoing)
    /* Translators: %s is the outgoing server, such as "smtp.office365.com" */
    return g_strdup_printf (_("Receiving mail works, but sending through %s does not work yet."),
                            mail_setup_check_get_server (outgoing));
  if (sending_works)
    /* Translators: %s is the outgoing server, such as "smtp.office365.com" */
    return g_strdup_printf (_("Sending mail through %s works; receiving does not."),
                            mail_setup_check_get_server (outgoing));
  return g_strdup (_("Sending mail was tested too, and does not work either."));
}

/* The server's or Microsoft's own words, for whoever helps: always for a
 * failed sign-in with Microsoft, which names its reason (an AADSTS
 * number), and for the outgoing server, whose answers Microsoft words
 * precisely (535 5.7.139 ...); NULL when they are not shown here. */
static char *
describe_response (MailSetupCheck *shown,
                   gboolean        sending)
{
  MailSetupDiagnosis diagnosis = mail_setup_check_get_diagnosis (shown);
  const char *response = mail_setup_check_get_server_response (shown);

  if (response == NULL || *response == '\0')
    return NULL;

  if (mail_setup_diagnosis_is_sign_in (diagnosis))
    {
      if (diagnosis == MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE)
        /* Translators: %s says why Microsoft could not be reached, such as "Connection refused" */
        return g_strdup_printf (_("The connection failed: %s"), response);
      /* Translators: %s is Microsoft's answer, such as "invalid_grant: AADSTS53003: Access has been blocked by Conditional Access policies." */
      return g_strdup_printf (_("Microsoft said: %s"), response);
    }

  if (sending)
    /* Translators: %s is the outgoing server's answer, such as "535 5.7.139 Authentication unsuccessful" */
    return g_strdup_printf (_("The outgoing server said: %s"), response);

  return NULL;
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
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, outcome_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, sending_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, explanation_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, server_response_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, remedy_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, remedy_view);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, failure_buttons);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, success_buttons);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, try_again_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, done_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, use_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, save_note_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, save_status_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, stage_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, stage_list);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, outgoing_stage_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, outgoing_stage_list);
  gtk_widget_class_bind_template_child (widget_class, MailSetupResultPage, connection_details);
}

static void
mail_setup_result_page_init (MailSetupResultPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Shows the outcome of CHECK and of its outgoing check, if any: the first
 * failure, with the guided fix REMEDY_ID (or none). */
void
mail_setup_result_page_show (MailSetupResultPage *self,
                             MailSetupCheck      *check,
                             const char          *remedy_id)
{
  MailSetupAccount *account;
  MailSetupCheck *outgoing;
  MailSetupCheck *failed;
  MailSetupCheck *shown;
  MailSetupDiagnosis diagnosis;
  MailSetupRemedy *remedy;
  g_autofree char *other_half = NULL;
  g_autofree char *response = NULL;
  gboolean receiving_failed;
  gboolean sending;
  gboolean sign_in;
  gboolean ok;

  g_return_if_fail (MAIL_SETUP_IS_RESULT_PAGE (self));
  g_return_if_fail (MAIL_SETUP_IS_CHECK (check));

  account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  outgoing = mail_setup_check_get_outgoing (check);
  failed = mail_setup_check_get_failed_check (check);
  shown = failed != NULL ? failed : check;
  /* Receiving works; only sending does not. */
  sending = failed != NULL && failed == outgoing;
  diagnosis = mail_setup_check_get_diagnosis (shown);
  remedy = remedy_id ? mail_setup_remedy_catalog_lookup (remedy_id) : NULL;
  ok = failed == NULL;
  sign_in = mail_setup_diagnosis_is_sign_in (diagnosis);

  gtk_widget_set_name (GTK_WIDGET (self->title_label), mail_setup_diagnosis_to_string (diagnosis));
  gtk_image_set_from_icon_name (self->icon, ok ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  /* The mark says in words what its shape and colour say. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  ok ? _("Success") : _("Problem"), -1);
  gtk_widget_remove_css_class (GTK_WIDGET (self->icon), ok ? "warning" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->icon), ok ? "success" : "warning");
  gtk_label_set_label (self->title_label, mail_setup_diagnosis_get_title (diagnosis));
  gtk_label_set_label (self->explanation_label, mail_setup_diagnosis_get_explanation (diagnosis));

  /* A sign-in with Microsoft that failed asked no server: there is no
   * other half to tell, nor a checklist to show. When receiving works, the
   * line is the outcome itself, under the title; when it does not, sending
   * comes second, under the explanation. */
  other_half = sign_in ? NULL : describe_other_half (check, failed);
  receiving_failed = failed != NULL && !sending;
  gtk_label_set_label (self->outcome_label, other_half && !receiving_failed ? other_half : "");
  gtk_widget_set_visible (GTK_WIDGET (self->outcome_label), other_half != NULL && !receiving_failed);
  gtk_label_set_label (self->sending_label, other_half && receiving_failed ? other_half : "");
  gtk_widget_set_visible (GTK_WIDGET (self->sending_label), other_half != NULL && receiving_failed);

  response = describe_response (shown, sending);
  gtk_label_set_label (self->server_response_label, response ? response : "");
  gtk_widget_set_name (GTK_WIDGET (self->server_response_label),
                       sending ? "server-said" : "sign-in-response");
  gtk_widget_set_visible (GTK_WIDGET (self->server_response_label), response != NULL);

  adw_preferences_group_set_title (self->stage_group,
                                   outgoing != NULL ? _("Receiving Mail (IMAP)") : _("What Was Checked"));
  gtk_widget_set_visible (GTK_WIDGET (self->stage_group), !sign_in);
  gtk_widget_set_visible (self->outgoing_stage_group, !sign_in && outgoing != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->remedy_group), remedy != NULL);
  if (remedy != NULL)
    mail_setup_remedy_view_show (self->remedy_view, remedy, account, shown);
  gtk_widget_set_visible (self->failure_buttons, !ok);
  /* A guided fix ends in its own Try Again or sign-in, in its place among
   * the steps; a second one below would compete with it. */
  gtk_widget_set_visible (self->try_again_button, !remedy_has_retry (remedy));

  /* An account that receives mail is worth keeping while sending waits for
   * a fix, which may be an administrator's and take days; but fixing it is
   * what the page suggests, so saving is offered second. */
  gtk_widget_set_visible (self->success_buttons, ok || sending);
  gtk_widget_set_visible (GTK_WIDGET (self->save_note_label), sending);
  gtk_widget_set_visible (self->save_button, TRUE);
  gtk_widget_set_sensitive (self->save_button, TRUE);
  if (ok)
    gtk_widget_add_css_class (self->save_button, "suggested-action");
  else
    gtk_widget_remove_css_class (self->save_button, "suggested-action");
  gtk_button_set_label (GTK_BUTTON (self->save_button), _("_Save Account"));
  gtk_widget_set_tooltip_text (self->save_button,
                               mail_setup_account_get_uses_microsoft_sign_in (account)
                               ? _("Keep the Microsoft sign-in in your keyring and the settings in Mail Setup")
                               : _("Keep the password in your keyring and the settings in Mail Setup"));
  gtk_widget_set_visible (self->done_button, FALSE);
  gtk_widget_set_visible (self->use_button, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->save_status_label), FALSE);

  mail_setup_stage_list_set_check (self->stage_list, check);
  mail_setup_stage_list_set_check (self->outgoing_stage_list, outgoing);

  /* The details of the server whose result the page tells. */
  mail_setup_connection_details_set_check (self->connection_details, shown);
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
  gtk_widget_set_visible (GTK_WIDGET (self->save_note_label), FALSE);
  gtk_widget_set_visible (self->done_button, TRUE);
  /* The action's target is the address, known only now. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->use_button), "s",
                                    mail_setup_account_get_email (account));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->use_button), "win.use-account");
  gtk_widget_set_visible (self->use_button, TRUE);
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
  /* Back where it was, since the button could not keep it while saving. */
  gtk_widget_grab_focus (self->save_button);
}

/* The guided fix's own way to try again, among its steps: the button it
 * suggests (Try Again, or signing in with Microsoft again). */
static GtkWidget *
find_suggested_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "suggested-action"))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = gtk_widget_get_visible (child) ? find_suggested_button (child) : NULL;

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* What the user most likely does next, which Enter does and the focus
 * starts on: trying a fix where something failed, saving where nothing
 * did (saving comes second when only sending failed), closing once saved. */
GtkWidget *
mail_setup_result_page_get_main_action (MailSetupResultPage *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_RESULT_PAGE (self), NULL);

  if (gtk_widget_get_visible (self->failure_buttons))
    {
      if (gtk_widget_get_visible (self->try_again_button))
        return self->try_again_button;
      if (gtk_widget_get_visible (GTK_WIDGET (self->remedy_group)))
        return find_suggested_button (GTK_WIDGET (self->remedy_view));
      return NULL;
    }

  if (gtk_widget_get_visible (self->success_buttons))
    return gtk_widget_get_visible (self->save_button) ? self->save_button : self->done_button;

  return NULL;
}

/* Puts the focus on what the user most likely does next. The window calls
 * it once the page is in view: a stack that takes the focus along gives it
 * to the first widget that takes it, which may be Microsoft's answer, and
 * a selectable label selects all of itself when focused. */
void
mail_setup_result_page_focus_action (MailSetupResultPage *self)
{
  GtkWidget *action;

  g_return_if_fail (MAIL_SETUP_IS_RESULT_PAGE (self));

  /* Never left where it was: on the Cancel of the test that just ended,
   * which is no longer in view. */
  action = mail_setup_result_page_get_main_action (self);
  if (action == NULL || !gtk_widget_grab_focus (action))
    gtk_widget_child_focus (GTK_WIDGET (self), GTK_DIR_TAB_FORWARD);
  gtk_label_select_region (self->server_response_label, 0, 0);
}
