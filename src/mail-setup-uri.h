/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef void (*MailSetupUriHandler) (const char *uri,
                                     gpointer    user_data);

void mail_setup_open_uri          (GtkWidget           *widget,
                                   const char          *uri);
void mail_setup_set_uri_handler   (MailSetupUriHandler  handler,
                                   gpointer             user_data);

G_END_DECLS
