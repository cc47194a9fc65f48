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

/* The outgoing server's item carries msmtp's attributes as well, and is
 * found, kept apart from the receiving server's and deleted on its own. */
static void
test_secret_store_smtp_item (void)
{
  const MailSetupSecretKey smtp_key = {
    .user = "harness@example.test",
    .server = "smtp.example.test",
    .port = 587,
    .protocol = MAIL_SETUP_SECRET_PROTOCOL_SMTP,
    .email = "harness@example.test",
    .authtype = "password",
  };
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) looked_up = NULL;
  g_autoptr(GAsyncResult) deleted = NULL;
  g_autoptr(GAsyncResult) looked_up_again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MailSetupSecret) secret = NULL;
  g_autoptr(MailSetupSecret) gone = NULL;
  g_autofree char *label = mail_setup_secret_store_build_label (&smtp_key);
  GList *items;

  mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR");
  g_assert_cmpstr (label, ==, "Mail Setup: harness@example.test (SMTP)");

  mail_setup_secret_store_save_async (&smtp_key, "sending secret", NULL,
                                      mail_setup_store_async_result, &stored);
  g_assert_true (mail_setup_secret_store_save_finish (mail_setup_wait_for_async_result (&stored),
                                                      &error));
  g_assert_no_error (error);

  mail_setup_secret_store_lookup_async (&smtp_key, NULL, mail_setup_store_async_result, &looked_up);
  secret = mail_setup_secret_store_lookup_finish (mail_setup_wait_for_async_result (&looked_up),
                                                  &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "sending secret");

  items = secret_password_search_sync (mail_setup_secret_store_get_schema (), SECRET_SEARCH_ALL,
                                       NULL, &error, "host", "smtp.example.test",
                                       "service", "smtp", "user", "harness@example.test", NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  g_list_free_full (items, g_object_unref);

  mail_setup_secret_store_delete_async (&smtp_key, NULL, mail_setup_store_async_result, &deleted);
  g_assert_true (mail_setup_secret_store_delete_finish (mail_setup_wait_for_async_result (&deleted),
                                                        &error));
  g_assert_no_error (error);
  mail_setup_secret_store_lookup_async (&smtp_key, NULL, mail_setup_store_async_result,
                                        &looked_up_again);
  gone = mail_setup_secret_store_lookup_finish (mail_setup_wait_for_async_result (&looked_up_again),
                                                &error);
  g_assert_no_error (error);
  g_assert_null (gone);
}

int
main (int   argc,
      char *argv[])
{
  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secret-store/password-reads-back", test_secret_store_password_reads_back);
  g_test_add_func ("/secret-store/smtp-item", test_secret_store_smtp_item);

  return g_test_run ();
}
