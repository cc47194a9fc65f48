/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "mail-setup-cli.h"

/* These options make the program a command-line tool that never opens a
 * window and never initialises GTK, so it runs without a display. */
static const char * const command_line_options[] = {
  "--version",
};

gboolean
mail_setup_cli_wants_command_line (int    argc,
                                   char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      for (gsize j = 0; j < G_N_ELEMENTS (command_line_options); j++)
        {
          if (g_str_equal (argv[i], command_line_options[j]))
            return TRUE;
        }
    }

  return FALSE;
}

int
mail_setup_cli_run (int    argc,
                    char **argv)
{
  g_print ("mail-setup %s\n", PACKAGE_VERSION);
  return 0;
}
