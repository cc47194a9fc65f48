/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "mail-setup-stage-runner.h"

/*
 * The check runs in a worker thread as plain sequential code: every wait in
 * it has the stage's deadline and the caller's cancellable, so it never
 * outlives either. Waits for GIO's asynchronous calls (name lookup,
 * connection) run a main context private to the thread, because those are
 * the calls that can be cancelled. Stage events travel back to the caller's
 * main context in order, ahead of the result.
 */

#define MAX_TRANSCRIPT_LINES 200

MailSetupCheckOutcome *
mail_setup_check_outcome_new (void)
{
  MailSetupCheckOutcome *outcome = g_new0 (MailSetupCheckOutcome, 1);

  outcome->diagnosis = MAIL_SETUP_DIAGNOSIS_OK;
  outcome->transcript = g_ptr_array_new_with_free_func (g_free);

  return outcome;
}

void
mail_setup_check_outcome_free (MailSetupCheckOutcome *outcome)
{
  g_free (outcome->server_response);
  g_clear_pointer (&outcome->tls_info, mail_setup_tls_info_free);
  g_strfreev (outcome->capabilities);
  g_strfreev (outcome->addresses);
  g_clear_pointer (&outcome->sign_in_time, g_date_time_unref);
  g_clear_pointer (&outcome->transcript, g_ptr_array_unref);
  g_free (outcome);
}

/* A copy of what the check knows, so that the main thread never reads what
 * the worker writes. */
typedef struct
{
  GObject                 *owner;
  MailSetupStageEventFunc  deliver;
  MailSetupStageEvent      event;
} PostedEvent;

static void
posted_event_free (gpointer data)
{
  PostedEvent *posted = data;

  g_object_unref (posted->owner);
  g_clear_pointer (&posted->event.tls_info, mail_setup_tls_info_free);
  g_free (posted->event.server_response);
  g_free (posted);
}

static gboolean
deliver_event_cb (gpointer data)
{
  PostedEvent *posted = data;

  posted->deliver (posted->owner, &posted->event);
  return G_SOURCE_REMOVE;
}

static void
post_event (MailSetupStageRunner *runner,
            MailSetupCheckStage   stage,
            MailSetupStageStatus  status,
            guint                 duration_ms)
{
  PostedEvent *posted = g_new0 (PostedEvent, 1);
  MailSetupCheckOutcome *outcome = runner->outcome;

  posted->owner = g_object_ref (runner->owner);
  posted->deliver = runner->deliver;
  posted->event.stage = stage;
  posted->event.status = status;
  posted->event.duration_ms = duration_ms;
  if (status != MAIL_SETUP_STAGE_STATUS_RUNNING)
    {
      /* The handshake, and so the TLS details, happen in the TLS stage
       * only: its end carries them once. */
      if (stage == MAIL_SETUP_CHECK_STAGE_TLS && outcome->tls_info != NULL)
        posted->event.tls_info = mail_setup_tls_info_copy (outcome->tls_info);
      posted->event.server_response = g_strdup (outcome->server_response);
    }
  g_main_context_invoke_full (runner->caller_context, G_PRIORITY_DEFAULT,
                              deliver_event_cb, posted, posted_event_free);
}

/* A timeout at the stage's deadline cancels the wait, as the caller's
 * cancellable does. */
