/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <gnutls/gnutls.h>

#include "mail-setup-diagnosis.h"
#include "mail-setup-remedy.h"
#include "mail-setup-stream.h"

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
    { "not-imap", "receiving-server" },
    { "protocol-error", "check-server-settings" },
    { "starttls-unavailable", "check-server-settings" },
    { "no-usable-auth", "check-server-settings" },
    { "auth-failed", "check-password" },
    { "ms-auth-failed", "recent-activity" },
    { "ms-basic-auth-blocked", "microsoft-sign-in" },
    { "ms-account-blocked", "recent-activity" },
    { "ms-imap-not-connected", "enable-imap" },
    { "sign-in-consent-required", "admin-consent" },
    { "sign-in-blocked", "blocked-by-policy" },
    { "sign-in-declined", "sign-in-again" },
    { "sign-in-expired", "sign-in-again" },
    { "sign-in-wrong-account", "sign-in-right-account" },
    { "sign-in-app-rejected", "sign-in-app-settings" },
    { "sign-in-saved-expired", "sign-in-again" },
    { "sign-in-unreachable", "sign-in-unreachable" },
    { "sign-in-refused", "sign-in-refused" },
    { "oauth-token-refused", "mailbox-imap-access" },
    { "tls-outdated", "update-server-tls" },
    { "tls-insecure", "replace-certificate" },
    { "tls-incomplete-chain", "complete-certificate-chain" },
    { "tls-not-yet-valid", "check-clock" },
    { "tls-revoked", "certificate" },
    { "not-smtp", "sending-server" },
    { "smtp-starttls-unavailable", "sending-server" },
    { "smtp-unavailable", "try-later" },
    { "smtp-auth-failed", "smtp-sign-in" },
    { "smtp-auth-disabled", "enable-authenticated-smtp" },
    { "smtp-basic-auth-blocked", "smtp-microsoft-sign-in" },
    { "smtp-sender-refused", "sender-address" },
    { "cancelled", NULL },
  };
  MailSetupDiagnosis unknown;

  g_assert_cmpuint (G_N_ELEMENTS (expected), ==, MAIL_SETUP_N_DIAGNOSES);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      MailSetupDiagnosis diagnosis;

      g_assert_true (mail_setup_diagnosis_from_string (expected[i].code, &diagnosis));
      g_assert_cmpstr (mail_setup_diagnosis_to_string (diagnosis), ==, expected[i].code);
      g_assert_cmpstr (mail_setup_diagnosis_get_remedy (diagnosis), ==, expected[i].remedy);
      g_assert_cmpuint (diagnosis, ==, i);
      /* Every code has words for the user. */
      g_assert_nonnull (mail_setup_diagnosis_get_title (diagnosis));
      g_assert_nonnull (mail_setup_diagnosis_get_explanation (diagnosis));
      g_assert_cmpstr (mail_setup_diagnosis_get_title (diagnosis), !=, "");
      g_assert_cmpstr (mail_setup_diagnosis_get_explanation (diagnosis), !=, "");
      /* And a fix that exists. */
      if (expected[i].remedy != NULL)
        g_assert_nonnull (mail_setup_remedy_catalog_lookup (expected[i].remedy));
    }

  g_assert_false (mail_setup_diagnosis_from_string ("sign-in", &unknown));
  g_assert_false (mail_setup_diagnosis_from_string (NULL, &unknown));
}

static void
test_diagnosis_words (void)
{
  g_autoptr(GHashTable) titles = g_hash_table_new (g_str_hash, g_str_equal);

  /* A token problem is never a password problem. */
  for (MailSetupDiagnosis d = MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED;
       d <= MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED; d++)
    {
      g_assert_null (strstr (mail_setup_diagnosis_get_title (d), "assword"));
      g_assert_null (strstr (mail_setup_diagnosis_get_explanation (d), "assword"));
    }

  /* Each code has a headline of its own. */
  for (guint d = 0; d < MAIL_SETUP_N_DIAGNOSES; d++)
    g_assert_true (g_hash_table_add (titles, (gpointer) mail_setup_diagnosis_get_title (d)));
}

