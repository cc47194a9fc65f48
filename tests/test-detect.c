/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Which provider an address belongs to: the lookups of mail-setup-detect.c
 * against a resolver of the test's own (MX and SRV records) and
 * tests/servers/autoconfig-server.py (the domains' autoconfig files over
 * https with a certificate for their real names, the ISPDB and Microsoft's
 * realm service). */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "mail-setup-core.h"
#include "mail-setup-detect.h"
#include "mail-setup-test-resolver.h"
#include "mail-setup-test-util.h"

/* Long enough for a loaded machine; the lookups here answer in
 * milliseconds, except where a test makes them wait. */
#define TIMEOUT_MS 5000

static MailSetupTestResolver *resolver;
static GSubprocess *server;
static guint16 server_port;
static char *server_ca;
static char *server_log;
static char *routes_path;

/* The domains whose names the server's certificate carries, each also as
 * autoconfig.DOMAIN. "unlisted.test" is served but left out on purpose. */
static const char * const served_domains[] = {
  "contoso.test", "fabrikam.test", "both.test", "srv.test", "ispdb.test", "wellknown.test",
  "own.test", "broken.test", "silent.test",
};

#define CLIENT_CONFIG_START \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clientConfig version=\"1.1\">\n"

/* What the ISPDB holds for ispdb.test: the placeholder in host names, a
 * POP3 server, an SMTP server without TLS (left out) and one with it. */
static const char ispdb_document[] =
  CLIENT_CONFIG_START
  "  <emailProvider id=\"ispdb.test\">\n"
  "    <domain>ispdb.test</domain>\n"
  "    <displayName>ISPDB Mail</displayName>\n"
  "    <incomingServer type=\"pop3\">\n"
  "      <hostname>pop.%EMAILDOMAIN%</hostname><port>995</port><socketType>SSL</socketType>\n"
  "    </incomingServer>\n"
  "    <incomingServer type=\"imap\">\n"
  "      <hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType>\n"
  "      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>\n"
  "    </incomingServer>\n"
  "    <outgoingServer type=\"smtp\">\n"
  "      <hostname>smtp.%EMAILDOMAIN%</hostname><port>25</port><socketType>plain</socketType>\n"
  "    </outgoingServer>\n"
  "    <outgoingServer type=\"smtp\">\n"
  "      <hostname>smtp.%EMAILDOMAIN%</hostname><port>465</port><socketType>SSL</socketType>\n"
  "    </outgoingServer>\n"
  "    <documentation url=\"http://ispdb.test/help\"><descr>Over http, left out</descr></documentation>\n"
  "  </emailProvider>\n"
  "</clientConfig>\n";

static char *
document_for (const char *name,
              const char *imap_host,
              guint       imap_port,
              const char *imap_type,
              const char *smtp_host)
{
  return g_strdup_printf (CLIENT_CONFIG_START
                          "  <emailProvider id=\"provider.test\">\n"
                          "    <displayName>%s</displayName>\n"
                          "    <incomingServer type=\"imap\">\n"
                          "      <hostname>%s</hostname><port>%u</port><socketType>%s</socketType>\n"
                          "    </incomingServer>\n"
                          "    <outgoingServer type=\"smtp\">\n"
                          "      <hostname>%s</hostname><port>587</port><socketType>STARTTLS</socketType>\n"
                          "    </outgoingServer>\n"
                          "  </emailProvider>\n"
                          "</clientConfig>\n",
                          name, imap_host, imap_port, imap_type, smtp_host);
}

static void
add_route (JsonBuilder *builder,
           const char  *host,
           const char  *path,
           guint        status,
           const char  *type,
           const char  *body,
           guint        delay)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, host);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, status);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, body);
  json_builder_set_member_name (builder, "delay");
  json_builder_add_int_value (builder, delay);
  json_builder_end_object (builder);
}

static void
add_realm (JsonBuilder *builder,
           const char  *address,
           const char  *json)
{
  g_autofree char *path = g_strdup_printf ("/common/userrealm/%s?api-version=2.1", address);

  add_route (builder, "127.0.0.1", path, 200, "application/json", json, 0);
}

