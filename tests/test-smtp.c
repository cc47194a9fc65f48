/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The SMTP check: the reply reader, the diagnosis of Microsoft's answers,
 * and the check itself against tests/servers/scripted-smtp-server.py, which
 * answers as smtp.office365.com does. The first two need nothing; the
 * check needs the test services. */

#include <json-glib/json-glib.h>

#include "mail-setup-check.h"
#include "mail-setup-smtp.h"
#include "mail-setup-test-check.h"
#include "mail-setup-test-server.h"
#include "mail-setup-test-util.h"

#define USER "someone@outlook.com"
#define GREETING "220 BN9PR03CA0123.outlook.office365.com Microsoft ESMTP MAIL Service ready at " \
                 "Mon, 30 Nov 2026 18:00:00 +0000 08DE1A2B3C4D5E6F"
#define BACKEND "[BN9PR03CA0123.namprd03.prod.outlook.com 2026-11-30T18:00:00.000Z 08DE1A2B3C4D5E6F]"

/* The reader. */

static MailSetupSmtpReply *
read_one (const char  *text,
          GError     **error)
{
  g_autoptr(MailSetupSmtpReader) reader = mail_setup_smtp_reader_new (1024, 100);

  mail_setup_smtp_reader_feed (reader, text, strlen (text));
  return mail_setup_smtp_reader_next (reader, error);
}

static void
test_reader_multi_line (void)
{
  const char *ehlo = "250-BN9PR03CA0123.outlook.office365.com Hello [127.0.0.1]\r\n"
                     "250-SIZE 157286400\r\n"
                     "250-PIPELINING\r\n"
                     "250-AUTH LOGIN XOAUTH2\r\n"
                     "250 SMTPUTF8\r\n"
                     "221 2.0.0 Bye\r\n";
  g_autoptr(MailSetupSmtpReader) reader = mail_setup_smtp_reader_new (1024, 100);
  g_autoptr(MailSetupSmtpReply) reply = NULL;
  g_autoptr(MailSetupSmtpReply) second = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) extensions = NULL;
  const char *p;

  /* Byte by byte: a reply is whole only with its last line. */
  for (p = ehlo; *p != '\0' && reply == NULL; p++)
    {
      mail_setup_smtp_reader_feed (reader, p, 1);
      reply = mail_setup_smtp_reader_next (reader, &error);
      g_assert_no_error (error);
    }
  g_assert_nonnull (reply);
  g_assert_cmpstr (p, ==, "221 2.0.0 Bye\r\n");
  mail_setup_smtp_reader_feed (reader, p, strlen (p));
  g_assert_cmpuint (reply->code, ==, 250);
  g_assert_null (reply->enhanced_code);
  g_assert_cmpstr (reply->text, ==, "SMTPUTF8");
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 5);
  g_assert_cmpstr (reply->lines[0], ==, "BN9PR03CA0123.outlook.office365.com Hello [127.0.0.1]");

  extensions = mail_setup_smtp_parse_extensions (reply);
  g_assert_cmpuint (g_strv_length (extensions), ==, 4);
  g_assert_cmpstr (extensions[0], ==, "SIZE 157286400");
  g_assert_true (mail_setup_smtp_extensions_has ((const char * const *) extensions, "pipelining"));
  g_assert_false (mail_setup_smtp_extensions_has ((const char * const *) extensions, "STARTTLS"));
  g_assert_true (mail_setup_smtp_extensions_has_auth ((const char * const *) extensions, "XOAUTH2"));
  g_assert_true (mail_setup_smtp_extensions_has_auth ((const char * const *) extensions, "login"));
  g_assert_false (mail_setup_smtp_extensions_has_auth ((const char * const *) extensions, "PLAIN"));

  /* The next reply waits in the buffer; nothing is left after it. */
  g_assert_cmpuint (mail_setup_smtp_reader_get_buffered_size (reader), ==, strlen ("221 2.0.0 Bye\r\n"));
  second = mail_setup_smtp_reader_next (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->code, ==, 221);
  g_assert_cmpstr (second->enhanced_code, ==, "2.0.0");
  g_assert_cmpstr (second->text, ==, "Bye");
  g_assert_null (mail_setup_smtp_reader_next (reader, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mail_setup_smtp_reader_get_buffered_size (reader), ==, 0);
}

