/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-account-page.h"

/* The second page: the password, the name shown to recipients and the
 * server settings, checked as they are typed. */

struct _MailSetupAccountPage
{
  MailSetupPage        parent_instance;

  GSignalGroup        *account_signals;
  gboolean             syncing;

  AdwPreferencesGroup *intro_group;
  AdwPasswordEntryRow *password_row;
  AdwActionRow        *microsoft_sign_in_row;
  AdwEntryRow         *display_name_row;
  AdwExpanderRow      *server_expander;
  AdwEntryRow         *server_row;
  AdwEntryRow         *port_row;
  AdwComboRow         *security_row;
  AdwEntryRow         *username_row;
  GtkLabel            *server_error;
};

G_DEFINE_FINAL_TYPE (MailSetupAccountPage, mail_setup_account_page, MAIL_SETUP_TYPE_PAGE)

static void
mark_row (AdwEntryRow *row,
          const char  *reason)
{
  if (reason != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

/* The reason for the first wrong server setting, at the foot of the group. */
static void
update_errors (MailSetupAccountPage *self)
{
  const char *server = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  const char *port = gtk_editable_get_text (GTK_EDITABLE (self->port_row));
  const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
  const char *server_reason = mail_setup_validate_server (server);
  const char *port_reason = mail_setup_validate_port (port, NULL);
  const char *username_reason = mail_setup_validate_username (username);
  const char *reason = server_reason ? server_reason : port_reason ? port_reason : username_reason;

  mark_row (self->server_row, server_reason);
  mark_row (self->port_row, port_reason);
  mark_row (self->username_row, username_reason);

  gtk_label_set_label (self->server_error, reason ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (self->server_error), reason != NULL);

  /* A wrong setting is never hidden in a collapsed row. */
  if (reason != NULL)
    adw_expander_row_set_expanded (self->server_expander, TRUE);
}

static void
update_summary (MailSetupAccountPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  g_autofree char *summary = NULL;
  MailSetupProvider *provider;

  if (account == NULL)
    return;

  provider = mail_setup_account_get_provider (account);
  if (*mail_setup_account_get_server (account) == '\0')
    summary = g_strdup (_("Enter the server of your mail provider"));
  else
    /* Translators: the server settings in short: "outlook.office365.com, port 993, SSL/TLS" */
    summary = g_strdup_printf (_("%s, port %u, %s"), mail_setup_account_get_server (account),
                               mail_setup_account_get_port (account),
                               mail_setup_account_get_security (account) == MAIL_SETUP_SECURITY_STARTTLS
                               ? "STARTTLS" : "SSL/TLS");
  adw_expander_row_set_subtitle (self->server_expander, summary);

  if (provider != NULL)
    adw_preferences_group_set_description (self->intro_group,
                                           mail_setup_provider_get_name (provider));
}

static void
sync_from_account (MailSetupAccountPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  g_autofree char *port = NULL;

  if (account == NULL || self->syncing)
    return;

  self->syncing = TRUE;

  adw_preferences_group_set_title (self->intro_group, mail_setup_account_get_email (account));

#define SYNC_TEXT(row, value) \
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), (value)) != 0) \
    gtk_editable_set_text (GTK_EDITABLE (row), (value))

  SYNC_TEXT (self->password_row, mail_setup_account_get_password (account));
  SYNC_TEXT (self->display_name_row, mail_setup_account_get_display_name (account));
  SYNC_TEXT (self->server_row, mail_setup_account_get_server (account));
  SYNC_TEXT (self->username_row, mail_setup_account_get_username (account));

  /* Port 0 stands for what the user is typing and is not a port yet. */
  if (mail_setup_account_get_port (account) > 0)
    {
      port = g_strdup_printf ("%u", mail_setup_account_get_port (account));
      SYNC_TEXT (self->port_row, port);
    }

#undef SYNC_TEXT

  adw_combo_row_set_selected (self->security_row, mail_setup_account_get_security (account));

  update_summary (self);
  self->syncing = FALSE;
  update_errors (self);
}