/* Every code is explained where people look it up: a row of the README's
 * table and an entry of the manual page's DIAGNOSES. */
static void
test_diagnosis_documented (void)
{
  const char *source_dir = g_getenv ("MAIL_SETUP_SOURCE_DIR");
  g_autofree char *readme_path = NULL;
  g_autofree char *man_path = NULL;
  g_autofree char *readme = NULL;
  g_autofree char *man = NULL;
  g_autoptr(GError) error = NULL;

  if (source_dir == NULL)
    {
      g_test_skip ("MAIL_SETUP_SOURCE_DIR is not set");
      return;
    }

  readme_path = g_build_filename (source_dir, "README.md", NULL);
  man_path = g_build_filename (source_dir, "data", "mail-setup.1", NULL);
  g_file_get_contents (readme_path, &readme, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (man_path, &man, NULL, &error);
  g_assert_no_error (error);

  for (guint d = 0; d < MAIL_SETUP_N_DIAGNOSES; d++)
    {
      const char *code = mail_setup_diagnosis_to_string (d);
      g_autofree char *row = g_strdup_printf ("\n| `%s` |", code);
      g_auto(GStrv) words = g_strsplit (code, "-", -1);
      g_autofree char *escaped = g_strjoinv ("\\-", words);
      g_autofree char *entry = g_strdup_printf ("\n.TP\n.B %s\n", escaped);

      g_test_message ("%s", code);
      g_assert_nonnull (strstr (readme, row));
      g_assert_nonnull (strstr (man, entry));
    }
}

static void
test_diagnosis_is_sign_in (void)
{
  for (guint d = 0; d < MAIL_SETUP_N_DIAGNOSES; d++)
    {
      const char *id = mail_setup_diagnosis_to_string (d);
      gboolean expected = g_str_has_prefix (id, "sign-in-");

      g_assert_cmpint (mail_setup_diagnosis_is_sign_in (d), ==, expected);
    }
}

static gsize
count_codes (const gint64 *codes,
             gsize         max)
{
  gsize n = 0;

  while (n < max && codes[n] != 0)
    n++;

  return n;
}

/* Answers as Microsoft's token endpoint (or the browser's redirect) gives
 * them, with the AADSTS numbers of its error reference. */
static void
test_diagnosis_sign_in_errors (void)
{
  static const MailSetupSignInGrant every_grant[] = {
    MAIL_SETUP_SIGN_IN_GRANT_DEVICE_CODE,
    MAIL_SETUP_SIGN_IN_GRANT_AUTHORIZATION_CODE,
    MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN,
  };
  static const struct
  {
    const char         *error;
    const char         *suberror;
    gint64              codes[2];
    MailSetupDiagnosis  expected;
  } any_grant[] = {
    /* The app registration. */
    { "invalid_client", NULL, { 7000218 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED },
    { "unauthorized_client", NULL, { 700016 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED },
    { "invalid_client", NULL, { 0 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED },
    { "invalid_request", NULL, { 50011 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED },
    { "invalid_grant", NULL, { 7000112 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED },
    { "invalid_request", NULL, { 7000218 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED },
    /* Conditional Access, device code blocked, device not managed. */
    { "invalid_grant", "message_only", { 53003 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED },
    { "interaction_required", "message_only", { 53003 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED },
    { "invalid_grant", NULL, { 53000 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED },
    { "invalid_grant", NULL, { 53001 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED },
    { "interaction_required", NULL, { 50097 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED },
    { "invalid_grant", NULL, { 530033 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED },
    /* The first code that means something wins over a generic one. */
    { "invalid_grant", NULL, { 50000, 53003 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED },
    /* Another account, or the wrong kind. */
    { "invalid_request", NULL, { 50020 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_WRONG_ACCOUNT },
    { "invalid_request", NULL, { 500208 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_WRONG_ACCOUNT },
    { "invalid_grant", NULL, { 50020 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_WRONG_ACCOUNT },
    /* The user said no. */
    { "authorization_declined", NULL, { 0 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED },
    { "access_denied", NULL, { 0 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED },
    { "access_denied", NULL, { 65004 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED },
    { "invalid_grant", NULL, { 65004 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED },
    /* The device code ran out. */
    { "expired_token", NULL, { 70020 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_EXPIRED },
    { "expired_token", NULL, { 0 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_EXPIRED },
    { "invalid_grant", NULL, { 70019 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_EXPIRED },
    /* Nothing known. */
    { "invalid_scope", NULL, { 70011 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED },
    { "temporarily_unavailable", NULL, { 0 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED },
    { "server_error", NULL, { 90033 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED },
    { NULL, NULL, { 0 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED },
    { "", "", { 0 }, MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED },
  };
  static const struct
  {
    MailSetupSignInGrant  grant;
    const char           *error;
    const char           *suberror;
    gint64                codes[2];
    MailSetupDiagnosis    expected;
  } by_grant[] = {
    /* A saved sign-in that Microsoft no longer takes. */
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "invalid_grant", NULL, { 700082 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "invalid_grant", NULL, { 50173 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "invalid_grant", NULL, { 70043 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "invalid_request", NULL, { 9002313 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "invalid_grant", "consent_required", { 65001 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "invalid_grant", NULL, { 70000 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "interaction_required", NULL, { 50076 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "invalid_grant", NULL, { 0 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "invalid_grant", NULL, { 90094 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "consent_required", NULL, { 0 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED },
    /* A refresh blocked by Conditional Access is blocked, not expired. */
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "invalid_grant", "message_only", { 53003 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED },
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "invalid_client", NULL, { 7000112 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED },
    { MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN, "invalid_request", NULL, { 90033 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED },

    /* Consent, where the user is there to give it or to ask for it. */
    { MAIL_SETUP_SIGN_IN_GRANT_AUTHORIZATION_CODE, "invalid_grant", "consent_required", { 65001 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_DEVICE_CODE, "invalid_grant", "consent_required", { 65001 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_AUTHORIZATION_CODE, "access_denied", NULL, { 90094 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED },
    { MAIL_SETUP_SIGN_IN_GRANT_AUTHORIZATION_CODE, "invalid_request", NULL, { 90094 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_DEVICE_CODE, "invalid_grant", NULL, { 90095 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_AUTHORIZATION_CODE, "consent_required", NULL, { 0 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED },
    { MAIL_SETUP_SIGN_IN_GRANT_DEVICE_CODE, "invalid_grant", "consent_required", { 0 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED },

    /* Without a saved sign-in, the refresh-only codes mean nothing known. */
    { MAIL_SETUP_SIGN_IN_GRANT_DEVICE_CODE, "invalid_grant", NULL, { 70000 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED },
    { MAIL_SETUP_SIGN_IN_GRANT_AUTHORIZATION_CODE, "invalid_grant", NULL, { 9002313 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED },
    { MAIL_SETUP_SIGN_IN_GRANT_AUTHORIZATION_CODE, "interaction_required", NULL, { 50076 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED },
    { MAIL_SETUP_SIGN_IN_GRANT_DEVICE_CODE, "invalid_grant", NULL, { 0 },
      MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (any_grant); i++)
    {
      for (guint g = 0; g < G_N_ELEMENTS (every_grant); g++)
        {
          MailSetupDiagnosis actual;
          g_autofree char *got = NULL;
          g_autofree char *wanted = NULL;

          actual = mail_setup_diagnosis_for_sign_in_error (every_grant[g], any_grant[i].error,
                                                           any_grant[i].suberror, any_grant[i].codes,
                                                           count_codes (any_grant[i].codes,
                                                                        G_N_ELEMENTS (any_grant[i].codes)));
          got = g_strdup_printf ("case %u, grant %u: %s", i, g, mail_setup_diagnosis_to_string (actual));
          wanted = g_strdup_printf ("case %u, grant %u: %s", i, g,
                                    mail_setup_diagnosis_to_string (any_grant[i].expected));
          g_assert_cmpstr (got, ==, wanted);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (by_grant); i++)
    {
      MailSetupDiagnosis actual;
      g_autofree char *got = NULL;
      g_autofree char *wanted = NULL;

      actual = mail_setup_diagnosis_for_sign_in_error (by_grant[i].grant, by_grant[i].error,
                                                       by_grant[i].suberror, by_grant[i].codes,
                                                       count_codes (by_grant[i].codes,
                                                                    G_N_ELEMENTS (by_grant[i].codes)));
      got = g_strdup_printf ("case %u: %s", i, mail_setup_diagnosis_to_string (actual));
      wanted = g_strdup_printf ("case %u: %s", i, mail_setup_diagnosis_to_string (by_grant[i].expected));
      g_assert_cmpstr (got, ==, wanted);
      g_assert_true (mail_setup_diagnosis_is_sign_in (actual));
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
  /* Microsoft 365's sending server. */
  g_assert_true (mail_setup_diagnosis_is_microsoft_greeting (
    "220 AM0PR10CA0012.outlook.office365.com Microsoft ESMTP MAIL Service ready"));
}

/* First lines as real servers send them. */
static void
test_diagnosis_other_servers (void)
{
  static const struct
  {
    const char        *line;
    guint16            port;
    gboolean           other;
    MailSetupProtocol  protocol;
  } cases[] = {
    { "220 AM0PR10CA0012.outlook.office365.com Microsoft ESMTP MAIL Service ready at Tue, "
      "1 Jul 2025 10:00:00 +0000", 587, TRUE, MAIL_SETUP_PROTOCOL_SMTP },
    { "220-mail.example.org ESMTP Postfix (Debian/GNU)", 993, TRUE, MAIL_SETUP_PROTOCOL_SMTP },
    { "554 5.7.1 No SMTP service here", 143, TRUE, MAIL_SETUP_PROTOCOL_SMTP },
    { "220 mail.example.org", 587, TRUE, MAIL_SETUP_PROTOCOL_SMTP },
    { "220 (vsFTPd 3.0.3)", 993, TRUE, MAIL_SETUP_PROTOCOL_FTP },
    { "220 Microsoft FTP Service", 143, TRUE, MAIL_SETUP_PROTOCOL_FTP },
    { "220 Welcome", 21, TRUE, MAIL_SETUP_PROTOCOL_FTP },
    /* A reply code says "SMTP or FTP"; nothing here says which. */
    { "220 Welcome", 993, TRUE, MAIL_SETUP_PROTOCOL_UNKNOWN },
    { "+OK Dovecot ready.", 993, TRUE, MAIL_SETUP_PROTOCOL_POP3 },
    { "+OK", 143, TRUE, MAIL_SETUP_PROTOCOL_POP3 },
    { "-ERR [SYS/TEMP] Too many connections", 993, TRUE, MAIL_SETUP_PROTOCOL_POP3 },
    { "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", 993, TRUE, MAIL_SETUP_PROTOCOL_SSH },
    { "HTTP/1.1 400 Bad Request", 993, TRUE, MAIL_SETUP_PROTOCOL_HTTP },
    { "HTTP/1.0 408 Request Time-out", 143, TRUE, MAIL_SETUP_PROTOCOL_HTTP },
    /* IMAP, broken IMAP and garbage are the IMAP parser's to judge. */
    { "* OK [CAPABILITY IMAP4rev1] Dovecot ready.", 993, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
    { "* BYE Too many connections", 993, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
    { "+ go ahead", 993, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
    { "A1 OK done", 993, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
    { "22 too short", 587, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
    { "2200 no separator", 587, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
    { "HTTP/x", 993, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
    { "", 993, FALSE, MAIL_SETUP_PROTOCOL_UNKNOWN },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      MailSetupProtocol protocol = MAIL_SETUP_PROTOCOL_UNKNOWN;
      gboolean other;

      g_test_message ("%s", cases[i].line);
      other = mail_setup_diagnosis_recognise_other_server (cases[i].line, cases[i].port, &protocol);
      g_assert_cmpint (other, ==, cases[i].other);
      g_assert_cmpstr (mail_setup_protocol_to_string (protocol), ==,
                       mail_setup_protocol_to_string (cases[i].protocol));
    }

  g_assert_cmpstr (mail_setup_protocol_to_string (MAIL_SETUP_PROTOCOL_UNKNOWN), ==, NULL);
}

/* GnuTLS's verification status, bit by bit; several bits at once give the
 * most fundamental refusal. */
static void
test_diagnosis_tls_status (void)
{
  static const struct
  {
    unsigned int       status;
    MailSetupTlsError  expected;
  } cases[] = {
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND, MAIL_SETUP_TLS_ERROR_UNTRUSTED },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_CA, MAIL_SETUP_TLS_ERROR_UNTRUSTED },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNATURE_FAILURE, MAIL_SETUP_TLS_ERROR_UNTRUSTED },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_INSECURE_ALGORITHM, MAIL_SETUP_TLS_ERROR_INSECURE },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_REVOKED, MAIL_SETUP_TLS_ERROR_REVOKED },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_NOT_ACTIVATED, MAIL_SETUP_TLS_ERROR_NOT_YET_VALID },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED, MAIL_SETUP_TLS_ERROR_EXPIRED },
    { GNUTLS_CERT_UNEXPECTED_OWNER, MAIL_SETUP_TLS_ERROR_HOSTNAME_MISMATCH },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_PURPOSE_MISMATCH, MAIL_SETUP_TLS_ERROR_UNTRUSTED },
    /* A self-signed certificate with SHA-1 is untrusted before it is weak. */
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_INSECURE_ALGORITHM,
      MAIL_SETUP_TLS_ERROR_UNTRUSTED },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_REVOKED | GNUTLS_CERT_EXPIRED,
      MAIL_SETUP_TLS_ERROR_REVOKED },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_INSECURE_ALGORITHM | GNUTLS_CERT_EXPIRED,
      MAIL_SETUP_TLS_ERROR_INSECURE },
    { GNUTLS_CERT_INVALID | GNUTLS_CERT_NOT_ACTIVATED | GNUTLS_CERT_UNEXPECTED_OWNER,
      MAIL_SETUP_TLS_ERROR_NOT_YET_VALID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (mail_setup_tls_error_for_status (cases[i].status), ==, cases[i].expected);
}

/* An incomplete chain is the server's mistake: nothing in its words may
 * send the user looking for an attacker. */
static void
test_diagnosis_incomplete_chain_words (void)
{
  MailSetupRemedy *remedy = mail_setup_remedy_catalog_lookup ("complete-certificate-chain");
  const char *explanation;

  explanation = mail_setup_diagnosis_get_explanation (MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN);

  g_assert_null (strstr (explanation, "intercept"));
  g_assert_null (strstr (mail_setup_remedy_get_summary (remedy), "intercept"));
  for (guint s = 0; s < mail_setup_remedy_get_n_steps (remedy); s++)
    g_assert_null (strstr (mail_setup_remedy_get_step_text (remedy, s), "intercept"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/diagnosis/codes-and-remedies", test_diagnosis_codes_and_remedies);
  g_test_add_func ("/diagnosis/words", test_diagnosis_words);
  g_test_add_func ("/diagnosis/documented", test_diagnosis_documented);
  g_test_add_func ("/diagnosis/is-sign-in", test_diagnosis_is_sign_in);
  g_test_add_func ("/diagnosis/sign-in-errors", test_diagnosis_sign_in_errors);
  g_test_add_func ("/diagnosis/sign-in-refusals", test_diagnosis_sign_in_refusals);
  g_test_add_func ("/diagnosis/mailbox-refusals", test_diagnosis_mailbox_refusals);
  g_test_add_func ("/diagnosis/microsoft-greeting", test_diagnosis_microsoft_greeting);
  g_test_add_func ("/diagnosis/other-servers", test_diagnosis_other_servers);
  g_test_add_func ("/diagnosis/tls-status", test_diagnosis_tls_status);
  g_test_add_func ("/diagnosis/incomplete-chain-words", test_diagnosis_incomplete_chain_words);

  return g_test_run ();
}
