/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "mail-setup-provider.h"

#define VALID_PROVIDER \
  "<clientConfig version=\"1.1\" xmlns:x=\"https://mailsetup.github.io/ns/provider\">" \
  "  <emailProvider id=\"example\">" \
  "    <domain>Example.ORG</domain>" \
  "    <displayName>Example\n   Mail</displayName>" \
  "    <x:description>Mail for examples</x:description>" \
  "    <incomingServer type=\"pop3\">" \
  "      <hostname>pop.example.org</hostname><port>995</port><socketType>SSL</socketType>" \
  "    </incomingServer>" \
  "    <incomingServer type=\"imap\">" \
  "      <hostname>imap.example.org</hostname><port>143</port><socketType>STARTTLS</socketType>" \
  "      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>" \
  "    </incomingServer>" \
  "    <incomingServer type=\"imap\">" \
  "      <hostname>imap2.example.org</hostname><port>993</port><socketType>SSL</socketType>" \
  "    </incomingServer>" \
  "    <outgoingServer type=\"smtp\">" \
  "      <hostname>smtp.example.org</hostname><port>465</port><socketType>SSL</socketType>" \
  "    </outgoingServer>" \
  "    <documentation url=\"https://example.org/help\">" \
  "      <descr lang=\"de\">Hilfe</descr><descr lang=\"en\">Help</descr>" \
  "    </documentation>" \
  "  </emailProvider>" \
  "  <webMail><loginPage url=\"https://example.org/\"/></webMail>" \
  "</clientConfig>"

typedef struct
{
  const char        *id;
  const char        *name;
  gboolean           is_microsoft;
  const char        *imap_host;
  guint16            imap_port;
  MailSetupSecurity  imap_security;
  const char        *smtp_host;
  guint16            smtp_port;
  MailSetupSecurity  smtp_security;
} ExpectedProvider;

static const ExpectedProvider expected_providers[] = {
  { "microsoft365", "Microsoft 365 (work or school)", TRUE,
    "outlook.office365.com", 993, MAIL_SETUP_SECURITY_SSL_TLS,
    "smtp.office365.com", 587, MAIL_SETUP_SECURITY_STARTTLS },
  { "outlook", "Outlook.com, Hotmail, Live", TRUE,
    "outlook.office365.com", 993, MAIL_SETUP_SECURITY_SSL_TLS,
    "smtp-mail.outlook.com", 587, MAIL_SETUP_SECURITY_STARTTLS },
  { "msn", "MSN", TRUE,
    "outlook.office365.com", 993, MAIL_SETUP_SECURITY_SSL_TLS,
    "smtp-mail.outlook.com", 587, MAIL_SETUP_SECURITY_STARTTLS },
  { "other", "Other IMAP server", FALSE,
    NULL, 0, MAIL_SETUP_SECURITY_SSL_TLS,
    NULL, 0, MAIL_SETUP_SECURITY_SSL_TLS },
};

static void
test_provider_catalog_order_and_servers (void)
{
  GListModel *catalog = mail_setup_provider_catalog_get_default ();

  g_assert_cmpuint (g_list_model_get_n_items (catalog), ==, G_N_ELEMENTS (expected_providers));

  for (guint i = 0; i < G_N_ELEMENTS (expected_providers); i++)
    {
      const ExpectedProvider *expected = &expected_providers[i];
      g_autoptr(MailSetupProvider) provider = g_list_model_get_item (catalog, i);

      g_test_message ("provider %s", expected->id);
      g_assert_cmpstr (mail_setup_provider_get_id (provider), ==, expected->id);
      g_assert_cmpstr (mail_setup_provider_get_name (provider), ==, expected->name);
      g_assert_true (mail_setup_provider_get_is_microsoft (provider) == expected->is_microsoft);

      g_assert_true (mail_setup_provider_get_has_imap_server (provider) == (expected->imap_host != NULL));
      g_assert_cmpstr (mail_setup_provider_get_imap_host (provider), ==, expected->imap_host);
      g_assert_cmpuint (mail_setup_provider_get_imap_port (provider), ==, expected->imap_port);
      g_assert_cmpint (mail_setup_provider_get_imap_security (provider), ==, expected->imap_security);

      g_assert_true (mail_setup_provider_get_has_smtp_server (provider) == (expected->smtp_host != NULL));
      g_assert_cmpstr (mail_setup_provider_get_smtp_host (provider), ==, expected->smtp_host);
      g_assert_cmpuint (mail_setup_provider_get_smtp_port (provider), ==, expected->smtp_port);
      g_assert_cmpint (mail_setup_provider_get_smtp_security (provider), ==, expected->smtp_security);

      /* Every row in the list shows a one-line description under the name. */
      g_assert_nonnull (mail_setup_provider_get_description (provider));
      g_assert_cmpstr (mail_setup_provider_get_description (provider), !=, "");
      g_assert_null (strchr (mail_setup_provider_get_description (provider), '\n'));
    }
}

