/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Microsoft sign-in end to end: the device code flow against our identity
 * server (tests/servers/identity-server.py), the tokens it gives checked by
 * a real Dovecot through that server's introspection endpoint, and XOAUTH2
 * against the scripted Microsoft server. The test plays the person at the
 * browser through the identity server's control endpoints. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mail-setup-account-store.h"
#include "mail-setup-check.h"
#include "mail-setup-core.h"
#include "mail-setup-oauth.h"
#include "mail-setup-provider.h"
#include "mail-setup-secret-store.h"
#include "mail-setup-test-browser.h"
#include "mail-setup-test-check.h"
#include "mail-setup-test-identity.h"
#include "mail-setup-test-program.h"
#include "mail-setup-test-server.h"
#include "mail-setup-test-util.h"

#define SCHEMA_ID "io.github.mailsetup.MailSetup"
#define AUTHORITY_VARIABLE "MAIL_SETUP_OAUTH_AUTHORITY"
#define OTHER_USER "other@example.test"
#define ANSWER_TIMEOUT_MS 20000

static void
use_identity_server (void)
{
  g_setenv (AUTHORITY_VARIABLE, mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"), TRUE);
}

static gboolean
request_code (MailSetupOAuth  *oauth,
              GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mail_setup_oauth_request_code_async (oauth, NULL, mail_setup_store_async_result, &result);
  mail_setup_wait_for_async_result (&result);
  return mail_setup_oauth_request_code_finish (oauth, result, error);
}

static MailSetupOAuthTokens *
poll_once (MailSetupOAuth  *oauth,
           GCancellable    *cancellable,
           GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mail_setup_oauth_poll_async (oauth, cancellable, mail_setup_store_async_result, &result);
  return mail_setup_oauth_poll_finish (oauth, mail_setup_wait_for_async_result (&result), error);
}

static MailSetupOAuthTokens *
refresh (MailSetupOAuth  *oauth,
         const char      *refresh_token,
         GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mail_setup_oauth_refresh_async (oauth, refresh_token, NULL,
                                  mail_setup_store_async_result, &result);
  return mail_setup_oauth_refresh_finish (oauth, mail_setup_wait_for_async_result (&result), error);
}

/* The person at the browser enters the code and signs in as USERNAME. */
static void
approve (MailSetupOAuth *oauth,
         const char     *username)
{
  mail_setup_test_identity_approve (mail_setup_oauth_get_user_code (oauth), username);
}

static void
control (MailSetupOAuth *oauth,
         const char     *action)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *path = g_strconcat ("/control/", action, NULL);

  answer = mail_setup_test_identity_call (SOUP_METHOD_POST, path,
                          soup_form_encode ("user_code", mail_setup_oauth_get_user_code (oauth),
                                            NULL));
}

/* What the identity server saw of this code: tenant, client_id, scope,
 * polls (seconds after the code was issued), interval, state. */
static JsonObject *
device_record (MailSetupOAuth *oauth)
{
  return mail_setup_test_identity_call (SOUP_METHOD_GET, "/control/device",
                        soup_form_encode ("user_code", mail_setup_oauth_get_user_code (oauth),
                                          NULL));
}

static MailSetupOAuth *
new_code (void)
{
  g_autoptr(MailSetupOAuth) oauth = NULL;
  g_autoptr(GError) error = NULL;

  use_identity_server ();
  oauth = mail_setup_oauth_new ();
  g_assert_true (request_code (oauth, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&oauth);
}

static MailSetupCheck *
new_dovecot_check (const char *username,
                   const char *access_token)
{
  MailSetupCheck *check;

  check = mail_setup_check_new ("127.0.0.1",
                                mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"),
                                MAIL_SETUP_SECURITY_SSL_TLS, username);
  mail_setup_check_set_access_token (check, access_token);
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, 5);

  return check;
}

static char *
xoauth2_initial_response (const char *username,
                          const char *access_token)
{
  g_autofree char *message = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001",
                                              username, access_token);

  return g_base64_encode ((const guchar *) message, strlen (message));
}

/* What a user may copy into a help request shows that XOAUTH2 was used,
 * never the token. */
static void
assert_token_hidden (MailSetupCheck *check,
                     const char     *access_token)
{
  const char * const *transcript = mail_setup_check_get_transcript (check);
  g_autofree char *encoded = xoauth2_initial_response (mail_setup_check_get_username (check),
                                                       access_token);
  g_autofree char *report = mail_setup_check_to_text_report (check);
  g_autofree char *json = mail_setup_check_to_json (check);
  gboolean redacted = FALSE;

  for (guint i = 0; transcript[i] != NULL; i++)
    {
      g_assert_null (strstr (transcript[i], access_token));
      g_assert_null (strstr (transcript[i], encoded));
      if (strstr (transcript[i], "AUTHENTICATE XOAUTH2 <redacted>") != NULL)
        redacted = TRUE;
    }
  g_assert_true (redacted);
  g_assert_null (strstr (report, access_token));
  g_assert_null (strstr (report, encoded));
  g_assert_null (strstr (json, access_token));
}

static gboolean
transcript_has_line (MailSetupCheck *check,
                     const char     *line)
{
  const char * const *transcript = mail_setup_check_get_transcript (check);

  return g_strv_contains (transcript, line);
}

static void
test_oauth_configuration (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(MailSetupOAuth) built = NULL;
  g_autoptr(MailSetupOAuth) configured = NULL;
  g_autoptr(MailSetupOAuth) for_tests = NULL;

  /* Empty settings: the build options, which name Microsoft and the
   * public client ID the README explains. */
  g_unsetenv (AUTHORITY_VARIABLE);
  built = mail_setup_oauth_new ();
  g_assert_cmpstr (mail_setup_oauth_get_authority (built), ==, DEFAULT_OAUTH_AUTHORITY);
  g_assert_cmpstr (mail_setup_oauth_get_tenant (built), ==, DEFAULT_OAUTH_TENANT);
  g_assert_cmpstr (mail_setup_oauth_get_client_id (built), ==, DEFAULT_OAUTH_CLIENT_ID);
  g_assert_cmpstr (DEFAULT_OAUTH_AUTHORITY, ==, "https://login.microsoftonline.com");
  g_assert_cmpstr (DEFAULT_OAUTH_CLIENT_ID, ==, "9e5f94bc-e8a4-4e73-b8be-63364c29d753");

  g_settings_set_string (settings, "oauth-authority", "https://login.example.test/");
  g_settings_set_string (settings, "oauth-tenant", "organizations");
  g_settings_set_string (settings, "oauth-client-id", "00000000-1111-2222-3333-444444444444");
  configured = mail_setup_oauth_new ();
  g_assert_cmpstr (mail_setup_oauth_get_authority (configured), ==, "https://login.example.test");
  g_assert_cmpstr (mail_setup_oauth_get_tenant (configured), ==, "organizations");
  g_assert_cmpstr (mail_setup_oauth_get_client_id (configured), ==,
                   "00000000-1111-2222-3333-444444444444");

  /* The variable for tests wins over the setting. */
  use_identity_server ();
  for_tests = mail_setup_oauth_new ();
  g_assert_cmpstr (mail_setup_oauth_get_authority (for_tests), ==,
                   mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"));
  g_assert_cmpstr (mail_setup_oauth_get_tenant (for_tests), ==, "organizations");

  g_settings_reset (settings, "oauth-authority");
  g_settings_reset (settings, "oauth-tenant");
  g_settings_reset (settings, "oauth-client-id");
}

static void
test_oauth_refuses_insecure_authority (void)
{
  g_autoptr(MailSetupOAuth) insecure = NULL;
  g_autoptr(MailSetupOAuth) loopback = NULL;
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *closed = NULL;

  g_setenv (AUTHORITY_VARIABLE, "http://login.example.test", TRUE);
  insecure = mail_setup_oauth_new ();
  g_assert_false (request_code (insecure, &error));
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_BAD_AUTHORITY);
  g_assert_nonnull (strstr (error->message, "http://login.example.test"));
  g_clear_error (&error);

  tokens = refresh (insecure, "rt-anything", &error);
  g_assert_null (tokens);
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_BAD_AUTHORITY);
  g_clear_error (&error);

  /* Plain http to this machine is allowed, so it is tried: on a port where
   * nothing listens, that is a network error. */
  closed = g_strdup_printf ("http://127.0.0.1:%u", mail_setup_test_closed_port ());

  g_setenv (AUTHORITY_VARIABLE, closed, TRUE);
  loopback = mail_setup_oauth_new ();
  g_assert_false (request_code (loopback, &error));
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_NETWORK);
  g_assert_cmpint (mail_setup_oauth_error_get_diagnosis (error), ==,
                   MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE);
}

