/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "mail-setup-core.h"
#include "mail-setup-secret-store.h"
#include "mail-setup-test-util.h"

static const MailSetupSecretKey test_key = {
  .user = "harness@example.test",
  .server = "127.0.0.1",
  .port = 993,
  .protocol = "imap",
  .email = "harness@example.test",
  .authtype = "password",
};

static void
test_secret_store_password_reads_back (void)
{
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) looked_up = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MailSetupSecret) secret = NULL;

  /* The private keyring of build-aux/with-test-services, never the user's. */
  mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR");

  mail_setup_secret_store_save_async (&test_key, "s3cret \"with\" quotes", NULL,
                                      mail_setup_store_async_result, &stored);
  mail_setup_wait_for_async_result (&stored);
  g_assert_true (mail_setup_secret_store_save_finish (stored, &error));
  g_assert_no_error (error);

  mail_setup_secret_store_lookup_async (&test_key, NULL, mail_setup_store_async_result, &looked_up);
  mail_setup_wait_for_async_result (&looked_up);
  secret = mail_setup_secret_store_lookup_finish (looked_up, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "s3cret \"with\" quotes");
}

int
main (int   argc,
      char *argv[])
{
  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secret-store/password-reads-back", test_secret_store_password_reads_back);

  return g_test_run ();
}
