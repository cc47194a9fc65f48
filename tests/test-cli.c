/* SPDX-License-Identifier: GPL-3.0-or-later */

/* `mail-setup --check` as a script runs it: the built program in a child
 * process without a display, the password on standard input, the exit
 * status and the JSON report as the result. */

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "mail-setup-test-program.h"
#include "mail-setup-test-server.h"
#include "mail-setup-test-util.h"

#define EXIT_OK 0
#define EXIT_DIAGNOSIS 1
#define EXIT_USAGE 2

#define SCRIPTED_USER "someone@outlook.com"

/* Runs mail-setup with ARGUMENTS and, in ENVIRONMENT, pairs of a variable
 * and its value; STDIN_TEXT is all that it reads. */
static MailSetupTestProgramResult *
run_cli (const char * const *arguments,
         const char * const *environment,
         const char         *stdin_text)
{
  return mail_setup_test_program_run (arguments, environment, MAIL_SETUP_TEST_PROGRAM_NO_DISPLAY,
                                      stdin_text);
}

static char *
port_string (guint16 port)
{
  return g_strdup_printf ("%u", port);
}

static void
assert_string_member (JsonObject *object,
                      const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  g_assert_cmpstr (json_node_get_string (node), !=, "");
}

static void
assert_nullable_member (JsonObject *object,
                        const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_NULL (node) ||
                 json_node_get_value_type (node) == G_TYPE_STRING);
}

/* Usage errors. */

static void
assert_usage_error (const char * const *arguments,
                    const char         *expected_in_message)
{
  g_autoptr(MailSetupTestProgramResult) result = run_cli (arguments, NULL, "irrelevant\n");

  g_assert_cmpint (result->status, ==, EXIT_USAGE);
  g_assert_nonnull (strstr (result->err, expected_in_message));
  g_assert_nonnull (strstr (result->err, "mail-setup --help"));
  g_assert_cmpstr (result->out, ==, "");
}

/* Under --json, a usage error is one JSON object too. */
static void
assert_json_usage_error (const char * const *arguments,
                         const char         *expected_in_message)
{
  g_autoptr(MailSetupTestProgramResult) result = run_cli (arguments, NULL, "irrelevant\n");
  g_autoptr(JsonObject) report = NULL;

  g_assert_cmpint (result->status, ==, EXIT_USAGE);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (report, "diagnosis")));
  g_assert_cmpstr (json_object_get_string_member (report, "error"), ==, "usage");
  g_assert_nonnull (strstr (json_object_get_string_member (report, "message"),
                            expected_in_message));
}

static void
test_cli_usage_smtp (void)
{
  const char *bad_port[] = {
    "--check", "--email", "user@example.test", "--server", "127.0.0.1", "--smtp-port", "70000",
    "--password-stdin", NULL
  };
  const char *bad_security[] = {
    "--check", "--email", "user@example.test", "--server", "127.0.0.1", "--smtp-security", "none",
    "--password-stdin", NULL
  };
  const char *bad_server[] = {
    "--check", "--email", "user@example.test", "--server", "127.0.0.1",
    "--smtp-server", "smtp example test", "--password-stdin", NULL
  };
  const char *no_smtp_with_server[] = {
    "--check", "--email", "user@example.test", "--server", "127.0.0.1", "--no-smtp",
    "--smtp-server", "127.0.0.1", "--password-stdin", NULL
  };
  const char *no_smtp_with_username_json[] = {
    "--check", "--email", "user@example.test", "--server", "127.0.0.1", "--no-smtp",
    "--smtp-username", "someone", "--password-stdin", "--json", NULL
  };
  const char *bad_port_json[] = {
    "--check", "--email", "user@example.test", "--server", "127.0.0.1", "--smtp-port", "-1",
    "--password-stdin", "--json", NULL
  };

  assert_usage_error (bad_port, "--smtp-port");
  assert_usage_error (bad_security, "--smtp-security");
  assert_usage_error (bad_server, "--smtp-server");
  assert_usage_error (no_smtp_with_server, "--no-smtp");
  assert_json_usage_error (no_smtp_with_username_json, "--no-smtp");
  assert_json_usage_error (bad_port_json, "--smtp-port");
}

