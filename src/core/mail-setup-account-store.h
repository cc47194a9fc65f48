/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "mail-setup-account.h"
#include "mail-setup-secret-store.h"
#include "mail-setup-secret.h"
#include "mail-setup-types.h"

G_BEGIN_DECLS

/*
 * The saved accounts: the secret in the keyring (mail-setup-secret-store.h),
 * everything else in $XDG_CONFIG_HOME/mail-setup/accounts.ini, one group per
 * account named by its e-mail address:
 *
 *   [user@example.com]
 *   email=user@example.com
 *   provider=outlook
 *   server=outlook.office365.com
 *   port=993
 *   security=ssl              (ssl or starttls)
 *   username=user@example.com (the sign-in name, the keyring's "user")
 *   display-name=Some One
 *   authtype=password
 *   smtp-server=smtp-mail.outlook.com
 *   smtp-port=587
 *   smtp-security=starttls
 *   smtp-username=user@example.com (the outgoing server's sign-in name)
 *
 * A file written before the outgoing server was saved has no smtp-* keys;
 * its accounts get what the wizard offers for their provider and receiving
 * server. The secret never goes to the keyfile, and into the keyring once
 * for each server: a password is stored twice, for the receiving and for
 * the outgoing server (see mail-setup-secret-store.h), while a Microsoft
 * sign-in's one refresh token, in one item, serves both (and `--token`
 * keeps its access token in a second item, see below). Saving writes the keyring first and
 * the keyfile only when that worked, so a keyring error leaves nothing
 * behind; the window and `mail-setup --check --store` both save through
 * mail_setup_account_store_save_async().
 *
 * Reading the keyfile is synchronous (a small local file); everything that
 * talks to the keyring is asynchronous. Keyring failures come in the
 * MAIL_SETUP_KEYRING_ERROR domain, with a message for the user; the others
 * in MAIL_SETUP_ACCOUNT_STORE_ERROR.
 */

#define MAIL_SETUP_ACCOUNT_STORE_ERROR (mail_setup_account_store_error_quark ())

typedef enum
{
  /* No saved account has that address. */
  MAIL_SETUP_ACCOUNT_STORE_ERROR_NOT_FOUND,
  /* The account to save lacks an address, server, port or sign-in name. */
  MAIL_SETUP_ACCOUNT_STORE_ERROR_INVALID,
  /* accounts.ini exists but cannot be read or parsed; it is left alone. */
  MAIL_SETUP_ACCOUNT_STORE_ERROR_UNREADABLE,
  /* accounts.ini could not be written. */
  MAIL_SETUP_ACCOUNT_STORE_ERROR_WRITE_FAILED,
  /* The keyring has no secret for a saved account. */
  MAIL_SETUP_ACCOUNT_STORE_ERROR_SECRET_MISSING,
} MailSetupAccountStoreError;

GQuark mail_setup_account_store_error_quark (void);

/* One saved account, as read from the keyfile. Immutable except for
 * "secret-missing", which mail_setup_account_store_refresh_secrets_async()
 * and mail_setup_account_store_lookup_secret_async() keep up to date (FALSE
 * until one of them found otherwise). */
#define MAIL_SETUP_TYPE_SAVED_ACCOUNT (mail_setup_saved_account_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupSavedAccount, mail_setup_saved_account, MAIL_SETUP, SAVED_ACCOUNT, GObject)

