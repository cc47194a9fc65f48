/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The account state that every page of the wizard shares, without GTK. */

#include "mail-setup-account.h"

static void
test_account_email_preselects_provider (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();

  g_assert_null (mail_setup_account_get_provider (account));
  g_assert_false (mail_setup_account_get_provider_complete (account));

  mail_setup_account_set_email (account, "someone@hotmail.co.uk");
  g_assert_cmpstr (mail_setup_provider_get_id (mail_setup_account_get_provider (account)), ==,
                   "outlook");
  g_assert_cmpstr (mail_setup_account_get_server (account), ==, "outlook.office365.com");
  g_assert_cmpuint (mail_setup_account_get_port (account), ==, 993);
  g_assert_cmpint (mail_setup_account_get_security (account), ==, MAIL_SETUP_SECURITY_SSL_TLS);
  g_assert_true (mail_setup_account_get_provider_complete (account));

  mail_setup_account_set_email (account, "someone@msn.com");
  g_assert_cmpstr (mail_setup_provider_get_id (mail_setup_account_get_provider (account)), ==,
                   "msn");
}

static void
test_account_chosen_provider_sticks (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();

  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("microsoft365"));
  mail_setup_account_set_email (account, "someone@outlook.com");

  g_assert_cmpstr (mail_setup_provider_get_id (mail_setup_account_get_provider (account)), ==,
                   "microsoft365");
}

static void
test_account_other_provider_clears_microsoft_server (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();

  mail_setup_account_set_email (account, "someone@outlook.com");
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));
  g_assert_cmpstr (mail_setup_account_get_server (account), ==, "");

  /* What the user typed stays, whatever provider they pick afterwards. */
  g_object_set (account, "server", "imap.example.org", NULL);
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));
  g_assert_cmpstr (mail_setup_account_get_server (account), ==, "imap.example.org");
}

static void
test_account_settings_complete (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();
  g_autoptr(MailSetupCheck) check = NULL;

  mail_setup_account_set_email (account, "someone@outlook.com");
  g_assert_false (mail_setup_account_get_settings_complete (account));

  mail_setup_account_set_password (account, "pa ss \"word\"");
  g_assert_true (mail_setup_account_get_settings_complete (account));
  g_assert_cmpstr (mail_setup_account_get_sign_in_name (account), ==, "someone@outlook.com");

  mail_setup_account_set_username (account, "other-name");
  g_assert_cmpstr (mail_setup_account_get_sign_in_name (account), ==, "other-name");

  mail_setup_account_set_server (account, "not a host");
  g_assert_false (mail_setup_account_get_settings_complete (account));
  mail_setup_account_restore_provider_settings (account);
  g_assert_true (mail_setup_account_get_settings_complete (account));

  check = mail_setup_account_create_check (account);
  g_assert_cmpstr (mail_setup_check_get_server (check), ==, "outlook.office365.com");
  g_assert_cmpstr (mail_setup_check_get_username (check), ==, "other-name");
  g_assert_cmpstr (mail_setup_check_get_provider_id (check), ==, "outlook");
  g_assert_true (mail_setup_account_get_last_check (account) == check);
}

static void
test_validate_email (void)
{
  g_assert_null (mail_setup_validate_email ("name@example.com"));
  g_assert_null (mail_setup_validate_email ("jürgen@bücher.example"));
  g_assert_nonnull (mail_setup_validate_email (""));
  g_assert_nonnull (mail_setup_validate_email ("name"));
  g_assert_nonnull (mail_setup_validate_email ("@example.com"));
  g_assert_nonnull (mail_setup_validate_email ("name@"));
  g_assert_nonnull (mail_setup_validate_email ("name@localhost"));
  g_assert_nonnull (mail_setup_validate_email ("na me@example.com"));
  g_assert_nonnull (mail_setup_validate_email ("name@example.com\r\nRCPT TO:x"));
}

static void
test_validate_server_and_port (void)
{
  g_autofree char *long_label = g_strnfill (64, 'a');
  g_autofree char *long_name = g_strconcat (long_label, ".example.com", NULL);
  guint port = 0;

  g_assert_null (mail_setup_validate_server ("outlook.office365.com"));
  g_assert_null (mail_setup_validate_server ("127.0.0.1"));
  g_assert_null (mail_setup_validate_server ("::1"));
  g_assert_null (mail_setup_validate_server ("imap.example.com."));
  g_assert_null (mail_setup_validate_server ("bücher.example"));
  g_assert_nonnull (mail_setup_validate_server (""));
  g_assert_nonnull (mail_setup_validate_server ("imap..example.com"));
  g_assert_nonnull (mail_setup_validate_server ("-imap.example.com"));
  g_assert_nonnull (mail_setup_validate_server ("imap_example.com"));
  g_assert_nonnull (mail_setup_validate_server ("https://outlook.com"));
  g_assert_nonnull (mail_setup_validate_server (long_name));

  g_assert_null (mail_setup_validate_port ("993", &port));
  g_assert_cmpuint (port, ==, 993);
  g_assert_nonnull (mail_setup_validate_port ("0", NULL));
  g_assert_nonnull (mail_setup_validate_port ("65536", NULL));
  g_assert_nonnull (mail_setup_validate_port ("99a", NULL));
  g_assert_nonnull (mail_setup_validate_port ("", NULL));
  g_assert_nonnull (mail_setup_validate_port ("-1", NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/account/email-preselects-provider", test_account_email_preselects_provider);
  g_test_add_func ("/account/chosen-provider-sticks", test_account_chosen_provider_sticks);
  g_test_add_func ("/account/other-provider-clears-microsoft-server",
                   test_account_other_provider_clears_microsoft_server);
  g_test_add_func ("/account/settings-complete", test_account_settings_complete);
  g_test_add_func ("/account/validate-email", test_validate_email);
  g_test_add_func ("/account/validate-server-and-port", test_validate_server_and_port);

  return g_test_run ();
}
