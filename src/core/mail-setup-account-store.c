/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mail-setup-account-store.h"
#include "mail-setup-core-enums.h"
#include "mail-setup-provider.h"

#define AUTHTYPE_PASSWORD "password"

G_DEFINE_QUARK (mail-setup-account-store-error-quark, mail_setup_account_store_error)

struct _MailSetupSavedAccount
{
  GObject            parent_instance;

  char              *email;
  char              *provider_id;
  char              *server;
  guint16            port;
  MailSetupSecurity  security;
  char              *username;
  char              *display_name;
  char              *authtype;
  gboolean           secret_missing;

  char              *smtp_server;
  guint16            smtp_port;
  MailSetupSecurity  smtp_security;
  char              *smtp_username;
  /* Whether the wizard tests the outgoing server ("Test Sending Mail"). */
  gboolean           check_smtp;
};

G_DEFINE_FINAL_TYPE (MailSetupSavedAccount, mail_setup_saved_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_EMAIL,
  PROP_PROVIDER_ID,
  PROP_SERVER,
  PROP_PORT,
  PROP_SECURITY,
  PROP_USERNAME,
  PROP_DISPLAY_NAME,
  PROP_AUTHTYPE,
  PROP_SECRET_MISSING,
  PROP_SMTP_SERVER,
  PROP_SMTP_PORT,
  PROP_SMTP_SECURITY,
  PROP_SMTP_USERNAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static MailSetupSavedAccount *
saved_account_new (const char        *email,
                   const char        *provider_id,
                   const char        *server,
                   guint16            port,
                   MailSetupSecurity  security,
                   const char        *username,
                   const char        *display_name,
                   const char        *authtype)
{
  MailSetupSavedAccount *self = g_object_new (MAIL_SETUP_TYPE_SAVED_ACCOUNT, NULL);

  self->email = g_strdup (email);
  self->provider_id = g_strdup (provider_id ? provider_id : "");
  self->server = g_strdup (server);
  self->port = port;
  self->security = security;
  self->username = g_strdup (username);
  self->display_name = g_strdup (display_name ? display_name : "");
  self->authtype = g_strdup (authtype ? authtype : AUTHTYPE_PASSWORD);
  self->check_smtp = TRUE;

  return self;
}

static void
saved_account_set_secret_missing (MailSetupSavedAccount *self,
                                  gboolean               secret_missing)
{
  secret_missing = !!secret_missing;
  if (self->secret_missing == secret_missing)
    return;

  self->secret_missing = secret_missing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECRET_MISSING]);
}

static char *
key_file_get_text (GKeyFile   *key_file,
                   const char *group,
                   const char *key)
{
  g_autofree char *value = g_key_file_get_string (key_file, group, key, NULL);

  return value != NULL ? g_strstrip (g_steal_pointer (&value)) : g_strdup ("");
}

static void
saved_account_set_smtp (MailSetupSavedAccount *self,
                        const char            *server,
                        guint16                port,
                        MailSetupSecurity      security,
                        const char            *username)
{
  g_free (self->smtp_server);
  self->smtp_server = g_strdup (server);
  self->smtp_port = port;
  self->smtp_security = security;
  g_free (self->smtp_username);
  self->smtp_username = g_strdup (username != NULL && *username != '\0' ? username
                                                                         : self->username);
}

/* The outgoing server of an account saved before there was one, or whose
 * outgoing settings someone edited into something unusable: what the
 * wizard offers for its provider and receiving server. */
static void
saved_account_set_default_smtp (MailSetupSavedAccount *self)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();
  MailSetupProvider *provider = mail_setup_provider_catalog_lookup (self->provider_id);

  if (provider == NULL)
    provider = mail_setup_provider_catalog_lookup ("other");
  mail_setup_account_choose_provider (account, provider);
  mail_setup_account_set_server (account, self->server);

  saved_account_set_smtp (self, mail_setup_account_get_smtp_server (account),
                          (guint16) mail_setup_account_get_smtp_port (account),
                          mail_setup_account_get_smtp_security (account), NULL);
}

static void
saved_account_read_smtp (MailSetupSavedAccount *self,
                         GKeyFile              *key_file)
{
  const char *group = self->email;
  g_autofree char *server = key_file_get_text (key_file, group, "smtp-server");
  g_autofree char *port_text = key_file_get_text (key_file, group, "smtp-port");
  g_autofree char *security_text = key_file_get_text (key_file, group, "smtp-security");
  g_autofree char *username = key_file_get_text (key_file, group, "smtp-username");
  MailSetupSecurity security;
  guint64 port;

  if (*server == '\0')
    {
      saved_account_set_default_smtp (self);
      return;
    }

  if (!g_ascii_string_to_unsigned (port_text, 10, 1, G_MAXUINT16, &port, NULL) ||
      !mail_setup_security_from_string (security_text, &security))
    {
      g_warning ("The outgoing server of the account %s in accounts.ini has no valid port or "
                 "security; using the default settings", group);
      saved_account_set_default_smtp (self);
      return;
    }

  saved_account_set_smtp (self, server, (guint16) port, security, username);
}

