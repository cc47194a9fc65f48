/* SPDX-License-Identifier: GPL-3.0-or-later */

/* `mail-setup --detect ADDRESS` and `--check` without `--provider` as a
 * script runs them: the built program in a child process, Microsoft's realm
 * service, the domains' autoconfig files and the ISPDB served by
 * tests/servers/autoconfig-server.py on 127.0.0.1. The test resolver of
 * test-detect.c cannot reach a child process: the MX and SRV lookups go to
 * the system's resolver, where the .test domains do not exist. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "mail-setup-test-program.h"
#include "mail-setup-test-util.h"

#define EXIT_FOUND 0
#define EXIT_NOTHING 1
#define EXIT_USAGE 2

static GSubprocess *server;
static guint16 server_port;
static char *server_ca;
static char *server_log;
static char *routes_path;
static char *authority;
static char *ispdb_url;
static char *port_text;

/* The names the server's certificate carries. */
static const char * const served_names[] = {
  "own.test", "autoconfig.own.test", "fabrikam.test", "autoconfig.fabrikam.test",
};

static const char own_document[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<clientConfig version=\"1.1\">\n"
  "  <emailProvider id=\"own.test\">\n"
  "    <domain>own.test</domain>\n"
  "    <displayName>Own Mail</displayName>\n"
  "    <incomingServer type=\"imap\">\n"
  "      <hostname>imap.own.test</hostname><port>993</port><socketType>SSL</socketType>\n"
  "    </incomingServer>\n"
  "    <outgoingServer type=\"smtp\">\n"
  "      <hostname>smtp.own.test</hostname><port>587</port><socketType>STARTTLS</socketType>\n"
  "    </outgoingServer>\n"
  "  </emailProvider>\n"
  "</clientConfig>\n";

static void
add_route (JsonBuilder *builder,
           const char  *host,
           const char  *path,
           const char  *type,
           const char  *body)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, host);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, body);
  json_builder_end_object (builder);
}

static char *
build_routes (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  /* A federated organisation: only the realm service knows it. */
  add_route (builder, "127.0.0.1", "/common/userrealm/bob@fabrikam.test?api-version=2.1",
             "application/json",
             "{\"NameSpaceType\":\"Federated\",\"Login\":\"bob@fabrikam.test\","
             "\"DomainName\":\"fabrikam.test\",\"FederationBrandName\":\"Fabrikam, Inc.\"}");
  /* A domain that publishes its own settings and is no work account. */
  add_route (builder, "autoconfig.own.test",
             "/mail/config-v1.1.xml?emailaddress=erin%40own.test", "application/xml",
             own_document);
  add_route (builder, "127.0.0.1", "/common/userrealm/erin@own.test?api-version=2.1",
             "application/json", "{\"NameSpaceType\":\"Unknown\"}");
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static char *
temporary_file (const char *template)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"), template,
                                 NULL);
  int fd = g_mkstemp (path);

  g_assert_cmpint (fd, >=, 0);
  g_close (fd, &error);
  g_assert_no_error (error);

  return path;
}

