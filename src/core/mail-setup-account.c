/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-setup-account.h"
#include "mail-setup-core-enums.h"
#include "mail-setup-remedy.h"
#include "mail-setup-secret.h"

#define MAX_EMAIL_LENGTH 254
#define MAX_HOST_LENGTH 253
#define MAX_LABEL_LENGTH 63

struct _MailSetupAccount
{
  GObject            parent_instance;

  char              *email;
  MailSetupProvider *provider;
  gboolean           provider_chosen;
  MailSetupSecret   *password;
  char              *display_name;
  char              *username;
  char              *server;
  gboolean           server_from_provider;
  guint              port;
  MailSetupSecurity  security;
  char              *extra_ca_file;
  guint              timeout;
  MailSetupCheck    *last_check;
  GPtrArray         *tried_remedies;
  MailSetupSecret   *access_token;
  MailSetupSecret   *refresh_token;

  char              *smtp_server;
  guint              smtp_port;
  MailSetupSecurity  smtp_security;
  char              *smtp_username;
  /* The outgoing server is the provider's, or derived from the receiving
   * one, until the user sets it: then it is theirs. */
  gboolean           smtp_from_provider;
  gboolean           check_smtp;
};

G_DEFINE_FINAL_TYPE (MailSetupAccount, mail_setup_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_EMAIL,
  PROP_PROVIDER,
  PROP_PASSWORD,
  PROP_DISPLAY_NAME,
  PROP_USERNAME,
  PROP_SERVER,
  PROP_PORT,
  PROP_SECURITY,
  PROP_EXTRA_CA_FILE,
  PROP_TIMEOUT,
  PROP_SIGN_IN_NAME,
  PROP_PROVIDER_COMPLETE,
  PROP_SETTINGS_COMPLETE,
  PROP_LAST_CHECK,
  PROP_USES_MICROSOFT_SIGN_IN,
  PROP_SMTP_SERVER,
  PROP_SMTP_PORT,
  PROP_SMTP_SECURITY,
  PROP_SMTP_USERNAME,
  PROP_CHECK_SMTP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* The derived properties change with the fields they are made of. */
static void
notify_derived (MailSetupAccount *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGN_IN_NAME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER_COMPLETE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_COMPLETE]);
}

static gboolean
provider_has_smtp_server (MailSetupProvider *provider)
{
  return provider != NULL && mail_setup_provider_get_has_smtp_server (provider);
}

/* The outgoing server that goes with the receiving one when the provider
 * names none: see mail_setup_account_guess_smtp_server(). The user's own
 * outgoing server is never replaced. */
static void
derive_smtp_settings (MailSetupAccount *self)
{
  g_autofree char *guess = NULL;

  if (!self->smtp_from_provider || provider_has_smtp_server (self->provider))
    return;

  guess = mail_setup_account_guess_smtp_server (self->server);
  g_object_freeze_notify (G_OBJECT (self));
  mail_setup_account_set_smtp_server (self, guess);
  mail_setup_account_set_smtp_port (self, 587);
  mail_setup_account_set_smtp_security (self, MAIL_SETUP_SECURITY_STARTTLS);
  self->smtp_from_provider = TRUE;
  g_object_thaw_notify (G_OBJECT (self));
}

static void
apply_provider_smtp_settings (MailSetupAccount *self)
{
  if (provider_has_smtp_server (self->provider))
    {
      mail_setup_account_set_smtp_server (self, mail_setup_provider_get_smtp_host (self->provider));
      mail_setup_account_set_smtp_port (self, mail_setup_provider_get_smtp_port (self->provider));
      mail_setup_account_set_smtp_security (self,
                                            mail_setup_provider_get_smtp_security (self->provider));
      self->smtp_from_provider = TRUE;
    }
  else
    {
      /* As for the receiving server: what the user typed stays, and a
       * server that came from another provider gives way to the guess. */
      derive_smtp_settings (self);
    }
}

