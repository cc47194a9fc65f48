/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "mail-setup-diagnosis.h"
#include "mail-setup-stream.h"
#include "mail-setup-types.h"

G_BEGIN_DECLS

typedef enum
{
  MAIL_SETUP_CHECK_STAGE_RESOLVE,
  MAIL_SETUP_CHECK_STAGE_CONNECT,
  MAIL_SETUP_CHECK_STAGE_TLS,
  MAIL_SETUP_CHECK_STAGE_GREETING,
  MAIL_SETUP_CHECK_STAGE_SIGN_IN,
  MAIL_SETUP_CHECK_STAGE_MAILBOX,
  MAIL_SETUP_CHECK_STAGE_LOGOUT,
} MailSetupCheckStage;

#define MAIL_SETUP_N_CHECK_STAGES (MAIL_SETUP_CHECK_STAGE_LOGOUT + 1)

typedef enum
{
  MAIL_SETUP_STAGE_STATUS_PENDING,
  MAIL_SETUP_STAGE_STATUS_RUNNING,
  MAIL_SETUP_STAGE_STATUS_OK,
  MAIL_SETUP_STAGE_STATUS_FAILED,
  MAIL_SETUP_STAGE_STATUS_SKIPPED,
} MailSetupStageStatus;

#define MAIL_SETUP_CHECK_DEFAULT_TIMEOUT 15

const char *mail_setup_check_stage_to_string        (MailSetupCheckStage  stage);
const char *mail_setup_stage_status_to_string       (MailSetupStageStatus status);
const char *mail_setup_check_stage_get_label        (MailSetupCheckStage  stage);
char       *mail_setup_check_format_duration        (guint                duration_ms);

#define MAIL_SETUP_TYPE_CHECK (mail_setup_check_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupCheck, mail_setup_check, MAIL_SETUP, CHECK, GObject)

MailSetupCheck         *mail_setup_check_new                  (const char          *server,
                                                               guint16              port,
                                                               MailSetupSecurity    security,
                                                               const char          *username);
/* A check of an outgoing (SMTP submission) server: the same seven stages,
 * of which the sixth asks the server to take mail from the sender's
 * address (MAIL FROM, then RSET: no message is ever sent) and the last
 * says QUIT. */
MailSetupCheck         *mail_setup_check_new_smtp             (const char          *server,
                                                               guint16              port,
                                                               MailSetupSecurity    security,
                                                               const char          *username);
/* MAIL_SETUP_PROTOCOL_IMAP or MAIL_SETUP_PROTOCOL_SMTP. */
MailSetupProtocol       mail_setup_check_get_protocol         (MailSetupCheck      *self);
/* The address an SMTP check gives in MAIL FROM; the user name when it is
 * an address and no sender was set. */
void                    mail_setup_check_set_sender           (MailSetupCheck      *self,
                                                               const char          *address);
const char             *mail_setup_check_get_sender           (MailSetupCheck      *self);
/* The SMTP check that runs beside this IMAP check: in parallel, with the
 * same cancellable, and with this check's password or token unless it was
 * given its own. run_finish() returns once both have ended, and a sign-in
 * failure finishes both. The reports include it. */
void                    mail_setup_check_set_outgoing         (MailSetupCheck      *self,
                                                               MailSetupCheck      *outgoing);
MailSetupCheck         *mail_setup_check_get_outgoing         (MailSetupCheck      *self);
/* Of a finished check and its outgoing check: the one whose failure the
 * user should see first (this one, else the outgoing one), or NULL when
 * everything asked for works. */
MailSetupCheck         *mail_setup_check_get_failed_check     (MailSetupCheck      *self);
/* The first fix for a finished check's outcome: its diagnosis's, except
 * where the outgoing server needs its own (wrong settings speak of SMTP
 * ports; a refused Microsoft token is not a wrong password). */
const char             *mail_setup_check_get_remedy           (MailSetupCheck      *self);
/* The stage's name in reports ("mailbox" for IMAP, "sender" for SMTP) and
 * its words in the checklist, for this check's protocol. */
const char             *mail_setup_check_get_stage_name       (MailSetupCheck      *self,
                                                               MailSetupCheckStage  stage);
