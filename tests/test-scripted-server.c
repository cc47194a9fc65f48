/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Proves the scripted IMAP servers with a raw client: they speak Microsoft's
 * lines over TLS that verifies against the test CA, record what they receive
 * and can be switched to accept sign-in. */

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <gnutls/gnutls.h>
#include <sys/socket.h>

#include "mail-setup-test-server.h"
#include "mail-setup-test-util.h"

#define CLIENT_TIMEOUT_S 10

#define EXCHANGE_GREETING "* OK The Microsoft Exchange IMAP4 service is ready. ["
#define EXCHANGE_CAPABILITY "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR " \
                            "UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+"

typedef struct
{
  GSocketConnection                *connection;
  gnutls_certificate_credentials_t  credentials;
  gnutls_session_t                  session;
  GString                          *received;
  int                               fd;
} TestClient;

static void
test_client_free (TestClient *client)
{
  if (client->session != NULL)
    {
      gnutls_bye (client->session, GNUTLS_SHUT_WR);
      gnutls_deinit (client->session);
    }
  if (client->credentials != NULL)
    gnutls_certificate_free_credentials (client->credentials);
  g_clear_object (&client->connection);
  g_string_free (client->received, TRUE);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestClient, test_client_free)

static TestClient *
test_client_connect (MailSetupTestServer *server,
                     gboolean             use_tls)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  struct timeval timeout = { .tv_sec = CLIENT_TIMEOUT_S };
  TestClient *client = g_new0 (TestClient, 1);
  int ret;

  client->received = g_string_new (NULL);
  client->connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1",
                                                        mail_setup_test_server_get_port (server),
                                                        NULL, &error);
  g_assert_no_error (error);

  /* A blocking socket with a receive timeout keeps this client short and
   * still fails, rather than hangs, on a silent server. */
  client->fd = g_socket_get_fd (g_socket_connection_get_socket (client->connection));
  fcntl (client->fd, F_SETFL, fcntl (client->fd, F_GETFL) & ~O_NONBLOCK);
  g_assert_cmpint (setsockopt (client->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout), ==, 0);

  if (!use_tls)
    return client;

  g_assert_cmpint (gnutls_certificate_allocate_credentials (&client->credentials), ==, 0);
  g_assert_cmpint (gnutls_certificate_set_x509_trust_file (client->credentials,
                                                           mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"),
                                                           GNUTLS_X509_FMT_PEM), ==, 1);
  g_assert_cmpint (gnutls_init (&client->session, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL), ==, 0);
  g_assert_cmpint (gnutls_set_default_priority (client->session), ==, 0);
  gnutls_credentials_set (client->session, GNUTLS_CRD_CERTIFICATE, client->credentials);
  gnutls_session_set_verify_cert (client->session, "localhost", 0);
  gnutls_transport_set_int (client->session, client->fd);

  do
    ret = gnutls_handshake (client->session);
  while (ret < 0 && gnutls_error_is_fatal (ret) == 0);
  g_assert_cmpstr (gnutls_strerror (ret), ==, gnutls_strerror (GNUTLS_E_SUCCESS));
  g_assert_cmpuint (gnutls_session_get_verify_cert_status (client->session), ==, 0);

  return client;
}

static void
test_client_send (TestClient *client,
                  const char *text)
{
  gsize length = strlen (text);
  gsize sent = 0;

  while (sent < length)
    {
      ssize_t written;

      if (client->session != NULL)
        written = gnutls_record_send (client->session, text + sent, length - sent);
      else
        written = send (client->fd, text + sent, length - sent, MSG_NOSIGNAL);
      if (written == GNUTLS_E_AGAIN || written == GNUTLS_E_INTERRUPTED)
        continue;
      g_assert_cmpint (written, >, 0);
      sent += written;
    }
}

/* The next line without its CRLF, or NULL once the server closed. */
static char *
test_client_read_line (TestClient *client)
{
  gint64 deadline = g_get_monotonic_time () + CLIENT_TIMEOUT_S * G_USEC_PER_SEC;

  for (;;)
    {
      const char *end = g_strstr_len (client->received->str, client->received->len, "\r\n");
      char buffer[4096];
      ssize_t received;

      if (end != NULL)
        {
          gsize length = end - client->received->str;
          char *line = g_strndup (client->received->str, length);

          g_string_erase (client->received, 0, length + 2);
          return line;
        }

      if (client->session != NULL)
        {
          /* TLS 1.3 session tickets arrive first and read as "try again". */
          do
            received = gnutls_record_recv (client->session, buffer, sizeof buffer);
          while ((received == GNUTLS_E_AGAIN || received == GNUTLS_E_INTERRUPTED) &&
                 g_get_monotonic_time () < deadline);
        }
      else
        {
          do
            received = recv (client->fd, buffer, sizeof buffer, 0);
          while (received < 0 && errno == EINTR);
        }

      if (received <= 0)
        return NULL;
      g_string_append_len (client->received, buffer, received);
    }
}