static void
start_server (void)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *routes = build_routes ();
  g_autofree char *line = NULL;
  g_auto(GStrv) words = NULL;
  guint64 port = 0;

  routes_path = temporary_file ("detect-cli-routes-XXXXXX.json");
  g_file_set_contents (routes_path, routes, -1, &error);
  g_assert_no_error (error);
  server_log = temporary_file ("detect-cli-requests-XXXXXX.log");

  g_ptr_array_add (argv, g_strdup ("python3"));
  g_ptr_array_add (argv, g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_SOURCE_DIR"),
                                           "tests", "servers", "autoconfig-server.py", NULL));
  g_ptr_array_add (argv, g_strdup ("--routes"));
  g_ptr_array_add (argv, g_strdup (routes_path));
  g_ptr_array_add (argv, g_strdup ("--log"));
  g_ptr_array_add (argv, g_strdup (server_log));
  for (guint i = 0; i < G_N_ELEMENTS (served_names); i++)
    {
      g_ptr_array_add (argv, g_strdup ("--name"));
      g_ptr_array_add (argv, g_strdup (served_names[i]));
    }
  g_ptr_array_add (argv, NULL);

  /* A pipe on stdin: the server ends when this program does. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  server = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("autoconfig-server.py ended before it was ready (its error output says why)");

  words = g_strsplit (line, " ", 3);
  if (g_strv_length (words) != 3 || strcmp (words[0], "READY") != 0 ||
      !g_ascii_string_to_unsigned (words[1], 10, 1, G_MAXUINT16, &port, NULL))
    g_error ("autoconfig-server.py said “%s” instead of READY <port> <ca-file>", line);

  server_port = (guint16) port;
  server_ca = g_strdup (words[2]);
  authority = g_strdup_printf ("https://127.0.0.1:%u", server_port);
  ispdb_url = g_strdup_printf ("https://127.0.0.1:%u/ispdb/", server_port);
  port_text = g_strdup_printf ("%u", server_port);
}

static void
stop_server (void)
{
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (server));
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);
  g_clear_object (&server);
  g_unlink (routes_path);
  g_unlink (server_log);
}

/* The requests the server received, one "HOST TARGET" a line. */
static char *
server_requests (void)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (server_log, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* Runs mail-setup with ARGUMENTS, the detector pointed at the test's
 * server; CONFIG_HOME, when not NULL, holds the settings in GSettings'
 * keyfile backend. */
static MailSetupTestProgramResult *
run_cli_with_settings (const char * const *arguments,
                       const char         *stdin_text,
                       const char         *config_home)
{
  const char * const environment[] = {
    "MAIL_SETUP_OAUTH_AUTHORITY", authority,
    "MAIL_SETUP_DETECT_ISPDB_URL", ispdb_url,
    "MAIL_SETUP_DETECT_HTTPS_PORT", port_text,
    config_home != NULL ? "GSETTINGS_BACKEND" : NULL, "keyfile",
    "XDG_CONFIG_HOME", config_home,
    NULL
  };

  return mail_setup_test_program_run (arguments, environment, MAIL_SETUP_TEST_PROGRAM_NO_DISPLAY,
                                      stdin_text);
}

static MailSetupTestProgramResult *
run_cli (const char * const *arguments,
         const char         *stdin_text)
{
  return run_cli_with_settings (arguments, stdin_text, NULL);
}

static MailSetupTestProgramResult *
run_detect (const char *address,
            gboolean    json)
{
  const char * const arguments[] = {
    "--detect", address, "--ca-file", server_ca, "--timeout", "10", json ? "--json" : NULL, NULL
  };

  return run_cli (arguments, NULL);
}

static void
assert_server (JsonObject *report,
               const char *name,
               const char *host,
               gint64      port,
               const char *security)
{
  JsonObject *found = json_object_get_object_member (report, name);

  g_assert_nonnull (found);
  g_assert_cmpstr (json_object_get_string_member (found, "host"), ==, host);
  g_assert_cmpint (json_object_get_int_member (found, "port"), ==, port);
  g_assert_cmpstr (json_object_get_string_member (found, "security"), ==, security);
}

/* ---------------------------------------------------------------------- */

static void
test_federated_work_domain (void)
{
  g_autoptr(MailSetupTestProgramResult) result = run_detect ("bob@fabrikam.test", TRUE);
  g_autoptr(MailSetupTestProgramResult) text = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *requests = NULL;

  g_assert_cmpint (result->status, ==, EXIT_FOUND);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "address"), ==, "bob@fabrikam.test");
  g_assert_cmpstr (json_object_get_string_member (report, "provider"), ==, "microsoft365");
  g_assert_cmpstr (json_object_get_string_member (report, "source"), ==, "user-realm");
  g_assert_cmpstr (json_object_get_string_member (report, "organization"), ==, "Fabrikam, Inc.");
  g_assert_cmpstr (json_object_get_string_member (report, "explanation"), ==,
                   "Microsoft 365 for Fabrikam, Inc., found from Microsoft’s sign-in service");
  g_assert_true (json_object_get_boolean_member (report, "work_or_school"));
  g_assert_false (json_object_get_boolean_member (report, "personal"));
  assert_server (report, "imap", "outlook.office365.com", 993, "ssl");
  g_assert_nonnull (json_object_get_object_member (report, "smtp"));

  /* The realm service was asked, with the whole address. */
  requests = server_requests ();
  g_assert_nonnull (strstr (requests,
                            "127.0.0.1 /common/userrealm/bob@fabrikam.test?api-version=2.1\n"));

  /* For people: the organisation and what kind of account. */
  text = run_detect ("bob@fabrikam.test", FALSE);
  g_assert_cmpint (text->status, ==, EXIT_FOUND);
  g_assert_nonnull (strstr (text->out, "Microsoft 365 for Fabrikam, Inc."));
  g_assert_nonnull (strstr (text->out, "Organization: Fabrikam, Inc.\n"));
  g_assert_nonnull (strstr (text->out, "(microsoft365)"));
  g_assert_nonnull (strstr (text->out, "work or school"));
  g_assert_nonnull (strstr (text->out, "outlook.office365.com, port 993 (SSL/TLS)"));
}

