/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "mail-setup-diagnosis.h"

static void
test_diagnosis_codes_and_remedies (void)
{
  static const struct
  {
    const char *code;
    const char *remedy;
  } expected[] = {
    { "ok", NULL },
    { "dns-failed", "check-server-name" },
    { "connect-refused", "check-server-settings" },
    { "connect-timeout", "check-network" },
    { "tls-failed", "check-server-settings" },
    { "tls-untrusted", "certificate" },
    { "tls-hostname-mismatch", "certificate" },
    { "tls-expired", "certificate" },
    { "server-timeout", "try-later" },
    { "server-closed", "try-later" },
    { "server-unavailable", "try-later" },
    { "not-imap", "check-server-settings" },
    { "protocol-error", "check-server-settings" },
    { "starttls-unavailable", "check-server-settings" },
    { "no-usable-auth", "check-server-settings" },
    { "auth-failed", "check-password" },
    { "ms-auth-failed", "recent-activity" },
    { "ms-basic-auth-blocked", "microsoft-sign-in" },
    { "ms-account-blocked", "recent-activity" },
    { "ms-imap-not-connected", "enable-imap" },
    { "cancelled", NULL },
  };

  g_assert_cmpuint (G_N_ELEMENTS (expected), ==, MAIL_SETUP_N_DIAGNOSES);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      MailSetupDiagnosis diagnosis;

      g_assert_true (mail_setup_diagnosis_from_string (expected[i].code, &diagnosis));
      g_assert_cmpstr (mail_setup_diagnosis_to_string (diagnosis), ==, expected[i].code);
      g_assert_cmpstr (mail_setup_diagnosis_get_remedy (diagnosis), ==, expected[i].remedy);
      /* Every code has words for the user. */
      g_assert_cmpstr (mail_setup_diagnosis_get_title (diagnosis), !=, "");
      g_assert_cmpstr (mail_setup_diagnosis_get_explanation (diagnosis), !=, "");
    }
}

static void
test_diagnosis_sign_in_refusals (void)
{
  static const struct
  {
    gboolean            microsoft;
    const char         *code;
    const char         *text;
    MailSetupDiagnosis  expected;
  } cases[] = {
    { TRUE, NULL, "LOGIN failed.", MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED },
    { TRUE, NULL, "AUTHENTICATE failed.", MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED },
    { TRUE, "AUTHENTICATIONFAILED", "AuthFailed:LogonDenied-BasicAuthBlocked",
      MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED },
    { FALSE, "AUTHENTICATIONFAILED", "AuthFailed:LogonDenied-BasicAuthBlocked",
      MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED },
    { TRUE, NULL, "Basic authentication is disabled.", MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED },
    { TRUE, NULL, "LOGIN failed. Account is blocked. Login to your account via a web browser to verify your identity.",
      MAIL_SETUP_DIAGNOSIS_MS_ACCOUNT_BLOCKED },
    { FALSE, "AUTHENTICATIONFAILED", "Authentication failed.", MAIL_SETUP_DIAGNOSIS_AUTH_FAILED },
    { FALSE, NULL, "LOGIN failed.", MAIL_SETUP_DIAGNOSIS_AUTH_FAILED },
    { FALSE, "UNAVAILABLE", "Try again later.", MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      MailSetupDiagnosis actual;

      actual = mail_setup_diagnosis_for_sign_in_refusal (cases[i].microsoft, cases[i].code,
                                                         cases[i].text);
      g_assert_cmpstr (mail_setup_diagnosis_to_string (actual), ==,
                       mail_setup_diagnosis_to_string (cases[i].expected));
    }
}

static void
test_diagnosis_mailbox_refusals (void)
{
  g_assert_cmpint (mail_setup_diagnosis_for_mailbox_refusal (TRUE, NULL,
                                                             "User is authenticated but not connected."),
                   ==, MAIL_SETUP_DIAGNOSIS_MS_IMAP_NOT_CONNECTED);
  g_assert_cmpint (mail_setup_diagnosis_for_mailbox_refusal (FALSE, NULL,
                                                             "User is authenticated but not connected."),
                   ==, MAIL_SETUP_DIAGNOSIS_MS_IMAP_NOT_CONNECTED);
  g_assert_cmpint (mail_setup_diagnosis_for_mailbox_refusal (FALSE, "UNAVAILABLE", "Mailbox busy"),
                   ==, MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE);
}

static void
test_diagnosis_microsoft_greeting (void)
{
  g_assert_true (mail_setup_diagnosis_is_microsoft_greeting (
    "The Microsoft Exchange IMAP4 service is ready. [UABSADMA]"));
  g_assert_false (mail_setup_diagnosis_is_microsoft_greeting ("Dovecot (Debian) ready."));
  g_assert_false (mail_setup_diagnosis_is_microsoft_greeting (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/diagnosis/codes-and-remedies", test_diagnosis_codes_and_remedies);
  g_test_add_func ("/diagnosis/sign-in-refusals", test_diagnosis_sign_in_refusals);
  g_test_add_func ("/diagnosis/mailbox-refusals", test_diagnosis_mailbox_refusals);
  g_test_add_func ("/diagnosis/microsoft-greeting", test_diagnosis_microsoft_greeting);

  return g_test_run ();
}
