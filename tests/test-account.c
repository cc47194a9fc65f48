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

/* The outgoing server. */

static void
assert_smtp (MailSetupAccount  *account,
             const char        *server,
             guint              port,
             MailSetupSecurity  security)
{
  g_assert_cmpstr (mail_setup_account_get_smtp_server (account), ==, server);
  g_assert_cmpuint (mail_setup_account_get_smtp_port (account), ==, port);
  g_assert_cmpint (mail_setup_account_get_smtp_security (account), ==, security);
}

static void
test_account_smtp_from_provider (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();

  g_assert_true (mail_setup_account_get_check_smtp (account));

  mail_setup_account_set_email (account, "someone@hotmail.co.uk");
  assert_smtp (account, "smtp-mail.outlook.com", 587, MAIL_SETUP_SECURITY_STARTTLS);
  g_assert_cmpstr (mail_setup_account_get_smtp_username (account), ==, "");
  g_assert_cmpstr (mail_setup_account_get_smtp_sign_in_name (account), ==,
                   "someone@hotmail.co.uk");

  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("microsoft365"));
  assert_smtp (account, "smtp.office365.com", 587, MAIL_SETUP_SECURITY_STARTTLS);

  /* A provider's receiving server typed over does not move its outgoing one. */
  mail_setup_account_set_server (account, "imap.example.org");
  assert_smtp (account, "smtp.office365.com", 587, MAIL_SETUP_SECURITY_STARTTLS);

  /* Another provider's outgoing server is no guess for "other". */
  mail_setup_account_restore_provider_settings (account);
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));
  g_assert_cmpstr (mail_setup_account_get_server (account), ==, "");
  assert_smtp (account, "", 587, MAIL_SETUP_SECURITY_STARTTLS);
}

static void
test_account_smtp_guess (void)
{
  const struct {
    const char *imap;
    const char *smtp;
  } cases[] = {
    { "imap.example.com", "smtp.example.com" },
    { "IMAP.Example.com", "smtp.Example.com" },
    { "imaps.mail.example.org", "smtp.mail.example.org" },
    { "imap4.example.net", "smtp.example.net" },
    /* A host that does not say it only receives most often sends too. */
    { "mail.example.com", "mail.example.com" },
    { "example.com", "example.com" },
    { "imapserver.example.com", "imapserver.example.com" },
    { "imap", "imap" },
    { "imap.", "imap." },
    { "127.0.0.1", "127.0.0.1" },
    { "::1", "::1" },
    { "", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *guess = mail_setup_account_guess_smtp_server (cases[i].imap);

      g_assert_cmpstr (guess, ==, cases[i].smtp);
    }
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_account_smtp_follows_imap_until_edited (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();
  guint notified = 0;

  mail_setup_account_set_email (account, "someone@example.org");
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));
  g_signal_connect (account, "notify::smtp-server", G_CALLBACK (count_notify_cb), &notified);

  mail_setup_account_set_server (account, "imap.example.org");
  assert_smtp (account, "smtp.example.org", 587, MAIL_SETUP_SECURITY_STARTTLS);
  g_assert_cmpuint (notified, ==, 1);
  mail_setup_account_set_server (account, "mail.example.net");
  assert_smtp (account, "mail.example.net", 587, MAIL_SETUP_SECURITY_STARTTLS);
  g_assert_cmpuint (notified, ==, 2);

  /* The user's own port and encryption stay with the guessed server. */
  g_object_set (account, "smtp-port", 465, "smtp-security", MAIL_SETUP_SECURITY_SSL_TLS, NULL);
  mail_setup_account_set_server (account, "imap.example.org");
  assert_smtp (account, "mail.example.net", 465, MAIL_SETUP_SECURITY_SSL_TLS);
  g_assert_cmpuint (notified, ==, 2);

  /* And so does the user's own server, whatever provider comes next. */
  g_object_set (account, "smtp-server", "out.example.org", NULL);
  mail_setup_account_set_server (account, "imap.example.com");
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));
  assert_smtp (account, "out.example.org", 465, MAIL_SETUP_SECURITY_SSL_TLS);
  g_assert_cmpuint (notified, ==, 3);
}

static void
test_account_smtp_restore (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();

  mail_setup_account_set_email (account, "someone@outlook.com");
  mail_setup_account_set_password (account, "secret");
  g_object_set (account, "smtp-server", "smtp.office365.com", "smtp-port", 25,
                "smtp-security", MAIL_SETUP_SECURITY_SSL_TLS, NULL);
  mail_setup_account_set_server (account, "imap.example.org");

  mail_setup_account_restore_provider_settings (account);
  g_assert_cmpstr (mail_setup_account_get_server (account), ==, "outlook.office365.com");
  assert_smtp (account, "smtp-mail.outlook.com", 587, MAIL_SETUP_SECURITY_STARTTLS);

  /* Restored settings are the provider's again: a typed receiving server
   * of a provider with an outgoing one still leaves it alone. */
  mail_setup_account_set_server (account, "imap.example.org");
  assert_smtp (account, "smtp-mail.outlook.com", 587, MAIL_SETUP_SECURITY_STARTTLS);
}