/* What the page shows when the request itself is refused, or when the
 * answer is not the protocol's. */
static void
test_oauth_refused (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(MailSetupOAuth) unknown_tenant = NULL;
  g_autoptr(MailSetupOAuth) broken = NULL;
  g_autoptr(GError) error = NULL;

  use_identity_server ();
  g_settings_set_string (settings, "oauth-tenant", "no-such-tenant");
  unknown_tenant = mail_setup_oauth_new ();
  g_settings_set_string (settings, "oauth-tenant", "server-error");
  broken = mail_setup_oauth_new ();
  g_settings_reset (settings, "oauth-tenant");

  g_assert_false (request_code (unknown_tenant, &error));
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_REFUSED);
  /* Microsoft's first line, without its trace IDs. */
  g_assert_nonnull (strstr (error->message, "AADSTS90002: Tenant 'no-such-tenant' not found."));
  g_assert_null (strstr (error->message, "Trace ID"));
  g_assert_cmpint (mail_setup_oauth_error_get_diagnosis (error), ==,
                   MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED);
  g_assert_cmpstr (mail_setup_oauth_error_get_server_response (error), ==,
                   "invalid_request: AADSTS90002: Tenant 'no-such-tenant' not found.");
  g_assert_null (mail_setup_oauth_get_user_code (unknown_tenant));
  g_clear_error (&error);

  g_assert_false (request_code (broken, &error));
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_BAD_ANSWER);
  g_assert_nonnull (strstr (error->message, "HTTP 500"));
  g_assert_cmpint (mail_setup_oauth_error_get_diagnosis (error), ==,
                   MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE);
}

static void
test_oauth_sign_in_and_refresh (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(MailSetupOAuth) oauth = NULL;
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(MailSetupOAuthTokens) refreshed = NULL;
  g_autoptr(MailSetupOAuthTokens) stale = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(MailSetupCheck) check_again = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  JsonArray *polls;

  /* The settings reach the requests. */
  g_settings_set_string (settings, "oauth-tenant", "contoso.example");
  g_settings_set_string (settings, "oauth-client-id", "mail-setup-test-client");
  oauth = new_code ();
  g_settings_reset (settings, "oauth-tenant");
  g_settings_reset (settings, "oauth-client-id");

  g_assert_cmpuint (strlen (mail_setup_oauth_get_user_code (oauth)), ==, 8);
  g_assert_cmpstr (mail_setup_oauth_get_verification_uri (oauth), ==,
                   "https://microsoft.com/devicelogin");
  g_assert_nonnull (strstr (mail_setup_oauth_get_message (oauth),
                            mail_setup_oauth_get_user_code (oauth)));
  g_assert_cmpuint (mail_setup_oauth_get_seconds_left (oauth), >, 890);
  g_assert_cmpuint (mail_setup_oauth_get_seconds_left (oauth), <=, 900);
  g_assert_cmpuint (mail_setup_oauth_get_interval (oauth), ==, 1);

  tokens = poll_once (oauth, NULL, &error);
  g_assert_null (tokens);
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_AUTHORIZATION_PENDING);
  g_assert_true (mail_setup_oauth_error_is_pending (error));
  g_assert_cmpstr (error->message, !=, "");
  g_clear_error (&error);

  approve (oauth, user);
  tokens = poll_once (oauth, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  g_assert_nonnull (mail_setup_oauth_tokens_get_refresh_token (tokens));
  g_assert_cmpuint (mail_setup_oauth_tokens_get_expires_in (tokens), ==, 3600);

  record = device_record (oauth);
  g_assert_cmpstr (json_object_get_string_member (record, "tenant"), ==, "contoso.example");
  g_assert_cmpstr (json_object_get_string_member (record, "client_id"), ==,
                   "mail-setup-test-client");
  g_assert_cmpstr (json_object_get_string_member (record, "scope"), ==, MAIL_SETUP_OAUTH_SCOPE);
  g_assert_cmpstr (json_object_get_string_member (record, "state"), ==, "redeemed");
  /* One poll per interval, never sooner. */
  polls = json_object_get_array_member (record, "polls");
  g_assert_cmpuint (json_array_get_length (polls), ==, 2);
  g_assert_cmpfloat (json_array_get_double_element (polls, 0), >=, 0.9);
  g_assert_cmpfloat (json_array_get_double_element (polls, 1) -
                     json_array_get_double_element (polls, 0), >=, 0.9);

  /* Dovecot checks the token with the identity server and lets us in. */
  check = new_dovecot_check (user, mail_setup_oauth_tokens_get_access_token (tokens));
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  assert_token_hidden (check, mail_setup_oauth_tokens_get_access_token (tokens));

  /* Test again: a new access token from the refresh token, which works. */
  refreshed = refresh (oauth, mail_setup_oauth_tokens_get_refresh_token (tokens), &error);
  g_assert_no_error (error);
  g_assert_nonnull (refreshed);
  g_assert_cmpstr (mail_setup_oauth_tokens_get_access_token (refreshed), !=,
                   mail_setup_oauth_tokens_get_access_token (tokens));
  g_assert_nonnull (mail_setup_oauth_tokens_get_refresh_token (refreshed));
  g_assert_cmpstr (mail_setup_oauth_tokens_get_refresh_token (refreshed), !=,
                   mail_setup_oauth_tokens_get_refresh_token (tokens));

  check_again = new_dovecot_check (user, mail_setup_oauth_tokens_get_access_token (refreshed));
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check_again, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);

  /* The identity server replaced the old refresh token: using it again is
   * what a revoked sign-in looks like, and leads back to sign-in. */
  stale = refresh (oauth, mail_setup_oauth_tokens_get_refresh_token (tokens), &error);
  g_assert_null (stale);
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_INVALID_GRANT);
  g_assert_false (mail_setup_oauth_error_is_pending (error));
}