/* A group that someone edited into something unusable is left out rather
 * than guessed at. */
static MailSetupSavedAccount *
saved_account_new_from_key_file (GKeyFile   *key_file,
                                 const char *group)
{
  MailSetupSavedAccount *saved;
  g_autofree char *provider_id = key_file_get_text (key_file, group, "provider");
  g_autofree char *server = key_file_get_text (key_file, group, "server");
  g_autofree char *port_text = key_file_get_text (key_file, group, "port");
  g_autofree char *security_text = key_file_get_text (key_file, group, "security");
  g_autofree char *username = key_file_get_text (key_file, group, "username");
  g_autofree char *display_name = key_file_get_text (key_file, group, "display-name");
  g_autofree char *authtype = key_file_get_text (key_file, group, "authtype");
  MailSetupSecurity security;
  guint64 port;

  if (*server == '\0' ||
      !g_ascii_string_to_unsigned (port_text, 10, 1, G_MAXUINT16, &port, NULL) ||
      !mail_setup_security_from_string (security_text, &security))
    {
      g_warning ("Skipping the account %s in accounts.ini: its server, port or security "
                 "is not valid", group);
      return NULL;
    }

  saved = saved_account_new (group, provider_id, server, (guint16) port, security,
                             *username != '\0' ? username : group, display_name,
                             *authtype != '\0' ? authtype : AUTHTYPE_PASSWORD);
  saved_account_read_smtp (saved, key_file);
  /* Missing in files saved before the switch was: sending was tested. */
  saved->check_smtp = !g_key_file_has_key (key_file, group, "check-smtp", NULL) ||
                      g_key_file_get_boolean (key_file, group, "check-smtp", NULL);

  return saved;
}

static void
saved_account_to_key_file (MailSetupSavedAccount *self,
                           GKeyFile              *key_file)
{
  const char *group = self->email;

  g_key_file_set_string (key_file, group, "email", self->email);
  g_key_file_set_string (key_file, group, "provider", self->provider_id);
  g_key_file_set_string (key_file, group, "server", self->server);
  g_key_file_set_integer (key_file, group, "port", self->port);
  g_key_file_set_string (key_file, group, "security",
                         mail_setup_security_to_string (self->security));
  g_key_file_set_string (key_file, group, "username", self->username);
  g_key_file_set_string (key_file, group, "display-name", self->display_name);
  g_key_file_set_string (key_file, group, "authtype", self->authtype);
  g_key_file_set_string (key_file, group, "smtp-server", self->smtp_server);
  g_key_file_set_integer (key_file, group, "smtp-port", self->smtp_port);
  g_key_file_set_string (key_file, group, "smtp-security",
                         mail_setup_security_to_string (self->smtp_security));
  g_key_file_set_string (key_file, group, "smtp-username", self->smtp_username);
  g_key_file_set_boolean (key_file, group, "check-smtp", self->check_smtp);
}

/* The keyring items of a saved account: its receiving server's and, for a
 * password, its outgoing server's with the same secret. A Microsoft
 * sign-in's one refresh token serves both servers. The keys point into the
 * saved accounts, which the list keeps. */
typedef struct
{
  MailSetupSavedAccount *owners[2];
  MailSetupSecretKey     keys[2];
  guint                  n_keys;
} KeyList;

static void
key_list_free (KeyList *list)
{
  for (guint i = 0; i < list->n_keys; i++)
    g_clear_object (&list->owners[i]);
  g_free (list);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeyList, key_list_free)

static gboolean
secret_key_equal (const MailSetupSecretKey *a,
                  const MailSetupSecretKey *b)
{
  return g_str_equal (a->user, b->user) && g_str_equal (a->server, b->server) &&
         a->port == b->port && g_str_equal (a->protocol, b->protocol) &&
         g_str_equal (a->email, b->email) && g_str_equal (a->authtype, b->authtype);
}

static guint
saved_account_get_secret_keys (MailSetupSavedAccount *self,
                               MailSetupSecretKey     keys[2])
{
  mail_setup_saved_account_get_secret_key (self, &keys[0]);

  return mail_setup_saved_account_get_smtp_secret_key (self, &keys[1]) ? 2 : 1;
}

/* The items of SAVED that EXCEPT (which may be NULL) does not have. */
static KeyList *
key_list_new (MailSetupSavedAccount *saved,
              MailSetupSavedAccount *except)
{
  KeyList *list = g_new0 (KeyList, 1);
  MailSetupSecretKey keys[2], except_keys[2];
  guint n_keys = saved_account_get_secret_keys (saved, keys);
  guint n_except = except != NULL ? saved_account_get_secret_keys (except, except_keys) : 0;

  for (guint i = 0; i < n_keys; i++)
    {
      gboolean excepted = FALSE;

      for (guint j = 0; j < n_except; j++)
        excepted |= secret_key_equal (&keys[i], &except_keys[j]);
      if (excepted)
        continue;

      list->owners[list->n_keys] = g_object_ref (saved);
      list->keys[list->n_keys] = keys[i];
      list->n_keys++;
    }

  return list;
}

