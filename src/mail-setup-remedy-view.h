/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "mail-setup-account.h"
#include "mail-setup-remedy.h"

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_REMEDY_VIEW (mail_setup_remedy_view_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupRemedyView, mail_setup_remedy_view, MAIL_SETUP, REMEDY_VIEW, AdwBin)

void mail_setup_remedy_view_show (MailSetupRemedyView *self,
                                  MailSetupRemedy     *remedy,
                                  MailSetupAccount    *account,
                                  MailSetupCheck      *check);

G_END_DECLS
