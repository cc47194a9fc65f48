/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Proves the harness: the test Dovecot speaks TLS with a certificate that
 * verifies against the test CA, and greets. */

#include <fcntl.h>
#include <gio/gio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "mail-setup-test-util.h"

static void
test_dovecot_tls_greets_with_verified_certificate (void)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_certificate_credentials_t credentials = NULL;
  gnutls_session_t session = NULL;
  unsigned int status = 0;
  char greeting[256] = { 0 };
  ssize_t received;
  int socket_fd;
  int ret;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT"),
                                                NULL, &error);
  g_assert_no_error (error);
  /* A blocking socket keeps this harness check short; the product's own
   * TLS code polls with timeouts instead. */
  socket_fd = g_socket_get_fd (g_socket_connection_get_socket (connection));
  fcntl (socket_fd, F_SETFL, fcntl (socket_fd, F_GETFL) & ~O_NONBLOCK);

  g_assert_cmpint (gnutls_certificate_allocate_credentials (&credentials), ==, 0);
  g_assert_cmpint (gnutls_certificate_set_x509_trust_file (credentials,
                                                           mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"),
                                                           GNUTLS_X509_FMT_PEM), ==, 1);
  g_assert_cmpint (gnutls_init (&session, GNUTLS_CLIENT), ==, 0);
  g_assert_cmpint (gnutls_set_default_priority (session), ==, 0);
  gnutls_credentials_set (session, GNUTLS_CRD_CERTIFICATE, credentials);
  gnutls_session_set_verify_cert (session, "127.0.0.1", 0);
  gnutls_transport_set_int (session, socket_fd);

  do
    ret = gnutls_handshake (session);
  while (ret < 0 && gnutls_error_is_fatal (ret) == 0);
  g_assert_cmpstr (gnutls_strerror (ret), ==, gnutls_strerror (GNUTLS_E_SUCCESS));

  status = gnutls_session_get_verify_cert_status (session);
  g_assert_cmpuint (status, ==, 0);

  /* TLS 1.3 session tickets arrive first and read as "try again". */
  do
    received = gnutls_record_recv (session, greeting, sizeof greeting - 1);
  while (received == GNUTLS_E_AGAIN || received == GNUTLS_E_INTERRUPTED);
  g_assert_cmpint (received, >, 0);
  g_assert_true (g_str_has_prefix (greeting, "* OK"));

  gnutls_bye (session, GNUTLS_SHUT_RDWR);
  gnutls_deinit (session);
  gnutls_certificate_free_credentials (credentials);
}

int
main (int   argc,
      char *argv[])
{
  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dovecot-tls/greets-with-verified-certificate",
                   test_dovecot_tls_greets_with_verified_certificate);

  return g_test_run ();
}
