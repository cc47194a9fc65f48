/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The connection check against servers that misbehave on purpose, against
 * odd user input, and against the real test Dovecot many times over: every
 * run must end in a diagnosis the user can act on, in bounded time and
 * memory, without a credential in anything the user can copy. */

#include <malloc.h>

#include "mail-setup-check.h"
#include "mail-setup-test-check.h"
#include "mail-setup-test-server.h"
#include "mail-setup-test-util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ADDRESS_SANITIZER 1
#endif
#endif

#define SCRIPTED_USER "someone@outlook.com"
#define LONG_PASSWORD_VARIABLE "MAIL_SETUP_TEST_HOSTILE_LONG_PASSWORD"
#define CRLF_PASSWORD_VARIABLE "MAIL_SETUP_TEST_HOSTILE_CRLF_PASSWORD"
#define CRLF_PASSWORD "first line\r\nsecond line"
#define LONG_PASSWORD_LENGTH 1000

/* A stage that waits out its timeout may overrun it by this much, no more. */
#define TIMEOUT_SLACK_MS 1500

static gboolean
is_control (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/* What the check shows of a server's words must be printable as it is. */
static void
assert_safe_text (const char *text)
{
  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_false (is_control (g_utf8_get_char (p)));
}

static void
assert_outcome_safe (MailSetupCheck *check)
{
  const char * const *transcript = mail_setup_check_get_transcript (check);
  g_autofree char *report = mail_setup_check_to_text_report (check);
  g_autofree char *json = mail_setup_check_to_json (check);

  if (mail_setup_check_get_server_response (check) != NULL)
    assert_safe_text (mail_setup_check_get_server_response (check));
  for (guint i = 0; transcript[i] != NULL; i++)
    assert_safe_text (transcript[i]);
  g_assert_true (g_utf8_validate (report, -1, NULL));
  g_assert_true (g_utf8_validate (json, -1, NULL));
}

static gboolean
transcript_contains (MailSetupCheck *check,
                     const char     *text)
{
  const char * const *transcript = mail_setup_check_get_transcript (check);

  for (guint i = 0; transcript[i] != NULL; i++)
    {
      if (strstr (transcript[i], text) != NULL)
        return TRUE;
    }

  return FALSE;
}

static guint64
read_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *value;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  value = strstr (status, "\nVmRSS:");
  g_assert_nonnull (value);
  value += strlen ("\nVmRSS:");
  while (*value == ' ' || *value == '\t')
    value++;

  return g_ascii_strtoull (value, NULL, 10);
}

static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint count = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    count++;

  return count;
}

/* The check's worker thread lets go of the connection and its main context
 * a moment after the result has come; resident memory is measured without
 * the free pages that malloc keeps for later. */
static void
settle (void)
{
  g_usleep (100 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  malloc_trim (0);
}

static MailSetupCheck *
new_scripted_check (MailSetupTestServer *server,
                    MailSetupSecurity    security,
                    const char          *user,
                    const char          *password,
                    guint                timeout)
{
  MailSetupCheck *check;

  check = mail_setup_check_new ("127.0.0.1", mail_setup_test_server_get_port (server), security,
                                user);
  mail_setup_check_set_password (check, password);
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, timeout);

  return check;
}

static MailSetupCheck *
new_dovecot_check (const char *user,
                   const char *password)
{
  MailSetupCheck *check;

  check = mail_setup_check_new ("127.0.0.1",
                                mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"),
                                MAIL_SETUP_SECURITY_SSL_TLS, user);
  mail_setup_check_set_password (check, password);
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, 5);

  return check;
}

static MailSetupDiagnosis
run_timed (MailSetupCheck *check,
           gint64         *elapsed_ms)
{
  gint64 start = g_get_monotonic_time ();
  MailSetupDiagnosis diagnosis = mail_setup_test_check_run (check, 0, NULL);

  *elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  return diagnosis;
}