/* An option that takes a value, followed by another option: the second is
 * not taken for the value, and a script that asked for JSON gets JSON. */
static void
test_cli_usage_option_without_value (void)
{
  const char *detect[] = { "--detect", "--json", NULL };
  const char *token[] = { "--token", "--json", NULL };
  const char *email[] = { "--check", "--email", "--password-stdin", NULL };

  assert_json_usage_error (detect, "--detect needs a value");
  assert_json_usage_error (token, "--token needs a value");
  assert_usage_error (email, "--email needs a value");
}

static void
test_cli_usage_no_email (void)
{
  const char *arguments[] = { "--check", "--password-stdin", NULL };

  assert_usage_error (arguments, "--email");
}

static void
test_cli_usage_port_out_of_range (void)
{
  const char *arguments[] = {
    "--check", "--email", "user@example.test", "--server", "127.0.0.1", "--port", "70000",
    "--password-stdin", NULL
  };

  assert_usage_error (arguments, "--port");
}

static void
test_cli_usage_unknown_provider (void)
{
  const char *arguments[] = {
    "--check", "--email", "user@example.test", "--provider", "no-such-provider",
    "--password-stdin", NULL
  };

  assert_usage_error (arguments, "no-such-provider");
}

/* A password in argv is visible to every user of the machine, so there is
 * no option that takes one. */
static void
test_cli_usage_no_password_option (void)
{
  const char *arguments[] = {
    "--check", "--email", "user@example.test", "--server", "127.0.0.1",
    "--password", "hunter2-in-argv", NULL
  };
  const char *help[] = { "--help", NULL };
  g_autoptr(MailSetupTestProgramResult) result = NULL;
  g_autoptr(MailSetupTestProgramResult) help_result = NULL;

  result = run_cli (arguments, NULL, "");
  g_assert_cmpint (result->status, ==, EXIT_USAGE);
  g_assert_nonnull (strstr (result->err, "--password"));
  g_assert_null (strstr (result->out, "hunter2-in-argv"));
  g_assert_null (strstr (result->err, "hunter2-in-argv"));

  help_result = run_cli (help, NULL, "");
  g_assert_cmpint (help_result->status, ==, EXIT_OK);
  g_assert_nonnull (strstr (help_result->out, "--password-stdin"));
  g_assert_null (strstr (help_result->out, "--password "));
  g_assert_null (strstr (help_result->out, "--password="));
}

/* Against the test Dovecot. */

