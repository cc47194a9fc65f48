/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-stage-list.h"

/* The checklist of a connection check: one row a stage, going from waiting
 * to a spinner to a check mark or a cross, with the time it took. It follows
 * a running check live and shows a finished one as it ended, in the words
 * of the check's protocol. Rows are named "stage-NAME" for IMAP and
 * "smtp-stage-NAME" for SMTP, NAME as in the reports. */

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
  /* The stage that started last, to keep in view. */
  guint           started_stage;
  guint           reveal_tick_id;
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

/* Scrolls the page down, if need be, until ROW is in view. The lists of
 * two servers are taller than most windows, and what runs now is what the
 * user waits for. The page is never scrolled up, away from what the user
 * may be reading. FALSE when the page is not laid out yet. */
static gboolean
reveal_row (GtkWidget *row)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (row, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  GtkWidget *view;
  double x, bottom;

  if (scrolled == NULL || !gtk_widget_get_mapped (row))
    return TRUE;

  view = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  if (gtk_widget_get_height (view) == 0 ||
      !gtk_widget_translate_coordinates (row, view, 0, gtk_widget_get_height (row) + 12, &x, &bottom))
    return FALSE;

  if (bottom > gtk_widget_get_height (view))
    {
      adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) +
                                            bottom - gtk_widget_get_height (view));
    }

  return TRUE;
}

/* Once a frame at most, and only once the page is laid out: the first
 * stages start before the page that shows them has a size. */
static gboolean
reveal_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  MailSetupStageList *self = MAIL_SETUP_STAGE_LIST (widget);

  if (!reveal_row (GTK_WIDGET (self->rows[self->started_stage].row)))
    return G_SOURCE_CONTINUE;

  self->reveal_tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
stop_revealing (MailSetupStageList *self)
{
  if (self->reveal_tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->reveal_tick_id);
  self->reveal_tick_id = 0;
}

static void
stage_started_cb (MailSetupStageList *self,
                  guint               stage)
{
  show_stage (self, stage, MAIL_SETUP_STAGE_STATUS_RUNNING, 0);
  if (stage >= N_SHOWN_STAGES)
    return;

  self->started_stage = stage;
  if (self->reveal_tick_id == 0)
    self->reveal_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), reveal_tick_cb, NULL, NULL);
}

enum
{
  ANNOUNCE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
stage_finished_cb (MailSetupStageList *self,
                   guint               stage,
                   guint               status,
                   guint               duration_ms)
{
  g_autofree char *announcement = NULL;

  show_stage (self, stage, status, duration_ms);
  if (stage >= N_SHOWN_STAGES)
    return;

  /* TRANSLATORS: a stage of the test and how it ended, as a screen reader
   * says it when it happens: "Connecting: Passed". */
  announcement = g_strdup_printf (_("%s: %s"), adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->rows[stage].row)),
                                  status_to_words (status));
  g_signal_emit (self, signals[ANNOUNCE], 0, announcement);
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

/* Names and words for CHECK's protocol; IMAP's without a check. */
static void
label_rows (MailSetupStageList *self,
            MailSetupCheck     *check)
{
  gboolean smtp = check != NULL && mail_setup_check_get_protocol (check) == MAIL_SETUP_PROTOCOL_SMTP;

  for (guint i = 0; i < N_SHOWN_STAGES; i++)
    {
      StageRow *row = &self->rows[i];
      const char *stage_name = check ? mail_setup_check_get_stage_name (check, i)
                                     : mail_setup_check_stage_to_string (i);
      g_autofree char *name = g_strdup_printf ("%sstage-%s", smtp ? "smtp-" : "", stage_name);
      g_autofree char *duration_name = g_strconcat (name, "-duration", NULL);

      gtk_widget_set_name (GTK_WIDGET (row->row), name);
      gtk_widget_set_name (GTK_WIDGET (row->duration), duration_name);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row),
                                     check ? mail_setup_check_get_stage_label (check, i)
                                           : mail_setup_check_stage_get_label (i));
    }
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

      row->row = ADW_ACTION_ROW (adw_action_row_new ());

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
      gtk_widget_add_css_class (GTK_WIDGET (row->duration), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (row->duration), "numeric");
      adw_action_row_add_suffix (row->row, GTK_WIDGET (row->duration));

      gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (row->row));
    }

  label_rows (self, NULL);
}

static void
mail_setup_stage_list_dispose (GObject *object)
{
  MailSetupStageList *self = MAIL_SETUP_STAGE_LIST (object);

  stop_revealing (self);
  g_clear_object (&self->check_signals);
  g_clear_object (&self->check);

  G_OBJECT_CLASS (mail_setup_stage_list_parent_class)->dispose (object);
}

static void
mail_setup_stage_list_class_init (MailSetupStageListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mail_setup_stage_list_dispose;

  /**
   * MailSetupStageList::announce:
   * @text: the stage and how it ended, in words
   *
   * A stage of the running check ended. GTK 4.8 has no live regions:
   * whoever shows the list passes TEXT on to assistive technologies.
   */
  signals[ANNOUNCE] = g_signal_new ("announce", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
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

  stop_revealing (self);
  g_set_object (&self->check, check);
  g_signal_group_set_target (self->check_signals, check);
  label_rows (self, check);

  for (guint i = 0; i < N_SHOWN_STAGES; i++)
    {
      if (check != NULL)
        show_stage (self, i, mail_setup_check_get_stage_status (check, i),
                    mail_setup_check_get_stage_duration (check, i));
      else
        show_stage (self, i, MAIL_SETUP_STAGE_STATUS_PENDING, 0);
    }
}
