/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-window.h"
#include "pages/mail-setup-account-page.h"
#include "pages/mail-setup-provider-page.h"
#include "pages/mail-setup-result-page.h"
#include "pages/mail-setup-testing-page.h"

/* The wizard: one page at a time, all of them bound to one account. The
 * window owns the navigation and the running test; the pages own their
 * fields. */

struct _MailSetupWindow
{
  AdwApplicationWindow  parent_instance;

  MailSetupAccount     *account;
  GCancellable         *test_cancellable;
  char                 *offered_remedy;

  AdwToastOverlay      *toast_overlay;
  GtkWidget            *back_button;
  GtkWidget            *continue_button;
  GtkStack             *pages;
  MailSetupProviderPage *provider_page;
  MailSetupAccountPage *account_page;
  MailSetupTestingPage *testing_page;
  MailSetupResultPage  *result_page;
};

G_DEFINE_FINAL_TYPE (MailSetupWindow, mail_setup_window, ADW_TYPE_APPLICATION_WINDOW)

static void
update_actions (MailSetupWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->pages);
  gboolean on_provider = g_strcmp0 (page, "provider") == 0;
  gboolean on_account = g_strcmp0 (page, "account") == 0;
  gboolean can_continue;

  can_continue = (on_provider && mail_setup_account_get_provider_complete (self->account)) ||
                 (on_account && mail_setup_account_get_settings_complete (self->account));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.continue", can_continue);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", !on_provider);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.test",
                                 mail_setup_account_get_settings_complete (self->account) &&
                                 self->test_cancellable == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-test",
                                 self->test_cancellable != NULL);

  gtk_widget_set_visible (self->back_button, !on_provider && self->test_cancellable == NULL);
  gtk_widget_set_visible (self->continue_button, on_provider || on_account);
  gtk_button_set_label (GTK_BUTTON (self->continue_button),
                        on_account ? _("_Test Account") : _("_Continue"));
}

static void
show_page (MailSetupWindow *self,
           const char      *name)
{
  gtk_stack_set_visible_child_name (self->pages, name);
  update_actions (self);
}

static void
test_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MailSetupWindow) self = user_data;
  MailSetupCheck *check = MAIL_SETUP_CHECK (source);
  MailSetupDiagnosis diagnosis;

  diagnosis = mail_setup_check_run_finish (check, result);
  g_clear_object (&self->test_cancellable);

  /* Cancelling is going back: the settings are there as they were typed. */
  if (diagnosis == MAIL_SETUP_DIAGNOSIS_CANCELLED)
    {
      show_page (self, "account");
      return;
    }

  g_free (self->offered_remedy);
  self->offered_remedy = g_strdup (mail_setup_account_choose_remedy (self->account, diagnosis));
  mail_setup_result_page_show (self->result_page, check, self->offered_remedy);
  show_page (self, "result");
}

static void
start_test (MailSetupWindow *self)
{
  g_autoptr(MailSetupCheck) check = NULL;

  if (self->test_cancellable != NULL ||
      !mail_setup_account_get_settings_complete (self->account))
    return;

  /* Testing again after a guided fix means the fix was tried: if the test
   * fails the same way, the next fix is offered. */
  if (self->offered_remedy != NULL)
    mail_setup_account_mark_remedy_tried (self->account, self->offered_remedy);
  g_clear_pointer (&self->offered_remedy, g_free);

  check = mail_setup_account_create_check (self->account);
  self->test_cancellable = g_cancellable_new ();

  mail_setup_testing_page_set_check (self->testing_page, check);
  show_page (self, "testing");

  mail_setup_check_run_async (check, self->test_cancellable, test_done_cb, g_object_ref (self));
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);
  const char *page = gtk_stack_get_visible_child_name (self->pages);

  if (g_str_equal (page, "provider") && mail_setup_account_get_provider_complete (self->account))
    show_page (self, "account");
  else if (g_str_equal (page, "account"))
    start_test (self);
}

static void
test_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  start_test (MAIL_SETUP_WINDOW (widget));
}

static void
cancel_test_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);

  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
}

