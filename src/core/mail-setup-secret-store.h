/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/*
 * The keyring item of one account. Other programs find the secret with
 * `secret-tool lookup user USER server SERVER protocol imap`.
 */
typedef struct
{
  const char *user;
  const char *server;
  guint16     port;
  const char *protocol;
  const char *email;
  const char *authtype;
} MailSetupSecretKey;

const SecretSchema *mail_setup_secret_store_get_schema (void);

void      mail_setup_secret_store_save_async    (const MailSetupSecretKey *key,
                                                 const char               *label,
                                                 const char               *secret,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  user_data);
gboolean  mail_setup_secret_store_save_finish   (GAsyncResult             *result,
                                                 GError                  **error);
void      mail_setup_secret_store_lookup_async  (const MailSetupSecretKey *key,
                                                 GCancellable             *cancellable,
                                                 GAsyncReadyCallback       callback,
                                                 gpointer                  user_data);
char     *mail_setup_secret_store_lookup_finish (GAsyncResult             *result,
                                                 GError                  **error);

G_END_DECLS