/* Hostile servers. */

typedef struct
{
  const char          *scenario;
  /* "--tls" MODE for the server, or NULL for the scenario's own. */
  const char          *tls;
  /* MAIL_SETUP_TEST_<NAME>_CERT and _KEY for the server, or NULL. */
  const char          *certificate;
  MailSetupSecurity    security;
  guint                timeout;
  /* Whether the check can only end by waiting out the timeout. */
  gboolean             waits;
  MailSetupDiagnosis   expected;
  /* The stage that fails; for a check that passes, the last one. */
  MailSetupCheckStage  stage;
} HostileCase;

static const HostileCase hostile_cases[] = {
  { "never-greets", NULL, NULL, MAIL_SETUP_SECURITY_SSL_TLS, 2, TRUE,
    MAIL_SETUP_DIAGNOSIS_SERVER_TIMEOUT, MAIL_SETUP_CHECK_STAGE_GREETING },
  { "greet-then-close", NULL, NULL, MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_SERVER_CLOSED, MAIL_SETUP_CHECK_STAGE_GREETING },
  { "close-during-handshake", NULL, NULL, MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_TLS_FAILED, MAIL_SETUP_CHECK_STAGE_TLS },
  { "long-line", NULL, NULL, MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR, MAIL_SETUP_CHECK_STAGE_GREETING },
  { "huge-literal", NULL, NULL, MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR, MAIL_SETUP_CHECK_STAGE_GREETING },
  { "bad-utf8", NULL, NULL, MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED, MAIL_SETUP_CHECK_STAGE_SIGN_IN },
  { "bye-during-sign-in", NULL, NULL, MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE, MAIL_SETUP_CHECK_STAGE_SIGN_IN },
  { "drip", NULL, NULL, MAIL_SETUP_SECURITY_SSL_TLS, 2, TRUE,
    MAIL_SETUP_DIAGNOSIS_SERVER_TIMEOUT, MAIL_SETUP_CHECK_STAGE_GREETING },
  { "plain-on-tls", NULL, NULL, MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_TLS_FAILED, MAIL_SETUP_CHECK_STAGE_TLS },
  /* A TLS server is as silent as one that never greets until a handshake
   * tells them apart; that one ends in seconds, not in another timeout. */
  { "tls-on-plain", NULL, NULL, MAIL_SETUP_SECURITY_STARTTLS, 2, TRUE,
    MAIL_SETUP_DIAGNOSIS_NOT_IMAP, MAIL_SETUP_CHECK_STAGE_GREETING },
  { "ms-ok", NULL, "EXPIRED", MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_TLS_EXPIRED, MAIL_SETUP_CHECK_STAGE_TLS },
  { "ms-ok", NULL, "WRONG_NAME", MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_TLS_HOSTNAME_MISMATCH, MAIL_SETUP_CHECK_STAGE_TLS },
  { "ms-ok", NULL, "SELF_SIGNED", MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED, MAIL_SETUP_CHECK_STAGE_TLS },
  { "no-starttls", "starttls", NULL, MAIL_SETUP_SECURITY_STARTTLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_STARTTLS_UNAVAILABLE, MAIL_SETUP_CHECK_STAGE_TLS },
  { "starttls-injection", "starttls", NULL, MAIL_SETUP_SECURITY_STARTTLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_OK, MAIL_SETUP_CHECK_STAGE_LOGOUT },
  /* Microsoft's sending server where the receiving one belongs: it greets
   * in plain text, and the greeting answers the ClientHello. */
  { "smtp", "none", NULL, MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_NOT_IMAP, MAIL_SETUP_CHECK_STAGE_TLS },
  /* A silent web server answers the command it is sent before the
   * deadline, so this ends before it. */
  { "http", "implicit", NULL, MAIL_SETUP_SECURITY_SSL_TLS, 2, FALSE,
    MAIL_SETUP_DIAGNOSIS_NOT_IMAP, MAIL_SETUP_CHECK_STAGE_GREETING },
  { "protocol-version-alert", NULL, NULL, MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED, MAIL_SETUP_CHECK_STAGE_TLS },
  { "ms-ok", NULL, "SHA1", MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_TLS_INSECURE, MAIL_SETUP_CHECK_STAGE_TLS },
  { "ms-ok", NULL, "WEAK_KEY", MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_TLS_INSECURE, MAIL_SETUP_CHECK_STAGE_TLS },
  { "ms-ok", NULL, "NOT_YET_VALID", MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_TLS_NOT_YET_VALID, MAIL_SETUP_CHECK_STAGE_TLS },
  { "ms-ok", NULL, "INCOMPLETE_CHAIN", MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN, MAIL_SETUP_CHECK_STAGE_TLS },
  { "ms-ok", NULL, "UNKNOWN_ISSUER", MAIL_SETUP_SECURITY_SSL_TLS, 5, FALSE,
    MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED, MAIL_SETUP_CHECK_STAGE_TLS },
};

