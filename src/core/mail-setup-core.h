/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void       mail_setup_core_ensure_resources (void);
GSettings *mail_setup_settings_new          (void);

G_END_DECLS