static void
test_account_smtp_settings_complete (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();
  g_autoptr(MailSetupCheck) check = NULL;

  mail_setup_account_set_email (account, "someone@example.org");
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));
  mail_setup_account_set_server (account, "imap.example.org");
  mail_setup_account_set_password (account, "secret");
  g_assert_true (mail_setup_account_get_settings_complete (account));

  mail_setup_account_set_smtp_server (account, "not a host");
  g_assert_false (mail_setup_account_get_settings_complete (account));
  mail_setup_account_set_smtp_server (account, "smtp.example.org");
  mail_setup_account_set_smtp_port (account, 0);
  g_assert_false (mail_setup_account_get_settings_complete (account));
  mail_setup_account_set_smtp_username (account, "line\nbreak");
  mail_setup_account_set_smtp_port (account, 587);
  g_assert_false (mail_setup_account_get_settings_complete (account));

  /* Without sending, the outgoing settings do not count, and no outgoing
   * check is made. */
  mail_setup_account_set_check_smtp (account, FALSE);
  g_assert_true (mail_setup_account_get_settings_complete (account));
  check = mail_setup_account_create_check (account);
  g_assert_null (mail_setup_check_get_outgoing (check));
}

static void
test_account_smtp_check (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();
  g_autoptr(MailSetupCheck) check = NULL;
  MailSetupCheck *outgoing;

  mail_setup_account_set_email (account, "someone@example.org");
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));
  mail_setup_account_set_server (account, "imap.example.org");
  mail_setup_account_set_username (account, "someone");
  mail_setup_account_set_password (account, "secret");
  mail_setup_account_set_timeout (account, 7);
  mail_setup_account_set_extra_ca_file (account, "/nonexistent/ca.pem");

  check = mail_setup_account_create_check (account);
  outgoing = mail_setup_check_get_outgoing (check);
  g_assert_nonnull (outgoing);
  g_assert_cmpint (mail_setup_check_get_protocol (check), ==, MAIL_SETUP_PROTOCOL_IMAP);
  g_assert_cmpint (mail_setup_check_get_protocol (outgoing), ==, MAIL_SETUP_PROTOCOL_SMTP);
  g_assert_cmpstr (mail_setup_check_get_server (outgoing), ==, "smtp.example.org");
  g_assert_cmpuint (mail_setup_check_get_port (outgoing), ==, 587);
  g_assert_cmpint (mail_setup_check_get_security (outgoing), ==, MAIL_SETUP_SECURITY_STARTTLS);
  /* The receiving server's user name, unless the outgoing one has its own. */
  g_assert_cmpstr (mail_setup_check_get_username (outgoing), ==, "someone");
  g_assert_cmpstr (mail_setup_check_get_sender (outgoing), ==, "someone@example.org");
  g_assert_cmpstr (mail_setup_check_get_provider_id (outgoing), ==, "other");
  g_clear_object (&check);

  mail_setup_account_set_smtp_username (account, "sender-name");
  mail_setup_account_set_smtp_port (account, 465);
  mail_setup_account_set_smtp_security (account, MAIL_SETUP_SECURITY_SSL_TLS);
  check = mail_setup_account_create_check (account);
  outgoing = mail_setup_check_get_outgoing (check);
  g_assert_cmpstr (mail_setup_check_get_username (check), ==, "someone");
  g_assert_cmpstr (mail_setup_check_get_username (outgoing), ==, "sender-name");
  g_assert_cmpuint (mail_setup_check_get_port (outgoing), ==, 465);
  g_assert_cmpint (mail_setup_check_get_security (outgoing), ==, MAIL_SETUP_SECURITY_SSL_TLS);
}

/* The fixes for a failed outgoing check are its own, also after Microsoft
 * sign-in, which does not get past authenticated SMTP switched off. */
static void
test_account_smtp_remedies (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();

  mail_setup_account_set_email (account, "someone@contoso.example");
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("microsoft365"));
  g_assert_cmpstr (mail_setup_account_choose_remedy (account, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED),
                   ==, "smtp-sign-in");
  g_assert_cmpstr (mail_setup_account_choose_remedy (account,
                                                     MAIL_SETUP_DIAGNOSIS_SMTP_BASIC_AUTH_BLOCKED),
                   ==, "smtp-microsoft-sign-in");

  mail_setup_account_set_microsoft_tokens (account, "access", "refresh");
  g_assert_cmpstr (mail_setup_account_choose_remedy (account, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED),
                   ==, "enable-authenticated-smtp");
  g_assert_cmpstr (mail_setup_account_choose_remedy (account, MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED),
                   ==, "smtp-sign-in");
  g_assert_cmpstr (mail_setup_account_choose_remedy (account, MAIL_SETUP_DIAGNOSIS_AUTH_FAILED),
                   ==, "microsoft-sign-in");
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
  g_test_add_func ("/account/smtp/from-provider", test_account_smtp_from_provider);
  g_test_add_func ("/account/smtp/guess", test_account_smtp_guess);
  g_test_add_func ("/account/smtp/follows-imap-until-edited",
                   test_account_smtp_follows_imap_until_edited);
  g_test_add_func ("/account/smtp/restore", test_account_smtp_restore);
  g_test_add_func ("/account/smtp/settings-complete", test_account_smtp_settings_complete);
  g_test_add_func ("/account/smtp/check", test_account_smtp_check);
  g_test_add_func ("/account/smtp/remedies", test_account_smtp_remedies);
  g_test_add_func ("/account/validate-email", test_validate_email);
  g_test_add_func ("/account/validate-server-and-port", test_validate_server_and_port);

  return g_test_run ();
}