static void
apply_provider_settings (MailSetupAccount *self)
{
  g_object_freeze_notify (G_OBJECT (self));

  if (self->provider != NULL && mail_setup_provider_get_has_imap_server (self->provider))
    {
      mail_setup_account_set_server (self, mail_setup_provider_get_imap_host (self->provider));
      mail_setup_account_set_port (self, mail_setup_provider_get_imap_port (self->provider));
      mail_setup_account_set_security (self, mail_setup_provider_get_imap_security (self->provider));
      self->server_from_provider = TRUE;
    }
  else if (self->server_from_provider)
    {
      /* A server filled in for another provider is no guess for this one. */
      mail_setup_account_set_server (self, "");
      self->server_from_provider = TRUE;
      mail_setup_account_set_port (self, 993);
      mail_setup_account_set_security (self, MAIL_SETUP_SECURITY_SSL_TLS);
    }
  apply_provider_smtp_settings (self);

  g_object_thaw_notify (G_OBJECT (self));
}

static void
mail_setup_account_finalize (GObject *object)
{
  MailSetupAccount *self = MAIL_SETUP_ACCOUNT (object);

  g_free (self->email);
  g_clear_object (&self->provider);
  g_clear_pointer (&self->password, mail_setup_secret_free);
  g_free (self->display_name);
  g_free (self->username);
  g_free (self->server);
  g_free (self->extra_ca_file);
  g_clear_object (&self->last_check);
  g_clear_pointer (&self->tried_remedies, g_ptr_array_unref);
  g_clear_pointer (&self->access_token, mail_setup_secret_free);
  g_clear_pointer (&self->refresh_token, mail_setup_secret_free);
  g_free (self->smtp_server);
  g_free (self->smtp_username);

  G_OBJECT_CLASS (mail_setup_account_parent_class)->finalize (object);
}

