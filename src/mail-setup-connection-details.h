/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "mail-setup-check.h"

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_CONNECTION_DETAILS (mail_setup_connection_details_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupConnectionDetails, mail_setup_connection_details,
                      MAIL_SETUP, CONNECTION_DETAILS, AdwPreferencesGroup)

void mail_setup_connection_details_set_check (MailSetupConnectionDetails *self,
                                              MailSetupCheck             *check);

G_END_DECLS
