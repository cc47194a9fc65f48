/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "mail-setup-secret.h"

G_BEGIN_DECLS

/*
 * A keyring item of one account, in the default keyring through the
 * Secret Service (libsecret). The schema is io.github.mailsetup.Account;
 * other programs find the secret with
 *
 *   secret-tool lookup user USER server SERVER protocol imap
 *
 * and a password account has a second item with the same secret for its
 * outgoing server (protocol smtp, that server's name, port and user name),
 * which also carries msmtp's attributes host=SERVER and service=smtp:
 *
 *   secret-tool lookup user USER server SMTP-SERVER protocol smtp
 *
 * A Microsoft sign-in has one item with the refresh token (authtype
 * oauth2), which serves both servers, and beside it the access token that
 * `mail-setup --token` keeps (authtype oauth2-access, the same other
 * attributes; see mail-setup-account-store.h). A program that looks up a
 * Microsoft account's item adds "authtype oauth2".
 *
 * Storing again with the same key replaces the item, so one account never
 * has two of a protocol. Every call is asynchronous and cancellable. Errors are in the
 * MAIL_SETUP_KEYRING_ERROR domain, each with a message for the user that
 * names the cause and what to do; cancelling through the GCancellable gives
 * G_IO_ERROR_CANCELLED as usual.
 */

#define MAIL_SETUP_KEYRING_ERROR (mail_setup_keyring_error_quark ())

typedef enum
{
  /* No Secret Service on the session bus, or no session bus at all. */
  MAIL_SETUP_KEYRING_ERROR_NO_SERVICE,
  /* The keyring is locked and stayed locked. */
  MAIL_SETUP_KEYRING_ERROR_LOCKED,
  /* The user dismissed the request to unlock the keyring. */
  MAIL_SETUP_KEYRING_ERROR_DISMISSED,
  /* Anything else; the message carries the keyring's own words. */
  MAIL_SETUP_KEYRING_ERROR_FAILED,
} MailSetupKeyringError;

GQuark mail_setup_keyring_error_quark (void);

#define MAIL_SETUP_SECRET_PROTOCOL_IMAP "imap"
#define MAIL_SETUP_SECRET_PROTOCOL_SMTP "smtp"

#define MAIL_SETUP_SECRET_AUTHTYPE_OAUTH2 "oauth2"
#define MAIL_SETUP_SECRET_AUTHTYPE_OAUTH2_ACCESS "oauth2-access"

/* The attributes of the item. PORT is stored as an integer attribute. */
typedef struct
{
  const char *user;
  const char *server;
  guint16     port;
  const char *protocol;
  const char *email;
  const char *authtype;
} MailSetupSecretKey;

const SecretSchema *mail_setup_secret_store_get_schema      (void);
char               *mail_setup_secret_store_build_label     (const MailSetupSecretKey *key);
GError             *mail_setup_secret_store_translate_error (const GError             *error);

/* Stores SECRET with the label "Mail Setup: EMAIL (IMAP)" (or SMTP, or
 * "access token" for authtype oauth2-access). */
void              mail_setup_secret_store_save_async      (const MailSetupSecretKey *key,
                                                           const char               *secret,
                                                           GCancellable             *cancellable,
                                                           GAsyncReadyCallback       callback,
                                                           gpointer                  user_data);
gboolean          mail_setup_secret_store_save_finish     (GAsyncResult             *result,
                                                           GError                  **error);

/* Returns the secret, or NULL without an error when there is no item. */
void              mail_setup_secret_store_lookup_async    (const MailSetupSecretKey *key,
                                                           GCancellable             *cancellable,
                                                           GAsyncReadyCallback       callback,
                                                           gpointer                  user_data);
MailSetupSecret  *mail_setup_secret_store_lookup_finish   (GAsyncResult             *result,
                                                           GError                  **error);

/* Whether an item exists, locked or not: never asks to unlock the keyring
 * and never reads the secret. FALSE without an error when there is none. */
void              mail_setup_secret_store_has_item_async  (const MailSetupSecretKey *key,
                                                           GCancellable             *cancellable,
                                                           GAsyncReadyCallback       callback,
                                                           gpointer                  user_data);
gboolean          mail_setup_secret_store_has_item_finish (GAsyncResult             *result,
                                                           GError                  **error);

/* Deletes the item; TRUE also when there was none to delete. */
void              mail_setup_secret_store_delete_async    (const MailSetupSecretKey *key,
                                                           GCancellable             *cancellable,
                                                           GAsyncReadyCallback       callback,
                                                           gpointer                  user_data);
gboolean          mail_setup_secret_store_delete_finish   (GAsyncResult             *result,
                                                           GError                  **error);

G_END_DECLS