static void
test_reader_enhanced_codes (void)
{
  static const struct
  {
    const char *text;
    guint       code;
    const char *enhanced_code;
    const char *reply_text;
    const char *shown;
  } cases[] = {
    { "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.\r\n", 535,
      "5.7.139", "Authentication unsuccessful, basic authentication is disabled.",
      "535 5.7.139 Authentication unsuccessful, basic authentication is disabled." },
    { "550 5.7.30 Basic authentication is not supported for Client Submission.\n", 550,
      "5.7.30", "Basic authentication is not supported for Client Submission.", NULL },
    /* The enhanced code's class must be the reply's. */
    { "250 5.7.3 odd\r\n", 250, NULL, "5.7.3 odd", NULL },
    { "535 5.7 short\r\n", 535, NULL, "5.7 short", NULL },
    { "535 5.1234.1 long\r\n", 535, NULL, "5.1234.1 long", NULL },
    { "535 5.7.3\r\n", 535, "5.7.3", "", NULL },
    { "250\r\n", 250, NULL, "", "250" },
    /* Gmail repeats the code on every line; the last line's counts. */
    { "535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more\r\n", 535,
      "5.7.8", "Learn more", "535 5.7.8 Username and Password not accepted. 5.7.8 Learn more" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MailSetupSmtpReply) reply = NULL;
      g_autoptr(GError) error = NULL;

      reply = read_one (cases[i].text, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (reply->code, ==, cases[i].code);
      g_assert_cmpstr (reply->enhanced_code, ==, cases[i].enhanced_code);
      g_assert_cmpstr (reply->text, ==, cases[i].reply_text);
      if (cases[i].shown != NULL)
        g_assert_cmpstr (reply->shown, ==, cases[i].shown);
    }
}

static void
test_reader_malformed (void)
{
  static const char *cases[] = {
    "* OK The Microsoft Exchange IMAP4 service is ready.\r\n",
    "+OK Dovecot ready.\r\n",
    "2500 too many digits\r\n",
    "25 too few\r\n",
    "650 no such class\r\n",
    "250-first\r\n251 another code\r\n",
    "250_underscore\r\n",
    "\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MailSetupSmtpReply) reply = NULL;
      g_autoptr(GError) error = NULL;

      reply = read_one (cases[i], &error);
      g_assert_null (reply);
      g_assert_error (error, MAIL_SETUP_SMTP_ERROR, MAIL_SETUP_SMTP_ERROR_MALFORMED);
    }
}

static void
test_reader_nul (void)
{
  g_autoptr(MailSetupSmtpReader) reader = mail_setup_smtp_reader_new (1024, 100);
  g_autoptr(GError) error = NULL;

  mail_setup_smtp_reader_feed (reader, "220 a\0b\r\n", 9);
  g_assert_null (mail_setup_smtp_reader_next (reader, &error));
  g_assert_error (error, MAIL_SETUP_SMTP_ERROR, MAIL_SETUP_SMTP_ERROR_MALFORMED);
}

static void
test_reader_too_long (void)
{
  g_autoptr(MailSetupSmtpReader) reader = mail_setup_smtp_reader_new (64, 100);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  g_autofree char *line = g_strnfill (100, 'x');

  /* The line is refused before its end comes. */
  mail_setup_smtp_reader_feed (reader, "220 ", 4);
  mail_setup_smtp_reader_feed (reader, line, strlen (line));
  g_assert_null (mail_setup_smtp_reader_next (reader, &error));
  g_assert_error (error, MAIL_SETUP_SMTP_ERROR, MAIL_SETUP_SMTP_ERROR_LINE_TOO_LONG);

  /* The error stays, whatever comes after. */
  mail_setup_smtp_reader_feed (reader, "\r\n250 OK\r\n", 10);
  g_assert_null (mail_setup_smtp_reader_next (reader, &again));
  g_assert_error (again, MAIL_SETUP_SMTP_ERROR, MAIL_SETUP_SMTP_ERROR_LINE_TOO_LONG);
}

static void
test_reader_line_at_limit (void)
{
  g_autoptr(MailSetupSmtpReader) reader = mail_setup_smtp_reader_new (64, 100);
  g_autoptr(MailSetupSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strnfill (60, 'x');
  g_autofree char *line = g_strdup_printf ("250 %s\r\n", text);

  mail_setup_smtp_reader_feed (reader, line, strlen (line));
  reply = mail_setup_smtp_reader_next (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reply->text, ==, text);
}

static void
test_reader_too_many_lines (void)
{
  g_autoptr(MailSetupSmtpReader) reader = mail_setup_smtp_reader_new (1024, 3);
  g_autoptr(GError) error = NULL;

  mail_setup_smtp_reader_feed (reader, "250-a\r\n250-b\r\n250-c\r\n250-d\r\n", 28);
  g_assert_null (mail_setup_smtp_reader_next (reader, &error));
  g_assert_error (error, MAIL_SETUP_SMTP_ERROR, MAIL_SETUP_SMTP_ERROR_TOO_MANY_LINES);
}

static void
collect_line (const char *line,
              gsize       length,
              gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strndup (line, length));
}

static void
test_reader_reset_and_lines (void)
{
  g_autoptr(MailSetupSmtpReader) reader = mail_setup_smtp_reader_new (1024, 100);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(MailSetupSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *injected = "220 2.0.0 SMTP server ready\r\n250-injected\r\n250 AUTH PLAIN";

  mail_setup_smtp_reader_set_line_func (reader, collect_line, lines);
  mail_setup_smtp_reader_feed (reader, injected, strlen (injected));
  reply = mail_setup_smtp_reader_next (reader, &error);
  g_assert_cmpuint (reply->code, ==, 220);
  g_assert_null (mail_setup_smtp_reader_next (reader, &error));
  g_assert_no_error (error);

  /* Every line was seen as it was cut, the unfinished reply's too. */
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "250-injected");

  /* What came behind the STARTTLS answer is dropped, the line already
   * cut of the unfinished reply included. */
  g_assert_cmpuint (mail_setup_smtp_reader_reset (reader), ==, strlen ("250-injected\r\n250 AUTH PLAIN"));
  g_assert_cmpuint (mail_setup_smtp_reader_get_buffered_size (reader), ==, 0);
  mail_setup_smtp_reader_feed (reader, "250 fresh\r\n", 11);
  g_clear_pointer (&reply, mail_setup_smtp_reply_free);
  reply = mail_setup_smtp_reader_next (reader, &error);
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 1);
  g_assert_cmpstr (reply->text, ==, "fresh");
}

static void
test_extensions (void)
{
  MailSetupSmtpReply reply = { 250 };
  const char *lines[] = {
    "mail.example.test greets you",
    "auth=login plain",
    "8bitmime",
    "X-\x1b[31mEVIL",
    "SIZE 10\x07",
    "-DASH",
    "   ",
    "STARTTLS",
    NULL,
  };
  g_auto(GStrv) extensions = NULL;

  reply.lines = (GStrv) lines;
  extensions = mail_setup_smtp_parse_extensions (&reply);

  /* Only clean lines are kept, keywords upper-cased. */
  g_assert_cmpuint (g_strv_length (extensions), ==, 3);
  g_assert_cmpstr (extensions[0], ==, "AUTH=LOGIN plain");
  g_assert_cmpstr (extensions[1], ==, "8BITMIME");
  g_assert_cmpstr (extensions[2], ==, "STARTTLS");
  /* The old form "AUTH=LOGIN PLAIN" offers both. */
  g_assert_true (mail_setup_smtp_extensions_has_auth ((const char * const *) extensions, "LOGIN"));
  g_assert_true (mail_setup_smtp_extensions_has_auth ((const char * const *) extensions, "PLAIN"));
  g_assert_true (mail_setup_smtp_extensions_has ((const char * const *) extensions, "AUTH"));
  g_assert_false (mail_setup_smtp_extensions_has ((const char * const *) extensions, "8BIT"));
  g_assert_false (mail_setup_smtp_extensions_has (NULL, "STARTTLS"));
  g_assert_false (mail_setup_smtp_extensions_has_auth (NULL, "PLAIN"));
}