static MailSetupSecret *
lookup_secret (const MailSetupSecretKey *key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MailSetupSecret *secret;

  mail_setup_secret_store_lookup_async (key, NULL, mail_setup_store_async_result, &result);
  mail_setup_wait_for_async_result (&result);
  secret = mail_setup_secret_store_lookup_finish (result, &error);
  g_assert_no_error (error);

  return secret;
}

/* Saving the account after Microsoft sign-in puts the refresh token in the
 * (test) keyring with authtype "oauth2"; Test again reads the saved account
 * back, refreshes with its secret and signs in with the new access token. */
static void
test_oauth_refresh_token_in_keyring (void)
{
  g_autoptr(MailSetupOAuth) oauth = new_code ();
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(MailSetupOAuthTokens) refreshed = NULL;
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(MailSetupSavedAccount) found = NULL;
  g_autoptr(MailSetupSecret) in_keyring = NULL;
  g_autoptr(MailSetupSecret) as_password = NULL;
  g_autoptr(MailSetupSecret) stored = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(GAsyncResult) saved_result = NULL;
  g_autoptr(GAsyncResult) looked_up = NULL;
  g_autoptr(GAsyncResult) removed = NULL;
  g_autoptr(GError) error = NULL;
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  MailSetupSecretKey key;

  mail_setup_account_set_email (account, user);
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));
  mail_setup_account_set_server (account, "127.0.0.1");
  mail_setup_account_set_port (account,
                               mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"));
  mail_setup_account_set_security (account, MAIL_SETUP_SECURITY_SSL_TLS);
  mail_setup_account_set_username (account, user);

  approve (oauth, user);
  tokens = poll_once (oauth, NULL, &error);
  g_assert_no_error (error);

  mail_setup_account_store_save_async (account, mail_setup_oauth_tokens_get_refresh_token (tokens),
                                       "oauth2", NULL, mail_setup_store_async_result, &saved_result);
  mail_setup_wait_for_async_result (&saved_result);
  saved = mail_setup_account_store_save_finish (saved_result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mail_setup_saved_account_get_authtype (saved), ==, "oauth2");

  /* In the keyring, as another program finds it: the refresh token, never
   * the access token, and only under authtype "oauth2". */
  mail_setup_saved_account_get_secret_key (saved, &key);
  g_assert_cmpstr (key.authtype, ==, "oauth2");
  in_keyring = lookup_secret (&key);
  g_assert_cmpstr (in_keyring, ==, mail_setup_oauth_tokens_get_refresh_token (tokens));
  key.authtype = "password";
  as_password = lookup_secret (&key);
  g_assert_null (as_password);

  /* Test again. */
  found = mail_setup_account_store_find (user, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mail_setup_saved_account_get_authtype (found), ==, "oauth2");
  mail_setup_account_store_lookup_secret_async (found, NULL,
                                                mail_setup_store_async_result, &looked_up);
  mail_setup_wait_for_async_result (&looked_up);
  stored = mail_setup_account_store_lookup_secret_finish (looked_up, &error);
  g_assert_no_error (error);

  refreshed = refresh (oauth, stored, &error);
  g_assert_no_error (error);
  check = new_dovecot_check (user, mail_setup_oauth_tokens_get_access_token (refreshed));
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);

  mail_setup_account_store_remove_async (user, NULL, mail_setup_store_async_result, &removed);
  mail_setup_wait_for_async_result (&removed);
  g_assert_true (mail_setup_account_store_remove_finish (removed, &error));
  g_assert_no_error (error);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_REMOVE;
}

static void
test_oauth_slow_down (void)
{
  g_autoptr(MailSetupOAuth) oauth = new_code ();
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  guint interval_notifications = 0;
  gint64 slowed_down_at;
  gint64 start;
  JsonArray *polls;
  guint n_polls;

  g_signal_connect (oauth, "notify::interval", G_CALLBACK (count_notify_cb),
                    &interval_notifications);

  control (oauth, "slow-down");
  tokens = poll_once (oauth, NULL, &error);
  slowed_down_at = g_get_monotonic_time ();
  g_assert_null (tokens);
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_SLOW_DOWN);
  g_assert_true (mail_setup_oauth_error_is_pending (error));
  g_assert_nonnull (strstr (error->message, "6 seconds"));
  g_assert_cmpuint (mail_setup_oauth_get_interval (oauth), ==, 6);
  g_assert_cmpuint (interval_notifications, ==, 1);
  g_clear_error (&error);

  /* Cancel stops the wait at once. */
  start = g_get_monotonic_time ();
  g_timeout_add (200, cancel_cb, cancellable);
  tokens = poll_once (oauth, cancellable, &error);
  g_assert_null (tokens);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* The identity server answers slow_down again to a poll that comes
   * sooner than the new interval, so getting the tokens proves the wait. */
  approve (oauth, mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  tokens = poll_once (oauth, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  g_assert_cmpint (g_get_monotonic_time () - slowed_down_at, >=, 6 * G_USEC_PER_SEC);

  record = device_record (oauth);
  polls = json_object_get_array_member (record, "polls");
  n_polls = json_array_get_length (polls);
  g_assert_cmpuint (n_polls, ==, 2);
  g_assert_cmpfloat (json_array_get_double_element (polls, 1) -
                     json_array_get_double_element (polls, 0), >=, 5.9);
}

static void
test_oauth_expired (void)
{
  g_autoptr(MailSetupOAuth) oauth = new_code ();
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;

  control (oauth, "expire");
  tokens = poll_once (oauth, NULL, &error);
  g_assert_null (tokens);
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_EXPIRED_TOKEN);
  g_assert_false (mail_setup_oauth_error_is_pending (error));
  g_assert_nonnull (strstr (error->message, "new code"));
}

/* A code that runs out while the user has not signed in: the poll says so
 * by itself when the countdown reaches zero. */
static void
test_oauth_expires_while_waiting (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(MailSetupOAuth) oauth = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  guint n_polls = 0;

  /* The identity server issues codes for 2 seconds for this tenant. */
  g_settings_set_string (settings, "oauth-tenant", "expires-in-2");
  oauth = new_code ();
  g_settings_reset (settings, "oauth-tenant");
  start = g_get_monotonic_time ();
  g_assert_cmpuint (mail_setup_oauth_get_seconds_left (oauth), <=, 2);

  for (;;)
    {
      g_autoptr(MailSetupOAuthTokens) tokens = NULL;

      g_clear_error (&error);
      tokens = poll_once (oauth, NULL, &error);
      g_assert_null (tokens);
      if (!mail_setup_oauth_error_is_pending (error))
        break;
      g_assert_cmpuint (++n_polls, <, 5);
    }

  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_EXPIRED_TOKEN);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (mail_setup_oauth_get_seconds_left (oauth), ==, 0);

  record = device_record (oauth);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (record, "polls")), <=, 2);
}