/* Adds the access token's item of a Microsoft sign-in, to delete it with
 * the others: a sign-in has one item of its own, so there is room. */
static KeyList *
key_list_add_access_token (KeyList               *list,
                           MailSetupSavedAccount *saved)
{
  MailSetupSecretKey key;

  if (list->n_keys < G_N_ELEMENTS (list->keys) &&
      mail_setup_saved_account_get_access_token_key (saved, &key))
    {
      list->owners[list->n_keys] = g_object_ref (saved);
      list->keys[list->n_keys] = key;
      list->n_keys++;
    }

  return list;
}

/* Stores SECRET in, or with SECRET NULL deletes, every item of a list, one
 * after the other, and stops at the first error. */
typedef struct
{
  KeyList         *list;
  guint            next;
  MailSetupSecret *secret;
} ItemsData;

static void
items_data_free (ItemsData *data)
{
  g_clear_pointer (&data->list, key_list_free);
  g_clear_pointer (&data->secret, mail_setup_secret_free);
  g_free (data);
}

static void items_next (GTask *task);

static void
items_step_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ItemsData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean done;

  done = data->secret != NULL ? mail_setup_secret_store_save_finish (result, &error)
                              : mail_setup_secret_store_delete_finish (result, &error);
  if (!done)
    {
      g_task_return_error (task, error);
      return;
    }

  data->next++;
  items_next (g_steal_pointer (&task));
}

static void
items_next (GTask *task)
{
  ItemsData *data = g_task_get_task_data (task);
  const MailSetupSecretKey *key;

  if (data->next == data->list->n_keys)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  key = &data->list->keys[data->next];
  if (data->secret != NULL)
    mail_setup_secret_store_save_async (key, data->secret, g_task_get_cancellable (task),
                                        items_step_cb, task);
  else
    mail_setup_secret_store_delete_async (key, g_task_get_cancellable (task), items_step_cb, task);
}

static void
items_apply_async (KeyList             *list,
                   const char          *secret,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  ItemsData *data = g_new0 (ItemsData, 1);

  g_task_set_source_tag (task, items_apply_async);
  data->list = list;
  data->secret = secret != NULL ? mail_setup_secret_new (secret) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) items_data_free);

  items_next (task);
}

/* N_DONE: how many items were stored or deleted, also after an error. */
static gboolean
items_apply_finish (GAsyncResult  *result,
                    guint         *n_done,
                    GError       **error)
{
  ItemsData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (n_done != NULL)
    *n_done = data->next;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A missing file, or a missing folder on the way to it, is no accounts yet. */
static GKeyFile *
load_key_file (const char  *path,
               GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_KEEP_COMMENTS, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
    {
      g_set_error (error, MAIL_SETUP_ACCOUNT_STORE_ERROR,
                   MAIL_SETUP_ACCOUNT_STORE_ERROR_UNREADABLE,
                   _("The saved accounts in %s cannot be read: %s. Correct the file or move "
                     "it away, then try again."), path, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&key_file);
}

/* Atomically: a crash leaves the old file or the new one, never half. */
static gboolean
save_key_file (GKeyFile    *key_file,
               const char  *path,
               GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, MAIL_SETUP_ACCOUNT_STORE_ERROR,
                   MAIL_SETUP_ACCOUNT_STORE_ERROR_WRITE_FAILED,
                   _("The account settings could not be saved: the folder %s cannot be "
                     "created (%s)."), folder, g_strerror (saved_errno));
      return FALSE;
    }

  data = g_key_file_to_data (key_file, &length, NULL);
  if (!g_file_set_contents_full (path, data, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, MAIL_SETUP_ACCOUNT_STORE_ERROR,
                   MAIL_SETUP_ACCOUNT_STORE_ERROR_WRITE_FAILED,
                   _("The account settings could not be saved: %s."), local_error->message);
      return FALSE;
    }

  return TRUE;
}

static void
mail_setup_saved_account_finalize (GObject *object)
{
  MailSetupSavedAccount *self = MAIL_SETUP_SAVED_ACCOUNT (object);

  g_free (self->email);
  g_free (self->provider_id);
  g_free (self->server);
  g_free (self->username);
  g_free (self->display_name);
  g_free (self->authtype);
  g_free (self->smtp_server);
  g_free (self->smtp_username);

  G_OBJECT_CLASS (mail_setup_saved_account_parent_class)->finalize (object);
}

