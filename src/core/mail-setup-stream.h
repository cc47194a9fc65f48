/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MAIL_SETUP_TLS_ERROR (mail_setup_tls_error_quark ())

typedef enum
{
  MAIL_SETUP_TLS_ERROR_HANDSHAKE_FAILED,
  MAIL_SETUP_TLS_ERROR_UNTRUSTED,
  MAIL_SETUP_TLS_ERROR_HOSTNAME_MISMATCH,
  MAIL_SETUP_TLS_ERROR_EXPIRED,
  MAIL_SETUP_TLS_ERROR_CA_FILE,
  /* The server offers only TLS 1.1 or older: see MailSetupTlsInfo.version. */
  MAIL_SETUP_TLS_ERROR_OUTDATED,
  /* A signature or key too weak for the system's policy. */
  MAIL_SETUP_TLS_ERROR_INSECURE,
  MAIL_SETUP_TLS_ERROR_NOT_YET_VALID,
  MAIL_SETUP_TLS_ERROR_REVOKED,
} MailSetupTlsError;

GQuark mail_setup_tls_error_quark (void);

/* The refusal that a GnuTLS certificate verification status (a
 * gnutls_certificate_status_t other than 0) stands for. */
MailSetupTlsError mail_setup_tls_error_for_status (unsigned int status);

/* What the report shows of a TLS session and its peer certificate.
 *
 * When the certificate was refused, the fields after sha256 say why where
 * the error alone does not: the hash of a signature in the chain that the
 * system's policy no longer accepts ("SHA1"), a key too short for it
 * ("RSA-1024"), the date from which every certificate of the chain is valid,
 * the authority whose certificate the server left out. When a server offered
 * only an old version of TLS, version is that version (or NULL when it
 * refused every version offered) and the rest is NULL. */
typedef struct
{
  char      *version;
  char      *cipher;
  char      *subject;
  char      *issuer;
  GDateTime *not_before;
  GDateTime *not_after;
  char      *sha256;
  char      *insecure_hash;
  char      *insecure_key;
  GDateTime *valid_from;
  char      *missing_issuer;
} MailSetupTlsInfo;

#define MAIL_SETUP_TYPE_TLS_INFO (mail_setup_tls_info_get_type ())
GType             mail_setup_tls_info_get_type (void) G_GNUC_CONST;
MailSetupTlsInfo *mail_setup_tls_info_copy     (const MailSetupTlsInfo *info);
void              mail_setup_tls_info_free     (MailSetupTlsInfo       *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailSetupTlsInfo, mail_setup_tls_info_free)

/*
 * A connected socket, in plain text until mail_setup_stream_start_tls() and
 * through GnuTLS after it. Every call blocks the calling thread until the
 * absolute DEADLINE (g_get_monotonic_time() microseconds) or until
 * CANCELLABLE fires, whichever comes first, so it belongs in a worker thread.
 */
typedef struct _MailSetupStream MailSetupStream;

MailSetupStream        *mail_setup_stream_new          (GSocketConnection *connection);
void                    mail_setup_stream_free         (MailSetupStream   *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailSetupStream, mail_setup_stream_free)

gboolean                mail_setup_stream_start_tls    (MailSetupStream   *stream,
                                                        const char        *server_name,
                                                        const char        *extra_ca_file,
                                                        gint64             deadline,
                                                        GCancellable      *cancellable,
                                                        GError           **error);
gboolean                mail_setup_stream_is_tls       (MailSetupStream   *stream);
const MailSetupTlsInfo *mail_setup_stream_get_tls_info (MailSetupStream   *stream);
/* What the server sent during a failed handshake when that was plain text
 * rather than TLS: its first line, without the line end, or NULL. */
const char             *mail_setup_stream_get_plain_answer (MailSetupStream *stream);
/* After MAIL_SETUP_TLS_ERROR_UNTRUSTED: the http address that the top
 * certificate of the chain names for its issuer (RFC 5280's caIssuers), when
 * that issuer is missing from the chain and the chain does not end in a
 * certificate signed by itself; else NULL. */
const char             *mail_setup_stream_get_missing_issuer_url (MailSetupStream *stream);
/* Whether the certificates in DATA (DER, PEM or PKCS #7, as authorities
 * serve them) link the server's chain to an authority this computer trusts:
 * then the server left them out, and the TLS details name the missing
 * authority. They are never used to trust the connection. */
gboolean                mail_setup_stream_completes_chain (MailSetupStream *stream,
                                                           GBytes          *data);
gssize                  mail_setup_stream_read         (MailSetupStream   *stream,
                                                        char              *buffer,
                                                        gsize              size,
                                                        gint64             deadline,
                                                        GCancellable      *cancellable,
                                                        GError           **error);
gboolean                mail_setup_stream_write_all    (MailSetupStream   *stream,
                                                        const char        *data,
                                                        gsize              length,
                                                        gint64             deadline,
                                                        GCancellable      *cancellable,
                                                        GError           **error);
void                    mail_setup_stream_close        (MailSetupStream   *stream,
                                                        gint64             deadline);

G_END_DECLS
