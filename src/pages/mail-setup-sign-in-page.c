/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-oauth.h"
#include "mail-setup-sign-in-page.h"
#include "mail-setup-uri.h"

/* Microsoft sign-in, in one of two ways. In the browser (the default): the
 * page opens Microsoft's sign-in page in the desktop's web browser and waits
 * for the browser to come back, showing the address for the user to copy or
 * open again. On another device: the user enters the code shown here on
 * Microsoft's page, in any browser (RFC 8628), while the page polls. Either
 * way the page counts down to the end of the wait. Tokens go to the account
 * and "signed-in" asks the window to test it; any failure but cancelling
 * goes to the window as "failed", to be explained as a test result. */

struct _MailSetupSignInPage
{
  MailSetupPage     parent_instance;

  MailSetupOAuth   *oauth;
  GCancellable     *cancellable;
  guint             countdown_id;
  const char       *method;

  GtkLabel         *heading_label;
  GtkLabel         *intro_label;
  GtkStack         *state_stack;
  GtkLabel         *requesting_label;
  GtkLabel         *browser_countdown_label;
  GtkLabel         *authorize_uri_label;
  GtkLabel         *browser_problem_label;
  GtkWidget        *open_again_button;
  GtkLabel         *code_label;
  GtkLabel         *countdown_label;
  GtkWidget        *open_button;
  GtkWidget        *use_browser_button;
};

G_DEFINE_FINAL_TYPE (MailSetupSignInPage, mail_setup_sign_in_page, MAIL_SETUP_TYPE_PAGE)

enum {
  SIGNED_IN,
  FAILED,
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

static gboolean
countdown_cb (gpointer user_data)
{
  MailSetupSignInPage *self = user_data;
  guint left = mail_setup_oauth_get_seconds_left (self->oauth);
  g_autofree char *text = NULL;

  if (g_strcmp0 (self->method, MAIL_SETUP_SIGN_IN_METHOD_BROWSER) == 0)
    {
      /* Translators: a countdown, "9:41" minutes and seconds */
      text = g_strdup_printf (_("Waiting for you to sign in… %u:%02u left"), left / 60, left % 60);
      gtk_label_set_label (self->browser_countdown_label, text);
    }
  else
    {
      /* Translators: a countdown, "14:05" minutes and seconds */
      text = g_strdup_printf (_("Waiting for you to sign in. The code expires in %u:%02u."),
                              left / 60, left % 60);
      gtk_label_set_label (self->countdown_label, text);
    }

  return G_SOURCE_CONTINUE;
}

static void
start_countdown (MailSetupSignInPage *self)
{
  stop_countdown (self);
  countdown_cb (self);
  self->countdown_id = g_timeout_add_seconds (1, countdown_cb, self);
}

static GAppLaunchContext *
create_launch_context (MailSetupSignInPage *self)
{
  return G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self))));
}

static void
signed_in (MailSetupSignInPage  *self,
           MailSetupOAuthTokens *tokens)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));

  stop_countdown (self);
  gtk_stack_set_visible_child_name (self->state_stack, "done");
  mail_setup_account_set_microsoft_tokens (account,
                                           mail_setup_oauth_tokens_get_access_token (tokens),
                                           mail_setup_oauth_tokens_get_refresh_token (tokens));
  g_signal_emit (self, signals[SIGNED_IN], 0);
}

static void
failed (MailSetupSignInPage *self,
        const GError        *error)
{
  stop_countdown (self);
  g_clear_object (&self->cancellable);
  g_signal_emit (self, signals[FAILED], 0, error);
}

/* Whether the browser opened decides what the page asks the user to do. */
static void
update_browser_text (MailSetupSignInPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  const char *problem = mail_setup_oauth_get_browser_problem (self->oauth);
  const char *email = mail_setup_account_get_email (account);
  g_autofree char *intro = NULL;

  if (problem != NULL)
    {
      gtk_label_set_label (self->heading_label, _("Open the Sign-In Page in a Browser"));
      /* Translators: %s is the e-mail address */
      intro = g_strdup_printf (_("Open the address below in a web browser and sign in as %s. "
                                 "Mail Setup never sees your password."), email);
    }
  else
    {
      gtk_label_set_label (self->heading_label, _("Continue in Your Browser"));
      /* Translators: %s is the e-mail address */
      intro = g_strdup_printf (_("Mail Setup opened Microsoft’s sign-in page in your web browser. "
                                 "Sign in there as %s; Mail Setup never sees your password."), email);
    }
  gtk_label_set_label (self->intro_label, intro);

  gtk_label_set_label (self->browser_problem_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->browser_problem_label), problem != NULL);
}

