/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "mail-setup-check.h"
#include "mail-setup-stage-runner.h"

G_BEGIN_DECLS

/* What the reports read of a check beyond its public getters. */

/* What the check found, or NULL while it has not finished. */
const MailSetupCheckOutcome *mail_setup_check_get_outcome               (MailSetupCheck *self);
/* Whether the provider chosen is Microsoft's, whatever the server said. */
gboolean                     mail_setup_check_get_provider_is_microsoft (MailSetupCheck *self);

G_END_DECLS
