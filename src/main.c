/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "mail-setup-application.h"
#include "mail-setup-cli.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MailSetupApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The command line must work without a display, so it is decided here,
   * before anything initialises GTK. */
  if (mail_setup_cli_wants_command_line (argc, argv))
    return mail_setup_cli_run (argc, argv);

  app = mail_setup_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