static void
mail_setup_saved_account_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  MailSetupSavedAccount *self = MAIL_SETUP_SAVED_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_PROVIDER_ID:
      g_value_set_string (value, self->provider_id);
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
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_AUTHTYPE:
      g_value_set_string (value, self->authtype);
      break;
    case PROP_SECRET_MISSING:
      g_value_set_boolean (value, self->secret_missing);
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mail_setup_saved_account_class_init (MailSetupSavedAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = mail_setup_saved_account_finalize;
  object_class->get_property = mail_setup_saved_account_get_property;

  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, flags);
  properties[PROP_PROVIDER_ID] = g_param_spec_string ("provider-id", NULL, NULL, NULL, flags);
  properties[PROP_SERVER] = g_param_spec_string ("server", NULL, NULL, NULL, flags);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 993, flags);
  properties[PROP_SECURITY] = g_param_spec_enum ("security", NULL, NULL, MAIL_SETUP_TYPE_SECURITY,
                                                 MAIL_SETUP_SECURITY_SSL_TLS, flags);
  properties[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, flags);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, flags);
  properties[PROP_AUTHTYPE] = g_param_spec_string ("authtype", NULL, NULL, NULL, flags);
  properties[PROP_SECRET_MISSING] = g_param_spec_boolean ("secret-missing", NULL, NULL, FALSE,
                                                          flags | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SMTP_SERVER] = g_param_spec_string ("smtp-server", NULL, NULL, NULL, flags);
  properties[PROP_SMTP_PORT] = g_param_spec_uint ("smtp-port", NULL, NULL, 0, G_MAXUINT16, 587,
                                                  flags);
  properties[PROP_SMTP_SECURITY] = g_param_spec_enum ("smtp-security", NULL, NULL,
                                                      MAIL_SETUP_TYPE_SECURITY,
                                                      MAIL_SETUP_SECURITY_STARTTLS, flags);
  properties[PROP_SMTP_USERNAME] = g_param_spec_string ("smtp-username", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mail_setup_saved_account_init (MailSetupSavedAccount *self)
{
}

const char *
mail_setup_saved_account_get_email (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), NULL);
  return self->email;
}

/* Empty when the account was saved without a provider. */
const char *
mail_setup_saved_account_get_provider_id (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), NULL);
  return self->provider_id;
}

const char *
mail_setup_saved_account_get_server (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), NULL);
  return self->server;
}

guint16
mail_setup_saved_account_get_port (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), 0);
  return self->port;
}

MailSetupSecurity
mail_setup_saved_account_get_security (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), MAIL_SETUP_SECURITY_SSL_TLS);
  return self->security;
}

/* The sign-in name: never empty, the address when the user gave no other. */
const char *
mail_setup_saved_account_get_username (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), NULL);
  return self->username;
}

const char *
mail_setup_saved_account_get_display_name (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), NULL);
  return self->display_name;
}

const char *
mail_setup_saved_account_get_authtype (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), NULL);
  return self->authtype;
}

gboolean
mail_setup_saved_account_get_secret_missing (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), FALSE);
  return self->secret_missing;
}

/* Fills KEY with pointers into SELF, valid while SELF lives. */
void
mail_setup_saved_account_get_secret_key (MailSetupSavedAccount *self,
                                         MailSetupSecretKey    *key)
{
  g_return_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self));
  g_return_if_fail (key != NULL);

  key->user = self->username;
  key->server = self->server;
  key->port = self->port;
  key->protocol = MAIL_SETUP_SECRET_PROTOCOL_IMAP;
  key->email = self->email;
  key->authtype = self->authtype;
}

const char *
mail_setup_saved_account_get_smtp_server (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), NULL);
  return self->smtp_server;
}

guint16
mail_setup_saved_account_get_smtp_port (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), 0);
  return self->smtp_port;
}

MailSetupSecurity
mail_setup_saved_account_get_smtp_security (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), MAIL_SETUP_SECURITY_STARTTLS);
  return self->smtp_security;
}

/* The outgoing server's sign-in name: never empty, the receiving server's
 * when the user gave no other. */
gboolean
mail_setup_saved_account_get_check_smtp (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), TRUE);
  return self->check_smtp;
}

const char *
mail_setup_saved_account_get_smtp_username (MailSetupSavedAccount *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), NULL);
  return self->smtp_username;
}

/* Fills KEY, as mail_setup_saved_account_get_secret_key() does, with the
 * outgoing server's item. FALSE for a Microsoft sign-in, whose one item
 * serves both servers. */
gboolean
mail_setup_saved_account_get_smtp_secret_key (MailSetupSavedAccount *self,
                                              MailSetupSecretKey    *key)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!g_str_equal (self->authtype, AUTHTYPE_PASSWORD))
    return FALSE;

  key->user = self->smtp_username;
  key->server = self->smtp_server;
  key->port = self->smtp_port;
  key->protocol = MAIL_SETUP_SECRET_PROTOCOL_SMTP;
  key->email = self->email;
  key->authtype = self->authtype;

  return TRUE;
}

/* Fills KEY, as mail_setup_saved_account_get_secret_key() does, with the
 * item that keeps a Microsoft sign-in's access token. FALSE for a password
 * account, which has none. */
gboolean
mail_setup_saved_account_get_access_token_key (MailSetupSavedAccount *self,
                                               MailSetupSecretKey    *key)
{
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!g_str_equal (self->authtype, MAIL_SETUP_SECRET_AUTHTYPE_OAUTH2))
    return FALSE;

  mail_setup_saved_account_get_secret_key (self, key);
  key->authtype = MAIL_SETUP_SECRET_AUTHTYPE_OAUTH2_ACCESS;

  return TRUE;
}