/* Back, or Escape: the previous page; during a test, cancel it. */
static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);
  const char *page = gtk_stack_get_visible_child_name (self->pages);

  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
  else if (g_str_equal (page, "account"))
    show_page (self, "provider");
  else if (g_str_equal (page, "result"))
    show_page (self, "account");
}

static void
restore_settings_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);

  mail_setup_account_restore_provider_settings (self->account);
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("The known-good settings are back in place")));
}

static void
show_toast_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);

  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (g_variant_get_string (parameter, NULL)));
}

static void
page_activated_cb (MailSetupWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.continue", NULL);
}

static void
mail_setup_window_dispose (GObject *object)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (object);

  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);

  G_OBJECT_CLASS (mail_setup_window_parent_class)->dispose (object);
}

static void
mail_setup_window_finalize (GObject *object)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (object);

  g_clear_object (&self->account);
  g_free (self->offered_remedy);

  G_OBJECT_CLASS (mail_setup_window_parent_class)->finalize (object);
}

static void
mail_setup_window_class_init (MailSetupWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mail_setup_window_dispose;
  object_class->finalize = mail_setup_window_finalize;

  g_type_ensure (MAIL_SETUP_TYPE_PROVIDER_PAGE);
  g_type_ensure (MAIL_SETUP_TYPE_ACCOUNT_PAGE);
  g_type_ensure (MAIL_SETUP_TYPE_TESTING_PAGE);
  g_type_ensure (MAIL_SETUP_TYPE_RESULT_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/mail-setup-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MailSetupWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupWindow, continue_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupWindow, pages);

  gtk_widget_class_install_action (widget_class, "win.continue", NULL, continue_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.test", NULL, test_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-test", NULL, cancel_test_action);
  gtk_widget_class_install_action (widget_class, "win.show-toast", "s", show_toast_action);
  gtk_widget_class_install_action (widget_class, "win.restore-settings", NULL,
                                   restore_settings_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
}

static void
mail_setup_window_init (MailSetupWindow *self)
{
  const char *extra_ca_file;

  self->account = mail_setup_account_new ();

  /* Tests point the window at loopback servers signed by a test CA. */
  extra_ca_file = g_getenv ("MAIL_SETUP_EXTRA_CA_FILE");
  if (extra_ca_file != NULL && *extra_ca_file != '\0')
    mail_setup_account_set_extra_ca_file (self->account, extra_ca_file);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The pages take the account at construction, so they are made here
   * rather than in the template, in the order the user meets them. */
  self->provider_page = g_object_new (MAIL_SETUP_TYPE_PROVIDER_PAGE, "account", self->account, NULL);
  self->account_page = g_object_new (MAIL_SETUP_TYPE_ACCOUNT_PAGE, "account", self->account, NULL);
  self->testing_page = g_object_new (MAIL_SETUP_TYPE_TESTING_PAGE, NULL);
  self->result_page = g_object_new (MAIL_SETUP_TYPE_RESULT_PAGE, "account", self->account, NULL);
  gtk_stack_add_named (self->pages, GTK_WIDGET (self->provider_page), "provider");
  gtk_stack_add_named (self->pages, GTK_WIDGET (self->account_page), "account");
  gtk_stack_add_named (self->pages, GTK_WIDGET (self->testing_page), "testing");
  gtk_stack_add_named (self->pages, GTK_WIDGET (self->result_page), "result");
  gtk_stack_set_visible_child_name (self->pages, "provider");

  g_signal_connect_object (self->provider_page, "activate",
                           G_CALLBACK (page_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account_page, "activate",
                           G_CALLBACK (page_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account, "notify",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);

  update_actions (self);
}

MailSetupWindow *
mail_setup_window_new (MailSetupApplication *application)
{
  return g_object_new (MAIL_SETUP_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

MailSetupAccount *
mail_setup_window_get_account (MailSetupWindow *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_WINDOW (self), NULL);

  return self->account;
}

/* The name of the visible page: provider, account, testing or result. */
const char *
mail_setup_window_get_page (MailSetupWindow *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->pages);
}
