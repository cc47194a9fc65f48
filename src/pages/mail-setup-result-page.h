/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "mail-setup-page.h"

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_RESULT_PAGE (mail_setup_result_page_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupResultPage, mail_setup_result_page, MAIL_SETUP, RESULT_PAGE, MailSetupPage)

void mail_setup_result_page_show (MailSetupResultPage *self,
                                  MailSetupCheck      *check,
                                  const char          *remedy_id);

GtkWidget *mail_setup_result_page_get_main_action (MailSetupResultPage *self);
void mail_setup_result_page_focus_action (MailSetupResultPage *self);

void mail_setup_result_page_show_saving  (MailSetupResultPage *self);
void mail_setup_result_page_show_saved   (MailSetupResultPage *self);
void mail_setup_result_page_show_save_error (MailSetupResultPage *self,
                                             const char          *message);

G_END_DECLS