static void
test_oauth_denied (void)
{
  const char *denials[] = { "access_denied", "authorization_declined" };

  for (gsize i = 0; i < G_N_ELEMENTS (denials); i++)
    {
      g_autoptr(MailSetupOAuth) oauth = new_code ();
      g_autoptr(MailSetupOAuthTokens) tokens = NULL;
      g_autoptr(JsonObject) answer = NULL;
      g_autoptr(GError) error = NULL;

      answer = mail_setup_test_identity_call (SOUP_METHOD_POST, "/control/deny",
                              soup_form_encode ("user_code", mail_setup_oauth_get_user_code (oauth),
                                                "error", denials[i], NULL));
      tokens = poll_once (oauth, NULL, &error);
      g_assert_null (tokens);
      g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_ACCESS_DENIED);
      g_assert_false (mail_setup_oauth_error_is_pending (error));
      g_assert_nonnull (strstr (error->message, "declined"));
    }
}

/* Dovecot answers a token it does not accept with a challenge carrying its
 * reasons; the check acknowledges it and reports the refusal as a refused
 * token, never as a wrong password: there is none. */
static void
test_oauth_dovecot_refuses_bad_token (void)
{
  g_autoptr(MailSetupCheck) check = NULL;
  const char *token = "at-never-issued-by-the-identity-server";
  const char * const *transcript;
  gboolean explained = FALSE;

  check = new_dovecot_check (mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"), token);
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED);
  g_assert_cmpstr (mail_setup_diagnosis_get_remedy (MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED), ==,
                   "mailbox-imap-access");
  g_assert_cmpstr (mail_setup_check_get_server_response (check), ==,
                   "NO [AUTHENTICATIONFAILED] Authentication failed.");
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_SIGN_IN), ==,
                   MAIL_SETUP_STAGE_STATUS_FAILED);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_MAILBOX), ==,
                   MAIL_SETUP_STAGE_STATUS_SKIPPED);
  assert_token_hidden (check, token);

  transcript = mail_setup_check_get_transcript (check);
  for (guint i = 0; transcript[i] != NULL; i++)
    {
      if (g_str_has_prefix (transcript[i], "! The server refused the token: ") &&
          strstr (transcript[i], "\"status\":\"401\"") != NULL)
        explained = TRUE;
    }
  g_assert_true (explained);
  g_assert_true (transcript_has_line (check, "C: "));
}

static MailSetupCheck *
new_scripted_check (MailSetupTestServer *server,
                    const char          *username,
                    const char          *access_token)
{
  MailSetupCheck *check;

  check = mail_setup_check_new ("127.0.0.1", mail_setup_test_server_get_port (server),
                                MAIL_SETUP_SECURITY_SSL_TLS, username);
  mail_setup_check_set_access_token (check, access_token);
  mail_setup_check_set_provider (check, "outlook", TRUE);
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, 5);

  return check;
}

static void
test_oauth_microsoft_xoauth2 (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(MailSetupCheck) other = NULL;
  g_autoptr(MailSetupCheck) wrong = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *expected_line = NULL;
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");

  server = mail_setup_test_server_start ("ms-xoauth2", "--other-user", OTHER_USER, NULL);

  check = new_scripted_check (server, user, MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN);
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  g_assert_true (mail_setup_check_get_is_microsoft (check));
  assert_token_hidden (check, MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN);

  /* What went over the wire: XOAUTH2 with SASL-IR, exactly as specified. */
  transcript = mail_setup_test_server_get_transcript (server);
  encoded = xoauth2_initial_response (user, MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN);
  expected_line = g_strdup_printf (" AUTHENTICATE XOAUTH2 %s\r\n", encoded);
  g_assert_nonnull (strstr (transcript, expected_line));

  /* A token for another account signs in, but the mailbox stays closed:
   * Microsoft's "User is authenticated but not connected". */
  other = new_scripted_check (server, OTHER_USER, MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN);
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (other, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED);
  g_assert_nonnull (strstr (mail_setup_check_get_server_response (other),
                            "authenticated but not connected"));
  g_assert_cmpint (mail_setup_check_get_stage_status (other, MAIL_SETUP_CHECK_STAGE_SIGN_IN), ==,
                   MAIL_SETUP_STAGE_STATUS_OK);
  g_assert_cmpint (mail_setup_check_get_stage_status (other, MAIL_SETUP_CHECK_STAGE_MAILBOX), ==,
                   MAIL_SETUP_STAGE_STATUS_FAILED);

  /* Microsoft refuses a bad token at once, with no challenge; not a
   * password problem, so not Recent activity either. */
  wrong = new_scripted_check (server, user, "not-the-token");
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (wrong, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED);
  g_assert_cmpstr (mail_setup_check_get_server_response (wrong), ==, "NO AUTHENTICATE failed.");
  g_assert_false (transcript_has_line (wrong, "C: "));
}

static void
test_oauth_xoauth2_without_sasl_ir (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *expected = NULL;
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");

  server = mail_setup_test_server_start ("ms-xoauth2", "--drop-capability", "SASL-IR", NULL);
  check = new_scripted_check (server, user, MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN);
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);

  /* The command alone, then the token after the server's "+". */
  transcript = mail_setup_test_server_get_transcript (server);
  encoded = xoauth2_initial_response (user, MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN);
  expected = g_strdup_printf (" AUTHENTICATE XOAUTH2\r\n%s\r\n", encoded);
  g_assert_nonnull (strstr (transcript, expected));
  g_assert_true (transcript_has_line (check, "C: <redacted>"));
}

static void
test_oauth_server_without_xoauth2 (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *transcript = NULL;

  server = mail_setup_test_server_start ("ms-xoauth2", "--drop-capability", "AUTH=XOAUTH2", NULL);
  check = new_scripted_check (server, mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
                              MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN);
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH);

  /* The token was not sent in any other way. */
  transcript = mail_setup_test_server_get_transcript (server);
  g_assert_null (strstr (transcript, "AUTHENTICATE"));
  g_assert_null (strstr (transcript, "LOGIN"));
}

/* One line of the program's output, failing the test if none comes in
 * time. */
static char *
read_output_line (GDataInputStream *output)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *line;
  guint timeout;

  timeout = g_timeout_add (ANSWER_TIMEOUT_MS, cancel_cb, cancellable);
  g_data_input_stream_read_line_async (output, G_PRIORITY_DEFAULT, cancellable,
                                       mail_setup_store_async_result, &result);
  mail_setup_wait_for_async_result (&result);
  line = g_data_input_stream_read_line_finish_utf8 (output, result, NULL, &error);
  if (!g_cancellable_is_cancelled (cancellable))
    g_source_remove (timeout);
  g_assert_no_error (error);

  return line;
}

/* The refresh token that the keyring holds for the test user, as any
 * program finds it. */
static char *
stored_refresh_token (void)
{
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"));
  const char *lookup[] = { "secret-tool", "lookup", "user", mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
                           "server", "127.0.0.1", "port", port, "protocol", "imap",
                           "authtype", "oauth2", NULL };
  g_autoptr(GError) error = NULL;
  char *stored = NULL;

  g_spawn_sync (NULL, (char **) lookup, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &stored, NULL, NULL, &error);
  g_assert_no_error (error);

  return stored;
}

/* The command line on a terminal of its own: no display (so no browser),
 * standard output and error in one stream, read line by line. */
