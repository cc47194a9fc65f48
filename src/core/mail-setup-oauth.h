/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "mail-setup-diagnosis.h"

G_BEGIN_DECLS

/*
 * Microsoft sign-in against the Microsoft identity platform v2, for IMAP
 * (and SMTP) with XOAUTH2, in one of two ways:
 *
 * In the browser (the default): the authorization code grant with PKCE
 * (RFC 7636, S256) and a loopback redirect (RFC 8252 section 7.3).
 * mail_setup_oauth_sign_in_with_browser_async() listens on
 * http://127.0.0.1:<free port>/, opens the authorize address in the
 * desktop's web browser (g_app_info_launch_default_for_uri()), waits for the
 * browser to come back with the code (requests without the right state are
 * ignored), answers the browser with a page the user can close, and trades
 * the code for the tokens. The address is known from the "authorize-uri"
 * property on, for the user to copy or open again.
 *
 * On another device: the device authorization grant (RFC 8628), for where no
 * browser can be opened here (mail_setup_oauth_can_open_browser()), and as
 * the user's choice:
 *
 *   1. mail_setup_oauth_request_code_async(): show the user code
 *      (mail_setup_oauth_get_user_code()) and the address to enter it at
 *      (mail_setup_oauth_get_verification_uri()); count down to
 *      mail_setup_oauth_get_expires_at().
 *   2. mail_setup_oauth_poll_async(), again and again: each call waits the
 *      interval the server asked for, then asks once. Its error says what
 *      the server answered, in words for the user (error->message):
 *      AUTHORIZATION_PENDING and SLOW_DOWN mean "poll again"
 *      (mail_setup_oauth_error_is_pending()); EXPIRED_TOKEN and
 *      ACCESS_DENIED end the flow, and a new code must be requested.
 *      Success gives the tokens.
 *   3. The access token goes to mail_setup_check_set_access_token(); the
 *      refresh token to the keyring (authtype "oauth2").
 *   4. Later, mail_setup_oauth_refresh_async() trades the refresh token for
 *      a new access token. INVALID_GRANT means the saved sign-in is no
 *      longer good: lead the user back to step 1.
 *
 * Cancelling the cancellable stops any step at once (G_IO_ERROR_CANCELLED).
 * Tokens are held in wipe-on-free memory and never logged.
 *
 * Configuration, read once by mail_setup_oauth_new(): the authority, tenant
 * and client ID come from the GSettings keys oauth-authority, oauth-tenant
 * and oauth-client-id of io.github.mailsetup.MailSetup when those are not
 * empty, else from the build options (oauth_authority, oauth_tenant,
 * oauth_client_id). The environment variable MAIL_SETUP_OAUTH_AUTHORITY,
 * meant for tests, overrides the authority. The authority must be https;
 * plain http is accepted only for a loopback address (127.0.0.1, ::1,
 * localhost). Any other authority makes every request fail with
 * MAIL_SETUP_OAUTH_ERROR_BAD_AUTHORITY.
 */

#define MAIL_SETUP_OAUTH_SCOPE \
  "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access"
#define MAIL_SETUP_OAUTH_DEFAULT_TIMEOUT 30
/* How long browser sign-in waits for the browser to come back. Tests
 * shorten it with the environment variable MAIL_SETUP_BROWSER_SIGN_IN_TIMEOUT. */
#define MAIL_SETUP_OAUTH_BROWSER_TIMEOUT (10 * 60)

#define MAIL_SETUP_OAUTH_ERROR (mail_setup_oauth_error_quark ())

typedef enum
{
  /* The user has not finished signing in yet: poll again. */
  MAIL_SETUP_OAUTH_ERROR_AUTHORIZATION_PENDING,
  /* The server asked for fewer polls; the interval grew by 5 s: poll again. */
  MAIL_SETUP_OAUTH_ERROR_SLOW_DOWN,
  /* The code expired before the sign-in was finished. */
  MAIL_SETUP_OAUTH_ERROR_EXPIRED_TOKEN,
  /* The user declined (access_denied, or Microsoft's authorization_declined). */
  MAIL_SETUP_OAUTH_ERROR_ACCESS_DENIED,
  /* The refresh token is no longer accepted: sign in again. */
  MAIL_SETUP_OAUTH_ERROR_INVALID_GRANT,
  /* Any other refusal (invalid_client, invalid_scope, ...); the message
   * quotes the server. */
  MAIL_SETUP_OAUTH_ERROR_REFUSED,
  /* Not the JSON the protocol promises, or an HTTP error without it. */
  MAIL_SETUP_OAUTH_ERROR_BAD_ANSWER,
  /* No answer: no network, name lookup, TLS or timeout. */
  MAIL_SETUP_OAUTH_ERROR_NETWORK,
  /* The configured authority is not an https address (see above). */
  MAIL_SETUP_OAUTH_ERROR_BAD_AUTHORITY,
} MailSetupOAuthError;

GQuark   mail_setup_oauth_error_quark      (void);
gboolean mail_setup_oauth_error_is_pending (const GError *error);

/* What a failed sign-in means, for any error a sign-in call returned:
 * MAIL_SETUP_DIAGNOSIS_CANCELLED when it was cancelled, else one of the
 * SIGN_IN_* diagnoses. */
MailSetupDiagnosis mail_setup_oauth_error_get_diagnosis      (const GError *error);
/* What Microsoft answered, safe to show and to put in a report: its error
 * code, the AADSTS number and the first sentence of its description
 * ("invalid_grant: AADSTS53003: Access has been blocked by Conditional
 * Access policies."), never trace or correlation IDs. When Microsoft could
 * not be reached (SIGN_IN_UNREACHABLE), what went wrong on the way; NULL
 * when there is nothing to quote (a timeout, a cancel). */