static void
add_autoconfig (JsonBuilder *builder,
                const char  *address,
                const char  *body,
                guint        delay)
{
  const char *domain = strrchr (address, '@') + 1;
  g_autofree char *host = g_strconcat ("autoconfig.", domain, NULL);
  g_autofree char *escaped = g_uri_escape_string (address, NULL, FALSE);
  g_autofree char *path = g_strconcat ("/mail/config-v1.1.xml?emailaddress=", escaped, NULL);

  add_route (builder, host, path, 200, "application/xml", body, delay);
}

static void
add_well_known (JsonBuilder *builder,
                const char  *domain,
                const char  *body,
                guint        delay)
{
  add_route (builder, domain, "/.well-known/autoconfig/mail/config-v1.1.xml", 200,
             "application/xml", body, delay);
}

static void
add_ispdb (JsonBuilder *builder,
           const char  *domain,
           const char  *body,
           guint        delay)
{
  g_autofree char *path = g_strconcat ("/ispdb/", domain, NULL);

  add_route (builder, "127.0.0.1", path, 200, "application/xml", body, delay);
}

static char *
build_routes (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *own = document_for ("Own Mail", "imap.own.test", 993, "SSL", "smtp.own.test");
  g_autofree char *own_ispdb = document_for ("Own in the ISPDB", "imap.elsewhere.test", 993, "SSL",
                                             "smtp.elsewhere.test");
  g_autofree char *well_known = document_for ("Well-known Mail", "mail.wellknown.test", 143,
                                              "STARTTLS", "mail.wellknown.test");
  g_autofree char *broken_ispdb = document_for ("Broken's ISPDB entry", "imap.broken.test", 993,
                                                "SSL", "smtp.broken.test");
  g_autofree char *unlisted = document_for ("Unlisted", "imap.unlisted.test", 993, "SSL",
                                            "smtp.unlisted.test");
  g_autoptr(GString) huge = g_string_new (CLIENT_CONFIG_START "<!-- ");

  while (huge->len < 200 * 1024)
    g_string_append (huge, "padding padding padding padding ");
  g_string_append (huge, "-->\n</clientConfig>\n");

  json_builder_begin_array (builder);

  /* A Microsoft 365 domain (by its MX) of a managed organisation. */
  add_realm (builder, "alice@contoso.test",
             "{\"NameSpaceType\":\"Managed\",\"Login\":\"alice@contoso.test\","
             "\"DomainName\":\"contoso.test\",\"FederationBrandName\":\"Contoso\","
             "\"TenantBrandingInfo\":null,\"cloud_instance_name\":\"microsoftonline.com\"}");
  /* A federated organisation whose MX is a filtering service's. */
  add_realm (builder, "bob@fabrikam.test",
             "{\"NameSpaceType\":\"Federated\",\"federation_protocol\":\"WSTrust\","
             "\"Login\":\"bob@fabrikam.test\",\"AuthURL\":\"https://sts.fabrikam.test/adfs/ls/\","
             "\"DomainName\":\"fabrikam.test\",\"FederationBrandName\":\"Fabrikam, Inc.\","
             "\"cloud_instance_name\":\"microsoftonline.com\"}");
  /* An Outlook.com domain (by its MX) that an organisation registered too. */
  add_realm (builder, "carol@both.test",
             "{\"NameSpaceType\":\"Managed\",\"DomainName\":\"both.test\","
             "\"FederationBrandName\":\"Both\"}");
  /* Not a work account: the realm service does not know the domain. */
  add_realm (builder, "dave@srv.test",
             "{\"NameSpaceType\":\"Unknown\",\"Login\":\"dave@srv.test\","
             "\"DomainName\":\"srv.test\"}");

  add_ispdb (builder, "ispdb.test", ispdb_document, 0);
  add_well_known (builder, "wellknown.test", well_known, 0);

  /* The domain's own file wins over the ISPDB's entry. */
  add_autoconfig (builder, "erin@own.test", own, 0);
  add_ispdb (builder, "own.test", own_ispdb, 0);

  /* Malformed and oversized answers are no answers. */
  add_autoconfig (builder, "frank@broken.test", "<clientConfig><emailProvider", 0);
  add_well_known (builder, "broken.test", huge->str, 0);
  add_ispdb (builder, "broken.test", broken_ispdb, 0);
  add_realm (builder, "frank@broken.test", "{\"NameSpaceType\": [\"Managed\"]}");

  /* A certificate that is not for the host: never used. */
  add_autoconfig (builder, "gina@unlisted.test", unlisted, 0);

  /* Nothing answers in time. */
  add_autoconfig (builder, "henry@silent.test", unlisted, 60);
  add_well_known (builder, "silent.test", unlisted, 60);
  add_ispdb (builder, "silent.test", unlisted, 60);
  add_route (builder, "127.0.0.1", "/common/userrealm/henry@silent.test?api-version=2.1", 200,
             "application/json", "{\"NameSpaceType\":\"Managed\"}", 60);

  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
start_server (void)
{
  const char *test_dir = mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR");
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *routes = build_routes ();
  g_autofree char *line = NULL;
  g_auto(GStrv) words = NULL;
  guint64 port = 0;
  int fd;

  routes_path = g_build_filename (test_dir, "detect-routes-XXXXXX.json", NULL);
  fd = g_mkstemp (routes_path);
  g_assert_cmpint (fd, >=, 0);
  g_close (fd, NULL);
  g_file_set_contents (routes_path, routes, -1, &error);
  g_assert_no_error (error);
  server_log = g_build_filename (test_dir, "detect-requests-XXXXXX.log", NULL);
  fd = g_mkstemp (server_log);
  g_assert_cmpint (fd, >=, 0);
  g_close (fd, NULL);

  g_ptr_array_add (argv, g_strdup ("python3"));
  g_ptr_array_add (argv, g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_SOURCE_DIR"),
                                           "tests", "servers", "autoconfig-server.py", NULL));
  g_ptr_array_add (argv, g_strdup ("--routes"));
  g_ptr_array_add (argv, g_strdup (routes_path));
  g_ptr_array_add (argv, g_strdup ("--log"));
  g_ptr_array_add (argv, g_strdup (server_log));
  for (guint i = 0; i < G_N_ELEMENTS (served_domains); i++)
    {
      g_ptr_array_add (argv, g_strdup ("--name"));
      g_ptr_array_add (argv, g_strdup (served_domains[i]));
      g_ptr_array_add (argv, g_strdup ("--name"));
      g_ptr_array_add (argv, g_strconcat ("autoconfig.", served_domains[i], NULL));
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
  g_clear_pointer (&routes_path, g_free);
  g_clear_pointer (&server_log, g_free);
  g_clear_pointer (&server_ca, g_free);
}

/* The requests the server received, one "HOST TARGET" each. */
static GStrv
server_requests (void)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;

  g_file_get_contents (server_log, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (*lines[i] != '\0')
        g_strv_builder_add (builder, lines[i]);
    }

  return g_strv_builder_end (builder);
}