/* The diagnosis of each answer. */

typedef struct
{
  MailSetupSmtpCommand  command;
  const char           *reply;
  MailSetupDiagnosis    expected;
} ReplyCase;

static const ReplyCase reply_cases[] = {
  { MAIL_SETUP_SMTP_COMMAND_GREETING, GREETING, MAIL_SETUP_DIAGNOSIS_OK },
  { MAIL_SETUP_SMTP_COMMAND_GREETING, "421 4.3.2 Service not available, closing transmission channel",
    MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE },
  { MAIL_SETUP_SMTP_COMMAND_GREETING, "554 5.7.1 No SMTP service here",
    MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE },
  { MAIL_SETUP_SMTP_COMMAND_GREETING, "250 hello?", MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR },
  { MAIL_SETUP_SMTP_COMMAND_EHLO, "250 OK", MAIL_SETUP_DIAGNOSIS_OK },
  { MAIL_SETUP_SMTP_COMMAND_EHLO, "500 5.5.1 Unrecognized command", MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR },
  { MAIL_SETUP_SMTP_COMMAND_EHLO, "421 4.7.0 Too many connections", MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE },
  { MAIL_SETUP_SMTP_COMMAND_STARTTLS, "220 2.0.0 SMTP server ready", MAIL_SETUP_DIAGNOSIS_OK },
  { MAIL_SETUP_SMTP_COMMAND_STARTTLS, "454 4.7.0 TLS not available due to local problem",
    MAIL_SETUP_DIAGNOSIS_SMTP_STARTTLS_UNAVAILABLE },
  { MAIL_SETUP_SMTP_COMMAND_STARTTLS, "502 5.5.1 Not implemented",
    MAIL_SETUP_DIAGNOSIS_SMTP_STARTTLS_UNAVAILABLE },
  { MAIL_SETUP_SMTP_COMMAND_AUTH, "235 2.7.0 Authentication successful", MAIL_SETUP_DIAGNOSIS_OK },
  { MAIL_SETUP_SMTP_COMMAND_AUTH,
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
    "Visit https://aka.ms/smtp_auth_disabled for more information. " BACKEND,
    MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED },
  { MAIL_SETUP_SMTP_COMMAND_AUTH,
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. "
    "Visit https://aka.ms/smtp_auth_disabled for more information. " BACKEND,
    MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED },
  { MAIL_SETUP_SMTP_COMMAND_AUTH,
    "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. " BACKEND,
    MAIL_SETUP_DIAGNOSIS_SMTP_BASIC_AUTH_BLOCKED },
  { MAIL_SETUP_SMTP_COMMAND_AUTH,
    "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security "
    "defaults policy. Contact your administrator.", MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED },
  { MAIL_SETUP_SMTP_COMMAND_AUTH,
    "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be "
    "authenticated successfully. Contact your administrator.", MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED },
  { MAIL_SETUP_SMTP_COMMAND_AUTH, "550 5.7.30 Basic authentication is not supported for Client Submission.",
    MAIL_SETUP_DIAGNOSIS_SMTP_BASIC_AUTH_BLOCKED },
  { MAIL_SETUP_SMTP_COMMAND_AUTH, "535 5.7.3 Authentication unsuccessful " BACKEND,
    MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED },
  { MAIL_SETUP_SMTP_COMMAND_AUTH, "535 5.7.8 Username and Password not accepted.",
    MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED },
  { MAIL_SETUP_SMTP_COMMAND_AUTH, "535 Authentication failed", MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED },
  { MAIL_SETUP_SMTP_COMMAND_AUTH, "504 5.7.4 Unrecognized authentication type",
    MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH },
  { MAIL_SETUP_SMTP_COMMAND_AUTH, "454 4.7.0 Temporary authentication failure",
    MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE },
  { MAIL_SETUP_SMTP_COMMAND_AUTH, "500 5.5.1 What?", MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR },
  { MAIL_SETUP_SMTP_COMMAND_AUTH, "334 VXNlcm5hbWU6", MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR },
  { MAIL_SETUP_SMTP_COMMAND_MAIL_FROM, "250 2.1.0 Sender OK", MAIL_SETUP_DIAGNOSIS_OK },
  { MAIL_SETUP_SMTP_COMMAND_MAIL_FROM,
    "554 5.2.252 SendAsDenied; someone@outlook.com not allowed to send as other@example.test; "
    "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied",
    MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED },
  { MAIL_SETUP_SMTP_COMMAND_MAIL_FROM,
    "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied",
    MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED },
  { MAIL_SETUP_SMTP_COMMAND_MAIL_FROM, "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
    MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED },
  { MAIL_SETUP_SMTP_COMMAND_MAIL_FROM, "530 5.7.57 Client not authenticated to send mail.",
    MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED },
  { MAIL_SETUP_SMTP_COMMAND_MAIL_FROM, "553 5.1.8 Sender address rejected: Domain not found",
    MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED },
  { MAIL_SETUP_SMTP_COMMAND_MAIL_FROM, "550 Sender rejected", MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED },
  { MAIL_SETUP_SMTP_COMMAND_MAIL_FROM, "451 4.7.1 Greylisted, try again later",
    MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE },
  { MAIL_SETUP_SMTP_COMMAND_MAIL_FROM, "421 4.7.66 Too many connections",
    MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE },
  { MAIL_SETUP_SMTP_COMMAND_MAIL_FROM, "500 5.5.2 Syntax error", MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR },
  { MAIL_SETUP_SMTP_COMMAND_RSET, "250 2.0.0 Resetting", MAIL_SETUP_DIAGNOSIS_OK },
  { MAIL_SETUP_SMTP_COMMAND_RSET, "502 5.5.1 Not implemented", MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR },
  { MAIL_SETUP_SMTP_COMMAND_QUIT, "221 2.0.0 Service closing transmission channel", MAIL_SETUP_DIAGNOSIS_OK },
};