static void
mail_setup_account_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MailSetupAccount *self = MAIL_SETUP_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_PROVIDER:
      g_value_set_object (value, self->provider);
      break;
    case PROP_PASSWORD:
      g_value_set_string (value, self->password);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_SERVER:
      g_value_set_string (value, self->server);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_SECURITY:
      g_value_set_enum (value, self->security);
      break;
    case PROP_EXTRA_CA_FILE:
      g_value_set_string (value, self->extra_ca_file);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_SIGN_IN_NAME:
      g_value_set_string (value, mail_setup_account_get_sign_in_name (self));
      break;
    case PROP_PROVIDER_COMPLETE:
      g_value_set_boolean (value, mail_setup_account_get_provider_complete (self));
      break;
    case PROP_SETTINGS_COMPLETE:
      g_value_set_boolean (value, mail_setup_account_get_settings_complete (self));
      break;
    case PROP_LAST_CHECK:
      g_value_set_object (value, self->last_check);
      break;
    case PROP_USES_MICROSOFT_SIGN_IN:
      g_value_set_boolean (value, self->access_token != NULL);
      break;
    case PROP_SMTP_SERVER:
      g_value_set_string (value, self->smtp_server);
      break;
    case PROP_SMTP_PORT:
      g_value_set_uint (value, self->smtp_port);
      break;
    case PROP_SMTP_SECURITY:
      g_value_set_enum (value, self->smtp_security);
      break;
    case PROP_SMTP_USERNAME:
      g_value_set_string (value, self->smtp_username);
      break;
    case PROP_CHECK_SMTP:
      g_value_set_boolean (value, self->check_smtp);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mail_setup_account_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MailSetupAccount *self = MAIL_SETUP_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_EMAIL:
      mail_setup_account_set_email (self, g_value_get_string (value));
      break;
    case PROP_PROVIDER:
      mail_setup_account_set_provider (self, g_value_get_object (value));
      break;
    case PROP_PASSWORD:
      mail_setup_account_set_password (self, g_value_get_string (value));
      break;
    case PROP_DISPLAY_NAME:
      mail_setup_account_set_display_name (self, g_value_get_string (value));
      break;
    case PROP_USERNAME:
      mail_setup_account_set_username (self, g_value_get_string (value));
      break;
    case PROP_SERVER:
      mail_setup_account_set_server (self, g_value_get_string (value));
      break;
    case PROP_PORT:
      mail_setup_account_set_port (self, g_value_get_uint (value));
      break;
    case PROP_SECURITY:
      mail_setup_account_set_security (self, g_value_get_enum (value));
      break;
    case PROP_EXTRA_CA_FILE:
      mail_setup_account_set_extra_ca_file (self, g_value_get_string (value));
      break;
    case PROP_TIMEOUT:
      mail_setup_account_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_SMTP_SERVER:
      mail_setup_account_set_smtp_server (self, g_value_get_string (value));
      break;
    case PROP_SMTP_PORT:
      mail_setup_account_set_smtp_port (self, g_value_get_uint (value));
      break;
    case PROP_SMTP_SECURITY:
      mail_setup_account_set_smtp_security (self, g_value_get_enum (value));
      break;
    case PROP_SMTP_USERNAME:
      mail_setup_account_set_smtp_username (self, g_value_get_string (value));
      break;
    case PROP_CHECK_SMTP:
      mail_setup_account_set_check_smtp (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mail_setup_account_class_init (MailSetupAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags read_only = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = mail_setup_account_finalize;
  object_class->get_property = mail_setup_account_get_property;
  object_class->set_property = mail_setup_account_set_property;

  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, "", flags);
  properties[PROP_PROVIDER] = g_param_spec_object ("provider", NULL, NULL,
                                                   MAIL_SETUP_TYPE_PROVIDER, flags);
  properties[PROP_PASSWORD] = g_param_spec_string ("password", NULL, NULL, "", flags);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, "", flags);
  properties[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, "", flags);
  properties[PROP_SERVER] = g_param_spec_string ("server", NULL, NULL, "", flags);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, 993, flags);
  properties[PROP_SECURITY] = g_param_spec_enum ("security", NULL, NULL, MAIL_SETUP_TYPE_SECURITY,
                                                 MAIL_SETUP_SECURITY_SSL_TLS, flags);
  properties[PROP_EXTRA_CA_FILE] = g_param_spec_string ("extra-ca-file", NULL, NULL, NULL, flags);
  properties[PROP_TIMEOUT] = g_param_spec_uint ("timeout", NULL, NULL, 1, 600,
                                                MAIL_SETUP_CHECK_DEFAULT_TIMEOUT, flags);
  properties[PROP_SIGN_IN_NAME] = g_param_spec_string ("sign-in-name", NULL, NULL, "", read_only);
  properties[PROP_PROVIDER_COMPLETE] = g_param_spec_boolean ("provider-complete", NULL, NULL,
                                                             FALSE, read_only);
  properties[PROP_SETTINGS_COMPLETE] = g_param_spec_boolean ("settings-complete", NULL, NULL,
                                                             FALSE, read_only);
  properties[PROP_LAST_CHECK] = g_param_spec_object ("last-check", NULL, NULL,
                                                     MAIL_SETUP_TYPE_CHECK, read_only);
  properties[PROP_USES_MICROSOFT_SIGN_IN] = g_param_spec_boolean ("uses-microsoft-sign-in", NULL, NULL,
                                                                  FALSE, read_only);
  properties[PROP_SMTP_SERVER] = g_param_spec_string ("smtp-server", NULL, NULL, "", flags);
  properties[PROP_SMTP_PORT] = g_param_spec_uint ("smtp-port", NULL, NULL, 0, 65535, 587, flags);
  properties[PROP_SMTP_SECURITY] = g_param_spec_enum ("smtp-security", NULL, NULL,
                                                      MAIL_SETUP_TYPE_SECURITY,
                                                      MAIL_SETUP_SECURITY_STARTTLS, flags);
  properties[PROP_SMTP_USERNAME] = g_param_spec_string ("smtp-username", NULL, NULL, "", flags);
  properties[PROP_CHECK_SMTP] = g_param_spec_boolean ("check-smtp", NULL, NULL, TRUE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mail_setup_account_init (MailSetupAccount *self)
{
  self->email = g_strdup ("");
  self->password = mail_setup_secret_new ("");
  self->display_name = g_strdup ("");
  self->username = g_strdup ("");
  self->server = g_strdup ("");
  self->port = 993;
  self->security = MAIL_SETUP_SECURITY_SSL_TLS;
  self->timeout = MAIL_SETUP_CHECK_DEFAULT_TIMEOUT;
  self->tried_remedies = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->smtp_server = g_strdup ("");
  self->smtp_port = 587;
  self->smtp_security = MAIL_SETUP_SECURITY_STARTTLS;
  self->smtp_username = g_strdup ("");
  self->smtp_from_provider = TRUE;
  self->check_smtp = TRUE;
}

MailSetupAccount *
mail_setup_account_new (void)
{
  return g_object_new (MAIL_SETUP_TYPE_ACCOUNT, NULL);
}

const char *
mail_setup_account_get_email (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  return self->email;
}

/* Typing an address preselects its provider, until the user picks one. */
void
mail_setup_account_set_email (MailSetupAccount *self,
                              const char       *email)
{
  MailSetupProvider *provider;

  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  if (!set_string (&self->email, email ? email : ""))
    return;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMAIL]);
  if (!self->provider_chosen &&
      (provider = mail_setup_provider_catalog_for_email (self->email)) != NULL)
    mail_setup_account_set_provider (self, provider);
  notify_derived (self);
  g_object_thaw_notify (G_OBJECT (self));
}