static gboolean
strv_has (GStrv       strv,
          const char *text)
{
  return g_strv_contains ((const char * const *) strv, text);
}

static MailSetupDetector *
test_detector (void)
{
  MailSetupDetector *detector = mail_setup_detector_new ();
  g_autofree char *authority = g_strdup_printf ("https://127.0.0.1:%u", server_port);
  g_autofree char *ispdb = g_strdup_printf ("https://127.0.0.1:%u/ispdb/", server_port);

  mail_setup_detector_set_authority (detector, authority);
  mail_setup_detector_set_ispdb_url (detector, ispdb);
  mail_setup_detector_set_extra_ca_file (detector, server_ca);
  mail_setup_detector_set_timeout (detector, TIMEOUT_MS);

  return detector;
}

static MailSetupDetection *
detect (MailSetupDetector  *detector,
        const char         *address,
        GCancellable       *cancellable,
        GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  mail_setup_detector_detect_async (detector, address, cancellable,
                                    mail_setup_store_async_result, &result);
  mail_setup_wait_for_async_result (&result);

  return mail_setup_detector_detect_finish (detector, result, error);
}

static MailSetupDetection *
detect_ok (MailSetupDetector *detector,
           const char        *address)
{
  g_autoptr(GError) error = NULL;
  MailSetupDetection *detection = detect (detector, address, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (detection);
  g_assert_cmpstr (mail_setup_detection_get_address (detection), ==, address);

  return detection;
}

static void
assert_imap (MailSetupDetection *detection,
             const char         *host,
             guint               port,
             MailSetupSecurity   security)
{
  g_assert_true (mail_setup_detection_get_has_imap_server (detection));
  g_assert_cmpstr (mail_setup_detection_get_imap_host (detection), ==, host);
  g_assert_cmpuint (mail_setup_detection_get_imap_port (detection), ==, port);
  g_assert_cmpint (mail_setup_detection_get_imap_security (detection), ==, security);
}

static void
assert_smtp (MailSetupDetection *detection,
             const char         *host,
             guint               port,
             MailSetupSecurity   security)
{
  g_assert_true (mail_setup_detection_get_has_smtp_server (detection));
  g_assert_cmpstr (mail_setup_detection_get_smtp_host (detection), ==, host);
  g_assert_cmpuint (mail_setup_detection_get_smtp_port (detection), ==, port);
  g_assert_cmpint (mail_setup_detection_get_smtp_security (detection), ==, security);
}

/* ---------------------------------------------------------------------- */

static void
test_microsoft_365_by_mx (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;
  g_auto(GStrv) questions = NULL;
  g_auto(GStrv) requests = NULL;

  mail_setup_test_resolver_add_mx (resolver, "contoso.test", 10, "mx2.contoso.test");
  mail_setup_test_resolver_add_mx (resolver, "contoso.test", 0,
                                   "contoso-test.mail.protection.outlook.com");

  detection = detect_ok (detector, "alice@contoso.test");

  g_assert_cmpstr (mail_setup_detection_get_provider_id (detection), ==, "microsoft365");
  g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                   MAIL_SETUP_DETECTION_SOURCE_MX);
  g_assert_cmpstr (mail_setup_detection_source_to_string (mail_setup_detection_get_source (detection)),
                   ==, "mx");
  g_assert_cmpstr (mail_setup_detection_get_organization (detection), ==, "Contoso");
  g_assert_true (mail_setup_detection_get_is_work_or_school (detection));
  g_assert_false (mail_setup_detection_get_is_personal (detection));
  g_assert_cmpstr (mail_setup_detection_get_explanation (detection), ==,
                   "Microsoft 365 for Contoso, found from the domain’s mail servers");
  assert_imap (detection, "outlook.office365.com", 993, MAIL_SETUP_SECURITY_SSL_TLS);
  assert_smtp (detection, "smtp.office365.com", 587, MAIL_SETUP_SECURITY_STARTTLS);
  g_assert_null (mail_setup_detection_get_autoconfig (detection));

  questions = mail_setup_test_resolver_get_questions (resolver);
  g_assert_true (strv_has (questions, "MX contoso.test"));
  g_assert_true (strv_has (questions, "SRV _imaps._tcp.contoso.test"));
  requests = server_requests ();
  g_assert_true (strv_has (requests, "127.0.0.1 /common/userrealm/alice@contoso.test?api-version=2.1"));
}

