/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void mail_setup_core_ensure_resources (void);

G_END_DECLS