MailSetupProvider *
mail_setup_account_get_provider (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  return self->provider;
}

void
mail_setup_account_set_provider (MailSetupAccount  *self,
                                 MailSetupProvider *provider)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));
  g_return_if_fail (provider == NULL || MAIL_SETUP_IS_PROVIDER (provider));

  if (!g_set_object (&self->provider, provider))
    return;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER]);
  apply_provider_settings (self);
  notify_derived (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* The user's own choice, which later typing in the address does not undo. */
void
mail_setup_account_choose_provider (MailSetupAccount  *self,
                                    MailSetupProvider *provider)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  self->provider_chosen = TRUE;
  mail_setup_account_set_provider (self, provider);
}

gboolean
mail_setup_account_get_provider_chosen (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), FALSE);
  return self->provider_chosen;
}

void
mail_setup_account_set_found_servers (MailSetupAccount  *self,
                                      const char        *imap_host,
                                      guint              imap_port,
                                      MailSetupSecurity  imap_security,
                                      const char        *smtp_host,
                                      guint              smtp_port,
                                      MailSetupSecurity  smtp_security)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  g_object_freeze_notify (G_OBJECT (self));

  /* Found, not typed: the next provider or the next finding may replace
   * them, as a provider's own settings. */
  if (imap_host != NULL && (self->server_from_provider || *self->server == '\0'))
    {
      mail_setup_account_set_server (self, imap_host);
      mail_setup_account_set_port (self, imap_port);
      mail_setup_account_set_security (self, imap_security);
      self->server_from_provider = TRUE;
    }
  if (smtp_host != NULL && self->smtp_from_provider)
    {
      mail_setup_account_set_smtp_server (self, smtp_host);
      mail_setup_account_set_smtp_port (self, smtp_port);
      mail_setup_account_set_smtp_security (self, smtp_security);
      self->smtp_from_provider = TRUE;
    }

  g_object_thaw_notify (G_OBJECT (self));
}

const char *
mail_setup_account_get_password (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  return self->password;
}

void
mail_setup_account_set_password (MailSetupAccount *self,
                                 const char       *password)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  if (g_strcmp0 (self->password, password ? password : "") == 0)
    return;

  g_clear_pointer (&self->password, mail_setup_secret_free);
  self->password = mail_setup_secret_new (password ? password : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_COMPLETE]);
}

const char *
mail_setup_account_get_display_name (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  return self->display_name;
}

void
mail_setup_account_set_display_name (MailSetupAccount *self,
                                     const char       *display_name)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  if (set_string (&self->display_name, display_name ? display_name : ""))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

const char *
mail_setup_account_get_username (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  return self->username;
}

void
mail_setup_account_set_username (MailSetupAccount *self,
                                 const char       *username)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  if (!set_string (&self->username, username ? username : ""))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USERNAME]);
  notify_derived (self);
}

const char *
mail_setup_account_get_server (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  return self->server;
}

void
mail_setup_account_set_server (MailSetupAccount *self,
                               const char       *server)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  /* Whoever sets it, the server is no longer the provider's own until
   * apply_provider_settings() says so again. */
  self->server_from_provider = FALSE;
  if (!set_string (&self->server, server ? server : ""))
    return;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_COMPLETE]);
  derive_smtp_settings (self);
  g_object_thaw_notify (G_OBJECT (self));
}

