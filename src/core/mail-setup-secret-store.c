/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-setup-secret-store.h"

G_DEFINE_QUARK (mail-setup-keyring-error-quark, mail_setup_keyring_error)

static gboolean
is_missing_service (const GError *error)
{
  static const int missing[] = {
    G_DBUS_ERROR_SERVICE_UNKNOWN,
    G_DBUS_ERROR_NAME_HAS_NO_OWNER,
    G_DBUS_ERROR_NO_SERVER,
    G_DBUS_ERROR_DISCONNECTED,
    G_DBUS_ERROR_SPAWN_EXEC_FAILED,
    G_DBUS_ERROR_SPAWN_FORK_FAILED,
    G_DBUS_ERROR_SPAWN_CHILD_EXITED,
    G_DBUS_ERROR_SPAWN_CHILD_SIGNALED,
    G_DBUS_ERROR_SPAWN_FAILED,
    G_DBUS_ERROR_SPAWN_SETUP_FAILED,
    G_DBUS_ERROR_SPAWN_CONFIG_INVALID,
    G_DBUS_ERROR_SPAWN_SERVICE_INVALID,
    G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND,
    G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID,
    G_DBUS_ERROR_SPAWN_FILE_INVALID,
  };

  if (error->domain == G_DBUS_ERROR)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (missing); i++)
        {
          if (error->code == missing[i])
            return TRUE;
        }
      return FALSE;
    }

  /* libsecret reports a session bus it cannot reach (no address, a socket
   * that is gone) in the G_IO_ERROR domain; errors that the service itself
   * sent come as G_IO_ERROR_DBUS_ERROR or in the other domains. */
  return error->domain == G_IO_ERROR &&
         error->code != G_IO_ERROR_DBUS_ERROR &&
         error->code != G_IO_ERROR_TIMED_OUT &&
         error->code != G_IO_ERROR_CANCELLED;
}

/**
 * mail_setup_secret_store_translate_error:
 * @error: an error from libsecret
 *
 * Returns: (transfer full): the same failure in the MAIL_SETUP_KEYRING_ERROR
 *   domain, with a message for the user
 */
GError *
mail_setup_secret_store_translate_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == MAIL_SETUP_KEYRING_ERROR)
    return g_error_copy (error);

  /* libsecret ends an unlock prompt that the user dismissed as cancelled. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new_literal (MAIL_SETUP_KEYRING_ERROR, MAIL_SETUP_KEYRING_ERROR_DISMISSED,
                                _("The keyring stayed locked because the request to unlock it "
                                  "was dismissed. Try again, and enter your keyring password "
                                  "(usually your login password) when asked."));

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    return g_error_new_literal (MAIL_SETUP_KEYRING_ERROR, MAIL_SETUP_KEYRING_ERROR_LOCKED,
                                _("The keyring is locked. Unlock it (for example in Passwords "
                                  "and Keys, or by logging out and in again), then try again."));

  if (is_missing_service (error))
    return g_error_new_literal (MAIL_SETUP_KEYRING_ERROR, MAIL_SETUP_KEYRING_ERROR_NO_SERVICE,
                                _("No keyring service is running. Install and start GNOME "
                                  "Keyring (the gnome-keyring package), then try again."));

  return g_error_new (MAIL_SETUP_KEYRING_ERROR, MAIL_SETUP_KEYRING_ERROR_FAILED,
                      /* TRANSLATORS: %s is the keyring's own description of the error. */
                      _("The keyring reported an error: %s. Try again; if it keeps failing, "
                        "log out and in again so that GNOME Keyring restarts."),
                      error->message);
}

/* A cancellation that the caller asked for stays G_IO_ERROR_CANCELLED;
 * every other error gets words for the user. */
static void
return_keyring_error (GTask  *task,
                      GError *error)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    g_task_return_error (task, error);
  else
    {
      g_task_return_error (task, mail_setup_secret_store_translate_error (error));
      g_error_free (error);
    }
}