static void
test_federated_by_realm (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;

  /* A filtering service in front of Exchange Online: no Microsoft MX. */
  mail_setup_test_resolver_add_mx (resolver, "fabrikam.test", 10, "fabrikam-test.mx.filter.test");

  detection = detect_ok (detector, "bob@fabrikam.test");

  g_assert_cmpstr (mail_setup_detection_get_provider_id (detection), ==, "microsoft365");
  g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                   MAIL_SETUP_DETECTION_SOURCE_USER_REALM);
  g_assert_cmpstr (mail_setup_detection_get_organization (detection), ==, "Fabrikam, Inc.");
  g_assert_true (mail_setup_detection_get_is_work_or_school (detection));
  g_assert_false (mail_setup_detection_get_is_personal (detection));
  g_assert_cmpstr (mail_setup_detection_get_explanation (detection), ==,
                   "Microsoft 365 for Fabrikam, Inc., found from Microsoft’s sign-in service");
  assert_imap (detection, "outlook.office365.com", 993, MAIL_SETUP_SECURITY_SSL_TLS);
}

static void
test_personal_and_work (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;

  mail_setup_test_resolver_add_mx (resolver, "both.test", 0, "both-test.olc.protection.outlook.com.");

  detection = detect_ok (detector, "carol@both.test");

  g_assert_cmpstr (mail_setup_detection_get_provider_id (detection), ==, "outlook");
  g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                   MAIL_SETUP_DETECTION_SOURCE_MX);
  g_assert_true (mail_setup_detection_get_is_personal (detection));
  g_assert_true (mail_setup_detection_get_is_work_or_school (detection));
  g_assert_cmpstr (mail_setup_detection_get_organization (detection), ==, "Both");
  g_assert_true (g_str_has_prefix (mail_setup_detection_get_explanation (detection),
                                   "Outlook.com, found from the domain’s mail servers. "
                                   "The address is both a personal and a work or school account"));
  assert_smtp (detection, "smtp-mail.outlook.com", 587, MAIL_SETUP_SECURITY_STARTTLS);
}

