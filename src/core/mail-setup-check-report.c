/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "mail-setup-check-private.h"
#include "mail-setup-imap.h"

/*
 * What a check found, told three ways: in a sentence for the user, as the
 * JSON object of `--json` and as the text a user copies into a help
 * request. Everything here is read through the check's getters; how a
 * result is printed is the command line's business.
 */

/* "TLS1.1" as people write it. */
static char *
format_tls_version (const char *version)
{
  if (g_str_has_prefix (version, "TLS") && g_ascii_isdigit (version[3]))
    return g_strconcat ("TLS ", version + 3, NULL);

  return g_strdup (version);
}

/* "SHA1" as people write it. */
static char *
format_hash (const char *hash)
{
  if (g_str_has_prefix (hash, "SHA") && g_ascii_isdigit (hash[3]))
    return g_strconcat ("SHA-", hash + 3, NULL);

  return g_strdup (hash);
}

/* With the year in full: a clock that is wrong is often wrong by years. */
static char *
format_local_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  /* Translators: a date and time in full, in the format of g_date_time_format() */
  return g_date_time_format (local, _("%B %-d, %Y, %H:%M"));
}

static char *
describe_other_server (MailSetupCheck *self)
{
  const MailSetupCheckOutcome *outcome = mail_setup_check_get_outcome (self);

  switch (outcome->detected_protocol)
    {
    case MAIL_SETUP_PROTOCOL_SMTP:
      /* Both must say so: the provider chosen, and the server itself. */
      if (mail_setup_check_get_provider_is_microsoft (self) &&
          mail_setup_diagnosis_is_microsoft_greeting (outcome->server_response))
        return g_strdup (_("This is Microsoft’s sending server (SMTP), which only takes mail to send. Your mail is read from Microsoft’s receiving server."));
      return g_strdup (_("This is a sending server (SMTP), which only takes mail to send. Your mail is read from a receiving server (IMAP)."));
    case MAIL_SETUP_PROTOCOL_POP3:
      return g_strdup (_("This is a POP3 server, which hands out mail in an older way than IMAP. Mail Setup sets up IMAP, which most providers offer on another server or port."));
    case MAIL_SETUP_PROTOCOL_SSH:
      return g_strdup (_("This is an SSH server, for signing in to a computer from afar, not a mail server."));
    case MAIL_SETUP_PROTOCOL_FTP:
      return g_strdup (_("This is an FTP server, for files, not a mail server."));
    case MAIL_SETUP_PROTOCOL_HTTP:
      return g_strdup (_("This is a web server, not a mail server."));
    case MAIL_SETUP_PROTOCOL_UNKNOWN:
    default:
      if (outcome->expects_tls)
        return g_strdup (_("This server expects a secure connection from the start (SSL/TLS), not STARTTLS."));
      return g_strdup (_("Something answered on this port, but not as an IMAP server."));
    }
}

/* For an SMTP check: what answered instead of a sending server. */
static char *
describe_other_sending_server (MailSetupCheck *self)
{
  const MailSetupCheckOutcome *outcome = mail_setup_check_get_outcome (self);

  switch (outcome->detected_protocol)
    {
    case MAIL_SETUP_PROTOCOL_IMAP:
      return g_strdup (_("This is a receiving server (IMAP), which hands out mail but does not take mail to send. Mail is sent through a sending server (SMTP), usually on port 587 or 465."));
    case MAIL_SETUP_PROTOCOL_POP3:
      return g_strdup (_("This is a POP3 server, which hands out mail but does not take mail to send. Mail is sent through a sending server (SMTP), usually on port 587 or 465."));
    case MAIL_SETUP_PROTOCOL_SSH:
      return g_strdup (_("This is an SSH server, for signing in to a computer from afar, not a mail server."));
    case MAIL_SETUP_PROTOCOL_FTP:
      return g_strdup (_("This is an FTP server, for files, not a mail server."));
    case MAIL_SETUP_PROTOCOL_HTTP:
      return g_strdup (_("This is a web server, not a mail server."));
    case MAIL_SETUP_PROTOCOL_SMTP:
    case MAIL_SETUP_PROTOCOL_UNKNOWN:
    default:
      if (outcome->expects_tls)
        return g_strdup (_("This server expects a secure connection from the start (SSL/TLS), not STARTTLS."));
      return g_strdup (_("Something answered on this port, but not as an SMTP server."));
    }
}

