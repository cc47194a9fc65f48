/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "mail-setup-window.h"

G_BEGIN_DECLS

/* Real key presses, as the X server gets them from a keyboard (XTest), into
 * WINDOW, which takes the X keyboard focus first. Each returns once GTK has
 * handled every press and release it sent, in WINDOW or in a window that
 * the keys opened; whatever the keys start (a test, a page's
 * slide) may still be under way. A test that uses them takes the display's
 * keyboard: no other program's window may appear meanwhile. */

/* ACCELERATOR as gtk_accelerator_parse() reads it: "Return", "Tab",
 * "<Shift>Tab", "<Alt>Left", "<Control>a", "space", "Escape". */
void        mail_setup_test_keys_press       (MailSetupWindow *window,
                                              const char      *accelerator);
/* Each character of TEXT, with Shift where the keyboard needs it. */
void        mail_setup_test_keys_type        (MailSetupWindow *window,
                                              const char      *text);
/* Presses ACCELERATOR until the focus is in the widget named NAME (the
 * focus widget or one of its ancestors), as a user moves the focus with
 * Tab or the arrow keys; fails the test after MAX_PRESSES presses, naming
 * each widget the focus passed. */
void        mail_setup_test_keys_press_until (MailSetupWindow *window,
                                              const char      *accelerator,
                                              const char      *name,
                                              guint            max_presses);
/* The same with Tab. */
void        mail_setup_test_keys_tab_to      (MailSetupWindow *window,
                                              const char      *name,
                                              guint            max_presses);

/* The name of the focus widget, or of its nearest ancestor that has one
 * (gtk_widget_set_name(), "name" in a .ui file); "(none)" without focus. */
const char *mail_setup_test_keys_get_focus_name (MailSetupWindow *window);
/* Whether the focus widget, or one of its ancestors, is named NAME. */
gboolean    mail_setup_test_keys_focus_is_in    (MailSetupWindow *window,
                                                 const char      *name);

G_END_DECLS