static void
provider_changed_cb (MailSetupAccountPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  MailSetupProvider *provider;

  if (account == NULL)
    return;

  /* Known-good settings are folded away; a server of one's own is open. */
  provider = mail_setup_account_get_provider (account);
  adw_expander_row_set_expanded (self->server_expander,
                                 provider == NULL || !mail_setup_provider_get_has_imap_server (provider));
  gtk_widget_set_visible (GTK_WIDGET (self->microsoft_sign_in_row),
                          provider != NULL && mail_setup_provider_get_is_microsoft (provider));
  sync_from_account (self);
}

static void
field_changed_cb (MailSetupAccountPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  guint port = 0;

  if (account == NULL || self->syncing)
    return;

  self->syncing = TRUE;
  /* Typing a password means signing in with it, not with Microsoft. */
  if (g_strcmp0 (mail_setup_account_get_password (account),
                 gtk_editable_get_text (GTK_EDITABLE (self->password_row))) != 0)
    mail_setup_account_use_password (account);
  mail_setup_account_set_password (account,
                                   gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  mail_setup_account_set_display_name (account,
                                       gtk_editable_get_text (GTK_EDITABLE (self->display_name_row)));
  if (g_strcmp0 (mail_setup_account_get_server (account),
                 gtk_editable_get_text (GTK_EDITABLE (self->server_row))) != 0)
    g_object_set (account, "server", gtk_editable_get_text (GTK_EDITABLE (self->server_row)), NULL);
  mail_setup_account_set_username (account,
                                   gtk_editable_get_text (GTK_EDITABLE (self->username_row)));
  if (mail_setup_validate_port (gtk_editable_get_text (GTK_EDITABLE (self->port_row)), &port) != NULL)
    port = 0;
  mail_setup_account_set_port (account, port);
  mail_setup_account_set_security (account, adw_combo_row_get_selected (self->security_row));
  self->syncing = FALSE;

  update_summary (self);
  update_errors (self);
}

static void
update_complete (MailSetupAccountPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));

  mail_setup_page_set_complete (MAIL_SETUP_PAGE (self),
                                account != NULL && mail_setup_account_get_settings_complete (account));
}

static void
entry_activated_cb (MailSetupAccountPage *self)
{
  mail_setup_page_activate (MAIL_SETUP_PAGE (self));
}

static void
mail_setup_account_page_shown (MailSetupPage *page)
{
  MailSetupAccountPage *self = MAIL_SETUP_ACCOUNT_PAGE (page);

  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
mail_setup_account_page_dispose (GObject *object)
{
  MailSetupAccountPage *self = MAIL_SETUP_ACCOUNT_PAGE (object);

  g_clear_object (&self->account_signals);

  G_OBJECT_CLASS (mail_setup_account_page_parent_class)->dispose (object);
}

static void
mail_setup_account_page_constructed (GObject *object)
{
  MailSetupAccountPage *self = MAIL_SETUP_ACCOUNT_PAGE (object);
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));

  G_OBJECT_CLASS (mail_setup_account_page_parent_class)->constructed (object);

  g_signal_group_set_target (self->account_signals, account);
  provider_changed_cb (self);
  update_complete (self);
}

static void
mail_setup_account_page_class_init (MailSetupAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mail_setup_account_page_dispose;
  object_class->constructed = mail_setup_account_page_constructed;
  MAIL_SETUP_PAGE_CLASS (klass)->shown = mail_setup_account_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/pages/mail-setup-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, intro_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, microsoft_sign_in_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, server_expander);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, port_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, security_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, username_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, server_error);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
}

static void
mail_setup_account_page_init (MailSetupAccountPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->account_signals = g_signal_group_new (MAIL_SETUP_TYPE_ACCOUNT);
  g_signal_group_connect_swapped (self->account_signals, "notify::provider",
                                  G_CALLBACK (provider_changed_cb), self);
  g_signal_group_connect_swapped (self->account_signals, "notify",
                                  G_CALLBACK (sync_from_account), self);
  g_signal_group_connect_swapped (self->account_signals, "notify",
                                  G_CALLBACK (update_complete), self);
}
