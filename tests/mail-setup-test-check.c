/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "mail-setup-test-check.h"

typedef struct
{
  GAsyncResult *result;
  GPtrArray    *events;
} Waiter;

static void
stage_started_cb (MailSetupCheck *check,
                  guint           stage,
                  Waiter         *waiter)
{
  g_ptr_array_add (waiter->events,
                   g_strdup_printf ("start %s", mail_setup_check_stage_to_string (stage)));
}

static void
stage_finished_cb (MailSetupCheck *check,
                   guint           stage,
                   guint           status,
                   guint           duration_ms,
                   Waiter         *waiter)
{
  g_ptr_array_add (waiter->events,
                   g_strdup_printf ("%s %s", mail_setup_stage_status_to_string (status),
                                    mail_setup_check_stage_to_string (stage)));
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

MailSetupDiagnosis
mail_setup_test_check_run (MailSetupCheck  *check,
                           guint            cancel_after_ms,
                           GPtrArray      **out_events)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Waiter waiter = { NULL, g_ptr_array_new_with_free_func (g_free) };
  MailSetupDiagnosis diagnosis;
  guint cancel_source = 0;

  g_signal_connect (check, "stage-started", G_CALLBACK (stage_started_cb), &waiter);
  g_signal_connect (check, "stage-finished", G_CALLBACK (stage_finished_cb), &waiter);

  if (cancel_after_ms > 0)
    cancel_source = g_timeout_add (cancel_after_ms, cancel_cb, cancellable);
  mail_setup_check_run_async (check, cancellable, check_done_cb, &waiter);
  while (waiter.result == NULL)
    g_main_context_iteration (NULL, TRUE);

  diagnosis = mail_setup_check_run_finish (check, waiter.result);
  g_object_unref (waiter.result);
  g_signal_handlers_disconnect_by_data (check, &waiter);
  if (cancel_source != 0 && !g_cancellable_is_cancelled (cancellable))
    g_source_remove (cancel_source);

  if (out_events != NULL)
    *out_events = waiter.events;
  else
    g_ptr_array_unref (waiter.events);

  return diagnosis;
}

void
mail_setup_test_check_assert_diagnosis (MailSetupDiagnosis actual,
                                        MailSetupDiagnosis expected)
{
  g_assert_cmpstr (mail_setup_diagnosis_to_string (actual), ==,
                   mail_setup_diagnosis_to_string (expected));
}