static GSubprocess *
spawn_command_line (const char * const *args)
{
  const char *environment[] = {
    AUTHORITY_VARIABLE, mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"), NULL
  };

  return mail_setup_test_program_spawn (args, environment, MAIL_SETUP_TEST_PROGRAM_NO_DISPLAY,
                                        G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
}

static void
test_oauth_command_line (void)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GAsyncResult) waited = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GString) rest = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"));
  g_autofree char *smtp_port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_SUBMISSION_PORT"));
  g_autofree char *user_code = NULL;
  gboolean saw_address = FALSE;

  const char *args[] = {
    "--check", "--auth", "oauth2", "--email", mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
    "--server", "127.0.0.1", "--port", port, "--smtp-server", "127.0.0.1", "--smtp-port", smtp_port,
    "--ca-file", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), "--timeout", "5", "--store", NULL
  };
  g_autofree char *stored = NULL;

  process = spawn_command_line (args);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  /* The terminal shows the address and the code, then waits. */
  while (user_code == NULL)
    {
      g_autofree char *line = read_output_line (output);
      const char *code;

      g_assert_nonnull (line);
      if (strstr (line, "https://microsoft.com/devicelogin") != NULL)
        saw_address = TRUE;
      code = strstr (line, "enter the code ");
      if (code != NULL)
        user_code = g_strdup (code + strlen ("enter the code "));
    }
  g_assert_true (saw_address);
  g_assert_cmpuint (strlen (user_code), ==, 8);

  answer = mail_setup_test_identity_call (SOUP_METHOD_POST, "/control/approve",
                          soup_form_encode ("user_code", user_code,
                                            "username", mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
                                            NULL));

  for (;;)
    {
      g_autofree char *line = read_output_line (output);

      if (line == NULL)
        break;
      g_string_append_printf (rest, "%s\n", line);
    }

  g_subprocess_wait_async (process, NULL, mail_setup_store_async_result, &waited);
  mail_setup_wait_for_async_result (&waited);
  g_assert_true (g_subprocess_wait_finish (process, waited, &error));
  g_assert_no_error (error);
  g_test_message ("%s", rest->str);
  g_assert_nonnull (strstr (rest->str, "Signed in with Microsoft."));
  g_assert_nonnull (strstr (rest->str, "(ok)"));
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  /* --store keeps the refresh token, as the window does. */
  g_assert_nonnull (strstr (rest->str, "the Microsoft sign-in in the keyring"));
  stored = stored_refresh_token ();
  g_assert_true (g_str_has_prefix (stored, "rt-"));
}

static void
test_oauth_command_line_usage (void)
{
  const struct
  {
    const char *args[10];
    const char *complaint;
  } wrong[] = {
    { { "--check", "--auth", "kerberos", "--email", "user@example.test", "--server", "127.0.0.1", NULL },
      "--auth must be password or oauth2" },
    { { "--check", "--auth", "oauth2", "--password-stdin", "--email", "user@example.test",
        "--server", "127.0.0.1", NULL },
      "--password-stdin does not go with --auth oauth2" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr(MailSetupTestProgramResult) result = NULL;

      result = mail_setup_test_program_run (wrong[i].args, NULL, MAIL_SETUP_TEST_PROGRAM_NO_DISPLAY,
                                            NULL);
      g_assert_cmpint (result->status, ==, 2);
      g_assert_nonnull (strstr (result->err, wrong[i].complaint));
    }
}

/* Browser sign-in, with test-browser.py as the desktop's web browser. */

static void
identity_control (const char *path,
                  char       *form)
{
  g_autoptr(JsonObject) answer = mail_setup_test_identity_call (SOUP_METHOD_POST, path, form);
}

static JsonObject *
last_authorize_request (void)
{
  return mail_setup_test_identity_call (SOUP_METHOD_GET, "/control/authorize", g_strdup (""));
}

static void
start_browser_sign_in (MailSetupOAuth  *oauth,
                       GCancellable    *cancellable,
                       GAsyncResult   **slot)
{
  mail_setup_oauth_sign_in_with_browser_async (oauth, mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
                                               NULL, cancellable, mail_setup_store_async_result, slot);
  /* The listener is up and the address known before the call returns. */
  g_assert_nonnull (mail_setup_oauth_get_authorize_uri (oauth));
}

static MailSetupOAuthTokens *
finish_browser_sign_in (MailSetupOAuth  *oauth,
                        GAsyncResult   **slot,
                        GError         **error)
{
  return mail_setup_oauth_sign_in_with_browser_finish (oauth, mail_setup_wait_for_async_result (slot),
                                                       error);
}

/* The port of the redirect address inside the authorize address. */
static guint
redirect_port (MailSetupOAuth *oauth)
{
  return mail_setup_test_browser_redirect_port (mail_setup_oauth_get_authorize_uri (oauth));
}

/* A GET to this process's own listener, answered while we wait. */
static guint
get_loopback (guint        port,
              const char  *path_and_query,
              char       **body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u%s", port, path_and_query);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, uri);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  soup_session_set_proxy_resolver (session, NULL);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL,
                                    mail_setup_store_async_result, &result);
  bytes = soup_session_send_and_read_finish (session, mail_setup_wait_for_async_result (&result), &error);
  g_assert_no_error (error);
  if (body != NULL)
    *body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  return soup_message_get_status (message);
}

static MailSetupOAuth *
new_browser_sign_in (const char *mode)
{
  use_identity_server ();
  identity_control ("/control/reset", g_strdup (""));
  mail_setup_test_browser_install ();
  mail_setup_test_browser_use_new_log ();
  mail_setup_test_browser_set_mode (mode);

  return mail_setup_oauth_new ();
}

static void
test_oauth_browser_sign_in (void)
{
  g_autoptr(MailSetupOAuth) oauth = new_browser_sign_in ("follow");
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) visit = NULL;
  g_autoptr(GError) error = NULL;
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  guint port;

  start_browser_sign_in (oauth, NULL, &result);
  port = redirect_port (oauth);
  tokens = finish_browser_sign_in (oauth, &result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  g_assert_true (g_str_has_prefix (mail_setup_oauth_tokens_get_refresh_token (tokens), "rt-"));
  g_assert_null (mail_setup_oauth_get_browser_problem (oauth));

  /* What the browser was sent to, as Microsoft and RFC 8252 want it. */
  request = last_authorize_request ();
  g_assert_cmpstr (json_object_get_string_member (request, "client_id"), ==, DEFAULT_OAUTH_CLIENT_ID);
  g_assert_cmpstr (json_object_get_string_member (request, "response_type"), ==, "code");
  g_assert_cmpstr (json_object_get_string_member (request, "response_mode"), ==, "query");
  g_assert_cmpstr (json_object_get_string_member (request, "code_challenge_method"), ==, "S256");
  g_assert_cmpuint (strlen (json_object_get_string_member (request, "code_challenge")), ==, 43);
  g_assert_cmpstr (json_object_get_string_member (request, "login_hint"), ==, user);
  g_assert_cmpstr (json_object_get_string_member (request, "prompt"), ==, "select_account");
  g_assert_cmpstr (json_object_get_string_member (request, "scope"), ==, MAIL_SETUP_OAUTH_SCOPE);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (request, "redirect_uri"),
                                   "http://127.0.0.1:"));
  /* The identity server checked the verifier against the challenge. */
  g_assert_cmpstr (json_object_get_string_member (request, "pkce"), ==, "ok");

  /* The browser was told it may close the tab. */
  visit = mail_setup_test_browser_wait_for_visit (ANSWER_TIMEOUT_MS);
  g_assert_cmpint (json_object_get_int_member (visit, "status"), ==, 200);
  g_assert_nonnull (strstr (json_object_get_string_member (visit, "page"), "close this tab"));

  /* One answer only: the listener is gone. */
  g_assert_false (mail_setup_test_port_is_open (port));

  /* Dovecot accepts the token the browser sign-in gave. */
  check = new_dovecot_check (user, mail_setup_oauth_tokens_get_access_token (tokens));
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
}

