/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-accessible.h"
#include "mail-setup-account-store.h"
#include "mail-setup-core.h"
#include "mail-setup-oauth.h"
#include "mail-setup-window.h"
#include "pages/mail-setup-account-page.h"
#include "pages/mail-setup-provider-page.h"
#include "pages/mail-setup-result-page.h"
#include "pages/mail-setup-sign-in-page.h"
#include "pages/mail-setup-testing-page.h"
#include "pages/mail-setup-use-page.h"

/* The wizard: one page at a time, all of them bound to one account. The
 * window owns the navigation and the running test; the pages own their
 * fields. */

struct _MailSetupWindow
{
  AdwApplicationWindow  parent_instance;

  MailSetupAccount     *account;
  MailSetupAccountStore *account_store;
  GSettings            *settings;
  GCancellable         *test_cancellable;
  GCancellable         *save_cancellable;
  GCancellable         *store_cancellable;
  char                 *offered_remedy;
  /* The saved account under test, whose keyring item gets the refresh
   * tokens that Microsoft rotates. */
  MailSetupSavedAccount *saved;
  /* How the account's tokens were had: a MAIL_SETUP_SIGN_IN_METHOD_*. */
  const char           *sign_in_method;
  /* The sign-in whose failure the result page shows, for Try Again. */
  const char           *failed_sign_in;
  /* This test runs with tokens refreshed after the server refused them. */
  gboolean              token_retried;
  /* The result page tells of the outgoing server: receiving works. */
  gboolean              sending_failed;
  /* Where Back goes from the page that shows how to use a saved account:
   * the page it was opened from. */
  const char           *use_back_page;

  AdwToastOverlay      *toast_overlay;
  GtkWidget            *back_button;
  GtkWidget            *cancel_button;
  GtkWidget            *continue_button;
  GtkStack             *pages;
  MailSetupProviderPage *provider_page;
  MailSetupAccountPage *account_page;
  MailSetupSignInPage  *sign_in_page;
  MailSetupTestingPage *testing_page;
  MailSetupResultPage  *result_page;
  MailSetupUsePage     *use_page;
};

G_DEFINE_FINAL_TYPE (MailSetupWindow, mail_setup_window, ADW_TYPE_APPLICATION_WINDOW)

static gboolean
microsoft_sign_in_possible (MailSetupWindow *self)
{
  MailSetupProvider *provider = mail_setup_account_get_provider (self->account);

  return provider != NULL && mail_setup_provider_get_is_microsoft (provider) &&
         mail_setup_account_get_provider_complete (self->account);
}

/* Try Again on a failed sign-in signs in again. */
static gboolean
retries_sign_in (MailSetupWindow *self)
{
  return self->failed_sign_in != NULL &&
         g_strcmp0 (gtk_stack_get_visible_child_name (self->pages), "result") == 0;
}

static MailSetupPage *
visible_page (MailSetupWindow *self)
{
  GtkWidget *child = gtk_stack_get_visible_child (self->pages);

  return child != NULL ? MAIL_SETUP_PAGE (child) : NULL;
}

/* The saved accounts as the keyfile has them now; the list on the first
 * page follows. */
static void
reload_saved_accounts (MailSetupWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (!mail_setup_account_store_reload (self->account_store, &error))
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

/* What Enter does where the focus does not take it itself (a label, a
 * list of stages): the visible page's main action. The fields run it on
 * their own, through the page's ::activate; a button runs itself. */
static void
update_default_widget (MailSetupWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->pages);
  GtkWidget *main_action = NULL;

  if (g_strcmp0 (page, "provider") == 0 || g_strcmp0 (page, "account") == 0)
    main_action = self->continue_button;
  else if (g_strcmp0 (page, "result") == 0 && self->result_page != NULL)
    main_action = mail_setup_result_page_get_main_action (self->result_page);

  if (gtk_window_get_default_widget (GTK_WINDOW (self)) != main_action)
    gtk_window_set_default_widget (GTK_WINDOW (self), main_action);
}

