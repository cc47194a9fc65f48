/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonObject *mail_setup_test_identity_call    (const char *method,
                                              const char *path,
                                              char       *form);
void        mail_setup_test_identity_approve (const char *user_code,
                                              const char *username);

G_END_DECLS
