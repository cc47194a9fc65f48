/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "mail-setup-account.h"
#include "mail-setup-application.h"

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_WINDOW (mail_setup_window_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupWindow, mail_setup_window, MAIL_SETUP, WINDOW, AdwApplicationWindow)

MailSetupWindow  *mail_setup_window_new          (MailSetupApplication *application);
MailSetupAccount *mail_setup_window_get_account  (MailSetupWindow      *self);
const char       *mail_setup_window_get_page     (MailSetupWindow      *self);

G_END_DECLS
