/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "mail-setup-secret-store.h"

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
      { NULL, 0 },
    },
  };

  return &schema;
}

static GHashTable *
mail_setup_secret_key_to_attributes (const MailSetupSecretKey *key)
{
  return secret_attributes_build (mail_setup_secret_store_get_schema (),
                                  "user", key->user,
                                  "server", key->server,
                                  "port", (int) key->port,
                                  "protocol", key->protocol,
                                  "email", key->email,
                                  "authtype", key->authtype,
                                  NULL);
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
    g_task_return_error (task, error);
}

void
mail_setup_secret_store_save_async (const MailSetupSecretKey *key,
                                    const char               *label,
                                    const char               *secret,
                                    GCancellable             *cancellable,
                                    GAsyncReadyCallback       callback,
                                    gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (key != NULL);
  g_return_if_fail (label != NULL);
  g_return_if_fail (secret != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_secret_store_save_async);

  /* Storing with the same attributes replaces the item: one account, one item. */
  attributes = mail_setup_secret_key_to_attributes (key);
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
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

void
mail_setup_secret_store_lookup_async (const MailSetupSecretKey *key,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (key != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_secret_store_lookup_async);

  attributes = mail_setup_secret_key_to_attributes (key);
  secret_password_lookupv (mail_setup_secret_store_get_schema (), attributes, cancellable,
                           mail_setup_secret_store_lookup_cb, g_steal_pointer (&task));
}

/* Returns the secret, or NULL without an error when there is no such item.
 * Free it with secret_password_free(), which wipes it first. */
char *
mail_setup_secret_store_lookup_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