const char        *mail_setup_saved_account_get_email          (MailSetupSavedAccount *self);
const char        *mail_setup_saved_account_get_provider_id    (MailSetupSavedAccount *self);
const char        *mail_setup_saved_account_get_server         (MailSetupSavedAccount *self);
guint16            mail_setup_saved_account_get_port           (MailSetupSavedAccount *self);
MailSetupSecurity  mail_setup_saved_account_get_security       (MailSetupSavedAccount *self);
const char        *mail_setup_saved_account_get_username       (MailSetupSavedAccount *self);
const char        *mail_setup_saved_account_get_display_name   (MailSetupSavedAccount *self);
const char        *mail_setup_saved_account_get_authtype       (MailSetupSavedAccount *self);
gboolean           mail_setup_saved_account_get_secret_missing (MailSetupSavedAccount *self);
const char        *mail_setup_saved_account_get_smtp_server    (MailSetupSavedAccount *self);
guint16            mail_setup_saved_account_get_smtp_port      (MailSetupSavedAccount *self);
MailSetupSecurity  mail_setup_saved_account_get_smtp_security  (MailSetupSavedAccount *self);
const char        *mail_setup_saved_account_get_smtp_username  (MailSetupSavedAccount *self);
gboolean           mail_setup_saved_account_get_check_smtp     (MailSetupSavedAccount *self);
void               mail_setup_saved_account_get_secret_key     (MailSetupSavedAccount *self,
                                                                MailSetupSecretKey    *key);
gboolean           mail_setup_saved_account_get_smtp_secret_key (MailSetupSavedAccount *self,
                                                                 MailSetupSecretKey    *key);
gboolean           mail_setup_saved_account_get_access_token_key (MailSetupSavedAccount *self,
                                                                  MailSetupSecretKey    *key);
MailSetupAccount  *mail_setup_saved_account_create_account     (MailSetupSavedAccount *self);
void               mail_setup_saved_account_load_into          (MailSetupSavedAccount *self,
                                                                MailSetupAccount      *account);

/* The saved accounts as one list that lives as long as its owner (the
 * window binds its list of saved accounts to it once): reloading replaces
 * the items of the same model, so a view bound to it follows. */
#define MAIL_SETUP_TYPE_ACCOUNT_STORE (mail_setup_account_store_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupAccountStore, mail_setup_account_store, MAIL_SETUP, ACCOUNT_STORE, GObject)

MailSetupAccountStore *mail_setup_account_store_new          (void);
/* (transfer none): a GListModel of MailSetupSavedAccount. */
GListModel            *mail_setup_account_store_get_accounts (MailSetupAccountStore *self);
/* Reads the keyfile again; on an error the list is left as it was. */
gboolean               mail_setup_account_store_reload       (MailSetupAccountStore *self,
                                                              GError               **error);

/* The keyfile: $XDG_CONFIG_HOME/mail-setup/accounts.ini. */
char                  *mail_setup_account_store_get_path               (void);

/* Reads the keyfile. Returns (transfer full) a GListModel of
 * MailSetupSavedAccount in the keyfile's order, empty when there is no
 * keyfile yet, or NULL with MAIL_SETUP_ACCOUNT_STORE_ERROR_UNREADABLE. */
GListModel            *mail_setup_account_store_list                   (GError              **error);
/* (transfer full): the account saved for EMAIL, or NULL with NOT_FOUND. */
MailSetupSavedAccount *mail_setup_account_store_find                   (const char           *email,
                                                                        GError              **error);

/* Stores SECRET (a password; AUTHTYPE NULL means "password") for ACCOUNT in
 * the keyring, then its settings in the keyfile. Saving an account again
 * replaces both; when a sign-in name, server or port changed, the old
 * keyring item is deleted. The account's own password field is not used.
 * The result is the account as saved, with secret-missing FALSE. */
void                   mail_setup_account_store_save_async             (MailSetupAccount     *account,
                                                                        const char           *secret,
                                                                        const char           *authtype,
                                                                        GCancellable         *cancellable,
                                                                        GAsyncReadyCallback   callback,
                                                                        gpointer              user_data);
MailSetupSavedAccount *mail_setup_account_store_save_finish            (GAsyncResult         *result,
                                                                        GError              **error);

/* Deletes the keyring items of EMAIL, then its keyfile group. NOT_FOUND when
 * no account has that address; on a keyring error the keyfile keeps the
 * account, so that removing can be tried again. */