static void
update_actions (MailSetupWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->pages);
  gboolean on_provider = g_strcmp0 (page, "provider") == 0;
  gboolean on_account = g_strcmp0 (page, "account") == 0;
  gboolean on_sign_in = g_strcmp0 (page, "sign-in") == 0;
  gboolean on_use = g_strcmp0 (page, "use") == 0;
  gboolean idle = self->test_cancellable == NULL;
  gboolean can_sign_in = microsoft_sign_in_possible (self) && idle;
  MailSetupPage *visible = visible_page (self);
  gboolean can_continue;

  /* Continue on the first two pages, Test Account on the second. */
  can_continue = (on_provider || on_account) && visible != NULL &&
                 mail_setup_page_get_complete (visible);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.continue", can_continue);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", !on_provider);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.test",
                                 idle && !on_sign_in && !on_use &&
                                 (mail_setup_account_get_settings_complete (self->account) ||
                                  (retries_sign_in (self) && can_sign_in)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-test", !idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.microsoft-sign-in", can_sign_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-in-browser", can_sign_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-in-device", can_sign_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.use-account", idle);

  gtk_widget_set_visible (self->back_button, !on_provider && idle);
  /* In the header bar, in view however long the page of a running test. */
  gtk_widget_set_visible (self->cancel_button, !idle);
  gtk_widget_set_visible (self->continue_button, on_provider || on_account);
  gtk_button_set_label (GTK_BUTTON (self->continue_button),
                        on_account ? _("_Test Account") : _("_Continue"));
  update_default_widget (self);
}

static void page_activated_cb (MailSetupWindow *self);
static void signed_in_cb      (MailSetupWindow *self);
static void sign_in_failed_cb (MailSetupWindow *self,
                               const GError    *error);

/* GTK 4.8 has no live regions nor announcements. What a screen reader
 * does speak is a change to the description of the focused widget, and
 * during a test that is Cancel (run_check() puts the focus there): each
 * stage's result is said as it happens, and Cancel's description is the
 * latest one when the user comes back to it. */
static void
stage_announced_cb (MailSetupWindow *self,
                    const char      *text)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cancel_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static const char * const page_order[] = { "provider", "account", "sign-in", "testing", "result", "use" };

