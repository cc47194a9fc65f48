/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "mail-setup-page.h"

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_PROVIDER_PAGE (mail_setup_provider_page_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupProviderPage, mail_setup_provider_page, MAIL_SETUP, PROVIDER_PAGE, MailSetupPage)

void mail_setup_provider_page_set_saved_accounts (MailSetupProviderPage *self,
                                                  GListModel            *accounts);

G_END_DECLS