guint
mail_setup_account_get_port (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), 0);
  return self->port;
}

void
mail_setup_account_set_port (MailSetupAccount *self,
                             guint             port)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));
  g_return_if_fail (port <= 65535);

  if (self->port == port)
    return;

  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_COMPLETE]);
}

MailSetupSecurity
mail_setup_account_get_security (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), MAIL_SETUP_SECURITY_SSL_TLS);
  return self->security;
}

void
mail_setup_account_set_security (MailSetupAccount  *self,
                                 MailSetupSecurity  security)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  if (self->security == security)
    return;

  self->security = security;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECURITY]);
}

const char *
mail_setup_account_get_extra_ca_file (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  return self->extra_ca_file;
}

void
mail_setup_account_set_extra_ca_file (MailSetupAccount *self,
                                      const char       *path)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  if (set_string (&self->extra_ca_file, path))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXTRA_CA_FILE]);
}

guint
mail_setup_account_get_timeout (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), MAIL_SETUP_CHECK_DEFAULT_TIMEOUT);
  return self->timeout;
}

void
mail_setup_account_set_timeout (MailSetupAccount *self,
                                guint             seconds)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));
  g_return_if_fail (seconds > 0);

  if (self->timeout == seconds)
    return;

  self->timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/* The outgoing (SMTP submission) server. Setting the server, port or
 * encryption to something new makes them the user's own: from then on
 * neither the receiving server nor a provider without an outgoing server
 * changes them (mail_setup_account_restore_provider_settings() and
 * choosing a provider that names one do). */
const char *
mail_setup_account_get_smtp_server (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  return self->smtp_server;
}

void
mail_setup_account_set_smtp_server (MailSetupAccount *self,
                                    const char       *server)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  if (!set_string (&self->smtp_server, server ? server : ""))
    return;

  self->smtp_from_provider = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SMTP_SERVER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_COMPLETE]);
}

guint
mail_setup_account_get_smtp_port (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), 0);
  return self->smtp_port;
}

void
mail_setup_account_set_smtp_port (MailSetupAccount *self,
                                  guint             port)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));
  g_return_if_fail (port <= 65535);

  if (self->smtp_port == port)
    return;

  self->smtp_port = port;
  self->smtp_from_provider = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SMTP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_COMPLETE]);
}

MailSetupSecurity
mail_setup_account_get_smtp_security (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), MAIL_SETUP_SECURITY_STARTTLS);
  return self->smtp_security;
}

void
mail_setup_account_set_smtp_security (MailSetupAccount  *self,
                                      MailSetupSecurity  security)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  if (self->smtp_security == security)
    return;

  self->smtp_security = security;
  self->smtp_from_provider = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SMTP_SECURITY]);
}

/* Empty: the same user name as for receiving. */
const char *
mail_setup_account_get_smtp_username (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  return self->smtp_username;
}

void
mail_setup_account_set_smtp_username (MailSetupAccount *self,
                                      const char       *username)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  if (!set_string (&self->smtp_username, username ? username : ""))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SMTP_USERNAME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_COMPLETE]);
}

/* The user name for the outgoing server: its own, else the receiving one's. */
const char *
mail_setup_account_get_smtp_sign_in_name (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);

  return *self->smtp_username != '\0' ? self->smtp_username
                                       : mail_setup_account_get_sign_in_name (self);
}

/* Whether a test also tests sending. */
gboolean
mail_setup_account_get_check_smtp (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), FALSE);
  return self->check_smtp;
}

void
mail_setup_account_set_check_smtp (MailSetupAccount *self,
                                   gboolean          check_smtp)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  check_smtp = !!check_smtp;
  if (self->check_smtp == check_smtp)
    return;

  self->check_smtp = check_smtp;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECK_SMTP]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_COMPLETE]);
}

/**
 * mail_setup_account_guess_smtp_server:
 * @imap_server: the receiving server as typed
 *
 * The outgoing server to offer when the provider names none. A first label
 * "imap", "imaps" or "imap4" becomes "smtp" (imap.example.com gives
 * smtp.example.com), the usual naming of providers that run the two apart.
 * Any other name (mail.example.com, example.com) and an IP address are
 * kept: such a host most often takes mail for sending as well, where a
 * guessed smtp.example.com might not exist at all.
 *
 * Returns: (transfer full): the guess, empty when @imap_server is
 */