static void
test_consumer_domains_stay_private (void)
{
  const struct
  {
    const char *address;
    const char *provider_id;
  } cases[] = {
    { "alice@outlook.com", "outlook" },
    { "Bob@Hotmail.co.uk", "outlook" },
    { "carol@live.com.", "outlook" },
    { "dave@msn.com", "msn" },
  };
  g_autoptr(MailSetupDetector) detector = test_detector ();
  guint questions_before = mail_setup_test_resolver_get_n_questions (resolver);
  g_auto(GStrv) requests_before = server_requests ();
  g_auto(GStrv) requests_after = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MailSetupDetection) detection = detect_ok (detector, cases[i].address);

      g_assert_cmpstr (mail_setup_detection_get_provider_id (detection), ==, cases[i].provider_id);
      g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                       MAIL_SETUP_DETECTION_SOURCE_KNOWN_DOMAIN);
      g_assert_true (mail_setup_detection_get_is_personal (detection));
      g_assert_false (mail_setup_detection_get_is_work_or_school (detection));
      g_assert_null (mail_setup_detection_get_organization (detection));
      assert_imap (detection, "outlook.office365.com", 993, MAIL_SETUP_SECURITY_SSL_TLS);
    }

  /* Neither the DNS nor any web server (the realm service above all) was
   * asked anything. */
  g_assert_cmpuint (mail_setup_test_resolver_get_n_questions (resolver), ==, questions_before);
  requests_after = server_requests ();
  g_assert_cmpuint (g_strv_length (requests_after), ==, g_strv_length (requests_before));
}

static void
test_srv_records_only (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;

  /* Priority first, then weight; STARTTLS only when no implicit TLS. */
  mail_setup_test_resolver_add_srv (resolver, "_imaps._tcp.srv.test", 10, 100, 993, "backup.srv.test");
  mail_setup_test_resolver_add_srv (resolver, "_imaps._tcp.srv.test", 0, 1, 993, "light.srv.test");
  mail_setup_test_resolver_add_srv (resolver, "_imaps._tcp.srv.test", 0, 50, 10993, "imap.srv.test.");
  mail_setup_test_resolver_add_srv (resolver, "_imap._tcp.srv.test", 0, 1, 143, "plain.srv.test");
  /* "." : not offered (RFC 6186). */
  mail_setup_test_resolver_add_srv (resolver, "_submissions._tcp.srv.test", 0, 1, 465, ".");
  mail_setup_test_resolver_add_srv (resolver, "_submission._tcp.srv.test", 0, 1, 587, "smtp.srv.test");
  mail_setup_test_resolver_add_mx (resolver, "srv.test", 10, "mx.srv.test");

  detection = detect_ok (detector, "dave@srv.test");

  g_assert_cmpstr (mail_setup_detection_get_provider_id (detection), ==, "other");
  g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                   MAIL_SETUP_DETECTION_SOURCE_SRV);
  g_assert_cmpstr (mail_setup_detection_source_to_string (mail_setup_detection_get_source (detection)),
                   ==, "srv");
  assert_imap (detection, "imap.srv.test", 10993, MAIL_SETUP_SECURITY_SSL_TLS);
  assert_smtp (detection, "smtp.srv.test", 587, MAIL_SETUP_SECURITY_STARTTLS);
  g_assert_false (mail_setup_detection_get_is_work_or_school (detection));
  g_assert_false (mail_setup_detection_get_is_personal (detection));
  g_assert_null (mail_setup_detection_get_organization (detection));
  g_assert_null (mail_setup_detection_get_autoconfig (detection));
  g_assert_cmpstr (mail_setup_detection_get_explanation (detection), ==,
                   "Server settings found in the domain’s DNS service records");
}