const char        *mail_setup_oauth_error_get_server_response (const GError *error);

/* Whether a web browser can be opened on this desktop: a display, and a
 * handler for https addresses. Over SSH or on a console, sign in on another
 * device instead. */
gboolean mail_setup_oauth_can_open_browser (void);

/* What a successful sign-in or refresh gives. */
typedef struct _MailSetupOAuthTokens MailSetupOAuthTokens;

#define MAIL_SETUP_TYPE_OAUTH_TOKENS (mail_setup_oauth_tokens_get_type ())

GType                 mail_setup_oauth_tokens_get_type          (void) G_GNUC_CONST;
MailSetupOAuthTokens *mail_setup_oauth_tokens_copy              (const MailSetupOAuthTokens *tokens);
void                  mail_setup_oauth_tokens_free              (MailSetupOAuthTokens       *tokens);
const char           *mail_setup_oauth_tokens_get_access_token  (const MailSetupOAuthTokens *tokens);
/* NULL when the server gave none; a refresh may leave the old one valid. */
const char           *mail_setup_oauth_tokens_get_refresh_token (const MailSetupOAuthTokens *tokens);
/* Seconds the access token is valid for, counted from the answer. */
guint                 mail_setup_oauth_tokens_get_expires_in    (const MailSetupOAuthTokens *tokens);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailSetupOAuthTokens, mail_setup_oauth_tokens_free)

#define MAIL_SETUP_TYPE_OAUTH (mail_setup_oauth_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupOAuth, mail_setup_oauth, MAIL_SETUP, OAUTH, GObject)

MailSetupOAuth       *mail_setup_oauth_new                    (void);

const char           *mail_setup_oauth_get_authority          (MailSetupOAuth       *self);
const char           *mail_setup_oauth_get_tenant             (MailSetupOAuth       *self);
const char           *mail_setup_oauth_get_client_id          (MailSetupOAuth       *self);
/* Seconds each HTTP request may take; MAIL_SETUP_OAUTH_DEFAULT_TIMEOUT. */
void                  mail_setup_oauth_set_timeout            (MailSetupOAuth       *self,
                                                               guint                 seconds);

void                  mail_setup_oauth_request_code_async     (MailSetupOAuth       *self,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gboolean              mail_setup_oauth_request_code_finish    (MailSetupOAuth       *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);

/* The code in progress, valid once request_code has finished: the
 * properties "user-code", "verification-uri" and "interval" notify. */
const char           *mail_setup_oauth_get_user_code          (MailSetupOAuth       *self);
const char           *mail_setup_oauth_get_verification_uri   (MailSetupOAuth       *self);
/* Microsoft's own instructions, in English; may be NULL. */
const char           *mail_setup_oauth_get_message            (MailSetupOAuth       *self);
/* When the code (or, in the browser, the wait) stops working, in
 * g_get_monotonic_time() microseconds. */
gint64                mail_setup_oauth_get_expires_at         (MailSetupOAuth       *self);
guint                 mail_setup_oauth_get_seconds_left       (MailSetupOAuth       *self);
/* Seconds between polls: the server's, plus 5 for every slow_down. */
guint                 mail_setup_oauth_get_interval           (MailSetupOAuth       *self);

/* Browser sign-in as LOGIN_HINT (the address being set up). LAUNCH_CONTEXT
 * (may be NULL) is the window's, so that the browser opens on its screen.
 * Fails with EXPIRED_TOKEN after the browser timeout, ACCESS_DENIED when the
 * user declined, REFUSED or INVALID_GRANT when Microsoft refused; a browser
 * that cannot be opened is not a failure (see "browser-problem"): the user
 * can still open the address by hand until the timeout. */
void                  mail_setup_oauth_sign_in_with_browser_async  (MailSetupOAuth       *self,
                                                                    const char           *login_hint,
                                                                    GAppLaunchContext    *launch_context,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
MailSetupOAuthTokens *mail_setup_oauth_sign_in_with_browser_finish (MailSetupOAuth       *self,
                                                                    GAsyncResult         *result,
                                                                    GError              **error);
/* The address opened in the browser, from the moment the listener is up
 * ("authorize-uri" notifies); NULL before. It holds no secret: the PKCE
 * verifier never leaves this process. */
const char           *mail_setup_oauth_get_authorize_uri      (MailSetupOAuth       *self);
/* Why the browser could not be opened, in words for the user, or NULL
 * ("browser-problem" notifies). */
const char           *mail_setup_oauth_get_browser_problem    (MailSetupOAuth       *self);
/* Open Again: opens the authorize address once more, without waiting;
 * a failure shows in "browser-problem". */
void                  mail_setup_oauth_open_browser           (MailSetupOAuth       *self,
                                                               GAppLaunchContext    *launch_context);

/* Needs a code from request_code that has not reached a final answer. */
void                  mail_setup_oauth_poll_async             (MailSetupOAuth       *self,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
MailSetupOAuthTokens *mail_setup_oauth_poll_finish            (MailSetupOAuth       *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);

void                  mail_setup_oauth_refresh_async          (MailSetupOAuth       *self,
                                                               const char           *refresh_token,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
MailSetupOAuthTokens *mail_setup_oauth_refresh_finish         (MailSetupOAuth       *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);

G_END_DECLS