/* Puts the saved settings into ACCOUNT, as if typed, with no password and
 * no Microsoft sign-in: the one mapping from a saved account to the
 * wizard's, for "Test again" and "Change password". A provider that is no
 * longer in the catalog is "other". */
void
mail_setup_saved_account_load_into (MailSetupSavedAccount *self,
                                    MailSetupAccount      *account)
{
  MailSetupProvider *provider;

  g_return_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self));
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (account));

  provider = mail_setup_provider_catalog_lookup (self->provider_id);
  if (provider == NULL)
    provider = mail_setup_provider_catalog_lookup ("other");

  mail_setup_account_use_password (account);
  mail_setup_account_set_password (account, "");
  mail_setup_account_set_email (account, self->email);
  /* The provider first: choosing it fills in its own server settings. */
  mail_setup_account_choose_provider (account, provider);
  mail_setup_account_set_server (account, self->server);
  mail_setup_account_set_port (account, self->port);
  mail_setup_account_set_security (account, self->security);
  mail_setup_account_set_username (account,
                                   g_str_equal (self->username, self->email) ? "" : self->username);
  mail_setup_account_set_display_name (account, self->display_name);

  /* The outgoing server as the account offers it stays the account's own
   * guess, which follows the receiving server; only another is set. */
  if (g_strcmp0 (mail_setup_account_get_smtp_server (account), self->smtp_server) != 0 ||
      mail_setup_account_get_smtp_port (account) != self->smtp_port ||
      mail_setup_account_get_smtp_security (account) != self->smtp_security)
    {
      mail_setup_account_set_smtp_server (account, self->smtp_server);
      mail_setup_account_set_smtp_port (account, self->smtp_port);
      mail_setup_account_set_smtp_security (account, self->smtp_security);
    }
  mail_setup_account_set_smtp_username (account,
                                        g_str_equal (self->smtp_username, self->username)
                                        ? "" : self->smtp_username);
  mail_setup_account_set_check_smtp (account, self->check_smtp);
}

/**
 * mail_setup_saved_account_create_account:
 *
 * Returns: (transfer full): a wizard account with the saved settings and no
 *   password, for "Test again" and "Change password"
 */
MailSetupAccount *
mail_setup_saved_account_create_account (MailSetupSavedAccount *self)
{
  g_autoptr(MailSetupAccount) account = NULL;

  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (self), NULL);

  account = mail_setup_account_new ();
  mail_setup_saved_account_load_into (self, account);

  return g_steal_pointer (&account);
}

char *
mail_setup_account_store_get_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "mail-setup", "accounts.ini", NULL);
}

GListModel *
mail_setup_account_store_list (GError **error)
{
  g_autofree char *path = mail_setup_account_store_get_path ();
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GListStore) accounts = NULL;
  g_auto(GStrv) groups = NULL;

  key_file = load_key_file (path, error);
  if (key_file == NULL)
    return NULL;

  accounts = g_list_store_new (MAIL_SETUP_TYPE_SAVED_ACCOUNT);
  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autoptr(MailSetupSavedAccount) saved = saved_account_new_from_key_file (key_file,
                                                                                groups[i]);

      if (saved != NULL)
        g_list_store_append (accounts, saved);
    }

  return G_LIST_MODEL (g_steal_pointer (&accounts));
}

MailSetupSavedAccount *
mail_setup_account_store_find (const char  *email,
                               GError     **error)
{
  g_autofree char *path = mail_setup_account_store_get_path ();
  g_autoptr(GKeyFile) key_file = NULL;
  MailSetupSavedAccount *saved = NULL;

  g_return_val_if_fail (email != NULL, NULL);

  key_file = load_key_file (path, error);
  if (key_file == NULL)
    return NULL;

  if (g_key_file_has_group (key_file, email))
    saved = saved_account_new_from_key_file (key_file, email);
  if (saved == NULL)
    g_set_error (error, MAIL_SETUP_ACCOUNT_STORE_ERROR, MAIL_SETUP_ACCOUNT_STORE_ERROR_NOT_FOUND,
                 _("No account is saved for %s."), email);

  return saved;
}

/* Saving. */

typedef struct
{
  MailSetupSavedAccount *saved;
  MailSetupSavedAccount *previous;
  GError                *write_error;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->saved);
  g_clear_object (&data->previous);
  g_clear_error (&data->write_error);
  g_free (data);
}

static void
save_old_item_deleted_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The account is saved; an item left under the old sign-in name or
   * server is clutter, not a reason to report failure. */
  if (!items_apply_finish (result, NULL, &error))
    g_warning ("The old keyring item of %s was not deleted: %s",
               data->saved->email, error->message);

  g_task_return_pointer (task, g_object_ref (data->saved), g_object_unref);
}

static void
save_rolled_back_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!items_apply_finish (result, NULL, &error))
    g_warning ("The keyring item of %s stays although its settings were not saved: %s",
               data->saved->email, error->message);

  g_task_return_error (task, g_steal_pointer (&data->write_error));
}

/* A failed save leaves no new item behind. An item that was already there
 * with the same attributes has been replaced: it still belongs to the
 * account in the keyfile, and its new secret is the one that just passed
 * the check, so it stays. */
