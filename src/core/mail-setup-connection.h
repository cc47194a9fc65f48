/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "mail-setup-stage-runner.h"
#include "mail-setup-stream.h"

G_BEGIN_DECLS

/*
 * The way to a mail server that every check takes, whatever it speaks
 * after: the name lookup and connection stages, the TLS handshake (at once,
 * or after the protocol's STARTTLS) with what its failure means, and the
 * recognition of a server of another kind. It works in the runner's worker
 * thread and records what it finds in the runner's outcome.
 */

typedef struct
{
  MailSetupStageRunner *runner;
  char                 *server;
  guint16               port;
  char                 *extra_ca_file;
  GList                *addresses;  /* of GInetAddress, from the resolve stage */
  MailSetupStream      *stream;
  const char           *issuer_url; /* while the missing issuer is fetched */
} MailSetupConnection;

MailSetupConnection *mail_setup_connection_new     (MailSetupStageRunner *runner,
                                                    const char           *server,
                                                    guint16               port,
                                                    const char           *extra_ca_file);
void                 mail_setup_connection_free    (MailSetupConnection  *connection);

gboolean             mail_setup_connection_resolve (MailSetupConnection  *connection);
gboolean             mail_setup_connection_connect (MailSetupConnection  *connection);
gboolean             mail_setup_connection_handshake (MailSetupConnection *connection);
gboolean             mail_setup_connection_probe_tls (MailSetupConnection *connection,
                                                      const GError        *error);
gboolean             mail_setup_connection_recognise_other_server (MailSetupConnection *connection,
                                                                   const char          *line);
void                 mail_setup_connection_close   (MailSetupConnection  *connection);

G_END_DECLS
