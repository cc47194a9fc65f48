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

/* The application's settings, or NULL when the schema is not installed (a
 * build run from its folder without GSETTINGS_SCHEMA_DIR): the defaults
 * then apply, rather than GSettings aborting the program. */
GSettings *
mail_setup_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "check-timeout"))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/* For code that runs one asynchronous call to its end before going on, as
 * the command line does: give this as the callback, with the address of a
 * GAsyncResult pointer as its data, then wait with
 * mail_setup_wait_for_async_result(), which returns the result (unref it). */
void
mail_setup_store_async_result (GObject      *source,
                               GAsyncResult *result,
                               gpointer      slot)
{
  *(GAsyncResult **) slot = g_object_ref (result);
}

/* Runs the thread-default main context until SLOT holds a result. */
GAsyncResult *
mail_setup_wait_for_async_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);

  return *slot;
}