static void
test_ispdb_only (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;
  MailSetupProvider *autoconfig;
  g_auto(GStrv) requests = NULL;

  detection = detect_ok (detector, "erin@ispdb.test");

  g_assert_cmpstr (mail_setup_detection_get_provider_id (detection), ==, "other");
  g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                   MAIL_SETUP_DETECTION_SOURCE_ISPDB);
  assert_imap (detection, "imap.ispdb.test", 993, MAIL_SETUP_SECURITY_SSL_TLS);
  /* The SMTP server without TLS is left out, the next one taken. */
  assert_smtp (detection, "smtp.ispdb.test", 465, MAIL_SETUP_SECURITY_SSL_TLS);
  autoconfig = mail_setup_detection_get_autoconfig (detection);
  g_assert_nonnull (autoconfig);
  g_assert_cmpstr (mail_setup_provider_get_name (autoconfig), ==, "ISPDB Mail");
  g_assert_cmpuint (mail_setup_provider_get_n_help_links (autoconfig), ==, 0);

  /* Every lookup was made: the domain's own files first in order, empty. */
  requests = server_requests ();
  g_assert_true (strv_has (requests, "autoconfig.ispdb.test /mail/config-v1.1.xml?emailaddress=erin%40ispdb.test"));
  g_assert_true (strv_has (requests, "ispdb.test /.well-known/autoconfig/mail/config-v1.1.xml"));
  g_assert_true (strv_has (requests, "127.0.0.1 /ispdb/ispdb.test"));
}

static void
test_well_known_only (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;

  detection = detect_ok (detector, "frank@wellknown.test");

  g_assert_cmpstr (mail_setup_detection_get_provider_id (detection), ==, "other");
  g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                   MAIL_SETUP_DETECTION_SOURCE_WELL_KNOWN);
  assert_imap (detection, "mail.wellknown.test", 143, MAIL_SETUP_SECURITY_STARTTLS);
  assert_smtp (detection, "mail.wellknown.test", 587, MAIL_SETUP_SECURITY_STARTTLS);
  g_assert_cmpstr (mail_setup_provider_get_name (mail_setup_detection_get_autoconfig (detection)),
                   ==, "Well-known Mail");
}

static void
test_own_autoconfig_before_ispdb (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;

  mail_setup_test_resolver_add_srv (resolver, "_imaps._tcp.own.test", 0, 1, 993, "srv.own.test");

  detection = detect_ok (detector, "erin@own.test");

  g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                   MAIL_SETUP_DETECTION_SOURCE_AUTOCONFIG);
  assert_imap (detection, "imap.own.test", 993, MAIL_SETUP_SECURITY_SSL_TLS);
  assert_smtp (detection, "smtp.own.test", 587, MAIL_SETUP_SECURITY_STARTTLS);
}

static void
test_malformed_answers_ignored (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;

  /* An MX whose name is not a host name, as a broken zone may have. */
  mail_setup_test_resolver_add_mx (resolver, "broken.test", 0, "bad name.mail.protection.outlook.com");
  mail_setup_test_resolver_add_srv (resolver, "_imaps._tcp.broken.test", 0, 1, 0, "imap.broken.test");

  detection = detect_ok (detector, "frank@broken.test");

  /* The autoconfig file is cut, the well-known one too long, the realm's
   * answer of the wrong type, the SRV record without a port: only the
   * ISPDB's entry is left. */
  g_assert_cmpstr (mail_setup_detection_get_provider_id (detection), ==, "other");
  g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                   MAIL_SETUP_DETECTION_SOURCE_ISPDB);
  assert_imap (detection, "imap.broken.test", 993, MAIL_SETUP_SECURITY_SSL_TLS);
  g_assert_false (mail_setup_detection_get_is_work_or_school (detection));
}

static void
test_certificate_checked (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;
  g_auto(GStrv) requests = NULL;

  detection = detect_ok (detector, "gina@unlisted.test");

  /* The server has the file, but its certificate is not for
   * autoconfig.unlisted.test: the request is never sent. */
  g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                   MAIL_SETUP_DETECTION_SOURCE_NOTHING);
  g_assert_false (mail_setup_detection_get_has_imap_server (detection));
  requests = server_requests ();
  for (guint i = 0; requests[i] != NULL; i++)
    g_assert_false (g_str_has_prefix (requests[i], "autoconfig.unlisted.test "));
}

