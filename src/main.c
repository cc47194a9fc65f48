/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gmodule.h>
#include <locale.h>

#include "mail-setup-cli.h"

typedef int (*UiMainFunc) (int    argc,
                           char **argv);

/* The window lives in a module (see mail-setup-ui-main.c). A program run
 * from its build folder loads the module built beside it; an installed one
 * the installed module. */
static char *
ui_module_path (void)
{
  GStatBuf self, built;

  /* The same file, whichever way either path was spelled (a build folder
   * reached through a symbolic link, say). */
  if (g_stat ("/proc/self/exe", &self) == 0 && g_stat (BUILD_EXECUTABLE_PATH, &built) == 0 &&
      self.st_dev == built.st_dev && self.st_ino == built.st_ino)
    return g_strdup (UI_MODULE_BUILD_PATH);

  return g_strdup (UI_MODULE_INSTALL_PATH);
}

static int
run_window (int    argc,
            char **argv)
{
  g_autofree char *path = ui_module_path ();
  GModule *module;
  UiMainFunc ui_main = NULL;

  module = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (module == NULL || !g_module_symbol (module, "mail_setup_ui_main", (gpointer *) &ui_main))
    {
      g_printerr ("mail-setup: %s: %s\n", _("The window cannot be loaded"), g_module_error ());
      return 1;
    }

  return ui_main (argc, argv);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The command line must work without a display, so it is decided here,
   * before anything loads GTK. */
  if (mail_setup_cli_wants_command_line (argc, argv))
    return mail_setup_cli_run (argc, argv);

  return run_window (argc, argv);
}