static GStrv
dovecot_arguments (const char *user_variable,
                   gboolean    json)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *port = NULL;

  g_autofree char *submission_port = NULL;

  port = port_string (mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"));
  submission_port = port_string (mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT"));

  /* Both servers: Dovecot's IMAP and its submission service. */
  g_strv_builder_add_many (builder, "--check",
                           "--email", mail_setup_test_service_env (user_variable),
                           "--server", "127.0.0.1", "--port", port, "--security", "ssl",
                           "--smtp-server", "127.0.0.1", "--smtp-port", submission_port,
                           "--smtp-security", "starttls",
                           "--password-stdin",
                           "--ca-file", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"),
                           "--timeout", "5", NULL);
  if (json)
    g_strv_builder_add (builder, "--json");

  return g_strv_builder_end (builder);
}

/* The same with --no-smtp, or with the outgoing server left to its default,
 * instead of the submission service; the password comes last. */
static GStrv
dovecot_arguments_smtp (const char *smtp_option)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *port = NULL;

  port = port_string (mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"));
  g_strv_builder_add_many (builder, "--check",
                           "--email", mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
                           "--server", "127.0.0.1", "--port", port, "--security", "ssl",
                           "--password-stdin",
                           "--ca-file", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"),
                           "--timeout", "5", "--json", NULL);
  if (smtp_option != NULL)
    g_strv_builder_add (builder, smtp_option);

  return g_strv_builder_end (builder);
}

static char *
password_line (const char *password_variable)
{
  return g_strconcat (mail_setup_test_service_env (password_variable), "\n", NULL);
}

static void
test_cli_dovecot_json (void)
{
  g_auto(GStrv) arguments = dovecot_arguments ("MAIL_SETUP_TEST_USER", TRUE);
  g_autofree char *password = password_line ("MAIL_SETUP_TEST_PASSWORD");
  g_autoptr(MailSetupTestProgramResult) result = NULL;
  g_autoptr(JsonObject) report = NULL;
  const char *tls_fields[] = { "version", "cipher", "subject", "issuer", "not_after", "sha256" };
  JsonObject *tls;
  JsonObject *stage;
  JsonArray *stages;
  JsonArray *capabilities;
  gboolean has_imap4rev1 = FALSE;

  result = run_cli ((const char * const *) arguments, NULL, password);
  g_assert_cmpint (result->status, ==, EXIT_OK);

  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "diagnosis"), ==, "ok");
  g_assert_true (json_object_has_member (report, "remedy"));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (report, "remedy")));
  assert_string_member (report, "server_response");
  assert_nullable_member (report, "provider");
  g_assert_cmpstr (json_object_get_string_member (report, "server"), ==, "127.0.0.1");
  g_assert_cmpint (json_object_get_int_member (report, "port"), ==,
                   mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"));
  g_assert_cmpstr (json_object_get_string_member (report, "security"), ==, "ssl");

  stages = json_object_get_array_member (report, "stages");
  g_assert_cmpuint (json_array_get_length (stages), ==, 7);
  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      stage = json_array_get_object_element (stages, i);
      assert_string_member (stage, "name");
      g_assert_cmpstr (json_object_get_string_member (stage, "status"), ==, "ok");
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (stage, "ms")), ==,
                       G_TYPE_INT64);
    }
  stage = json_array_get_object_element (stages, 0);
  g_assert_cmpstr (json_object_get_string_member (stage, "name"), ==, "resolve");

  tls = json_object_get_object_member (report, "tls");
  g_assert_nonnull (tls);
  for (guint i = 0; i < G_N_ELEMENTS (tls_fields); i++)
    assert_string_member (tls, tls_fields[i]);
  g_assert_nonnull (strstr (json_object_get_string_member (tls, "issuer"), "Mail Setup Test CA"));

  capabilities = json_object_get_array_member (report, "capabilities");
  for (guint i = 0; i < json_array_get_length (capabilities); i++)
    has_imap4rev1 |= g_str_equal (json_array_get_string_element (capabilities, i), "IMAP4REV1");
  g_assert_true (has_imap4rev1);
}

static void
test_cli_dovecot_no_smtp (void)
{
  g_auto(GStrv) arguments = dovecot_arguments_smtp ("--no-smtp");
  g_autofree char *password = password_line ("MAIL_SETUP_TEST_PASSWORD");
  g_autoptr(MailSetupTestProgramResult) result = NULL;
  g_autoptr(JsonObject) report = NULL;

  result = run_cli ((const char * const *) arguments, NULL, password);
  g_assert_cmpint (result->status, ==, EXIT_OK);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "diagnosis"), ==, "ok");
  g_assert_true (!json_object_has_member (report, "smtp") ||
                 JSON_NODE_HOLDS_NULL (json_object_get_member (report, "smtp")));
}

/* Without options of its own, the outgoing server is the account's guess
 * from the receiving one: for an address, the address itself, on 587. */
static void
test_cli_smtp_default (void)
{
  g_auto(GStrv) arguments = dovecot_arguments_smtp (NULL);
  g_autofree char *password = password_line ("MAIL_SETUP_TEST_PASSWORD");
  g_autoptr(MailSetupTestProgramResult) result = NULL;
  g_autoptr(JsonObject) report = NULL;
  JsonObject *smtp;

  result = run_cli ((const char * const *) arguments, NULL, password);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "diagnosis"), ==, "ok");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (report, "provider")));
  smtp = json_object_get_object_member (report, "smtp");
  g_assert_nonnull (smtp);
  g_assert_cmpstr (json_object_get_string_member (smtp, "server"), ==, "127.0.0.1");
  g_assert_cmpint (json_object_get_int_member (smtp, "port"), ==, 587);
  g_assert_cmpstr (json_object_get_string_member (smtp, "security"), ==, "starttls");
  /* Whatever answered there, the exit status follows both halves. */
  g_assert_cmpint (result->status, ==,
                   g_str_equal (json_object_get_string_member (smtp, "diagnosis"), "ok")
                   ? EXIT_OK : EXIT_DIAGNOSIS);
}