/* Requests without this sign-in's state are answered and ignored; the
 * sign-in goes on. */
static void
test_oauth_browser_wrong_state (void)
{
  g_autoptr(MailSetupOAuth) oauth = new_browser_sign_in ("ignore");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;
  guint port;

  start_browser_sign_in (oauth, cancellable, &result);
  port = redirect_port (oauth);

  g_assert_cmpuint (get_loopback (port, "/?code=stolen&state=not-the-state", &page), ==, 400);
  g_assert_nonnull (strstr (page, "ignored"));
  g_clear_pointer (&page, g_free);
  g_assert_cmpuint (get_loopback (port, "/?code=stolen", NULL), ==, 400);
  g_assert_cmpuint (get_loopback (port, "/?error=access_denied&state=wrong", NULL), ==, 400);
  g_assert_cmpuint (get_loopback (port, "/favicon.ico", NULL), ==, 404);

  /* Still waiting, still listening. */
  g_assert_null (result);
  g_assert_true (mail_setup_test_port_is_open (port));

  g_cancellable_cancel (cancellable);
  tokens = finish_browser_sign_in (oauth, &result, &error);
  g_assert_null (tokens);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Cancel closes the listener at once. */
static void
test_oauth_browser_cancel (void)
{
  g_autoptr(MailSetupOAuth) oauth = new_browser_sign_in ("ignore");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) visit = NULL;
  g_autoptr(GError) error = NULL;
  gint64 cancelled_at;
  guint port;

  start_browser_sign_in (oauth, cancellable, &result);
  port = redirect_port (oauth);

  /* The browser opened the address, and the person walked away. */
  visit = mail_setup_test_browser_wait_for_visit (ANSWER_TIMEOUT_MS);
  g_assert_cmpstr (json_object_get_string_member (visit, "opened"), ==,
                   mail_setup_oauth_get_authorize_uri (oauth));
  g_assert_true (mail_setup_test_port_is_open (port));

  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  tokens = finish_browser_sign_in (oauth, &result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (mail_setup_oauth_error_get_diagnosis (error), ==, MAIL_SETUP_DIAGNOSIS_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, G_USEC_PER_SEC);
  g_assert_false (mail_setup_test_port_is_open (port));
}

static void
test_oauth_browser_timeout (void)
{
  g_autoptr(MailSetupOAuth) oauth = NULL;
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  g_setenv ("MAIL_SETUP_BROWSER_SIGN_IN_TIMEOUT", "1", TRUE);
  oauth = new_browser_sign_in ("ignore");
  g_unsetenv ("MAIL_SETUP_BROWSER_SIGN_IN_TIMEOUT");

  start_browser_sign_in (oauth, NULL, &result);
  g_assert_cmpuint (mail_setup_oauth_get_seconds_left (oauth), <=, 1);
  port = redirect_port (oauth);
  tokens = finish_browser_sign_in (oauth, &result, &error);
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_EXPIRED_TOKEN);
  g_assert_cmpint (mail_setup_oauth_error_get_diagnosis (error), ==, MAIL_SETUP_DIAGNOSIS_SIGN_IN_EXPIRED);
  g_assert_false (mail_setup_test_port_is_open (port));
}

/* Microsoft's error redirects, each told by its code. */
static void
test_oauth_browser_errors (void)
{
  const struct
  {
    const char         *error;
    const char         *code;
    MailSetupDiagnosis  diagnosis;
  } cases[] = {
    { "consent_required", "65001", MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED },
    { "access_denied", "65004", MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED },
    { "invalid_request", "50020", MAIL_SETUP_DIAGNOSIS_SIGN_IN_WRONG_ACCOUNT },
    { "unauthorized_client", "700016", MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED },
    { "invalid_request", "50011", MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED },
    { "access_denied", "53003", MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED },
    { "invalid_request", "90014", MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MailSetupOAuth) oauth = new_browser_sign_in ("follow");
      g_autoptr(MailSetupOAuthTokens) tokens = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonObject) visit = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *aadsts = g_strconcat ("AADSTS", cases[i].code, ":", NULL);
      const char *response;

      g_test_message ("%s %s", cases[i].error, cases[i].code);
      identity_control ("/control/browser",
                        soup_form_encode ("action", "error", "error", cases[i].error,
                                          "code", cases[i].code, NULL));
      start_browser_sign_in (oauth, NULL, &result);
      tokens = finish_browser_sign_in (oauth, &result, &error);
      g_assert_null (tokens);
      g_assert_nonnull (error);
      g_assert_cmpint (mail_setup_oauth_error_get_diagnosis (error), ==, cases[i].diagnosis);

      /* Microsoft's words for a report: its code, never its trace IDs. */
      response = mail_setup_oauth_error_get_server_response (error);
      g_assert_true (g_str_has_prefix (response, cases[i].error));
      g_assert_nonnull (strstr (response, aadsts));
      g_assert_null (strstr (response, "Trace ID"));
      g_assert_null (strstr (response, "Correlation ID"));

      /* The browser was told to go back to Mail Setup. */
      visit = mail_setup_test_browser_wait_for_visit (ANSWER_TIMEOUT_MS);
      g_assert_nonnull (strstr (json_object_get_string_member (visit, "page"), "Go back to Mail Setup"));
    }
}

/* Refusals at the token endpoint: after the user approved a device code
 * (Microsoft's "Block device code flow" policy), and of a saved sign-in. */
static void
test_oauth_token_errors (void)
{
  g_autoptr(MailSetupOAuth) oauth = NULL;
  g_autoptr(MailSetupOAuth) refresher = NULL;
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(MailSetupOAuthTokens) refreshed = NULL;
  g_autoptr(MailSetupOAuthTokens) saved = NULL;
  g_autoptr(GError) error = NULL;
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");

  use_identity_server ();
  identity_control ("/control/reset", g_strdup (""));
  identity_control ("/control/token-error",
                    soup_form_encode ("grant", "device_code", "error", "invalid_grant",
                                      "code", "53003", "suberror", "message_only", NULL));
  oauth = new_code ();
  approve (oauth, user);
  while (tokens == NULL && (error == NULL || mail_setup_oauth_error_is_pending (error)))
    {
      g_clear_error (&error);
      tokens = poll_once (oauth, NULL, &error);
    }
  g_assert_null (tokens);
  g_assert_cmpint (mail_setup_oauth_error_get_diagnosis (error), ==, MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED);
  g_assert_nonnull (strstr (mail_setup_oauth_error_get_server_response (error),
                            "invalid_grant: AADSTS53003:"));
  g_clear_error (&error);

  /* A saved sign-in that Microsoft let expire. */
  refresher = new_code ();
  approve (refresher, user);
  while (saved == NULL && (error == NULL || mail_setup_oauth_error_is_pending (error)))
    {
      g_clear_error (&error);
      saved = poll_once (refresher, NULL, &error);
    }
  g_assert_no_error (error);
  identity_control ("/control/token-error",
                    soup_form_encode ("grant", "refresh_token", "error", "invalid_grant",
                                      "code", "700082", NULL));
  refreshed = refresh (refresher, mail_setup_oauth_tokens_get_refresh_token (saved), &error);
  g_assert_null (refreshed);
  g_assert_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_INVALID_GRANT);
  g_assert_cmpint (mail_setup_oauth_error_get_diagnosis (error), ==,
                   MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED);
  g_assert_nonnull (strstr (mail_setup_oauth_error_get_server_response (error), "AADSTS700082"));
  identity_control ("/control/reset", g_strdup (""));
}

