/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The HTTP that fetching a missing intermediate certificate takes: the
 * request for an address from a certificate, which nobody vouches for, and
 * the answer of a server that may be anything. */

#include "mail-setup-http.h"

static void
test_http_request (void)
{
  static const struct
  {
    const char *url;
    const char *request;
  } cases[] = {
    { "http://r11.i.lencr.org/",
      "GET / HTTP/1.0\r\nHost: r11.i.lencr.org\r\nAccept: */*\r\nConnection: close\r\n\r\n" },
    { "http://cacerts.digicert.com/DigiCertGlobalG2TLSRSASHA2562020CA1-1.crt",
      "GET /DigiCertGlobalG2TLSRSASHA2562020CA1-1.crt HTTP/1.0\r\nHost: cacerts.digicert.com\r\n"
      "Accept: */*\r\nConnection: close\r\n\r\n" },
    { "http://127.0.0.1:8080/ca?name=inter%20mediate",
      "GET /ca?name=inter%20mediate HTTP/1.0\r\nHost: 127.0.0.1:8080\r\nAccept: */*\r\n"
      "Connection: close\r\n\r\n" },
    { "HTTP://[::1]/ca.der",
      "GET /ca.der HTTP/1.0\r\nHost: [::1]\r\nAccept: */*\r\nConnection: close\r\n\r\n" },
    /* What could split the request is sent escaped. */
    { "http://example.org/ca der",
      "GET /ca%20der HTTP/1.0\r\nHost: example.org\r\nAccept: */*\r\nConnection: close\r\n\r\n" },
    { "http://example.org/ca\r\nX-Injected: yes",
      "GET /ca%0D%0AX-Injected:%20yes HTTP/1.0\r\nHost: example.org\r\nAccept: */*\r\n"
      "Connection: close\r\n\r\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *request = mail_setup_http_build_get (cases[i].url, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (request, ==, cases[i].request);
    }
}

/* Only plain http to a host, without a user name. */
static void
test_http_request_refused (void)
{
  const char *urls[] = {
    "https://example.org/ca.der",
    "ldap://ldap.example.org/cn=CA",
    "http://user:secret@example.org/ca.der",
    "http:///ca.der",
    "not a url",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *request = mail_setup_http_build_get (urls[i], &error);

      g_test_message ("%s", urls[i]);
      g_assert_null (request);
      g_assert_error (error, MAIL_SETUP_HTTP_ERROR, MAIL_SETUP_HTTP_ERROR_INVALID_URL);
    }
}

static void
test_http_response (void)
{
  static const guint8 answer[] = "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\n"
                                 "Content-Length: 4\r\n\r\n\x30\x00\x82\x01";
  static const guint8 bare_line_ends[] = "HTTP/1.0 200 OK\nServer: old\n\nbody";
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) bare_body = NULL;
  gsize size = 0;
  const guint8 *data;

  /* The body is binary, NUL bytes and all. */
  body = mail_setup_http_parse_response (answer, sizeof answer - 1, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (body, &size);
  g_assert_cmpuint (size, ==, 4);
  g_assert_cmpmem (data, size, "\x30\x00\x82\x01", 4);

  bare_body = mail_setup_http_parse_response (bare_line_ends, sizeof bare_line_ends - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bare_body, NULL), g_bytes_get_size (bare_body), "body", 4);
}

static void
test_http_response_refused (void)
{
  static const struct
  {
    const char *answer;
    int         code;
  } cases[] = {
    { "HTTP/1.1 404 Not Found\r\n\r\n", MAIL_SETUP_HTTP_ERROR_STATUS },
    { "HTTP/1.1 301 Moved Permanently\r\nLocation: http://elsewhere/\r\n\r\n",
      MAIL_SETUP_HTTP_ERROR_STATUS },
    { "HTTP/1.1 2000 OK\r\n\r\n", MAIL_SETUP_HTTP_ERROR_STATUS },
    { "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n", MAIL_SETUP_HTTP_ERROR_MALFORMED },
    { "* OK IMAP4rev1 ready\r\n", MAIL_SETUP_HTTP_ERROR_MALFORMED },
    { "HTTP/1.1 200", MAIL_SETUP_HTTP_ERROR_MALFORMED },
    { "HTTP/1.\nabcdefghijkl\r\n\r\n", MAIL_SETUP_HTTP_ERROR_STATUS },
    { "", MAIL_SETUP_HTTP_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) body = NULL;

      g_test_message ("%s", cases[i].answer);
      body = mail_setup_http_parse_response ((const guint8 *) cases[i].answer,
                                             strlen (cases[i].answer), &error);
      g_assert_null (body);
      g_assert_error (error, MAIL_SETUP_HTTP_ERROR, cases[i].code);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/request", test_http_request);
  g_test_add_func ("/http/request-refused", test_http_request_refused);
  g_test_add_func ("/http/response", test_http_response);
  g_test_add_func ("/http/response-refused", test_http_response_refused);

  return g_test_run ();
}
