/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "mail-setup-cli.h"
#include "mail-setup-modules.h"

typedef int (*UiMainFunc) (int    argc,
                           char **argv);

/* The window lives in a module (see mail-setup-ui-main.c and
 * mail-setup-modules.c), loaded only when a window is wanted. */
static int
run_window (int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  UiMainFunc ui_main;

  ui_main = mail_setup_module_lookup ("mail-setup-ui", "mail_setup_ui_main", &error);
  if (ui_main == NULL)
    {
      g_printerr ("mail-setup: %s: %s\n", _("The window cannot be loaded"), error->message);
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