static void
test_cli_dovecot_smtp_json (void)
{
  g_auto(GStrv) arguments = dovecot_arguments ("MAIL_SETUP_TEST_USER", TRUE);
  g_autofree char *password = password_line ("MAIL_SETUP_TEST_PASSWORD");
  g_autoptr(MailSetupTestProgramResult) result = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *sink = NULL;
  const char *sink_file = mail_setup_test_service_env ("MAIL_SETUP_TEST_SMTP_SINK_FILE");
  const char *names[] = { "resolve", "connect", "tls", "greeting", "sign-in", "sender", "quit" };
  JsonObject *smtp;
  JsonArray *stages;

  result = run_cli ((const char * const *) arguments, NULL, password);
  g_assert_cmpint (result->status, ==, EXIT_OK);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "diagnosis"), ==, "ok");

  smtp = json_object_get_object_member (report, "smtp");
  g_assert_nonnull (smtp);
  g_assert_cmpstr (json_object_get_string_member (smtp, "diagnosis"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (smtp, "server"), ==, "127.0.0.1");
  g_assert_cmpint (json_object_get_int_member (smtp, "port"), ==,
                   mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT"));
  g_assert_cmpstr (json_object_get_string_member (smtp, "security"), ==, "starttls");
  stages = json_object_get_array_member (smtp, "stages");
  g_assert_cmpuint (json_array_get_length (stages), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonObject *stage = json_array_get_object_element (stages, i);

      g_assert_cmpstr (json_object_get_string_member (stage, "name"), ==, names[i]);
      g_assert_cmpstr (json_object_get_string_member (stage, "status"), ==, "ok");
    }

  /* The check sent no message. */
  if (g_file_get_contents (sink_file, &sink, NULL, NULL))
    g_assert_cmpstr (sink, ==, "");
}

/* Receiving works, sending does not: the outgoing server's own user name
 * is refused. Exit status 1, each half told in its own words. */
static void
test_cli_dovecot_smtp_fails_text (void)
{
  g_auto(GStrv) arguments = dovecot_arguments ("MAIL_SETUP_TEST_USER", FALSE);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) with_username = NULL;
  g_autofree char *password = password_line ("MAIL_SETUP_TEST_PASSWORD");
  g_autoptr(MailSetupTestProgramResult) ok = NULL;
  g_autoptr(MailSetupTestProgramResult) failed = NULL;
  const char *sending;

  ok = run_cli ((const char * const *) arguments, NULL, password);
  g_assert_cmpint (ok->status, ==, EXIT_OK);
  g_assert_nonnull (strstr (ok->out, "Receiving mail works (ok)"));
  sending = strstr (ok->out, "Sending mail (SMTP): ");
  g_assert_nonnull (sending);
  g_assert_nonnull (strstr (sending, "✓ Checking the sender address"));
  g_assert_nonnull (strstr (sending, "Sending mail works (ok)"));

  g_strv_builder_addv (builder, (const char **) arguments);
  g_strv_builder_add_many (builder, "--smtp-username", "nobody-here@example.test", NULL);
  with_username = g_strv_builder_end (builder);
  failed = run_cli ((const char * const *) with_username, NULL, password);
  g_assert_cmpint (failed->status, ==, EXIT_DIAGNOSIS);
  g_assert_nonnull (strstr (failed->out, "Receiving mail works (ok)"));
  sending = strstr (failed->out, "Sending mail (SMTP): nobody-here@example.test on 127.0.0.1");
  g_assert_nonnull (sending);
  g_assert_nonnull (strstr (sending, "✗ "));
  g_assert_nonnull (strstr (sending, "(smtp-auth-failed)"));
  g_assert_nonnull (strstr (sending, "The server said: 535"));
  g_assert_nonnull (strstr (sending, "Remedy: smtp-sign-in"));
}