static void
test_diagnosis_for_replies (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (reply_cases); i++)
    {
      g_autofree char *line = g_strconcat (reply_cases[i].reply, "\r\n", NULL);
      g_autoptr(MailSetupSmtpReply) reply = NULL;
      g_autoptr(GError) error = NULL;
      MailSetupDiagnosis diagnosis;

      reply = read_one (line, &error);
      g_assert_no_error (error);
      diagnosis = mail_setup_diagnosis_for_smtp_reply (reply_cases[i].command, reply->code,
                                                       reply->enhanced_code, reply->text);
      g_test_message ("%s", reply_cases[i].reply);
      mail_setup_test_check_assert_diagnosis (diagnosis, reply_cases[i].expected);
    }
}

static void
test_recognise_server (void)
{
  static const struct
  {
    MailSetupProtocol  expected;
    const char        *line;
    guint16            port;
    gboolean           other;
    MailSetupProtocol  protocol;
  } cases[] = {
    { MAIL_SETUP_PROTOCOL_SMTP, "* OK The Microsoft Exchange IMAP4 service is ready.", 587, TRUE,
      MAIL_SETUP_PROTOCOL_IMAP },
    { MAIL_SETUP_PROTOCOL_SMTP, "* OK [CAPABILITY IMAP4rev1] Dovecot ready.", 465, TRUE,
      MAIL_SETUP_PROTOCOL_IMAP },
    { MAIL_SETUP_PROTOCOL_SMTP, "+OK Dovecot (Debian) ready.", 587, TRUE, MAIL_SETUP_PROTOCOL_POP3 },
    { MAIL_SETUP_PROTOCOL_SMTP, "SSH-2.0-OpenSSH_9.2p1", 587, TRUE, MAIL_SETUP_PROTOCOL_SSH },
    { MAIL_SETUP_PROTOCOL_SMTP, "HTTP/1.1 400 Bad Request", 465, TRUE, MAIL_SETUP_PROTOCOL_HTTP },
    { MAIL_SETUP_PROTOCOL_SMTP, "220 (vsFTPd 3.0.3)", 587, TRUE, MAIL_SETUP_PROTOCOL_FTP },
    { MAIL_SETUP_PROTOCOL_SMTP, "220 Welcome", 21, TRUE, MAIL_SETUP_PROTOCOL_FTP },
    /* What an SMTP check expects is not another server. */
    { MAIL_SETUP_PROTOCOL_SMTP, GREETING, 587, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
    { MAIL_SETUP_PROTOCOL_SMTP, "220 mail.example.test", 2587, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
    { MAIL_SETUP_PROTOCOL_SMTP, "421 4.3.2 Service not available", 587, FALSE,
      MAIL_SETUP_PROTOCOL_UNKNOWN },
    /* Garbage is left to the SMTP reader. */
    { MAIL_SETUP_PROTOCOL_SMTP, "hello", 587, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
    /* The IMAP check is as it was. */
    { MAIL_SETUP_PROTOCOL_IMAP, GREETING, 993, TRUE, MAIL_SETUP_PROTOCOL_SMTP },
    { MAIL_SETUP_PROTOCOL_IMAP, "* OK IMAP4rev1 ready", 993, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      MailSetupProtocol protocol = MAIL_SETUP_PROTOCOL_UNKNOWN;
      gboolean other;

      other = mail_setup_diagnosis_recognise_server (cases[i].expected, cases[i].line, cases[i].port,
                                                     &protocol);
      g_test_message ("%s", cases[i].line);
      g_assert_cmpint (other, ==, cases[i].other);
      g_assert_cmpstr (mail_setup_protocol_to_string (protocol), ==,
                       mail_setup_protocol_to_string (cases[i].protocol));
    }
}

/* The check against the scripted server. */

static MailSetupCheck *
new_smtp_check (MailSetupTestServer *server,
                MailSetupSecurity    security,
                gboolean             token)
{
  MailSetupCheck *check;

  check = mail_setup_check_new_smtp ("127.0.0.1", mail_setup_test_server_get_port (server),
                                     security, USER);
  if (token)
    mail_setup_check_set_access_token (check, MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN);
  else
    mail_setup_check_set_password (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, 5);

  return check;
}

static char *
base64_of (const char *text)
{
  return g_base64_encode ((const guchar *) text, strlen (text));
}

/* Whatever the scenario: no credential in the check's transcript or its
 * reports, and the server's own record shows no credential before TLS, no
 * DATA and nothing after QUIT. */
static void
assert_nothing_leaked (MailSetupCheck      *check,
                       MailSetupTestServer *server)
{
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");
  g_autofree char *encoded_password = base64_of (password);
  const char * const *transcript = mail_setup_check_get_transcript (check);
  g_autofree char *report = mail_setup_check_to_text_report (check);
  g_autofree char *json = mail_setup_check_to_json (check);
  g_autofree char *received = mail_setup_test_server_get_transcript (server);
  const char *quit;

  for (guint i = 0; transcript[i] != NULL; i++)
    {
      g_assert_null (strstr (transcript[i], password));
      g_assert_null (strstr (transcript[i], encoded_password));
      g_assert_null (strstr (transcript[i], MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN));
    }
  g_assert_null (strstr (report, password));
  g_assert_null (strstr (report, encoded_password));
  g_assert_null (strstr (json, password));

  g_assert_null (strstr (received, password));
  g_assert_null (strstr (received, "[plain] AUTH"));
  g_assert_null (strstr (received, "[plain] MAIL"));
  g_assert_null (strstr (received, "DATA"));
  g_assert_null (strstr (received, "BDAT"));
  g_assert_null (strstr (received, "RCPT"));
  quit = strstr (received, "QUIT\r\n");
  if (quit != NULL)
    g_assert_cmpstr (quit, ==, "QUIT\r\n");
}

static const char *
failed_stage (MailSetupCheck *check)
{
  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    if (mail_setup_check_get_stage_status (check, i) == MAIL_SETUP_STAGE_STATUS_FAILED)
      return mail_setup_check_get_stage_name (check, i);

  return NULL;
}

static void
test_check_ok (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *encoded_user = base64_of (USER);
  g_autofree char *encoded_password = base64_of (mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  g_autofree char *expected_received = NULL;
  g_autofree char *received = NULL;
  g_autofree char *conversation = NULL;
  const char * const *extensions;
  const char *expected_events[] = {
    "start resolve", "ok resolve", "start connect", "ok connect", "start greeting",
    "ok greeting", "start tls", "ok tls", "start sign-in", "ok sign-in", "start mailbox",
    "ok mailbox", "start logout", "ok logout",
  };

  server = mail_setup_test_smtp_server_start ("ok", "--user", USER, NULL);
  check = new_smtp_check (server, MAIL_SETUP_SECURITY_STARTTLS, FALSE);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, &events),
                                          MAIL_SETUP_DIAGNOSIS_OK);

  /* STARTTLS: the greeting before TLS. */
  g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (expected_events));
  for (guint i = 0; i < events->len; i++)
    g_assert_cmpstr (g_ptr_array_index (events, i), ==, expected_events[i]);

  g_assert_true (mail_setup_check_get_is_microsoft (check));
  g_assert_nonnull (mail_setup_check_get_sign_in_time (check));
  g_assert_nonnull (mail_setup_check_get_tls_info (check));
  g_assert_cmpstr (mail_setup_check_get_server_response (check), ==,
                   "221 2.0.0 Service closing transmission channel");
  /* The extensions are the ones said again inside TLS. */
  extensions = mail_setup_check_get_capabilities (check);
  g_assert_true (g_strv_contains (extensions, "AUTH LOGIN XOAUTH2"));
  g_assert_true (g_strv_contains (extensions, "SIZE 157286400"));
  g_assert_false (g_strv_contains (extensions, "STARTTLS"));

  /* Microsoft offers LOGIN, not PLAIN: the user name and the password
   * each on a line of their own, and nothing more than asked. */
  expected_received = g_strdup_printf ("[plain] EHLO [127.0.0.1]\r\n"
                                       "[plain] STARTTLS\r\n"
                                       "EHLO [127.0.0.1]\r\n"
                                       "AUTH LOGIN\r\n"
                                       "%s\r\n"
                                       "%s\r\n"
                                       "MAIL FROM:<" USER ">\r\n"
                                       "RSET\r\n"
                                       "QUIT\r\n", encoded_user, encoded_password);
  received = mail_setup_test_server_get_transcript (server);
  g_assert_cmpstr (received, ==, expected_received);

  conversation = g_strjoinv ("\n", (GStrv) mail_setup_check_get_transcript (check));
  g_assert_nonnull (strstr (conversation, "S: " GREETING "\n"));
  g_assert_nonnull (strstr (conversation, "C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: <redacted>\n"
                                          "S: 334 UGFzc3dvcmQ6\nC: <redacted>\n"
                                          "S: 235 2.7.0 Authentication successful\n"));
  g_assert_nonnull (strstr (conversation, "C: MAIL FROM:<" USER ">\nS: 250 2.1.0 Sender OK\n"
                                          "C: RSET\nS: 250 2.0.0 Resetting\nC: QUIT\n"));
  assert_nothing_leaked (check, server);
}

static void
test_check_token (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *received = NULL;
  g_autofree char *conversation = NULL;

  server = mail_setup_test_smtp_server_start ("ok", "--user", USER, NULL);
  check = new_smtp_check (server, MAIL_SETUP_SECURITY_STARTTLS, TRUE);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);

  /* The initial response on the AUTH line itself. */
  received = mail_setup_test_server_get_transcript (server);
  g_assert_nonnull (strstr (received, "\nAUTH XOAUTH2 "));
  conversation = g_strjoinv ("\n", (GStrv) mail_setup_check_get_transcript (check));
  g_assert_nonnull (strstr (conversation, "C: AUTH XOAUTH2 <redacted>\n"));
  assert_nothing_leaked (check, server);
}

static void
test_check_implicit_tls (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *received = NULL;

  server = mail_setup_test_smtp_server_start ("ok", "--user", USER, "--tls", "implicit", NULL);
  check = new_smtp_check (server, MAIL_SETUP_SECURITY_SSL_TLS, FALSE);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, &events),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  /* TLS first, then the greeting inside it. */
  g_assert_cmpstr (g_ptr_array_index (events, 4), ==, "start tls");
  g_assert_cmpstr (g_ptr_array_index (events, 6), ==, "start greeting");

  received = mail_setup_test_server_get_transcript (server);
  g_assert_true (g_str_has_prefix (received, "EHLO [127.0.0.1]\r\nAUTH LOGIN\r\n"));
  g_assert_null (strstr (received, "[plain]"));
  g_assert_null (strstr (received, "STARTTLS"));
  assert_nothing_leaked (check, server);
}

