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
} MailSetupTlsError;

GQuark mail_setup_tls_error_quark (void);

/* What the report shows of a TLS session and its peer certificate. */
typedef struct
{
  char      *version;
  char      *cipher;
  char      *subject;
  char      *issuer;
  GDateTime *not_before;
  GDateTime *not_after;
  char      *sha256;
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
