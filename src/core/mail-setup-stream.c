/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <poll.h>
#include <sys/socket.h>

#include "mail-setup-stream.h"

/* TLS 1.2 at least: anything older is refused during the handshake. */
#define PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct _MailSetupStream
{
  GSocketConnection                *connection;
  int                               fd;
  gnutls_session_t                  session;
  gnutls_certificate_credentials_t  credentials;
  MailSetupTlsInfo                 *tls_info;
};

G_DEFINE_QUARK (mail-setup-tls-error-quark, mail_setup_tls_error)

G_DEFINE_BOXED_TYPE (MailSetupTlsInfo, mail_setup_tls_info,
                     mail_setup_tls_info_copy, mail_setup_tls_info_free)

MailSetupTlsInfo *
mail_setup_tls_info_copy (const MailSetupTlsInfo *info)
{
  MailSetupTlsInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (MailSetupTlsInfo, 1);
  copy->version = g_strdup (info->version);
  copy->cipher = g_strdup (info->cipher);
  copy->subject = g_strdup (info->subject);
  copy->issuer = g_strdup (info->issuer);
  copy->not_before = info->not_before ? g_date_time_ref (info->not_before) : NULL;
  copy->not_after = info->not_after ? g_date_time_ref (info->not_after) : NULL;
  copy->sha256 = g_strdup (info->sha256);

  return copy;
}

void
mail_setup_tls_info_free (MailSetupTlsInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->version);
  g_free (info->cipher);
  g_free (info->subject);
  g_free (info->issuer);
  g_clear_pointer (&info->not_before, g_date_time_unref);
  g_clear_pointer (&info->not_after, g_date_time_unref);
  g_free (info->sha256);
  g_free (info);
}

/* Waits until FD is ready for EVENTS, the deadline passes (G_IO_ERROR_TIMED_OUT)
 * or the operation is cancelled (G_IO_ERROR_CANCELLED). */
static gboolean
wait_for_fd (int            fd,
             short          events,
             gint64         deadline,
             GCancellable  *cancellable,
             GError       **error)
{
  GPollFD cancel_fd = { -1, 0, 0 };
  gboolean has_cancel_fd;
  gboolean ready = FALSE;

  has_cancel_fd = g_cancellable_make_pollfd (cancellable, &cancel_fd);

  while (!ready)
    {
      struct pollfd fds[2] = {
        { .fd = fd, .events = events },
        { .fd = has_cancel_fd ? cancel_fd.fd : -1, .events = POLLIN },
      };
      gint64 remaining_ms;
      int n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;

      remaining_ms = (deadline - g_get_monotonic_time () + 999) / 1000;
      if (remaining_ms <= 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "The server did not answer in time");
          break;
        }

      n = poll (fds, 2, (int) MIN (remaining_ms, G_MAXINT));
      if (n < 0 && errno != EINTR)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "%s", g_strerror (saved_errno));
          break;
        }
      if (n > 0 && fds[0].revents != 0)
        ready = TRUE;
    }

  if (has_cancel_fd)
    g_cancellable_release_fd (cancellable);

  return ready;
}

static void
set_error_from_errno (GError     **error,
                      int          saved_errno)
{
  if (saved_errno == ECONNRESET || saved_errno == EPIPE)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                         "The server closed the connection");
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "%s", g_strerror (saved_errno));
}

static void
set_error_from_gnutls (GError **error,
                       int      code)
{
  if (code == GNUTLS_E_PREMATURE_TERMINATION || code == GNUTLS_E_PUSH_ERROR ||
      code == GNUTLS_E_PULL_ERROR)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                         "The server closed the connection");
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "TLS: %s", gnutls_strerror (code));
}

MailSetupStream *
mail_setup_stream_new (GSocketConnection *connection)
{
  MailSetupStream *stream;

  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);

  stream = g_new0 (MailSetupStream, 1);
  stream->connection = g_object_ref (connection);
  /* GSocket keeps its descriptor non-blocking; every wait goes through poll(). */
  stream->fd = g_socket_get_fd (g_socket_connection_get_socket (connection));

  return stream;
}

void
mail_setup_stream_free (MailSetupStream *stream)
{
  if (stream == NULL)
    return;

  g_clear_pointer (&stream->session, gnutls_deinit);
  g_clear_pointer (&stream->credentials, gnutls_certificate_free_credentials);
  g_clear_pointer (&stream->tls_info, mail_setup_tls_info_free);
  g_io_stream_close (G_IO_STREAM (stream->connection), NULL, NULL);
  g_clear_object (&stream->connection);
  g_free (stream);
}

gboolean
mail_setup_stream_is_tls (MailSetupStream *stream)
{
  g_return_val_if_fail (stream != NULL, FALSE);

  return stream->session != NULL;
}

const MailSetupTlsInfo *
mail_setup_stream_get_tls_info (MailSetupStream *stream)
{
  g_return_val_if_fail (stream != NULL, NULL);

  return stream->tls_info;
}

