/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "mail-setup-cli-sign-in.h"
#include "mail-setup-core.h"
#include "mail-setup-oauth.h"

/* `mail-setup --check --auth oauth2`: Microsoft sign-in on a terminal, in a
 * module of its own (mail-setup-sign-in.so) because it needs libsoup, which
 * a password check would otherwise load for nothing; `mail-setup --token`
 * refreshes a saved sign-in with it. */

/* The instructions go where the person reads them (standard error with
 * --json, whose output is for programs), then a countdown on a terminal or
 * each new status line otherwise. */
typedef struct
{
  MailSetupOAuth *oauth;
  FILE           *out;
  gboolean        interactive;
  char           *status;
} SignIn;

static void
sign_in_show_status (SignIn     *sign_in,
                     const char *status)
{
  if (status != NULL && g_strcmp0 (status, sign_in->status) != 0)
    {
      g_free (sign_in->status);
      sign_in->status = g_strdup (status);
      if (!sign_in->interactive)
        fprintf (sign_in->out, "%s\n", status);
    }

  if (sign_in->interactive && sign_in->status != NULL)
    {
      guint left = mail_setup_oauth_get_seconds_left (sign_in->oauth);

      fprintf (sign_in->out, "\r\033[K");
      /* TRANSLATORS: a status, then the time left as minutes:seconds. */
      fprintf (sign_in->out, _("%s (%u:%02u left)"), sign_in->status, left / 60, left % 60);
    }
  fflush (sign_in->out);
}

static gboolean
countdown_cb (gpointer user_data)
{
  sign_in_show_status (user_data, NULL);

  return G_SOURCE_CONTINUE;
}

static void
sign_in_end_status (SignIn *sign_in)
{
  if (sign_in->interactive)
    fprintf (sign_in->out, "\r\033[K");
  g_clear_pointer (&sign_in->status, g_free);
  fflush (sign_in->out);
}

static char *
expiry_time (MailSetupOAuth *oauth)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) expiry = g_date_time_add_seconds (now, mail_setup_oauth_get_seconds_left (oauth));

  return g_date_time_format (expiry, "%X");
}

static void
sign_in_print_device_instructions (SignIn     *sign_in,
                                   const char *username)
{
  guint minutes = (mail_setup_oauth_get_seconds_left (sign_in->oauth) + 59) / 60;
  g_autofree char *time = expiry_time (sign_in->oauth);

  fprintf (sign_in->out, _("To sign in with Microsoft, open %s in a web browser\n"),
           mail_setup_oauth_get_verification_uri (sign_in->oauth));
  fprintf (sign_in->out, _("and enter the code %s\n"),
           mail_setup_oauth_get_user_code (sign_in->oauth));
  fprintf (sign_in->out, _("then sign in as %s and allow access to your mail.\n"), username);
  fprintf (sign_in->out,
           g_dngettext (GETTEXT_PACKAGE, "The code expires at %s, in %u minute.\n",
                        "The code expires at %s, in %u minutes.\n", minutes),
           time, minutes);
  fflush (sign_in->out);
}

static MailSetupOAuthTokens *
sign_in_on_device (SignIn      *sign_in,
                   const char  *username,
                   GError     **error)
{
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GAsyncResult) requested = NULL;
  g_autoptr(GError) local_error = NULL;
  guint countdown;

  mail_setup_oauth_request_code_async (sign_in->oauth, NULL, mail_setup_store_async_result,
                                       &requested);
  mail_setup_wait_for_async_result (&requested);
  if (!mail_setup_oauth_request_code_finish (sign_in->oauth, requested, error))
    return NULL;

  sign_in_print_device_instructions (sign_in, username);
  countdown = g_timeout_add_seconds (1, countdown_cb, sign_in);
  sign_in_show_status (sign_in, _("Waiting for you to enter the code and sign in."));

  while (tokens == NULL)
    {
      g_autoptr(GAsyncResult) polled = NULL;

      g_clear_error (&local_error);
      mail_setup_oauth_poll_async (sign_in->oauth, NULL, mail_setup_store_async_result, &polled);
      mail_setup_wait_for_async_result (&polled);
      tokens = mail_setup_oauth_poll_finish (sign_in->oauth, polled, &local_error);
      if (tokens == NULL && !mail_setup_oauth_error_is_pending (local_error))
        break;
      if (tokens == NULL)
        sign_in_show_status (sign_in, local_error->message);
    }

  g_source_remove (countdown);
  sign_in_end_status (sign_in);

  if (tokens == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return g_steal_pointer (&tokens);
}

static void
browser_problem_cb (MailSetupOAuth *oauth,
                    GParamSpec     *pspec,
                    SignIn         *sign_in)
{
  const char *problem = mail_setup_oauth_get_browser_problem (oauth);

  if (problem == NULL)
    return;

  sign_in_end_status (sign_in);
  fprintf (sign_in->out, "%s\n", problem);
  sign_in_show_status (sign_in, _("Waiting for you to sign in in the browser."));
}