static MailSetupPage *
create_page (MailSetupWindow *self,
             const char      *name)
{
  MailSetupPage *page;

  if (g_str_equal (name, "provider"))
    page = g_object_new (MAIL_SETUP_TYPE_PROVIDER_PAGE, "account", self->account, NULL);
  else if (g_str_equal (name, "account"))
    page = g_object_new (MAIL_SETUP_TYPE_ACCOUNT_PAGE, "account", self->account, NULL);
  else if (g_str_equal (name, "sign-in"))
    page = g_object_new (MAIL_SETUP_TYPE_SIGN_IN_PAGE, "account", self->account, NULL);
  else if (g_str_equal (name, "testing"))
    page = g_object_new (MAIL_SETUP_TYPE_TESTING_PAGE, "account", self->account, NULL);
  else if (g_str_equal (name, "result"))
    page = g_object_new (MAIL_SETUP_TYPE_RESULT_PAGE, "account", self->account, NULL);
  else
    page = g_object_new (MAIL_SETUP_TYPE_USE_PAGE, "account", self->account, NULL);

  /* What the window relies on of every page. */
  g_signal_connect_object (page, "activate", G_CALLBACK (page_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::complete", G_CALLBACK (update_actions), self,
                           G_CONNECT_SWAPPED);

  if (MAIL_SETUP_IS_PROVIDER_PAGE (page))
    {
      self->provider_page = MAIL_SETUP_PROVIDER_PAGE (page);
      mail_setup_provider_page_set_saved_accounts (self->provider_page,
                                                   mail_setup_account_store_get_accounts (self->account_store));
    }
  else if (MAIL_SETUP_IS_ACCOUNT_PAGE (page))
    self->account_page = MAIL_SETUP_ACCOUNT_PAGE (page);
  else if (MAIL_SETUP_IS_SIGN_IN_PAGE (page))
    {
      self->sign_in_page = MAIL_SETUP_SIGN_IN_PAGE (page);
      g_signal_connect_object (page, "signed-in", G_CALLBACK (signed_in_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (page, "failed", G_CALLBACK (sign_in_failed_cb), self, G_CONNECT_SWAPPED);
    }
  else if (MAIL_SETUP_IS_TESTING_PAGE (page))
    {
      self->testing_page = MAIL_SETUP_TESTING_PAGE (page);
      g_signal_connect_object (page, "announce", G_CALLBACK (stage_announced_cb), self,
                               G_CONNECT_SWAPPED);
    }
  else if (MAIL_SETUP_IS_RESULT_PAGE (page))
    self->result_page = MAIL_SETUP_RESULT_PAGE (page);
  else
    self->use_page = MAIL_SETUP_USE_PAGE (page);

  mail_setup_accessible_name_parts (GTK_WIDGET (page));

  return page;
}

static void update_page_focus (MailSetupWindow *self);

/* Pages are built when first needed: the first frame lays out one page,
 * not five. They join the stack in the order the user meets them, the
 * order its slide transitions follow. */
static void
ensure_page (MailSetupWindow *self,
             const char      *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (page_order); i++)
    {
      if (gtk_stack_get_child_by_name (self->pages, page_order[i]) == NULL)
        gtk_stack_add_named (self->pages, GTK_WIDGET (create_page (self, page_order[i])),
                             page_order[i]);
      if (g_str_equal (page_order[i], name))
        break;
    }
  update_page_focus (self);
}

/* Only the page in view takes the focus. The one it replaces is still
 * drawn while it slides away, and Tab would go on into its fields, which
 * then vanish with the focus in them. (That only the page in view is in
 * the accessible tree, mail_setup_accessible_name_parts() sees to, as for
 * every stack.) */
static void
update_page_focus (MailSetupWindow *self)
{
  GtkWidget *visible = gtk_stack_get_visible_child (self->pages);

  for (GtkWidget *page = gtk_widget_get_first_child (GTK_WIDGET (self->pages)); page != NULL;
       page = gtk_widget_get_next_sibling (page))
    gtk_widget_set_can_focus (page, page == visible);
}

/* Whether the focus is where the user can see it: in the header bar or in
 * the page in view, on a widget that is shown. */
static gboolean
focus_in_view (MailSetupWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL || !gtk_widget_is_visible (focus))
    return FALSE;

  return !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->pages)) ||
         gtk_widget_is_ancestor (focus, gtk_stack_get_visible_child (self->pages));
}

static void
show_page (MailSetupWindow *self,
           const char      *name)
{
  ensure_page (self, name);
  gtk_stack_set_visible_child_name (self->pages, name);
  update_page_focus (self);
  update_actions (self);
  mail_setup_page_shown (visible_page (self));

  /* A page that gave the focus to nothing, or to a widget that cannot take
   * it, would leave it on the page before, or on the header bar's Cancel
   * of a test that has ended: the keyboard would act out of sight. */
  if (!focus_in_view (self))
    gtk_widget_child_focus (GTK_WIDGET (visible_page (self)), GTK_DIR_TAB_FORWARD);
}

/* How to use SAVED in the mail programs, from the page BACK_PAGE, where
 * Back returns. */
static void
show_use_page (MailSetupWindow       *self,
               MailSetupSavedAccount *saved,
               const char            *back_page)
{
  ensure_page (self, "use");
  mail_setup_use_page_set_saved_account (self->use_page, saved);
  self->use_back_page = back_page;
  show_page (self, "use");
}

/* The outcome of CHECK, finished, with the guided fix of its first
 * failure: receiving's, else sending's. */