static MailSetupTestServer *
start_hostile_server (const HostileCase *hostile)
{
  g_autofree char *cert_variable = NULL;
  g_autofree char *key_variable = NULL;

  if (hostile->tls != NULL)
    return mail_setup_test_server_start (hostile->scenario, "--user", SCRIPTED_USER,
                                         "--tls", hostile->tls, NULL);
  if (hostile->certificate == NULL)
    return mail_setup_test_server_start (hostile->scenario, "--user", SCRIPTED_USER, NULL);

  cert_variable = g_strdup_printf ("MAIL_SETUP_TEST_%s_CERT", hostile->certificate);
  key_variable = g_strdup_printf ("MAIL_SETUP_TEST_%s_KEY", hostile->certificate);

  return mail_setup_test_server_start (hostile->scenario, "--user", SCRIPTED_USER,
                                       "--cert", mail_setup_test_service_env (cert_variable),
                                       "--key", mail_setup_test_service_env (key_variable),
                                       NULL);
}

/* What only some scenarios can show. */
static void
assert_scenario_details (const HostileCase   *hostile,
                         MailSetupCheck      *check,
                         MailSetupTestServer *server)
{
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");
  const char *response = mail_setup_check_get_server_response (check);
  const MailSetupTlsInfo *tls = mail_setup_check_get_tls_info (check);
  g_autofree char *received = mail_setup_test_server_get_transcript (server);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (mail_setup_check_get_diagnosis (check) != MAIL_SETUP_DIAGNOSIS_OK &&
      hostile->stage <= MAIL_SETUP_CHECK_STAGE_GREETING)
    {
      /* Failing before sign-in means the password never left. */
      g_assert_null (mail_setup_check_get_sign_in_time (check));
      g_assert_null (strstr (received, password));
    }

  if (g_str_equal (hostile->scenario, "bad-utf8"))
    {
      /* The server's invalid bytes become U+FFFD, its escape and bell
       * characters visible escapes; the words around them survive. */
      g_assert_nonnull (response);
      g_assert_nonnull (strstr (response, "Bad"));
      g_assert_nonnull (strstr (response, "\xef\xbf\xbd"));
      g_assert_nonnull (strstr (response, "\\x1B"));
      g_assert_nonnull (strstr (response, "\\x07"));
    }
  else if (g_str_equal (hostile->scenario, "bye-during-sign-in"))
    {
      g_assert_cmpstr (response, ==, "* BYE going away");
    }
  else if (g_str_equal (hostile->scenario, "tls-on-plain"))
    {
      g_assert_true (transcript_contains (check, "expects TLS from the start"));
    }
  else if (g_str_equal (hostile->scenario, "smtp") || g_str_equal (hostile->scenario, "http"))
    {
      /* Named, with its own first line, and never sent a password. */
      g_assert_cmpstr (mail_setup_check_get_detected_protocol (check), ==, hostile->scenario);
      g_assert_nonnull (response);
      g_assert_true (g_str_has_prefix (response, g_str_equal (hostile->scenario, "smtp")
                                                 ? "220 " : "HTTP/1.1 400"));
    }
  else if (g_str_equal (hostile->scenario, "no-starttls"))
    {
      /* The server's own record: it was asked for its capabilities, and
       * then nothing that carries a credential arrived. */
      g_assert_nonnull (strstr (received, "CAPABILITY"));
      g_assert_null (strstr (received, password));
      g_assert_null (strstr (received, "LOGIN"));
      g_assert_null (strstr (received, "AUTHENTICATE"));
    }
  else if (g_str_equal (hostile->scenario, "starttls-injection"))
    {
      const char * const *caps = mail_setup_check_get_capabilities (check);

      /* The injected line claimed "IMAP4rev1 AUTH=PLAIN" only; the check
       * dropped it and asked again inside TLS. */
      g_assert_true (transcript_contains (check, "Discarded"));
      g_assert_false (transcript_contains (check, "injected"));
      g_assert_true (g_strv_contains (caps, "AUTH=XOAUTH2"));
      g_assert_true (g_strv_contains (caps, "LITERAL+"));
      g_assert_false (g_strv_contains (caps, "STARTTLS"));
      g_assert_false (g_strv_contains (caps, "LOGINDISABLED"));
    }

  if (g_strcmp0 (hostile->certificate, "EXPIRED") == 0)
    {
      g_assert_nonnull (tls);
      g_assert_cmpint (g_date_time_compare (tls->not_after, now), <, 0);
    }
  else if (g_strcmp0 (hostile->certificate, "WRONG_NAME") == 0)
    {
      g_assert_nonnull (tls);
      g_assert_nonnull (strstr (tls->subject, "mail.example.test"));
    }
  else if (g_strcmp0 (hostile->certificate, "SELF_SIGNED") == 0)
    {
      g_assert_nonnull (tls);
      g_assert_cmpstr (tls->subject, ==, tls->issuer);
    }
  else if (g_strcmp0 (hostile->certificate, "INCOMPLETE_CHAIN") == 0)
    {
      g_assert_nonnull (tls);
      g_assert_nonnull (tls->missing_issuer);
      g_assert_nonnull (tls->sha256);
    }
}

