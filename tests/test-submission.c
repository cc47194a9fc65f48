/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The SMTP check against a real submission server: Dovecot's submission
 * service on the main test Dovecot (passwords) and on the OAuth one (tokens
 * that the identity server issued), relaying to tests/servers/smtp-sink.py.
 * The check asks the server to take mail from the sender and takes that
 * back: during every test, nothing may reach the sink. The sink is not
 * empty: test-export-live sends real messages through it. The two never
 * run at once (both are serial tests), so a sink that grew during a test
 * here grew because of the check. */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "mail-setup-check.h"
#include "mail-setup-core.h"
#include "mail-setup-oauth.h"
#include "mail-setup-test-check.h"
#include "mail-setup-test-identity.h"
#include "mail-setup-test-util.h"

#define AUTHORITY_VARIABLE "MAIL_SETUP_OAUTH_AUTHORITY"

/* The sink's size when the test began: when the run began, then when the
 * previous test, each of which ends in assert_nothing_sent(), ended. */
static goffset sink_size_before;

static goffset
sink_size (void)
{
  GStatBuf status;

  g_assert_cmpint (g_stat (mail_setup_test_service_env ("MAIL_SETUP_TEST_SMTP_SINK_FILE"),
                           &status), ==, 0);
  return status.st_size;
}

static void
assert_nothing_sent (void)
{
  goffset size = sink_size ();

  g_assert_cmpint (size, ==, sink_size_before);
  sink_size_before = size;
}

/* The sink saw a line from Dovecot that starts with LINE: what the check
 * asked reached the server that would have taken the mail on. */
static gboolean
sink_saw (const char *line)
{
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *needle = g_strconcat (": ", line, NULL);

  g_file_get_contents (mail_setup_test_service_env ("MAIL_SETUP_TEST_SMTP_SINK_LOG"), &log,
                       NULL, &error);
  g_assert_no_error (error);
  return strstr (log, needle) != NULL;
}

static MailSetupCheck *
new_submission_check (const char        *port_variable,
                      MailSetupSecurity  security)
{
  MailSetupCheck *check;

  check = mail_setup_check_new_smtp ("127.0.0.1", mail_setup_test_service_port (port_variable),
                                     security, mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, 5);

  return check;
}

static void
assert_secret_hidden (MailSetupCheck *check,
                      const char     *secret)
{
  const char * const *transcript = mail_setup_check_get_transcript (check);
  g_autofree char *report = mail_setup_check_to_text_report (check);
  g_autofree char *json = mail_setup_check_to_json (check);

  g_assert_nonnull (transcript);
  for (guint i = 0; transcript[i] != NULL; i++)
    g_assert_null (strstr (transcript[i], secret));
  g_assert_null (strstr (report, secret));
  g_assert_null (strstr (json, secret));
}

static void
assert_all_stages_ok (MailSetupCheck *check)
{
  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    {
      g_test_message ("stage %s", mail_setup_check_get_stage_name (check, i));
      g_assert_cmpint (mail_setup_check_get_stage_status (check, i), ==,
                       MAIL_SETUP_STAGE_STATUS_OK);
    }
}

static gboolean
has_extension (MailSetupCheck *check,
               const char     *prefix)
{
  const char * const *extensions = mail_setup_check_get_capabilities (check);

  for (guint i = 0; extensions != NULL && extensions[i] != NULL; i++)
    if (g_ascii_strncasecmp (extensions[i], prefix, strlen (prefix)) == 0)
      return TRUE;
  return FALSE;
}

/* An access token for the test user, as Microsoft sign-in gives one: the
 * device code flow against the identity server, approved at once. */