static void
test_provider_catalog_domains (void)
{
  MailSetupProvider *microsoft365 = mail_setup_provider_catalog_lookup ("microsoft365");
  MailSetupProvider *outlook = mail_setup_provider_catalog_lookup ("outlook");
  MailSetupProvider *msn = mail_setup_provider_catalog_lookup ("msn");
  MailSetupProvider *other = mail_setup_provider_catalog_lookup ("other");
  const char * const personal[] = {
    "outlook.com", "hotmail.com", "live.com", "windowslive.com", "passport.com",
    "hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.it", "hotmail.es",
    "live.co.uk", "live.fr", "live.de", "live.it", "live.nl", "live.ca", "live.com.au",
    "outlook.de", "outlook.fr", "outlook.es", "outlook.it", "outlook.jp",
  };

  g_assert_nonnull (microsoft365);
  g_assert_nonnull (outlook);
  g_assert_nonnull (msn);
  g_assert_nonnull (other);
  g_assert_null (mail_setup_provider_catalog_lookup ("gmail"));
  g_assert_null (mail_setup_provider_catalog_lookup (""));

  /* Work and school accounts live on the organization's own domains. */
  g_assert_cmpuint (g_strv_length ((GStrv) mail_setup_provider_get_domains (microsoft365)), ==, 0);
  g_assert_cmpuint (g_strv_length ((GStrv) mail_setup_provider_get_domains (other)), ==, 0);
  g_assert_true (g_strv_equal (mail_setup_provider_get_domains (msn),
                               (const char * const[]) { "msn.com", NULL }));

  for (guint i = 0; i < G_N_ELEMENTS (personal); i++)
    {
      g_test_message ("domain %s", personal[i]);
      g_assert_true (g_strv_contains (mail_setup_provider_get_domains (outlook), personal[i]));
      g_assert_true (mail_setup_provider_matches_domain (outlook, personal[i]));
    }

  g_assert_false (g_strv_contains (mail_setup_provider_get_domains (outlook), "msn.com"));
  g_assert_false (mail_setup_provider_matches_domain (outlook, "outlook.com.evil.example"));
  g_assert_false (mail_setup_provider_matches_domain (outlook, "mail.outlook.com"));
  g_assert_false (mail_setup_provider_matches_domain (outlook, ""));
  g_assert_false (mail_setup_provider_matches_domain (outlook, "."));
}