static gboolean
stage_timeout_cb (gpointer user_data)
{
  MailSetupStageRunner *runner = user_data;

  runner->stage_timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
cancel_stage_cb (GCancellable *cancellable,
                 gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  MailSetupStageRunner *runner = task_data;

  g_main_context_push_thread_default (runner->context);
  runner->body (runner, runner->data);
  g_main_context_pop_thread_default (runner->context);

  g_task_return_pointer (task, g_steal_pointer (&runner->outcome),
                         (GDestroyNotify) mail_setup_check_outcome_free);
}

MailSetupStageRunner *
mail_setup_stage_runner_new (GObject                 *owner,
                             MailSetupStageEventFunc  deliver,
                             GCancellable            *cancellable,
                             gint64                   timeout_us)
{
  MailSetupStageRunner *runner = g_new0 (MailSetupStageRunner, 1);

  runner->owner = g_object_ref (owner);
  runner->deliver = deliver;
  runner->caller_context = g_main_context_ref_thread_default ();
  runner->context = g_main_context_new ();
  runner->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  runner->timeout_us = timeout_us;
  runner->protocol = MAIL_SETUP_PROTOCOL_IMAP;
  runner->outcome = mail_setup_check_outcome_new ();

  return runner;
}

void
mail_setup_stage_runner_free (MailSetupStageRunner *runner)
{
  if (runner->data_free != NULL)
    g_clear_pointer (&runner->data, runner->data_free);
  g_clear_object (&runner->owner);
  g_clear_pointer (&runner->caller_context, g_main_context_unref);
  g_clear_pointer (&runner->context, g_main_context_unref);
  g_clear_object (&runner->cancellable);
  g_clear_pointer (&runner->outcome, mail_setup_check_outcome_free);
  g_free (runner);
}

/* Runs BODY with DATA in a worker thread of TASK, which takes RUNNER; the
 * task's result is the outcome. DATA, the protocol's state, lives as long
 * as the runner. */
void
mail_setup_stage_runner_run_in_thread (MailSetupStageRunner  *runner,
                                       GTask                 *task,
                                       MailSetupStageRunFunc  body,
                                       gpointer               data,
                                       GDestroyNotify         data_free)
{
  runner->body = body;
  runner->data = data;
  runner->data_free = data_free;
  g_task_set_task_data (task, runner, (GDestroyNotify) mail_setup_stage_runner_free);
  /* The check ends on cancellation by itself, at the next wait. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, run_thread);
}

void
mail_setup_stage_runner_begin (MailSetupStageRunner *runner,
                               MailSetupCheckStage   stage,
                               gint64                timeout_us)
{
  runner->stage = stage;
  runner->stage_start = g_get_monotonic_time ();
  runner->deadline = runner->stage_start + timeout_us;
  runner->stage_timed_out = FALSE;
  post_event (runner, stage, MAIL_SETUP_STAGE_STATUS_RUNNING, 0);
}

void
mail_setup_stage_runner_end (MailSetupStageRunner *runner,
                             MailSetupStageStatus  status)
{
  guint duration_ms = (g_get_monotonic_time () - runner->stage_start) / 1000;

  post_event (runner, runner->stage, status, duration_ms);
}

/* Ends the current stage as failed with DIAGNOSIS; the later stages are
 * skipped by the caller. */
void
mail_setup_stage_runner_fail (MailSetupStageRunner *runner,
                              MailSetupDiagnosis    diagnosis)
{
  runner->outcome->diagnosis = diagnosis;
  mail_setup_stage_runner_end (runner, MAIL_SETUP_STAGE_STATUS_FAILED);
}

void
mail_setup_stage_runner_fail_with_error (MailSetupStageRunner *runner,
                                         const GError         *error)
{
  g_debug ("Stage %s failed: %s", mail_setup_check_stage_to_string (runner->stage),
           error->message);
  mail_setup_stage_runner_note (runner, "!", error->message);
  mail_setup_stage_runner_fail (runner, mail_setup_stage_runner_diagnose_error (runner, error));
}

/* Whether a stage has failed with a diagnosis of its own. */
gboolean
mail_setup_stage_runner_has_failed (MailSetupStageRunner *runner)
{
  return runner->outcome->diagnosis != MAIL_SETUP_DIAGNOSIS_OK;
}

static MailSetupDiagnosis
diagnosis_for_tls_error (MailSetupTlsError code)
{
  switch (code)
    {
    case MAIL_SETUP_TLS_ERROR_UNTRUSTED:
      return MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED;
    case MAIL_SETUP_TLS_ERROR_HOSTNAME_MISMATCH:
      return MAIL_SETUP_DIAGNOSIS_TLS_HOSTNAME_MISMATCH;
    case MAIL_SETUP_TLS_ERROR_EXPIRED:
      return MAIL_SETUP_DIAGNOSIS_TLS_EXPIRED;
    case MAIL_SETUP_TLS_ERROR_CA_FILE:
      return MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED;
    case MAIL_SETUP_TLS_ERROR_OUTDATED:
      return MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED;
    case MAIL_SETUP_TLS_ERROR_INSECURE:
      return MAIL_SETUP_DIAGNOSIS_TLS_INSECURE;
    case MAIL_SETUP_TLS_ERROR_NOT_YET_VALID:
      return MAIL_SETUP_DIAGNOSIS_TLS_NOT_YET_VALID;
    case MAIL_SETUP_TLS_ERROR_REVOKED:
      return MAIL_SETUP_DIAGNOSIS_TLS_REVOKED;
    case MAIL_SETUP_TLS_ERROR_HANDSHAKE_FAILED:
    default:
      return MAIL_SETUP_DIAGNOSIS_TLS_FAILED;
    }
}

/* The diagnosis of the stage that failed with ERROR. */
MailSetupDiagnosis
mail_setup_stage_runner_diagnose_error (MailSetupStageRunner *runner,
                                        const GError         *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !runner->stage_timed_out)
    return MAIL_SETUP_DIAGNOSIS_CANCELLED;

  switch (runner->stage)
    {
    case MAIL_SETUP_CHECK_STAGE_RESOLVE:
      return MAIL_SETUP_DIAGNOSIS_DNS_FAILED;

    case MAIL_SETUP_CHECK_STAGE_CONNECT:
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        return MAIL_SETUP_DIAGNOSIS_CONNECT_REFUSED;
      return MAIL_SETUP_DIAGNOSIS_CONNECT_TIMEOUT;

    default:
      break;
    }

  if (error->domain == MAIL_SETUP_TLS_ERROR)
    return diagnosis_for_tls_error ((MailSetupTlsError) error->code);

  if (runner->protocol_error_domain != 0 && error->domain == runner->protocol_error_domain)
    return MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return MAIL_SETUP_DIAGNOSIS_SERVER_TIMEOUT;

  if (runner->saw_bye)
    return MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE;

  return MAIL_SETUP_DIAGNOSIS_SERVER_CLOSED;
}

/* Reports every stage after FAILED in ORDER, the protocol's order of all
 * MAIL_SETUP_N_CHECK_STAGES stages, as skipped. */
void
mail_setup_stage_runner_skip_after (MailSetupStageRunner      *runner,
                                    const MailSetupCheckStage *order,
                                    MailSetupCheckStage        failed)
{
  gboolean after = FALSE;

  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    {
      if (after)
        post_event (runner, order[i], MAIL_SETUP_STAGE_STATUS_SKIPPED, 0);
      if (order[i] == failed)
        after = TRUE;
    }
}

/* Starts an asynchronous call with START and runs the private main context
 * until its result is there, within the stage's deadline and the caller's
 * cancellable. */
GAsyncResult *
mail_setup_stage_runner_wait (MailSetupStageRunner    *runner,
                              MailSetupStageStartFunc  start,
                              gpointer                 data)
{
  g_autoptr(GCancellable) stage_cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = NULL;
  GAsyncResult *result = NULL;
  gint64 remaining_ms;
  gulong handler;

  handler = g_cancellable_connect (runner->cancellable, G_CALLBACK (cancel_stage_cb),
                                   g_object_ref (stage_cancellable), g_object_unref);

  remaining_ms = MAX (0, (runner->deadline - g_get_monotonic_time ()) / 1000);
  timeout = g_timeout_source_new ((guint) MIN (remaining_ms, G_MAXUINT));
  g_source_set_callback (timeout, stage_timeout_cb, runner, NULL);
  g_source_attach (timeout, runner->context);

  start (data, stage_cancellable, store_result_cb, &result);
  while (result == NULL)
    {
      g_main_context_iteration (runner->context, TRUE);
      if (runner->stage_timed_out)
        g_cancellable_cancel (stage_cancellable);
    }

  g_source_destroy (timeout);
  g_cancellable_disconnect (runner->cancellable, handler);

  return result;
}

/* One line of the transcript: DIRECTION is "C:" for what was sent, "S:"
 * for what the server said, "!" for a note of the check's. */
void
mail_setup_stage_runner_note (MailSetupStageRunner *runner,
                              const char           *direction,
                              const char           *text)
{
  GPtrArray *transcript = runner->outcome->transcript;

  if (transcript->len == MAX_TRANSCRIPT_LINES)
    g_ptr_array_add (transcript, g_strdup ("…"));
  if (transcript->len > MAX_TRANSCRIPT_LINES)
    return;

  g_ptr_array_add (transcript, g_strconcat (direction, " ", text, NULL));
}