static void
show_result (MailSetupWindow *self,
             MailSetupCheck  *check)
{
  MailSetupDiagnosis diagnosis = mail_setup_check_get_diagnosis (check);
  MailSetupCheck *failed = mail_setup_check_get_failed_check (check);

  self->sending_failed = failed != NULL && failed != check;
  g_free (self->offered_remedy);
  self->offered_remedy = g_strdup (mail_setup_account_choose_remedy_for_check (self->account,
                                                                               failed));
  ensure_page (self, "result");
  mail_setup_result_page_show (self->result_page, check, self->offered_remedy);
  show_page (self, "result");
  mail_setup_result_page_focus_action (self->result_page);

  if (diagnosis == MAIL_SETUP_DIAGNOSIS_OK && self->settings != NULL)
    g_settings_set_string (self->settings, "last-provider",
                           mail_setup_provider_get_id (mail_setup_account_get_provider (self->account)));
}

/* A sign-in that failed is told as a test that ended before any server was
 * asked: the same result page, report and guided fix. */
static void
show_sign_in_failure (MailSetupWindow *self,
                      const GError    *error,
                      const char      *method)
{
  g_autoptr(MailSetupCheck) check = NULL;

  check = mail_setup_account_create_check (self->account);
  mail_setup_check_set_sign_in_method (check, method);
  mail_setup_check_finish_with_sign_in_failure (check, mail_setup_oauth_error_get_diagnosis (error),
                                                mail_setup_oauth_error_get_server_response (error));

  self->failed_sign_in = method;
  show_result (self, check);
}

