/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gtk/gtk.h>

#include "mail-setup-application.h"
#include "mail-setup-window.h"

G_BEGIN_DECLS

typedef gboolean (*MailSetupTestCondition) (gpointer user_data);

/* Lets the window look up the provider over the network (tests that answer
 * those lookups themselves); off otherwise. */
void             mail_setup_test_ui_allow_network_lookups (void);
MailSetupApplication *mail_setup_test_ui_get_application (void);
MailSetupWindow *mail_setup_test_ui_open_window  (void);
MailSetupWindow *mail_setup_test_ui_open_window_with_size (int width,
                                                           int height);
gboolean         mail_setup_test_ui_wait_until   (MailSetupTestCondition  condition,
                                                  gpointer                user_data,
                                                  guint                   timeout_ms);
void             mail_setup_test_ui_wait_for_frame (GtkWidget            *widget);
char            *mail_setup_test_ui_screenshot   (GtkWidget              *widget,
                                                  const char             *name);

GtkWidget       *mail_setup_test_ui_find          (GtkWidget              *root,
                                                  const char             *name);
void             mail_setup_test_ui_wait_for_page (MailSetupWindow        *window,
                                                  const char             *page,
                                                  guint                   timeout_ms);

/* As a user does it, on the widget named NAME in WINDOW; each fails the
 * test when there is no such widget. */
GtkWidget       *mail_setup_test_ui_widget        (MailSetupWindow        *window,
                                                  const char             *name);
void             mail_setup_test_ui_press         (MailSetupWindow        *window,
                                                  const char             *name);
void             mail_setup_test_ui_type_into     (MailSetupWindow        *window,
                                                  const char             *name,
                                                  const char             *text);
void             mail_setup_test_ui_save_screenshot (MailSetupWindow      *window,
                                                    const char           *name);

/* The window, trusting the test CA for the servers on 127.0.0.1. */
MailSetupWindow *mail_setup_test_ui_open_wizard   (void);
MailSetupWindow *mail_setup_test_ui_open_wizard_with_size (int width,
                                                           int height);
/* Conditions for mail_setup_test_ui_wait_until() on a window: Save has
 * ended (saved, or an error said); the browser sign-in waits. */
gboolean         mail_setup_test_ui_save_finished  (gpointer              window);
gboolean         mail_setup_test_ui_browser_is_waiting (gpointer          window);
/* The mapped toplevel window of TYPE (a dialog, the shortcuts window),
 * waited for up to TIMEOUT_MS; fails the test when none appears. */
GtkWidget       *mail_setup_test_ui_wait_for_toplevel (GType             type,
                                                      guint             timeout_ms);
/* Removes a saved account, so that the tests after start without it. */
void             mail_setup_test_ui_remove_saved_account (const char     *email);
/* What `secret-tool lookup` finds for an IMAP item of USER at SERVER:PORT
 * with AUTHTYPE, the documented way: "" when there is none. */
char            *mail_setup_test_ui_secret_tool_lookup (const char       *user,
                                                       const char       *server,
                                                       guint16           port,
                                                       const char       *authtype);

G_END_DECLS
