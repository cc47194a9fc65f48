/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gmodule.h>

#include "mail-setup-diagnosis.h"
#include "mail-setup-secret.h"

G_BEGIN_DECLS

/* The entry points of the module mail-setup-sign-in.so, which holds all of
 * the command line's Microsoft sign-in, so that only it loads libsoup:
 * for `--check --auth oauth2`, and for `--token` when the access token it
 * kept is too old and the saved sign-in must be refreshed. */

typedef struct
{
  /* The account to sign in as: the login hint for the browser. */
  const char *username;
  /* Instructions go to standard error, not standard output. */
  gboolean    json;
  /* "browser", "device", "saved" (only the saved sign-in, never a new
   * one), or NULL: the browser when one can be opened, else the device. */
  const char *method;
  /* The refresh token of a saved sign-in, tried first; may be NULL. */
  const char *saved_refresh_token;
} MailSetupCliSignInRequest;

typedef struct
{
  MailSetupSecret    *access_token;
  /* NULL when Microsoft gave none. */
  MailSetupSecret    *refresh_token;
  /* Seconds the access token is valid for, from Microsoft's answer. */
  guint               expires_in;
  /* "saved", "browser" or "device": how the tokens were had. */
  const char         *method;
  /* When it failed: what it means and what Microsoft said (or NULL). */
  MailSetupDiagnosis  diagnosis;
  char               *server_response;
} MailSetupCliSignInResult;

static inline void
mail_setup_cli_sign_in_result_clear (MailSetupCliSignInResult *result)
{
  g_clear_pointer (&result->access_token, mail_setup_secret_free);
  g_clear_pointer (&result->refresh_token, mail_setup_secret_free);
  g_clear_pointer (&result->server_response, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MailSetupCliSignInResult, mail_setup_cli_sign_in_result_clear)

typedef gboolean (*MailSetupCliSignInFunc) (const MailSetupCliSignInRequest *request,
                                            MailSetupCliSignInResult        *result);

/* Signs in; TRUE with the tokens in RESULT, or FALSE with its diagnosis. */
G_MODULE_EXPORT gboolean mail_setup_cli_sign_in (const MailSetupCliSignInRequest *request,
                                                 MailSetupCliSignInResult        *result);

G_END_DECLS