/* Cancelling is going back: the settings are there as they were typed. */
static void
test_cancelled (MailSetupWindow *self)
{
  /* No cancellable left: the window is going away. */
  if (self->test_cancellable == NULL)
    return;

  g_clear_object (&self->test_cancellable);
  show_page (self, "account");
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(MailSetupWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (mail_setup_account_store_update_secret_finish (result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Translators: %s says why, as the keyring said it */
  message = g_strdup_printf (_("The renewed sign-in could not be kept in the keyring: %s"),
                             error->message);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

typedef struct
{
  MailSetupWindow *self;
  MailSetupSecret *refresh_token;
} Refresh;

static void
refresh_free (Refresh *refresh)
{
  g_object_unref (refresh->self);
  mail_setup_secret_free (refresh->refresh_token);
  g_free (refresh);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Refresh, refresh_free)

static void run_check (MailSetupWindow *self);

/* New tokens go to the account; Microsoft's new refresh token replaces the
 * saved one at once, since the old one stopped working when it was used. */
static void
refreshed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Refresh) refresh = user_data;
  MailSetupWindow *self = refresh->self;
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;
  const char *rotated;

  tokens = mail_setup_oauth_refresh_finish (MAIL_SETUP_OAUTH (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      test_cancelled (self);
      return;
    }

  if (tokens == NULL)
    {
      g_clear_object (&self->test_cancellable);
      show_sign_in_failure (self, error, self->sign_in_method);
      return;
    }

  rotated = mail_setup_oauth_tokens_get_refresh_token (tokens);
  mail_setup_account_set_microsoft_tokens (self->account,
                                           mail_setup_oauth_tokens_get_access_token (tokens),
                                           rotated ? rotated : refresh->refresh_token);
  if (self->saved != NULL && rotated != NULL)
    {
      if (self->store_cancellable == NULL)
        self->store_cancellable = g_cancellable_new ();
      mail_setup_account_store_update_secret_async (self->saved, rotated, self->store_cancellable,
                                                    stored_cb, g_object_ref (self));
    }

  run_check (self);
}

/* Trades REFRESH_TOKEN for new tokens, as part of the running test. */
static void
refresh_tokens (MailSetupWindow *self,
                const char      *refresh_token)
{
  g_autoptr(MailSetupOAuth) oauth = mail_setup_oauth_new ();
  Refresh *refresh;

  refresh = g_new0 (Refresh, 1);
  refresh->self = g_object_ref (self);
  refresh->refresh_token = mail_setup_secret_new (refresh_token);
  mail_setup_oauth_refresh_async (oauth, refresh_token, self->test_cancellable, refreshed_cb, refresh);
}

/* Cancel stops both halves; receiving may have ended just before. */
static gboolean
sending_cancelled (MailSetupCheck *check)
{
  MailSetupCheck *outgoing = mail_setup_check_get_outgoing (check);

  return outgoing != NULL &&
         mail_setup_check_get_diagnosis (outgoing) == MAIL_SETUP_DIAGNOSIS_CANCELLED;
}

static void
test_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MailSetupWindow) self = user_data;
  MailSetupCheck *check = MAIL_SETUP_CHECK (source);
  MailSetupDiagnosis diagnosis;
  const char *refresh_token;

  diagnosis = mail_setup_check_run_finish (check, result);
  if (diagnosis == MAIL_SETUP_DIAGNOSIS_CANCELLED || sending_cancelled (check))
    {
      test_cancelled (self);
      return;
    }

  /* An access token may have expired or been revoked since it was had:
   * refreshed once, it is tried again before the refusal is believed. */
  refresh_token = mail_setup_account_get_refresh_token (self->account);
  if (diagnosis == MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED && !self->token_retried &&
      mail_setup_account_get_uses_microsoft_sign_in (self->account) &&
      refresh_token != NULL && *refresh_token != '\0')
    {
      self->token_retried = TRUE;
      refresh_tokens (self, refresh_token);
      return;
    }

  g_clear_object (&self->test_cancellable);
  self->failed_sign_in = NULL;
  show_result (self, check);
}

/* Runs a check of the account as it stands, as part of the test that
 * test_cancellable stands for. */
static void
run_check (MailSetupWindow *self)
{
  g_autoptr(MailSetupCheck) check = NULL;

  check = mail_setup_account_create_check (self->account);
  if (mail_setup_account_get_uses_microsoft_sign_in (self->account) && self->sign_in_method != NULL)
    mail_setup_check_set_sign_in_method (check, self->sign_in_method);

  ensure_page (self, "testing");
  mail_setup_testing_page_set_check (self->testing_page, check);
  show_page (self, "testing");
  /* What Cancel does, until the first stage is announced on it. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cancel_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_widget_get_tooltip_text (self->cancel_button), -1);
  gtk_widget_grab_focus (self->cancel_button);

  mail_setup_check_run_async (check, self->test_cancellable, test_done_cb, g_object_ref (self));
}

static void
begin_test (MailSetupWindow *self)
{
  /* Testing again after a guided fix means the fix was tried: if the test
   * fails the same way, the next fix is offered. */
  if (self->offered_remedy != NULL)
    mail_setup_account_mark_remedy_tried (self->account, self->offered_remedy);
  g_clear_pointer (&self->offered_remedy, g_free);

  self->test_cancellable = g_cancellable_new ();
  self->token_retried = FALSE;
}

static void
start_test (MailSetupWindow *self)
{
  if (self->test_cancellable != NULL ||
      !mail_setup_account_get_settings_complete (self->account))
    return;

  begin_test (self);
  run_check (self);
}

/* Browser sign-in (IN_BROWSER) or a code for another device. */
static void
start_sign_in (MailSetupWindow *self,
               gboolean         in_browser)
{
  if (!microsoft_sign_in_possible (self) || self->test_cancellable != NULL)
    return;

  if (self->offered_remedy != NULL)
    mail_setup_account_mark_remedy_tried (self->account, self->offered_remedy);
  g_clear_pointer (&self->offered_remedy, g_free);
  /* The tokens to come are not the saved account's. */
  g_clear_object (&self->saved);

  show_page (self, "sign-in");
  if (in_browser)
    mail_setup_sign_in_page_start_browser (self->sign_in_page);
  else
    mail_setup_sign_in_page_start_device (self->sign_in_page);
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);
  const char *page = gtk_stack_get_visible_child_name (self->pages);

  if (!mail_setup_page_get_complete (visible_page (self)))
    return;

  if (g_str_equal (page, "provider"))
    show_page (self, "account");
  else if (g_str_equal (page, "account"))
    start_test (self);
}