char *
mail_setup_account_guess_smtp_server (const char *imap_server)
{
  static const char * const receiving_labels[] = { "imap", "imaps", "imap4" };
  const char *dot;

  if (imap_server == NULL)
    return g_strdup ("");

  dot = strchr (imap_server, '.');
  if (dot == NULL || dot[1] == '\0' || g_hostname_is_ip_address (imap_server))
    return g_strdup (imap_server);

  for (gsize i = 0; i < G_N_ELEMENTS (receiving_labels); i++)
    {
      if ((gsize) (dot - imap_server) == strlen (receiving_labels[i]) &&
          g_ascii_strncasecmp (imap_server, receiving_labels[i], dot - imap_server) == 0)
        return g_strconcat ("smtp", dot, NULL);
    }

  return g_strdup (imap_server);
}

/* Whether the account signs in with a token from Microsoft sign-in rather
 * than with its password. */
gboolean
mail_setup_account_get_uses_microsoft_sign_in (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), FALSE);

  return self->access_token != NULL;
}

/* The tokens of a Microsoft sign-in, kept in memory only; the refresh token
 * is what the keyring will keep. */
void
mail_setup_account_set_microsoft_tokens (MailSetupAccount *self,
                                         const char       *access_token,
                                         const char       *refresh_token)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));
  g_return_if_fail (access_token != NULL);

  g_clear_pointer (&self->access_token, mail_setup_secret_free);
  self->access_token = mail_setup_secret_new (access_token);
  if (refresh_token != NULL)
    {
      g_clear_pointer (&self->refresh_token, mail_setup_secret_free);
      self->refresh_token = mail_setup_secret_new (refresh_token);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USES_MICROSOFT_SIGN_IN]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_COMPLETE]);
}

const char *
mail_setup_account_get_refresh_token (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);

  return self->refresh_token;
}

/* Back to the password: the tokens are forgotten. */
void
mail_setup_account_use_password (MailSetupAccount *self)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  if (self->access_token == NULL && self->refresh_token == NULL)
    return;

  g_clear_pointer (&self->access_token, mail_setup_secret_free);
  g_clear_pointer (&self->refresh_token, mail_setup_secret_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USES_MICROSOFT_SIGN_IN]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS_COMPLETE]);
}

/* "oauth2" or "password", as the keyring item says. */
const char *
mail_setup_account_get_authtype (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);

  return self->access_token != NULL ? "oauth2" : "password";
}

/* The user name for the server: the one typed, else the e-mail address. */
const char *
mail_setup_account_get_sign_in_name (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);

  return *self->username != '\0' ? self->username : self->email;
}

gboolean
mail_setup_account_get_provider_complete (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), FALSE);

  return self->provider != NULL && mail_setup_validate_email (self->email) == NULL;
}

static gboolean
smtp_settings_complete (MailSetupAccount *self)
{
  return mail_setup_validate_server (self->smtp_server) == NULL &&
         self->smtp_port >= 1 && self->smtp_port <= 65535 &&
         mail_setup_validate_username (self->smtp_username) == NULL;
}

/* Enough to name the servers and the account, if not to sign in. The
 * outgoing server counts only when the test includes sending. */
static gboolean
connection_settings_complete (MailSetupAccount *self)
{
  return mail_setup_account_get_provider_complete (self) &&
         mail_setup_validate_server (self->server) == NULL &&
         self->port >= 1 && self->port <= 65535 &&
         mail_setup_validate_username (self->username) == NULL &&
         (!self->check_smtp || smtp_settings_complete (self));
}

gboolean
mail_setup_account_get_settings_complete (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), FALSE);

  return connection_settings_complete (self) &&
         (*self->password != '\0' || self->access_token != NULL);
}

/* Puts back the provider's known-good server, port and encryption. */
void
mail_setup_account_restore_provider_settings (MailSetupAccount *self)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));

  apply_provider_settings (self);
}