static char *
datum_to_string (gnutls_datum_t *datum)
{
  char *text = g_strndup ((const char *) datum->data, datum->size);

  gnutls_free (datum->data);
  datum->data = NULL;

  return text;
}

static MailSetupTlsInfo *
read_tls_info (gnutls_session_t session)
{
  g_autoptr(MailSetupTlsInfo) info = g_new0 (MailSetupTlsInfo, 1);
  const gnutls_datum_t *peers;
  gnutls_x509_crt_t certificate = NULL;
  gnutls_datum_t name = { NULL, 0 };
  unsigned int n_peers = 0;
  guchar digest[32];
  size_t digest_size = sizeof digest;

  info->version = g_strdup (gnutls_protocol_get_name (gnutls_protocol_get_version (session)));
  info->cipher = g_strdup (gnutls_cipher_get_name (gnutls_cipher_get (session)));

  peers = gnutls_certificate_get_peers (session, &n_peers);
  if (peers == NULL || n_peers == 0 ||
      gnutls_x509_crt_init (&certificate) < 0)
    return g_steal_pointer (&info);

  if (gnutls_x509_crt_import (certificate, &peers[0], GNUTLS_X509_FMT_DER) == 0)
    {
      if (gnutls_x509_crt_get_dn3 (certificate, &name, 0) == 0)
        info->subject = datum_to_string (&name);
      if (gnutls_x509_crt_get_issuer_dn3 (certificate, &name, 0) == 0)
        info->issuer = datum_to_string (&name);
      info->not_before = g_date_time_new_from_unix_utc (gnutls_x509_crt_get_activation_time (certificate));
      info->not_after = g_date_time_new_from_unix_utc (gnutls_x509_crt_get_expiration_time (certificate));
      if (gnutls_x509_crt_get_fingerprint (certificate, GNUTLS_DIG_SHA256, digest, &digest_size) == 0)
        {
          GString *hex = g_string_sized_new (digest_size * 3);

          for (gsize i = 0; i < digest_size; i++)
            g_string_append_printf (hex, i == 0 ? "%02X" : ":%02X", digest[i]);
          info->sha256 = g_string_free (hex, FALSE);
        }
    }

  gnutls_x509_crt_deinit (certificate);

  return g_steal_pointer (&info);
}

/* An untrusted chain, an expired certificate and a wrong name are told apart
 * because each leads the user to a different explanation. */
static gboolean
check_verification_status (unsigned int   status,
                           const char    *server_name,
                           GError       **error)
{
  const unsigned int untrusted = GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA |
                                 GNUTLS_CERT_INSECURE_ALGORITHM | GNUTLS_CERT_REVOKED |
                                 GNUTLS_CERT_SIGNATURE_FAILURE;

  if (status == 0)
    return TRUE;

  if (status & untrusted)
    g_set_error_literal (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_UNTRUSTED,
                         "The server's certificate is not signed by a trusted authority");
  else if (status & (GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED))
    g_set_error_literal (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_EXPIRED,
                         "The server's certificate has expired or is not valid yet");
  else if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
    g_set_error (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_HOSTNAME_MISMATCH,
                 "The server's certificate is not for %s", server_name);
  else
    g_set_error_literal (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_UNTRUSTED,
                         "The server's certificate is not valid");

  return FALSE;
}

/* A machine without a system trust store can still check servers whose CA
 * was given explicitly, so a failure here is not an error. */
static void
load_system_trust (MailSetupStream *stream)
{
  int ret = gnutls_certificate_set_x509_system_trust (stream->credentials);

  if (ret < 0)
    g_debug ("No system trust store: %s", gnutls_strerror (ret));
}

static int
verify_peer (MailSetupStream *stream,
             const char      *server_name,
             const char      *extra_ca_file,
             unsigned int    *status)
{
  int ret = gnutls_certificate_verify_peers3 (stream->session, server_name, status);

  if (ret == 0 && extra_ca_file != NULL && (*status & GNUTLS_CERT_SIGNER_NOT_FOUND))
    {
      load_system_trust (stream);
      ret = gnutls_certificate_verify_peers3 (stream->session, server_name, status);
    }

  return ret;
}

