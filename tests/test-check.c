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

/* Other kinds of servers on the IMAP port. */

#define SMTP_GREETING "220 BN9PR03CA0123.outlook.office365.com Microsoft ESMTP MAIL Service " \
                      "ready at Mon, 30 Nov 2026 18:00:00 +0000"
#define HTTP_STATUS_LINE "HTTP/1.1 400 Bad Request"
#define SSH_GREETING "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"

typedef struct
{
  const char        *scenario;
  /* How the server speaks: "none" (plain text) or "implicit" (inside TLS). */
  const char        *server_tls;
  MailSetupSecurity  security;
  const char        *protocol;
  const char        *first_line;
} OtherServerCase;

static const OtherServerCase other_server_cases[] = {
  /* STARTTLS: the greeting comes in plain text, before any command. */
  { "smtp", "none", MAIL_SETUP_SECURITY_STARTTLS, "smtp", SMTP_GREETING },
  { "pop3", "none", MAIL_SETUP_SECURITY_STARTTLS, "pop3", "+OK Dovecot (Debian) ready." },
  { "ssh", "none", MAIL_SETUP_SECURITY_STARTTLS, "ssh", SSH_GREETING },
  { "ftp", "none", MAIL_SETUP_SECURITY_STARTTLS, "ftp", "220 (vsFTPd 3.0.3)" },
  /* A web server says nothing; it answers the handshake that breaks the
   * silence with an HTTP error. */
  { "http", "none", MAIL_SETUP_SECURITY_STARTTLS, "http", HTTP_STATUS_LINE },
  /* SSL/TLS, and the server speaks TLS (SMTPS, POP3S...): the greeting
   * comes inside it. */
  { "smtp", "implicit", MAIL_SETUP_SECURITY_SSL_TLS, "smtp", SMTP_GREETING },
  { "pop3", "implicit", MAIL_SETUP_SECURITY_SSL_TLS, "pop3", "+OK Dovecot (Debian) ready." },
  { "ssh", "implicit", MAIL_SETUP_SECURITY_SSL_TLS, "ssh", SSH_GREETING },
  { "ftp", "implicit", MAIL_SETUP_SECURITY_SSL_TLS, "ftp", "220 (vsFTPd 3.0.3)" },
  /* An HTTPS server stays silent until it gets a command. */
  { "http", "implicit", MAIL_SETUP_SECURITY_SSL_TLS, "http", HTTP_STATUS_LINE },
  /* SSL/TLS, and the server speaks plain text (smtp.office365.com on port
   * 587): its greeting is the answer to the ClientHello. */
  { "smtp", "none", MAIL_SETUP_SECURITY_SSL_TLS, "smtp", SMTP_GREETING },
  { "pop3", "none", MAIL_SETUP_SECURITY_SSL_TLS, "pop3", "+OK Dovecot (Debian) ready." },
  { "ssh", "none", MAIL_SETUP_SECURITY_SSL_TLS, "ssh", SSH_GREETING },
  { "ftp", "none", MAIL_SETUP_SECURITY_SSL_TLS, "ftp", "220 (vsFTPd 3.0.3)" },
  { "http", "none", MAIL_SETUP_SECURITY_SSL_TLS, "http", HTTP_STATUS_LINE },
};

/* What the server's own record says the check sent it: never the password
 * nor an IMAP command after the greeting. A greeting in plain text is all
 * a STARTTLS check waits for, and inside TLS nothing at all came after it.
 * A ClientHello is all that a plain-text server got from an SSL/TLS check,
 * and all that a silent one got from a STARTTLS check breaking the silence.
 * Only the silent HTTPS server got a command, CAPABILITY, before it said
 * anything. */