static void
set_common_check_settings (MailSetupAccount *self,
                           MailSetupCheck   *check)
{
  mail_setup_check_set_provider (check, mail_setup_provider_get_id (self->provider),
                                 mail_setup_provider_get_is_microsoft (self->provider));
  mail_setup_check_set_timeout (check, self->timeout);
  if (self->extra_ca_file != NULL)
    mail_setup_check_set_extra_ca_file (check, self->extra_ca_file);
}

/* A check of the account as it stands, remembered as the last one: of the
 * receiving server and, unless check-smtp is off, of the outgoing one
 * beside it (mail_setup_check_get_outgoing()). Without
 * a password or a token it cannot run, but it can still tell why a
 * Microsoft sign-in gave none (mail_setup_check_finish_with_sign_in_failure()). */
MailSetupCheck *
mail_setup_account_create_check (MailSetupAccount *self)
{
  g_autoptr(MailSetupCheck) check = NULL;

  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (connection_settings_complete (self), NULL);

  check = mail_setup_check_new (self->server, self->port, self->security,
                                mail_setup_account_get_sign_in_name (self));
  if (self->access_token != NULL)
    mail_setup_check_set_access_token (check, self->access_token);
  else if (*self->password != '\0')
    mail_setup_check_set_password (check, self->password);
  set_common_check_settings (self, check);

  /* The outgoing check signs in with the same password or token, which the
   * check hands it when it runs. */
  if (self->check_smtp)
    {
      g_autoptr(MailSetupCheck) outgoing = NULL;

      outgoing = mail_setup_check_new_smtp (self->smtp_server, self->smtp_port,
                                            self->smtp_security,
                                            mail_setup_account_get_smtp_sign_in_name (self));
      mail_setup_check_set_sender (outgoing, self->email);
      set_common_check_settings (self, outgoing);
      mail_setup_check_set_outgoing (check, outgoing);
    }

  g_set_object (&self->last_check, check);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_CHECK]);

  return g_steal_pointer (&check);
}

/* The remedy to offer for DIAGNOSIS, of the receiving or of the outgoing
 * check (mail_setup_check_get_failed_check() says which failed): the first
 * one for it, or, when that was tried already, the next one in its chain
 * that was not. */
/* FIRST, or the remedy it leads to when it has been tried already. */
static const char *
skip_tried_remedies (MailSetupAccount *self,
                     const char       *first)
{
  const char *id = first;

  while (id != NULL && g_strv_contains ((const char * const *) self->tried_remedies->pdata, id))
    {
      MailSetupRemedy *remedy = mail_setup_remedy_catalog_lookup (id);
      const char *next = remedy ? mail_setup_remedy_get_next_id (remedy) : NULL;

      if (next == NULL)
        break;
      id = next;
    }

  return id;
}

const char *
mail_setup_account_choose_remedy (MailSetupAccount   *self,
                                  MailSetupDiagnosis  diagnosis)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);

  /* A token refused with a password's words leads back to Microsoft
   * sign-in, not to the fixes for a refused password. A token refused as
   * such (OAUTH_TOKEN_REFUSED) has fixes of its own, for the mailbox. */
  if (self->access_token != NULL &&
      (diagnosis == MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED || diagnosis == MAIL_SETUP_DIAGNOSIS_AUTH_FAILED))
    return "microsoft-sign-in";

  return skip_tried_remedies (self, mail_setup_remedy_for_diagnosis (diagnosis, self->provider));
}

/* The fix for FAILED, a finished check of this account (the receiving or
 * the sending one), or for success when FAILED is NULL. The sending side's
 * fixes are the check's own (mail_setup_check_get_remedy()). */
const char *
mail_setup_account_choose_remedy_for_check (MailSetupAccount *self,
                                            MailSetupCheck   *failed)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (failed == NULL || MAIL_SETUP_IS_CHECK (failed), NULL);

  if (failed == NULL)
    return mail_setup_account_choose_remedy (self, MAIL_SETUP_DIAGNOSIS_OK);

  if (mail_setup_check_get_protocol (failed) == MAIL_SETUP_PROTOCOL_SMTP)
    return skip_tried_remedies (self, mail_setup_check_get_remedy (failed));

  return mail_setup_account_choose_remedy (self, mail_setup_check_get_diagnosis (failed));
}

