/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What tests/servers/test-browser.py does with the address it is given
 * (MAIL_SETUP_TEST_BROWSER_MODE): sign in by following the identity
 * server's redirect to the product's loopback listener, or never sign in. */
#define MAIL_SETUP_TEST_BROWSER_FOLLOW "follow"
#define MAIL_SETUP_TEST_BROWSER_IGNORE "ignore"

void        mail_setup_test_browser_install        (void);
void        mail_setup_test_browser_set_mode       (const char *mode);
const char *mail_setup_test_browser_use_new_log    (void);
guint       mail_setup_test_browser_count_visits   (void);
JsonObject *mail_setup_test_browser_wait_for_visit (guint timeout_ms);

/* The port of the loopback redirect named in an authorize address. */
guint       mail_setup_test_browser_redirect_port  (const char *authorize_uri);
/* Whether something listens on PORT of 127.0.0.1 (the default main
 * context runs meanwhile, so a listener of this process answers). */
gboolean    mail_setup_test_port_is_open           (guint       port);
/* A port of 127.0.0.1 that nothing listens on. */
guint       mail_setup_test_closed_port            (void);

G_END_DECLS