static void
browser_problem_changed_cb (MailSetupSignInPage *self)
{
  update_browser_text (self);
}

/* The listener is up: the address is known and the wait begins. */
static void
authorize_uri_changed_cb (MailSetupSignInPage *self)
{
  const char *uri = mail_setup_oauth_get_authorize_uri (self->oauth);

  if (uri == NULL)
    return;

  gtk_label_set_label (self->authorize_uri_label, uri);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->authorize_uri_label), uri);
  update_browser_text (self);
  gtk_stack_set_visible_child_name (self->state_stack, "browser");
  gtk_widget_grab_focus (self->open_again_button);
  start_countdown (self);
}

static void
browser_sign_in_done_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(MailSetupSignInPage) self = user_data;
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;

  tokens = mail_setup_oauth_sign_in_with_browser_finish (MAIL_SETUP_OAUTH (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (tokens == NULL)
    failed (self, error);
  else
    signed_in (self, tokens);
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

  if (tokens != NULL)
    signed_in (self, tokens);
  else if (mail_setup_oauth_error_is_pending (error))
    poll (self);
  else
    failed (self, error);
}


/* CODE on screen, and for a screen reader one character at a time: read
 * as a word, "FJ8H2K9LM" is neither understood nor typed right. */
static void
show_code (MailSetupSignInPage *self,
           const char          *code)
{
  g_autoptr(GString) spelled = g_string_new (NULL);
  g_autofree char *name = NULL;

  gtk_label_set_label (self->code_label, code);
  for (const char *c = code; *c != '\0'; c = g_utf8_next_char (c))
    {
      if (!g_unichar_isalnum (g_utf8_get_char (c)))
        continue;
      if (spelled->len > 0)
        g_string_append_c (spelled, ' ');
      g_string_append_len (spelled, c, g_utf8_next_char (c) - c);
    }
  /* TRANSLATORS: the sign-in code, as a screen reader reads it, spelled
   * out: "Sign-in code: F J 8 H 2 K 9 L M". */
  name = *code != '\0' ? g_strdup_printf (_("Sign-in code: %s"), spelled->str) : g_strdup (_("Sign-in code"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->code_label), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
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
        failed (self, error);
      return;
    }

  show_code (self, mail_setup_oauth_get_user_code (self->oauth));
  gtk_widget_set_tooltip_text (self->open_button, mail_setup_oauth_get_verification_uri (self->oauth));
  gtk_stack_set_visible_child_name (self->state_stack, "code");
  gtk_widget_grab_focus (self->open_button);

  start_countdown (self);
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
copy_authorize_uri_cb (MailSetupSignInPage *self)
{
  const char *uri = self->oauth ? mail_setup_oauth_get_authorize_uri (self->oauth) : NULL;

  if (uri == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), uri);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", _("Address copied"));
}

static void
open_again_cb (MailSetupSignInPage *self)
{
  g_autoptr(GAppLaunchContext) context = NULL;

  if (self->oauth == NULL || mail_setup_oauth_get_authorize_uri (self->oauth) == NULL)
    return;

  context = create_launch_context (self);
  mail_setup_oauth_open_browser (self->oauth, context);
}

/* A new sign-in: what the previous one showed is gone. */
static void
reset (MailSetupSignInPage *self,
       const char          *method)
{
  mail_setup_sign_in_page_stop (self);

  if (self->oauth != NULL)
    g_signal_handlers_disconnect_by_data (self->oauth, self);
  g_clear_object (&self->oauth);
  self->oauth = mail_setup_oauth_new ();
  self->cancellable = g_cancellable_new ();
  self->method = method;

  gtk_label_set_label (self->authorize_uri_label, "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->authorize_uri_label), NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->browser_problem_label), FALSE);
  show_code (self, "");
  gtk_widget_set_visible (self->use_browser_button, mail_setup_oauth_can_open_browser ());
  gtk_stack_set_visible_child_name (self->state_stack, "requesting");
}

static void
mail_setup_sign_in_page_dispose (GObject *object)
{
  MailSetupSignInPage *self = MAIL_SETUP_SIGN_IN_PAGE (object);

  mail_setup_sign_in_page_stop (self);
  g_clear_object (&self->oauth);

  G_OBJECT_CLASS (mail_setup_sign_in_page_parent_class)->dispose (object);
}

static void
mail_setup_sign_in_page_class_init (MailSetupSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mail_setup_sign_in_page_dispose;

  /**
   * MailSetupSignInPage::signed-in:
   *
   * Microsoft gave the tokens; they are on the account.
   */
  signals[SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * MailSetupSignInPage::failed:
   * @error: why, as the sign-in call said it
   *
   * The sign-in ended without tokens, other than by being cancelled.
   */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/pages/mail-setup-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, heading_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, requesting_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, browser_countdown_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, authorize_uri_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, browser_problem_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, open_again_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, code_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, open_button);
  gtk_widget_class_bind_template_child (widget_class, MailSetupSignInPage, use_browser_button);
  gtk_widget_class_bind_template_callback (widget_class, open_sign_in_page_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_code_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_authorize_uri_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_again_cb);
}

static void
mail_setup_sign_in_page_init (MailSetupSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Opens Microsoft's sign-in page in the web browser and waits for the
 * browser to come back. */
void
mail_setup_sign_in_page_start_browser (MailSetupSignInPage *self)
{
  MailSetupAccount *account;
  g_autoptr(GAppLaunchContext) context = NULL;

  g_return_if_fail (MAIL_SETUP_IS_SIGN_IN_PAGE (self));

  account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));

  reset (self, MAIL_SETUP_SIGN_IN_METHOD_BROWSER);
  gtk_label_set_label (self->heading_label, _("Continue in Your Browser"));
  gtk_label_set_label (self->intro_label, "");
  gtk_label_set_label (self->requesting_label, _("Opening Microsoft’s sign-in page…"));

  g_signal_connect_object (self->oauth, "notify::authorize-uri",
                           G_CALLBACK (authorize_uri_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->oauth, "notify::browser-problem",
                           G_CALLBACK (browser_problem_changed_cb), self, G_CONNECT_SWAPPED);

  context = create_launch_context (self);
  mail_setup_oauth_sign_in_with_browser_async (self->oauth, mail_setup_account_get_email (account),
                                               context, self->cancellable, browser_sign_in_done_cb,
                                               g_object_ref (self));
}

/* Asks Microsoft for a new code and waits for the user to use it. */
void
mail_setup_sign_in_page_start_device (MailSetupSignInPage *self)
{
  MailSetupAccount *account;
  g_autofree char *intro = NULL;

  g_return_if_fail (MAIL_SETUP_IS_SIGN_IN_PAGE (self));

  account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));

  reset (self, MAIL_SETUP_SIGN_IN_METHOD_DEVICE);
  gtk_label_set_label (self->heading_label, _("Sign In on Another Device"));
  /* Translators: %s is the e-mail address */
  intro = g_strdup_printf (_("Open Microsoft’s sign-in page in a browser on any device, enter the "
                             "code below, and sign in as %s. Mail Setup never sees your password."),
                           mail_setup_account_get_email (account));
  gtk_label_set_label (self->intro_label, intro);
  gtk_label_set_label (self->requesting_label, _("Asking Microsoft for a code…"));

  mail_setup_oauth_request_code_async (self->oauth, self->cancellable, request_code_done_cb,
                                       g_object_ref (self));
}

/* Stops waiting, at once: a browser sign-in stops listening for the
 * browser. */
void
mail_setup_sign_in_page_stop (MailSetupSignInPage *self)
{
  g_return_if_fail (MAIL_SETUP_IS_SIGN_IN_PAGE (self));

  stop_countdown (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

/* How the last sign-in was started: MAIL_SETUP_SIGN_IN_METHOD_BROWSER or
 * _DEVICE; NULL before the first. */
const char *
mail_setup_sign_in_page_get_method (MailSetupSignInPage *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SIGN_IN_PAGE (self), NULL);

  return self->method;
}
