/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-setup-diagnosis.h"

static const struct
{
  const char *id;
  const char *remedy;
} diagnoses[MAIL_SETUP_N_DIAGNOSES] = {
  [MAIL_SETUP_DIAGNOSIS_OK] = { "ok", NULL },
  [MAIL_SETUP_DIAGNOSIS_DNS_FAILED] = { "dns-failed", "check-server-name" },
  [MAIL_SETUP_DIAGNOSIS_CONNECT_REFUSED] = { "connect-refused", "check-server-settings" },
  [MAIL_SETUP_DIAGNOSIS_CONNECT_TIMEOUT] = { "connect-timeout", "check-network" },
  [MAIL_SETUP_DIAGNOSIS_TLS_FAILED] = { "tls-failed", "check-server-settings" },
  [MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED] = { "tls-untrusted", "certificate" },
  [MAIL_SETUP_DIAGNOSIS_TLS_HOSTNAME_MISMATCH] = { "tls-hostname-mismatch", "certificate" },
  [MAIL_SETUP_DIAGNOSIS_TLS_EXPIRED] = { "tls-expired", "certificate" },
  [MAIL_SETUP_DIAGNOSIS_SERVER_TIMEOUT] = { "server-timeout", "try-later" },
  [MAIL_SETUP_DIAGNOSIS_SERVER_CLOSED] = { "server-closed", "try-later" },
  [MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE] = { "server-unavailable", "try-later" },
  [MAIL_SETUP_DIAGNOSIS_NOT_IMAP] = { "not-imap", "receiving-server" },
  [MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR] = { "protocol-error", "check-server-settings" },
  [MAIL_SETUP_DIAGNOSIS_STARTTLS_UNAVAILABLE] = { "starttls-unavailable", "check-server-settings" },
  [MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH] = { "no-usable-auth", "check-server-settings" },
  [MAIL_SETUP_DIAGNOSIS_AUTH_FAILED] = { "auth-failed", "check-password" },
  [MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED] = { "ms-auth-failed", "recent-activity" },
  [MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED] = { "ms-basic-auth-blocked", "microsoft-sign-in" },
  [MAIL_SETUP_DIAGNOSIS_MS_ACCOUNT_BLOCKED] = { "ms-account-blocked", "recent-activity" },
  [MAIL_SETUP_DIAGNOSIS_MS_IMAP_NOT_CONNECTED] = { "ms-imap-not-connected", "enable-imap" },
  [MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED] = { "sign-in-consent-required", "admin-consent" },
  [MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED] = { "sign-in-blocked", "blocked-by-policy" },
  [MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED] = { "sign-in-declined", "sign-in-again" },
  [MAIL_SETUP_DIAGNOSIS_SIGN_IN_EXPIRED] = { "sign-in-expired", "sign-in-again" },
  [MAIL_SETUP_DIAGNOSIS_SIGN_IN_WRONG_ACCOUNT] = { "sign-in-wrong-account", "sign-in-right-account" },
  [MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED] = { "sign-in-app-rejected", "sign-in-app-settings" },
  [MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED] = { "sign-in-saved-expired", "sign-in-again" },
  [MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE] = { "sign-in-unreachable", "sign-in-unreachable" },
  [MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED] = { "sign-in-refused", "sign-in-refused" },
  [MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED] = { "oauth-token-refused", "mailbox-imap-access" },
  [MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED] = { "tls-outdated", "update-server-tls" },
  [MAIL_SETUP_DIAGNOSIS_TLS_INSECURE] = { "tls-insecure", "replace-certificate" },
  [MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN] = { "tls-incomplete-chain", "complete-certificate-chain" },
  [MAIL_SETUP_DIAGNOSIS_TLS_NOT_YET_VALID] = { "tls-not-yet-valid", "check-clock" },
  [MAIL_SETUP_DIAGNOSIS_TLS_REVOKED] = { "tls-revoked", "certificate" },
  [MAIL_SETUP_DIAGNOSIS_NOT_SMTP] = { "not-smtp", "sending-server" },
  [MAIL_SETUP_DIAGNOSIS_SMTP_STARTTLS_UNAVAILABLE] = { "smtp-starttls-unavailable", "sending-server" },
  [MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE] = { "smtp-unavailable", "try-later" },
  [MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED] = { "smtp-auth-failed", "smtp-sign-in" },
  [MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED] = { "smtp-auth-disabled", "enable-authenticated-smtp" },
  [MAIL_SETUP_DIAGNOSIS_SMTP_BASIC_AUTH_BLOCKED] = { "smtp-basic-auth-blocked", "smtp-microsoft-sign-in" },
  [MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED] = { "smtp-sender-refused", "sender-address" },
  [MAIL_SETUP_DIAGNOSIS_CANCELLED] = { "cancelled", NULL },
};

