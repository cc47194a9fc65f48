/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "mail-setup-account.h"

G_BEGIN_DECLS

/* A page of the wizard: it shows and edits the one account being set up,
 * given at construction. */
#define MAIL_SETUP_TYPE_PAGE (mail_setup_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (MailSetupPage, mail_setup_page, MAIL_SETUP, PAGE, AdwBin)

struct _MailSetupPageClass
{
  AdwBinClass parent_class;
};

MailSetupAccount *mail_setup_page_get_account (MailSetupPage *self);

G_END_DECLS
