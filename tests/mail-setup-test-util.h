/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean    mail_setup_test_services_running      (void);
int         mail_setup_test_skip_without_services (int   *argc,
                                                   char ***argv);

const char *mail_setup_test_service_env  (const char *name);
guint16     mail_setup_test_service_port (const char *name);

G_END_DECLS