/* What the server sent behind its STARTTLS answer, before the handshake,
 * is dropped: the extensions are the ones said inside TLS. */
static void
test_check_starttls_injection (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *conversation = NULL;
  const char * const *extensions;

  server = mail_setup_test_smtp_server_start ("starttls-injection", "--user", USER, NULL);
  check = new_smtp_check (server, MAIL_SETUP_SECURITY_STARTTLS, FALSE);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  extensions = mail_setup_check_get_capabilities (check);
  g_assert_true (g_strv_contains (extensions, "AUTH LOGIN XOAUTH2"));
  g_assert_false (g_strv_contains (extensions, "AUTH PLAIN"));
  conversation = g_strjoinv ("\n", (GStrv) mail_setup_check_get_transcript (check));
  g_assert_nonnull (strstr (conversation, "! Discarded what the server sent before the TLS handshake"));
  assert_nothing_leaked (check, server);
}

typedef struct
{
  const char         *scenario;
  gboolean            token;
  MailSetupDiagnosis  expected;
  const char         *failed_stage;
  /* The server's words as the user is shown them. */
  const char         *response;
} ScenarioCase;

static const ScenarioCase scenario_cases[] = {
  { "auth-disabled-tenant", FALSE, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED, "sign-in",
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
    "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. " BACKEND },
  { "auth-disabled-tenant", TRUE, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED, "sign-in", NULL },
  { "auth-disabled-mailbox", FALSE, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED, "sign-in",
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
    "Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. " BACKEND },
  { "auth-disabled-mailbox", TRUE, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED, "sign-in", NULL },
  { "basic-auth-disabled", FALSE, MAIL_SETUP_DIAGNOSIS_SMTP_BASIC_AUTH_BLOCKED, "sign-in",
    "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. " BACKEND },
  { "basic-auth-disabled", TRUE, MAIL_SETUP_DIAGNOSIS_OK, NULL, NULL },
  { "basic-auth-not-supported", FALSE, MAIL_SETUP_DIAGNOSIS_SMTP_BASIC_AUTH_BLOCKED, "sign-in",
    "550 5.7.30 Basic authentication is not supported for Client Submission." },
  { "security-defaults", FALSE, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED, "sign-in", NULL },
  { "auth-failed", FALSE, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED, "sign-in",
    "535 5.7.3 Authentication unsuccessful " BACKEND },
  { "auth-failed", TRUE, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED, "sign-in", NULL },
  { "token-challenge", TRUE, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED, "sign-in",
    "535 5.7.3 Authentication unsuccessful " BACKEND },
  { "not-authenticated", FALSE, MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED, "sender",
    "530 5.7.57 Client not authenticated to send mail. " BACKEND },
  { "no-starttls", FALSE, MAIL_SETUP_DIAGNOSIS_SMTP_STARTTLS_UNAVAILABLE, "tls", NULL },
  { "unavailable", FALSE, MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE, "greeting",
    "421 4.3.2 Service not available, closing transmission channel" },
};

