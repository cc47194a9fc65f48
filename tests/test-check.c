/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The connection check against the real test Dovecot and against our
 * scripted servers that answer as Microsoft's do. */

#include "mail-setup-check.h"
#include "mail-setup-test-check.h"
#include "mail-setup-test-server.h"
#include "mail-setup-test-util.h"

static MailSetupDiagnosis
run_check (MailSetupCheck *check)
{
  return mail_setup_test_check_run (check, 0, NULL);
}

static MailSetupCheck *
new_dovecot_check (const char        *port_variable,
                   MailSetupSecurity  security,
                   const char        *user_variable,
                   const char        *password_variable)
{
  MailSetupCheck *check;

  check = mail_setup_check_new ("127.0.0.1", mail_setup_test_service_port (port_variable),
                                security, mail_setup_test_service_env (user_variable));
  mail_setup_check_set_password (check, mail_setup_test_service_env (password_variable));
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, 5);

  return check;
}

static void
assert_diagnosis (MailSetupDiagnosis actual,
                  MailSetupDiagnosis expected)
{
  g_assert_cmpstr (mail_setup_diagnosis_to_string (actual), ==,
                   mail_setup_diagnosis_to_string (expected));
}

static void
test_check_dovecot_ok (void)
{
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(GPtrArray) events = NULL;
  const MailSetupTlsInfo *tls;
  const char *expected_events[] = {
    "start resolve", "ok resolve", "start connect", "ok connect", "start tls", "ok tls",
    "start greeting", "ok greeting", "start sign-in", "ok sign-in", "start mailbox",
    "ok mailbox", "start logout", "ok logout",
  };

  check = new_dovecot_check ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT", MAIL_SETUP_SECURITY_SSL_TLS,
                             "MAIL_SETUP_TEST_USER", "MAIL_SETUP_TEST_PASSWORD");

  assert_diagnosis (mail_setup_test_check_run (check, 0, &events), MAIL_SETUP_DIAGNOSIS_OK);

  /* Every stage was reported as it started and ended, in order. */
  g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (expected_events));
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpstr (g_ptr_array_index (events, i), ==, expected_events[i]);
  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    g_assert_cmpint (mail_setup_check_get_stage_status (check, i), ==, MAIL_SETUP_STAGE_STATUS_OK);

  tls = mail_setup_check_get_tls_info (check);
  g_assert_nonnull (tls);
  g_assert_true (g_str_equal (tls->version, "TLS1.3") || g_str_equal (tls->version, "TLS1.2"));
  g_assert_nonnull (strstr (tls->issuer, "Mail Setup Test CA"));
  g_assert_nonnull (strstr (tls->subject, "CN=localhost"));
  g_assert_cmpuint (strlen (tls->sha256), ==, 32 * 3 - 1);
  g_assert_nonnull (tls->not_after);
  g_assert_true (g_strv_contains (mail_setup_check_get_capabilities (check), "IMAP4REV1"));
  g_assert_false (mail_setup_check_get_is_microsoft (check));
  g_assert_nonnull (mail_setup_check_get_sign_in_time (check));
}

static void
test_check_dovecot_starttls_ok (void)
{
  g_autoptr(MailSetupCheck) check = NULL;

  check = new_dovecot_check ("MAIL_SETUP_TEST_DOVECOT_IMAP_PORT", MAIL_SETUP_SECURITY_STARTTLS,
                             "MAIL_SETUP_TEST_USER", "MAIL_SETUP_TEST_PASSWORD");

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_OK);
  g_assert_nonnull (mail_setup_check_get_tls_info (check));
  /* The capabilities are the ones read again inside TLS. */
  g_assert_false (g_strv_contains (mail_setup_check_get_capabilities (check), "STARTTLS"));
}