const SecretSchema *
mail_setup_secret_store_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.mailsetup.Account",
    SECRET_SCHEMA_NONE,
    {
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "port", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
      { "protocol", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "email", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "authtype", SECRET_SCHEMA_ATTRIBUTE_STRING },
      /* msmtp's own names for an SMTP item's server and protocol. */
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* The label is the same in every language, as other programs show it next
 * to labels of their own. */
char *
mail_setup_secret_store_build_label (const MailSetupSecretKey *key)
{
  g_autofree char *protocol = NULL;

  g_return_val_if_fail (key != NULL && key->email != NULL && key->protocol != NULL, NULL);

  if (g_strcmp0 (key->authtype, MAIL_SETUP_SECRET_AUTHTYPE_OAUTH2_ACCESS) == 0)
    return g_strdup_printf ("Mail Setup: %s (access token)", key->email);

  protocol = g_ascii_strup (key->protocol, -1);

  return g_strdup_printf ("Mail Setup: %s (%s)", key->email, protocol);
}

/* An SMTP item also carries the attributes that msmtp looks its password
 * up by (host, service=smtp, user; its schema does not match on the schema
 * name), so that msmtp finds the password of a saved account by itself. */
static GHashTable *
mail_setup_secret_key_to_attributes (const MailSetupSecretKey *key)
{
  if (g_str_equal (key->protocol, MAIL_SETUP_SECRET_PROTOCOL_SMTP))
    return secret_attributes_build (mail_setup_secret_store_get_schema (),
                                    "user", key->user,
                                    "server", key->server,
                                    "port", (int) key->port,
                                    "protocol", key->protocol,
                                    "email", key->email,
                                    "authtype", key->authtype,
                                    "host", key->server,
                                    "service", key->protocol,
                                    NULL);

  return secret_attributes_build (mail_setup_secret_store_get_schema (),
                                  "user", key->user,
                                  "server", key->server,
                                  "port", (int) key->port,
                                  "protocol", key->protocol,
                                  "email", key->email,
                                  "authtype", key->authtype,
                                  NULL);
}

static gboolean
key_is_complete (const MailSetupSecretKey *key)
{
  return key != NULL && key->user != NULL && key->server != NULL && key->port != 0 &&
         key->protocol != NULL && key->email != NULL && key->authtype != NULL;
}

static void
mail_setup_secret_store_save_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    return_keyring_error (task, error);
}

void
mail_setup_secret_store_save_async (const MailSetupSecretKey *key,
                                    const char               *secret,
                                    GCancellable             *cancellable,
                                    GAsyncReadyCallback       callback,
                                    gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (key_is_complete (key));
  g_return_if_fail (secret != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_secret_store_save_async);

  /* Storing with the same attributes replaces the item: one account, one item. */
  attributes = mail_setup_secret_key_to_attributes (key);
  label = mail_setup_secret_store_build_label (key);
  secret_password_storev (mail_setup_secret_store_get_schema (), attributes,
                          SECRET_COLLECTION_DEFAULT, label, secret, cancellable,
                          mail_setup_secret_store_save_cb, g_steal_pointer (&task));
}

gboolean
mail_setup_secret_store_save_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
mail_setup_secret_store_lookup_cb (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      return_keyring_error (task, error);
      return;
    }

  /* libsecret's copy may live in its own secure memory, which only
   * secret_password_free() may give back. */
  g_task_return_pointer (task, mail_setup_secret_new (secret),
                         (GDestroyNotify) mail_setup_secret_free);
  secret_password_free (secret);
}

void
mail_setup_secret_store_lookup_async (const MailSetupSecretKey *key,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (key_is_complete (key));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_secret_store_lookup_async);

  attributes = mail_setup_secret_key_to_attributes (key);
  secret_password_lookupv (mail_setup_secret_store_get_schema (), attributes, cancellable,
                           mail_setup_secret_store_lookup_cb, g_steal_pointer (&task));
}

/* Returns: (transfer full) (nullable): the secret, wiped when freed with
 * mail_setup_secret_free(); NULL without an error when there is no item. */
MailSetupSecret *
mail_setup_secret_store_lookup_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
mail_setup_secret_store_has_item_cb (GObject      *source,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GList *items;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      return_keyring_error (task, error);
      return;
    }

  g_task_return_boolean (task, items != NULL);
  g_list_free_full (items, g_object_unref);
}

void
mail_setup_secret_store_has_item_async (const MailSetupSecretKey *key,
                                        GCancellable             *cancellable,
                                        GAsyncReadyCallback       callback,
                                        gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (key_is_complete (key));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_secret_store_has_item_async);

  /* Neither SECRET_SEARCH_UNLOCK nor SECRET_SEARCH_LOAD_SECRETS: listing
   * accounts must not make the keyring ask for a password. */
  attributes = mail_setup_secret_key_to_attributes (key);
  secret_password_searchv (mail_setup_secret_store_get_schema (), attributes,
                           SECRET_SEARCH_ALL, cancellable,
                           mail_setup_secret_store_has_item_cb, g_steal_pointer (&task));
}

gboolean
mail_setup_secret_store_has_item_finish (GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
mail_setup_secret_store_delete_cb (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error: there was nothing to delete, which is fine. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    return_keyring_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
mail_setup_secret_store_delete_async (const MailSetupSecretKey *key,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (key_is_complete (key));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_secret_store_delete_async);

  attributes = mail_setup_secret_key_to_attributes (key);
  secret_password_clearv (mail_setup_secret_store_get_schema (), attributes, cancellable,
                          mail_setup_secret_store_delete_cb, g_steal_pointer (&task));
}

gboolean
mail_setup_secret_store_delete_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