static char *
describe_tls_outdated (const MailSetupTlsInfo *tls)
{
  g_autofree char *version = NULL;

  if (tls == NULL || tls->version == NULL)
    return g_strdup (_("The server refused every version of TLS that Mail Setup offered, from 1.0 to 1.3."));

  version = format_tls_version (tls->version);
  /* Translators: %s is a version of TLS, such as "TLS 1.1" */
  return g_strdup_printf (_("The server offered only %s. Mail Setup uses TLS 1.2 or newer."), version);
}

static char *
describe_tls_insecure (const MailSetupTlsInfo *tls)
{
  if (tls != NULL && tls->insecure_hash != NULL)
    {
      g_autofree char *hash = format_hash (tls->insecure_hash);

      /* Translators: %s is a hash algorithm, such as "SHA-1" */
      return g_strdup_printf (_("The certificate is signed with %s, which can be forged."), hash);
    }

  if (tls != NULL && tls->insecure_key != NULL)
    /* Translators: %s is a key, such as "RSA-1024" */
    return g_strdup_printf (_("The certificate’s key, %s, is too short for this computer’s security policy."),
                            tls->insecure_key);

  return NULL;
}

static char *
describe_tls_not_yet_valid (const MailSetupTlsInfo *tls)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *valid_from = NULL;
  g_autofree char *clock = NULL;

  if (tls == NULL || tls->valid_from == NULL)
    return NULL;

  valid_from = format_local_time (tls->valid_from);
  clock = format_local_time (now);
  /* Translators: two dates and times: when the certificate becomes valid, and now */
  return g_strdup_printf (_("The certificate is valid only from %s. This computer’s clock says it is %s."),
                          valid_from, clock);
}

/* The value of KEY ("CN", "O") in an RFC 4514 distinguished name, as
 * GnuTLS writes them: "CN=R11,O=Let's Encrypt,C=US", with "\," inside a
 * value. */
static char *
dn_attribute (const char *dn,
              const char *key)
{
  gsize key_length = strlen (key);

  for (const char *p = dn; p != NULL && *p != '\0';)
    {
      g_autoptr(GString) value = g_string_new (NULL);
      gboolean wanted = g_ascii_strncasecmp (p, key, key_length) == 0 && p[key_length] == '=';

      p = strchr (p, '=');
      if (p == NULL)
        break;
      for (p++; *p != '\0' && *p != ','; p++)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          g_string_append_c (value, *p);
        }
      if (wanted)
        return g_string_free (g_steal_pointer (&value), FALSE);
      if (*p == ',')
        p++;
    }

  return NULL;
}

/* The name of an authority as its certificate gives it, made safe to show:
 * the words in a certificate are anyone's. */
static char *
authority_name_part (const char *dn,
                     const char *key)
{
  g_autofree char *value = dn_attribute (dn, key);

  return value != NULL ? mail_setup_imap_sanitize_text (value, -1) : NULL;
}

static char *
describe_tls_incomplete_chain (const MailSetupTlsInfo *tls)
{
  g_autofree char *name = NULL;
  g_autofree char *organisation = NULL;

  if (tls == NULL || tls->missing_issuer == NULL)
    return NULL;

  name = authority_name_part (tls->missing_issuer, "CN");
  organisation = authority_name_part (tls->missing_issuer, "O");
  if (name == NULL)
    name = mail_setup_imap_sanitize_text (tls->missing_issuer, -1);

  if (organisation == NULL)
    /* Translators: %s is the name of a certificate authority, as in its certificate */
    return g_strdup_printf (_("The server left out the certificate of “%s”."), name);

  /* Translators: a certificate authority's name and its organisation: "R11", "Let's Encrypt" */
  return g_strdup_printf (_("The server left out the certificate of “%s”, from %s."), name,
                          organisation);
}

