/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "mail-setup-check.h"
#include "mail-setup-provider.h"
#include "mail-setup-types.h"

G_BEGIN_DECLS

/*
 * The account being set up: everything the user typed or chose, shared by
 * every page of the wizard and testable without GTK. The password lives only
 * here, in memory, and is wiped when replaced or freed.
 */

#define MAIL_SETUP_TYPE_ACCOUNT (mail_setup_account_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupAccount, mail_setup_account, MAIL_SETUP, ACCOUNT, GObject)

MailSetupAccount  *mail_setup_account_new                  (void);

const char        *mail_setup_account_get_email            (MailSetupAccount  *self);
void               mail_setup_account_set_email            (MailSetupAccount  *self,
                                                            const char        *email);
MailSetupProvider *mail_setup_account_get_provider         (MailSetupAccount  *self);
void               mail_setup_account_set_provider         (MailSetupAccount  *self,
                                                            MailSetupProvider *provider);
void               mail_setup_account_choose_provider      (MailSetupAccount  *self,
                                                            MailSetupProvider *provider);
/* Whether the user picked the provider, rather than it being preselected. */
gboolean           mail_setup_account_get_provider_chosen  (MailSetupAccount  *self);
/* Server settings found for the address (mail-setup-detect.h): each server
 * whose fields the user has not set is filled in, as a provider's would
 * be. A NULL host leaves that server alone. */
void               mail_setup_account_set_found_servers    (MailSetupAccount  *self,
                                                            const char        *imap_host,
                                                            guint              imap_port,
                                                            MailSetupSecurity  imap_security,
                                                            const char        *smtp_host,
                                                            guint              smtp_port,
                                                            MailSetupSecurity  smtp_security);
const char        *mail_setup_account_get_password         (MailSetupAccount  *self);
void               mail_setup_account_set_password         (MailSetupAccount  *self,
                                                            const char        *password);
const char        *mail_setup_account_get_display_name     (MailSetupAccount  *self);
void               mail_setup_account_set_display_name     (MailSetupAccount  *self,
                                                            const char        *display_name);
const char        *mail_setup_account_get_username         (MailSetupAccount  *self);
void               mail_setup_account_set_username         (MailSetupAccount  *self,
                                                            const char        *username);
const char        *mail_setup_account_get_server           (MailSetupAccount  *self);
void               mail_setup_account_set_server           (MailSetupAccount  *self,
                                                            const char        *server);
guint              mail_setup_account_get_port             (MailSetupAccount  *self);
void               mail_setup_account_set_port             (MailSetupAccount  *self,
                                                            guint              port);
MailSetupSecurity  mail_setup_account_get_security         (MailSetupAccount  *self);
void               mail_setup_account_set_security         (MailSetupAccount  *self,
                                                            MailSetupSecurity  security);
const char        *mail_setup_account_get_extra_ca_file    (MailSetupAccount  *self);
void               mail_setup_account_set_extra_ca_file    (MailSetupAccount  *self,
                                                            const char        *path);
guint              mail_setup_account_get_timeout          (MailSetupAccount  *self);
void               mail_setup_account_set_timeout          (MailSetupAccount  *self,
                                                            guint              seconds);

/* The outgoing (SMTP) server: the provider's, else guessed from the
 * receiving server (mail_setup_account_guess_smtp_server(), port 587,
 * STARTTLS) until the user sets one. */
const char        *mail_setup_account_get_smtp_server      (MailSetupAccount  *self);
void               mail_setup_account_set_smtp_server      (MailSetupAccount  *self,
                                                            const char        *server);
guint              mail_setup_account_get_smtp_port        (MailSetupAccount  *self);
void               mail_setup_account_set_smtp_port        (MailSetupAccount  *self,
                                                            guint              port);
MailSetupSecurity  mail_setup_account_get_smtp_security    (MailSetupAccount  *self);
void               mail_setup_account_set_smtp_security    (MailSetupAccount  *self,
                                                            MailSetupSecurity  security);
const char        *mail_setup_account_get_smtp_username    (MailSetupAccount  *self);
void               mail_setup_account_set_smtp_username    (MailSetupAccount  *self,
                                                            const char        *username);
const char        *mail_setup_account_get_smtp_sign_in_name (MailSetupAccount *self);
gboolean           mail_setup_account_get_check_smtp       (MailSetupAccount  *self);
void               mail_setup_account_set_check_smtp       (MailSetupAccount  *self,
                                                            gboolean           check_smtp);
char              *mail_setup_account_guess_smtp_server    (const char        *imap_server);

gboolean           mail_setup_account_get_uses_microsoft_sign_in (MailSetupAccount *self);
void               mail_setup_account_set_microsoft_tokens (MailSetupAccount  *self,
                                                            const char        *access_token,
                                                            const char        *refresh_token);
const char        *mail_setup_account_get_refresh_token    (MailSetupAccount  *self);
void               mail_setup_account_use_password         (MailSetupAccount  *self);
const char        *mail_setup_account_get_authtype         (MailSetupAccount  *self);

const char        *mail_setup_account_get_sign_in_name     (MailSetupAccount  *self);
gboolean           mail_setup_account_get_provider_complete (MailSetupAccount *self);
gboolean           mail_setup_account_get_settings_complete (MailSetupAccount *self);
void               mail_setup_account_restore_provider_settings (MailSetupAccount *self);

MailSetupCheck    *mail_setup_account_create_check         (MailSetupAccount  *self);
const char        *mail_setup_account_choose_remedy        (MailSetupAccount  *self,
                                                            MailSetupDiagnosis diagnosis);
const char        *mail_setup_account_choose_remedy_for_check (MailSetupAccount *self,
                                                              MailSetupCheck   *failed);
void               mail_setup_account_mark_remedy_tried    (MailSetupAccount  *self,
                                                            const char        *remedy_id);
const char * const *mail_setup_account_get_tried_remedies  (MailSetupAccount  *self);
char              *mail_setup_account_build_report         (MailSetupAccount  *self);
MailSetupCheck    *mail_setup_account_get_last_check       (MailSetupAccount  *self);

/* Checks of what a user types. Each returns NULL when TEXT is acceptable,
 * else the reason in words for the field. */
const char        *mail_setup_validate_email               (const char        *text);
const char        *mail_setup_validate_server              (const char        *text);
const char        *mail_setup_validate_port                (const char        *text,
                                                            guint             *port);
const char        *mail_setup_validate_username            (const char        *text);

G_END_DECLS