static void
test_provider_catalog_for_email (void)
{
  const struct {
    const char *address;
    const char *id;
  } cases[] = {
    { "someone@hotmail.co.uk", "outlook" },
    { "SOMEONE@OUTLOOK.COM", "outlook" },
    { "someone@Live.De", "outlook" },
    { "someone@outlook.com.", "outlook" },
    { "someone@windowslive.com", "outlook" },
    { "someone@msn.com", "msn" },
    { "a@b@outlook.com", "outlook" },
    { "outlook.com@example.org", NULL },
    { "someone@example.org", NULL },
    { "someone@office365.com", NULL },
    { "someone@mail.outlook.com", NULL },
    { "someone@outlook.com.example", NULL },
    { "outlook.com", NULL },
    { "someone@", NULL },
    { "someone@.", NULL },
    { "@", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      MailSetupProvider *provider = mail_setup_provider_catalog_for_email (cases[i].address);

      g_test_message ("address “%s”", cases[i].address);
      if (cases[i].id == NULL)
        g_assert_null (provider);
      else
        g_assert_cmpstr (mail_setup_provider_get_id (provider), ==, cases[i].id);
    }
}

static void
test_provider_catalog_help_links (void)
{
  GListModel *catalog = mail_setup_provider_catalog_get_default ();
  guint n_items = g_list_model_get_n_items (catalog);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(MailSetupProvider) provider = g_list_model_get_item (catalog, i);
      guint n_links = mail_setup_provider_get_n_help_links (provider);

      /* Microsoft's own settings page is where users check our answers. */
      if (mail_setup_provider_get_is_microsoft (provider))
        g_assert_cmpuint (n_links, >=, 1);

      for (guint j = 0; j < n_links; j++)
        {
          const char *url = mail_setup_provider_get_help_link_url (provider, j);
          g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

          g_test_message ("%s: %s", mail_setup_provider_get_id (provider), url);
          g_assert_nonnull (uri);
          g_assert_cmpstr (g_uri_get_scheme (uri), ==, "https");
          g_assert_true (g_str_has_suffix (g_uri_get_host (uri), "microsoft.com"));
          g_assert_cmpstr (mail_setup_provider_get_help_link_title (provider, j), !=, "");
        }
    }

  g_assert_true (g_str_has_suffix (mail_setup_provider_get_help_link_url (
                   mail_setup_provider_catalog_lookup ("outlook"), 0),
                   "pop-imap-and-smtp-settings-for-outlook-com-d088b986-291d-42b8-9564-9c414e2aa040"));
  g_assert_true (g_str_has_suffix (mail_setup_provider_get_help_link_url (
                   mail_setup_provider_catalog_lookup ("microsoft365"), 0),
                   "pop-imap-and-smtp-settings-8361e398-8af4-4e97-b147-6c6c4ac95353"));
}

static void
test_provider_properties (void)
{
  MailSetupProvider *outlook = mail_setup_provider_catalog_lookup ("outlook");
  g_autofree char *name = NULL;
  g_autofree char *imap_host = NULL;
  g_auto(GStrv) domains = NULL;
  guint imap_port;
  MailSetupSecurity smtp_security;
  gboolean has_imap_server;

  g_object_get (outlook,
                "name", &name,
                "imap-host", &imap_host,
                "imap-port", &imap_port,
                "smtp-security", &smtp_security,
                "has-imap-server", &has_imap_server,
                "domains", &domains,
                NULL);

  g_assert_cmpstr (name, ==, "Outlook.com, Hotmail, Live");
  g_assert_cmpstr (imap_host, ==, "outlook.office365.com");
  g_assert_cmpuint (imap_port, ==, 993);
  g_assert_cmpint (smtp_security, ==, MAIL_SETUP_SECURITY_STARTTLS);
  g_assert_true (has_imap_server);
  g_assert_true (g_strv_contains ((const char * const *) domains, "hotmail.co.uk"));
  g_assert_cmpstr (mail_setup_provider_get_short_name (outlook), ==, "Outlook.com");
  /* Without a short name of its own, "other" shows its full name. */
  g_assert_cmpstr (mail_setup_provider_get_short_name (mail_setup_provider_catalog_lookup ("other")),
                   ==, "Other IMAP server");
}

static void
test_provider_parse_valid (void)
{
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) error = NULL;
  MailSetupProvider *provider;

  providers = mail_setup_provider_parse (VALID_PROVIDER, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (providers);
  g_assert_cmpuint (providers->len, ==, 1);

  provider = g_ptr_array_index (providers, 0);
  g_assert_cmpstr (mail_setup_provider_get_id (provider), ==, "example");
  g_assert_cmpstr (mail_setup_provider_get_name (provider), ==, "Example Mail");
  /* Our namespace counts, whatever prefix the file gives it. */
  g_assert_cmpstr (mail_setup_provider_get_description (provider), ==, "Mail for examples");
  g_assert_false (mail_setup_provider_get_is_microsoft (provider));
  g_assert_true (mail_setup_provider_matches_domain (provider, "example.org"));
  /* POP3 is skipped, and the first IMAP server is the preferred one. */
  g_assert_cmpstr (mail_setup_provider_get_imap_host (provider), ==, "imap.example.org");
  g_assert_cmpuint (mail_setup_provider_get_imap_port (provider), ==, 143);
  g_assert_cmpint (mail_setup_provider_get_imap_security (provider), ==, MAIL_SETUP_SECURITY_STARTTLS);
  g_assert_cmpstr (mail_setup_provider_get_smtp_host (provider), ==, "smtp.example.org");
  g_assert_cmpuint (mail_setup_provider_get_smtp_port (provider), ==, 465);
  g_assert_cmpuint (mail_setup_provider_get_n_help_links (provider), ==, 1);
  g_assert_cmpstr (mail_setup_provider_get_help_link_url (provider, 0), ==, "https://example.org/help");
  g_assert_cmpstr (mail_setup_provider_get_help_link_title (provider, 0), ==, "Help");
}

