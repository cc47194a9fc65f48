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
  /* Microsoft sign-in itself, before any mail server is asked. */
  MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED,
  MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED,
  MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED,
  MAIL_SETUP_DIAGNOSIS_SIGN_IN_EXPIRED,
  MAIL_SETUP_DIAGNOSIS_SIGN_IN_WRONG_ACCOUNT,
  MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED,
  MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED,
  MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE,
  MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED,
  /* Signed in with Microsoft, but the mail server refused the token. */
  MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED,
  /* What GnuTLS's verification status and the handshake tell apart. */
  MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED,
  MAIL_SETUP_DIAGNOSIS_TLS_INSECURE,
  MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN,
  MAIL_SETUP_DIAGNOSIS_TLS_NOT_YET_VALID,
  MAIL_SETUP_DIAGNOSIS_TLS_REVOKED,
  /* The outgoing (SMTP) server's own answers; the way to it and TLS share
   * the diagnoses above. */
  MAIL_SETUP_DIAGNOSIS_NOT_SMTP,
  MAIL_SETUP_DIAGNOSIS_SMTP_STARTTLS_UNAVAILABLE,
  MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE,
  MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED,
  MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED,
  MAIL_SETUP_DIAGNOSIS_SMTP_BASIC_AUTH_BLOCKED,
  MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED,
  MAIL_SETUP_DIAGNOSIS_CANCELLED,
} MailSetupDiagnosis;

#define MAIL_SETUP_N_DIAGNOSES (MAIL_SETUP_DIAGNOSIS_CANCELLED + 1)

const char         *mail_setup_diagnosis_to_string   (MailSetupDiagnosis diagnosis);
gboolean            mail_setup_diagnosis_from_string (const char         *text,
                                                      MailSetupDiagnosis *diagnosis);
const char         *mail_setup_diagnosis_get_remedy  (MailSetupDiagnosis diagnosis);
/* The remedy for DIAGNOSIS of an outgoing (SMTP) server, signed in with a
 * Microsoft token or not. */
const char         *mail_setup_diagnosis_get_sending_remedy (MailSetupDiagnosis diagnosis,
                                                             gboolean           uses_token);

MailSetupDiagnosis  mail_setup_diagnosis_for_sign_in_refusal (gboolean    microsoft,
                                                              const char *response_code,
                                                              const char *response_text);
MailSetupDiagnosis  mail_setup_diagnosis_for_mailbox_refusal (gboolean    microsoft,
                                                              const char *response_code,
                                                              const char *response_text);
gboolean            mail_setup_diagnosis_is_microsoft_greeting (const char *greeting_text);

/* What a server speaks: what a check expects (IMAP or SMTP), and what
 * answered instead, told from the first line it sent; UNKNOWN when that
 * line does not say which. */
typedef enum
{
  MAIL_SETUP_PROTOCOL_UNKNOWN,
  MAIL_SETUP_PROTOCOL_SMTP,
  MAIL_SETUP_PROTOCOL_POP3,
  MAIL_SETUP_PROTOCOL_SSH,
  MAIL_SETUP_PROTOCOL_FTP,
  MAIL_SETUP_PROTOCOL_HTTP,
  MAIL_SETUP_PROTOCOL_IMAP,
} MailSetupProtocol;

/* "smtp", "pop3", ...; NULL for UNKNOWN. */
const char         *mail_setup_protocol_to_string               (MailSetupProtocol  protocol);
/* For an IMAP check: mail_setup_diagnosis_recognise_server() expecting IMAP. */
gboolean            mail_setup_diagnosis_recognise_other_server (const char        *first_line,
                                                                 guint16            port,
                                                                 MailSetupProtocol *protocol);
gboolean            mail_setup_diagnosis_recognise_server       (MailSetupProtocol  expected,
                                                                 const char        *first_line,
                                                                 guint16            port,
                                                                 MailSetupProtocol *protocol);

/* What an SMTP reply answered: the check's commands, in their order. */
typedef enum
{
  MAIL_SETUP_SMTP_COMMAND_GREETING,
  MAIL_SETUP_SMTP_COMMAND_EHLO,
  MAIL_SETUP_SMTP_COMMAND_STARTTLS,
  MAIL_SETUP_SMTP_COMMAND_AUTH,
  MAIL_SETUP_SMTP_COMMAND_MAIL_FROM,
  MAIL_SETUP_SMTP_COMMAND_RSET,
  MAIL_SETUP_SMTP_COMMAND_QUIT,
} MailSetupSmtpCommand;

/* What the reply to COMMAND means: OK for the reply that lets the check go
 * on (220, 250, 235, 221), else the diagnosis, from the reply CODE and the
 * ENHANCED_CODE ("5.7.139", or NULL) first, and from Microsoft's TEXT only
 * where its codes stand for more than one cause. A token and a password
 * get the same diagnoses: Microsoft answers both with the same codes. */
MailSetupDiagnosis  mail_setup_diagnosis_for_smtp_reply         (MailSetupSmtpCommand  command,
                                                                 guint                 code,
                                                                 const char           *enhanced_code,
                                                                 const char           *text);

/* How a Microsoft sign-in asked for its tokens: the answer of the token
 * endpoint (or of the browser's redirect) means different things for each. */
typedef enum
{
  MAIL_SETUP_SIGN_IN_GRANT_DEVICE_CODE,
  MAIL_SETUP_SIGN_IN_GRANT_AUTHORIZATION_CODE,
  MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN,
} MailSetupSignInGrant;

/* What an OAuth error answer means, from its "error" and "suberror" fields
 * and its "error_codes" (the AADSTS numbers), never from its English text. */
MailSetupDiagnosis  mail_setup_diagnosis_for_sign_in_error (MailSetupSignInGrant  grant,
                                                            const char           *error,
                                                            const char           *suberror,
                                                            const gint64         *error_codes,
                                                            gsize                 n_error_codes);
gboolean            mail_setup_diagnosis_is_sign_in        (MailSetupDiagnosis    diagnosis);

const char         *mail_setup_diagnosis_get_title       (MailSetupDiagnosis diagnosis);
const char         *mail_setup_diagnosis_get_explanation (MailSetupDiagnosis diagnosis);

G_END_DECLS
