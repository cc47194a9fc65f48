/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-connection-details.h"

/* The details a helper would ask for: the certificate, the encryption and
 * the server's last answer, with Copy Report. It follows a running check,
 * filling in each value as soon as the check knows it, and shows a finished
 * one as it ended. */

struct _MailSetupConnectionDetails
{
  AdwPreferencesGroup  parent_instance;

  MailSetupCheck      *check;
  GSignalGroup        *check_signals;

  AdwExpanderRow      *expander;
  AdwActionRow        *server_response_row;
  AdwActionRow        *tls_version_row;
  AdwActionRow        *issuer_row;
  AdwActionRow        *valid_until_row;
  AdwActionRow        *fingerprint_row;
};

G_DEFINE_FINAL_TYPE (MailSetupConnectionDetails, mail_setup_connection_details,
                     ADW_TYPE_PREFERENCES_GROUP)

static void
set_detail (MailSetupConnectionDetails *self,
            AdwActionRow               *row,
            const char                 *value)
{
  const char *missing = NULL;

  if (value == NULL || *value == '\0')
    missing = self->check != NULL && !mail_setup_check_get_finished (self->check)
              ? _("Not known yet") : _("Unknown");

  adw_action_row_set_subtitle (row, missing != NULL ? missing : value);
}

static void
update (MailSetupConnectionDetails *self)
{
  const MailSetupTlsInfo *tls = NULL;
  g_autofree char *encryption = NULL;
  g_autofree char *valid_until = NULL;

  if (self->check != NULL)
    tls = mail_setup_check_get_tls_info (self->check);

  if (tls != NULL && tls->version != NULL)
    {
      /* Translators: the TLS version and the cipher, "TLS1.3 with AES-256-GCM" */
      encryption = tls->cipher ? g_strdup_printf (_("%s with %s"), tls->version, tls->cipher)
                               : g_strdup (tls->version);
    }

  if (tls != NULL && tls->not_after != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (tls->not_after);

      valid_until = g_date_time_format (local, "%x");
    }

  set_detail (self, self->server_response_row,
              self->check ? mail_setup_check_get_server_response (self->check) : NULL);
  set_detail (self, self->tls_version_row, encryption);
  set_detail (self, self->issuer_row, tls ? tls->issuer : NULL);
  set_detail (self, self->valid_until_row, valid_until);
  set_detail (self, self->fingerprint_row, tls ? tls->sha256 : NULL);
}

static void
mail_setup_connection_details_dispose (GObject *object)
{
  MailSetupConnectionDetails *self = MAIL_SETUP_CONNECTION_DETAILS (object);

  g_clear_object (&self->check_signals);
  g_clear_object (&self->check);

  G_OBJECT_CLASS (mail_setup_connection_details_parent_class)->dispose (object);
}

static void
mail_setup_connection_details_class_init (MailSetupConnectionDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mail_setup_connection_details_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH
                                               "/mail-setup-connection-details.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupConnectionDetails, expander);
  gtk_widget_class_bind_template_child (widget_class, MailSetupConnectionDetails,
                                        server_response_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupConnectionDetails, tls_version_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupConnectionDetails, issuer_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupConnectionDetails, valid_until_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupConnectionDetails, fingerprint_row);
}

static void
mail_setup_connection_details_init (MailSetupConnectionDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->check_signals = g_signal_group_new (MAIL_SETUP_TYPE_CHECK);
  g_signal_group_connect_swapped (self->check_signals, "stage-finished",
                                  G_CALLBACK (update), self);
  update (self);
}

void
mail_setup_connection_details_set_check (MailSetupConnectionDetails *self,
                                         MailSetupCheck             *check)
{
  g_return_if_fail (MAIL_SETUP_IS_CONNECTION_DETAILS (self));
  g_return_if_fail (check == NULL || MAIL_SETUP_IS_CHECK (check));

  g_set_object (&self->check, check);
  g_signal_group_set_target (self->check_signals, check);
  update (self);

  /* A test has two servers, receiving and sending: say which one this is. */
  if (check != NULL)
    {
      g_autofree char *subtitle = NULL;

      if (mail_setup_check_get_protocol (check) == MAIL_SETUP_PROTOCOL_SMTP)
        /* Translators: %s is a server, such as "smtp.office365.com" */
        subtitle = g_strdup_printf (_("Outgoing server %s: certificate, encryption and its last answer"),
                                    mail_setup_check_get_server (check));
      else
        /* Translators: %s is a server, such as "outlook.office365.com" */
        subtitle = g_strdup_printf (_("Incoming server %s: certificate, encryption and its last answer"),
                                    mail_setup_check_get_server (check));
      adw_expander_row_set_subtitle (self->expander, subtitle);
    }
}