char *
mail_setup_check_describe_finding (MailSetupCheck *self)
{
  const MailSetupCheckOutcome *outcome;
  const MailSetupTlsInfo *tls;

  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);

  outcome = mail_setup_check_get_outcome (self);
  if (outcome == NULL)
    return NULL;

  tls = outcome->tls_info;
  switch (outcome->diagnosis)
    {
    case MAIL_SETUP_DIAGNOSIS_NOT_IMAP:
      return describe_other_server (self);
    case MAIL_SETUP_DIAGNOSIS_NOT_SMTP:
      return describe_other_sending_server (self);
    case MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED:
      return describe_tls_outdated (tls);
    case MAIL_SETUP_DIAGNOSIS_TLS_INSECURE:
      return describe_tls_insecure (tls);
    case MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN:
      return describe_tls_incomplete_chain (tls);
    case MAIL_SETUP_DIAGNOSIS_TLS_NOT_YET_VALID:
      return describe_tls_not_yet_valid (tls);
    default:
      return NULL;
    }
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_date_or_null (JsonBuilder *builder,
                  const char  *name,
                  GDateTime   *value)
{
  g_autofree char *text = value ? g_date_time_format_iso8601 (value) : NULL;

  add_string_or_null (builder, name, text);
}

static void
add_strv (JsonBuilder        *builder,
          const char         *name,
          const char * const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_stages (JsonBuilder    *builder,
            MailSetupCheck *self)
{
  json_builder_set_member_name (builder, "stages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    {
      MailSetupStageStatus status = mail_setup_check_get_stage_status (self, i);

      json_builder_begin_object (builder);
      add_string_or_null (builder, "name", mail_setup_check_get_stage_name (self, i));
      add_string_or_null (builder, "status", mail_setup_stage_status_to_string (status));
      json_builder_set_member_name (builder, "ms");
      json_builder_add_int_value (builder, mail_setup_check_get_stage_duration (self, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_tls (JsonBuilder            *builder,
         const MailSetupTlsInfo *tls)
{
  json_builder_set_member_name (builder, "tls");
  if (tls == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }

  json_builder_begin_object (builder);
  add_string_or_null (builder, "version", tls->version);
  add_string_or_null (builder, "cipher", tls->cipher);
  add_string_or_null (builder, "subject", tls->subject);
  add_string_or_null (builder, "issuer", tls->issuer);
  add_date_or_null (builder, "not_before", tls->not_before);
  add_date_or_null (builder, "not_after", tls->not_after);
  add_string_or_null (builder, "sha256", tls->sha256);
  add_string_or_null (builder, "insecure_hash", tls->insecure_hash);
  add_string_or_null (builder, "insecure_key", tls->insecure_key);
  add_date_or_null (builder, "valid_from", tls->valid_from);
  add_string_or_null (builder, "missing_issuer", tls->missing_issuer);
  json_builder_end_object (builder);
}

static void
add_diagnosis (JsonBuilder                 *builder,
               MailSetupCheck              *self,
               const MailSetupCheckOutcome *outcome)
{
  add_string_or_null (builder, "diagnosis", mail_setup_diagnosis_to_string (outcome->diagnosis));
  add_string_or_null (builder, "remedy", mail_setup_check_get_remedy (self));
  add_string_or_null (builder, "server_response", outcome->server_response);
  add_string_or_null (builder, "detected_protocol",
                      mail_setup_protocol_to_string (outcome->detected_protocol));
}

static void
add_server (JsonBuilder    *builder,
            MailSetupCheck *self)
{
  add_string_or_null (builder, "server", mail_setup_check_get_server (self));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, mail_setup_check_get_port (self));
  add_string_or_null (builder, "security",
                      mail_setup_security_to_string (mail_setup_check_get_security (self)));
  add_string_or_null (builder, "username", mail_setup_check_get_username (self));
}

/* The sending side: an object of its own, whose stages have SMTP's names
 * ("sender", "quit") and whose capabilities are EHLO's extensions. */
static void
add_smtp_object (JsonBuilder    *builder,
                 MailSetupCheck *self)
{
  const MailSetupCheckOutcome *outcome = mail_setup_check_get_outcome (self);

  json_builder_begin_object (builder);
  add_diagnosis (builder, self, outcome);
  add_server (builder, self);
  add_string_or_null (builder, "sender", mail_setup_check_get_sender (self));
  add_stages (builder, self);
  add_tls (builder, outcome->tls_info);
  add_strv (builder, "extensions", (const char * const *) outcome->capabilities);
  add_date_or_null (builder, "sign_in_time", outcome->sign_in_time);
  json_builder_end_object (builder);
}

/* The IMAP check's members, as they have always been, and "smtp": the
 * outgoing check's object, or null when there is none (`--no-smtp`), so
 * that a reader always finds the member. */
static void
add_imap_object (JsonBuilder    *builder,
                 MailSetupCheck *self)
{
  const MailSetupCheckOutcome *outcome = mail_setup_check_get_outcome (self);
  MailSetupCheck *outgoing = mail_setup_check_get_outgoing (self);

  json_builder_begin_object (builder);
  add_diagnosis (builder, self, outcome);
  add_string_or_null (builder, "provider", mail_setup_check_get_provider_id (self));
  add_server (builder, self);
  json_builder_set_member_name (builder, "microsoft");
  json_builder_add_boolean_value (builder, outcome->microsoft);
  add_string_or_null (builder, "sign_in", mail_setup_check_get_sign_in_method (self));
  add_date_or_null (builder, "sign_in_time", outcome->sign_in_time);
  add_stages (builder, self);
  add_tls (builder, outcome->tls_info);
  add_strv (builder, "capabilities", (const char * const *) outcome->capabilities);
  add_strv (builder, "addresses", (const char * const *) outcome->addresses);

  json_builder_set_member_name (builder, "smtp");
  if (outgoing != NULL && mail_setup_check_get_outcome (outgoing) != NULL)
    add_smtp_object (builder, outgoing);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

/* The machine-readable report of `mail-setup --check --json`. It holds no
 * credential: the username is not one, and the password is never stored in
 * the outcome. An SMTP check alone gives the object that an IMAP check
 * gives as its "smtp". */
char *
mail_setup_check_to_json (MailSetupCheck *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  g_return_val_if_fail (mail_setup_check_get_outcome (self) != NULL, NULL);

  if (mail_setup_check_get_protocol (self) == MAIL_SETUP_PROTOCOL_SMTP)
    add_smtp_object (builder, self);
  else
    add_imap_object (builder, self);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);

  return json_generator_to_data (generator, NULL);
}

/* Why a certificate was refused, where the report's diagnosis alone does
 * not say. */
static void
append_refusal_details (GString                *report,
                        const MailSetupTlsInfo *tls)
{
  if (tls->insecure_hash != NULL)
    g_string_append_printf (report, "  Insecure signature hash: %s\n", tls->insecure_hash);
  if (tls->insecure_key != NULL)
    g_string_append_printf (report, "  Insecure key: %s\n", tls->insecure_key);
  if (tls->valid_from != NULL)
    {
      g_autofree char *valid_from = g_date_time_format_iso8601 (tls->valid_from);

      g_string_append_printf (report, "  Chain valid from: %s\n", valid_from);
    }
  if (tls->missing_issuer != NULL)
    g_string_append_printf (report, "  Missing issuer: %s\n", tls->missing_issuer);
}

/* What was checked, as the user set it. */
static void
append_settings (GString        *report,
                 MailSetupCheck *self)
{
  const char *provider_id = mail_setup_check_get_provider_id (self);
  const char *sign_in_method = mail_setup_check_get_sign_in_method (self);

  gboolean smtp = mail_setup_check_get_protocol (self) == MAIL_SETUP_PROTOCOL_SMTP;

  g_string_append_printf (report, "Provider: %s\n", provider_id ? provider_id : "(none)");
  g_string_append_printf (report, "Server: %s, port %u, %s\n", mail_setup_check_get_server (self),
                          mail_setup_check_get_port (self),
                          mail_setup_check_get_security (self) == MAIL_SETUP_SECURITY_STARTTLS
                          ? "STARTTLS" : "SSL/TLS");
  g_string_append_printf (report, "User name: %s\n", mail_setup_check_get_username (self));
  if (smtp)
    g_string_append_printf (report, "Sender: %s\n",
                            mail_setup_check_get_sender (self) ? mail_setup_check_get_sender (self)
                                                               : "(none)");
  if (sign_in_method != NULL)
    g_string_append_printf (report, "Microsoft sign-in: %s\n", sign_in_method);
}

static void
append_outcome (GString        *report,
                MailSetupCheck *self)
{
  const char *server_response = mail_setup_check_get_server_response (self);
  const char *detected_protocol = mail_setup_check_get_detected_protocol (self);

  if (mail_setup_check_get_finished (self))
    {
      MailSetupDiagnosis diagnosis = mail_setup_check_get_diagnosis (self);
      const char *remedy = mail_setup_check_get_remedy (self);

      g_string_append_printf (report, "Diagnosis: %s\n",
                              mail_setup_diagnosis_to_string (diagnosis));
      if (remedy != NULL)
        g_string_append_printf (report, "Remedy: %s\n", remedy);
    }
  else
    g_string_append (report, "Diagnosis: none yet, the test is still running\n");
  if (server_response != NULL)
    g_string_append_printf (report, "Server's last answer: %s\n", server_response);
  if (detected_protocol != NULL)
    g_string_append_printf (report, "Detected protocol: %s\n", detected_protocol);
}

static void
append_stages (GString        *report,
               MailSetupCheck *self)
{
  g_string_append (report, "\nStages:\n");
  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    {
      MailSetupStageStatus status = mail_setup_check_get_stage_status (self, i);

      g_string_append_printf (report, "  %-9s %-8s %u ms\n", mail_setup_check_get_stage_name (self, i),
                              mail_setup_stage_status_to_string (status),
                              mail_setup_check_get_stage_duration (self, i));
    }
}

static void
append_tls (GString                *report,
            const MailSetupTlsInfo *tls)
{
  g_autofree char *not_after = tls->not_after ? g_date_time_format_iso8601 (tls->not_after) : NULL;

  g_string_append (report, "\nTLS:\n");
  /* A handshake that stopped at an old version has no cipher. */
  g_string_append_printf (report, "  Version: %s, cipher: %s\n",
                          tls->version ? tls->version : "", tls->cipher ? tls->cipher : "");
  g_string_append_printf (report, "  Subject: %s\n", tls->subject ? tls->subject : "");
  g_string_append_printf (report, "  Issuer: %s\n", tls->issuer ? tls->issuer : "");
  g_string_append_printf (report, "  Valid until: %s\n", not_after ? not_after : "");
  g_string_append_printf (report, "  SHA-256: %s\n", tls->sha256 ? tls->sha256 : "");
  append_refusal_details (report, tls);
}

static void
append_transcript (GString        *report,
                   MailSetupCheck *self)
{
  const char * const *transcript = mail_setup_check_get_transcript (self);

  if (transcript == NULL || transcript[0] == NULL)
    return;

  g_string_append (report, "\nConversation:\n");
  for (guint i = 0; transcript[i] != NULL; i++)
    g_string_append_printf (report, "  %s\n", transcript[i]);
}

/* Everything of one check, IMAP or SMTP. */
static void
append_check (GString        *report,
              MailSetupCheck *self)
{
  const MailSetupTlsInfo *tls = mail_setup_check_get_tls_info (self);

  append_settings (report, self);
  append_outcome (report, self);
  append_stages (report, self);
  if (tls != NULL)
    append_tls (report, tls);
  append_transcript (report, self);
}

/* The report a user copies into a help request: what was checked, what each
 * stage did and what the server said; while the check runs, what is known
 * so far. The outgoing server's check follows the incoming one's in a
 * section of its own. Credentials never appear: commands that carry them
 * were redacted as they were sent. */
char *
mail_setup_check_to_text_report (MailSetupCheck *self)
{
  g_autoptr(GString) report = g_string_new (NULL);
  MailSetupCheck *outgoing;

  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);

  g_string_append_printf (report, "Mail Setup %s connection report\n\n", PACKAGE_VERSION);
  if (mail_setup_check_get_protocol (self) == MAIL_SETUP_PROTOCOL_SMTP)
    g_string_append (report, "Sending mail (SMTP)\n\n");
  append_check (report, self);

  outgoing = mail_setup_check_get_outgoing (self);
  if (outgoing != NULL)
    {
      g_string_append (report, "\nSending mail (SMTP)\n\n");
      append_check (report, outgoing);
    }

  return g_string_free (g_steal_pointer (&report), FALSE);
}
