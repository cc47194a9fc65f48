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
 * a password check would otherwise load for nothing. */

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
sign_in_print_instructions (SignIn     *sign_in,
                            const char *username)
{
  guint left = mail_setup_oauth_get_seconds_left (sign_in->oauth);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) expiry = g_date_time_add_seconds (now, left);
  g_autofree char *time = g_date_time_format (expiry, "%X");

  fprintf (sign_in->out, _("To sign in with Microsoft, open %s in a web browser\n"),
           mail_setup_oauth_get_verification_uri (sign_in->oauth));
  fprintf (sign_in->out, _("and enter the code %s\n"),
           mail_setup_oauth_get_user_code (sign_in->oauth));
  fprintf (sign_in->out, _("then sign in as %s and allow access to your mail.\n"), username);
  fprintf (sign_in->out,
           g_dngettext (GETTEXT_PACKAGE, "The code expires at %s, in %u minute.\n",
                        "The code expires at %s, in %u minutes.\n", (left + 59) / 60),
           time, (left + 59) / 60);
  fflush (sign_in->out);
}

/* Runs the device flow on the terminal; on success sets ACCESS_TOKEN and,
 * when Microsoft gave one, REFRESH_TOKEN (free both with
 * mail_setup_secret_free()). */
gboolean
mail_setup_cli_sign_in (const char       *username,
                        gboolean          json,
                        MailSetupSecret **access_token,
                        MailSetupSecret **refresh_token,
                        GError          **error)
{
  g_autoptr(MailSetupOAuth) oauth = mail_setup_oauth_new ();
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GAsyncResult) requested = NULL;
  g_autoptr(GError) local_error = NULL;
  SignIn sign_in = { oauth, json ? stderr : stdout, FALSE, NULL };
  guint countdown;

  sign_in.interactive = isatty (fileno (sign_in.out));

  mail_setup_oauth_request_code_async (oauth, NULL, mail_setup_store_async_result, &requested);
  mail_setup_wait_for_async_result (&requested);
  if (!mail_setup_oauth_request_code_finish (oauth, requested, error))
    return FALSE;

  sign_in_print_instructions (&sign_in, username);
  countdown = g_timeout_add_seconds (1, countdown_cb, &sign_in);
  sign_in_show_status (&sign_in, _("Waiting for you to enter the code and sign in."));

  while (tokens == NULL)
    {
      g_autoptr(GAsyncResult) polled = NULL;

      g_clear_error (&local_error);
      mail_setup_oauth_poll_async (oauth, NULL, mail_setup_store_async_result, &polled);
      mail_setup_wait_for_async_result (&polled);
      tokens = mail_setup_oauth_poll_finish (oauth, polled, &local_error);
      if (tokens == NULL && !mail_setup_oauth_error_is_pending (local_error))
        break;
      if (tokens == NULL)
        sign_in_show_status (&sign_in, local_error->message);
    }

  g_source_remove (countdown);
  if (sign_in.interactive)
    fprintf (sign_in.out, "\r\033[K");
  g_free (sign_in.status);

  if (tokens == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  fprintf (sign_in.out, _("Signed in with Microsoft.\n"));
  fflush (sign_in.out);

  *access_token = mail_setup_secret_new (mail_setup_oauth_tokens_get_access_token (tokens));
  *refresh_token = mail_setup_secret_new (mail_setup_oauth_tokens_get_refresh_token (tokens));
  return TRUE;
}