static gboolean
create_session (MailSetupStream  *stream,
                const char       *server_name,
                const char       *extra_ca_file,
                GError          **error)
{
  int ret;

  ret = gnutls_certificate_allocate_credentials (&stream->credentials);
  if (ret < 0)
    {
      set_error_from_gnutls (error, ret);
      return FALSE;
    }

  /* With an extra CA file, the system's authorities are read only when the
   * chain does not verify against that file (see verify_peer()): parsing
   * the whole system bundle is half of the cost of a check. */
  if (extra_ca_file == NULL)
    load_system_trust (stream);
  else
    {
      ret = gnutls_certificate_set_x509_trust_file (stream->credentials, extra_ca_file,
                                                    GNUTLS_X509_FMT_PEM);
      if (ret <= 0)
        {
          g_set_error (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_CA_FILE,
                       "No certificate could be read from %s", extra_ca_file);
          return FALSE;
        }
    }

  ret = gnutls_init (&stream->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
  if (ret == 0)
    ret = gnutls_priority_set_direct (stream->session, PRIORITY, NULL);
  if (ret == 0)
    ret = gnutls_credentials_set (stream->session, GNUTLS_CRD_CERTIFICATE, stream->credentials);
  if (ret == 0 && !g_hostname_is_ip_address (server_name))
    ret = gnutls_server_name_set (stream->session, GNUTLS_NAME_DNS,
                                  server_name, strlen (server_name));
  if (ret < 0)
    {
      set_error_from_gnutls (error, ret);
      return FALSE;
    }

  gnutls_handshake_set_timeout (stream->session, 0);
  gnutls_transport_set_int (stream->session, stream->fd);

  return TRUE;
}

gboolean
mail_setup_stream_start_tls (MailSetupStream  *stream,
                             const char       *server_name,
                             const char       *extra_ca_file,
                             gint64            deadline,
                             GCancellable     *cancellable,
                             GError          **error)
{
  unsigned int status = 0;
  int ret;

  g_return_val_if_fail (stream != NULL, FALSE);
  g_return_val_if_fail (stream->session == NULL, FALSE);
  g_return_val_if_fail (server_name != NULL, FALSE);

  if (!create_session (stream, server_name, extra_ca_file, error))
    return FALSE;

  while ((ret = gnutls_handshake (stream->session)) < 0)
    {
      if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
        {
          short events = gnutls_record_get_direction (stream->session) ? POLLOUT : POLLIN;

          if (!wait_for_fd (stream->fd, events, deadline, cancellable, error))
            return FALSE;
          continue;
        }

      if (gnutls_error_is_fatal (ret))
        {
          g_set_error (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_HANDSHAKE_FAILED,
                       "The TLS handshake failed: %s", gnutls_strerror (ret));
          return FALSE;
        }
    }

  /* Kept even when the certificate is refused: the user is shown what it is. */
  stream->tls_info = read_tls_info (stream->session);

  ret = verify_peer (stream, server_name, extra_ca_file, &status);
  if (ret < 0)
    {
      g_set_error (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_UNTRUSTED,
                   "The server's certificate could not be checked: %s", gnutls_strerror (ret));
      return FALSE;
    }

  return check_verification_status (status, server_name, error);
}

gssize
mail_setup_stream_read (MailSetupStream  *stream,
                        char             *buffer,
                        gsize             size,
                        gint64            deadline,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_return_val_if_fail (stream != NULL, -1);

  for (;;)
    {
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;

      if (stream->session != NULL)
        {
          n = gnutls_record_recv (stream->session, buffer, size);
          if (n >= 0)
            return n;
          if (n != GNUTLS_E_AGAIN && n != GNUTLS_E_INTERRUPTED)
            {
              set_error_from_gnutls (error, (int) n);
              return -1;
            }
        }
      else
        {
          n = recv (stream->fd, buffer, size, 0);
          if (n >= 0)
            return n;
          if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            {
              set_error_from_errno (error, errno);
              return -1;
            }
        }

      if (!wait_for_fd (stream->fd, POLLIN, deadline, cancellable, error))
        return -1;
    }
}

gboolean
mail_setup_stream_write_all (MailSetupStream  *stream,
                             const char       *data,
                             gsize             length,
                             gint64            deadline,
                             GCancellable     *cancellable,
                             GError          **error)
{
  gsize written = 0;

  g_return_val_if_fail (stream != NULL, FALSE);

  while (written < length)
    {
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (stream->session != NULL)
        {
          n = gnutls_record_send (stream->session, data + written, length - written);
          if (n < 0 && n != GNUTLS_E_AGAIN && n != GNUTLS_E_INTERRUPTED)
            {
              set_error_from_gnutls (error, (int) n);
              return FALSE;
            }
        }
      else
        {
          n = send (stream->fd, data + written, length - written, MSG_NOSIGNAL);
          if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            {
              set_error_from_errno (error, errno);
              return FALSE;
            }
        }

      if (n > 0)
        written += n;
      else if (!wait_for_fd (stream->fd, POLLOUT, deadline, cancellable, error))
        return FALSE;
    }

  return TRUE;
}

void
mail_setup_stream_close (MailSetupStream *stream,
                         gint64           deadline)
{
  g_return_if_fail (stream != NULL);

  if (stream->session != NULL)
    {
      int ret;

      while ((ret = gnutls_bye (stream->session, GNUTLS_SHUT_WR)) == GNUTLS_E_AGAIN ||
             ret == GNUTLS_E_INTERRUPTED)
        {
          if (!wait_for_fd (stream->fd, POLLOUT, deadline, NULL, NULL))
            break;
        }
    }

  g_io_stream_close (G_IO_STREAM (stream->connection), NULL, NULL);
}