static void
test_provider_parse_foreign_namespace (void)
{
  const char *xml =
    "<clientConfig xmlns:ms=\"https://example.com/other\">"
    "  <emailProvider id=\"example\">"
    "    <displayName>Example</displayName>"
    "    <ms:description>Not ours</ms:description>"
    "    <ms:microsoft/>"
    "  </emailProvider>"
    "</clientConfig>";
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) error = NULL;
  MailSetupProvider *provider;

  providers = mail_setup_provider_parse (xml, -1, &error);
  g_assert_no_error (error);
  provider = g_ptr_array_index (providers, 0);

  /* The prefix alone must not let someone else's file claim to be Microsoft. */
  g_assert_false (mail_setup_provider_get_is_microsoft (provider));
  g_assert_null (mail_setup_provider_get_description (provider));
  g_assert_false (mail_setup_provider_get_has_imap_server (provider));
}

static char *
replace (const char *text,
         const char *old,
         const char *new)
{
  g_autoptr(GString) string = g_string_new (text);

  g_assert_cmpuint (g_string_replace (string, old, new, 1), ==, 1);
  return g_string_free (g_steal_pointer (&string), FALSE);
}

static void
assert_parse_fails (const char *xml,
                    gssize      length,
                    int         code)
{
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) error = NULL;

  providers = mail_setup_provider_parse (xml, length, &error);
  g_assert_null (providers);
  g_assert_error (error, MAIL_SETUP_PROVIDER_ERROR, code);
  g_assert_cmpstr (error->message, !=, "");
  /* Error messages end up in labels and logs: they must be text. */
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_test_message ("%s", error->message);
}

