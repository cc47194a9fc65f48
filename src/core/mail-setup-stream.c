/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>
#include <poll.h>
#include <sys/socket.h>

#include "mail-setup-stream.h"

/* TLS 1.2 at least. The ClientHello offers 1.1 and 1.0 too, only so that a
 * server that speaks nothing newer names its version in its ServerHello:
 * server_hello_cb() ends the handshake right there, before any key is
 * exchanged, so nothing ever travels over an old version. */
#define PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0"
#define MIN_VERSION GNUTLS_TLS1_2

/* Enough of a failed handshake to hold a plain-text greeting, and how long
 * to wait for the rest of its line. */
#define MAX_RECORDED_BYTES 1024
#define PLAIN_LINE_WAIT_US (G_USEC_PER_SEC / 2)
/* An authority serves one or two certificates at its caIssuers address. */
#define MAX_SERVED_CERTIFICATES 8

struct _MailSetupStream
{
  GSocketConnection                *connection;
  int                               fd;
  gnutls_session_t                  session;
  gnutls_certificate_credentials_t  credentials;
  MailSetupTlsInfo                 *tls_info;

  /* The first bytes the handshake receives, while it runs. */
  GByteArray                       *received;
  /* Why a handshake failed, where its error does not say. */
  gnutls_protocol_t                 outdated_version;
  char                             *plain_answer;
  /* An untrusted chain's missing link, until it is found. */
  char                             *missing_issuer;
  char                             *missing_issuer_url;
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
  copy->insecure_hash = g_strdup (info->insecure_hash);
  copy->insecure_key = g_strdup (info->insecure_key);
  copy->valid_from = info->valid_from ? g_date_time_ref (info->valid_from) : NULL;
  copy->missing_issuer = g_strdup (info->missing_issuer);

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
  g_free (info->insecure_hash);
  g_free (info->insecure_key);
  g_clear_pointer (&info->valid_from, g_date_time_unref);
  g_free (info->missing_issuer);
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
  stream->outdated_version = GNUTLS_VERSION_UNKNOWN;

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
  g_clear_pointer (&stream->received, g_byte_array_unref);
  g_free (stream->plain_answer);
  g_free (stream->missing_issuer);
  g_free (stream->missing_issuer_url);
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

const char *
mail_setup_stream_get_plain_answer (MailSetupStream *stream)
{
  g_return_val_if_fail (stream != NULL, NULL);

  return stream->plain_answer;
}

const char *
mail_setup_stream_get_missing_issuer_url (MailSetupStream *stream)
{
  g_return_val_if_fail (stream != NULL, NULL);

  return stream->missing_issuer_url;
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

static void
certificate_free (gpointer certificate)
{
  gnutls_x509_crt_deinit (certificate);
}

static GPtrArray *
new_certificate_list (void)
{
  return g_ptr_array_new_with_free_func (certificate_free);
}

static gboolean
add_certificate (GPtrArray            *certificates,
                 const gnutls_datum_t *der)
{
  gnutls_x509_crt_t certificate;

  if (gnutls_x509_crt_init (&certificate) < 0)
    return FALSE;

  if (gnutls_x509_crt_import (certificate, der, GNUTLS_X509_FMT_DER) < 0)
    {
      gnutls_x509_crt_deinit (certificate);
      return FALSE;
    }

  g_ptr_array_add (certificates, certificate);
  return TRUE;
}

/* The chain as the server sent it, its own certificate first. */
static GPtrArray *
import_peer_chain (MailSetupStream *stream)
{
  GPtrArray *chain = new_certificate_list ();
  const gnutls_datum_t *peers;
  unsigned int n_peers = 0;

  peers = gnutls_certificate_get_peers (stream->session, &n_peers);
  for (unsigned int i = 0; peers != NULL && i < n_peers; i++)
    {
      if (!add_certificate (chain, &peers[i]))
        break;
    }

  return chain;
}

static gboolean
is_self_issued (gnutls_x509_crt_t certificate)
{
  return gnutls_x509_crt_check_issuer (certificate, certificate) == 1;
}

/* Which part of the chain the system's policy calls insecure: a signature
 * hash first, since a forger attacks that, else the weakest key, if it is
 * weaker than 128 bits of security, below which policies draw their lines.
 * A trust anchor's signature on itself proves nothing and is not checked,
 * so certificates signed by themselves are left out. */
static void
note_insecure_algorithm (MailSetupTlsInfo *info,
                         GPtrArray        *chain)
{
  gnutls_sec_param_t weakest = GNUTLS_SEC_PARAM_HIGH;

  for (guint i = 0; i < chain->len; i++)
    {
      int sign = gnutls_x509_crt_get_signature_algorithm (chain->pdata[i]);
      gnutls_digest_algorithm_t hash;

      if (is_self_issued (chain->pdata[i]) || sign <= 0 ||
          gnutls_sign_is_secure2 (sign, GNUTLS_SIGN_FLAG_SECURE_FOR_CERTS))
        continue;

      hash = (gnutls_digest_algorithm_t) gnutls_sign_get_hash_algorithm (sign);
      info->insecure_hash = g_strdup (gnutls_digest_get_name (hash));
      return;
    }

  for (guint i = 0; i < chain->len; i++)
    {
      unsigned int bits = 0;
      int pk = gnutls_x509_crt_get_pk_algorithm (chain->pdata[i], &bits);
      gnutls_sec_param_t level;

      if (pk <= 0)
        continue;

      level = gnutls_pk_bits_to_sec_param (pk, bits);
      if (level != GNUTLS_SEC_PARAM_UNKNOWN && level < weakest)
        {
          weakest = level;
          g_free (info->insecure_key);
          info->insecure_key = g_strdup_printf ("%s-%u", gnutls_pk_get_name (pk), bits);
        }
    }
}

/* The date from which every certificate of the chain is valid. */
static GDateTime *
chain_valid_from (GPtrArray *chain)
{
  time_t latest = 0;

  for (guint i = 0; i < chain->len; i++)
    {
      time_t activation = gnutls_x509_crt_get_activation_time (chain->pdata[i]);

      if (activation != (time_t) -1 && activation > latest)
        latest = activation;
    }

  return latest > 0 ? g_date_time_new_from_unix_utc (latest) : NULL;
}

/* The certificate at the top of the chain the server sent: from its own
 * certificate up through each issuer that it sent along. */
static gnutls_x509_crt_t
chain_top (GPtrArray *chain)
{
  gnutls_x509_crt_t top = chain->pdata[0];

  for (guint step = 0; step < chain->len && !is_self_issued (top); step++)
    {
      gnutls_x509_crt_t issuer = NULL;

      for (guint i = 0; i < chain->len && issuer == NULL; i++)
        {
          if (chain->pdata[i] != top && gnutls_x509_crt_check_issuer (top, chain->pdata[i]) == 1)
            issuer = chain->pdata[i];
        }
      if (issuer == NULL)
        break;
      top = issuer;
    }

  return top;
}

/* The first http address of the certificate's caIssuers (RFC 5280,
 * 4.2.2.1), where its issuer's certificate can be had. */
static char *
ca_issuers_url (gnutls_x509_crt_t certificate)
{
  for (unsigned int seq = 0; seq < 16; seq++)
    {
      gnutls_datum_t location = { NULL, 0 };
      g_autofree char *url = NULL;
      int ret;

      ret = gnutls_x509_crt_get_authority_info_access (certificate, seq, GNUTLS_IA_CAISSUERS_URI,
                                                       &location, NULL);
      /* An entry of another kind, such as the OCSP responder. */
      if (ret == GNUTLS_E_UNKNOWN_ALGORITHM)
        continue;
      if (ret < 0)
        return NULL;

      url = datum_to_string (&location);
      if (g_ascii_strncasecmp (url, "http://", strlen ("http://")) == 0)
        return g_steal_pointer (&url);
    }

  return NULL;
}

/* GnuTLS says SIGNER_NOT_FOUND both for a chain that ends at an unknown
 * authority and for one that misses a link to a trusted one. A chain whose
 * top certificate is signed by itself is whole, and ends at an authority
 * this computer does not trust. Otherwise the top's issuer is missing, and
 * only its certificate can tell which case this is: the caller may fetch it
 * from the address that the top names, and mail_setup_stream_completes_chain()
 * decides. */
static void
note_missing_issuer (MailSetupStream *stream,
                     GPtrArray       *chain)
{
  gnutls_datum_t name = { NULL, 0 };
  gnutls_x509_crt_t top;

  if (chain->len == 0)
    return;

  top = chain_top (chain);
  if (is_self_issued (top))
    return;

  if (gnutls_x509_crt_get_issuer_dn3 (top, &name, 0) == 0)
    stream->missing_issuer = datum_to_string (&name);
  stream->missing_issuer_url = ca_issuers_url (top);
}

/* A revocation is the authority's own word against this very certificate.
 * An unknown signer makes every other finding moot: nothing proves who made
 * the certificate. A weak algorithm comes next, in a chain that does lead
 * to a trusted authority, then the dates, then the name, which matter only
 * for a certificate that is sound otherwise. */
MailSetupTlsError
mail_setup_tls_error_for_status (unsigned int status)
{
  if (status & GNUTLS_CERT_REVOKED)
    return MAIL_SETUP_TLS_ERROR_REVOKED;
  if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA |
                GNUTLS_CERT_SIGNATURE_FAILURE))
    return MAIL_SETUP_TLS_ERROR_UNTRUSTED;
  if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
    return MAIL_SETUP_TLS_ERROR_INSECURE;
  if (status & GNUTLS_CERT_NOT_ACTIVATED)
    return MAIL_SETUP_TLS_ERROR_NOT_YET_VALID;
  if (status & GNUTLS_CERT_EXPIRED)
    return MAIL_SETUP_TLS_ERROR_EXPIRED;
  if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
    return MAIL_SETUP_TLS_ERROR_HOSTNAME_MISMATCH;