static void
assert_nothing_sent_after_greeting (const OtherServerCase *other,
                                    const char            *received)
{
  const char *commands[] = { "LOGIN", "AUTHENTICATE", "STARTTLS", "EXAMINE", "LOGOUT", "ID " };
  gboolean inside_tls = g_str_equal (other->server_tls, "implicit");
  gboolean silent = g_str_equal (other->scenario, "http");
  g_autofree char *shown = g_strescape (received, NULL);

  /* A ClientHello is long, and says nothing to a person. */
  g_test_message ("the server received %" G_GSIZE_FORMAT " bytes: %.60s", strlen (received), shown);
  g_assert_null (strstr (received, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD")));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_null (strstr (received, commands[i]));

  if (silent && inside_tls)
    g_assert_cmpstr (received, ==, "A1 CAPABILITY\r\n");
  else if (inside_tls || (!silent && other->security == MAIL_SETUP_SECURITY_STARTTLS))
    g_assert_cmpstr (received, ==, "");
  else
    {
      /* The check may be done before the server has noted the ClientHello:
       * the greeting it answers was sent before it. */
      g_assert_null (strstr (received, "CAPABILITY"));
      g_assert_true (*received == '\0' || g_str_has_prefix (received, "[plain] \x16"));
    }
}

static void
test_check_other_server (gconstpointer data)
{
  const OtherServerCase *other = data;
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *report = NULL;
  g_autofree char *expected_line = NULL;
  g_autofree char *received = NULL;

  server = mail_setup_test_server_start (other->scenario, "--tls", other->server_tls, NULL);
  check = new_scripted_check (server, other->security);
  /* A silent server is asked what it is a second before the deadline. */
  mail_setup_check_set_timeout (check, 3);

  assert_diagnosis (run_check (check), MAIL_SETUP_DIAGNOSIS_NOT_IMAP);
  g_assert_cmpstr (mail_setup_check_get_detected_protocol (check), ==, other->protocol);
  g_assert_cmpstr (mail_setup_check_get_server_response (check), ==, other->first_line);
  g_assert_cmpstr (mail_setup_diagnosis_get_remedy (MAIL_SETUP_DIAGNOSIS_NOT_IMAP), ==,
                   "receiving-server");
  g_assert_null (mail_setup_check_get_sign_in_time (check));

  report = mail_setup_check_to_text_report (check);
  expected_line = g_strdup_printf ("Detected protocol: %s\n", other->protocol);
  g_assert_nonnull (strstr (report, expected_line));
  g_assert_nonnull (strstr (report, other->first_line));

  received = mail_setup_test_server_get_transcript (server);
  assert_nothing_sent_after_greeting (other, received);
}

/* Only a Microsoft provider whose server names itself as Microsoft's is
 * called Microsoft's sending server. */
static void
test_check_microsoft_sending_server (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) microsoft = NULL;
  g_autoptr(MailSetupCheck) other = NULL;
  g_autofree char *microsoft_finding = NULL;
  g_autofree char *other_finding = NULL;

  server = mail_setup_test_server_start ("smtp", "--tls", "none", NULL);
  microsoft = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS);
  mail_setup_check_set_provider (microsoft, "outlook", TRUE);
  other = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS);

  assert_diagnosis (run_check (microsoft), MAIL_SETUP_DIAGNOSIS_NOT_IMAP);
  assert_diagnosis (run_check (other), MAIL_SETUP_DIAGNOSIS_NOT_IMAP);

  microsoft_finding = mail_setup_check_describe_finding (microsoft);
  other_finding = mail_setup_check_describe_finding (other);
  g_assert_true (g_str_has_prefix (microsoft_finding, "This is Microsoft’s sending server"));
  g_assert_true (g_str_has_prefix (other_finding, "This is a sending server (SMTP)"));
  /* The greeting says whose server it is, whatever the provider. */
  g_assert_true (mail_setup_check_get_is_microsoft (other));
}

/* Old TLS and certificates refused for their own sake. */