static void
test_hostile_server (gconstpointer data)
{
  const HostileCase *hostile = data;
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  gint64 elapsed_ms = 0;
  gint64 timeout_ms = hostile->timeout * 1000;

  server = start_hostile_server (hostile);
  check = new_scripted_check (server, hostile->security, SCRIPTED_USER,
                              mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"),
                              hostile->timeout);

  mail_setup_test_check_assert_diagnosis (run_timed (check, &elapsed_ms), hostile->expected);
  g_test_message ("%s ended in %" G_GINT64_FORMAT " ms", g_test_get_path (), elapsed_ms);

  if (hostile->waits)
    {
      g_assert_cmpint (elapsed_ms, >=, timeout_ms - 100);
      g_assert_cmpint (elapsed_ms, <, timeout_ms + TIMEOUT_SLACK_MS);
    }
  else
    {
      /* It ended on what the server did, not on the clock. */
      g_assert_cmpint (elapsed_ms, <, timeout_ms);
    }

  if (hostile->expected == MAIL_SETUP_DIAGNOSIS_OK)
    {
      g_assert_cmpint (mail_setup_check_get_stage_status (check, hostile->stage), ==,
                       MAIL_SETUP_STAGE_STATUS_OK);
    }
  else
    {
      g_assert_cmpint (mail_setup_check_get_stage_status (check, hostile->stage), ==,
                       MAIL_SETUP_STAGE_STATUS_FAILED);
      g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_MAILBOX),
                       ==, MAIL_SETUP_STAGE_STATUS_SKIPPED);
      /* A clear diagnosis comes with something to do about it. */
      g_assert_nonnull (mail_setup_diagnosis_get_remedy (hostile->expected));
    }

  assert_outcome_safe (check);
  assert_scenario_details (hostile, check, server);
}