const char             *mail_setup_check_get_stage_label      (MailSetupCheck      *self,
                                                               MailSetupCheckStage  stage);
void                    mail_setup_check_set_password         (MailSetupCheck      *self,
                                                               const char          *password);
void                    mail_setup_check_set_access_token     (MailSetupCheck      *self,
                                                               const char          *access_token);
void                    mail_setup_check_set_provider         (MailSetupCheck      *self,
                                                               const char          *provider_id,
                                                               gboolean             microsoft);
void                    mail_setup_check_set_extra_ca_file    (MailSetupCheck      *self,
                                                               const char          *path);
void                    mail_setup_check_set_timeout          (MailSetupCheck      *self,
                                                               guint                seconds);
/* How the access token was had: "browser", "device" or "saved" (a refreshed
 * saved sign-in); the JSON report's "sign_in". */
void                    mail_setup_check_set_sign_in_method   (MailSetupCheck      *self,
                                                               const char          *method);
const char             *mail_setup_check_get_sign_in_method   (MailSetupCheck      *self);

/* Microsoft sign-in failed before any server could be asked: finishes the
 * check, which must not have run, with DIAGNOSIS (one of the SIGN_IN_*
 * diagnoses) and what Microsoft answered, every stage skipped, so that the
 * result page, the reports and --json tell it like any other outcome. */
void                    mail_setup_check_finish_with_sign_in_failure (MailSetupCheck     *self,
                                                                      MailSetupDiagnosis  diagnosis,
                                                                      const char         *server_response);

void                    mail_setup_check_run_async            (MailSetupCheck      *self,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
MailSetupDiagnosis      mail_setup_check_run_finish           (MailSetupCheck      *self,
                                                               GAsyncResult        *result);

const char             *mail_setup_check_get_server           (MailSetupCheck      *self);
guint16                 mail_setup_check_get_port             (MailSetupCheck      *self);
MailSetupSecurity       mail_setup_check_get_security         (MailSetupCheck      *self);
const char             *mail_setup_check_get_username         (MailSetupCheck      *self);
const char             *mail_setup_check_get_provider_id      (MailSetupCheck      *self);

gboolean                mail_setup_check_get_finished         (MailSetupCheck      *self);

/* Known as the check goes, updated before each ::stage-finished. */
const char             *mail_setup_check_get_server_response  (MailSetupCheck      *self);
MailSetupStageStatus    mail_setup_check_get_stage_status     (MailSetupCheck      *self,
                                                               MailSetupCheckStage  stage);
guint                   mail_setup_check_get_stage_duration   (MailSetupCheck      *self,
                                                               MailSetupCheckStage  stage);
const MailSetupTlsInfo *mail_setup_check_get_tls_info         (MailSetupCheck      *self);

/* The outcome, valid once the check has finished. */
MailSetupDiagnosis      mail_setup_check_get_diagnosis        (MailSetupCheck      *self);
const char * const     *mail_setup_check_get_capabilities     (MailSetupCheck      *self);
const char * const     *mail_setup_check_get_addresses        (MailSetupCheck      *self);
gboolean                mail_setup_check_get_is_microsoft     (MailSetupCheck      *self);
GDateTime              *mail_setup_check_get_sign_in_time     (MailSetupCheck      *self);
const char * const     *mail_setup_check_get_transcript       (MailSetupCheck      *self);
/* For NOT_IMAP: what answered instead ("smtp", "pop3", "ssh", "ftp",
 * "http"), or NULL when that is not known. */
const char             *mail_setup_check_get_detected_protocol (MailSetupCheck     *self);
/* What the check found that its diagnosis alone does not say, in a
 * sentence for the user: the kind of server that answered, the version of
 * TLS it offered, the weak algorithm, the missing authority, the dates. NULL
 * when there is nothing to add. */
char                   *mail_setup_check_describe_finding     (MailSetupCheck      *self);

char                   *mail_setup_check_to_json              (MailSetupCheck      *self);
char                   *mail_setup_check_to_text_report       (MailSetupCheck      *self);

G_END_DECLS
