/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "mail-setup-types.h"

G_BEGIN_DECLS

#define MAIL_SETUP_PROVIDER_ERROR (mail_setup_provider_error_quark ())

typedef enum
{
  MAIL_SETUP_PROVIDER_ERROR_MALFORMED,
  MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE,
  MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE,
  MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
} MailSetupProviderError;

GQuark mail_setup_provider_error_quark (void);

#define MAIL_SETUP_TYPE_PROVIDER (mail_setup_provider_get_type ())

G_DECLARE_FINAL_TYPE (MailSetupProvider, mail_setup_provider, MAIL_SETUP, PROVIDER, GObject)

const char         *mail_setup_provider_get_id              (MailSetupProvider *self);
const char         *mail_setup_provider_get_name            (MailSetupProvider *self);
const char         *mail_setup_provider_get_short_name      (MailSetupProvider *self);
const char         *mail_setup_provider_get_description     (MailSetupProvider *self);
const char * const *mail_setup_provider_get_domains         (MailSetupProvider *self);
gboolean            mail_setup_provider_get_is_microsoft    (MailSetupProvider *self);
gboolean            mail_setup_provider_get_has_imap_server (MailSetupProvider *self);
const char         *mail_setup_provider_get_imap_host       (MailSetupProvider *self);
guint16             mail_setup_provider_get_imap_port       (MailSetupProvider *self);
MailSetupSecurity   mail_setup_provider_get_imap_security   (MailSetupProvider *self);
gboolean            mail_setup_provider_get_has_smtp_server (MailSetupProvider *self);
const char         *mail_setup_provider_get_smtp_host       (MailSetupProvider *self);
guint16             mail_setup_provider_get_smtp_port       (MailSetupProvider *self);
MailSetupSecurity   mail_setup_provider_get_smtp_security   (MailSetupProvider *self);
guint               mail_setup_provider_get_n_help_links    (MailSetupProvider *self);
const char         *mail_setup_provider_get_help_link_url   (MailSetupProvider *self,
                                                             guint              position);
const char         *mail_setup_provider_get_help_link_title (MailSetupProvider *self,
                                                             guint              position);
gboolean            mail_setup_provider_matches_domain      (MailSetupProvider *self,
                                                             const char        *domain);

GPtrArray          *mail_setup_provider_parse               (const char        *xml,
                                                             gssize             length,
                                                             GError           **error);
GPtrArray          *mail_setup_provider_parse_autoconfig    (const char        *xml,
                                                             gssize             length,
                                                             const char        *email_domain,
                                                             GError           **error);

GListModel         *mail_setup_provider_catalog_get_default   (void);
MailSetupProvider  *mail_setup_provider_catalog_lookup        (const char *id);
MailSetupProvider  *mail_setup_provider_catalog_for_email     (const char *address);

G_END_DECLS