  return MAIL_SETUP_TLS_ERROR_UNTRUSTED;
}

/* Each refusal leads the user to a different explanation, so GnuTLS's
 * status is read bit by bit, and what the error alone does not say goes
 * into the TLS details. */
static gboolean
check_verification_status (MailSetupStream  *stream,
                           unsigned int      status,
                           const char       *server_name,
                           GError          **error)
{
  g_autoptr(GPtrArray) chain = NULL;
  MailSetupTlsError code;

  if (status == 0)
    return TRUE;

  chain = import_peer_chain (stream);
  code = mail_setup_tls_error_for_status (status);
  switch (code)
    {
    case MAIL_SETUP_TLS_ERROR_REVOKED:
      g_set_error_literal (error, MAIL_SETUP_TLS_ERROR, code,
                           "The server's certificate has been revoked");
      break;
    case MAIL_SETUP_TLS_ERROR_INSECURE:
      note_insecure_algorithm (stream->tls_info, chain);
      g_set_error_literal (error, MAIL_SETUP_TLS_ERROR, code,
                           "The server's certificate uses an algorithm that is not secure");
      break;
    case MAIL_SETUP_TLS_ERROR_NOT_YET_VALID:
      stream->tls_info->valid_from = chain_valid_from (chain);
      g_set_error_literal (error, MAIL_SETUP_TLS_ERROR, code,
                           "The server's certificate is not valid yet");
      break;
    case MAIL_SETUP_TLS_ERROR_EXPIRED:
      g_set_error_literal (error, MAIL_SETUP_TLS_ERROR, code,
                           "The server's certificate has expired");
      break;
    case MAIL_SETUP_TLS_ERROR_HOSTNAME_MISMATCH:
      g_set_error (error, MAIL_SETUP_TLS_ERROR, code,
                   "The server's certificate is not for %s", server_name);
      break;
    case MAIL_SETUP_TLS_ERROR_UNTRUSTED:
    default:
      if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
        note_missing_issuer (stream, chain);
      g_set_error_literal (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_UNTRUSTED,
                           (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA |
                                      GNUTLS_CERT_SIGNATURE_FAILURE))
                           ? "The server's certificate is not signed by a trusted authority"
                           : "The server's certificate is not valid");
      break;
    }

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