const char *
mail_setup_diagnosis_to_string (MailSetupDiagnosis diagnosis)
{
  g_return_val_if_fail (diagnosis < MAIL_SETUP_N_DIAGNOSES, NULL);

  return diagnoses[diagnosis].id;
}

gboolean
mail_setup_diagnosis_from_string (const char         *text,
                                  MailSetupDiagnosis *diagnosis)
{
  g_return_val_if_fail (diagnosis != NULL, FALSE);

  for (guint i = 0; i < MAIL_SETUP_N_DIAGNOSES; i++)
    {
      if (g_strcmp0 (text, diagnoses[i].id) == 0)
        {
          *diagnosis = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* The id of the remedy to offer, or NULL when there is nothing to fix. */
const char *
mail_setup_diagnosis_get_remedy (MailSetupDiagnosis diagnosis)
{
  g_return_val_if_fail (diagnosis < MAIL_SETUP_N_DIAGNOSES, NULL);

  return diagnoses[diagnosis].remedy;
}

/* The diagnoses of the way to a server are shared by both protocols, but
 * the fix for wrong settings must speak of SMTP's ports; and a Microsoft
 * token refused for sending is not a wrong password but, most often,
 * Authenticated SMTP switched off for the mailbox. */
const char *
mail_setup_diagnosis_get_sending_remedy (MailSetupDiagnosis diagnosis,
                                         gboolean           uses_token)
{
  const char *remedy = mail_setup_diagnosis_get_remedy (diagnosis);

  if (diagnosis == MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED && uses_token)
    return "smtp-token-refused";

  if (g_strcmp0 (remedy, "check-server-settings") == 0)
    return "sending-server";

  return remedy;
}

static gboolean
contains_ignoring_case (const char *haystack,
                        const char *needle)
{
  g_autofree char *folded_haystack = NULL;
  g_autofree char *folded_needle = NULL;

  if (haystack == NULL)
    return FALSE;

  folded_haystack = g_ascii_strdown (haystack, -1);
  folded_needle = g_ascii_strdown (needle, -1);

  return strstr (folded_haystack, folded_needle) != NULL;
}

/* Exchange greets as "Microsoft Exchange" over IMAP and as "Microsoft
 * ESMTP MAIL Service" over SMTP, Microsoft 365's servers included. */
gboolean
mail_setup_diagnosis_is_microsoft_greeting (const char *greeting_text)
{
  return contains_ignoring_case (greeting_text, "Microsoft Exchange") ||
         contains_ignoring_case (greeting_text, "Microsoft ESMTP");
}

static const char *protocol_names[] = {
  [MAIL_SETUP_PROTOCOL_UNKNOWN] = NULL,
  [MAIL_SETUP_PROTOCOL_SMTP] = "smtp",
  [MAIL_SETUP_PROTOCOL_POP3] = "pop3",
  [MAIL_SETUP_PROTOCOL_SSH] = "ssh",
  [MAIL_SETUP_PROTOCOL_FTP] = "ftp",
  [MAIL_SETUP_PROTOCOL_HTTP] = "http",
  [MAIL_SETUP_PROTOCOL_IMAP] = "imap",
};

const char *
mail_setup_protocol_to_string (MailSetupProtocol protocol)
{
  g_return_val_if_fail (protocol < G_N_ELEMENTS (protocol_names), NULL);

  return protocol_names[protocol];
}

/* "220 text" or "220-text": the reply that SMTP (RFC 5321) and FTP
 * (RFC 959) both greet with. */
static gboolean
is_reply_code_line (const char *line)
{
  return line[0] >= '1' && line[0] <= '5' && g_ascii_isdigit (line[1]) &&
         g_ascii_isdigit (line[2]) &&
         (line[3] == ' ' || line[3] == '-' || line[3] == '\r' || line[3] == '\0');
}

/* SMTP and FTP greet alike; their servers nearly always name themselves,
 * and otherwise only the port they are usually found on tells them apart. */
static MailSetupProtocol
reply_code_protocol (const char *line,
                     guint16     port)
{
  if (contains_ignoring_case (line, "SMTP"))
    return MAIL_SETUP_PROTOCOL_SMTP;
  if (contains_ignoring_case (line, "FTP"))
    return MAIL_SETUP_PROTOCOL_FTP;

  switch (port)
    {
    case 25:
    case 465:
    case 587:
    case 2525:
      return MAIL_SETUP_PROTOCOL_SMTP;
    case 21:
    case 990:
      return MAIL_SETUP_PROTOCOL_FTP;
    default:
      return MAIL_SETUP_PROTOCOL_UNKNOWN;
    }
}

/* Whether FIRST_LINE, the first thing a server sent, is the greeting of
 * another kind of server than the EXPECTED one (IMAP or SMTP). PROTOCOL is
 * which, or UNKNOWN for a reply code that SMTP and FTP share when nothing
 * else tells them apart. A line that is neither (garbage, a broken
 * greeting) is left for the expected protocol's parser to judge.
 *
 * IMAP's first line always starts with "* "; SMTP's is a reply code, like
 * FTP's, so for an SMTP check a reply code is another server's only when
 * it names FTP or comes from FTP's port. */
gboolean
mail_setup_diagnosis_recognise_server (MailSetupProtocol  expected,
                                       const char        *first_line,
                                       guint16            port,
                                       MailSetupProtocol *protocol)
{
  MailSetupProtocol found = MAIL_SETUP_PROTOCOL_UNKNOWN;

  g_return_val_if_fail (expected == MAIL_SETUP_PROTOCOL_IMAP ||
                        expected == MAIL_SETUP_PROTOCOL_SMTP, FALSE);
  g_return_val_if_fail (first_line != NULL, FALSE);
  g_return_val_if_fail (protocol != NULL, FALSE);

  if (g_str_has_prefix (first_line, "+OK") || g_str_has_prefix (first_line, "-ERR"))
    found = MAIL_SETUP_PROTOCOL_POP3;
  else if (g_str_has_prefix (first_line, "SSH-"))
    found = MAIL_SETUP_PROTOCOL_SSH;
  else if (g_str_has_prefix (first_line, "HTTP/") && g_ascii_isdigit (first_line[5]))
    found = MAIL_SETUP_PROTOCOL_HTTP;
  else if (expected == MAIL_SETUP_PROTOCOL_SMTP && g_str_has_prefix (first_line, "* "))
    found = MAIL_SETUP_PROTOCOL_IMAP;
  else if (is_reply_code_line (first_line))
    {
      found = reply_code_protocol (first_line, port);
      if (expected == MAIL_SETUP_PROTOCOL_SMTP && found != MAIL_SETUP_PROTOCOL_FTP)
        return FALSE;
    }
  else
    return FALSE;

  *protocol = found;
  return TRUE;
}

gboolean
mail_setup_diagnosis_recognise_other_server (const char        *first_line,
                                             guint16            port,
                                             MailSetupProtocol *protocol)
{
  return mail_setup_diagnosis_recognise_server (MAIL_SETUP_PROTOCOL_IMAP, first_line, port,
                                                protocol);
}

/* Microsoft's 5.7.139 stands for several refusals of SMTP AUTH, told
 * apart only by their words:
 * - "SmtpClientAuthentication is disabled for the Tenant" (or "for the
 *   Mailbox"): authenticated SMTP is off, for Microsoft sign-in too;
 * - "basic authentication is disabled": a password where only Microsoft
 *   sign-in is taken;
 * - "user is locked by your organization's security defaults policy":
 *   security defaults switch authenticated SMTP off, and the remedy for
 *   the first answer names them, so it is told as that one;
 * - anything else, Conditional Access's "did not meet the criteria to be
 *   authenticated successfully" among them: a refusal that only the
 *   organisation can explain. */
static MailSetupDiagnosis
for_microsoft_auth_refusal (const char *text)
{
  if (contains_ignoring_case (text, "SmtpClientAuthentication is disabled") ||
      contains_ignoring_case (text, "security defaults"))
    return MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED;
  if (contains_ignoring_case (text, "basic authentication is disabled"))
    return MAIL_SETUP_DIAGNOSIS_SMTP_BASIC_AUTH_BLOCKED;

  return MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED;
}

/* A refused AUTH. A refused token is a refused sign-in too: it carries no
 * password to be wrong, but Microsoft refuses it with the same 535 5.7.3
 * when authenticated SMTP is off for the mailbox or the token does not
 * allow sending (SMTP.Send), and SMTP_AUTH_FAILED's words name that; the
 * IMAP check's OAUTH_TOKEN_REFUSED speaks of IMAP. */
static MailSetupDiagnosis
for_auth_refusal (guint       code,
                  const char *enhanced_code,
                  const char *text)
{
  if (g_strcmp0 (enhanced_code, "5.7.139") == 0)
    return for_microsoft_auth_refusal (text);

  /* 550 5.7.30 Basic authentication is not supported for Client Submission. */
  if (g_strcmp0 (enhanced_code, "5.7.30") == 0 ||
      contains_ignoring_case (text, "Basic authentication is not supported"))
    return MAIL_SETUP_DIAGNOSIS_SMTP_BASIC_AUTH_BLOCKED;

  switch (code)
    {
    case 530: /* authentication required: another mechanism, or none left */
    case 534: /* mechanism too weak (Google: "Please log in with your web browser") */
    case 535: /* 5.7.3, 5.7.8: credentials invalid */
      return MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED;
    case 504: /* mechanism not supported, though offered */
      return MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH;
    default:
      return MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR;
    }
}

/* A refused MAIL FROM: the address is not this account's to send from
 * (Microsoft's 5.7.60 and SendAsDenied, 5.2.0 and 5.2.252), the sign-in did
 * not take (530 5.7.57 Client not authenticated to send mail), or the
 * address is refused for what it is (5.1.x: 550, 553). */
static MailSetupDiagnosis
for_sender_refusal (guint       code,
                    const char *enhanced_code,
                    const char *text)
{
  if (contains_ignoring_case (text, "SendAsDenied"))
    return MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED;

  if (enhanced_code != NULL &&
      (g_str_has_prefix (enhanced_code, "5.1.") || g_str_has_prefix (enhanced_code, "5.2.") ||
       g_str_has_prefix (enhanced_code, "5.7.")))
    return MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED;

  switch (code)
    {
    case 530:
    case 550:
    case 551:
    case 553:
      return MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED;
    default:
      return MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR;
    }
}

static guint
expected_code (MailSetupSmtpCommand command)
{
  switch (command)
    {
    case MAIL_SETUP_SMTP_COMMAND_GREETING:
    case MAIL_SETUP_SMTP_COMMAND_STARTTLS:
      return 220;
    case MAIL_SETUP_SMTP_COMMAND_AUTH:
      return 235;
    case MAIL_SETUP_SMTP_COMMAND_QUIT:
      return 221;
    case MAIL_SETUP_SMTP_COMMAND_EHLO:
    case MAIL_SETUP_SMTP_COMMAND_MAIL_FROM:
    case MAIL_SETUP_SMTP_COMMAND_RSET:
    default:
      return 250;
    }
}

MailSetupDiagnosis
mail_setup_diagnosis_for_smtp_reply (MailSetupSmtpCommand  command,
                                     guint                 code,
                                     const char           *enhanced_code,
                                     const char           *text)
{
  if (code == expected_code (command))
    return MAIL_SETUP_DIAGNOSIS_OK;

  /* 421: the server is closing the connection, whatever was asked. */
  if (code == 421)
    return MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE;

  switch (command)
    {
    case MAIL_SETUP_SMTP_COMMAND_GREETING:
      /* 554 in place of the greeting: no service for this client. */
      if (code == 554 || (code >= 400 && code < 500))
        return MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE;
      return MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR;

    case MAIL_SETUP_SMTP_COMMAND_STARTTLS:
      /* 454 TLS not available, 502 not implemented. */
      if (code >= 400 && code < 600)
        return MAIL_SETUP_DIAGNOSIS_SMTP_STARTTLS_UNAVAILABLE;
      return MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR;

    case MAIL_SETUP_SMTP_COMMAND_AUTH:
      if (code >= 500 && code < 600)
        return for_auth_refusal (code, enhanced_code, text);
      break;

    case MAIL_SETUP_SMTP_COMMAND_MAIL_FROM:
      if (code >= 500 && code < 600)
        return for_sender_refusal (code, enhanced_code, text);
      break;

    case MAIL_SETUP_SMTP_COMMAND_EHLO:
    case MAIL_SETUP_SMTP_COMMAND_RSET:
    case MAIL_SETUP_SMTP_COMMAND_QUIT:
    default:
      break;
    }

  /* 4xx: a passing condition, "try again later". */
  if (code >= 400 && code < 500)
    return MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE;

  return MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR;
}

/* Microsoft gives no reason for most refusals, so its generic "LOGIN failed."
 * stands for several causes at once; only two answers name theirs. The
 * wording of those two is Microsoft's own and never comes from another
 * server, so it is recognised whatever the provider. */
MailSetupDiagnosis
mail_setup_diagnosis_for_sign_in_refusal (gboolean    microsoft,
                                          const char *response_code,
                                          const char *response_text)
{
  if (contains_ignoring_case (response_text, "BasicAuthBlocked") ||
      contains_ignoring_case (response_text, "Basic authentication is disabled"))
    return MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED;

  if (g_strcmp0 (response_code, "UNAVAILABLE") == 0)
    return MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE;

  if (!microsoft)
    return MAIL_SETUP_DIAGNOSIS_AUTH_FAILED;

  if (contains_ignoring_case (response_text, "Account is blocked"))
    return MAIL_SETUP_DIAGNOSIS_MS_ACCOUNT_BLOCKED;

  return MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED;
}

/* Microsoft accepts the credentials and refuses only the first command
 * after them when IMAP is off for the mailbox or the token is for another
 * account. */
MailSetupDiagnosis
mail_setup_diagnosis_for_mailbox_refusal (gboolean    microsoft,
                                          const char *response_code,
                                          const char *response_text)
{
  if (contains_ignoring_case (response_text, "authenticated but not connected"))
    return MAIL_SETUP_DIAGNOSIS_MS_IMAP_NOT_CONNECTED;

  if (microsoft && g_strcmp0 (response_code, "UNAVAILABLE") != 0)
    return MAIL_SETUP_DIAGNOSIS_MS_IMAP_NOT_CONNECTED;

  return MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE;
}

static gboolean
has_code (const gint64 *error_codes,
          gsize         n_error_codes,
          const gint64 *wanted,
          gsize         n_wanted)
{
  for (gsize i = 0; i < n_error_codes; i++)
    {
      for (gsize j = 0; j < n_wanted; j++)
        {
          if (error_codes[i] == wanted[j])
            return TRUE;
        }
    }

  return FALSE;
}

/* Microsoft asks clients to branch on "error" and "error_codes" only: the
 * English description changes without notice. The order matters, since one
 * answer often carries a generic error (invalid_grant) with a specific code. */
MailSetupDiagnosis
mail_setup_diagnosis_for_sign_in_error (MailSetupSignInGrant  grant,
                                        const char           *error,
                                        const char           *suberror,
                                        const gint64         *error_codes,
                                        gsize                 n_error_codes)
{
  static const gint64 app_rejected[] = { 7000218, 700016, 7000112, 50011 };
  static const gint64 blocked[] = { 53003, 53000, 53001, 50097, 530033 };
  static const gint64 wrong_account[] = { 50020, 500208 };
  static const gint64 declined[] = { 65004 };
  static const gint64 expired[] = { 70019, 70020 };
  static const gint64 saved_expired[] = { 700082, 50173, 70043, 9002313, 65001, 70000 };
  static const gint64 consent_required[] = { 65001, 90094, 90095 };
  gboolean wants_consent;

  g_return_val_if_fail (error_codes != NULL || n_error_codes == 0,
                        MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED);

#define HAS_CODE(codes) has_code (error_codes, n_error_codes, codes, G_N_ELEMENTS (codes))

  if (g_strcmp0 (error, "invalid_client") == 0 ||
      g_strcmp0 (error, "unauthorized_client") == 0 ||
      HAS_CODE (app_rejected))
    return MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED;

  /* Whatever the grant: a session that began with a device code stays
   * marked, and its refreshes are blocked too. */
  if (HAS_CODE (blocked))
    return MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED;

  if (HAS_CODE (wrong_account))
    return MAIL_SETUP_DIAGNOSIS_SIGN_IN_WRONG_ACCOUNT;

  if (g_strcmp0 (error, "authorization_declined") == 0 ||
      g_strcmp0 (error, "access_denied") == 0 ||
      HAS_CODE (declined))
    return MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED;

  if (g_strcmp0 (error, "expired_token") == 0 || HAS_CODE (expired))
    return MAIL_SETUP_DIAGNOSIS_SIGN_IN_EXPIRED;

  wants_consent = g_strcmp0 (error, "consent_required") == 0 ||
                  g_strcmp0 (suberror, "consent_required") == 0;

  /* A saved sign-in that needs the user again, for consent, for two-step
   * verification or because it ran out, is mended by signing in anew, which
   * asks for whatever is missing. */
  if (grant == MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN)
    {
      if (g_strcmp0 (error, "invalid_grant") == 0 ||
          g_strcmp0 (error, "interaction_required") == 0 ||
          wants_consent || HAS_CODE (saved_expired))
        return MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED;
    }
  else if (wants_consent || HAS_CODE (consent_required))
    return MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED;

#undef HAS_CODE

  return MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED;
}

gboolean
mail_setup_diagnosis_is_sign_in (MailSetupDiagnosis diagnosis)
{
  return diagnosis >= MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED &&
         diagnosis <= MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED;
}

/* A short headline, in words a person without IMAP knowledge understands. */
const char *
mail_setup_diagnosis_get_title (MailSetupDiagnosis diagnosis)
{
  switch (diagnosis)
    {
    case MAIL_SETUP_DIAGNOSIS_OK:
      return _("Your Account Works");
    case MAIL_SETUP_DIAGNOSIS_DNS_FAILED:
      return _("Server Not Found");
    case MAIL_SETUP_DIAGNOSIS_CONNECT_REFUSED:
      return _("Connection Refused");
    case MAIL_SETUP_DIAGNOSIS_CONNECT_TIMEOUT:
      return _("No Answer From the Server");
    case MAIL_SETUP_DIAGNOSIS_TLS_FAILED:
      return _("Secure Connection Failed");
    case MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED:
      return _("Untrusted Certificate");
    case MAIL_SETUP_DIAGNOSIS_TLS_HOSTNAME_MISMATCH:
      return _("Certificate for Another Server");
    case MAIL_SETUP_DIAGNOSIS_TLS_EXPIRED:
      return _("Certificate Expired");
    case MAIL_SETUP_DIAGNOSIS_SERVER_TIMEOUT:
      return _("The Server Stopped Answering");
    case MAIL_SETUP_DIAGNOSIS_SERVER_CLOSED:
      return _("The Server Closed the Connection");
    case MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE:
      return _("Server Unavailable");
    case MAIL_SETUP_DIAGNOSIS_NOT_IMAP:
      return _("Wrong Kind of Server");
    case MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR:
      return _("Unexpected Answer From the Server");
    case MAIL_SETUP_DIAGNOSIS_STARTTLS_UNAVAILABLE:
      return _("The Server Cannot Secure the Connection");
    case MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH:
      return _("No Supported Sign-In Method");
    case MAIL_SETUP_DIAGNOSIS_AUTH_FAILED:
      return _("Wrong User Name or Password");
    case MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED:
      return _("Microsoft Refused the Sign-In");
    case MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED:
      return _("Microsoft No Longer Accepts Passwords Here");
    case MAIL_SETUP_DIAGNOSIS_MS_ACCOUNT_BLOCKED:
      return _("Microsoft Is Holding the Sign-In for Review");
    case MAIL_SETUP_DIAGNOSIS_MS_IMAP_NOT_CONNECTED:
      return _("Signed In, but the Mailbox Is Closed to IMAP");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED:
      return _("Your Organisation Has Not Approved Mail Setup");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED:
      return _("Your Organisation Blocked This Sign-In");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED:
      return _("Sign-In Declined");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_EXPIRED:
      return _("The Sign-In Took Too Long");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_WRONG_ACCOUNT:
      return _("Signed In With Another Account");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED:
      return _("Microsoft Does Not Accept This App");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED:
      return _("Your Saved Sign-In Has Expired");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE:
      return _("Cannot Reach Microsoft Sign-In");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED:
      return _("Microsoft Did Not Complete the Sign-In");
    case MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED:
      return _("The Mail Server Refused the Microsoft Sign-In");
    case MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED:
      return _("The Server’s Encryption Is Outdated");
    case MAIL_SETUP_DIAGNOSIS_TLS_INSECURE:
      return _("Insecure Certificate");
    case MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN:
      return _("Incomplete Certificate Chain");
    case MAIL_SETUP_DIAGNOSIS_TLS_NOT_YET_VALID:
      return _("Certificate Not Valid Yet");
    case MAIL_SETUP_DIAGNOSIS_TLS_REVOKED:
      return _("Certificate Revoked");
    case MAIL_SETUP_DIAGNOSIS_NOT_SMTP:
      return _("Wrong Kind of Outgoing Server");
    case MAIL_SETUP_DIAGNOSIS_SMTP_STARTTLS_UNAVAILABLE:
      return _("The Outgoing Server Cannot Secure the Connection");
    case MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE:
      return _("Outgoing Server Unavailable");
    case MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED:
      return _("The Outgoing Server Refused the Sign-In");
    case MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED:
      return _("Sending From Mail Apps Is Switched Off");
    case MAIL_SETUP_DIAGNOSIS_SMTP_BASIC_AUTH_BLOCKED:
      return _("Microsoft No Longer Accepts Passwords for Sending");
    case MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED:
      return _("The Outgoing Server Refused Your Address");
    case MAIL_SETUP_DIAGNOSIS_CANCELLED:
      return _("Test Cancelled");
    default:
      g_return_val_if_reached (NULL);
    }
}

/* What happened and what it means, in one or two sentences. */
const char *
mail_setup_diagnosis_get_explanation (MailSetupDiagnosis diagnosis)
{
  switch (diagnosis)
    {
    case MAIL_SETUP_DIAGNOSIS_OK:
      return _("Mail Setup signed in and opened your inbox.");
    case MAIL_SETUP_DIAGNOSIS_DNS_FAILED:
      return _("The server name could not be found. It may be misspelled, or this computer may not be connected to the internet.");
    case MAIL_SETUP_DIAGNOSIS_CONNECT_REFUSED:
      return _("The server is there but refused the connection on this port. The port or the encryption setting is probably wrong.");
    case MAIL_SETUP_DIAGNOSIS_CONNECT_TIMEOUT:
      return _("The server did not answer. A firewall or the network may be blocking the connection.");
    case MAIL_SETUP_DIAGNOSIS_TLS_FAILED:
      return _("The server did not set up a secure connection. The port or the encryption setting is probably wrong.");
    case MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED:
      return _("The server's certificate is not signed by an authority this computer trusts. Someone may be intercepting the connection, so Mail Setup did not send your password.");
    case MAIL_SETUP_DIAGNOSIS_TLS_HOSTNAME_MISMATCH:
      return _("The server's certificate belongs to a different server name. The server name may be wrong, or someone may be intercepting the connection, so Mail Setup did not send your password.");
    case MAIL_SETUP_DIAGNOSIS_TLS_EXPIRED:
      return _("The server’s certificate has expired. Check that this computer’s date and time are right. Mail Setup did not send your password.");
    case MAIL_SETUP_DIAGNOSIS_SERVER_TIMEOUT:
      return _("The connection was made, but the server stopped answering in the middle of the test.");
    case MAIL_SETUP_DIAGNOSIS_SERVER_CLOSED:
      return _("The server ended the connection before the test was complete.");
    case MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE:
      return _("The server said it cannot serve you right now.");
    case MAIL_SETUP_DIAGNOSIS_NOT_IMAP:
      return _("Something answered on this port, but not as an IMAP server, the kind of server that mail apps read mail from. Mail Setup did not send it your password.");
    case MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR:
      return _("The server answered in a way that does not follow the IMAP standard.");
    case MAIL_SETUP_DIAGNOSIS_STARTTLS_UNAVAILABLE:
      return _("The server does not offer to secure this connection, so Mail Setup did not send your password.");
    case MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH:
      return _("The server offers no way of signing in with a password that Mail Setup can use.");
    case MAIL_SETUP_DIAGNOSIS_AUTH_FAILED:
      return _("The server refused the user name or the password.");
    case MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED:
      return _("Microsoft answered “LOGIN failed” and gives no reason. The password may be wrong, Microsoft may be holding the sign-in as unusual, or password sign-in may be switched off for this account.");
    case MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED:
      return _("Microsoft has switched off password sign-in over IMAP for this account. No setting brings it back; Microsoft sign-in is the way in.");
    case MAIL_SETUP_DIAGNOSIS_MS_ACCOUNT_BLOCKED:
      return _("Microsoft saw this sign-in as unusual and blocked it until you confirm it was you.");
    case MAIL_SETUP_DIAGNOSIS_MS_IMAP_NOT_CONNECTED:
      return _("Microsoft accepted the sign-in but would not open the mailbox. IMAP is probably switched off for this mailbox.");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_CONSENT_REQUIRED:
      return _("Microsoft lets Mail Setup read your mail only after your organisation approves it, and only an administrator can give that approval.");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED:
      return _("You signed in, but a rule of your organisation does not allow this kind of sign-in, for example with a code or from a device it does not manage.");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED:
      return _("The sign-in was declined on Microsoft’s page, so Mail Setup did not get access to your mail.");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_EXPIRED:
      return _("The time for signing in ran out before the sign-in was finished. A new sign-in starts afresh.");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_WRONG_ACCOUNT:
      return _("Microsoft does not accept the account you chose here. It may be another account than the one being set up, or one of another organisation.");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED:
      return _("Microsoft refused the registration that Mail Setup signs in with. Nothing is wrong with your account; the app’s sign-in settings must change.");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED:
      return _("Microsoft no longer accepts the sign-in that Mail Setup saved, for example because it was not used for a long time or your organisation asks you to sign in again.");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE:
      return _("Mail Setup could not reach Microsoft’s sign-in service. This computer may be offline, or a proxy or firewall may be in the way.");
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED:
      return _("Microsoft refused the sign-in for a reason Mail Setup does not know. Microsoft’s own answer names it with a code, AADSTS followed by a number.");
    case MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED:
      return _("You signed in with Microsoft, but the mail server did not let that sign-in open this mailbox. IMAP may be off for it, or the sign-in was for another account.");
    case MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED:
      return _("The server offers only a version of TLS older than 1.2, which has known weaknesses. Mail Setup does not use it, and no setting changes that: the server must be updated. Mail Setup did not send your password.");
    case MAIL_SETUP_DIAGNOSIS_TLS_INSECURE:
      return _("The server’s certificate relies on an algorithm that is no longer safe, a signature such as SHA-1 or a key that is too short, so it could be forged. Mail Setup did not send your password.");
    case MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN:
      return _("The server sent its certificate without the intermediate certificate that links it to an authority this computer trusts. The server’s setup must be corrected; until then Mail Setup cannot check who the server is and did not send your password.");
    case MAIL_SETUP_DIAGNOSIS_TLS_NOT_YET_VALID:
      return _("The server’s certificate is valid only from a date that has not come yet. Often this computer’s clock is wrong. Mail Setup did not send your password.");
    case MAIL_SETUP_DIAGNOSIS_TLS_REVOKED:
      return _("The authority that issued the server’s certificate has revoked it, so it no longer proves who the server is. Mail Setup did not send your password.");
    case MAIL_SETUP_DIAGNOSIS_NOT_SMTP:
      return _("Something answered on this port, but not as an SMTP server, the kind of server that mail apps send mail through. Mail Setup did not send it your password.");
    case MAIL_SETUP_DIAGNOSIS_SMTP_STARTTLS_UNAVAILABLE:
      return _("The outgoing server does not offer to secure this connection, so Mail Setup did not send your password. The port or the encryption setting is probably wrong.");
    case MAIL_SETUP_DIAGNOSIS_SMTP_UNAVAILABLE:
      return _("The outgoing server said it cannot take mail from you right now.");
    case MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_FAILED:
      return _("The outgoing server refused the sign-in. The user name or password may be wrong, or sending from mail apps may be switched off for this mailbox.");
    case MAIL_SETUP_DIAGNOSIS_SMTP_AUTH_DISABLED:
      return _("Microsoft answered that signing in to send mail from mail apps (Authenticated SMTP) is switched off for this mailbox or for the whole organisation. This blocks Microsoft sign-in too; only an administrator can switch it on.");
    case MAIL_SETUP_DIAGNOSIS_SMTP_BASIC_AUTH_BLOCKED:
      return _("Microsoft no longer accepts a password, app passwords included, for sending mail from this account. Microsoft sign-in is the way in.");
    case MAIL_SETUP_DIAGNOSIS_SMTP_SENDER_REFUSED:
      return _("You signed in, but the outgoing server does not let this account send mail from this address. Mail must be sent from the mailbox’s own address, unless an administrator allows another.");
    case MAIL_SETUP_DIAGNOSIS_CANCELLED:
      return _("The test was stopped before it finished.");
    default:
      g_return_val_if_reached (NULL);
    }
}