/* The command line in a configuration folder of its own (no saved account
 * but those it saves itself), with the test browser as its web browser. */
static char *
new_config_home (const char *mode)
{
  g_autofree char *config_home = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                                                   "test-oauth-cli-XXXXXX", NULL);

  g_assert_nonnull (g_mkdtemp (config_home));
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  mail_setup_test_browser_install ();
  mail_setup_test_browser_use_new_log ();
  mail_setup_test_browser_set_mode (mode);
  use_identity_server ();
  identity_control ("/control/reset", g_strdup (""));

  return g_steal_pointer (&config_home);
}

/* Runs mail-setup with ARGS and a display (so that a browser can be
 * opened); returns its exit status, its standard output and error. */
static int
run_command_line (const char * const  *args,
                  char               **out,
                  char               **err)
{
  g_autoptr(MailSetupTestProgramResult) result = NULL;

  result = mail_setup_test_program_run (args, NULL, MAIL_SETUP_TEST_PROGRAM_WITH_DISPLAY, NULL);
  *out = g_steal_pointer (&result->out);
  *err = g_steal_pointer (&result->err);

  return result->status;
}

static int
run_json_check (const char  *extra_argument,
                const char  *email,
                JsonObject **report,
                char       **err)
{
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT"));
  g_autofree char *smtp_port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_OAUTH_SUBMISSION_PORT"));
  g_autofree char *out = NULL;
  const char *args[] = {
    "--check", "--auth", "oauth2", "--email", email, "--server", "127.0.0.1", "--port", port,
    "--smtp-server", "127.0.0.1", "--smtp-port", smtp_port,
    "--ca-file", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), "--timeout", "5", "--json",
    extra_argument, NULL
  };
  int status = run_command_line (args, &out, err);

  *report = mail_setup_test_program_parse_report (out);
  return status;
}

static const char *
report_string (JsonObject *report,
               const char *name)
{
  return json_object_get_null_member (report, name) ? NULL : json_object_get_string_member (report, name);
}

/* Signs in through the browser, saves, and the next check reuses the
 * saved sign-in without opening the browser again. */
static void
test_oauth_command_line_browser (void)
{
  g_autofree char *config_home = new_config_home ("follow");
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) request_after = NULL;
  g_autoptr(JsonObject) visit = NULL;
  g_autofree char *err = NULL;
  g_autofree char *err_again = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *rotated = NULL;
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");

  g_assert_cmpint (run_json_check ("--store", user, &first, &err), ==, 0);
  g_assert_cmpstr (report_string (first, "diagnosis"), ==, "ok");
  g_assert_cmpstr (report_string (first, "sign_in"), ==, "browser");
  /* The address is printed even though the browser opened. */
  request = last_authorize_request ();
  g_assert_nonnull (strstr (err, "/oauth2/v2.0/authorize?client_id="));
  g_assert_nonnull (strstr (err, "Signed in with Microsoft."));
  visit = mail_setup_test_browser_wait_for_visit (ANSWER_TIMEOUT_MS);
  g_assert_nonnull (strstr (json_object_get_string_member (visit, "page"), "close this tab"));
  saved = stored_refresh_token ();
  g_assert_true (g_str_has_prefix (saved, "rt-"));

  /* Again: the saved sign-in is refreshed, no browser is opened, and the
   * rotated refresh token replaces the old one, which is now dead. */
  g_assert_cmpint (run_json_check (NULL, user, &second, &err_again), ==, 0);
  g_assert_cmpstr (report_string (second, "diagnosis"), ==, "ok");
  /* The one refreshed token signed in to the outgoing server too. */
  g_assert_cmpstr (report_string (json_object_get_object_member (second, "smtp"), "diagnosis"), ==,
                   "ok");
  g_assert_cmpstr (report_string (second, "sign_in"), ==, "saved");
  g_assert_null (strstr (err_again, "authorize?"));
  request_after = last_authorize_request ();
  g_assert_cmpstr (json_object_get_string_member (request_after, "state"), ==,
                   json_object_get_string_member (request, "state"));
  rotated = stored_refresh_token ();
  g_assert_true (g_str_has_prefix (rotated, "rt-"));
  g_assert_cmpstr (rotated, !=, saved);
}

/* Every way a sign-in can fail reaches --json as one object with its
 * diagnosis and remedy, and what Microsoft said. */
static void
test_oauth_command_line_failures (void)
{
  const struct
  {
    const char *error;
    const char *code;
    const char *diagnosis;
    const char *remedy;
  } cases[] = {
    { "consent_required", "65001", "sign-in-consent-required", "admin-consent" },
    { "access_denied", "53003", "sign-in-blocked", "blocked-by-policy" },
    { "access_denied", "65004", "sign-in-declined", "sign-in-again" },
    { "invalid_request", "50020", "sign-in-wrong-account", "sign-in-right-account" },
    { "unauthorized_client", "700016", "sign-in-app-rejected", "sign-in-app-settings" },
    { "invalid_request", "90014", "sign-in-refused", "sign-in-refused" },
  };
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *config_home = new_config_home ("follow");
      g_autoptr(JsonObject) report = NULL;
      g_autofree char *err = NULL;
      g_autofree char *aadsts = g_strconcat ("AADSTS", cases[i].code, NULL);
      JsonArray *stages;

      identity_control ("/control/browser",
                        soup_form_encode ("action", "error", "error", cases[i].error,
                                          "code", cases[i].code, NULL));
      g_assert_cmpint (run_json_check ("--sign-in=browser", user, &report, &err), ==, 1);
      g_assert_cmpstr (report_string (report, "diagnosis"), ==, cases[i].diagnosis);
      g_assert_cmpstr (report_string (report, "remedy"), ==, cases[i].remedy);
      g_assert_cmpstr (report_string (report, "sign_in"), ==, "browser");
      g_assert_nonnull (strstr (report_string (report, "server_response"), aadsts));
      g_assert_null (strstr (report_string (report, "server_response"), "Trace ID"));
      /* No server was asked. */
      stages = json_object_get_array_member (report, "stages");
      for (guint j = 0; j < json_array_get_length (stages); j++)
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (stages, j), "status"),
                         ==, "skipped");
    }
}

/* The browser never comes back; Microsoft cannot be reached; a saved
 * sign-in that Microsoft no longer takes. */