static void
test_check_scenario (gconstpointer data)
{
  const ScenarioCase *scenario = data;
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *received = NULL;
  g_autofree char *conversation = NULL;

  server = mail_setup_test_smtp_server_start (scenario->scenario, "--user", USER, NULL);
  check = new_smtp_check (server, MAIL_SETUP_SECURITY_STARTTLS, scenario->token);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          scenario->expected);
  g_assert_cmpstr (failed_stage (check), ==, scenario->failed_stage);
  /* A refused token is not a wrong password, and wrong settings are the
   * outgoing server's. */
  if (scenario->expected == MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED)
    g_assert_cmpstr (mail_setup_check_get_remedy (check), ==,
                     scenario->token ? "smtp-token-refused" : "smtp-sign-in");
  if (scenario->expected == MAIL_SETUP_DIAGNOSIS_SMTP_STARTTLS_UNAVAILABLE)
    g_assert_cmpstr (mail_setup_check_get_remedy (check), ==, "sending-server");
  if (scenario->response != NULL)
    g_assert_cmpstr (mail_setup_check_get_server_response (check), ==, scenario->response);
  assert_nothing_leaked (check, server);

  /* A failure ends the conversation: no QUIT after it. */
  received = mail_setup_test_server_get_transcript (server);
  if (scenario->expected != MAIL_SETUP_DIAGNOSIS_OK)
    g_assert_null (strstr (received, "QUIT"));
  if (g_str_equal (scenario->scenario, "no-starttls"))
    {
      /* The server offered AUTH LOGIN in plain text; nothing of it was used. */
      g_assert_cmpstr (received, ==, "[plain] EHLO [127.0.0.1]\r\n");
      g_assert_null (mail_setup_check_get_sign_in_time (check));
    }
  if (g_str_equal (scenario->scenario, "token-challenge"))
    {
      conversation = g_strjoinv ("\n", (GStrv) mail_setup_check_get_transcript (check));
      g_assert_nonnull (strstr (conversation, "! The server refused the token: {\"status\": \"401\""));
      g_assert_nonnull (strstr (received, "AUTH XOAUTH2 "));
    }
}

static void
test_check_send_as_denied (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(MailSetupCheck) own_address = NULL;
  g_autofree char *report = NULL;

  server = mail_setup_test_smtp_server_start ("send-as-denied", "--user", USER, NULL);
  check = new_smtp_check (server, MAIL_SETUP_SECURITY_STARTTLS, FALSE);
  mail_setup_check_set_sender (check, "other@example.test");

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED);
  g_assert_cmpstr (failed_stage (check), ==, "sender");
  g_assert_true (g_str_has_prefix (mail_setup_check_get_server_response (check),
                                   "554 5.2.252 SendAsDenied; " USER " not allowed to send as "
                                   "other@example.test;"));
  g_assert_cmpstr (mail_setup_diagnosis_get_remedy (MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED), ==,
                   "sender-address");
  report = mail_setup_check_to_text_report (check);
  g_assert_nonnull (strstr (report, "Sender: other@example.test\n"));
  g_assert_nonnull (strstr (report, "  sender    failed"));
  assert_nothing_leaked (check, server);

  /* The mailbox's own address is taken. */
  own_address = new_smtp_check (server, MAIL_SETUP_SECURITY_STARTTLS, FALSE);
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (own_address, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
}

