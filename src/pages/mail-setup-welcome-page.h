/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_WELCOME_PAGE (mail_setup_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupWelcomePage, mail_setup_welcome_page, MAIL_SETUP, WELCOME_PAGE, AdwBin)

G_END_DECLS
