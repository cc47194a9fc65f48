/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * A prototype for bench/run, not part of the product: src/mail-setup-cli.c
 * and the core library linked into a program without GTK and libadwaita,
 * the same as src/main.c otherwise. Set beside `mail-setup --check`, it
 * measures what a command line that does not link GTK would save.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "mail-setup-cli.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  return mail_setup_cli_run (argc, argv);
}