static void
test_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);

  /* Without tokens there is nothing to test with: the sign-in comes first,
   * the way it failed unless that was a saved one. */
  if (retries_sign_in (self))
    {
      if (g_str_equal (self->failed_sign_in, MAIL_SETUP_SIGN_IN_METHOD_BROWSER))
        start_sign_in (self, TRUE);
      else if (g_str_equal (self->failed_sign_in, MAIL_SETUP_SIGN_IN_METHOD_DEVICE))
        start_sign_in (self, FALSE);
      else
        start_sign_in (self, mail_setup_oauth_can_open_browser ());
      return;
    }

  start_test (self);
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
  else if (g_str_equal (page, "sign-in"))
    {
      mail_setup_sign_in_page_stop (self->sign_in_page);
      show_page (self, "account");
    }
  else if (g_str_equal (page, "use"))
    show_page (self, self->use_back_page);
  else if (g_str_equal (page, "result"))
    {
      show_page (self, "account");
      /* The settings to fix are the outgoing server's. */
      if (self->sending_failed)
        mail_setup_account_page_show_outgoing (self->account_page);
    }
}

/* In the browser when one can be opened here, else on another device. */
static void
microsoft_sign_in_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  start_sign_in (MAIL_SETUP_WINDOW (widget), mail_setup_oauth_can_open_browser ());
}

static void
sign_in_browser_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  start_sign_in (MAIL_SETUP_WINDOW (widget), TRUE);
}

static void
sign_in_device_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  start_sign_in (MAIL_SETUP_WINDOW (widget), FALSE);
}

static void
signed_in_cb (MailSetupWindow *self)
{
  self->sign_in_method = mail_setup_sign_in_page_get_method (self->sign_in_page);
  start_test (self);
}

static void
sign_in_failed_cb (MailSetupWindow *self,
                   const GError    *error)
{
  show_sign_in_failure (self, error, mail_setup_sign_in_page_get_method (self->sign_in_page));
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MailSetupWindow) self = user_data;
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(GError) error = NULL;

  saved = mail_setup_account_store_save_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->save_cancellable);

  if (saved == NULL)
    {
      mail_setup_result_page_show_save_error (self->result_page, error->message);
      return;
    }

  mail_setup_result_page_show_saved (self->result_page);
  reload_saved_accounts (self);
  /* What a saved account is for: the user's mail program. */
  show_use_page (self, saved, "result");
}

/* The secret that keeps the account: its password, or the refresh token of
 * a Microsoft sign-in. */
static void
save_account_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);
  const char *secret;

  if (self->save_cancellable != NULL)
    return;

  if (mail_setup_account_get_uses_microsoft_sign_in (self->account))
    secret = mail_setup_account_get_refresh_token (self->account);
  else
    secret = mail_setup_account_get_password (self->account);
  if (secret == NULL || *secret == '\0')
    {
      mail_setup_result_page_show_save_error (self->result_page,
                                              _("Microsoft did not give a sign-in that can be kept. Sign in with Microsoft again."));
      return;
    }

  self->save_cancellable = g_cancellable_new ();
  mail_setup_result_page_show_saving (self->result_page);
  mail_setup_account_store_save_async (self->account, secret,
                                       mail_setup_account_get_authtype (self->account),
                                       self->save_cancellable, save_done_cb, g_object_ref (self));
}

/* Puts a saved account's settings into the wizard, as if typed. */
static void
load_saved_account (MailSetupWindow       *self,
                    MailSetupSavedAccount *saved)
{
  self->sign_in_method = NULL;
  mail_setup_saved_account_load_into (saved, self->account);
}

static MailSetupSavedAccount *
find_saved (MailSetupWindow *self,
            GVariant        *parameter)
{
  g_autoptr(GError) error = NULL;
  MailSetupSavedAccount *saved;

  saved = mail_setup_account_store_find (g_variant_get_string (parameter, NULL), &error);
  if (saved == NULL)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));

  return saved;
}