typedef struct
{
  const char         *scenario;
  /* The server's "--tls" mode, "--max-tls" version, and
   * MAIL_SETUP_TEST_<NAME>_CERT and _KEY, each or NULL. */
  const char         *server_tls;
  const char         *max_tls;
  const char         *certificate;
  MailSetupSecurity   security;
  MailSetupDiagnosis  expected;
  /* Words of describe_finding(), or NULL when there is none. */
  const char         *finding;
} TlsCase;

static const TlsCase tls_cases[] = {
  { "ms-ok", NULL, "1.1", NULL, MAIL_SETUP_SECURITY_SSL_TLS,
    MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED, "The server offered only TLS 1.1." },
  { "ms-ok", "starttls", "1.1", NULL, MAIL_SETUP_SECURITY_STARTTLS,
    MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED, "The server offered only TLS 1.1." },
  { "ms-ok", NULL, "1.0", NULL, MAIL_SETUP_SECURITY_SSL_TLS,
    MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED, "The server offered only TLS 1.0." },
  { "protocol-version-alert", NULL, NULL, NULL, MAIL_SETUP_SECURITY_SSL_TLS,
    MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED, "refused every version of TLS that Mail Setup offered" },
  { "ms-ok", NULL, NULL, "SHA1", MAIL_SETUP_SECURITY_SSL_TLS,
    MAIL_SETUP_DIAGNOSIS_TLS_INSECURE, "signed with SHA-1" },
  { "ms-ok", NULL, NULL, "WEAK_KEY", MAIL_SETUP_SECURITY_SSL_TLS,
    MAIL_SETUP_DIAGNOSIS_TLS_INSECURE, "The certificate’s key, RSA-768, is too short" },
  { "ms-ok", NULL, NULL, "NOT_YET_VALID", MAIL_SETUP_SECURITY_SSL_TLS,
    MAIL_SETUP_DIAGNOSIS_TLS_NOT_YET_VALID, "This computer’s clock says it is" },
  { "ms-ok", NULL, NULL, "INCOMPLETE_CHAIN", MAIL_SETUP_SECURITY_SSL_TLS,
    MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN, "Mail Setup Test Intermediate CA" },
  { "ms-ok", "starttls", NULL, "INCOMPLETE_CHAIN", MAIL_SETUP_SECURITY_STARTTLS,
    MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN, "Mail Setup Test Intermediate CA" },
  /* The same leaf with its intermediate. */
  { "ms-ok", NULL, NULL, "CHAIN", MAIL_SETUP_SECURITY_SSL_TLS, MAIL_SETUP_DIAGNOSIS_OK, NULL },
  /* The missing intermediate can be had, but leads to an unknown root. */
  { "ms-ok", NULL, NULL, "UNKNOWN_ISSUER", MAIL_SETUP_SECURITY_SSL_TLS,
    MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED, NULL },
};

static MailSetupTestServer *
start_tls_case_server (const TlsCase *tls_case)
{
  g_autofree char *cert_variable = NULL;
  g_autofree char *key_variable = NULL;
  const char *options[9] = { NULL };
  guint n = 0;

  if (tls_case->server_tls != NULL)
    {
      options[n++] = "--tls";
      options[n++] = tls_case->server_tls;
    }
  if (tls_case->max_tls != NULL)
    {
      options[n++] = "--max-tls";
      options[n++] = tls_case->max_tls;
    }
  if (tls_case->certificate != NULL)
    {
      cert_variable = g_strdup_printf ("MAIL_SETUP_TEST_%s_CERT", tls_case->certificate);
      key_variable = g_strdup_printf ("MAIL_SETUP_TEST_%s_KEY", tls_case->certificate);
      options[n++] = "--cert";
      options[n++] = mail_setup_test_service_env (cert_variable);
      options[n++] = "--key";
      options[n++] = mail_setup_test_service_env (key_variable);
    }

  return mail_setup_test_server_start (tls_case->scenario, "--user", "someone@outlook.com",
                                       options[0], options[1], options[2], options[3],
                                       options[4], options[5], options[6], options[7], NULL);
}