static void
test_hostile_long_line_memory (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  guint64 before_kib = 0;
  guint64 after_kib = 0;

  server = mail_setup_test_server_start ("long-line", NULL);

  /* The first run pays for what any check loads once (trust store, TLS). */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(MailSetupCheck) check = NULL;

      check = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS, SCRIPTED_USER,
                                  mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"), 5);
      settle ();
      before_kib = read_rss_kib ();
      mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                              MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR);
      settle ();
      after_kib = read_rss_kib ();
      g_test_message ("run %u: VmRSS %" G_GUINT64_FORMAT " kB before, %" G_GUINT64_FORMAT
                      " kB after", i + 1, before_kib, after_kib);
    }

  /* The server sent 8 MiB without a line end; the check keeps 64 KiB. */
#ifdef UNDER_ADDRESS_SANITIZER
  g_test_message ("VmRSS growth not checked under AddressSanitizer, whose quarantine "
                  "keeps every freed block resident");
#else
  g_assert_cmpuint (after_kib, <, before_kib + 16 * 1024);
#endif
}

/* Many checks in a row against the real server. */

static void
test_hostile_hundred_checks (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");
  guint fds_after_10 = 0;
  guint64 rss_after_10 = 0;
  guint fds_after_100;
  guint64 rss_after_100;

  for (guint i = 1; i <= 100; i++)
    {
      g_autoptr(MailSetupCheck) check = new_dovecot_check (user, password);

      mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                              MAIL_SETUP_DIAGNOSIS_OK);
      if (i == 10)
        {
          settle ();
          fds_after_10 = count_open_fds ();
          rss_after_10 = read_rss_kib ();
        }
    }

  settle ();
  fds_after_100 = count_open_fds ();
  rss_after_100 = read_rss_kib ();
  g_test_message ("after check 10: %u fds, %" G_GUINT64_FORMAT " kB; after check 100: %u fds, %"
                  G_GUINT64_FORMAT " kB", fds_after_10, rss_after_10, fds_after_100, rss_after_100);

  g_assert_cmpuint (fds_after_100, ==, fds_after_10);
#ifdef UNDER_ADDRESS_SANITIZER
  g_test_message ("VmRSS growth not checked under AddressSanitizer, whose quarantine "
                  "keeps every freed block resident");
#else
  g_assert_cmpuint (rss_after_100, <, rss_after_10 + 4 * 1024);
#endif
}

/* Bad input from the user. */

/* Sign-in with LOGIN, which quotes or sends literals, where the server
 * offers no AUTH=PLAIN; with DROP_LITERAL_PLUS, every literal waits for the
 * server's go-ahead. */
static MailSetupTestServer *
start_login_server (const char *user,
                    const char *password_variable,
                    gboolean    drop_literal_plus)
{
  if (drop_literal_plus)
    return mail_setup_test_server_start ("ms-ok", "--user", user,
                                         "--password-env", password_variable,
                                         "--drop-capability", "AUTH=PLAIN",
                                         "--drop-capability", "LITERAL+", NULL);

  return mail_setup_test_server_start ("ms-ok", "--user", user,
                                       "--password-env", password_variable,
                                       "--drop-capability", "AUTH=PLAIN", NULL);
}

static void
assert_signed_in_with_login (MailSetupCheck      *check,
                             MailSetupTestServer *server,
                             const char          *password)
{
  g_autofree char *received = NULL;

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_SIGN_IN), ==,
                   MAIL_SETUP_STAGE_STATUS_OK);

  received = mail_setup_test_server_get_transcript (server);
  g_assert_nonnull (strstr (received, " LOGIN "));
  g_assert_null (strstr (received, "AUTHENTICATE"));
  g_assert_false (transcript_contains (check, password));
  g_assert_true (transcript_contains (check, "LOGIN <redacted>"));
}