static void
saved_secret_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MailSetupWindow) self = user_data;
  g_autoptr(MailSetupSecret) secret = NULL;
  g_autoptr(GError) error = NULL;

  secret = mail_setup_account_store_lookup_secret_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      test_cancelled (self);
      return;
    }

  if (secret == NULL)
    {
      /* Nothing to test with: the user types the password again. */
      g_clear_object (&self->test_cancellable);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      show_page (self, "account");
      reload_saved_accounts (self);
      return;
    }

  /* A Microsoft sign-in is kept as a refresh token, traded first for a
   * fresh access token; a refusal is a result of its own. */
  if (g_strcmp0 (mail_setup_saved_account_get_authtype (self->saved), "oauth2") == 0)
    {
      self->sign_in_method = MAIL_SETUP_SIGN_IN_METHOD_SAVED;
      refresh_tokens (self, secret);
      return;
    }

  mail_setup_account_set_password (self->account, secret);
  run_check (self);
}

static void
test_saved_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);
  g_autoptr(MailSetupSavedAccount) saved = NULL;

  if (self->test_cancellable != NULL)
    return;

  saved = find_saved (self, parameter);
  if (saved == NULL)
    return;

  load_saved_account (self, saved);
  g_set_object (&self->saved, saved);
  begin_test (self);
  update_actions (self);
  mail_setup_account_store_lookup_secret_async (saved, self->test_cancellable, saved_secret_cb,
                                                g_object_ref (self));
}

static void
change_password_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);
  g_autoptr(MailSetupSavedAccount) saved = NULL;

  if (self->test_cancellable != NULL)
    return;

  saved = find_saved (self, parameter);
  if (saved == NULL)
    return;

  /* The new password is tested, then saved over the old one. */
  load_saved_account (self, saved);
  g_clear_object (&self->saved);
  show_page (self, "account");
}

/* From a saved account's menu, or the result page once saved. */
static void
use_account_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  const char *page = gtk_stack_get_visible_child_name (self->pages);

  if (self->test_cancellable != NULL)
    return;

  saved = find_saved (self, parameter);
  if (saved == NULL)
    return;

  show_use_page (self, saved, g_str_equal (page, "result") ? "result" : "provider");
}

static void
remove_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MailSetupWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mail_setup_account_store_remove_finish (result, &error))
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
  else
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Account removed")));

  reload_saved_accounts (self);
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    MailSetupWindow  *self)
{
  const char *email = g_object_get_data (G_OBJECT (dialog), "email");

  if (g_strcmp0 (response, "remove") == 0)
    mail_setup_account_store_remove_async (email, NULL, remove_done_cb, g_object_ref (self));
}

static void
remove_account_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);
  const char *email = g_variant_get_string (parameter, NULL);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  /* Translators: %s is an e-mail address */
  heading = g_strdup_printf (_("Remove %s?"), email);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("Its password will be deleted from your keyring and its settings from Mail Setup. The mail on the server is not touched.")));
  gtk_widget_set_name (GTK_WIDGET (dialog), "remove-dialog");
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "email", g_strdup (email), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  mail_setup_accessible_name_parts (GTK_WIDGET (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
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

/* The report of the last test, running or finished, for a help request. */
static void
copy_report_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (widget);
  g_autofree char *report = NULL;

  if (mail_setup_account_get_last_check (self->account) == NULL)
    return;

  report = mail_setup_account_build_report (self->account);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), report);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Report copied")));
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
window_mapped_cb (MailSetupWindow *self)
{
  g_signal_handlers_disconnect_by_func (self, window_mapped_cb, NULL);
  mail_setup_page_shown (visible_page (self));
}

static gboolean
mail_setup_window_close_request (GtkWindow *window)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (window);
  int width, height;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (mail_setup_window_parent_class)->close_request (window);
}

/* The size, the provider and the test's patience that the user left. */
static void
apply_settings (MailSetupWindow *self)
{
  g_autofree char *last_provider = NULL;
  MailSetupProvider *provider;

  if (self->settings == NULL)
    return;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  mail_setup_account_set_timeout (self->account, g_settings_get_uint (self->settings, "check-timeout"));

  last_provider = g_settings_get_string (self->settings, "last-provider");
  provider = mail_setup_provider_catalog_lookup (last_provider);
  if (provider != NULL)
    mail_setup_account_set_provider (self->account, provider);
}