static void
test_cli_dovecot_wrong_password_text (void)
{
  g_auto(GStrv) arguments = dovecot_arguments ("MAIL_SETUP_TEST_USER", FALSE);
  g_autofree char *password = password_line ("MAIL_SETUP_TEST_ODD_PASSWORD");
  g_autoptr(MailSetupTestProgramResult) result = NULL;

  result = run_cli ((const char * const *) arguments, NULL, password);

  g_assert_cmpint (result->status, ==, EXIT_DIAGNOSIS);
  g_assert_nonnull (strstr (result->out, "(auth-failed)"));
  g_assert_nonnull (strstr (result->out, "Remedy: check-password"));
  g_assert_nonnull (strstr (result->out, "NO [AUTHENTICATIONFAILED]"));
}

/* Hostile servers, as a script sees them. */

static GStrv
scripted_arguments (MailSetupTestServer *server,
                    const char          *security,
                    const char          *timeout)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *port = port_string (mail_setup_test_server_get_port (server));

  /* The scripted server is an IMAP server only. */
  g_strv_builder_add_many (builder, "--check", "--email", SCRIPTED_USER,
                           "--server", "127.0.0.1", "--port", port, "--security", security,
                           "--no-smtp", "--password-stdin",
                           "--ca-file", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"),
                           "--timeout", timeout, "--json", NULL);

  return g_strv_builder_end (builder);
}

typedef struct
{
  const char *scenario;
  const char *security;
  const char *timeout;
  const char *expected;
} ScriptedCase;

static const ScriptedCase scripted_cases[] = {
  { "never-greets", "ssl", "1", "server-timeout" },
  { "greet-then-close", "ssl", "5", "server-closed" },
  { "long-line", "ssl", "5", "protocol-error" },
  { "huge-literal", "ssl", "5", "protocol-error" },
  { "bad-utf8", "ssl", "5", "ms-auth-failed" },
  { "plain-on-tls", "ssl", "5", "tls-failed" },
  { "tls-on-plain", "starttls", "1", "not-imap" },
  { "no-starttls", "starttls", "5", "starttls-unavailable" },
  { "smtp", "ssl", "5", "not-imap" },
  { "protocol-version-alert", "ssl", "5", "tls-outdated" },
};

static void
test_cli_scripted (gconstpointer data)
{
  const ScriptedCase *scripted = data;
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupTestProgramResult) result = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_auto(GStrv) arguments = NULL;
  g_autofree char *stdin_text = g_strconcat (password, "\n", NULL);
  g_autofree char *received = NULL;
  const char *response;
  guint64 timeout = g_ascii_strtoull (scripted->timeout, NULL, 10);
  gint64 start;
  gint64 elapsed_ms;

  server = mail_setup_test_server_start (scripted->scenario, "--user", SCRIPTED_USER, NULL);
  arguments = scripted_arguments (server, scripted->security, scripted->timeout);

  start = g_get_monotonic_time ();
  result = run_cli ((const char * const *) arguments, NULL, stdin_text);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  g_assert_cmpint (result->status, ==, EXIT_DIAGNOSIS);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "diagnosis"), ==, scripted->expected);
  assert_string_member (report, "remedy");
  /* A timeout, and at most a couple of seconds to tell a TLS server apart. */
  g_assert_cmpint (elapsed_ms, <, (gint64) timeout * 1000 + 3000);

  response = json_object_get_string_member_with_default (report, "server_response", NULL);
  for (const char *p = response; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert_false (c < 0x20 || (c >= 0x7f && c <= 0x9f));
    }

  received = mail_setup_test_server_get_transcript (server);
  if (!g_str_equal (scripted->scenario, "bad-utf8"))
    g_assert_null (strstr (received, password));
  if (g_str_equal (scripted->scenario, "no-starttls"))
    {
      g_assert_nonnull (strstr (received, "CAPABILITY"));
      g_assert_null (strstr (received, "LOGIN"));
      g_assert_null (strstr (received, "AUTHENTICATE"));
    }
}

/* mail-setup --check against SERVER with the test password, with --json or
 * without; it must end in a diagnosis. */
static MailSetupTestProgramResult *
check_scripted_server (MailSetupTestServer *server,
                       const char          *security,
                       gboolean             json)
{
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");
  g_autofree char *stdin_text = g_strconcat (password, "\n", NULL);
  g_auto(GStrv) arguments = scripted_arguments (server, security, "5");
  MailSetupTestProgramResult *result;

  /* --json comes last. */
  if (!json)
    g_clear_pointer (&arguments[g_strv_length (arguments) - 1], g_free);

  result = run_cli ((const char * const *) arguments, NULL, stdin_text);
  g_assert_cmpint (result->status, ==, EXIT_DIAGNOSIS);

  return result;
}

