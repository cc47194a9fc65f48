/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "mail-setup-connection.h"
#include "mail-setup-stage-runner.h"
#include "mail-setup-types.h"

G_BEGIN_DECLS

/*
 * The SMTP check's stages, as the IMAP check's are in mail-setup-check.c:
 * run by a MailSetupStageRunner in its worker thread, over a
 * MailSetupConnection, signing in with MailSetupSasl's messages. They never
 * send a message: MAIL FROM is answered, then taken back with RSET.
 */

typedef struct _MailSetupSmtpSession MailSetupSmtpSession;

/* Takes CONNECTION; copies the rest, the secrets into wiped memory. */
MailSetupSmtpSession *mail_setup_smtp_session_new  (MailSetupStageRunner *runner,
                                                    MailSetupConnection  *connection,
                                                    MailSetupSecurity     security,
                                                    const char           *username,
                                                    const char           *sender,
                                                    const char           *password,
                                                    const char           *access_token);
void                  mail_setup_smtp_session_free (MailSetupSmtpSession *session);

/* A MailSetupStageRunFunc, with the session as its data. */
void                  mail_setup_smtp_session_run  (MailSetupStageRunner *runner,
                                                    gpointer              session);

G_END_DECLS
