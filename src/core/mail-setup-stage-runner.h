/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "mail-setup-check.h"

G_BEGIN_DECLS

/*
 * What runs a check stage by stage, whatever the protocol: a worker thread
 * with a main context of its own, a deadline for each stage, the caller's
 * cancellable, and stage events handed back to the caller's main context in
 * order, ahead of the result. The protocol's check says what each stage
 * does; the runner keeps what it found in a MailSetupCheckOutcome.
 */

/* What one run found, handed from the worker thread to the caller. */
typedef struct
{
  MailSetupDiagnosis  diagnosis;
  char               *server_response;
  /* For NOT_IMAP (NOT_SMTP): what answered instead, and whether it was a
   * TLS server reached without TLS. */
  MailSetupProtocol   detected_protocol;
  gboolean            expects_tls;
  MailSetupTlsInfo   *tls_info;
  GStrv               capabilities;
  GStrv               addresses;
  gboolean            microsoft;
  GDateTime          *sign_in_time;
  GPtrArray          *transcript;
} MailSetupCheckOutcome;

MailSetupCheckOutcome *mail_setup_check_outcome_new  (void);
void                   mail_setup_check_outcome_free (MailSetupCheckOutcome *outcome);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailSetupCheckOutcome, mail_setup_check_outcome_free)

/* A stage that started or ended, with what the check knew at that moment. */
typedef struct
{
  MailSetupCheckStage     stage;
  MailSetupStageStatus    status;
  guint                   duration_ms;
  /* Set once, at the end of the TLS stage; owned by the event. */
  MailSetupTlsInfo       *tls_info;
  char                   *server_response;
} MailSetupStageEvent;

/* Called on the caller's main context with OWNER, the object that started
 * the run. It may steal the event's tls_info and server_response. */
typedef void (*MailSetupStageEventFunc) (GObject             *owner,
                                         MailSetupStageEvent *event);

typedef struct _MailSetupStageRunner MailSetupStageRunner;

/* What a check does in the worker thread, stage after stage. */
typedef void (*MailSetupStageRunFunc) (MailSetupStageRunner *runner,
                                       gpointer              data);

/* The fields are read and written by the protocol's stages, in the worker
 * thread only. */
struct _MailSetupStageRunner
{
  GObject                 *owner;
  MailSetupStageEventFunc  deliver;
  GMainContext            *caller_context;
  GMainContext            *context;
  GCancellable            *cancellable;
  gint64                   timeout_us;

  MailSetupCheckStage      stage;
  gint64                   stage_start;
  gint64                   deadline;
  gboolean                 stage_timed_out;

  /* What the check speaks, IMAP (the default) or SMTP: what a server of
   * another kind is told apart from, and which NOT_ diagnosis it gets. */
  MailSetupProtocol        protocol;
  /* The error domain of the protocol's malformed answers, and whether the
   * server said it was going away (IMAP's BYE): they tell a protocol error
   * and an unavailable server from a closed connection. */
  GQuark                   protocol_error_domain;
  gboolean                 saw_bye;

  MailSetupCheckOutcome   *outcome;

  MailSetupStageRunFunc    body;
  gpointer                 data;
  GDestroyNotify           data_free;
};

typedef void (*MailSetupStageStartFunc) (gpointer             data,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);

MailSetupStageRunner *mail_setup_stage_runner_new          (GObject                 *owner,
                                                            MailSetupStageEventFunc  deliver,
                                                            GCancellable            *cancellable,
                                                            gint64                   timeout_us);
void                  mail_setup_stage_runner_free         (MailSetupStageRunner    *runner);
void                  mail_setup_stage_runner_run_in_thread (MailSetupStageRunner   *runner,
                                                             GTask                  *task,
                                                             MailSetupStageRunFunc   body,
                                                             gpointer                data,
                                                             GDestroyNotify          data_free);

void                  mail_setup_stage_runner_begin        (MailSetupStageRunner    *runner,
                                                            MailSetupCheckStage      stage,
                                                            gint64                   timeout_us);
void                  mail_setup_stage_runner_end          (MailSetupStageRunner    *runner,
                                                            MailSetupStageStatus     status);
void                  mail_setup_stage_runner_fail         (MailSetupStageRunner    *runner,
                                                            MailSetupDiagnosis       diagnosis);
void                  mail_setup_stage_runner_fail_with_error (MailSetupStageRunner *runner,
                                                               const GError         *error);
gboolean              mail_setup_stage_runner_has_failed   (MailSetupStageRunner    *runner);
MailSetupDiagnosis    mail_setup_stage_runner_diagnose_error (MailSetupStageRunner  *runner,
                                                              const GError          *error);
void                  mail_setup_stage_runner_skip_after   (MailSetupStageRunner      *runner,
                                                            const MailSetupCheckStage *order,
                                                            MailSetupCheckStage        failed);

GAsyncResult         *mail_setup_stage_runner_wait         (MailSetupStageRunner    *runner,
                                                            MailSetupStageStartFunc  start,
                                                            gpointer                 data);

void                  mail_setup_stage_runner_note         (MailSetupStageRunner    *runner,
                                                            const char              *direction,
                                                            const char              *text);

G_END_DECLS
