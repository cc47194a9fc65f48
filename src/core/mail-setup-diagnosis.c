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
  [MAIL_SETUP_DIAGNOSIS_NOT_IMAP] = { "not-imap", "check-server-settings" },
  [MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR] = { "protocol-error", "check-server-settings" },
  [MAIL_SETUP_DIAGNOSIS_STARTTLS_UNAVAILABLE] = { "starttls-unavailable", "check-server-settings" },
  [MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH] = { "no-usable-auth", "check-server-settings" },
  [MAIL_SETUP_DIAGNOSIS_AUTH_FAILED] = { "auth-failed", "check-password" },
  [MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED] = { "ms-auth-failed", "recent-activity" },
  [MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED] = { "ms-basic-auth-blocked", "microsoft-sign-in" },
  [MAIL_SETUP_DIAGNOSIS_MS_ACCOUNT_BLOCKED] = { "ms-account-blocked", "recent-activity" },
  [MAIL_SETUP_DIAGNOSIS_MS_IMAP_NOT_CONNECTED] = { "ms-imap-not-connected", "enable-imap" },
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

gboolean
mail_setup_diagnosis_is_microsoft_greeting (const char *greeting_text)
{
  return contains_ignoring_case (greeting_text, "Microsoft Exchange");
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
      return _("Not a Mail Server");
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
      return _("The server's certificate has expired or is not valid yet. Check that this computer's date and time are right. Mail Setup did not send your password.");
    case MAIL_SETUP_DIAGNOSIS_SERVER_TIMEOUT:
      return _("The connection was made, but the server stopped answering in the middle of the test.");
    case MAIL_SETUP_DIAGNOSIS_SERVER_CLOSED:
      return _("The server ended the connection before the test was complete.");
    case MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE:
      return _("The server said it cannot serve you right now.");
    case MAIL_SETUP_DIAGNOSIS_NOT_IMAP:
      return _("Something answered on this port, but it is not an IMAP mail server.");
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
    case MAIL_SETUP_DIAGNOSIS_CANCELLED:
      return _("The test was stopped before it finished.");
    default:
      g_return_val_if_reached (NULL);
    }
}