static void
authorize_uri_cb (MailSetupOAuth *oauth,
                  GParamSpec     *pspec,
                  SignIn         *sign_in)
{
  g_autofree char *time = expiry_time (oauth);

  /* The address is printed whether or not a browser opens: over a remote
   * desktop or in a terminal of another machine, it is the way in. */
  fprintf (sign_in->out, _("Opening Microsoft’s sign-in page in your web browser. If it does not "
                           "open, open this address in a browser on this computer:\n"));
  fprintf (sign_in->out, "  %s\n", mail_setup_oauth_get_authorize_uri (oauth));
  fprintf (sign_in->out, _("Sign in there and allow access to your mail. Mail Setup waits until %s.\n"),
           time);
  fflush (sign_in->out);
}

static MailSetupOAuthTokens *
sign_in_in_browser (SignIn      *sign_in,
                    const char  *username,
                    GError     **error)
{
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gulong uri_handler, problem_handler;
  guint countdown;

  uri_handler = g_signal_connect (sign_in->oauth, "notify::authorize-uri",
                                  G_CALLBACK (authorize_uri_cb), sign_in);
  problem_handler = g_signal_connect (sign_in->oauth, "notify::browser-problem",
                                      G_CALLBACK (browser_problem_cb), sign_in);
  countdown = g_timeout_add_seconds (1, countdown_cb, sign_in);

  mail_setup_oauth_sign_in_with_browser_async (sign_in->oauth, username, NULL, NULL,
                                               mail_setup_store_async_result, &result);
  if (mail_setup_oauth_get_authorize_uri (sign_in->oauth) != NULL)
    sign_in_show_status (sign_in, _("Waiting for you to sign in in the browser."));
  mail_setup_wait_for_async_result (&result);
  tokens = mail_setup_oauth_sign_in_with_browser_finish (sign_in->oauth, result, error);

  g_source_remove (countdown);
  g_signal_handler_disconnect (sign_in->oauth, uri_handler);
  g_signal_handler_disconnect (sign_in->oauth, problem_handler);
  sign_in_end_status (sign_in);

  return g_steal_pointer (&tokens);
}

static MailSetupOAuthTokens *
refresh_saved (SignIn      *sign_in,
               const char  *refresh_token,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mail_setup_oauth_refresh_async (sign_in->oauth, refresh_token, NULL,
                                  mail_setup_store_async_result, &result);
  mail_setup_wait_for_async_result (&result);
  return mail_setup_oauth_refresh_finish (sign_in->oauth, result, error);
}

/* A refresh that Microsoft refused for good is worth a new sign-in; one
 * that did not reach Microsoft is not. */
static gboolean
calls_for_new_sign_in (const GError *error)
{
  MailSetupDiagnosis diagnosis = mail_setup_oauth_error_get_diagnosis (error);

  return diagnosis == MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED ||
         diagnosis == MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED ||
         diagnosis == MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED;
}

gboolean
mail_setup_cli_sign_in (const MailSetupCliSignInRequest *request,
                        MailSetupCliSignInResult        *result)
{
  g_autoptr(MailSetupOAuth) oauth = mail_setup_oauth_new ();
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;
  SignIn sign_in = { oauth, request->json ? stderr : stdout, FALSE, NULL };
  gboolean browser;

  sign_in.interactive = isatty (fileno (sign_in.out));

  if (request->saved_refresh_token != NULL)
    {
      result->method = "saved";
      tokens = refresh_saved (&sign_in, request->saved_refresh_token, &error);
      if (tokens == NULL && g_strcmp0 (request->method, "saved") != 0 && calls_for_new_sign_in (error))
        {
          fprintf (sign_in.out, _("The saved Microsoft sign-in no longer works (%s). "
                                  "Signing in again.\n"),
                   mail_setup_diagnosis_to_string (mail_setup_oauth_error_get_diagnosis (error)));
          g_clear_error (&error);
        }
    }
  else if (g_strcmp0 (request->method, "saved") == 0)
    {
      /* Nothing saved is the same as a saved sign-in that no longer works. */
      result->method = "saved";
      result->diagnosis = MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED;
      return FALSE;
    }

  if (tokens == NULL && error == NULL)
    {
      browser = request->method != NULL ? g_str_equal (request->method, "browser")
                                        : mail_setup_oauth_can_open_browser ();
      result->method = browser ? "browser" : "device";
      if (browser)
        tokens = sign_in_in_browser (&sign_in, request->username, &error);
      else
        tokens = sign_in_on_device (&sign_in, request->username, &error);
    }

  if (tokens == NULL)
    {
      result->diagnosis = mail_setup_oauth_error_get_diagnosis (error);
      result->server_response = g_strdup (mail_setup_oauth_error_get_server_response (error));
      return FALSE;
    }

  if (!g_str_equal (result->method, "saved"))
    {
      fprintf (sign_in.out, _("Signed in with Microsoft.\n"));
      fflush (sign_in.out);
    }

  result->access_token = mail_setup_secret_new (mail_setup_oauth_tokens_get_access_token (tokens));
  result->refresh_token = mail_setup_secret_new (mail_setup_oauth_tokens_get_refresh_token (tokens));
  result->expires_in = mail_setup_oauth_tokens_get_expires_in (tokens);
  return TRUE;
}