void
mail_setup_account_mark_remedy_tried (MailSetupAccount *self,
                                      const char       *remedy_id)
{
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (self));
  g_return_if_fail (remedy_id != NULL);

  if (!g_strv_contains ((const char * const *) self->tried_remedies->pdata, remedy_id))
    g_ptr_array_add (self->tried_remedies, g_strdup (remedy_id));
}

const char * const *
mail_setup_account_get_tried_remedies (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);

  return (const char * const *) self->tried_remedies->pdata;
}

/* The report of the last test, with the remedies tried so far. */
char *
mail_setup_account_build_report (MailSetupAccount *self)
{
  g_autofree char *report = NULL;
  g_autofree char *tried = NULL;

  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (self->last_check != NULL, NULL);

  report = mail_setup_check_to_text_report (self->last_check);
  tried = g_strjoinv (", ", (char **) self->tried_remedies->pdata);

  return g_strdup_printf ("%s\nRemedies tried: %s\n", report,
                          self->tried_remedies->len > 0 ? tried : "none");
}

MailSetupCheck *
mail_setup_account_get_last_check (MailSetupAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT (self), NULL);
  return self->last_check;
}

static gboolean
has_control_characters (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        return TRUE;
    }

  return FALSE;
}

const char *
mail_setup_validate_email (const char *text)
{
  const char *at;

  if (text == NULL || *text == '\0')
    return _("Enter your e-mail address");
  if (!g_utf8_validate (text, -1, NULL) || has_control_characters (text) ||
      strpbrk (text, " \t") != NULL)
    return _("An e-mail address cannot contain spaces or control characters");
  if (strlen (text) > MAX_EMAIL_LENGTH)
    return _("This address is too long to be an e-mail address");

  at = strrchr (text, '@');
  if (at == NULL)
    return _("An e-mail address needs an “@”, as in name@example.com");
  if (at == text)
    return _("Add your name before the “@”");
  if (at[1] == '\0')
    return _("Add the domain after the “@”, as in name@example.com");
  if (mail_setup_validate_server (at + 1) != NULL || strchr (at + 1, '.') == NULL)
    return _("The part after the “@” is not a valid domain");

  return NULL;
}

/* A host name (international names allowed) or an IP address. */
const char *
mail_setup_validate_server (const char *text)
{
  g_autofree char *ascii = NULL;
  g_auto(GStrv) labels = NULL;

  if (text == NULL || *text == '\0')
    return _("Enter the server name");
  if (g_hostname_is_ip_address (text))
    return NULL;
  if (!g_utf8_validate (text, -1, NULL) || has_control_characters (text) ||
      strpbrk (text, " \t/:@") != NULL)
    return _("A server name has only letters, digits, hyphens and dots");

  ascii = g_hostname_to_ascii (text);
  if (ascii == NULL || strlen (ascii) > MAX_HOST_LENGTH)
    return _("This is not a valid server name");

  labels = g_strsplit (ascii, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      const char *label = labels[i];
      gsize length = strlen (label);

      /* One trailing dot is a valid, fully qualified name. */
      if (length == 0 && labels[i + 1] == NULL && i > 0)
        break;
      if (length == 0 || length > MAX_LABEL_LENGTH)
        return _("Each part of a server name between dots must be 1 to 63 characters long");
      if (label[0] == '-' || label[length - 1] == '-')
        return _("A part of a server name cannot start or end with a hyphen");
      for (gsize j = 0; j < length; j++)
        {
          if (!g_ascii_isalnum (label[j]) && label[j] != '-')
            return _("A server name has only letters, digits, hyphens and dots");
        }
    }

  return NULL;
}

const char *
mail_setup_validate_port (const char *text,
                          guint      *port)
{
  guint64 value = 0;

  if (text == NULL || *text == '\0')
    return _("Enter the port number");
  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    return _("The port is a number from 1 to 65535");

  if (port != NULL)
    *port = (guint) value;

  return NULL;
}

const char *
mail_setup_validate_username (const char *text)
{
  if (text == NULL || *text == '\0')
    return NULL;
  if (!g_utf8_validate (text, -1, NULL) || has_control_characters (text))
    return _("A user name cannot contain control characters or line breaks");

  return NULL;
}