static ssize_t
push_cb (gnutls_transport_ptr_t  transport,
         const void             *data,
         size_t                  size)
{
  MailSetupStream *stream = transport;
  ssize_t n = send (stream->fd, data, size, MSG_NOSIGNAL);

  if (n < 0)
    gnutls_transport_set_errno (stream->session, errno);

  return n;
}

/* Keeps the first bytes of the handshake: when the server answered in
 * plain text, they say what kind of server it is. */
static ssize_t
pull_cb (gnutls_transport_ptr_t  transport,
         void                   *data,
         size_t                  size)
{
  MailSetupStream *stream = transport;
  ssize_t n = recv (stream->fd, data, size, 0);

  if (n < 0)
    gnutls_transport_set_errno (stream->session, errno);
  else if (stream->received != NULL && stream->received->len < MAX_RECORDED_BYTES)
    g_byte_array_append (stream->received, data,
                         MIN ((guint) n, MAX_RECORDED_BYTES - stream->received->len));

  return n;
}

static int
pull_timeout_cb (gnutls_transport_ptr_t transport,
                 unsigned int           ms)
{
  MailSetupStream *stream = transport;
  struct pollfd fd = { .fd = stream->fd, .events = POLLIN };

  return poll (&fd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int) MIN (ms, G_MAXINT));
}

