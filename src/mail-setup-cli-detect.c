/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "mail-setup-cli-detect.h"
#include "mail-setup-core.h"
#include "mail-setup-provider.h"

/*
 * `mail-setup --detect ADDRESS`: what the provider page finds out about an
 * address, on a terminal or for a script. The detector reads the
 * network-lookups setting itself: with it off, only the built-in domains
 * count and nothing leaves the computer.
 */

MailSetupDetection *
mail_setup_cli_detect_run (const char  *address,
                           const char  *ca_file,
                           int          timeout_seconds,
                           GError     **error)
{
  g_autoptr(MailSetupDetector) detector = mail_setup_detector_new ();
  g_autoptr(GAsyncResult) result = NULL;

  if (ca_file != NULL)
    mail_setup_detector_set_extra_ca_file (detector, ca_file);
  if (timeout_seconds > 0)
    mail_setup_detector_set_timeout (detector, (guint) MIN (timeout_seconds, 3600) * 1000);

  mail_setup_detector_detect_async (detector, address, NULL, mail_setup_store_async_result,
                                    &result);

  return mail_setup_detector_detect_finish (detector, mail_setup_wait_for_async_result (&result),
                                            error);
}

static void
add_server (JsonBuilder       *builder,
            const char        *name,
            gboolean           has_server,
            const char        *host,
            guint16            port,
            MailSetupSecurity  security)
{
  json_builder_set_member_name (builder, name);
  if (!has_server)
    {
      json_builder_add_null_value (builder);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, host);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, port);
  json_builder_set_member_name (builder, "security");
  json_builder_add_string_value (builder, mail_setup_security_to_string (security));
  json_builder_end_object (builder);
}

static void
print_json (MailSetupDetection *detection)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  const char *organization = mail_setup_detection_get_organization (detection);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, mail_setup_detection_get_address (detection));
  json_builder_set_member_name (builder, "provider");
  json_builder_add_string_value (builder, mail_setup_detection_get_provider_id (detection));
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, mail_setup_detection_source_to_string (
                                   mail_setup_detection_get_source (detection)));
  json_builder_set_member_name (builder, "explanation");
  json_builder_add_string_value (builder, mail_setup_detection_get_explanation (detection));
  json_builder_set_member_name (builder, "organization");
  if (organization != NULL)
    json_builder_add_string_value (builder, organization);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "work_or_school");
  json_builder_add_boolean_value (builder, mail_setup_detection_get_is_work_or_school (detection));
  json_builder_set_member_name (builder, "personal");
  json_builder_add_boolean_value (builder, mail_setup_detection_get_is_personal (detection));
  add_server (builder, "imap", mail_setup_detection_get_has_imap_server (detection),
              mail_setup_detection_get_imap_host (detection),
              mail_setup_detection_get_imap_port (detection),
              mail_setup_detection_get_imap_security (detection));
  add_server (builder, "smtp", mail_setup_detection_get_has_smtp_server (detection),
              mail_setup_detection_get_smtp_host (detection),
              mail_setup_detection_get_smtp_port (detection),
              mail_setup_detection_get_smtp_security (detection));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static const char *
security_label (MailSetupSecurity security)
{
  return security == MAIL_SETUP_SECURITY_STARTTLS ? "STARTTLS" : "SSL/TLS";
}

/* The name people know the provider by: an autoconfig document's own, else
 * the bundled provider's. */
static const char *
provider_name (MailSetupDetection *detection)
{
  MailSetupProvider *described = mail_setup_detection_get_autoconfig (detection);
  MailSetupProvider *provider = mail_setup_detection_get_provider (detection);

  if (described != NULL && mail_setup_provider_get_name (described) != NULL)
    return mail_setup_provider_get_name (described);
  if (provider != NULL)
    return mail_setup_provider_get_name (provider);

  return mail_setup_detection_get_provider_id (detection);
}

static const char *
account_kind (MailSetupDetection *detection)
{
  gboolean work = mail_setup_detection_get_is_work_or_school (detection);
  gboolean personal = mail_setup_detection_get_is_personal (detection);

  if (work && personal)
    return _("work or school, or personal: Microsoft knows both, choose with --provider");
  if (work)
    return _("work or school");
  if (personal)
    return _("personal");

  return NULL;
}

static void
print_text (MailSetupDetection *detection)
{
  const char *organization = mail_setup_detection_get_organization (detection);
  const char *kind = account_kind (detection);

  g_print ("%s\n", mail_setup_detection_get_explanation (detection));
  if (mail_setup_detection_get_source (detection) == MAIL_SETUP_DETECTION_SOURCE_NOTHING)
    return;

  /* Translators: "Provider: Microsoft 365 (microsoft365)"; the id is what
   * --provider takes. */
  g_print (_("Provider: %s (%s)\n"), provider_name (detection),
           mail_setup_detection_get_provider_id (detection));
  if (organization != NULL)
    g_print (_("Organization: %s\n"), organization);
  if (kind != NULL)
    g_print (_("Account: %s\n"), kind);
  if (mail_setup_detection_get_has_imap_server (detection))
    /* Translators: "Receiving mail (IMAP): imap.example.com, port 993 (SSL/TLS)" */
    g_print (_("Receiving mail (IMAP): %s, port %u (%s)\n"),
             mail_setup_detection_get_imap_host (detection),
             mail_setup_detection_get_imap_port (detection),
             security_label (mail_setup_detection_get_imap_security (detection)));
  if (mail_setup_detection_get_has_smtp_server (detection))
    g_print (_("Sending mail (SMTP): %s, port %u (%s)\n"),
             mail_setup_detection_get_smtp_host (detection),
             mail_setup_detection_get_smtp_port (detection),
             security_label (mail_setup_detection_get_smtp_security (detection)));
}

int
mail_setup_cli_detect_print (MailSetupDetection *detection,
                             gboolean            json)
{
  if (json)
    print_json (detection);
  else
    print_text (detection);

  return mail_setup_detection_get_source (detection) == MAIL_SETUP_DETECTION_SOURCE_NOTHING ? 1
                                                                                            : 0;
}