static void
test_check_dovecot_wrong_password (void)
{
  g_autoptr(MailSetupCheck) check = NULL;

  check = new_dovecot_check ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT", MAIL_SETUP_SECURITY_SSL_TLS,
                             "MAIL_SETUP_TEST_USER", "MAIL_SETUP_TEST_ODD_PASSWORD");

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_AUTH_FAILED);
  g_assert_cmpstr (mail_setup_diagnosis_get_remedy (mail_setup_check_get_diagnosis (check)), ==,
                   "check-password");
  g_assert_cmpstr (mail_setup_check_get_server_response (check), ==,
                   "NO [AUTHENTICATIONFAILED] Authentication failed.");
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_SIGN_IN), ==,
                   MAIL_SETUP_STAGE_STATUS_FAILED);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_MAILBOX), ==,
                   MAIL_SETUP_STAGE_STATUS_SKIPPED);
}

static void
test_check_dovecot_odd_password (void)
{
  g_autoptr(MailSetupCheck) check = NULL;
  const char * const *transcript;

  check = new_dovecot_check ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT", MAIL_SETUP_SECURITY_SSL_TLS,
                             "MAIL_SETUP_TEST_ODD_USER", "MAIL_SETUP_TEST_ODD_PASSWORD");

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_OK);

  transcript = mail_setup_check_get_transcript (check);
  for (guint i = 0; transcript[i] != NULL; i++)
    g_assert_null (strstr (transcript[i], "Grüße"));
}

static void
test_check_closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(MailSetupCheck) check = NULL;
  guint16 port;

  /* A port that was free a moment ago and that nothing listens on. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  address = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  check = mail_setup_check_new ("127.0.0.1", port, MAIL_SETUP_SECURITY_SSL_TLS, "user@example.test");
  mail_setup_check_set_password (check, "irrelevant");

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_CONNECT_REFUSED);
  g_assert_cmpstr (mail_setup_diagnosis_get_remedy (MAIL_SETUP_DIAGNOSIS_CONNECT_REFUSED), ==,
                   "check-server-settings");
}

static void
test_check_dns_failed (void)
{
  g_autoptr(MailSetupCheck) check = NULL;

  /* .invalid never resolves (RFC 6761), with or without a network. */
  check = mail_setup_check_new ("imap.mail-setup-test.invalid", 993, MAIL_SETUP_SECURITY_SSL_TLS,
                                "user@example.test");
  mail_setup_check_set_password (check, "irrelevant");
  mail_setup_check_set_timeout (check, 3);

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_DNS_FAILED);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_CONNECT), ==,
                   MAIL_SETUP_STAGE_STATUS_SKIPPED);
}

static void
test_check_untrusted_without_test_ca (void)
{
  g_autoptr(MailSetupCheck) check = NULL;

  check = mail_setup_check_new ("127.0.0.1",
                                mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"),
                                MAIL_SETUP_SECURITY_SSL_TLS, "user@example.test");
  mail_setup_check_set_password (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED);
  /* The certificate is still described, so the user can see what it is. */
  g_assert_nonnull (mail_setup_check_get_tls_info (check));
  g_assert_nonnull (strstr (mail_setup_check_get_tls_info (check)->issuer, "Mail Setup Test CA"));
  g_assert_null (mail_setup_check_get_sign_in_time (check));
}

static void
test_check_wrong_name (void)
{
  g_autoptr(MailSetupCheck) check = NULL;

  check = new_dovecot_check ("MAIL_SETUP_TEST_DOVECOT_WRONG_NAME_IMAPS_PORT",
                             MAIL_SETUP_SECURITY_SSL_TLS,
                             "MAIL_SETUP_TEST_USER", "MAIL_SETUP_TEST_PASSWORD");

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_TLS_HOSTNAME_MISMATCH);
  g_assert_nonnull (strstr (mail_setup_check_get_tls_info (check)->subject, "mail.example.test"));
}

static void
test_check_expired (void)
{
  g_autoptr(MailSetupCheck) check = NULL;

  check = new_dovecot_check ("MAIL_SETUP_TEST_DOVECOT_EXPIRED_IMAPS_PORT",
                             MAIL_SETUP_SECURITY_SSL_TLS,
                             "MAIL_SETUP_TEST_USER", "MAIL_SETUP_TEST_PASSWORD");

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_TLS_EXPIRED);
}

