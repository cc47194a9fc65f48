/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "mail-setup-check.h"
#include "mail-setup-page.h"

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_TESTING_PAGE (mail_setup_testing_page_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupTestingPage, mail_setup_testing_page, MAIL_SETUP, TESTING_PAGE, MailSetupPage)

void mail_setup_testing_page_set_check (MailSetupTestingPage *self,
                                        MailSetupCheck       *check);

G_END_DECLS