static void
assert_next_line (TestClient *client,
                  const char *expected)
{
  g_autofree char *line = test_client_read_line (client);

  g_assert_cmpstr (line, ==, expected);
}

static void
test_scripted_server_ms_ok_signs_in_with_literal (void)
{
  g_autoptr(MailSetupTestServer) server = mail_setup_test_server_start ("ms-ok", NULL);
  g_autoptr(TestClient) client = test_client_connect (server, TRUE);
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  const char *password = mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD");
  g_autofree char *greeting = test_client_read_line (client);
  g_autofree char *login = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *transcript = NULL;

  g_assert_nonnull (greeting);
  g_assert_true (g_str_has_prefix (greeting, EXCHANGE_GREETING));
  g_assert_true (g_str_has_suffix (greeting, "]"));

  test_client_send (client, "a1 CAPABILITY\r\n");
  assert_next_line (client, EXCHANGE_CAPABILITY);
  assert_next_line (client, "a1 OK CAPABILITY completed.");

  test_client_send (client, "a2 LOGIN \"nobody@example.test\" \"wrong\"\r\n");
  assert_next_line (client, "a2 NO LOGIN failed.");

  /* A synchronizing literal for the user, LITERAL+ for the password. */
  login = g_strdup_printf ("a3 LOGIN {%zu}\r\n", strlen (user));
  test_client_send (client, login);
  assert_next_line (client, "+ Ready for additional command text.");
  rest = g_strdup_printf ("%s {%zu+}\r\n%s\r\n", user, strlen (password), password);
  test_client_send (client, rest);
  assert_next_line (client, "a3 OK LOGIN completed.");

  test_client_send (client, "a4 LOGOUT\r\n");
  assert_next_line (client, "* BYE Microsoft Exchange Server IMAP4 server signing off.");
  assert_next_line (client, "a4 OK LOGOUT completed.");
  g_assert_null (test_client_read_line (client));

  /* Raw, over TLS: no "[plain] " mark, and the password as it was sent. */
  transcript = mail_setup_test_server_get_transcript (server);
  g_assert_true (g_str_has_prefix (transcript, "a1 CAPABILITY\r\n"));
  g_assert_nonnull (strstr (transcript, login));
  g_assert_nonnull (strstr (transcript, rest));
  g_assert_null (strstr (transcript, "[plain] "));
}

static void
test_scripted_server_ms_login_failed_accepts_after_switch (void)
{
  g_autoptr(MailSetupTestServer) server = mail_setup_test_server_start ("ms-login-failed", NULL);
  g_autoptr(TestClient) refused = test_client_connect (server, TRUE);
  g_autoptr(TestClient) accepted = NULL;
  g_autofree char *login = g_strdup_printf ("a1 LOGIN \"%s\" \"%s\"\r\n",
                                            mail_setup_test_service_env ("MAIL_SETUP_TEST_USER"),
                                            mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  g_autofree char *greeting = test_client_read_line (refused);

  g_assert_true (g_str_has_prefix (greeting, EXCHANGE_GREETING));
  test_client_send (refused, login);
  assert_next_line (refused, "a1 NO LOGIN failed.");

  mail_setup_test_server_accept_sign_in (server);

  accepted = test_client_connect (server, TRUE);
  g_clear_pointer (&greeting, g_free);
  greeting = test_client_read_line (accepted);
  g_assert_true (g_str_has_prefix (greeting, EXCHANGE_GREETING));
  test_client_send (accepted, login);
  assert_next_line (accepted, "a1 OK LOGIN completed.");
}

static void
test_scripted_server_no_starttls_records_plain_commands (void)
{
  g_autoptr(MailSetupTestServer) server = mail_setup_test_server_start ("no-starttls", NULL);
  g_autoptr(TestClient) client = test_client_connect (server, FALSE);
  g_autofree char *greeting = test_client_read_line (client);
  g_autofree char *capability = NULL;
  g_autofree char *transcript = NULL;

  g_assert_true (g_str_has_prefix (greeting, EXCHANGE_GREETING));

  test_client_send (client, "a1 CAPABILITY\r\n");
  capability = test_client_read_line (client);
  g_assert_cmpstr (capability, ==, EXCHANGE_CAPABILITY);
  g_assert_null (strstr (capability, "STARTTLS"));
  assert_next_line (client, "a1 OK CAPABILITY completed.");

  transcript = mail_setup_test_server_get_transcript (server);
  g_assert_cmpstr (transcript, ==, "[plain] a1 CAPABILITY\r\n");
}

int
main (int   argc,
      char *argv[])
{
  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scripted-server/ms-ok/signs-in-with-literal",
                   test_scripted_server_ms_ok_signs_in_with_literal);
  g_test_add_func ("/scripted-server/ms-login-failed/accepts-after-switch",
                   test_scripted_server_ms_login_failed_accepts_after_switch);
  g_test_add_func ("/scripted-server/no-starttls/records-plain-commands",
                   test_scripted_server_no_starttls_records_plain_commands);

  return g_test_run ();
}