static void
save_roll_back (GTask  *task,
                GError *error)
{
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(KeyList) new_items = key_list_new (data->saved, data->previous);

  if (new_items->n_keys == 0)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  data->write_error = error;
  items_apply_async (g_steal_pointer (&new_items), NULL, NULL, save_rolled_back_cb, task);
}

static void
save_secret_stored_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SaveData *data = g_task_get_task_data (task);
  g_autofree char *path = mail_setup_account_store_get_path ();
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(KeyList) old_items = NULL;
  GError *error = NULL;
  guint n_stored = 0;

  /* From here on the keyring may hold the secret, so cancelling no longer
   * stops the save halfway: the rollback and the clean-up below run
   * without the cancellable. */
  if (!items_apply_finish (result, &n_stored, &error))
    {
      if (n_stored == 0)
        g_task_return_error (task, error);
      else
        save_roll_back (g_steal_pointer (&task), error);
      return;
    }

  /* The keyfile is read again, as it may have changed while the keyring
   * worked. */
  key_file = load_key_file (path, &error);
  if (key_file != NULL)
    {
      saved_account_to_key_file (data->saved, key_file);
      save_key_file (key_file, path, &error);
    }

  if (error != NULL)
    {
      save_roll_back (g_steal_pointer (&task), error);
      return;
    }

  if (data->previous != NULL)
    {
      /* The access token that --token kept belongs to the sign-in that
       * this one replaces. */
      old_items = key_list_add_access_token (key_list_new (data->previous, data->saved),
                                             data->previous);
      if (old_items->n_keys > 0)
        {
          items_apply_async (g_steal_pointer (&old_items), NULL, NULL, save_old_item_deleted_cb,
                             g_steal_pointer (&task));
          return;
        }
    }

  g_task_return_pointer (task, g_object_ref (data->saved), g_object_unref);
}

static const char *
validate_for_saving (MailSetupAccount *account)
{
  const char *email = mail_setup_account_get_email (account);
  const char *problem = mail_setup_validate_email (email);
  guint port = mail_setup_account_get_port (account);

  if (problem != NULL)
    return problem;
  /* Keyfile group names cannot hold brackets. */
  if (strpbrk (email, "[]") != NULL)
    return _("An e-mail address with “[” or “]” cannot be saved");
  if ((problem = mail_setup_validate_server (mail_setup_account_get_server (account))) != NULL)
    return problem;
  if (port == 0 || port > G_MAXUINT16)
    return _("The port must be between 1 and 65535");
  if (*mail_setup_account_get_sign_in_name (account) == '\0')
    return _("Enter the sign-in name");
  if ((problem = mail_setup_validate_server (mail_setup_account_get_smtp_server (account))) != NULL)
    return problem;
  port = mail_setup_account_get_smtp_port (account);
  if (port == 0 || port > G_MAXUINT16)
    return _("The port must be between 1 and 65535");

  return NULL;
}

void
mail_setup_account_store_save_async (MailSetupAccount    *account,
                                     const char          *secret,
                                     const char          *authtype,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GError) error = NULL;
  MailSetupProvider *provider;
  SaveData *data;
  const char *problem;
  const char *email;

  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (account));
  g_return_if_fail (secret != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_account_store_save_async);
  /* Once the keyring has the secret, the result says what was written,
   * cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);

  if ((problem = validate_for_saving (account)) != NULL)
    {
      g_task_return_new_error (task, MAIL_SETUP_ACCOUNT_STORE_ERROR,
                               MAIL_SETUP_ACCOUNT_STORE_ERROR_INVALID, "%s", problem);
      return;
    }

  /* A keyfile that cannot be read would be overwritten: stop before the
   * keyring is touched. */
  path = mail_setup_account_store_get_path ();
  key_file = load_key_file (path, &error);
  if (key_file == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  email = mail_setup_account_get_email (account);
  provider = mail_setup_account_get_provider (account);
  data = g_new0 (SaveData, 1);
  data->saved = saved_account_new (email,
                                   provider != NULL ? mail_setup_provider_get_id (provider) : "",
                                   mail_setup_account_get_server (account),
                                   (guint16) mail_setup_account_get_port (account),
                                   mail_setup_account_get_security (account),
                                   mail_setup_account_get_sign_in_name (account),
                                   mail_setup_account_get_display_name (account),
                                   authtype);
  saved_account_set_smtp (data->saved, mail_setup_account_get_smtp_server (account),
                          (guint16) mail_setup_account_get_smtp_port (account),
                          mail_setup_account_get_smtp_security (account),
                          mail_setup_account_get_smtp_sign_in_name (account));
  data->saved->check_smtp = mail_setup_account_get_check_smtp (account);
  if (g_key_file_has_group (key_file, email))
    data->previous = saved_account_new_from_key_file (key_file, email);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);

  items_apply_async (key_list_new (data->saved, NULL), secret, cancellable,
                     save_secret_stored_cb, g_steal_pointer (&task));
}

/**
 * mail_setup_account_store_save_finish:
 *
 * Returns: (transfer full): the account as saved, or NULL with an error in
 *   MAIL_SETUP_KEYRING_ERROR (nothing was written) or
 *   MAIL_SETUP_ACCOUNT_STORE_ERROR
 */
