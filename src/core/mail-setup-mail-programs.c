/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gdesktopappinfo.h>
#include <glib/gstdio.h>

#include "mail-setup-mail-programs.h"

#define NO_FORMAT (-1)

static const struct
{
  const char *id;
  const char *name;
  const char *executable;
  /* Debian's and Mozilla's desktop file, then Flatpak's. */
  const char *desktop_ids[3];
  int         format;
} programs[MAIL_SETUP_N_MAIL_PROGRAMS] = {
  [MAIL_SETUP_MAIL_PROGRAM_THUNDERBIRD] = {
    "thunderbird", "Thunderbird", "thunderbird",
    { "thunderbird.desktop", "org.mozilla.Thunderbird.desktop", NULL }, NO_FORMAT
  },
  [MAIL_SETUP_MAIL_PROGRAM_EVOLUTION] = {
    "evolution", "Evolution", "evolution",
    { "org.gnome.Evolution.desktop", NULL }, NO_FORMAT
  },
  [MAIL_SETUP_MAIL_PROGRAM_MSMTP] = {
    "msmtp", "msmtp", "msmtp", { NULL }, MAIL_SETUP_EXPORT_MSMTP
  },
  [MAIL_SETUP_MAIL_PROGRAM_MBSYNC] = {
    "mbsync", "mbsync (isync)", "mbsync", { NULL }, MAIL_SETUP_EXPORT_MBSYNC
  },
  [MAIL_SETUP_MAIL_PROGRAM_NEOMUTT] = {
    "neomutt", "NeoMutt", "neomutt", { NULL }, MAIL_SETUP_EXPORT_NEOMUTT
  },
  [MAIL_SETUP_MAIL_PROGRAM_AERC] = {
    "aerc", "aerc", "aerc", { NULL }, MAIL_SETUP_EXPORT_AERC
  },
};

const char *
mail_setup_mail_program_get_id (MailSetupMailProgram program)
{
  g_return_val_if_fail (program < MAIL_SETUP_N_MAIL_PROGRAMS, NULL);

  return programs[program].id;
}

const char *
mail_setup_mail_program_get_name (MailSetupMailProgram program)
{
  g_return_val_if_fail (program < MAIL_SETUP_N_MAIL_PROGRAMS, NULL);

  return programs[program].name;
}

gboolean
mail_setup_mail_program_get_export_format (MailSetupMailProgram   program,
                                           MailSetupExportFormat *format)
{
  g_return_val_if_fail (program < MAIL_SETUP_N_MAIL_PROGRAMS, FALSE);
  g_return_val_if_fail (format != NULL, FALSE);

  if (programs[program].format == NO_FORMAT)
    return FALSE;

  *format = (MailSetupExportFormat) programs[program].format;
  return TRUE;
}

/* GIO gives no desktop file whose program is gone (its Exec or TryExec not
 * found), so a file left behind by an uninstalled app does not count. */
gboolean
mail_setup_mail_program_is_installed (MailSetupMailProgram program)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (program < MAIL_SETUP_N_MAIL_PROGRAMS, FALSE);

  path = g_find_program_in_path (programs[program].executable);
  if (path != NULL)
    return TRUE;

  for (guint i = 0; programs[program].desktop_ids[i] != NULL; i++)
    {
      g_autoptr(GDesktopAppInfo) info = g_desktop_app_info_new (programs[program].desktop_ids[i]);

      if (info != NULL)
        return TRUE;
    }

  return FALSE;
}

char *
mail_setup_mail_program_find_mail_setup (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *self_name = NULL;
  g_autofree char *found = NULL;
  GStatBuf self_stat, found_stat;

  if (self == NULL || g_stat (self, &self_stat) != 0)
    return NULL;

  self_name = g_path_get_basename (self);
  if (!g_str_equal (self_name, "mail-setup"))
    return NULL;

  found = g_find_program_in_path ("mail-setup");
  if (found != NULL && g_stat (found, &found_stat) == 0 &&
      found_stat.st_dev == self_stat.st_dev && found_stat.st_ino == self_stat.st_ino)
    return NULL;

  return g_steal_pointer (&self);
}
