/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "mail-setup-test-util.h"

#define SERVICES_MISSING \
  "needs the test services: run through build-aux/test or build-aux/with-test-services"

static void
test_needs_services (void)
{
  g_test_skip (SERVICES_MISSING);
}

/* The integration and UI tests run beside the services that
 * build-aux/with-test-services starts (Dovecot, a keyring, a display).
 * A distribution's plain `meson test` has none of them: main() asks this
 * first, before anything touches a service or opens a display. */
gboolean
mail_setup_test_services_running (void)
{
  const char *test_dir = g_getenv ("MAIL_SETUP_TEST_DIR");

  return test_dir != NULL && *test_dir != '\0';
}

/* For main() when mail_setup_test_services_running() is FALSE: the whole
 * program is one test that skips, which meson reports as SKIP. */
int
mail_setup_test_skip_without_services (int    *argc,
                                       char ***argv)
{
  g_test_init (argc, argv, NULL);
  g_test_add_func ("/needs-test-services", test_needs_services);

  return g_test_run ();
}

/* Beside the services, a variable missing is a mismatch between this test
 * and build-aux/with-test-services, not a reason to skip. */
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