MailSetupSavedAccount *
mail_setup_account_store_save_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Removing. */

static void
remove_secret_deleted_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MailSetupSavedAccount *saved = g_task_get_task_data (task);
  g_autofree char *path = mail_setup_account_store_get_path ();
  g_autoptr(GKeyFile) key_file = NULL;
  GError *error = NULL;

  if (!items_apply_finish (result, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  key_file = load_key_file (path, &error);
  if (key_file != NULL)
    {
      g_key_file_remove_group (key_file, saved->email, NULL);
      save_key_file (key_file, path, &error);
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
mail_setup_account_store_remove_async (const char          *email,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  MailSetupSavedAccount *saved;
  GError *error = NULL;

  g_return_if_fail (email != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_account_store_remove_async);

  saved = mail_setup_account_store_find (email, &error);
  if (saved == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, saved, g_object_unref);

  /* The keyring first: when it fails, the account stays listed and
   * removing it can be tried again. */
  items_apply_async (key_list_add_access_token (key_list_new (saved, NULL), saved), NULL,
                     cancellable, remove_secret_deleted_cb, g_steal_pointer (&task));
}

gboolean
mail_setup_account_store_remove_finish (GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Marking accounts whose secret is missing. */

typedef struct
{
  GListModel *accounts;
  guint       position;
} RefreshData;

static void
refresh_data_free (RefreshData *data)
{
  g_clear_object (&data->accounts);
  g_free (data);
}

static void refresh_next (GTask *task);

static void
refresh_has_item_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RefreshData *data = g_task_get_task_data (task);
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  GError *error = NULL;
  gboolean found;

  found = mail_setup_secret_store_has_item_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  saved = g_list_model_get_item (data->accounts, data->position);
  if (saved != NULL)
    saved_account_set_secret_missing (saved, !found);
  data->position++;
  refresh_next (g_steal_pointer (&task));
}

static void
refresh_next (GTask *task)
{
  RefreshData *data = g_task_get_task_data (task);
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  MailSetupSecretKey key;

  saved = g_list_model_get_item (data->accounts, data->position);
  if (saved == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  mail_setup_saved_account_get_secret_key (saved, &key);
  mail_setup_secret_store_has_item_async (&key, g_task_get_cancellable (task),
                                          refresh_has_item_cb, task);
}

void
mail_setup_account_store_refresh_secrets_async (GListModel          *accounts,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  GTask *task;
  RefreshData *data;

  g_return_if_fail (G_IS_LIST_MODEL (accounts));
  g_return_if_fail (g_list_model_get_item_type (accounts) == MAIL_SETUP_TYPE_SAVED_ACCOUNT);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_account_store_refresh_secrets_async);

  data = g_new0 (RefreshData, 1);
  data->accounts = g_object_ref (accounts);
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);

  refresh_next (task);
}

gboolean
mail_setup_account_store_refresh_secrets_finish (GAsyncResult  *result,
                                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reading a stored secret. */

static void
lookup_secret_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MailSetupSavedAccount *saved = g_task_get_task_data (task);
  g_autoptr(MailSetupSecret) secret = NULL;
  GError *error = NULL;

  secret = mail_setup_secret_store_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  saved_account_set_secret_missing (saved, secret == NULL);
  if (secret == NULL)
    g_task_return_new_error (task, MAIL_SETUP_ACCOUNT_STORE_ERROR,
                             MAIL_SETUP_ACCOUNT_STORE_ERROR_SECRET_MISSING,
                             _("The keyring has no password for %s. Use Change password to "
                               "store it again."), saved->email);
  else
    g_task_return_pointer (task, g_steal_pointer (&secret),
                           (GDestroyNotify) mail_setup_secret_free);
}

void
mail_setup_account_store_lookup_secret_async (MailSetupSavedAccount *saved,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  MailSetupSecretKey key;

  g_return_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (saved));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_account_store_lookup_secret_async);
  g_task_set_task_data (task, g_object_ref (saved), g_object_unref);

  mail_setup_saved_account_get_secret_key (saved, &key);
  mail_setup_secret_store_lookup_async (&key, cancellable, lookup_secret_cb,
                                        g_steal_pointer (&task));
}