/* Microsoft's sending server given for its receiving one: a script reads
 * what answered and its first line, a person the sentence that names it. */
static void
test_cli_not_imap (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupTestProgramResult) json_result = NULL;
  g_autoptr(MailSetupTestProgramResult) text_result = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *received = NULL;

  server = mail_setup_test_server_start ("smtp", "--tls", "none", NULL);

  json_result = check_scripted_server (server, "starttls", TRUE);
  report = mail_setup_test_program_parse_report (json_result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "diagnosis"), ==, "not-imap");
  g_assert_cmpstr (json_object_get_string_member (report, "detected_protocol"), ==, "smtp");
  g_assert_cmpstr (json_object_get_string_member (report, "remedy"), ==, "receiving-server");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (report, "server_response"),
                                   "220 BN9PR03CA0123.outlook.office365.com Microsoft ESMTP"));
  g_assert_true (json_object_get_boolean_member (report, "microsoft"));

  /* The same without --json: the words, and the server's own line. */
  text_result = check_scripted_server (server, "starttls", FALSE);
  g_assert_nonnull (strstr (text_result->out, "(not-imap)"));
  g_assert_nonnull (strstr (text_result->out, "This is Microsoft’s sending server (SMTP)"));
  g_assert_nonnull (strstr (text_result->out, "The server said: 220 BN9PR03CA0123"));
  g_assert_nonnull (strstr (text_result->out, "Remedy: receiving-server"));

  /* Nothing at all came after the greeting. */
  received = mail_setup_test_server_get_transcript (server);
  g_assert_cmpstr (received, ==, "");
}

static void
test_cli_tls_outdated (void)
{
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(MailSetupTestProgramResult) result = NULL;
  g_autoptr(JsonObject) report = NULL;
  JsonObject *tls;

  server = mail_setup_test_server_start ("ms-ok", "--user", SCRIPTED_USER, "--max-tls", "1.1",
                                         NULL);

  result = check_scripted_server (server, "ssl", TRUE);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "diagnosis"), ==, "tls-outdated");
  g_assert_cmpstr (json_object_get_string_member (report, "remedy"), ==, "update-server-tls");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (report, "detected_protocol")));
  tls = json_object_get_object_member (report, "tls");
  g_assert_cmpstr (json_object_get_string_member (tls, "version"), ==, "TLS1.1");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (tls, "sha256")));
}

/* Secrets. */

static void
assert_no_secret (const char *text,
                  const char *user,
                  const char *password)
{
  gsize user_length = strlen (user);
  gsize password_length = strlen (password);
  g_autofree char *message = g_malloc0 (user_length + password_length + 2);
  g_autofree char *plain = NULL;

  memcpy (message + 1, user, user_length);
  memcpy (message + 2 + user_length, password, password_length);
  plain = g_base64_encode ((const guchar *) message, user_length + password_length + 2);

  g_assert_null (strstr (text, password));
  g_assert_null (strstr (text, plain));
}

/* Everything the program prints, debug messages included, holds no
 * password, whether the sign-in works or not. */
static void
test_cli_secrets_debug_output (void)
{
  const char *environment[] = { "G_MESSAGES_DEBUG", "all", NULL };
  const char *users[] = { "MAIL_SETUP_TEST_ODD_USER", "MAIL_SETUP_TEST_USER" };
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD");
  g_autofree char *stdin_text = g_strconcat (password, "\n", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_auto(GStrv) arguments = dovecot_arguments (users[i], TRUE);
      g_autoptr(MailSetupTestProgramResult) result = NULL;
      g_autoptr(JsonObject) report = NULL;

      result = run_cli ((const char * const *) arguments, environment, stdin_text);
      report = mail_setup_test_program_parse_report (result->out);
      /* The odd user's password signs in; the other user's is refused. */
      g_assert_cmpint (result->status, ==, i == 0 ? EXIT_OK : EXIT_DIAGNOSIS);
      g_assert_cmpstr (json_object_get_string_member (report, "diagnosis"), ==,
                       i == 0 ? "ok" : "auth-failed");
      /* Debug output was on. */
      g_assert_nonnull (strstr (result->err, "DEBUG"));

      assert_no_secret (result->out, mail_setup_test_service_env (users[i]), password);
      assert_no_secret (result->err, mail_setup_test_service_env (users[i]), password);
    }
}