static void
test_autoconfig_domain (void)
{
  g_autoptr(MailSetupTestProgramResult) result = run_detect ("erin@own.test", TRUE);
  g_autoptr(JsonObject) report = NULL;

  g_assert_cmpint (result->status, ==, EXIT_FOUND);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "provider"), ==, "other");
  g_assert_cmpstr (json_object_get_string_member (report, "source"), ==, "autoconfig");
  g_assert_true (json_object_get_null_member (report, "organization"));
  g_assert_false (json_object_get_boolean_member (report, "work_or_school"));
  assert_server (report, "imap", "imap.own.test", 993, "ssl");
  assert_server (report, "smtp", "smtp.own.test", 587, "starttls");
}

static void
test_consumer_domain_stays_private (void)
{
  g_autofree char *before = server_requests ();
  g_autofree char *after = NULL;
  g_autoptr(MailSetupTestProgramResult) result = run_detect ("alice@outlook.com", TRUE);
  g_autoptr(JsonObject) report = NULL;

  g_assert_cmpint (result->status, ==, EXIT_FOUND);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "provider"), ==, "outlook");
  g_assert_cmpstr (json_object_get_string_member (report, "source"), ==, "known-domain");
  g_assert_true (json_object_get_boolean_member (report, "personal"));
  g_assert_false (json_object_get_boolean_member (report, "work_or_school"));
  assert_server (report, "imap", "outlook.office365.com", 993, "ssl");

  /* Neither the realm service nor any autoconfig file was asked. */
  after = server_requests ();
  g_assert_cmpstr (after, ==, before);
}

static void
test_nothing_found (void)
{
  g_autoptr(MailSetupTestProgramResult) result = run_detect ("henry@nothing.test", TRUE);
  g_autoptr(MailSetupTestProgramResult) text = NULL;
  g_autoptr(JsonObject) report = NULL;

  g_assert_cmpint (result->status, ==, EXIT_NOTHING);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "source"), ==, "nothing");
  g_assert_true (json_object_get_null_member (report, "imap"));
  g_assert_true (json_object_get_null_member (report, "smtp"));
  g_assert_true (json_object_get_null_member (report, "organization"));

  text = run_detect ("henry@nothing.test", FALSE);
  g_assert_cmpint (text->status, ==, EXIT_NOTHING);
  g_assert_cmpstr (text->out, ==, "Nothing was found about this domain\n");
}

/* With the network-lookups setting off, nothing leaves the computer: the
 * domain that the realm service knows is not looked up. */
static void
test_network_lookups_off (void)
{
  const char * const arguments[] = {
    "--detect", "bob@fabrikam.test", "--ca-file", server_ca, "--json", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *config_home = g_dir_make_tmp ("detect-cli-config-XXXXXX", &error);
  g_autofree char *settings_dir = NULL;
  g_autofree char *keyfile = NULL;
  g_autofree char *before = server_requests ();
  g_autofree char *after = NULL;
  g_autoptr(MailSetupTestProgramResult) result = NULL;
  g_autoptr(JsonObject) report = NULL;

  g_assert_no_error (error);
  settings_dir = g_build_filename (config_home, "glib-2.0", "settings", NULL);
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  g_file_set_contents (keyfile, "[io/github/mailsetup/MailSetup]\nnetwork-lookups=false\n", -1,
                       &error);
  g_assert_no_error (error);

  result = run_cli_with_settings (arguments, NULL, config_home);

  g_assert_cmpint (result->status, ==, EXIT_NOTHING);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "source"), ==, "nothing");
  g_assert_nonnull (strstr (json_object_get_string_member (report, "explanation"), "turned off"));
  after = server_requests ();
  g_assert_cmpstr (after, ==, before);

  g_unlink (keyfile);
  g_rmdir (settings_dir);
  g_clear_pointer (&settings_dir, g_free);
  settings_dir = g_build_filename (config_home, "glib-2.0", NULL);
  g_rmdir (settings_dir);
  g_rmdir (config_home);
}

static void
test_usage_errors (void)
{
  const struct
  {
    const char *arguments[8];
    const char *message;
  } cases[] = {
    { { "--detect", "not-an-address", "--json", NULL }, "is not an e-mail address" },
    { { "--detect", "a@example.test", "--check", "--json", NULL }, "--detect goes only with" },
    { { "--detect", "a@example.test", "--server", "127.0.0.1", "--json", NULL },
      "--detect goes only with" },
    { { "--detect", "a@example.test", "--timeout", "-1", "--json", NULL }, "--timeout" },
    { { "--detect", "a@example.test", "--ca-file", "/nonexistent.pem", "--json", NULL },
      "/nonexistent.pem" },
    { { "--detect", "a@example.test", "extra", "--json", NULL }, "extra" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MailSetupTestProgramResult) result = run_cli (cases[i].arguments, NULL);
      g_autoptr(JsonObject) report = NULL;

      g_assert_cmpint (result->status, ==, EXIT_USAGE);
      g_assert_nonnull (strstr (result->err, cases[i].message));
      report = mail_setup_test_program_parse_report (result->out);
      g_assert_cmpstr (json_object_get_string_member (report, "error"), ==, "usage");
      g_assert_nonnull (strstr (json_object_get_string_member (report, "message"),
                                cases[i].message));
    }

  /* Without --json, the usage error is for people, on standard error. */
  {
    const char * const arguments[] = { "--detect", "not-an-address", NULL };
    g_autoptr(MailSetupTestProgramResult) result = run_cli (arguments, NULL);

    g_assert_cmpint (result->status, ==, EXIT_USAGE);
    g_assert_cmpstr (result->out, ==, "");
    g_assert_nonnull (strstr (result->err, "mail-setup --help"));
  }
}

