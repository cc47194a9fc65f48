/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gmodule.h>

#include "mail-setup-application.h"

/* The entry point of the window, in a module of its own: main.c loads it
 * only when a window is wanted, so that the command line never pays for
 * loading GTK. */
G_MODULE_EXPORT int mail_setup_ui_main (int    argc,
                                        char **argv);

G_MODULE_EXPORT int
mail_setup_ui_main (int    argc,
                    char **argv)
{
  g_autoptr(MailSetupApplication) app = mail_setup_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