/* Scripted servers. */

static MailSetupCheck *
new_scripted_check (MailSetupTestServer *server,
                    MailSetupSecurity    security)
{
  MailSetupCheck *check;

  check = mail_setup_check_new ("127.0.0.1", mail_setup_test_server_get_port (server), security,
                                "someone@outlook.com");
  mail_setup_check_set_password (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, 5);

  return check;
}

typedef struct
{
  const char         *scenario;
  MailSetupDiagnosis  expected;
  const char         *expected_response;
} ScriptedCase;

static void
test_check_scripted (gconstpointer data)
{
  const ScriptedCase *scripted = data;
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;

  server = mail_setup_test_server_start (scripted->scenario, "--user", "someone@outlook.com", NULL);
  check = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS);

  assert_diagnosis (run_check (check), scripted->expected);
  if (scripted->expected_response != NULL)
    g_assert_cmpstr (mail_setup_check_get_server_response (check), ==, scripted->expected_response);
  /* The greeting says "Microsoft Exchange", with no provider given. */
  g_assert_true (mail_setup_check_get_is_microsoft (check));
}

static const ScriptedCase scripted_cases[] = {
  { "ms-ok", MAIL_SETUP_DIAGNOSIS_OK, NULL },
  { "ms-login-failed", MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED, "NO AUTHENTICATE failed." },
  { "ms-basic-auth-blocked", MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED, NULL },
  { "ms-basic-auth-disabled", MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED,
    "NO Basic authentication is disabled." },
  { "ms-account-blocked", MAIL_SETUP_DIAGNOSIS_MS_ACCOUNT_BLOCKED, NULL },
  { "ms-not-connected", MAIL_SETUP_DIAGNOSIS_MS_IMAP_NOT_CONNECTED, NULL },
};

static void
test_check_generic_server_refusal (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;

  server = mail_setup_test_server_start ("generic-auth-failed", NULL);
  check = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS);

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_AUTH_FAILED);
  g_assert_false (mail_setup_check_get_is_microsoft (check));
}

static void
test_check_microsoft_provider_without_exchange_greeting (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;

  /* The provider alone makes a refusal Microsoft's basic-authentication error. */
  server = mail_setup_test_server_start ("generic-auth-failed", NULL);
  check = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS);
  mail_setup_check_set_provider (check, "outlook", TRUE);

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED);
}

static void
test_check_plain_text_on_tls_port (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;

  server = mail_setup_test_server_start ("plain-on-tls", "--tls", "none", NULL);
  check = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS);

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_TLS_FAILED);
}

static void
test_check_never_greets (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  gint64 start;
  gint64 elapsed_ms;

  server = mail_setup_test_server_start ("never-greets", NULL);
  check = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS);
  mail_setup_check_set_timeout (check, 1);

  start = g_get_monotonic_time ();
  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_SERVER_TIMEOUT);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  g_assert_cmpint (elapsed_ms, >=, 1000);
  g_assert_cmpint (elapsed_ms, <, 4000);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_GREETING), ==,
                   MAIL_SETUP_STAGE_STATUS_FAILED);
}

static void
test_check_cancel_returns_at_once (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  gint64 start;
  gint64 elapsed_ms;

  server = mail_setup_test_server_start ("never-greets", NULL);
  check = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS);
  mail_setup_check_set_timeout (check, 30);

  start = g_get_monotonic_time ();
  assert_diagnosis (mail_setup_test_check_run (check, 200, NULL), MAIL_SETUP_DIAGNOSIS_CANCELLED);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  g_assert_cmpint (elapsed_ms, <, 1000);
}

typedef struct
{
  char     *issuer;
  char     *report;
  gboolean  finished;
} WhileRunning;