static int
server_hello_cb (gnutls_session_t         session,
                 unsigned int             type,
                 unsigned int             when,
                 unsigned int             incoming,
                 const gnutls_datum_t    *message)
{
  MailSetupStream *stream = gnutls_session_get_ptr (session);
  gnutls_protocol_t version = gnutls_protocol_get_version (session);

  if (version >= MIN_VERSION)
    return 0;

  stream->outdated_version = version;
  return GNUTLS_E_UNSUPPORTED_VERSION_PACKET;
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
  gnutls_session_set_ptr (stream->session, stream);
  gnutls_handshake_set_hook_function (stream->session, GNUTLS_HANDSHAKE_SERVER_HELLO,
                                      GNUTLS_HOOK_POST, server_hello_cb);
  gnutls_transport_set_ptr (stream->session, stream);
  gnutls_transport_set_push_function (stream->session, push_cb);
  gnutls_transport_set_pull_function (stream->session, pull_cb);
  gnutls_transport_set_pull_timeout_function (stream->session, pull_timeout_cb);

  return TRUE;
}

/* A TLS record starts with its type, a byte from 20 to 24. */
static gboolean
starts_as_text (GByteArray *received)
{
  return received->len > 0 && received->data[0] >= 0x20 && received->data[0] <= 0x7e;
}

/* GnuTLS gives up on a plain-text answer after the five bytes of a record
 * header; the rest of its first line has usually come with them, or follows
 * at once. */
static void
read_rest_of_plain_line (MailSetupStream *stream,
                         gint64           deadline,
                         GCancellable    *cancellable)
{
  GByteArray *received = stream->received;
  gint64 until = MIN (deadline, g_get_monotonic_time () + PLAIN_LINE_WAIT_US);

  if (!starts_as_text (received))
    return;

  while (memchr (received->data, '\n', received->len) == NULL &&
         received->len < MAX_RECORDED_BYTES &&
         wait_for_fd (stream->fd, POLLIN, until, cancellable, NULL))
    {
      guint8 buffer[MAX_RECORDED_BYTES];
      gssize n = recv (stream->fd, buffer, MAX_RECORDED_BYTES - received->len, 0);

      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (n <= 0)
        break;
      g_byte_array_append (received, buffer, (guint) n);
    }
}

/* The first line of what the server sent, when it answered the ClientHello
 * in plain text. */
static char *
plain_first_line (GByteArray *received)
{
  const char *data = (const char *) received->data;
  const char *line_end;
  gsize length;

  if (!starts_as_text (received))
    return NULL;

  line_end = memchr (data, '\n', received->len);
  length = line_end != NULL ? (gsize) (line_end - data) : received->len;
  if (length > 0 && data[length - 1] == '\r')
    length--;

  return g_strndup (data, length);
}

/* An old server is told by the version in its ServerHello, or by its
 * protocol_version alert when it speaks none of the versions offered. */
static void
set_handshake_error (MailSetupStream  *stream,
                     int               code,
                     GError          **error)
{
  if (stream->outdated_version != GNUTLS_VERSION_UNKNOWN)
    {
      const char *version = gnutls_protocol_get_name (stream->outdated_version);

      stream->tls_info = g_new0 (MailSetupTlsInfo, 1);
      stream->tls_info->version = g_strdup (version);
      g_set_error (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_OUTDATED,
                   "The server offered only %s", version);
    }
  else if (code == GNUTLS_E_FATAL_ALERT_RECEIVED &&
           gnutls_alert_get (stream->session) == GNUTLS_A_PROTOCOL_VERSION)
    g_set_error_literal (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_OUTDATED,
                         "The server refused every version of TLS from 1.0 to 1.3");
  else
    g_set_error (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_HANDSHAKE_FAILED,
                 "The TLS handshake failed: %s", gnutls_strerror (code));
}