static void
test_nothing_answers_in_time (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;
  g_auto(GStrv) requests = NULL;
  gint64 start, elapsed;

  mail_setup_detector_set_timeout (detector, 1000);
  mail_setup_test_resolver_set_hang (resolver, TRUE);

  start = g_get_monotonic_time ();
  detection = detect_ok (detector, "henry@silent.test");
  elapsed = g_get_monotonic_time () - start;
  mail_setup_test_resolver_set_hang (resolver, FALSE);

  g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                   MAIL_SETUP_DETECTION_SOURCE_NOTHING);
  g_assert_cmpstr (mail_setup_detection_get_provider_id (detection), ==, "other");
  g_assert_false (mail_setup_detection_get_has_imap_server (detection));
  g_assert_false (mail_setup_detection_get_has_smtp_server (detection));
  g_assert_cmpstr (mail_setup_detection_get_explanation (detection), ==,
                   "Nothing was found about this domain");
  g_assert_cmpint (elapsed, >=, 900 * 1000);
  g_assert_cmpint (elapsed, <, 2500 * 1000);

  /* The lookups were made, and none answered in time. */
  requests = server_requests ();
  g_assert_true (strv_has (requests, "autoconfig.silent.test /mail/config-v1.1.xml?emailaddress=henry%40silent.test"));
  g_assert_true (strv_has (requests, "127.0.0.1 /common/userrealm/henry@silent.test?api-version=2.1"));
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 start, elapsed;

  mail_setup_detector_set_timeout (detector, 20000);
  mail_setup_test_resolver_set_hang (resolver, TRUE);
  g_timeout_add (200, cancel_cb, cancellable);

  start = g_get_monotonic_time ();
  detection = detect (detector, "henry@silent.test", cancellable, &error);
  elapsed = g_get_monotonic_time () - start;
  mail_setup_test_resolver_set_hang (resolver, FALSE);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (detection);
  g_assert_cmpint (elapsed, >=, 150 * 1000);
  g_assert_cmpint (elapsed, <, 1500 * 1000);
}

static void
test_network_lookups_off (void)
{
  g_autoptr(MailSetupDetector) detector = test_detector ();
  g_autoptr(MailSetupDetection) detection = NULL;
  g_autoptr(MailSetupDetection) known = NULL;
  guint questions_before = mail_setup_test_resolver_get_n_questions (resolver);
  g_auto(GStrv) requests_before = server_requests ();
  g_auto(GStrv) requests_after = NULL;

  mail_setup_detector_set_network_lookups (detector, FALSE);
  g_assert_false (mail_setup_detector_get_network_lookups (detector));

  detection = detect_ok (detector, "alice@contoso.test");
  g_assert_cmpint (mail_setup_detection_get_source (detection), ==,
                   MAIL_SETUP_DETECTION_SOURCE_NOTHING);
  g_assert_cmpstr (mail_setup_detection_get_provider_id (detection), ==, "other");
  g_assert_cmpstr (mail_setup_detection_get_explanation (detection), ==,
                   "Not looked up: looking up providers on the network is turned off");

  known = detect_ok (detector, "alice@outlook.com");
  g_assert_cmpint (mail_setup_detection_get_source (known), ==,
                   MAIL_SETUP_DETECTION_SOURCE_KNOWN_DOMAIN);

  g_assert_cmpuint (mail_setup_test_resolver_get_n_questions (resolver), ==, questions_before);
  requests_after = server_requests ();
  g_assert_cmpuint (g_strv_length (requests_after), ==, g_strv_length (requests_before));
}

/* ---------------------------------------------------------------------- */
/* Without the services                                                    */

static void
test_not_an_address (void)
{
  const char *addresses[] = {
    "alice", "alice@", "@example.test", "alice@localhost", "alice@exa mple.test",
    "alice@-example.test", "alice@example..test", "alice@_imaps._tcp.example.test",
  };
  g_autoptr(MailSetupDetector) detector = mail_setup_detector_new ();

  mail_setup_detector_set_network_lookups (detector, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MailSetupDetection) detection = detect (detector, addresses[i], NULL, &error);

      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_null (detection);
    }
}