static void
mail_setup_window_dispose (GObject *object)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (object);

  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  if (self->save_cancellable != NULL)
    g_cancellable_cancel (self->save_cancellable);
  g_clear_object (&self->save_cancellable);
  if (self->store_cancellable != NULL)
    g_cancellable_cancel (self->store_cancellable);
  g_clear_object (&self->store_cancellable);
  g_clear_object (&self->saved);

  G_OBJECT_CLASS (mail_setup_window_parent_class)->dispose (object);
}

static void
mail_setup_window_finalize (GObject *object)
{
  MailSetupWindow *self = MAIL_SETUP_WINDOW (object);

  g_clear_object (&self->account);
  g_clear_object (&self->account_store);
  g_free (self->offered_remedy);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (mail_setup_window_parent_class)->finalize (object);
}

static void
mail_setup_window_class_init (MailSetupWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mail_setup_window_dispose;
  object_class->finalize = mail_setup_window_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = mail_setup_window_close_request;

  g_type_ensure (MAIL_SETUP_TYPE_PROVIDER_PAGE);
  g_type_ensure (MAIL_SETUP_TYPE_ACCOUNT_PAGE);
  g_type_ensure (MAIL_SETUP_TYPE_TESTING_PAGE);
  g_type_ensure (MAIL_SETUP_TYPE_RESULT_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/mail-setup-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MailSetupWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupWindow, continue_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupWindow, pages);

  gtk_widget_class_install_action (widget_class, "win.continue", NULL, continue_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.test", NULL, test_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-test", NULL, cancel_test_action);
  gtk_widget_class_install_action (widget_class, "win.show-toast", "s", show_toast_action);
  gtk_widget_class_install_action (widget_class, "win.copy-report", NULL, copy_report_action);
  gtk_widget_class_install_action (widget_class, "win.restore-settings", NULL,
                                   restore_settings_action);
  gtk_widget_class_install_action (widget_class, "win.microsoft-sign-in", NULL,
                                   microsoft_sign_in_action);
  gtk_widget_class_install_action (widget_class, "win.sign-in-browser", NULL, sign_in_browser_action);
  gtk_widget_class_install_action (widget_class, "win.sign-in-device", NULL, sign_in_device_action);
  gtk_widget_class_install_action (widget_class, "win.save-account", NULL, save_account_action);
  gtk_widget_class_install_action (widget_class, "win.test-saved", "s", test_saved_action);
  gtk_widget_class_install_action (widget_class, "win.change-password", "s", change_password_action);
  gtk_widget_class_install_action (widget_class, "win.remove-account", "s", remove_account_action);
  gtk_widget_class_install_action (widget_class, "win.use-account", "s", use_account_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
}

static void
mail_setup_window_init (MailSetupWindow *self)
{
  const char *extra_ca_file;

  self->account = mail_setup_account_new ();
  self->account_store = mail_setup_account_store_new ();
  self->settings = mail_setup_settings_new ();

  /* Tests point the window at loopback servers signed by a test CA. */
  extra_ca_file = g_getenv ("MAIL_SETUP_EXTRA_CA_FILE");
  if (extra_ca_file != NULL && *extra_ca_file != '\0')
    mail_setup_account_set_extra_ca_file (self->account, extra_ca_file);

  gtk_widget_init_template (GTK_WIDGET (self));
  mail_setup_accessible_name_parts (GTK_WIDGET (self));
  reload_saved_accounts (self);

  /* The pages take the account at construction, so they are made in code
   * rather than in the template. */
  ensure_page (self, "provider");
  apply_settings (self);

  g_signal_connect_object (self->account, "notify",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  /* The first page is shown without show_page(). */
  g_signal_connect (self, "map", G_CALLBACK (window_mapped_cb), NULL);

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

/* The name of the visible page: provider, account, sign-in, testing,
 * result or use. */
const char *
mail_setup_window_get_page (MailSetupWindow *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->pages);
}
