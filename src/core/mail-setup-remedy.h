/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *mail_setup_remedy_get_title   (const char *remedy_id);
const char *mail_setup_remedy_get_summary (const char *remedy_id);

G_END_DECLS