static void
test_input_odd_password_login_literal (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_USER");
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD");
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *received = NULL;
  g_autofree char *expected = NULL;

  server = start_login_server (user, "MAIL_SETUP_TEST_ODD_PASSWORD", TRUE);
  check = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS, user, password, 5);

  assert_signed_in_with_login (check, server, password);

  /* "ü" cannot be quoted: the password went as a synchronizing literal of
   * its length in bytes, after the server's continuation request. */
  received = mail_setup_test_server_get_transcript (server);
  expected = g_strdup_printf (" LOGIN \"%s\" {%" G_GSIZE_FORMAT "}\r\n%s\r\n", user,
                              strlen (password), password);
  g_assert_nonnull (strstr (received, expected));
  g_assert_true (transcript_contains (check, "S: + Ready for additional command text."));
  g_assert_true (transcript_contains (check, "C: <redacted>"));
}

static void
test_input_odd_password_login_literal_plus (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_USER");
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD");
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *received = NULL;
  g_autofree char *expected = NULL;

  server = start_login_server (user, "MAIL_SETUP_TEST_ODD_PASSWORD", FALSE);
  check = new_scripted_check (server, MAIL_SETUP_SECURITY_SSL_TLS, user, password, 5);

  assert_signed_in_with_login (check, server, password);

  received = mail_setup_test_server_get_transcript (server);
  expected = g_strdup_printf (" LOGIN \"%s\" {%" G_GSIZE_FORMAT "+}\r\n%s\r\n", user,
                              strlen (password), password);
  g_assert_nonnull (strstr (received, expected));
  g_assert_false (transcript_contains (check, "S: + "));
}

static void
test_input_odd_user_name (void)
{
  /* Quotes, a backslash and a space are quoted; "ü" makes a literal. */
  static const struct
  {
    const char *user;
    const char *quoted;
  } names[] = {
    { "quote\"back\\slash space@example.test", "\"quote\\\"back\\\\slash space@example.test\"" },
    { "J\xc3\xbcrgen \"J\" M\xc3\xbcller@example.test", NULL },
  };
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(MailSetupTestServer) plain_server = NULL;
      g_autoptr(MailSetupTestServer) login_server = NULL;
      g_autoptr(MailSetupCheck) plain_check = NULL;
      g_autoptr(MailSetupCheck) login_check = NULL;
      g_autofree char *received = NULL;
      g_autofree char *sent = NULL;

      /* AUTHENTICATE PLAIN carries any byte but NUL. */
      plain_server = mail_setup_test_server_start ("ms-ok", "--user", names[i].user, NULL);
      plain_check = new_scripted_check (plain_server, MAIL_SETUP_SECURITY_SSL_TLS, names[i].user,
                                        password, 5);
      mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (plain_check, 0, NULL),
                                              MAIL_SETUP_DIAGNOSIS_OK);

      login_server = start_login_server (names[i].user, "MAIL_SETUP_TEST_PASSWORD", TRUE);
      login_check = new_scripted_check (login_server, MAIL_SETUP_SECURITY_SSL_TLS, names[i].user,
                                        password, 5);
      assert_signed_in_with_login (login_check, login_server, password);
      received = mail_setup_test_server_get_transcript (login_server);
      if (names[i].quoted != NULL)
        sent = g_strdup_printf (" LOGIN %s ", names[i].quoted);
      else
        sent = g_strdup_printf (" LOGIN {%" G_GSIZE_FORMAT "}\r\n%s ", strlen (names[i].user),
                                names[i].user);
      g_assert_nonnull (strstr (received, sent));
    }
}

typedef struct
{
  const char *variable;
  gboolean    literal;
} PasswordCase;

/* A password of 1000 characters, and one with CR and LF in it, either sign
 * in where they are right or are refused where they are wrong: a clear
 * result in both cases, in seconds. */
