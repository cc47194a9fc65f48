/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include "mail-setup-check.h"

G_BEGIN_DECLS

/* Runs CHECK on this thread's main context, as the window does, and returns
 * its diagnosis. With CANCEL_AFTER_MS above 0, cancels it that long after
 * the start. With OUT_EVENTS, returns the stage signals in the order they
 * came: "start tls", "ok tls", "failed greeting", "skipped sign-in"... */
MailSetupDiagnosis mail_setup_test_check_run               (MailSetupCheck      *check,
                                                            guint                cancel_after_ms,
                                                            GPtrArray          **out_events);
/* Compares diagnoses by name, so that a failure says which ones. */
void               mail_setup_test_check_assert_diagnosis  (MailSetupDiagnosis   actual,
                                                            MailSetupDiagnosis   expected);

G_END_DECLS
