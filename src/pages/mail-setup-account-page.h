/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "mail-setup-page.h"

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_ACCOUNT_PAGE (mail_setup_account_page_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupAccountPage, mail_setup_account_page, MAIL_SETUP, ACCOUNT_PAGE, MailSetupPage)

void mail_setup_account_page_show_outgoing (MailSetupAccountPage *self);

G_END_DECLS
