/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The access token that a scripted server accepts for XOAUTH2 unless the
 * test passes its own "--token-env". */
#define MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN "scripted-server-access-token"

typedef struct _MailSetupTestServer MailSetupTestServer;

/* Starts tests/servers/scripted-imap-server.py with SCENARIO and the
 * NULL-terminated options after it (e.g. "--tls", "starttls", NULL). By
 * default it accepts MAIL_SETUP_TEST_USER with MAIL_SETUP_TEST_PASSWORD, or
 * MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN; options given here win. Secrets go
 * through the environment ("--password-env VAR"), never argv. Fails the
 * test if the server does not say READY within 5 seconds. */
MailSetupTestServer *mail_setup_test_server_start           (const char          *scenario,
                                                             const char          *first_option,
                                                             ...);
/* The same for tests/servers/scripted-smtp-server.py, Microsoft 365's
 * submission server: STARTTLS by default, "--tls", "implicit" for port
 * 465's way. The rest of this API serves both. */
MailSetupTestServer *mail_setup_test_smtp_server_start      (const char          *scenario,
                                                             const char          *first_option,
                                                             ...);
guint16              mail_setup_test_server_get_port        (MailSetupTestServer *server);
/* Every line received so far, raw with its line end; lines that came
 * without TLS start with "[plain] ". NUL bytes read as "\0". */
char                *mail_setup_test_server_get_transcript  (MailSetupTestServer *server);
/* Makes a scenario that refuses sign-in accept it, and waits until it does. */
void                 mail_setup_test_server_accept_sign_in  (MailSetupTestServer *server);
/* Stops the server, waits for it, fails the test if the server hit an
 * internal error, and removes its transcript. */
void                 mail_setup_test_server_stop            (MailSetupTestServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailSetupTestServer, mail_setup_test_server_stop)

G_END_DECLS
