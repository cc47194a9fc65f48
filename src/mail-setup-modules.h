/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gpointer mail_setup_module_lookup (const char  *module_name,
                                   const char  *symbol_name,
                                   GError     **error);

G_END_DECLS