MailSetupSecret *
mail_setup_account_store_lookup_secret_finish (GAsyncResult  *result,
                                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
update_secret_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (items_apply_finish (result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
mail_setup_account_store_update_secret_async (MailSetupSavedAccount *saved,
                                              const char            *secret,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (saved));
  g_return_if_fail (secret != NULL && *secret != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_account_store_update_secret_async);

  /* A password's two items keep the same secret. */
  items_apply_async (key_list_new (saved, NULL), secret, cancellable, update_secret_cb,
                     g_steal_pointer (&task));
}

gboolean
mail_setup_account_store_update_secret_finish (GAsyncResult  *result,
                                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The access token of a Microsoft sign-in. */

/* "EXPIRES_AT\nTOKEN" (see the header), read without copying the token
 * anywhere that is not wiped. */
static MailSetupSecret *
parse_access_token (const char *stored,
                    gint64     *expires_at)
{
  const char *newline = strchr (stored, '\n');
  g_autofree char *number = NULL;
  guint64 value;

  if (newline == NULL || newline == stored || newline[1] == '\0' ||
      strpbrk (newline + 1, "\r\n") != NULL)
    return NULL;

  number = g_strndup (stored, newline - stored);
  if (!g_ascii_string_to_unsigned (number, 10, 0, G_MAXINT64, &value, NULL))
    return NULL;

  *expires_at = (gint64) value;
  return mail_setup_secret_new (newline + 1);
}

static void
lookup_access_token_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  gint64 *expires_at = g_task_get_task_data (task);
  g_autoptr(MailSetupSecret) stored = NULL;
  GError *error = NULL;

  stored = mail_setup_secret_store_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, stored != NULL ? parse_access_token (stored, expires_at) : NULL,
                         (GDestroyNotify) mail_setup_secret_free);
}

void
mail_setup_account_store_lookup_access_token_async (MailSetupSavedAccount *saved,
                                                    GCancellable          *cancellable,
                                                    GAsyncReadyCallback    callback,
                                                    gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  MailSetupSecretKey key;

  g_return_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (saved));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_account_store_lookup_access_token_async);
  g_task_set_task_data (task, g_new0 (gint64, 1), g_free);

  if (!mail_setup_saved_account_get_access_token_key (saved, &key))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  mail_setup_secret_store_lookup_async (&key, cancellable, lookup_access_token_cb,
                                        g_steal_pointer (&task));
}

MailSetupSecret *
mail_setup_account_store_lookup_access_token_finish (GAsyncResult  *result,
                                                     gint64        *expires_at,
                                                     GError       **error)
{
  MailSetupSecret *token;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  token = g_task_propagate_pointer (G_TASK (result), error);
  if (expires_at != NULL)
    *expires_at = token != NULL ? *(gint64 *) g_task_get_task_data (G_TASK (result)) : 0;

  return token;
}

static void
save_access_token_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (mail_setup_secret_store_save_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
mail_setup_account_store_save_access_token_async (MailSetupSavedAccount *saved,
                                                  const char            *access_token,
                                                  gint64                 expires_at,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(MailSetupSecret) stored = NULL;
  MailSetupSecretKey key;

  g_return_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (saved));
  g_return_if_fail (access_token != NULL && *access_token != '\0');
  g_return_if_fail (strpbrk (access_token, "\r\n") == NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_account_store_save_access_token_async);

  if (!mail_setup_saved_account_get_access_token_key (saved, &key))
    {
      g_task_return_new_error (task, MAIL_SETUP_ACCOUNT_STORE_ERROR,
                               MAIL_SETUP_ACCOUNT_STORE_ERROR_INVALID,
                               _("%s does not sign in with Microsoft."), saved->email);
      return;
    }

  stored = g_malloc0 (strlen (access_token) + 32);
  g_snprintf (stored, strlen (access_token) + 32, "%" G_GINT64_FORMAT "\n%s", expires_at,
              access_token);
  mail_setup_secret_store_save_async (&key, stored, cancellable, save_access_token_cb,
                                      g_steal_pointer (&task));
}

gboolean
mail_setup_account_store_save_access_token_finish (GAsyncResult  *result,
                                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

struct _MailSetupAccountStore
{
  GObject     parent_instance;

  GListStore *accounts;
};

G_DEFINE_FINAL_TYPE (MailSetupAccountStore, mail_setup_account_store, G_TYPE_OBJECT)

static void
mail_setup_account_store_finalize (GObject *object)
{
  MailSetupAccountStore *self = MAIL_SETUP_ACCOUNT_STORE (object);

  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (mail_setup_account_store_parent_class)->finalize (object);
}

static void
mail_setup_account_store_class_init (MailSetupAccountStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mail_setup_account_store_finalize;
}

static void
mail_setup_account_store_init (MailSetupAccountStore *self)
{
  self->accounts = g_list_store_new (MAIL_SETUP_TYPE_SAVED_ACCOUNT);
}

MailSetupAccountStore *
mail_setup_account_store_new (void)
{
  return g_object_new (MAIL_SETUP_TYPE_ACCOUNT_STORE, NULL);
}

GListModel *
mail_setup_account_store_get_accounts (MailSetupAccountStore *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT_STORE (self), NULL);

  return G_LIST_MODEL (self->accounts);
}

gboolean
mail_setup_account_store_reload (MailSetupAccountStore  *self,
                                 GError                **error)
{
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (MAIL_SETUP_IS_ACCOUNT_STORE (self), FALSE);

  accounts = mail_setup_account_store_list (error);
  if (accounts == NULL)
    return FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    g_ptr_array_add (items, g_list_model_get_item (accounts, i));

  /* One change, so that a bound view rebuilds once. */
  g_list_store_splice (self->accounts, 0, g_list_model_get_n_items (G_LIST_MODEL (self->accounts)),
                       items->pdata, items->len);

  return TRUE;
}

