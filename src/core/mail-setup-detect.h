/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "mail-setup-provider.h"
#include "mail-setup-types.h"

G_BEGIN_DECLS

/*
 * Which provider hosts an address, and its server settings, from the
 * address alone: the built-in lists of domains, then, in parallel and each
 * within the detector's timeout, the domain's MX records, Microsoft's
 * user-realm service, the domain's own autoconfig files, the ISPDB and the
 * domain's SRV records (RFC 6186). mail-setup-detect.c says which answer
 * wins and why.
 */

/* For tests only: the domain's own autoconfig files (autoconfig.DOMAIN and
 * DOMAIN/.well-known/) are fetched from 127.0.0.1 on this port, still with
 * the certificate checked for the real host name. */
#define MAIL_SETUP_DETECT_HTTPS_PORT_VARIABLE "MAIL_SETUP_DETECT_HTTPS_PORT"
/* For tests: the ISPDB's address, before the ispdb-url setting. */
#define MAIL_SETUP_DETECT_ISPDB_VARIABLE "MAIL_SETUP_DETECT_ISPDB_URL"

/* Thunderbird's, when neither the variable nor the setting names one. */
#define MAIL_SETUP_DETECT_DEFAULT_ISPDB_URL "https://autoconfig.thunderbird.net/v1.1/"
#define MAIL_SETUP_DETECT_DEFAULT_TIMEOUT_MS 5000

/* How the provider was found. */
typedef enum
{
  MAIL_SETUP_DETECTION_SOURCE_NOTHING,
  MAIL_SETUP_DETECTION_SOURCE_KNOWN_DOMAIN,
  MAIL_SETUP_DETECTION_SOURCE_MX,
  MAIL_SETUP_DETECTION_SOURCE_USER_REALM,
  MAIL_SETUP_DETECTION_SOURCE_ISPDB,
  MAIL_SETUP_DETECTION_SOURCE_AUTOCONFIG,
  MAIL_SETUP_DETECTION_SOURCE_WELL_KNOWN,
  MAIL_SETUP_DETECTION_SOURCE_SRV,
} MailSetupDetectionSource;

/* A stable id for scripts ("known-domain", "mx", "user-realm", "ispdb",
 * "autoconfig", "well-known", "srv", "nothing"): the enum's nick. */
const char *mail_setup_detection_source_to_string (MailSetupDetectionSource source);

#define MAIL_SETUP_TYPE_DETECTION (mail_setup_detection_get_type ())

G_DECLARE_FINAL_TYPE (MailSetupDetection, mail_setup_detection, MAIL_SETUP, DETECTION, GObject)

const char               *mail_setup_detection_get_address          (MailSetupDetection *self);
const char               *mail_setup_detection_get_domain           (MailSetupDetection *self);
/* "microsoft365", "outlook", "msn" or "other". */
const char               *mail_setup_detection_get_provider_id      (MailSetupDetection *self);
/* The bundled provider of that id. */
MailSetupProvider        *mail_setup_detection_get_provider         (MailSetupDetection *self);
MailSetupDetectionSource  mail_setup_detection_get_source           (MailSetupDetection *self);
/* What was found and how, for the user: "Microsoft 365 for Contoso, found
 * from the domain’s mail servers". Translated. */
const char               *mail_setup_detection_get_explanation      (MailSetupDetection *self);
/* The organisation's name that Microsoft's realm service gave
 * (FederationBrandName), made safe to show, or NULL. */
const char               *mail_setup_detection_get_organization     (MailSetupDetection *self);
/* Microsoft says a work or school account (the realm service, or an MX of
 * Microsoft 365); a personal account (a consumer domain, or an MX of
 * Outlook.com). Both can be TRUE: then the user chooses. */
gboolean                  mail_setup_detection_get_is_work_or_school (MailSetupDetection *self);
gboolean                  mail_setup_detection_get_is_personal      (MailSetupDetection *self);
/* The server settings found: the bundled provider's for Microsoft, the
 * autoconfig document's or the SRV records' for other domains. */
gboolean                  mail_setup_detection_get_has_imap_server  (MailSetupDetection *self);
const char               *mail_setup_detection_get_imap_host        (MailSetupDetection *self);
guint16                   mail_setup_detection_get_imap_port        (MailSetupDetection *self);
MailSetupSecurity         mail_setup_detection_get_imap_security    (MailSetupDetection *self);
gboolean                  mail_setup_detection_get_has_smtp_server  (MailSetupDetection *self);
const char               *mail_setup_detection_get_smtp_host        (MailSetupDetection *self);
guint16                   mail_setup_detection_get_smtp_port        (MailSetupDetection *self);
MailSetupSecurity         mail_setup_detection_get_smtp_security    (MailSetupDetection *self);
/* The provider that the winning autoconfig document (ISPDB, autoconfig,
 * well-known) describes, with its name and help links, or NULL. */
MailSetupProvider        *mail_setup_detection_get_autoconfig       (MailSetupDetection *self);

#define MAIL_SETUP_TYPE_DETECTOR (mail_setup_detector_get_type ())

G_DECLARE_FINAL_TYPE (MailSetupDetector, mail_setup_detector, MAIL_SETUP, DETECTOR, GObject)

/* Settings from the environment and GSettings: the authority as Microsoft
 * sign-in reads it (MAIL_SETUP_OAUTH_AUTHORITY, oauth-authority), the ISPDB
 * (MAIL_SETUP_DETECT_ISPDB_URL, ispdb-url) and network-lookups. */
MailSetupDetector  *mail_setup_detector_new                 (void);
void                mail_setup_detector_set_authority       (MailSetupDetector    *self,
                                                             const char           *authority);
const char         *mail_setup_detector_get_authority       (MailSetupDetector    *self);
void                mail_setup_detector_set_ispdb_url       (MailSetupDetector    *self,
                                                             const char           *url);
const char         *mail_setup_detector_get_ispdb_url       (MailSetupDetector    *self);
/* Authorities trusted besides the system's, as --ca-file; for tests. */
void                mail_setup_detector_set_extra_ca_file   (MailSetupDetector    *self,
                                                             const char           *path);
/* How long the lookups may take, all together as each alone: they run at
 * once. */
void                mail_setup_detector_set_timeout         (MailSetupDetector    *self,
                                                             guint                 milliseconds);
/* FALSE: nothing leaves the computer; only the built-in domains count. */
void                mail_setup_detector_set_network_lookups (MailSetupDetector    *self,
                                                             gboolean              enabled);
gboolean            mail_setup_detector_get_network_lookups (MailSetupDetector    *self);

/* Fails only for an address without a valid domain
 * (G_IO_ERROR_INVALID_ARGUMENT) and when cancelled; a domain nothing is
 * known about gives MAIL_SETUP_DETECTION_SOURCE_NOTHING. */
void                mail_setup_detector_detect_async        (MailSetupDetector    *self,
                                                             const char           *address,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
MailSetupDetection *mail_setup_detector_detect_finish       (MailSetupDetector    *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

G_END_DECLS