static char *
read_proc_file (GPid        pid,
                const char *name)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int) pid, name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  /* Arguments and variables are NUL-separated. */
  for (gsize i = 0; i < length; i++)
    {
      if (contents[i] == '\0')
        contents[i] = ' ';
    }

  return contents;
}

static void
test_cli_secrets_not_in_argv (void)
{
  /* One that no environment variable of the test harness holds. */
  g_autofree char *password = g_strdup_printf ("Pass \"word\" %08x ü", g_random_int ());
  g_autoptr(MailSetupTestServer) server = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) arguments = NULL;
  g_autofree char *stdin_text = g_strconcat (password, "\n", NULL);
  g_autofree char *cmdline = NULL;
  g_autofree char *environ_text = NULL;
  GOutputStream *input;
  GPid pid;

  /* A server that never greets keeps the check waiting while we look. */
  server = mail_setup_test_server_start ("never-greets", NULL);
  arguments = scripted_arguments (server, "ssl", "3");
  process = mail_setup_test_program_spawn ((const char * const *) arguments, NULL,
                                           MAIL_SETUP_TEST_PROGRAM_NO_DISPLAY,
                                           G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                           G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                           G_SUBPROCESS_FLAGS_STDERR_SILENCE);

  input = g_subprocess_get_stdin_pipe (process);
  g_output_stream_write_all (input, stdin_text, strlen (stdin_text), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (input, NULL, &error);
  g_assert_no_error (error);

  /* By now the password has been read and the check is waiting. */
  g_usleep (G_USEC_PER_SEC);
  pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (process), NULL, 10);
  cmdline = read_proc_file (pid, "cmdline");
  environ_text = read_proc_file (pid, "environ");

  g_assert_nonnull (strstr (cmdline, "--password-stdin"));
  g_assert_nonnull (strstr (cmdline, SCRIPTED_USER));
  g_assert_null (strstr (cmdline, password));
  g_assert_null (strstr (environ_text, password));

  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, EXIT_DIAGNOSIS);
}

int
main (int   argc,
      char *argv[])
{
  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/usage/no-email", test_cli_usage_no_email);
  g_test_add_func ("/cli/usage/option-without-value", test_cli_usage_option_without_value);
  g_test_add_func ("/cli/usage/port-out-of-range", test_cli_usage_port_out_of_range);
  g_test_add_func ("/cli/usage/unknown-provider", test_cli_usage_unknown_provider);
  g_test_add_func ("/cli/usage/no-password-option", test_cli_usage_no_password_option);
  g_test_add_func ("/cli/usage/smtp", test_cli_usage_smtp);
  g_test_add_func ("/cli/dovecot/json", test_cli_dovecot_json);
  g_test_add_func ("/cli/dovecot/no-smtp", test_cli_dovecot_no_smtp);
  g_test_add_func ("/cli/dovecot/smtp-json", test_cli_dovecot_smtp_json);
  g_test_add_func ("/cli/dovecot/smtp-fails-text", test_cli_dovecot_smtp_fails_text);
  g_test_add_func ("/cli/smtp-default", test_cli_smtp_default);
  g_test_add_func ("/cli/dovecot/wrong-password-text", test_cli_dovecot_wrong_password_text);

  for (guint i = 0; i < G_N_ELEMENTS (scripted_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/scripted/%s", scripted_cases[i].scenario);

      g_test_add_data_func (path, &scripted_cases[i], test_cli_scripted);
    }

  g_test_add_func ("/cli/not-imap", test_cli_not_imap);
  g_test_add_func ("/cli/tls-outdated", test_cli_tls_outdated);

  g_test_add_func ("/cli/secrets/debug-output", test_cli_secrets_debug_output);
  g_test_add_func ("/cli/secrets/not-in-argv", test_cli_secrets_not_in_argv);

  return g_test_run ();
}
