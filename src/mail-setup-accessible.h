/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void mail_setup_accessible_name_button_by_label (GtkButton *button);
void mail_setup_accessible_name_parts           (GtkWidget *root);
void mail_setup_accessible_label_by             (GtkWidget *widget,
                                                 GtkWidget *label);

G_END_DECLS
