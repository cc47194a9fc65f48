/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-oauth.h"
#include "mail-setup-sign-in-page.h"
#include "mail-setup-uri.h"

/* Microsoft sign-in with a device code (RFC 8628): the user enters the code
 * shown here on Microsoft's page, in any browser, and signs in there. The
 * page polls until Microsoft answers, counting down to the code's expiry.
 * When the tokens arrive they go to the account, and "signed-in" asks the
 * window to test it. */

struct _MailSetupSignInPage
{
  MailSetupPage     parent_instance;

  MailSetupAccount *account;  /* the page's, borrowed */
  MailSetupOAuth   *oauth;
  GCancellable     *cancellable;
  guint             countdown_id;

  GtkLabel         *intro_label;
  GtkStack         *state_stack;
  GtkLabel         *code_label;
  GtkLabel         *countdown_label;
  GtkLabel         *error_label;
  GtkWidget        *open_button;
};

G_DEFINE_FINAL_TYPE (MailSetupSignInPage, mail_setup_sign_in_page, MAIL_SETUP_TYPE_PAGE)

enum {
  SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void poll_done_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data);

static void
stop_countdown (MailSetupSignInPage *self)
{
  g_clear_handle_id (&self->countdown_id, g_source_remove);
}

static void
show_error (MailSetupSignInPage *self,
            const char          *message)
{
  stop_countdown (self);
  gtk_label_set_label (self->error_label, message);
  gtk_stack_set_visible_child_name (self->state_stack, "error");
}

static gboolean
countdown_cb (gpointer user_data)
{
  MailSetupSignInPage *self = user_data;
  guint left = mail_setup_oauth_get_seconds_left (self->oauth);
  g_autofree char *text = NULL;

  /* Translators: a countdown, "14:05" minutes and seconds */
  text = g_strdup_printf (_("Waiting for you to sign in. The code expires in %u:%02u."),
                          left / 60, left % 60);
  gtk_label_set_label (self->countdown_label, text);

  return G_SOURCE_CONTINUE;
}

static void
poll (MailSetupSignInPage *self)
{
  mail_setup_oauth_poll_async (self->oauth, self->cancellable, poll_done_cb, g_object_ref (self));
}

static void
poll_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MailSetupSignInPage) self = user_data;
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;

  tokens = mail_setup_oauth_poll_finish (MAIL_SETUP_OAUTH (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (tokens == NULL)
    {
      if (mail_setup_oauth_error_is_pending (error))
        poll (self);
      else
        show_error (self, error->message);
      return;
    }

  stop_countdown (self);
  gtk_stack_set_visible_child_name (self->state_stack, "done");
  mail_setup_account_set_microsoft_tokens (self->account,
                                           mail_setup_oauth_tokens_get_access_token (tokens),
                                           mail_setup_oauth_tokens_get_refresh_token (tokens));
  g_signal_emit (self, signals[SIGNED_IN], 0);
}

static void
request_code_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(MailSetupSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mail_setup_oauth_request_code_finish (MAIL_SETUP_OAUTH (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }

  gtk_label_set_label (self->code_label, mail_setup_oauth_get_user_code (self->oauth));
  gtk_widget_set_tooltip_text (self->open_button, mail_setup_oauth_get_verification_uri (self->oauth));
  gtk_stack_set_visible_child_name (self->state_stack, "code");
  gtk_widget_grab_focus (self->open_button);

  countdown_cb (self);
  self->countdown_id = g_timeout_add_seconds (1, countdown_cb, self);
  poll (self);
}

static void
open_sign_in_page_cb (MailSetupSignInPage *self)
{
  const char *uri = mail_setup_oauth_get_verification_uri (self->oauth);

  if (uri != NULL)
    mail_setup_open_uri (GTK_WIDGET (self), uri);
}

static void
copy_code_cb (MailSetupSignInPage *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          gtk_label_get_label (self->code_label));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", _("Code copied"));
}

static void
new_code_cb (MailSetupSignInPage *self)
{
  mail_setup_sign_in_page_start (self);
}

static void
mail_setup_sign_in_page_dispose (GObject *object)
{
  MailSetupSignInPage *self = MAIL_SETUP_SIGN_IN_PAGE (object);

  mail_setup_sign_in_page_stop (self);
  g_clear_object (&self->oauth);
  self->account = NULL;

  G_OBJECT_CLASS (mail_setup_sign_in_page_parent_class)->dispose (object);
}

static void
mail_setup_sign_in_page_constructed (GObject *object)
{
  MailSetupSignInPage *self = MAIL_SETUP_SIGN_IN_PAGE (object);

  G_OBJECT_CLASS (mail_setup_sign_in_page_parent_class)->constructed (object);

  self->account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
}

static void
mail_setup_sign_in_page_class_init (MailSetupSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mail_setup_sign_in_page_dispose;
  object_class->constructed = mail_setup_sign_in_page_constructed;


  /**
   * MailSetupSignInPage::signed-in:
   *
   * Microsoft gave the tokens; they are on the account.
   */
  signals[SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/pages/mail-setup-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, code_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, open_button);
  gtk_widget_class_bind_template_callback (widget_class, open_sign_in_page_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_code_cb);
  gtk_widget_class_bind_template_callback (widget_class, new_code_cb);
}

static void
mail_setup_sign_in_page_init (MailSetupSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Asks Microsoft for a new code and waits for the user to use it. */
void
mail_setup_sign_in_page_start (MailSetupSignInPage *self)
{
  g_autofree char *intro = NULL;

  g_return_if_fail (MAIL_SETUP_IS_SIGN_IN_PAGE (self));

  mail_setup_sign_in_page_stop (self);

  /* Translators: %s is the e-mail address */
  intro = g_strdup_printf (_("Open Microsoft’s sign-in page in your browser, enter the code below, "
                             "and sign in as %s. Mail Setup never sees your password."),
                           mail_setup_account_get_email (self->account));
  gtk_label_set_label (self->intro_label, intro);
  gtk_stack_set_visible_child_name (self->state_stack, "requesting");

  g_clear_object (&self->oauth);
  self->oauth = mail_setup_oauth_new ();
  self->cancellable = g_cancellable_new ();
  mail_setup_oauth_request_code_async (self->oauth, self->cancellable, request_code_done_cb,
                                       g_object_ref (self));
}

/* Stops waiting, at once. */
void
mail_setup_sign_in_page_stop (MailSetupSignInPage *self)
{
  g_return_if_fail (MAIL_SETUP_IS_SIGN_IN_PAGE (self));

  stop_countdown (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}
