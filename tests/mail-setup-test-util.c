/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "mail-setup-test-util.h"

/* The integration and UI suites run beside the services that
 * build-aux/with-test-services starts; they find them through the
 * environment. Running them without it is a mistake, not a reason to skip. */
const char *
mail_setup_test_service_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run this test through build-aux/with-test-services "
             "(build-aux/test does)", name);

  return value;
}

guint16
mail_setup_test_service_port (const char *name)
{
  guint64 port = 0;

  if (!g_ascii_string_to_unsigned (mail_setup_test_service_env (name), 10, 1, 65535,
                                   &port, NULL))
    g_error ("%s is not a port number", name);

  return (guint16) port;
}
