/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_APPLICATION (mail_setup_application_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupApplication, mail_setup_application, MAIL_SETUP, APPLICATION, AdwApplication)

MailSetupApplication *mail_setup_application_new (void);

G_END_DECLS
