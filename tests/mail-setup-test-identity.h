/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonObject *mail_setup_test_identity_call    (const char *method,
                                              const char *path,
                                              char       *form);
void        mail_setup_test_identity_approve (const char *user_code,
                                              const char *username);

/* The person at the browser, at the next authorize request only. */
void        mail_setup_test_identity_browser_approve (const char *username);
void        mail_setup_test_identity_browser_error   (const char *error,
                                                      guint       code,
                                                      const char *suberror,
                                                      const char *description);

/* GRANT is "device_code", "authorization_code" or "refresh_token". */
void        mail_setup_test_identity_force_token_error (const char *grant,
                                                        const char *error,
                                                        guint       code,
                                                        const char *suberror,
                                                        const char *description,
                                                        guint       count);

JsonObject *mail_setup_test_identity_get_authorize (void);
void        mail_setup_test_identity_reset         (void);

/* Access tokens issued from now on live SECONDS; until the next reset. */
void        mail_setup_test_identity_set_lifetime    (guint       seconds);
/* Every token request waits MILLISECONDS; until the next reset. */
void        mail_setup_test_identity_set_token_delay (guint       milliseconds);
/* Token requests of GRANT since the last reset, answered or refused. */
guint       mail_setup_test_identity_count_requests  (const char *grant);
/* The user name the access token TOKEN is good for, NULL when it is not
 * (any longer) good: as Dovecot asks. */
char       *mail_setup_test_identity_introspect      (const char *token);

G_END_DECLS