static void
note_while_running_cb (MailSetupCheck       *check,
                       MailSetupCheckStage   stage,
                       MailSetupStageStatus  status,
                       guint                 duration_ms,
                       WhileRunning         *seen)
{
  const MailSetupTlsInfo *tls = mail_setup_check_get_tls_info (check);

  if (stage != MAIL_SETUP_CHECK_STAGE_TLS)
    return;

  seen->issuer = g_strdup (tls ? tls->issuer : NULL);
  seen->report = mail_setup_check_to_text_report (check);
  seen->finished = mail_setup_check_get_finished (check);
}

/* The certificate is known as soon as the handshake is done, long before a
 * server that never greets lets the check end. */
static void
test_check_known_while_running (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  WhileRunning seen = { NULL, NULL, TRUE };

  server = mail_setup_test_server_start ("never-greets", NULL);
  check = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS);
  /* Ends by the greeting's timeout, however slow the handshake is here. */
  mail_setup_check_set_timeout (check, 2);
  g_signal_connect (check, "stage-finished", G_CALLBACK (note_while_running_cb), &seen);

  g_assert_null (mail_setup_check_get_tls_info (check));
  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_SERVER_TIMEOUT);

  g_assert_false (seen.finished);
  g_assert_nonnull (seen.issuer);
  g_assert_nonnull (strstr (seen.issuer, "Mail Setup Test CA"));
  g_assert_nonnull (strstr (seen.report, "Diagnosis: none yet, the test is still running"));
  g_assert_nonnull (strstr (seen.report, "Issuer: CN=Mail Setup Test CA"));
  g_assert_null (strstr (seen.report, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD")));
  g_assert_true (mail_setup_check_get_finished (check));

  g_free (seen.issuer);
  g_free (seen.report);
}

static void
test_check_no_starttls_never_sends_password (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *transcript = NULL;

  server = mail_setup_test_server_start ("no-starttls", "--tls", "starttls", NULL);
  check = new_scripted_check (server, MAIL_SETUP_SECURITY_STARTTLS);

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_STARTTLS_UNAVAILABLE);

  /* The server's own record of what it received. */
  transcript = mail_setup_test_server_get_transcript (server);
  g_assert_nonnull (strstr (transcript, "CAPABILITY"));
  g_assert_null (strstr (transcript, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD")));
  g_assert_null (strstr (transcript, "LOGIN"));
  g_assert_null (strstr (transcript, "AUTHENTICATE"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/check/dovecot/ok", test_check_dovecot_ok);
  g_test_add_func ("/check/dovecot/starttls-ok", test_check_dovecot_starttls_ok);
  g_test_add_func ("/check/dovecot/wrong-password", test_check_dovecot_wrong_password);
  g_test_add_func ("/check/dovecot/odd-password", test_check_dovecot_odd_password);
  g_test_add_func ("/check/dovecot/untrusted-without-test-ca", test_check_untrusted_without_test_ca);
  g_test_add_func ("/check/dovecot/wrong-name", test_check_wrong_name);
  g_test_add_func ("/check/dovecot/expired", test_check_expired);
  g_test_add_func ("/check/closed-port", test_check_closed_port);
  g_test_add_func ("/check/dns-failed", test_check_dns_failed);

  for (guint i = 0; i < G_N_ELEMENTS (scripted_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/check/scripted/%s", scripted_cases[i].scenario);

      g_test_add_data_func (path, &scripted_cases[i], test_check_scripted);
    }
  g_test_add_func ("/check/scripted/generic-auth-failed", test_check_generic_server_refusal);
  g_test_add_func ("/check/scripted/microsoft-provider-without-exchange-greeting",
                   test_check_microsoft_provider_without_exchange_greeting);
  g_test_add_func ("/check/scripted/plain-on-tls", test_check_plain_text_on_tls_port);
  g_test_add_func ("/check/scripted/never-greets", test_check_never_greets);
  g_test_add_func ("/check/scripted/cancel", test_check_cancel_returns_at_once);
  g_test_add_func ("/check/scripted/known-while-running", test_check_known_while_running);
  g_test_add_func ("/check/scripted/no-starttls", test_check_no_starttls_never_sends_password);

  return g_test_run ();
}