/* A user name that is not an address, and no sender: MAIL FROM is not
 * asked about an address made up here. */
static void
test_check_without_sender (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *received = NULL;

  server = mail_setup_test_smtp_server_start ("ok", "--user", "someone", NULL);
  check = mail_setup_check_new_smtp ("127.0.0.1", mail_setup_test_server_get_port (server),
                                     MAIL_SETUP_SECURITY_STARTTLS, "someone");
  mail_setup_check_set_password (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  g_assert_null (mail_setup_check_get_sender (check));

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  g_assert_cmpint (mail_setup_check_get_stage_status (check, MAIL_SETUP_CHECK_STAGE_MAILBOX), ==,
                   MAIL_SETUP_STAGE_STATUS_SKIPPED);
  received = mail_setup_test_server_get_transcript (server);
  g_assert_null (strstr (received, "MAIL FROM"));
  g_assert_true (g_str_has_suffix (received, "QUIT\r\n"));
}

static void
test_check_cancel (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  gint64 start;
  gint64 elapsed_ms;

  server = mail_setup_test_smtp_server_start ("never-greets", NULL);
  check = new_smtp_check (server, MAIL_SETUP_SECURITY_STARTTLS, FALSE);
  mail_setup_check_set_timeout (check, 30);

  start = g_get_monotonic_time ();
  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 200, NULL),
                                          MAIL_SETUP_DIAGNOSIS_CANCELLED);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  g_assert_cmpint (elapsed_ms, <, 1000);
  g_assert_null (mail_setup_check_get_sign_in_time (check));
}

/* An IMAP server where the sending server was expected: Microsoft's own
 * greeting, on the plain port and inside TLS. */
static void
test_check_imap_server (gconstpointer data)
{
  MailSetupSecurity security = GPOINTER_TO_INT (data);
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *finding = NULL;
  g_autofree char *received = NULL;

  server = mail_setup_test_server_start ("ms-ok", "--tls",
                                         security == MAIL_SETUP_SECURITY_STARTTLS
                                         ? "starttls" : "implicit", NULL);
  check = new_smtp_check (server, security, FALSE);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_NOT_SMTP);
  g_assert_cmpstr (mail_setup_check_get_detected_protocol (check), ==, "imap");
  g_assert_true (g_str_has_prefix (mail_setup_check_get_server_response (check),
                                   "* OK The Microsoft Exchange IMAP4 service is ready."));
  g_assert_true (mail_setup_check_get_is_microsoft (check));
  finding = mail_setup_check_describe_finding (check);
  g_assert_true (g_str_has_prefix (finding, "This is a receiving server (IMAP)"));

  /* Nothing was said to it. */
  received = mail_setup_test_server_get_transcript (server);
  g_assert_cmpstr (received, ==, "");
}

/* Port 465 set up as STARTTLS: the server waits in silence for TLS. */
static void
test_check_expects_tls (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autofree char *finding = NULL;

  server = mail_setup_test_smtp_server_start ("ok", "--tls", "implicit", NULL);
  check = new_smtp_check (server, MAIL_SETUP_SECURITY_STARTTLS, FALSE);
  mail_setup_check_set_timeout (check, 2);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_NOT_SMTP);
  g_assert_null (mail_setup_check_get_detected_protocol (check));
  finding = mail_setup_check_describe_finding (check);
  g_assert_true (g_str_has_prefix (finding, "This server expects a secure connection from the start"));
  g_assert_null (mail_setup_check_get_sign_in_time (check));
}

