/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void          mail_setup_core_ensure_resources (void);
GSettings    *mail_setup_settings_new          (void);

void          mail_setup_store_async_result    (GObject       *source,
                                                GAsyncResult  *result,
                                                gpointer       slot);
GAsyncResult *mail_setup_wait_for_async_result (GAsyncResult **slot);

G_END_DECLS
