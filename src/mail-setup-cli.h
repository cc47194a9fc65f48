/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean mail_setup_cli_wants_command_line (int    argc,
                                            char **argv);
int      mail_setup_cli_run                (int    argc,
                                            char **argv);

G_END_DECLS