/* `--check` without --provider and --server takes the servers found; an
 * option given wins over what was found. The .test hosts do not exist, so
 * the check itself fails: its report says which servers it tried. */
static void
test_check_uses_detection (void)
{
  const char * const arguments[] = {
    "--check", "--email", "erin@own.test", "--password-stdin", "--json", "--ca-file", server_ca,
    "--timeout", "3", NULL
  };
  const char * const with_security[] = {
    "--check", "--email", "erin@own.test", "--password-stdin", "--json", "--ca-file", server_ca,
    "--timeout", "3", "--security", "starttls", "--smtp-port", "465", NULL
  };
  g_autoptr(MailSetupTestProgramResult) result = run_cli (arguments, "password\n");
  g_autoptr(MailSetupTestProgramResult) explicit = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) explicit_report = NULL;
  JsonObject *smtp;

  g_assert_cmpint (result->status, ==, 1);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "server"), ==, "imap.own.test");
  g_assert_cmpint (json_object_get_int_member (report, "port"), ==, 993);
  smtp = json_object_get_object_member (report, "smtp");
  g_assert_nonnull (smtp);
  g_assert_cmpstr (json_object_get_string_member (smtp, "server"), ==, "smtp.own.test");
  g_assert_cmpint (json_object_get_int_member (smtp, "port"), ==, 587);
  g_assert_nonnull (strstr (result->err, "Found: Server settings published on the domain’s own"));

  explicit = run_cli (with_security, "password\n");
  g_assert_cmpint (explicit->status, ==, 1);
  explicit_report = mail_setup_test_program_parse_report (explicit->out);
  g_assert_cmpstr (json_object_get_string_member (explicit_report, "server"), ==, "imap.own.test");
  g_assert_cmpint (json_object_get_int_member (explicit_report, "port"), ==, 143);
  g_assert_cmpstr (json_object_get_string_member (explicit_report, "security"), ==, "starttls");
  smtp = json_object_get_object_member (explicit_report, "smtp");
  g_assert_cmpstr (json_object_get_string_member (smtp, "server"), ==, "smtp.own.test");
  g_assert_cmpint (json_object_get_int_member (smtp, "port"), ==, 465);
  g_assert_cmpstr (json_object_get_string_member (smtp, "security"), ==, "ssl");
}

/* With --server, nothing is looked up. */
static void
test_check_explicit_server_no_lookup (void)
{
  const char * const arguments[] = {
    "--check", "--email", "zoe@fabrikam.test", "--server", "127.0.0.1", "--port", "1",
    "--no-smtp", "--password-stdin", "--json", "--timeout", "3", NULL
  };
  g_autofree char *before = server_requests ();
  g_autofree char *after = NULL;
  g_autoptr(MailSetupTestProgramResult) result = run_cli (arguments, "password\n");
  g_autoptr(JsonObject) report = NULL;

  g_assert_cmpint (result->status, ==, 1);
  report = mail_setup_test_program_parse_report (result->out);
  g_assert_cmpstr (json_object_get_string_member (report, "server"), ==, "127.0.0.1");
  g_assert_null (strstr (result->err, "Found:"));
  after = server_requests ();
  g_assert_cmpstr (after, ==, before);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  g_test_init (&argc, &argv, NULL);
  start_server ();

  g_test_add_func ("/detect-cli/federated-work-domain", test_federated_work_domain);
  g_test_add_func ("/detect-cli/autoconfig-domain", test_autoconfig_domain);
  g_test_add_func ("/detect-cli/consumer-domain-stays-private",
                   test_consumer_domain_stays_private);
  g_test_add_func ("/detect-cli/nothing-found", test_nothing_found);
  g_test_add_func ("/detect-cli/network-lookups-off", test_network_lookups_off);
  g_test_add_func ("/detect-cli/usage-errors", test_usage_errors);
  g_test_add_func ("/detect-cli/check-uses-detection", test_check_uses_detection);
  g_test_add_func ("/detect-cli/check-explicit-server-no-lookup",
                   test_check_explicit_server_no_lookup);

  status = g_test_run ();
  stop_server ();

  return status;
}
