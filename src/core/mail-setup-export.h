/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "mail-setup-account-store.h"
#include "mail-setup-types.h"

G_BEGIN_DECLS

/*
 * Ready configurations for the mail programs of a terminal: a saved account
 * as msmtp, mbsync (isync), NeoMutt or aerc read it, with comments saying
 * where the text goes. Pure: no keyring, no files; the caller gives the
 * account's settings and gets text.
 *
 * Secrets never appear in the text. A password account reads its password
 * from the keyring with `secret-tool lookup`; a Microsoft sign-in asks
 * `mail-setup --token ADDRESS` for an access token each time.
 *
 * Every value is quoted by the rules of the program that reads it, so an
 * address or a name with spaces, quotes, backslashes, # or $ stays one
 * value and cannot add a directive. What a format cannot hold at all (a
 * line break, a control character, a host name that is not one) is refused
 * with MAIL_SETUP_EXPORT_ERROR_INVALID instead of written wrongly.
 */

#define MAIL_SETUP_EXPORT_ERROR (mail_setup_export_error_quark ())

typedef enum
{
  /* A value the format needs is missing (the sending server for msmtp). */
  MAIL_SETUP_EXPORT_ERROR_MISSING,
  /* A value that the format cannot represent safely. */
  MAIL_SETUP_EXPORT_ERROR_INVALID,
} MailSetupExportError;

GQuark mail_setup_export_error_quark (void);

typedef enum
{
  MAIL_SETUP_EXPORT_MSMTP,
  MAIL_SETUP_EXPORT_MBSYNC,
  MAIL_SETUP_EXPORT_NEOMUTT,
  MAIL_SETUP_EXPORT_AERC,
} MailSetupExportFormat;

#define MAIL_SETUP_EXPORT_N_FORMATS (MAIL_SETUP_EXPORT_AERC + 1)

/* "msmtp", "mbsync", "neomutt", "aerc": the names of the command line. */
const char *mail_setup_export_format_to_string   (MailSetupExportFormat  format);
gboolean    mail_setup_export_format_from_string (const char            *text,
                                                  MailSetupExportFormat *format);
/* "msmtp, mbsync, neomutt, aerc", for an error message about an unknown one. */
const char *mail_setup_export_format_list        (void);
/* Where the text goes, with ~ for the home folder, e.g. "~/.mbsyncrc". */
const char *mail_setup_export_format_get_path    (MailSetupExportFormat  format);

typedef struct
{
  const char        *email;
  /* May be NULL or empty. */
  const char        *display_name;
  const char        *imap_host;
  guint16            imap_port;
  MailSetupSecurity  imap_security;
  /* May be NULL for mbsync, which only receives. */
  const char        *smtp_host;
  guint16            smtp_port;
  MailSetupSecurity  smtp_security;
  /* The sign-in name (the keyring item's "user"). */
  const char        *username;
  /* The sign-in name of the sending server; NULL means the same as username. */
  const char        *smtp_username;
  /* TRUE for a saved Microsoft sign-in (authtype "oauth2"). */
  gboolean           microsoft_sign_in;
  /* How the mail program calls Mail Setup for a token: "mail-setup" when it
   * is on the PATH, or an absolute path. NULL means "mail-setup". */
  const char        *program_path;
} MailSetupExportAccount;

/* The name of the account in the configuration (msmtp's account, mbsync's
 * channel, aerc's section): the address with every character that one of
 * the formats would read specially replaced by "_". */
char *mail_setup_export_get_account_name (const MailSetupExportAccount  *account);

char *mail_setup_export_config           (MailSetupExportFormat          format,
                                          const MailSetupExportAccount  *account,
                                          GError                       **error);

/* The same for an account as saved (see mail-setup-account-store.h): its
 * receiving and sending servers and sign-in names, and a Microsoft sign-in
 * when its authtype is "oauth2". PROGRAM_PATH is the account's
 * program_path. An authtype that the formats do not know is refused with
 * MAIL_SETUP_EXPORT_ERROR_INVALID. */
char *mail_setup_export_config_for_saved_account (MailSetupExportFormat   format,
                                                  MailSetupSavedAccount  *saved,
                                                  const char             *program_path,
                                                  GError                **error);

G_END_DECLS