static char *
identity_server_token (void)
{
  g_autoptr(MailSetupOAuth) oauth = NULL;
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv (AUTHORITY_VARIABLE, mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"), TRUE);
  oauth = mail_setup_oauth_new ();
  mail_setup_oauth_request_code_async (oauth, NULL, mail_setup_store_async_result, &result);
  g_assert_true (mail_setup_oauth_request_code_finish (oauth, mail_setup_wait_for_async_result (&result),
                                                       &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  mail_setup_test_identity_approve (mail_setup_oauth_get_user_code (oauth),
                                    mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  mail_setup_oauth_poll_async (oauth, NULL, mail_setup_store_async_result, &result);
  tokens = mail_setup_oauth_poll_finish (oauth, mail_setup_wait_for_async_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);

  return g_strdup (mail_setup_oauth_tokens_get_access_token (tokens));
}

static void
test_submission_password_ok (gconstpointer data)
{
  const char *port_variable = data;
  g_autoptr(MailSetupCheck) check = NULL;
  const MailSetupTlsInfo *tls;
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");
  MailSetupSecurity security = g_str_has_suffix (port_variable, "_SUBMISSIONS_PORT")
                               ? MAIL_SETUP_SECURITY_SSL_TLS : MAIL_SETUP_SECURITY_STARTTLS;

  check = new_submission_check (port_variable, security);
  mail_setup_check_set_password (check, password);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  g_assert_cmpint (mail_setup_check_get_protocol (check), ==, MAIL_SETUP_PROTOCOL_SMTP);
  assert_all_stages_ok (check);
  g_assert_null (mail_setup_check_get_failed_check (check));

  tls = mail_setup_check_get_tls_info (check);
  g_assert_nonnull (tls);
  g_assert_true (g_str_equal (tls->version, "TLS1.3") || g_str_equal (tls->version, "TLS1.2"));
  g_assert_nonnull (strstr (tls->issuer, "Mail Setup Test CA"));
  g_assert_nonnull (strstr (tls->subject, "CN=localhost"));

  /* The extensions are those offered inside TLS, where Dovecot offers
   * AUTH and no longer STARTTLS. */
  g_assert_true (has_extension (check, "AUTH"));
  g_assert_false (has_extension (check, "STARTTLS"));

  /* MAIL FROM went as far as the server that would take the mail on. */
  g_assert_cmpstr (mail_setup_check_get_sender (check), ==,
                   mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  g_assert_true (sink_saw ("MAIL FROM:<user@example.test>"));

  assert_secret_hidden (check, password);
  assert_nothing_sent ();
}

/* Dovecot's own words reach the user, and the stage after sign-in is never
 * tried. */
static void
test_submission_wrong_password (void)
{
  g_autoptr(MailSetupCheck) check = NULL;
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD");

  check = new_submission_check ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT",
                                MAIL_SETUP_SECURITY_STARTTLS);
  mail_setup_check_set_password (check, password);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED);
  g_assert_cmpstr (mail_setup_check_get_server_response (check), ==,
                   "535 5.7.8 Authentication failed.");
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_TLS), ==,
                   MAIL_SETUP_STAGE_STATUS_OK);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_SIGN_IN), ==,
                   MAIL_SETUP_STAGE_STATUS_FAILED);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_MAILBOX), !=,
                   MAIL_SETUP_STAGE_STATUS_OK);
  g_assert_true (mail_setup_check_get_failed_check (check) == check);

  assert_secret_hidden (check, password);
  assert_nothing_sent ();
}

static void
test_submission_oauth_ok (void)
{
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *token = identity_server_token ();

  check = new_submission_check ("MAIL_SETUP_TEST_DOVECOT_OAUTH_SUBMISSION_PORT",
                                MAIL_SETUP_SECURITY_STARTTLS);
  mail_setup_check_set_access_token (check, token);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  assert_all_stages_ok (check);
  g_assert_true (has_extension (check, "AUTH"));

  assert_secret_hidden (check, token);
  assert_nothing_sent ();
}

/* A token that the identity server never issued: Dovecot asks it, sends
 * its reasons in a challenge, then says 535, which an SMTP check reports as
 * a refused sign-in with the server's words (IMAP's refused-token remedy,
 * turning IMAP on for the mailbox, is no help for sending). */
static void
test_submission_oauth_refused (void)
{
  g_autoptr(MailSetupCheck) check = NULL;
  const char *token = "at-never-issued-by-the-identity-server";

  check = new_submission_check ("MAIL_SETUP_TEST_DOVECOT_OAUTH_SUBMISSION_PORT",
                                MAIL_SETUP_SECURITY_STARTTLS);
  mail_setup_check_set_access_token (check, token);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_SIGN_IN), ==,
                   MAIL_SETUP_STAGE_STATUS_FAILED);
  g_assert_nonnull (strstr (mail_setup_check_get_server_response (check), "535"));

  assert_secret_hidden (check, token);
  assert_nothing_sent ();
}

/* Implicit TLS against the STARTTLS port: Dovecot greets in plain text,
 * which is no TLS handshake. */
static void
test_submission_tls_on_starttls_port (void)
{
  g_autoptr(MailSetupCheck) check = NULL;

  check = new_submission_check ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT",
                                MAIL_SETUP_SECURITY_SSL_TLS);
  mail_setup_check_set_password (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_TLS_FAILED);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_TLS), ==,
                   MAIL_SETUP_STAGE_STATUS_FAILED);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_SIGN_IN), !=,
                   MAIL_SETUP_STAGE_STATUS_OK);
  assert_nothing_sent ();
}

/* STARTTLS against the implicit TLS port: Dovecot waits for a TLS
 * handshake and says nothing; when the wait for the greeting is over, a
 * handshake shows what the server expects. */
static void
test_submission_starttls_on_tls_port (void)
{
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *finding = NULL;

  check = new_submission_check ("MAIL_SETUP_TEST_DOVECOT_SUBMISSIONS_PORT",
                                MAIL_SETUP_SECURITY_STARTTLS);
  mail_setup_check_set_password (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  mail_setup_check_set_timeout (check, 1);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_NOT_SMTP);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_GREETING), ==,
                   MAIL_SETUP_STAGE_STATUS_FAILED);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_SIGN_IN), !=,
                   MAIL_SETUP_STAGE_STATUS_OK);
  finding = mail_setup_check_describe_finding (check);
  g_assert_nonnull (finding);
  g_assert_nonnull (strstr (finding, "expects a secure connection from the start"));
  assert_nothing_sent ();
}

