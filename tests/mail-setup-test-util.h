/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *mail_setup_test_service_env  (const char *name);
guint16     mail_setup_test_service_port (const char *name);

G_END_DECLS