/* What only some diagnoses can show. */
static void
assert_tls_details (const TlsCase  *tls_case,
                    MailSetupCheck *check)
{
  const MailSetupTlsInfo *tls = mail_setup_check_get_tls_info (check);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  switch (tls_case->expected)
    {
    case MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED:
      /* The handshake stopped at the ServerHello: no certificate, no cipher. */
      if (tls_case->max_tls != NULL)
        g_assert_cmpstr (tls->version, ==, tls_case->max_tls[2] == '1' ? "TLS1.1" : "TLS1.0");
      else
        g_assert_null (tls);
      g_assert_true (tls == NULL || (tls->cipher == NULL && tls->sha256 == NULL));
      break;
    case MAIL_SETUP_DIAGNOSIS_TLS_INSECURE:
      g_assert_true (tls->insecure_hash != NULL || tls->insecure_key != NULL);
      break;
    case MAIL_SETUP_DIAGNOSIS_TLS_NOT_YET_VALID:
      g_assert_cmpint (g_date_time_get_year (tls->valid_from), ==, 2040);
      g_assert_cmpint (g_date_time_compare (tls->valid_from, now), >, 0);
      break;
    case MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN:
      /* The server's own certificate is still shown, fingerprint and all. */
      g_assert_nonnull (strstr (tls->missing_issuer, "CN=Mail Setup Test Intermediate CA"));
      g_assert_nonnull (strstr (tls->issuer, "CN=Mail Setup Test Intermediate CA"));
      g_assert_cmpuint (strlen (tls->sha256), ==, 32 * 3 - 1);
      break;
    case MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED:
      g_assert_null (tls->missing_issuer);
      break;
    default:
      break;
    }
}

static void
test_check_tls_refusal (gconstpointer data)
{
  const TlsCase *tls_case = data;
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *finding = NULL;
  g_autofree char *received = NULL;

  server = start_tls_case_server (tls_case);
  check = new_scripted_check (server, tls_case->security);

  assert_diagnosis (run_check (check), tls_case->expected);
  finding = mail_setup_check_describe_finding (check);
  g_test_message ("finding: %s", finding);
  if (tls_case->finding != NULL)
    g_assert_nonnull (strstr (finding, tls_case->finding));
  assert_tls_details (tls_case, check);

  if (tls_case->expected != MAIL_SETUP_DIAGNOSIS_OK)
    {
      g_assert_null (mail_setup_check_get_sign_in_time (check));
      received = mail_setup_test_server_get_transcript (server);
      g_assert_null (strstr (received, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD")));
    }
}

int
main (int   argc,
      char *argv[])
{
  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

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

  for (guint i = 0; i < G_N_ELEMENTS (other_server_cases); i++)
    {
      const OtherServerCase *other = &other_server_cases[i];
      g_autofree char *path = NULL;

      path = g_strdup_printf ("/check/other-server/%s-%s-%s", other->scenario,
                              g_str_equal (other->server_tls, "none") ? "plain" : "tls",
                              mail_setup_security_to_string (other->security));
      g_test_add_data_func (path, other, test_check_other_server);
    }
  g_test_add_func ("/check/other-server/microsoft-sending-server",
                   test_check_microsoft_sending_server);

  for (guint i = 0; i < G_N_ELEMENTS (tls_cases); i++)
    {
      const TlsCase *tls_case = &tls_cases[i];
      g_autofree char *what = NULL;
      g_autofree char *path = NULL;

      if (tls_case->certificate != NULL)
        what = g_ascii_strdown (tls_case->certificate, -1);
      else if (tls_case->max_tls != NULL)
        what = g_strdup_printf ("tls-%s", tls_case->max_tls);
      else
        what = g_strdup (tls_case->scenario);
      g_strdelimit (what, "_", '-');
      path = g_strdup_printf ("/check/tls/%s-%s", what,
                              mail_setup_security_to_string (tls_case->security));
      g_test_add_data_func (path, tls_case, test_check_tls_refusal);
    }

  return g_test_run ();
}