/* The IMAP port is no SMTP server: the check says what answered. */
static void
test_submission_imap_port (void)
{
  g_autoptr(MailSetupCheck) check = NULL;

  check = new_submission_check ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT",
                                MAIL_SETUP_SECURITY_SSL_TLS);
  mail_setup_check_set_password (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_NOT_SMTP);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_GREETING), ==,
                   MAIL_SETUP_STAGE_STATUS_FAILED);
  g_assert_cmpstr (mail_setup_check_get_detected_protocol (check), ==, "imap");
  assert_nothing_sent ();
}

/* An IMAP check with its outgoing check, as the window runs them: the same
 * password serves both, and both end well. */
static void
test_submission_with_imap (gconstpointer data)
{
  const char *imap_port_variable = data;
  gboolean oauth = strstr (imap_port_variable, "_OAUTH_") != NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(MailSetupCheck) outgoing = NULL;
  g_autofree char *token = oauth ? identity_server_token () : NULL;

  check = mail_setup_check_new ("127.0.0.1", mail_setup_test_service_port (imap_port_variable),
                                MAIL_SETUP_SECURITY_SSL_TLS,
                                mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  if (oauth)
    mail_setup_check_set_access_token (check, token);
  else
    mail_setup_check_set_password (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, 5);
  outgoing = new_submission_check (oauth ? "MAIL_SETUP_TEST_DOVECOT_OAUTH_SUBMISSION_PORT"
                                         : "MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT",
                                   MAIL_SETUP_SECURITY_STARTTLS);
  mail_setup_check_set_outgoing (check, outgoing);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  g_assert_true (mail_setup_check_get_finished (outgoing));
  mail_setup_test_check_assert_diagnosis (mail_setup_check_get_diagnosis (outgoing),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  assert_all_stages_ok (check);
  assert_all_stages_ok (outgoing);
  g_assert_null (mail_setup_check_get_failed_check (check));
  g_assert_true (has_extension (outgoing, "AUTH"));
  if (oauth)
    {
      assert_secret_hidden (check, token);
      assert_secret_hidden (outgoing, token);
    }
  assert_nothing_sent ();
}

/* The outgoing server refuses a password that the incoming one takes: the
 * IMAP check still ends well, and the failure to show is the outgoing
 * one's. */
static void
test_submission_with_imap_outgoing_refused (void)
{
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(MailSetupCheck) outgoing = NULL;

  check = mail_setup_check_new ("127.0.0.1",
                                mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"),
                                MAIL_SETUP_SECURITY_SSL_TLS,
                                mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"));
  mail_setup_check_set_password (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, 5);
  outgoing = new_submission_check ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT",
                                   MAIL_SETUP_SECURITY_STARTTLS);
  mail_setup_check_set_password (outgoing,
                                 mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD"));
  mail_setup_check_set_outgoing (check, outgoing);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  mail_setup_test_check_assert_diagnosis (mail_setup_check_get_diagnosis (outgoing),
                                          MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED);
  g_assert_true (mail_setup_check_get_failed_check (check) == outgoing);
  assert_nothing_sent ();
}

int
main (int   argc,
      char *argv[])
{
  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  g_test_init (&argc, &argv, NULL);
  sink_size_before = sink_size ();

  g_test_add_data_func ("/submission/password/starttls", "MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT",
                        test_submission_password_ok);
  g_test_add_data_func ("/submission/password/implicit-tls",
                        "MAIL_SETUP_TEST_DOVECOT_SUBMISSIONS_PORT", test_submission_password_ok);
  g_test_add_data_func ("/submission/password/oauth-server",
                        "MAIL_SETUP_TEST_DOVECOT_OAUTH_SUBMISSION_PORT",
                        test_submission_password_ok);
  g_test_add_func ("/submission/password/wrong", test_submission_wrong_password);
  g_test_add_func ("/submission/oauth/ok", test_submission_oauth_ok);
  g_test_add_func ("/submission/oauth/refused", test_submission_oauth_refused);
  g_test_add_func ("/submission/security/tls-on-starttls-port",
                   test_submission_tls_on_starttls_port);
  g_test_add_func ("/submission/security/starttls-on-tls-port",
                   test_submission_starttls_on_tls_port);
  g_test_add_func ("/submission/imap-port", test_submission_imap_port);
  g_test_add_data_func ("/submission/with-imap/password", "MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT",
                        test_submission_with_imap);
  g_test_add_data_func ("/submission/with-imap/oauth", "MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT",
                        test_submission_with_imap);
  g_test_add_func ("/submission/with-imap/outgoing-refused",
                   test_submission_with_imap_outgoing_refused);

  return g_test_run ();
}
