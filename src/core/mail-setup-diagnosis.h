/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What a connection check concluded. The string form of each value
 * ("dns-failed", "ms-auth-failed", ...) is what the command line and the
 * JSON report print, and what the remedies are keyed on. */
typedef enum
{
  MAIL_SETUP_DIAGNOSIS_OK,
  MAIL_SETUP_DIAGNOSIS_DNS_FAILED,
  MAIL_SETUP_DIAGNOSIS_CONNECT_REFUSED,
  MAIL_SETUP_DIAGNOSIS_CONNECT_TIMEOUT,
  MAIL_SETUP_DIAGNOSIS_TLS_FAILED,
  MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED,
  MAIL_SETUP_DIAGNOSIS_TLS_HOSTNAME_MISMATCH,
  MAIL_SETUP_DIAGNOSIS_TLS_EXPIRED,
  MAIL_SETUP_DIAGNOSIS_SERVER_TIMEOUT,
  MAIL_SETUP_DIAGNOSIS_SERVER_CLOSED,
  MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE,
  MAIL_SETUP_DIAGNOSIS_NOT_IMAP,
  MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR,
  MAIL_SETUP_DIAGNOSIS_STARTTLS_UNAVAILABLE,
  MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH,
  MAIL_SETUP_DIAGNOSIS_AUTH_FAILED,
  MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED,
  MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED,
  MAIL_SETUP_DIAGNOSIS_MS_ACCOUNT_BLOCKED,
  MAIL_SETUP_DIAGNOSIS_MS_IMAP_NOT_CONNECTED,
  MAIL_SETUP_DIAGNOSIS_CANCELLED,
} MailSetupDiagnosis;

#define MAIL_SETUP_N_DIAGNOSES (MAIL_SETUP_DIAGNOSIS_CANCELLED + 1)

const char         *mail_setup_diagnosis_to_string   (MailSetupDiagnosis diagnosis);
gboolean            mail_setup_diagnosis_from_string (const char         *text,
                                                      MailSetupDiagnosis *diagnosis);
const char         *mail_setup_diagnosis_get_remedy  (MailSetupDiagnosis diagnosis);

MailSetupDiagnosis  mail_setup_diagnosis_for_sign_in_refusal (gboolean    microsoft,
                                                              const char *response_code,
                                                              const char *response_text);
MailSetupDiagnosis  mail_setup_diagnosis_for_mailbox_refusal (gboolean    microsoft,
                                                              const char *response_code,
                                                              const char *response_text);
gboolean            mail_setup_diagnosis_is_microsoft_greeting (const char *greeting_text);

const char         *mail_setup_diagnosis_get_title       (MailSetupDiagnosis diagnosis);
const char         *mail_setup_diagnosis_get_explanation (MailSetupDiagnosis diagnosis);

G_END_DECLS
