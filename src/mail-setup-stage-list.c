/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-stage-list.h"

/* The checklist of a connection check: one row a stage, going from waiting
 * to a spinner to a check mark or a cross, with the time it took. It follows
 * a running check live and shows a finished one as it ended. */

/* Signing out is not the user's business unless it is all that failed. */
#define N_SHOWN_STAGES MAIL_SETUP_CHECK_STAGE_LOGOUT

typedef struct
{
  AdwActionRow *row;
  GtkStack     *state;
  GtkLabel     *duration;
} StageRow;

struct _MailSetupStageList
{
  AdwBin          parent_instance;

  MailSetupCheck *check;
  GSignalGroup   *check_signals;
  StageRow        rows[N_SHOWN_STAGES];
};

G_DEFINE_FINAL_TYPE (MailSetupStageList, mail_setup_stage_list, ADW_TYPE_BIN)

static const char *
status_to_page (MailSetupStageStatus status)
{
  switch (status)
    {
    case MAIL_SETUP_STAGE_STATUS_RUNNING:
      return "running";
    case MAIL_SETUP_STAGE_STATUS_OK:
      return "ok";
    case MAIL_SETUP_STAGE_STATUS_FAILED:
      return "failed";
    case MAIL_SETUP_STAGE_STATUS_SKIPPED:
      return "skipped";
    case MAIL_SETUP_STAGE_STATUS_PENDING:
    default:
      return "pending";
    }
}

static const char *
status_to_words (MailSetupStageStatus status)
{
  switch (status)
    {
    case MAIL_SETUP_STAGE_STATUS_RUNNING:
      return _("In progress");
    case MAIL_SETUP_STAGE_STATUS_OK:
      return _("Passed");
    case MAIL_SETUP_STAGE_STATUS_FAILED:
      return _("Failed");
    case MAIL_SETUP_STAGE_STATUS_SKIPPED:
      return _("Not tested");
    case MAIL_SETUP_STAGE_STATUS_PENDING:
    default:
      return _("Waiting");
    }
}

static void
show_stage (MailSetupStageList   *self,
            MailSetupCheckStage   stage,
            MailSetupStageStatus  status,
            guint                 duration_ms)
{
  StageRow *row;
  g_autofree char *duration = NULL;

  if (stage >= N_SHOWN_STAGES)
    return;

  row = &self->rows[stage];
  gtk_stack_set_visible_child_name (row->state, status_to_page (status));

  if (status == MAIL_SETUP_STAGE_STATUS_OK || status == MAIL_SETUP_STAGE_STATUS_FAILED)
    duration = mail_setup_check_format_duration (duration_ms);
  gtk_label_set_label (row->duration, duration ? duration : "");

  gtk_accessible_update_property (GTK_ACCESSIBLE (row->row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, status_to_words (status),
                                  -1);
}

static void
stage_started_cb (MailSetupStageList *self,
                  guint               stage)
{
  show_stage (self, stage, MAIL_SETUP_STAGE_STATUS_RUNNING, 0);
}

static void
stage_finished_cb (MailSetupStageList *self,
                   guint               stage,
                   guint               status,
                   guint               duration_ms)
{
  show_stage (self, stage, status, duration_ms);
}

static GtkWidget *
status_icon (const char *icon_name,
             const char *style)
{
  GtkWidget *image = gtk_image_new_from_icon_name (icon_name);

  if (style != NULL)
    gtk_widget_add_css_class (image, style);
  gtk_accessible_update_property (GTK_ACCESSIBLE (image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  return image;
}

static void
build_rows (MailSetupStageList *self)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_bin_set_child (ADW_BIN (self), list);

  for (guint i = 0; i < N_SHOWN_STAGES; i++)
    {
      StageRow *row = &self->rows[i];
      GtkWidget *spinner = gtk_spinner_new ();
      g_autofree char *name = g_strdup_printf ("stage-%s", mail_setup_check_stage_to_string (i));
      g_autofree char *duration_name = g_strconcat (name, "-duration", NULL);

      row->row = ADW_ACTION_ROW (adw_action_row_new ());
      gtk_widget_set_name (GTK_WIDGET (row->row), name);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row),
                                     mail_setup_check_stage_get_label (i));

      row->state = GTK_STACK (gtk_stack_new ());
      gtk_stack_set_transition_type (row->state, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
      gtk_stack_add_named (row->state, status_icon ("content-loading-symbolic", "dim-label"), "pending");
      gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
      gtk_stack_add_named (row->state, spinner, "running");
      gtk_stack_add_named (row->state, status_icon ("object-select-symbolic", "success"), "ok");
      gtk_stack_add_named (row->state, status_icon ("dialog-error-symbolic", "error"), "failed");
      gtk_stack_add_named (row->state, status_icon ("action-unavailable-symbolic", "dim-label"), "skipped");
      adw_action_row_add_prefix (row->row, GTK_WIDGET (row->state));

      row->duration = GTK_LABEL (gtk_label_new (NULL));
      gtk_widget_set_name (GTK_WIDGET (row->duration), duration_name);
      gtk_widget_add_css_class (GTK_WIDGET (row->duration), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (row->duration), "numeric");
      adw_action_row_add_suffix (row->row, GTK_WIDGET (row->duration));

      gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (row->row));
    }
}

static void
mail_setup_stage_list_dispose (GObject *object)
{
  MailSetupStageList *self = MAIL_SETUP_STAGE_LIST (object);

  g_clear_object (&self->check_signals);
  g_clear_object (&self->check);

  G_OBJECT_CLASS (mail_setup_stage_list_parent_class)->dispose (object);
}

static void
mail_setup_stage_list_class_init (MailSetupStageListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mail_setup_stage_list_dispose;
}

static void
mail_setup_stage_list_init (MailSetupStageList *self)
{
  build_rows (self);

  self->check_signals = g_signal_group_new (MAIL_SETUP_TYPE_CHECK);
  g_signal_group_connect_swapped (self->check_signals, "stage-started",
                                  G_CALLBACK (stage_started_cb), self);
  g_signal_group_connect_swapped (self->check_signals, "stage-finished",
                                  G_CALLBACK (stage_finished_cb), self);
}

void
mail_setup_stage_list_set_check (MailSetupStageList *self,
                                 MailSetupCheck     *check)
{
  g_return_if_fail (MAIL_SETUP_IS_STAGE_LIST (self));
  g_return_if_fail (check == NULL || MAIL_SETUP_IS_CHECK (check));

  g_set_object (&self->check, check);
  g_signal_group_set_target (self->check_signals, check);

  for (guint i = 0; i < N_SHOWN_STAGES; i++)
    {
      if (check != NULL)
        show_stage (self, i, mail_setup_check_get_stage_status (check, i),
                    mail_setup_check_get_stage_duration (check, i));
      else
        show_stage (self, i, MAIL_SETUP_STAGE_STATUS_PENDING, 0);
    }
}