static gboolean
run_handshake (MailSetupStream  *stream,
               gint64            deadline,
               GCancellable     *cancellable,
               GError          **error)
{
  int ret;

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
          set_handshake_error (stream, ret, error);
          return FALSE;
        }
    }

  /* The ServerHello hook stops an old version before any key is
   * exchanged; this holds even if a handshake ever ran without it. */
  if (gnutls_protocol_get_version (stream->session) < MIN_VERSION)
    {
      stream->outdated_version = gnutls_protocol_get_version (stream->session);
      set_handshake_error (stream, GNUTLS_E_UNSUPPORTED_VERSION_PACKET, error);
      return FALSE;
    }

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
  gboolean shaken;
  int ret;

  g_return_val_if_fail (stream != NULL, FALSE);
  g_return_val_if_fail (stream->session == NULL, FALSE);
  g_return_val_if_fail (server_name != NULL, FALSE);

  if (!create_session (stream, server_name, extra_ca_file, error))
    return FALSE;

  stream->received = g_byte_array_new ();
  shaken = run_handshake (stream, deadline, cancellable, error);
  if (!shaken)
    {
      read_rest_of_plain_line (stream, deadline, cancellable);
      stream->plain_answer = plain_first_line (stream->received);
    }
  g_clear_pointer (&stream->received, g_byte_array_unref);
  if (!shaken)
    return FALSE;

  /* Kept even when the certificate is refused: the user is shown what it is. */
  stream->tls_info = read_tls_info (stream->session);

  ret = verify_peer (stream, server_name, extra_ca_file, &status);
  if (ret < 0)
    {
      g_set_error (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_UNTRUSTED,
                   "The server's certificate could not be checked: %s", gnutls_strerror (ret));
      return FALSE;
    }

  return check_verification_status (stream, status, server_name, error);
}

static void
import_pkcs7 (const gnutls_datum_t *data,
              GPtrArray            *certificates)
{
  gnutls_pkcs7_t pkcs7;

  if (gnutls_pkcs7_init (&pkcs7) < 0)
    return;

  if (gnutls_pkcs7_import (pkcs7, data, GNUTLS_X509_FMT_DER) == 0 ||
      gnutls_pkcs7_import (pkcs7, data, GNUTLS_X509_FMT_PEM) == 0)
    {
      int count = MIN (gnutls_pkcs7_get_crt_count (pkcs7), MAX_SERVED_CERTIFICATES);

      for (int i = 0; i < count; i++)
        {
          gnutls_datum_t der = { NULL, 0 };

          if (gnutls_pkcs7_get_crt_raw2 (pkcs7, i, &der) == 0)
            {
              add_certificate (certificates, &der);
              gnutls_free (der.data);
            }
        }
    }

  gnutls_pkcs7_deinit (pkcs7);
}

/* Certificates as an authority serves them at its caIssuers address: one in
 * DER, as RFC 5280 asks, or in PEM, or a PKCS #7 bundle. */
static GPtrArray *
import_served_certificates (GBytes *data)
{
  GPtrArray *certificates = new_certificate_list ();
  gsize size = 0;
  gnutls_datum_t datum;
  gnutls_x509_crt_t *list = NULL;
  unsigned int n = 0;

  datum.data = (unsigned char *) g_bytes_get_data (data, &size);
  datum.size = (unsigned int) MIN (size, G_MAXUINT);

  if (gnutls_x509_crt_list_import2 (&list, &n, &datum, GNUTLS_X509_FMT_DER, 0) == 0 ||
      gnutls_x509_crt_list_import2 (&list, &n, &datum, GNUTLS_X509_FMT_PEM, 0) == 0)
    {
      for (unsigned int i = 0; i < n; i++)
        {
          if (i < MAX_SERVED_CERTIFICATES)
            g_ptr_array_add (certificates, list[i]);
          else
            gnutls_x509_crt_deinit (list[i]);
        }
      gnutls_free (list);
    }
  else
    import_pkcs7 (&datum, certificates);

  return certificates;
}

gboolean
mail_setup_stream_completes_chain (MailSetupStream *stream,
                                   GBytes          *data)
{
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) served = NULL;
  gnutls_x509_trust_list_t trust = NULL;
  unsigned int status = 0;

  g_return_val_if_fail (stream != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  if (stream->session == NULL || stream->tls_info == NULL)
    return FALSE;

  served = import_served_certificates (data);
  chain = import_peer_chain (stream);
  if (served->len == 0 || chain->len == 0)
    return FALSE;
  g_ptr_array_extend_and_steal (chain, g_steal_pointer (&served));

  /* The authorities the handshake was checked against, the system's
   * included (see verify_peer()). */
  gnutls_certificate_get_trust_list (stream->credentials, &trust);
  if (gnutls_x509_trust_list_verify_crt (trust, (gnutls_x509_crt_t *) chain->pdata, chain->len,
                                         0, &status, NULL) < 0 ||
      (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA |
                 GNUTLS_CERT_SIGNATURE_FAILURE)) != 0)
    return FALSE;

  g_free (stream->tls_info->missing_issuer);
  stream->tls_info->missing_issuer = g_strdup (stream->missing_issuer);
  return TRUE;
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
