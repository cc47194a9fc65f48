/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "mail-setup-core.h"
#include "mail-setup-core-resources.h"

/* The core's data (providers, remedies) is registered on first use rather
 * than by a constructor, which a static library does not reliably keep. The
 * generated registration is not safe to call twice. */
void
mail_setup_core_ensure_resources (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      mail_setup_core_register_resource ();
      g_once_init_leave (&registered, 1);
    }
}