static void
test_input_unusual_password (gconstpointer data)
{
  const PasswordCase *unusual = data;
  const char *password = mail_setup_test_service_env (unusual->variable);
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  g_autoptr(MailSetupTestServer) plain_server = NULL;
  g_autoptr(MailSetupTestServer) login_server = NULL;
  g_autoptr(MailSetupCheck) plain_check = NULL;
  g_autoptr(MailSetupCheck) login_check = NULL;
  g_autoptr(MailSetupCheck) dovecot_check = NULL;
  g_autofree char *received = NULL;
  g_autofree char *literal = NULL;
  gint64 elapsed_ms = 0;

  plain_server = mail_setup_test_server_start ("ms-ok", "--user", user,
                                               "--password-env", unusual->variable, NULL);
  plain_check = new_scripted_check (plain_server, MAIL_SETUP_SECURITY_SSL_TLS, user, password, 5);
  mail_setup_test_check_assert_diagnosis (run_timed (plain_check, &elapsed_ms),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  g_assert_cmpint (elapsed_ms, <, 5000);

  login_server = start_login_server (user, unusual->variable, TRUE);
  login_check = new_scripted_check (login_server, MAIL_SETUP_SECURITY_SSL_TLS, user, password, 5);
  assert_signed_in_with_login (login_check, login_server, password);
  received = mail_setup_test_server_get_transcript (login_server);
  literal = g_strdup_printf ("{%" G_GSIZE_FORMAT "}\r\n", strlen (password));
  g_assert_true ((strstr (received, literal) != NULL) == unusual->literal);

  /* Dovecot knows this user with another password. */
  dovecot_check = new_dovecot_check (user, password);
  mail_setup_test_check_assert_diagnosis (run_timed (dovecot_check, &elapsed_ms),
                                          MAIL_SETUP_DIAGNOSIS_AUTH_FAILED);
  g_assert_cmpint (elapsed_ms, <, 5000);
  g_assert_false (transcript_contains (dovecot_check, password));
}

static const PasswordCase long_password = { LONG_PASSWORD_VARIABLE, FALSE };
static const PasswordCase crlf_password = { CRLF_PASSWORD_VARIABLE, TRUE };

/* Secrets. */

static char *
plain_credentials_base64 (const char *user,
                          const char *password)
{
  gsize user_length = strlen (user);
  gsize password_length = strlen (password);
  g_autofree char *message = g_malloc0 (user_length + password_length + 2);

  memcpy (message + 1, user, user_length);
  memcpy (message + 2 + user_length, password, password_length);

  return g_base64_encode ((const guchar *) message, user_length + password_length + 2);
}

static void
assert_holds_no_secret (const char *text,
                        const char *user,
                        const char *password)
{
  g_autofree char *plain = plain_credentials_base64 (user, password);
  g_autofree char *password_base64 = g_base64_encode ((const guchar *) password, strlen (password));

  g_assert_null (strstr (text, password));
  g_assert_null (strstr (text, plain));
  g_assert_null (strstr (text, password_base64));
}

static void
assert_outcome_holds_no_secret (MailSetupCheck *check,
                                const char     *user,
                                const char     *password)
{
  const char * const *transcript = mail_setup_check_get_transcript (check);
  g_autofree char *report = mail_setup_check_to_text_report (check);
  g_autofree char *json = mail_setup_check_to_json (check);

  for (guint i = 0; transcript[i] != NULL; i++)
    assert_holds_no_secret (transcript[i], user, password);
  assert_holds_no_secret (report, user, password);
  assert_holds_no_secret (json, user, password);

  /* The report shows the conversation, with the credentials taken out. */
  g_assert_nonnull (strstr (report, "<redacted>"));
}

static void
test_secrets_report_dovecot (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_USER");
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD");
  const char *wrong_password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(MailSetupCheck) refused = NULL;

  check = new_dovecot_check (user, password);
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  g_assert_true (transcript_contains (check, "AUTHENTICATE PLAIN <redacted>"));
  assert_outcome_holds_no_secret (check, user, password);

  refused = new_dovecot_check (user, wrong_password);
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (refused, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_AUTH_FAILED);
  assert_outcome_holds_no_secret (refused, user, wrong_password);
}

/* Each way the password can travel: an initial response, a response after
 * a continuation, LOGIN with a literal after a continuation or at once. */
static void
test_secrets_report_scripted (void)
{
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_USER");
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD");
  const char *variable = "MAIL_SETUP_TEST_ODD_PASSWORD";
  g_autoptr(MailSetupTestServer) initial_response = NULL;
  g_autoptr(MailSetupTestServer) continuation = NULL;
  g_autoptr(MailSetupTestServer) login = NULL;
  g_autoptr(MailSetupTestServer) login_literal_plus = NULL;
  MailSetupTestServer *servers[4];

  servers[0] = initial_response = mail_setup_test_server_start ("ms-ok", "--user", user,
                                                                "--password-env", variable, NULL);
  servers[1] = continuation = mail_setup_test_server_start ("ms-ok", "--user", user,
                                                            "--password-env", variable,
                                                            "--drop-capability", "SASL-IR", NULL);
  servers[2] = login = start_login_server (user, variable, TRUE);
  servers[3] = login_literal_plus = start_login_server (user, variable, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    {
      g_autoptr(MailSetupCheck) check = NULL;

      check = new_scripted_check (servers[i], MAIL_SETUP_SECURITY_SSL_TLS, user, password, 5);
      mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                              MAIL_SETUP_DIAGNOSIS_OK);
      assert_outcome_holds_no_secret (check, user, password);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GString) long_password_text = g_string_new (NULL);

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  /* The scripted servers read the passwords they accept from the
   * environment; set before any thread runs. */
  while (long_password_text->len < LONG_PASSWORD_LENGTH)
    g_string_append (long_password_text, "a\"b\\c{d}e%f g");
  g_string_truncate (long_password_text, LONG_PASSWORD_LENGTH);
  g_setenv (LONG_PASSWORD_VARIABLE, long_password_text->str, TRUE);
  g_setenv (CRLF_PASSWORD_VARIABLE, CRLF_PASSWORD, TRUE);

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (hostile_cases); i++)
    {
      const HostileCase *hostile = &hostile_cases[i];
      g_autofree char *path = NULL;

      if (hostile->certificate != NULL)
        {
          g_autofree char *name = g_ascii_strdown (hostile->certificate, -1);

          g_strdelimit (name, "_", '-');
          path = g_strdup_printf ("/hostile/scripted/certificate-%s", name);
        }
      else
        path = g_strdup_printf ("/hostile/scripted/%s", hostile->scenario);
      g_test_add_data_func (path, hostile, test_hostile_server);
    }
  g_test_add_func ("/hostile/scripted/long-line-memory", test_hostile_long_line_memory);
  g_test_add_func ("/hostile/dovecot/hundred-checks", test_hostile_hundred_checks);

  g_test_add_func ("/hostile/input/odd-password-login-literal",
                   test_input_odd_password_login_literal);
  g_test_add_func ("/hostile/input/odd-password-login-literal-plus",
                   test_input_odd_password_login_literal_plus);
  g_test_add_func ("/hostile/input/odd-user-name", test_input_odd_user_name);
  g_test_add_data_func ("/hostile/input/password-1000-characters", &long_password,
                        test_input_unusual_password);
  g_test_add_data_func ("/hostile/input/password-crlf", &crlf_password,
                        test_input_unusual_password);

  g_test_add_func ("/hostile/secrets/report-dovecot", test_secrets_report_dovecot);
  g_test_add_func ("/hostile/secrets/report-scripted", test_secrets_report_scripted);

  return g_test_run ();
}
