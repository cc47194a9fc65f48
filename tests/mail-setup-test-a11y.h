/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void         mail_setup_test_a11y_init          (void);
/* The objects on screen in WINDOW ({"objects": [...], "problems": [...]},
 * each object with role, name, description, text, states, actions); in
 * all windows of this program when WINDOW has no title (a dialog). */
JsonObject  *mail_setup_test_a11y_read_tree     (GtkWindow  *window);
/* Reads WINDOW's tree and fails the test on every object that takes the
 * focus or a click without a usable name; PAGE names it in messages.
 * MAIL_SETUP_TEST_A11Y_DUMP=1 prints the whole tree. */
JsonObject  *mail_setup_test_a11y_assert_named  (gpointer    window,
                                                 const char *page);
/* The first object on screen with ROLE whose name starts with NAME;
 * expect fails the test when there is none. */
JsonObject  *mail_setup_test_a11y_find          (JsonObject *tree,
                                                 const char *role,
                                                 const char *name);
JsonObject  *mail_setup_test_a11y_expect        (JsonObject *tree,
                                                 const char *role,
                                                 const char *name);
GSubprocess *mail_setup_test_a11y_spawn_listener (void);

G_END_DECLS