static void
test_settings_and_environment (void)
{
  g_autoptr(GSettings) settings = mail_setup_settings_new ();
  g_autoptr(MailSetupDetector) detector = NULL;

  /* test_env in tests/meson.build installs the schema, with the memory
   * backend: what this test sets stays in this process. */
  g_assert_nonnull (settings);
  g_settings_set_string (settings, "oauth-authority", "https://settings.example.test");
  g_settings_set_string (settings, "ispdb-url", "https://ispdb.example.test/v1.1");
  g_settings_set_boolean (settings, "network-lookups", FALSE);
  detector = mail_setup_detector_new ();
  g_settings_reset (settings, "oauth-authority");
  g_settings_reset (settings, "ispdb-url");
  g_settings_reset (settings, "network-lookups");

  /* The variable (main() sets it) wins over the setting, as for sign-in. */
  g_assert_cmpstr (mail_setup_detector_get_authority (detector), ==, "https://login.example.test");
  g_assert_cmpstr (mail_setup_detector_get_ispdb_url (detector), ==,
                   "https://ispdb.example.test/v1.1");
  g_assert_false (mail_setup_detector_get_network_lookups (detector));
  g_clear_object (&detector);

  detector = mail_setup_detector_new ();
  g_assert_cmpstr (mail_setup_detector_get_ispdb_url (detector), ==,
                   MAIL_SETUP_DETECT_DEFAULT_ISPDB_URL);
  g_assert_true (mail_setup_detector_get_network_lookups (detector));
}

static void
test_lenient_autoconfig_parse (void)
{
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GPtrArray) strict = NULL;
  g_autoptr(GError) error = NULL;
  MailSetupProvider *provider;

  providers = mail_setup_provider_parse_autoconfig (ispdb_document, -1, "ispdb.test", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (providers->len, ==, 1);
  provider = g_ptr_array_index (providers, 0);
  g_assert_cmpstr (mail_setup_provider_get_imap_host (provider), ==, "imap.ispdb.test");
  g_assert_cmpstr (mail_setup_provider_get_smtp_host (provider), ==, "smtp.ispdb.test");
  g_assert_cmpuint (mail_setup_provider_get_smtp_port (provider), ==, 465);

  /* The bundled files stay strict: a server without TLS is an error there. */
  strict = mail_setup_provider_parse (ispdb_document, -1, &error);
  g_assert_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE);
  g_assert_null (strict);
}

static void
test_needs_services (void)
{
  g_test_skip ("needs the test services: run through build-aux/test or "
               "build-aux/with-test-services");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Before any thread runs. Every detector below is given its own. */
  g_setenv ("MAIL_SETUP_OAUTH_AUTHORITY", "https://login.example.test/", TRUE);
  g_unsetenv (MAIL_SETUP_DETECT_ISPDB_VARIABLE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/detect/not-an-address", test_not_an_address);
  g_test_add_func ("/detect/settings-and-environment", test_settings_and_environment);
  g_test_add_func ("/detect/lenient-autoconfig-parse", test_lenient_autoconfig_parse);

  if (!mail_setup_test_services_running ())
    {
      g_test_add_func ("/detect/needs-test-services", test_needs_services);
      return g_test_run ();
    }

  start_server ();
  /* The detectors read it when they are made. */
  {
    g_autofree char *port = g_strdup_printf ("%u", server_port);

    g_setenv (MAIL_SETUP_DETECT_HTTPS_PORT_VARIABLE, port, TRUE);
  }
  resolver = mail_setup_test_resolver_new ();
  g_resolver_set_default (G_RESOLVER (resolver));

  g_test_add_func ("/detect/consumer-domains-stay-private", test_consumer_domains_stay_private);
  g_test_add_func ("/detect/microsoft-365-by-mx", test_microsoft_365_by_mx);
  g_test_add_func ("/detect/federated-by-realm", test_federated_by_realm);
  g_test_add_func ("/detect/personal-and-work", test_personal_and_work);
  g_test_add_func ("/detect/srv-records-only", test_srv_records_only);
  g_test_add_func ("/detect/ispdb-only", test_ispdb_only);
  g_test_add_func ("/detect/well-known-only", test_well_known_only);
  g_test_add_func ("/detect/own-autoconfig-before-ispdb", test_own_autoconfig_before_ispdb);
  g_test_add_func ("/detect/malformed-answers-ignored", test_malformed_answers_ignored);
  g_test_add_func ("/detect/certificate-checked", test_certificate_checked);
  g_test_add_func ("/detect/nothing-answers-in-time", test_nothing_answers_in_time);
  g_test_add_func ("/detect/cancel", test_cancel);
  g_test_add_func ("/detect/network-lookups-off", test_network_lookups_off);

  status = g_test_run ();

  stop_server ();
  g_clear_object (&resolver);

  return status;
}
