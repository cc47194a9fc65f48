/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "mail-setup-export.h"

G_BEGIN_DECLS

/*
 * The mail programs that can use a saved account, and which of them are on
 * this computer. A program is there when its executable is on the PATH or,
 * for the desktop apps, when a desktop file of it can be launched (the
 * XDG data folders, which hold Flatpak's exports too): Thunderbird from
 * Mozilla's tarball or Flatpak has no executable on the PATH.
 *
 * Thunderbird and Evolution take the settings typed into their own windows
 * and do their own Microsoft sign-in; the terminal programs read a
 * configuration file that mail-setup-export.h writes.
 */

typedef enum
{
  MAIL_SETUP_MAIL_PROGRAM_THUNDERBIRD,
  MAIL_SETUP_MAIL_PROGRAM_EVOLUTION,
  MAIL_SETUP_MAIL_PROGRAM_MSMTP,
  MAIL_SETUP_MAIL_PROGRAM_MBSYNC,
  MAIL_SETUP_MAIL_PROGRAM_NEOMUTT,
  MAIL_SETUP_MAIL_PROGRAM_AERC,
} MailSetupMailProgram;

#define MAIL_SETUP_N_MAIL_PROGRAMS (MAIL_SETUP_MAIL_PROGRAM_AERC + 1)

/* "thunderbird", "evolution", "msmtp", "mbsync", "neomutt", "aerc". */
const char *mail_setup_mail_program_get_id            (MailSetupMailProgram   program);
/* The name people know it by, untranslated: "mbsync (isync)". */
const char *mail_setup_mail_program_get_name          (MailSetupMailProgram   program);
/* TRUE with the FORMAT of its configuration file for a program that reads
 * one; FALSE for one whose settings are entered in its window. */
gboolean    mail_setup_mail_program_get_export_format (MailSetupMailProgram   program,
                                                       MailSetupExportFormat *format);
gboolean    mail_setup_mail_program_is_installed      (MailSetupMailProgram   program);

/* How a mail program calls this Mail Setup for a token, as the
 * program_path of mail-setup-export.h: NULL ("mail-setup") when that name
 * on the PATH is the running program or the running program is not
 * mail-setup (a test), else its absolute path (a build folder). */
char       *mail_setup_mail_program_find_mail_setup   (void);

G_END_DECLS
