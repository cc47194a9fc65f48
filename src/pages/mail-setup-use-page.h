/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "mail-setup-account-store.h"
#include "mail-setup-page.h"

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_USE_PAGE (mail_setup_use_page_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupUsePage, mail_setup_use_page, MAIL_SETUP, USE_PAGE, MailSetupPage)

void                   mail_setup_use_page_set_saved_account (MailSetupUsePage      *self,
                                                              MailSetupSavedAccount *saved);
MailSetupSavedAccount *mail_setup_use_page_get_saved_account (MailSetupUsePage      *self);

G_END_DECLS
