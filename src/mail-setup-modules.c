/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gmodule.h>

#include "mail-setup-modules.h"

/*
 * What the program loads only when it is needed, so that a password check
 * pays for neither: the window (mail-setup-ui, GTK and libadwaita) and
 * Microsoft sign-in on the command line (mail-setup-sign-in, libsoup). A
 * program run from its build folder loads the modules built beside it; an
 * installed one the installed modules.
 */

static const char *
module_dir (void)
{
  GStatBuf self, built;

  /* The same file, whichever way either path was spelled (a build folder
   * configured through a symbolic link, say). */
  if (g_stat ("/proc/self/exe", &self) == 0 && g_stat (BUILD_EXECUTABLE_PATH, &built) == 0 &&
      self.st_dev == built.st_dev && self.st_ino == built.st_ino)
    return MODULE_BUILD_DIR;

  return MODULE_INSTALL_DIR;
}

/* The symbol SYMBOL_NAME of the module MODULE_NAME, which stays loaded. */
gpointer
mail_setup_module_lookup (const char  *module_name,
                          const char  *symbol_name,
                          GError     **error)
{
  g_autofree char *file_name = g_strconcat (module_name, ".so", NULL);
  g_autofree char *path = g_build_filename (module_dir (), file_name, NULL);
  GModule *module;
  gpointer symbol = NULL;

  module = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (module == NULL || !g_module_symbol (module, symbol_name, &symbol))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", g_module_error ());
      g_clear_pointer (&module, g_module_close);
      return NULL;
    }

  g_module_make_resident (module);
  return symbol;
}
