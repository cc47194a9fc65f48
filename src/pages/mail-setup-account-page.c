/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-account-page.h"

/* The second page: the password, the name shown to recipients and the
 * settings of the incoming and the outgoing server, checked as they are
 * typed. */

struct _MailSetupAccountPage
{
  MailSetupPage        parent_instance;

  GSignalGroup        *account_signals;
  gboolean             syncing;

  /* The address as the page's heading, wrapped rather than cut short,
   * and the provider under it. */
  GtkLabel            *email_label;
  GtkLabel            *provider_label;
  AdwPasswordEntryRow *password_row;
  AdwActionRow        *microsoft_sign_in_row;
  AdwEntryRow         *display_name_row;
  AdwExpanderRow      *server_expander;
  AdwEntryRow         *server_row;
  AdwEntryRow         *port_row;
  AdwComboRow         *security_row;
  AdwEntryRow         *username_row;
  GtkLabel            *server_error;
  AdwExpanderRow      *smtp_expander;
  AdwEntryRow         *smtp_server_row;
  AdwEntryRow         *smtp_port_row;
  AdwComboRow         *smtp_security_row;
  AdwEntryRow         *smtp_username_row;
  GtkSwitch           *check_smtp_switch;
  GtkLabel            *smtp_server_error;
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

/* Marks the wrong ones of a server's settings, and gives the reason for
 * the first at the foot of its group. Only a server that is tested has
 * wrong settings. */
static void
check_server_rows (AdwExpanderRow *expander,
                   AdwEntryRow    *server_row,
                   AdwEntryRow    *port_row,
                   AdwEntryRow    *username_row,
                   GtkLabel       *error,
                   gboolean        tested)
{
  const char *server = gtk_editable_get_text (GTK_EDITABLE (server_row));
  const char *port = gtk_editable_get_text (GTK_EDITABLE (port_row));
  const char *username = gtk_editable_get_text (GTK_EDITABLE (username_row));
  const char *server_reason = tested ? mail_setup_validate_server (server) : NULL;
  const char *port_reason = tested ? mail_setup_validate_port (port, NULL) : NULL;
  const char *username_reason = tested ? mail_setup_validate_username (username) : NULL;
  const char *reason = server_reason ? server_reason : port_reason ? port_reason : username_reason;

  mark_row (server_row, server_reason);
  mark_row (port_row, port_reason);
  mark_row (username_row, username_reason);

  gtk_label_set_label (error, reason ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (error), reason != NULL);

  /* A wrong setting is never hidden in a collapsed row. */
  if (reason != NULL)
    adw_expander_row_set_expanded (expander, TRUE);
}

static void
update_errors (MailSetupAccountPage *self)
{
  check_server_rows (self->server_expander, self->server_row, self->port_row, self->username_row,
                     self->server_error, TRUE);
  check_server_rows (self->smtp_expander, self->smtp_server_row, self->smtp_port_row,
                     self->smtp_username_row, self->smtp_server_error,
                     gtk_switch_get_active (self->check_smtp_switch));
}

static const char *
security_to_words (MailSetupSecurity security)
{
  return security == MAIL_SETUP_SECURITY_STARTTLS ? "STARTTLS" : "SSL/TLS";
}

static char *
describe_outgoing (MailSetupAccount *account)
{
  const char *server = mail_setup_account_get_smtp_server (account);
  guint port = mail_setup_account_get_smtp_port (account);
  const char *security = security_to_words (mail_setup_account_get_smtp_security (account));

  if (!mail_setup_account_get_check_smtp (account))
    {
      if (*server == '\0')
        return g_strdup (_("Sending mail is not tested"));
      /* Translators: the outgoing server in short, when sending mail is not tested: "smtp.office365.com, port 587, STARTTLS, not tested" */
      return g_strdup_printf (_("%s, port %u, %s, not tested"), server, port, security);
    }

  if (*server == '\0')
    return g_strdup (_("Enter the server that sends your mail"));
  /* Translators: the server settings in short: "outlook.office365.com, port 993, SSL/TLS" */
  return g_strdup_printf (_("%s, port %u, %s"), server, port, security);
}

static void
update_summary (MailSetupAccountPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  g_autofree char *summary = NULL;
  g_autofree char *outgoing = NULL;
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
                               security_to_words (mail_setup_account_get_security (account)));
  adw_expander_row_set_subtitle (self->server_expander, summary);
  outgoing = describe_outgoing (account);
  adw_expander_row_set_subtitle (self->smtp_expander, outgoing);

  if (provider != NULL)
    gtk_label_set_label (self->provider_label, mail_setup_provider_get_name (provider));
}

