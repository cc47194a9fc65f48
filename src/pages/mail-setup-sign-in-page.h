/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "mail-setup-page.h"

G_BEGIN_DECLS

/* How the tokens were had, as a check's sign-in method says it. */
#define MAIL_SETUP_SIGN_IN_METHOD_BROWSER "browser"
#define MAIL_SETUP_SIGN_IN_METHOD_DEVICE  "device"
#define MAIL_SETUP_SIGN_IN_METHOD_SAVED   "saved"

#define MAIL_SETUP_TYPE_SIGN_IN_PAGE (mail_setup_sign_in_page_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupSignInPage, mail_setup_sign_in_page, MAIL_SETUP, SIGN_IN_PAGE, MailSetupPage)

void        mail_setup_sign_in_page_start_browser (MailSetupSignInPage *self);
void        mail_setup_sign_in_page_start_device  (MailSetupSignInPage *self);
void        mail_setup_sign_in_page_stop          (MailSetupSignInPage *self);
const char *mail_setup_sign_in_page_get_method    (MailSetupSignInPage *self);

G_END_DECLS