static JsonObject *
parse_json (MailSetupCheck *check,
            JsonParser     *parser)
{
  g_autofree char *json = mail_setup_check_to_json (check);
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* Both halves at once: reading works, sending does not. */
static void
test_check_with_outgoing (void)
{
  g_autoptr(MailSetupTestServer) imap_server = NULL;
  g_autoptr(MailSetupTestServer) smtp_server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(MailSetupCheck) outgoing = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *report = NULL;
  g_autofree char *smtp_received = NULL;
  JsonObject *root;
  JsonObject *smtp;
  JsonArray *stages;
  JsonArray *extensions;
  gboolean has_auth = FALSE;

  imap_server = mail_setup_test_server_start ("ms-ok", "--user", USER, NULL);
  smtp_server = mail_setup_test_smtp_server_start ("auth-disabled-tenant", "--user", USER, NULL);

  check = mail_setup_check_new ("127.0.0.1", mail_setup_test_server_get_port (imap_server),
                                MAIL_SETUP_SECURITY_SSL_TLS, USER);
  mail_setup_check_set_password (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_timeout (check, 5);
  /* Its own server, and the IMAP check's password. */
  outgoing = mail_setup_check_new_smtp ("127.0.0.1", mail_setup_test_server_get_port (smtp_server),
                                        MAIL_SETUP_SECURITY_STARTTLS, USER);
  mail_setup_check_set_extra_ca_file (outgoing, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  mail_setup_check_set_outgoing (check, outgoing);

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  g_assert_true (mail_setup_check_get_finished (outgoing));
  mail_setup_test_check_assert_diagnosis (mail_setup_check_get_diagnosis (outgoing),
                                          MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED);
  g_assert_true (mail_setup_check_get_failed_check (check) == outgoing);
  smtp_received = mail_setup_test_server_get_transcript (smtp_server);
  g_assert_nonnull (strstr (smtp_received, "\nAUTH LOGIN\r\n"));

  root = parse_json (check, parser);
  g_assert_cmpstr (json_object_get_string_member (root, "diagnosis"), ==, "ok");
  g_assert_true (json_object_has_member (root, "capabilities"));
  smtp = json_object_get_object_member (root, "smtp");
  g_assert_nonnull (smtp);
  g_assert_cmpstr (json_object_get_string_member (smtp, "diagnosis"), ==, "smtp-auth-disabled");
  g_assert_cmpstr (json_object_get_string_member (smtp, "remedy"), ==, "enable-authenticated-smtp");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (smtp, "server_response"),
                                   "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication"));
  g_assert_cmpstr (json_object_get_string_member (smtp, "security"), ==, "starttls");
  g_assert_cmpstr (json_object_get_string_member (smtp, "sender"), ==, USER);
  g_assert_true (json_object_get_null_member (smtp, "detected_protocol"));
  g_assert_false (json_object_get_null_member (smtp, "tls"));
  g_assert_false (json_object_get_null_member (smtp, "sign_in_time"));
  stages = json_object_get_array_member (smtp, "stages");
  g_assert_cmpuint (json_array_get_length (stages), ==, MAIL_SETUP_N_CHECK_STAGES);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (stages, 4), "status"),
                   ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (stages, 5), "name"),
                   ==, "sender");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (stages, 6), "name"),
                   ==, "quit");
  extensions = json_object_get_array_member (smtp, "extensions");
  for (guint i = 0; i < json_array_get_length (extensions); i++)
    has_auth |= g_str_equal (json_array_get_string_element (extensions, i), "AUTH LOGIN XOAUTH2");
  g_assert_true (has_auth);

  report = mail_setup_check_to_text_report (check);
  g_test_message ("%s", report);
  g_assert_nonnull (strstr (report, "Diagnosis: ok\n"));
  g_assert_nonnull (strstr (report, "\nSending mail (SMTP)\n\n"));
  g_assert_nonnull (strstr (report, "Diagnosis: smtp-auth-disabled\n"));
  g_assert_nonnull (strstr (report, "  S: 535 5.7.139 Authentication unsuccessful"));
  g_assert_null (strstr (report, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD")));
}

/* Without an outgoing check the member is still there, as null. */
static void
test_check_json_without_outgoing (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *report = NULL;
  JsonObject *root;

  server = mail_setup_test_server_start ("ms-ok", "--user", USER, NULL);
  check = mail_setup_check_new ("127.0.0.1", mail_setup_test_server_get_port (server),
                                MAIL_SETUP_SECURITY_SSL_TLS, USER);
  mail_setup_check_set_password (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  mail_setup_check_set_extra_ca_file (check, mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));

  mail_setup_test_check_assert_diagnosis (mail_setup_test_check_run (check, 0, NULL),
                                          MAIL_SETUP_DIAGNOSIS_OK);
  g_assert_null (mail_setup_check_get_failed_check (check));

  root = parse_json (check, parser);
  g_assert_true (json_object_has_member (root, "smtp"));
  g_assert_true (json_object_get_null_member (root, "smtp"));
  report = mail_setup_check_to_text_report (check);
  g_assert_null (strstr (report, "SMTP"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/smtp/reader/multi-line", test_reader_multi_line);
  g_test_add_func ("/smtp/reader/enhanced-codes", test_reader_enhanced_codes);
  g_test_add_func ("/smtp/reader/malformed", test_reader_malformed);
  g_test_add_func ("/smtp/reader/nul", test_reader_nul);
  g_test_add_func ("/smtp/reader/too-long", test_reader_too_long);
  g_test_add_func ("/smtp/reader/line-at-limit", test_reader_line_at_limit);
  g_test_add_func ("/smtp/reader/too-many-lines", test_reader_too_many_lines);
  g_test_add_func ("/smtp/reader/reset-and-lines", test_reader_reset_and_lines);
  g_test_add_func ("/smtp/extensions", test_extensions);
  g_test_add_func ("/smtp/diagnosis/replies", test_diagnosis_for_replies);
  g_test_add_func ("/smtp/diagnosis/recognise-server", test_recognise_server);

  /* The parts above need nothing; the check needs the test services. */
  if (!mail_setup_test_services_running ())
    return g_test_run ();

  g_test_add_func ("/smtp/check/ok", test_check_ok);
  g_test_add_func ("/smtp/check/token", test_check_token);
  g_test_add_func ("/smtp/check/implicit-tls", test_check_implicit_tls);
  g_test_add_func ("/smtp/check/starttls-injection", test_check_starttls_injection);
  for (guint i = 0; i < G_N_ELEMENTS (scenario_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/smtp/check/%s/%s", scenario_cases[i].scenario,
                                               scenario_cases[i].token ? "token" : "password");

      g_test_add_data_func (path, &scenario_cases[i], test_check_scenario);
    }
  g_test_add_func ("/smtp/check/send-as-denied", test_check_send_as_denied);
  g_test_add_func ("/smtp/check/without-sender", test_check_without_sender);
  g_test_add_func ("/smtp/check/cancel", test_check_cancel);
  g_test_add_data_func ("/smtp/check/imap-server-starttls",
                        GINT_TO_POINTER (MAIL_SETUP_SECURITY_STARTTLS), test_check_imap_server);
  g_test_add_data_func ("/smtp/check/imap-server-ssl",
                        GINT_TO_POINTER (MAIL_SETUP_SECURITY_SSL_TLS), test_check_imap_server);
  g_test_add_func ("/smtp/check/expects-tls", test_check_expects_tls);
  g_test_add_func ("/smtp/check/with-outgoing", test_check_with_outgoing);
  g_test_add_func ("/smtp/check/json-without-outgoing", test_check_json_without_outgoing);

  return g_test_run ();
}