static void
test_provider_parse_malformed (void)
{
  const struct {
    const char *old;
    const char *new;
    int         code;
  } edits[] = {
    { "<hostname>imap.example.org</hostname>", "", MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE },
    { "<port>143</port>", "<port>0</port>", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "<port>143</port>", "<port>70000</port>", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "<port>143</port>", "<port>-143</port>", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "<port>143</port>", "<port>143 25</port>", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "<port>143</port>", "<port>143</port><port>993</port>", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "<socketType>STARTTLS</socketType>", "<socketType>plain</socketType>",
      MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "<socketType>STARTTLS</socketType>", "<socketType>TLS1.3</socketType>",
      MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "<socketType>STARTTLS</socketType>", "", MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE },
    { "imap.example.org", "imap example.org", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "imap.example.org", "%EMAILDOMAIN%", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "Example.ORG", "exa_mple.org", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "Example.ORG", "-example.org", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "https://example.org/help", "http://example.org/help", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "https://example.org/help", "javascript:alert(1)", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "https://example.org/help", "HTTPS://example.org/help", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "https://example.org/help", "https://example.org/help&#10;", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "https://example.org/help", "https:///help", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "<descr lang=\"de\">Hilfe</descr><descr lang=\"en\">Help</descr>", "",
      MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE },
    { "<displayName>Example\n   Mail</displayName>", "", MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE },
    { "<displayName>", "<displayName></displayName><displayName>",
      MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE },
    { "id=\"example\"", "", MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE },
    { "id=\"example\"", "id=\"../../etc/passwd\"", MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE },
    { "<hostname>imap.example.org</hostname>", "<hostname>imap.<b/>example.org</hostname>",
      MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
    { "</clientConfig>", "", MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
    { "</displayName>", "</displayname>", MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
    { "<clientConfig", "<clientconfig", MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
    { "</clientConfig>", "</clientConfig><clientConfig/>", MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
    { "Mail for examples", "Mail &bogus; for examples", MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
  };
  const struct {
    const char *xml;
    int         code;
  } documents[] = {
    { "", MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
    { "   ", MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
    { "not xml at all", MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
    { "<clientConfig/>", MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE },
    { "<clientConfig><emailProvider id=\"a\"><displayName>A</displayName></emailProvider>",
      MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
    { "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><clientConfig>&a;</clientConfig>",
      MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
    { "<clientConfig><emailProvider id=\"a\"><displayName>\xff\xfe</displayName>"
      "</emailProvider></clientConfig>", MAIL_SETUP_PROVIDER_ERROR_MALFORMED },
  };
  static const char with_nul[] = "<clientConfig>\0</clientConfig>";
  gsize length = strlen (VALID_PROVIDER);

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autofree char *xml = replace (VALID_PROVIDER, edits[i].old, edits[i].new);

      g_test_message ("edit %u: “%s” → “%s”", i, edits[i].old, edits[i].new);
      assert_parse_fails (xml, -1, edits[i].code);
    }

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_test_message ("document %u", i);
      assert_parse_fails (documents[i].xml, -1, documents[i].code);
    }

  /* Every truncation of a good file is an error, never a crash or a half provider. */
  for (gsize cut = 0; cut < length; cut++)
    {
      g_autoptr(GPtrArray) providers = NULL;
      g_autoptr(GError) error = NULL;

      providers = mail_setup_provider_parse (VALID_PROVIDER, cut, &error);
      g_assert_null (providers);
      g_assert_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MALFORMED);
    }

  /* A NUL inside the given length is not a shorter document. */
  assert_parse_fails (with_nul, sizeof with_nul - 1, MAIL_SETUP_PROVIDER_ERROR_MALFORMED);
}

static void
test_provider_parse_limits (void)
{
  g_autoptr(GString) huge = g_string_new ("<clientConfig><emailProvider id=\"a\">");
  g_autoptr(GString) deep = g_string_new ("<clientConfig>");
  g_autoptr(GString) domains = g_string_new ("<clientConfig><emailProvider id=\"a\">");
  g_autoptr(GString) providers = g_string_new ("<clientConfig>");
  g_autofree char *long_name = NULL;
  g_autofree char *long_text = NULL;

  /* Far bigger than any real provider file: refused before parsing. */
  while (huge->len < 4 * 1024 * 1024)
    g_string_append (huge, "<domain>example.org</domain>");
  g_string_append (huge, "<displayName>A</displayName></emailProvider></clientConfig>");
  assert_parse_fails (huge->str, huge->len, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE);
  assert_parse_fails (huge->str, -1, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE);

  for (guint i = 0; i < 10000; i++)
    g_string_append (deep, "<x>");
  assert_parse_fails (deep->str, -1, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE);

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (domains, "<domain>d%u.example</domain>", i);
  g_string_append (domains, "<displayName>A</displayName></emailProvider></clientConfig>");
  assert_parse_fails (domains->str, -1, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE);

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (providers, "<emailProvider id=\"p%u\"><displayName>P</displayName></emailProvider>", i);
  g_string_append (providers, "</clientConfig>");
  assert_parse_fails (providers->str, -1, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE);

  long_text = g_strnfill (5000, 'a');
  long_name = g_strdup_printf ("<clientConfig><emailProvider id=\"a\"><displayName>%s</displayName>"
                               "</emailProvider></clientConfig>", long_text);
  assert_parse_fails (long_name, -1, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/provider/catalog/order-and-servers", test_provider_catalog_order_and_servers);
  g_test_add_func ("/provider/catalog/domains", test_provider_catalog_domains);
  g_test_add_func ("/provider/catalog/for-email", test_provider_catalog_for_email);
  g_test_add_func ("/provider/catalog/help-links", test_provider_catalog_help_links);
  g_test_add_func ("/provider/properties", test_provider_properties);
  g_test_add_func ("/provider/parse/valid", test_provider_parse_valid);
  g_test_add_func ("/provider/parse/foreign-namespace", test_provider_parse_foreign_namespace);
  g_test_add_func ("/provider/parse/malformed", test_provider_parse_malformed);
  g_test_add_func ("/provider/parse/limits", test_provider_parse_limits);

  return g_test_run ();
}
