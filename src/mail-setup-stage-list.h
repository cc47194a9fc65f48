/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "mail-setup-check.h"

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_STAGE_LIST (mail_setup_stage_list_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupStageList, mail_setup_stage_list, MAIL_SETUP, STAGE_LIST, AdwBin)

void mail_setup_stage_list_set_check (MailSetupStageList *self,
                                      MailSetupCheck     *check);

G_END_DECLS