static void
test_oauth_command_line_expired_and_unreachable (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  g_autofree char *config_home = new_config_home ("ignore");
  g_autoptr(JsonObject) expired = NULL;
  g_autoptr(JsonObject) unreachable = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) saved_expired = NULL;
  g_autoptr(JsonObject) nothing_saved = NULL;
  g_autofree char *err = NULL;
  g_autofree char *err_unreachable = NULL;
  g_autofree char *err_first = NULL;
  g_autofree char *err_saved = NULL;
  g_autofree char *err_nothing = NULL;
  g_autofree char *closed = NULL;

  g_setenv ("MAIL_SETUP_BROWSER_SIGN_IN_TIMEOUT", "1", TRUE);
  g_assert_cmpint (run_json_check ("--sign-in=browser", user, &expired, &err), ==, 1);
  g_unsetenv ("MAIL_SETUP_BROWSER_SIGN_IN_TIMEOUT");
  g_assert_cmpstr (report_string (expired, "diagnosis"), ==, "sign-in-expired");
  g_assert_cmpstr (report_string (expired, "remedy"), ==, "sign-in-again");

  closed = g_strdup_printf ("http://127.0.0.1:%u", mail_setup_test_closed_port ());
  g_setenv (AUTHORITY_VARIABLE, closed, TRUE);
  g_assert_cmpint (run_json_check ("--sign-in=device", user, &unreachable, &err_unreachable), ==, 1);
  use_identity_server ();
  g_assert_cmpstr (report_string (unreachable, "diagnosis"), ==, "sign-in-unreachable");
  g_assert_cmpstr (report_string (unreachable, "sign_in"), ==, "device");

  /* --sign-in saved never starts a new sign-in. */
  g_assert_cmpint (run_json_check ("--sign-in=saved", user, &nothing_saved, &err_nothing), ==, 1);
  g_assert_cmpstr (report_string (nothing_saved, "diagnosis"), ==, "sign-in-saved-expired");

  mail_setup_test_browser_set_mode ("follow");
  g_assert_cmpint (run_json_check ("--store", user, &first, &err_first), ==, 0);
  identity_control ("/control/token-error",
                    soup_form_encode ("grant", "refresh_token", "error", "invalid_grant",
                                      "code", "700082", NULL));
  g_assert_cmpint (run_json_check ("--sign-in=saved", user, &saved_expired, &err_saved), ==, 1);
  g_assert_cmpstr (report_string (saved_expired, "diagnosis"), ==, "sign-in-saved-expired");
  g_assert_cmpstr (report_string (saved_expired, "remedy"), ==, "sign-in-again");
  g_assert_cmpstr (report_string (saved_expired, "sign_in"), ==, "saved");
  g_assert_nonnull (strstr (report_string (saved_expired, "server_response"), "AADSTS700082"));
}

/* The browser signs in as another account: Dovecot refuses the token for
 * the address typed. The token is renewed once before that is believed. */
static void
test_oauth_command_line_token_refused (void)
{
  g_autofree char *config_home = new_config_home ("follow");
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *err = NULL;

  identity_control ("/control/browser",
                    soup_form_encode ("action", "approve", "username", OTHER_USER, NULL));
  g_assert_cmpint (run_json_check ("--sign-in=browser", mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
                                   &report, &err), ==, 1);
  g_assert_cmpstr (report_string (report, "diagnosis"), ==, "oauth-token-refused");
  g_assert_cmpstr (report_string (report, "remedy"), ==, "mailbox-imap-access");
  g_assert_nonnull (strstr (err, "Renewing it and testing once more"));
}

/* A usage error with --json is one JSON object too, exit status 2. */
static void
test_oauth_command_line_json_usage (void)
{
  const struct
  {
    const char *args[12];
    const char *complaint;
  } wrong[] = {
    { { "--check", "--auth", "oauth2", "--sign-in", "carrier-pigeon", "--email",
        "user@example.test", "--server", "127.0.0.1", "--json", NULL },
      "--sign-in must be" },
    { { "--list", "--json", NULL }, "--json goes with --check" },
    { { "--check", "--json", "--no-such-option", NULL }, "--no-such-option" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr(JsonObject) report = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (run_command_line (wrong[i].args, &out, &err), ==, 2);
      report = mail_setup_test_program_parse_report (out);
      g_assert_null (report_string (report, "diagnosis"));
      g_assert_cmpstr (report_string (report, "error"), ==, "usage");
      g_assert_nonnull (strstr (report_string (report, "message"), wrong[i].complaint));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_home = NULL;

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  g_test_init (&argc, &argv, NULL);

  /* Saved accounts of our own, apart from the other tests running now. */
  config_home = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                                  "test-oauth-config-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (config_home));
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);

  g_test_add_func ("/oauth/configuration", test_oauth_configuration);
  g_test_add_func ("/oauth/refuses-insecure-authority", test_oauth_refuses_insecure_authority);
  g_test_add_func ("/oauth/refused", test_oauth_refused);
  g_test_add_func ("/oauth/sign-in-and-refresh", test_oauth_sign_in_and_refresh);
  g_test_add_func ("/oauth/refresh-token-in-keyring", test_oauth_refresh_token_in_keyring);
  g_test_add_func ("/oauth/slow-down", test_oauth_slow_down);
  g_test_add_func ("/oauth/expired", test_oauth_expired);
  g_test_add_func ("/oauth/expires-while-waiting", test_oauth_expires_while_waiting);
  g_test_add_func ("/oauth/denied", test_oauth_denied);
  g_test_add_func ("/oauth/dovecot-refuses-bad-token", test_oauth_dovecot_refuses_bad_token);
  g_test_add_func ("/oauth/microsoft-xoauth2", test_oauth_microsoft_xoauth2);
  g_test_add_func ("/oauth/xoauth2-without-sasl-ir", test_oauth_xoauth2_without_sasl_ir);
  g_test_add_func ("/oauth/server-without-xoauth2", test_oauth_server_without_xoauth2);
  g_test_add_func ("/oauth/command-line", test_oauth_command_line);
  g_test_add_func ("/oauth/command-line-usage", test_oauth_command_line_usage);
  g_test_add_func ("/oauth/browser/sign-in", test_oauth_browser_sign_in);
  g_test_add_func ("/oauth/browser/wrong-state", test_oauth_browser_wrong_state);
  g_test_add_func ("/oauth/browser/cancel", test_oauth_browser_cancel);
  g_test_add_func ("/oauth/browser/timeout", test_oauth_browser_timeout);
  g_test_add_func ("/oauth/browser/errors", test_oauth_browser_errors);
  g_test_add_func ("/oauth/token-errors", test_oauth_token_errors);
  g_test_add_func ("/oauth/command-line/browser", test_oauth_command_line_browser);
  g_test_add_func ("/oauth/command-line/failures", test_oauth_command_line_failures);
  g_test_add_func ("/oauth/command-line/expired-and-unreachable",
                   test_oauth_command_line_expired_and_unreachable);
  g_test_add_func ("/oauth/command-line/token-refused", test_oauth_command_line_token_refused);
  g_test_add_func ("/oauth/command-line/json-usage", test_oauth_command_line_json_usage);

  return g_test_run ();
}