void                   mail_setup_account_store_remove_async           (const char           *email,
                                                                        GCancellable         *cancellable,
                                                                        GAsyncReadyCallback   callback,
                                                                        gpointer              user_data);
gboolean               mail_setup_account_store_remove_finish          (GAsyncResult         *result,
                                                                        GError              **error);

/* Sets "secret-missing" on every MailSetupSavedAccount of ACCOUNTS (as from
 * mail_setup_account_store_list()) from whether the keyring has its item.
 * Never asks to unlock the keyring. Stops at the first keyring error. */
void                   mail_setup_account_store_refresh_secrets_async  (GListModel           *accounts,
                                                                        GCancellable         *cancellable,
                                                                        GAsyncReadyCallback   callback,
                                                                        gpointer              user_data);
gboolean               mail_setup_account_store_refresh_secrets_finish (GAsyncResult         *result,
                                                                        GError              **error);

/* The stored secret of SAVED, for "Test again": (transfer full), wiped when
 * freed; SECRET_MISSING (and secret-missing set) when the keyring has none.
 * May make the keyring ask the user to unlock it. */
void                   mail_setup_account_store_lookup_secret_async    (MailSetupSavedAccount *saved,
                                                                        GCancellable          *cancellable,
                                                                        GAsyncReadyCallback    callback,
                                                                        gpointer               user_data);
MailSetupSecret       *mail_setup_account_store_lookup_secret_finish   (GAsyncResult          *result,
                                                                        GError               **error);

/* Replaces the stored secret of SAVED, as when Microsoft rotated the
 * refresh token: the keyring replaces its item in one step, so a failed
 * store leaves the old secret in place. */
void                   mail_setup_account_store_update_secret_async    (MailSetupSavedAccount *saved,
                                                                        const char            *secret,
                                                                        GCancellable          *cancellable,
                                                                        GAsyncReadyCallback    callback,
                                                                        gpointer               user_data);
gboolean               mail_setup_account_store_update_secret_finish   (GAsyncResult          *result,
                                                                        GError               **error);

/*
 * The access token of a Microsoft sign-in, kept for `mail-setup --token`
 * in a second keyring item beside the refresh token: the same attributes
 * but authtype "oauth2-access", labelled "Mail Setup: EMAIL (access
 * token)". Its secret is two lines, the expiry in seconds since 1970 (UTC)
 * and the token:
 *
 *   1767225600
 *   eyJ0eXAiOi...
 *
 * The expiry is in the secret rather than in an attribute so that storing
 * a new token replaces the item in one step, as storing with the same
 * attributes does. Removing the account removes it; saving a new sign-in
 * deletes the one of the old sign-in.
 */

/* The token, (transfer full) wiped when freed, and in EXPIRES_AT its
 * expiry; NULL without an error when there is none (or none that can be
 * read, which is the same to a caller: it asks Microsoft for a new one).
 * FALSE from get_access_token_key() means SAVED is not a Microsoft
 * sign-in: then this finds nothing. */
void                   mail_setup_account_store_lookup_access_token_async  (MailSetupSavedAccount *saved,
                                                                            GCancellable          *cancellable,
                                                                            GAsyncReadyCallback    callback,
                                                                            gpointer               user_data);
MailSetupSecret       *mail_setup_account_store_lookup_access_token_finish (GAsyncResult          *result,
                                                                            gint64                *expires_at,
                                                                            GError               **error);
/* Stores ACCESS_TOKEN, valid until EXPIRES_AT (seconds since 1970), over
 * the one kept before. */
void                   mail_setup_account_store_save_access_token_async    (MailSetupSavedAccount *saved,
                                                                            const char            *access_token,
                                                                            gint64                 expires_at,
                                                                            GCancellable          *cancellable,
                                                                            GAsyncReadyCallback    callback,
                                                                            gpointer               user_data);
gboolean               mail_setup_account_store_save_access_token_finish   (GAsyncResult          *result,
                                                                            GError               **error);

G_END_DECLS