#define SYNC_TEXT(row, value) \
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), (value)) != 0) \
    gtk_editable_set_text (GTK_EDITABLE (row), (value))

/* The outgoing server's fields, which follow the incoming server while
 * the outgoing one is a guess. */
static void
sync_outgoing (MailSetupAccountPage *self,
               MailSetupAccount     *account)
{
  g_autofree char *port = NULL;
  gboolean syncing = self->syncing;

  self->syncing = TRUE;

  SYNC_TEXT (self->smtp_server_row, mail_setup_account_get_smtp_server (account));
  SYNC_TEXT (self->smtp_username_row, mail_setup_account_get_smtp_username (account));
  /* Port 0 stands for what the user is typing and is not a port yet. */
  if (mail_setup_account_get_smtp_port (account) > 0)
    {
      port = g_strdup_printf ("%u", mail_setup_account_get_smtp_port (account));
      SYNC_TEXT (self->smtp_port_row, port);
    }
  adw_combo_row_set_selected (self->smtp_security_row, mail_setup_account_get_smtp_security (account));
  gtk_switch_set_active (self->check_smtp_switch, mail_setup_account_get_check_smtp (account));

  self->syncing = syncing;
}

static void
sync_from_account (MailSetupAccountPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  g_autofree char *port = NULL;

  if (account == NULL || self->syncing)
    return;

  self->syncing = TRUE;

  gtk_label_set_label (self->email_label, mail_setup_account_get_email (account));

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

  adw_combo_row_set_selected (self->security_row, mail_setup_account_get_security (account));
  sync_outgoing (self, account);

  update_summary (self);
  self->syncing = FALSE;
  update_errors (self);
}

#undef SYNC_TEXT

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
  adw_expander_row_set_expanded (self->smtp_expander,
                                 provider == NULL || !mail_setup_provider_get_has_smtp_server (provider));
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

  /* A new incoming server may bring a new guess of the outgoing one. */
  sync_outgoing (self, account);
  update_summary (self);
  update_errors (self);
}

static void
outgoing_field_changed_cb (MailSetupAccountPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  const char *server = gtk_editable_get_text (GTK_EDITABLE (self->smtp_server_row));
  guint port = 0;

  if (account == NULL || self->syncing)
    return;

  self->syncing = TRUE;
  /* Only a change is the user's own outgoing server, no longer a guess. */
  if (g_strcmp0 (mail_setup_account_get_smtp_server (account), server) != 0)
    mail_setup_account_set_smtp_server (account, server);
  if (mail_setup_validate_port (gtk_editable_get_text (GTK_EDITABLE (self->smtp_port_row)), &port) != NULL)
    port = 0;
  if (mail_setup_account_get_smtp_port (account) != port)
    mail_setup_account_set_smtp_port (account, port);
  if (mail_setup_account_get_smtp_security (account) != adw_combo_row_get_selected (self->smtp_security_row))
    mail_setup_account_set_smtp_security (account, adw_combo_row_get_selected (self->smtp_security_row));
  mail_setup_account_set_smtp_username (account,
                                        gtk_editable_get_text (GTK_EDITABLE (self->smtp_username_row)));
  mail_setup_account_set_check_smtp (account, gtk_switch_get_active (self->check_smtp_switch));
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
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, email_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, provider_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, microsoft_sign_in_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, server_expander);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, port_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, security_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, username_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, server_error);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, smtp_expander);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, smtp_server_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, smtp_port_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, smtp_security_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, smtp_username_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, check_smtp_switch);
  gtk_widget_class_bind_template_child (widget_class, MailSetupAccountPage, smtp_server_error);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, outgoing_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
}

static void
mail_setup_account_page_init (MailSetupAccountPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* An entry row has no placeholder of its own: its title stands in the
   * empty field until it is focused, and then the placeholder says what
   * an empty field means. */
  gtk_text_set_placeholder_text (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (self->smtp_username_row))),
                                 _("Same as incoming"));

  self->account_signals = g_signal_group_new (MAIL_SETUP_TYPE_ACCOUNT);
  g_signal_group_connect_swapped (self->account_signals, "notify::provider",
                                  G_CALLBACK (provider_changed_cb), self);
  g_signal_group_connect_swapped (self->account_signals, "notify",
                                  G_CALLBACK (sync_from_account), self);
  g_signal_group_connect_swapped (self->account_signals, "notify",
                                  G_CALLBACK (update_complete), self);
}

/* Shows the outgoing server's settings, open, with the focus in them: the
 * way back from a test in which only sending failed. */
void
mail_setup_account_page_show_outgoing (MailSetupAccountPage *self)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT_PAGE (self));

  adw_expander_row_set_expanded (self->smtp_expander, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->smtp_server_row));
}
