/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "mail-setup-core-enums.h"
#include "mail-setup-core.h"
#include "mail-setup-detect.h"
#include "mail-setup-http.h"
#include "mail-setup-imap.h"
#include "mail-setup-stream.h"

#define AUTHORITY_VARIABLE "MAIL_SETUP_OAUTH_AUTHORITY"

/* Bounds for what the network answers. An ISPDB file is a few KiB, a
 * realm answer less than one. */
#define MAX_ANSWER_LENGTH   (128 * 1024)
#define MAX_REALM_LENGTH    (16 * 1024)
#define MAX_RECORDS         32
#define MAX_ADDRESS_LENGTH  320

/* Microsoft 365's inbound servers: "<something>.mail.protection.outlook.com"
 * for a domain hosted there, as Thunderbird's ISPDB entry office365.com
 * lists; Outlook.com's, for its personal domains, are
 * "*.olc.protection.outlook.com" (Microsoft's mail servers, reference notes
 * microsoft-imap.md and microsoft-sign-in.md, "Telling the account type from
 * the address"). No other consumer host is documented there, so no other
 * counts. */
#define MICROSOFT_365_MX_SUFFIX "mail.protection.outlook.com"
#define OUTLOOK_MX_SUFFIX       "olc.protection.outlook.com"
/* The IMAP server of both Microsoft choices (microsoft365.xml, outlook.xml). */
#define MICROSOFT_IMAP_HOST     "outlook.office365.com"

/*
 * The lookups, in the order in which their answers are preferred. All run
 * at once; the first good answer in this order wins, so a later one only
 * counts when every earlier one has said nothing (or ran out of time).
 *
 * 1. The MX records: where the domain's mail actually goes. An MX of
 *    Microsoft 365 or Outlook.com settles it, whatever else says.
 * 2. autoconfig.DOMAIN and 3. DOMAIN/.well-known/autoconfig/: the domain's
 *    owner describing its own servers, over https with the certificate
 *    checked for that domain; Thunderbird, too, asks the domain before its
 *    database.
 * 4. The ISPDB: reviewed by Thunderbird's maintainers, but written by a
 *    third party about the domain.
 * 5. SRV records (RFC 6186): the owner's words too, but plain DNS, which
 *    anyone on the path can forge (RFC 6186, section 6), so after
 *    everything that came over verified https.
 * 6. Microsoft's realm service: it says that the domain is registered with
 *    Microsoft Entra (a work or school account), not that its mail is on
 *    Microsoft 365 (an organisation may sign in with Microsoft and read mail
 *    elsewhere, which 2-5 then say). Alone, it still means Microsoft 365:
 *    organisations that put a filtering service in front of Exchange
 *    Online have an MX that is not Microsoft's. Its organisation name and
 *    its work-or-school answer are kept whatever wins.
 *
 * The known consumer domains (outlook.com, msn.com ...) come before all of
 * them and without any lookup: nothing about such an address leaves the
 * computer, and Microsoft's realm service never sees it.
 */
typedef enum
{
  LOOKUP_MX,
  LOOKUP_AUTOCONFIG,
  LOOKUP_WELL_KNOWN,
  LOOKUP_ISPDB,
  LOOKUP_SRV,
  LOOKUP_REALM,
  N_LOOKUPS
} Lookup;

typedef enum
{
  MX_NOTHING,
  MX_MICROSOFT_365,
  MX_OUTLOOK,
} MxVerdict;

typedef enum
{
  REALM_NO_ANSWER,
  REALM_WORK_OR_SCHOOL,
  REALM_NOT_WORK,
} RealmVerdict;

/* The SRV names, best first within each protocol: implicit TLS before
 * STARTTLS (RFC 8314, section 5.1). */
typedef enum
{
  SRV_IMAPS,
  SRV_IMAP,
  SRV_SUBMISSIONS,
  SRV_SUBMISSION,
  N_SRV
} SrvService;

static const struct
{
  const char        *prefix;
  MailSetupSecurity  security;
} srv_services[N_SRV] = {
  [SRV_IMAPS] = { "_imaps._tcp.", MAIL_SETUP_SECURITY_SSL_TLS },
  [SRV_IMAP] = { "_imap._tcp.", MAIL_SETUP_SECURITY_STARTTLS },
  [SRV_SUBMISSIONS] = { "_submissions._tcp.", MAIL_SETUP_SECURITY_SSL_TLS },
  [SRV_SUBMISSION] = { "_submission._tcp.", MAIL_SETUP_SECURITY_STARTTLS },
};

typedef struct
{
  char              *host;
  guint16            port;
  MailSetupSecurity  security;
} Server;

static void
set_string (char       **field,
            const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static void
server_clear (Server *server)
{
  g_clear_pointer (&server->host, g_free);
  server->port = 0;
  server->security = MAIL_SETUP_SECURITY_SSL_TLS;
}

static void
server_set (Server            *server,
            const char        *host,
            guint16            port,
            MailSetupSecurity  security)
{
  server_clear (server);
  server->host = g_strdup (host);
  server->port = port;
  server->security = security;
}

/* ---------------------------------------------------------------------- */
/* The result                                                              */

struct _MailSetupDetection
{
  GObject                   parent_instance;

  char                     *address;
  char                     *domain;
  char                     *provider_id;
  MailSetupDetectionSource  source;
  char                     *explanation;
  char                     *organization;
  gboolean                  is_work_or_school;
  gboolean                  is_personal;
  Server                    imap;
  Server                    smtp;
  MailSetupProvider        *autoconfig;
};

G_DEFINE_FINAL_TYPE (MailSetupDetection, mail_setup_detection, G_TYPE_OBJECT)

static void
mail_setup_detection_finalize (GObject *object)
{
  MailSetupDetection *self = MAIL_SETUP_DETECTION (object);

  g_free (self->address);
  g_free (self->domain);
  g_free (self->provider_id);
  g_free (self->explanation);
  g_free (self->organization);
  server_clear (&self->imap);
  server_clear (&self->smtp);
  g_clear_object (&self->autoconfig);

  G_OBJECT_CLASS (mail_setup_detection_parent_class)->finalize (object);
}

static void
mail_setup_detection_class_init (MailSetupDetectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mail_setup_detection_finalize;
}

static void
mail_setup_detection_init (MailSetupDetection *self)
{
}

const char *
mail_setup_detection_source_to_string (MailSetupDetectionSource source)
{
  GEnumClass *enum_class = g_type_class_ref (MAIL_SETUP_TYPE_DETECTION_SOURCE);
  GEnumValue *value = g_enum_get_value (enum_class, (int) source);

  g_type_class_unref (enum_class);
  g_return_val_if_fail (value != NULL, NULL);

  return value->value_nick;
}

const char *
mail_setup_detection_get_address (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), NULL);
  return self->address;
}

const char *
mail_setup_detection_get_domain (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), NULL);
  return self->domain;
}

const char *
mail_setup_detection_get_provider_id (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), NULL);
  return self->provider_id;
}

MailSetupProvider *
mail_setup_detection_get_provider (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), NULL);
  return mail_setup_provider_catalog_lookup (self->provider_id);
}

MailSetupDetectionSource
mail_setup_detection_get_source (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), MAIL_SETUP_DETECTION_SOURCE_NOTHING);
  return self->source;
}

const char *
mail_setup_detection_get_explanation (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), NULL);
  return self->explanation;
}

const char *
mail_setup_detection_get_organization (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), NULL);
  return self->organization;
}

gboolean
mail_setup_detection_get_is_work_or_school (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), FALSE);
  return self->is_work_or_school;
}

gboolean
mail_setup_detection_get_is_personal (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), FALSE);
  return self->is_personal;
}

gboolean
mail_setup_detection_get_has_imap_server (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), FALSE);
  return self->imap.host != NULL;
}

const char *
mail_setup_detection_get_imap_host (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), NULL);
  return self->imap.host;
}

guint16
mail_setup_detection_get_imap_port (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), 0);
  return self->imap.port;
}

MailSetupSecurity
mail_setup_detection_get_imap_security (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), MAIL_SETUP_SECURITY_SSL_TLS);
  return self->imap.security;
}

gboolean
mail_setup_detection_get_has_smtp_server (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), FALSE);
  return self->smtp.host != NULL;
}

const char *
mail_setup_detection_get_smtp_host (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), NULL);
  return self->smtp.host;
}

guint16
mail_setup_detection_get_smtp_port (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), 0);
  return self->smtp.port;
}

MailSetupSecurity
mail_setup_detection_get_smtp_security (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), MAIL_SETUP_SECURITY_SSL_TLS);
  return self->smtp.security;
}

MailSetupProvider *
mail_setup_detection_get_autoconfig (MailSetupDetection *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTION (self), NULL);
  return self->autoconfig;
}

/* ---------------------------------------------------------------------- */
/* The detector                                                            */

struct _MailSetupDetector
{
  GObject   parent_instance;

  char     *authority;
  char     *ispdb_url;
  char     *extra_ca_file;
  guint     timeout_ms;
  gboolean  network_lookups;
  guint16   test_https_port;
};

G_DEFINE_FINAL_TYPE (MailSetupDetector, mail_setup_detector, G_TYPE_OBJECT)

/* One detection: lives as the GTask's data until the last lookup, even one
 * that comes back after the answer was given, has let go of the task. */
typedef struct
{
  char              *address;
  char              *domain;
  char              *authority;
  char              *ispdb_url;
  char              *extra_ca_file;
  guint16            test_https_port;
  gint64             deadline;

  /* Cancelled when the answer is given: by the timeout, by the caller's
   * cancellable, or because nothing pending could change it any more. */
  GCancellable      *lookups_cancellable;
  GSource           *timeout_source;
  GSource           *cancel_source;
  gboolean           answered;

  gboolean           pending[N_LOOKUPS];
  guint              srv_pending;

  MxVerdict          mx;
  MailSetupProvider *documents[N_LOOKUPS];
  Server             srv[N_SRV];
  guint16            srv_priority[N_SRV];
  guint16            srv_weight[N_SRV];
  RealmVerdict       realm;
  char              *organization;
} Detection;

static void
detection_free (gpointer data)
{
  Detection *detection = data;

  g_free (detection->address);
  g_free (detection->domain);
  g_free (detection->authority);
  g_free (detection->ispdb_url);
  g_free (detection->extra_ca_file);
  g_clear_object (&detection->lookups_cancellable);
  if (detection->timeout_source != NULL)
    g_source_destroy (detection->timeout_source);
  g_clear_pointer (&detection->timeout_source, g_source_unref);
  if (detection->cancel_source != NULL)
    g_source_destroy (detection->cancel_source);
  g_clear_pointer (&detection->cancel_source, g_source_unref);
  for (guint i = 0; i < N_LOOKUPS; i++)
    g_clear_object (&detection->documents[i]);
  for (guint i = 0; i < N_SRV; i++)
    server_clear (&detection->srv[i]);
  g_free (detection->organization);
  g_free (detection);
}

/* A host name as DNS and TLS take it: letters, digits and hyphens in
 * labels of 1 to 63, at most 253 in all; a final dot is dropped. */
static char *
normalize_host_name (const char *name)
{
  g_autofree char *host = NULL;
  gsize length = name != NULL ? strlen (name) : 0;
  gsize label = 0;

  if (length > 0 && name[length - 1] == '.')
    length--;
  if (length == 0 || length > 253)
    return NULL;

  host = g_ascii_strdown (name, (gssize) length);
  for (gsize i = 0; i < length; i++)
    {
      char c = host[i];

      if (c == '.')
        {
          if (label == 0 || host[i - 1] == '-')
            return NULL;
          label = 0;
        }
      else if (g_ascii_isalnum (c) || (c == '-' && label > 0) || (c == '_' && label == 0))
        {
          /* "_" only opens a label, as in the SRV names "_imaps._tcp". */
          if (++label > 63)
            return NULL;
        }
      else
        {
          return NULL;
        }
    }

  if (label == 0 || host[length - 1] == '-')
    return NULL;

  return g_steal_pointer (&host);
}

static gboolean
host_is_under (const char *host,
               const char *suffix)
{
  gsize host_length = strlen (host);
  gsize suffix_length = strlen (suffix);

  return host_length > suffix_length + 1 &&
         host[host_length - suffix_length - 1] == '.' &&
         g_ascii_strcasecmp (host + host_length - suffix_length, suffix) == 0;
}

/* The domain of ADDRESS, lower case, or NULL when it has none that DNS
 * could look up. */
static char *
domain_of_address (const char *address)
{
  const char *at = strrchr (address, '@');
  g_autofree char *domain = NULL;

  if (at == NULL || at == address || strlen (address) > MAX_ADDRESS_LENGTH)
    return NULL;

  domain = normalize_host_name (at + 1);
  /* A name with a dot: a bare label would go to the search domains. */
  if (domain == NULL || strchr (domain, '.') == NULL || strchr (domain, '_') != NULL)
    return NULL;

  return g_steal_pointer (&domain);
}

/* ---------------------------------------------------------------------- */
/* One https GET, in a worker thread                                       */

typedef struct
{
  char    *connect_host;
  guint16  port;
  /* The name the certificate must be for, or NULL for plain http (only to
   * this computer, as Microsoft sign-in allows for its tests). */
  char    *server_name;
  char    *extra_ca_file;
  char    *request;
  gint64   deadline;
} Fetch;

static void
fetch_free (gpointer data)
{
  Fetch *fetch = data;

  g_free (fetch->connect_host);
  g_free (fetch->server_name);
  g_free (fetch->extra_ca_file);
  g_free (fetch->request);
  g_free (fetch);
}

static gboolean
uri_is_loopback (GUri *uri)
{
  const char *host = g_uri_get_host (uri);
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* URL must be https (or http to this computer); the request itself is
 * mail-setup-http.c's, which knows the http form of the same address. */
static Fetch *
fetch_new (Detection   *detection,
           const char  *url,
           gboolean     own_site,
           GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) plain = NULL;
  g_autofree char *plain_url = NULL;
  Fetch *fetch;
  gboolean tls;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Not an address: %s", url);
      return NULL;
    }

  tls = g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0;
  if (!tls && (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 || !uri_is_loopback (uri)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Not a secure (https) address: %s", url);
      return NULL;
    }

  plain = g_uri_build (G_URI_FLAGS_ENCODED, "http", NULL, g_uri_get_host (uri),
                       g_uri_get_port (uri), g_uri_get_path (uri), g_uri_get_query (uri), NULL);
  plain_url = g_uri_to_string (plain);

  fetch = g_new0 (Fetch, 1);
  fetch->request = mail_setup_http_build_get (plain_url, error);
  if (fetch->request == NULL)
    {
      fetch_free (fetch);
      return NULL;
    }

  fetch->connect_host = g_strdup (g_uri_get_host (uri));
  fetch->port = g_uri_get_port (uri) > 0 ? (guint16) g_uri_get_port (uri) : (tls ? 443 : 80);
  fetch->server_name = tls ? g_strdup (g_uri_get_host (uri)) : NULL;
  fetch->extra_ca_file = g_strdup (detection->extra_ca_file);
  fetch->deadline = detection->deadline;

  if (own_site && detection->test_https_port != 0)
    {
      g_free (fetch->connect_host);
      fetch->connect_host = g_strdup ("127.0.0.1");
      fetch->port = detection->test_https_port;
    }

  return fetch;
}

static GBytes *
fetch_blocking (Fetch         *fetch,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(MailSetupStream) stream = NULL;
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  g_autoptr(GError) read_error = NULL;
  gint64 remaining = fetch->deadline - g_get_monotonic_time ();
  char buffer[4096];
  gssize n;

  /* Direct, as the mail connections are: looking for a proxy (a PAC
   * script, WPAD) could take longer than the lookup may. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, (guint) MAX (1, (remaining + G_USEC_PER_SEC - 1) /
                                                       G_USEC_PER_SEC));
  connectable = g_network_address_new (fetch->connect_host, fetch->port);
  connection = g_socket_client_connect (client, connectable, cancellable, error);
  if (connection == NULL)
    return NULL;

  stream = mail_setup_stream_new (connection);
  if (fetch->server_name != NULL &&
      !mail_setup_stream_start_tls (stream, fetch->server_name, fetch->extra_ca_file,
                                    fetch->deadline, cancellable, error))
    return NULL;

  if (!mail_setup_stream_write_all (stream, fetch->request, strlen (fetch->request),
                                    fetch->deadline, cancellable, error))
    return NULL;

  while ((n = mail_setup_stream_read (stream, buffer, sizeof buffer, fetch->deadline,
                                      cancellable, &read_error)) > 0)
    {
      if (answer->len + (gsize) n > MAX_ANSWER_LENGTH)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               "The answer is too long");
          return NULL;
        }
      g_byte_array_append (answer, (const guint8 *) buffer, (guint) n);
    }

  /* Many web servers close without TLS's close_notify. A cut answer cannot
   * pass for another: the XML or JSON it holds would be cut too. */
  if (n < 0 && (answer->len == 0 ||
                !g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)))
    {
      g_propagate_error (error, g_steal_pointer (&read_error));
      return NULL;
    }

  return mail_setup_http_parse_response (answer->data, answer->len, error);
}

static void
fetch_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  GBytes *body = fetch_blocking (task_data, cancellable, &error);

  if (body == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, body, (GDestroyNotify) g_bytes_unref);
}

/* Runs FETCH in a thread; CALLBACK gets TASK back as its data. A name
 * lookup inside cannot be interrupted, so the fetch returns at once when
 * cancelled and its thread ends on its own. */
static void
fetch_start (GTask               *task,
             Fetch               *fetch,
             GAsyncReadyCallback  callback)
{
  Detection *detection = g_task_get_task_data (task);
  g_autoptr(GTask) fetch_task = NULL;

  fetch_task = g_task_new (NULL, detection->lookups_cancellable, callback, g_object_ref (task));
  g_task_set_source_tag (fetch_task, fetch_start);
  g_task_set_task_data (fetch_task, fetch, fetch_free);
  g_task_set_return_on_cancel (fetch_task, TRUE);
  g_task_run_in_thread (fetch_task, fetch_thread);
}

/* ---------------------------------------------------------------------- */
/* Deciding                                                                */

static const char *
source_explanation (MailSetupDetectionSource source)
{
  switch (source)
    {
    case MAIL_SETUP_DETECTION_SOURCE_ISPDB:
      return _("Server settings found in Thunderbird’s database of mail providers");
    case MAIL_SETUP_DETECTION_SOURCE_AUTOCONFIG:
    case MAIL_SETUP_DETECTION_SOURCE_WELL_KNOWN:
      return _("Server settings published on the domain’s own web server");
    case MAIL_SETUP_DETECTION_SOURCE_SRV:
      return _("Server settings found in the domain’s DNS service records");
    case MAIL_SETUP_DETECTION_SOURCE_NOTHING:
    case MAIL_SETUP_DETECTION_SOURCE_KNOWN_DOMAIN:
    case MAIL_SETUP_DETECTION_SOURCE_MX:
    case MAIL_SETUP_DETECTION_SOURCE_USER_REALM:
    default:
      g_assert_not_reached ();
    }
}

static char *
explain (MailSetupDetection *result,
         gboolean            looked_up)
{
  MailSetupDetectionSource source = result->source;
  const char *organization = result->organization;
  const char *id = result->provider_id;
  g_autofree char *what = NULL;

  if (source == MAIL_SETUP_DETECTION_SOURCE_NOTHING)
    return g_strdup (looked_up ? _("Nothing was found about this domain")
                               : _("Not looked up: looking up providers on the network is "
                                   "turned off"));

  if (source == MAIL_SETUP_DETECTION_SOURCE_KNOWN_DOMAIN)
    /* Translators: the provider's name, e.g. "Outlook.com". */
    return g_strdup_printf (_("%s, known from the address"),
                            mail_setup_provider_get_short_name (mail_setup_detection_get_provider (result)));

  if (source == MAIL_SETUP_DETECTION_SOURCE_MX && strcmp (id, "microsoft365") == 0)
    what = organization != NULL
           /* Translators: the organisation's name, e.g. "Contoso". */
           ? g_strdup_printf (_("Microsoft 365 for %s, found from the domain’s mail servers"),
                              organization)
           : g_strdup (_("Microsoft 365, found from the domain’s mail servers"));
  else if (source == MAIL_SETUP_DETECTION_SOURCE_MX)
    what = g_strdup (_("Outlook.com, found from the domain’s mail servers"));
  else if (source == MAIL_SETUP_DETECTION_SOURCE_USER_REALM)
    what = organization != NULL
           /* Translators: the organisation's name, e.g. "Contoso". */
           ? g_strdup_printf (_("Microsoft 365 for %s, found from Microsoft’s sign-in service"),
                              organization)
           : g_strdup (_("Microsoft 365, found from Microsoft’s sign-in service"));
  else
    what = g_strdup (source_explanation (source));

  if (result->is_work_or_school && result->is_personal)
    return g_strconcat (what, ". ",
                        _("The address is both a personal and a work or school account: "
                          "choose which one to set up."), NULL);

  return g_steal_pointer (&what);
}

static gboolean
lookup_has_answer (Detection *detection,
                   Lookup     lookup)
{
  switch (lookup)
    {
    case LOOKUP_MX:
      return detection->mx != MX_NOTHING;
    case LOOKUP_AUTOCONFIG:
    case LOOKUP_WELL_KNOWN:
    case LOOKUP_ISPDB:
      return detection->documents[lookup] != NULL;
    case LOOKUP_SRV:
      return detection->srv[SRV_IMAPS].host != NULL || detection->srv[SRV_IMAP].host != NULL;
    case LOOKUP_REALM:
      return detection->realm == REALM_WORK_OR_SCHOOL;
    case N_LOOKUPS:
    default:
      g_assert_not_reached ();
    }
}

/* Whether the answer can no longer change: the realm has answered (its
 * organisation name goes with every answer), and a lookup has a good
 * answer with every lookup before it done, or all are done. */
static gboolean
detection_is_settled (Detection *detection)
{
  if (detection->pending[LOOKUP_REALM])
    return FALSE;

  for (Lookup lookup = 0; lookup < N_LOOKUPS; lookup++)
    {
      if (detection->pending[lookup])
        return FALSE;
      if (lookup_has_answer (detection, lookup))
        return TRUE;
    }

  return TRUE;
}

static void
take_provider_servers (MailSetupDetection *result,
                       MailSetupProvider  *provider)
{
  if (mail_setup_provider_get_has_imap_server (provider))
    server_set (&result->imap, mail_setup_provider_get_imap_host (provider),
                mail_setup_provider_get_imap_port (provider),
                mail_setup_provider_get_imap_security (provider));
  if (mail_setup_provider_get_has_smtp_server (provider))
    server_set (&result->smtp, mail_setup_provider_get_smtp_host (provider),
                mail_setup_provider_get_smtp_port (provider),
                mail_setup_provider_get_smtp_security (provider));
}

static const MailSetupDetectionSource lookup_sources[N_LOOKUPS] = {
  [LOOKUP_MX] = MAIL_SETUP_DETECTION_SOURCE_MX,
  [LOOKUP_AUTOCONFIG] = MAIL_SETUP_DETECTION_SOURCE_AUTOCONFIG,
  [LOOKUP_WELL_KNOWN] = MAIL_SETUP_DETECTION_SOURCE_WELL_KNOWN,
  [LOOKUP_ISPDB] = MAIL_SETUP_DETECTION_SOURCE_ISPDB,
  [LOOKUP_SRV] = MAIL_SETUP_DETECTION_SOURCE_SRV,
  [LOOKUP_REALM] = MAIL_SETUP_DETECTION_SOURCE_USER_REALM,
};

/* The settings of the first lookup in order of preference that has them. */
static void
decide_settings (Detection          *detection,
                 MailSetupDetection *result)
{
  for (Lookup lookup = LOOKUP_AUTOCONFIG; lookup <= LOOKUP_SRV; lookup++)
    {
      if (!lookup_has_answer (detection, lookup))
        continue;

      result->source = lookup_sources[lookup];
      if (lookup == LOOKUP_SRV)
        {
          Server *imap = &detection->srv[detection->srv[SRV_IMAPS].host ? SRV_IMAPS : SRV_IMAP];
          Server *smtp = &detection->srv[detection->srv[SRV_SUBMISSIONS].host ? SRV_SUBMISSIONS
                                                                              : SRV_SUBMISSION];

          server_set (&result->imap, imap->host, imap->port, imap->security);
          if (smtp->host != NULL)
            server_set (&result->smtp, smtp->host, smtp->port, smtp->security);
        }
      else
        {
          result->autoconfig = g_object_ref (detection->documents[lookup]);
          take_provider_servers (result, result->autoconfig);
        }
      return;
    }
}

static MailSetupDetection *
detection_decide (Detection *detection)
{
  g_autoptr(MailSetupDetection) result = g_object_new (MAIL_SETUP_TYPE_DETECTION, NULL);
  gboolean work = detection->realm == REALM_WORK_OR_SCHOOL;

  result->address = g_strdup (detection->address);
  result->domain = g_strdup (detection->domain);
  result->source = MAIL_SETUP_DETECTION_SOURCE_NOTHING;
  result->provider_id = g_strdup ("other");
  if (work)
    result->organization = g_strdup (detection->organization);

  if (detection->mx != MX_NOTHING)
    {
      result->source = MAIL_SETUP_DETECTION_SOURCE_MX;
      set_string (&result->provider_id, detection->mx == MX_MICROSOFT_365 ? "microsoft365"
                                                                         : "outlook");
      result->is_personal = detection->mx == MX_OUTLOOK;
      work = work || detection->mx == MX_MICROSOFT_365;
    }
  else
    {
      decide_settings (detection, result);
      /* A domain's own settings that name Microsoft's server, for a work
       * or school account: that is Microsoft 365, with its sign-in. */
      if (result->source != MAIL_SETUP_DETECTION_SOURCE_NOTHING && work &&
          g_ascii_strcasecmp (result->imap.host, MICROSOFT_IMAP_HOST) == 0)
        set_string (&result->provider_id, "microsoft365");
      else if (result->source == MAIL_SETUP_DETECTION_SOURCE_NOTHING && work)
        {
          result->source = MAIL_SETUP_DETECTION_SOURCE_USER_REALM;
          set_string (&result->provider_id, "microsoft365");
        }
    }

  result->is_work_or_school = work;
  if (strcmp (result->provider_id, "other") != 0)
    {
      server_clear (&result->imap);
      server_clear (&result->smtp);
      take_provider_servers (result, mail_setup_detection_get_provider (result));
    }
  result->explanation = explain (result, TRUE);

  return g_steal_pointer (&result);
}

/* Gives the answer once; lookups still running are cancelled, and whatever
 * they bring back later is dropped. */
static void
detection_answer (GTask *task)
{
  Detection *detection = g_task_get_task_data (task);

  if (detection->answered)
    return;

  detection->answered = TRUE;
  g_cancellable_cancel (detection->lookups_cancellable);
  if (detection->timeout_source != NULL)
    g_source_destroy (detection->timeout_source);
  if (detection->cancel_source != NULL)
    g_source_destroy (detection->cancel_source);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_task_return_pointer (task, detection_decide (detection), g_object_unref);
}

static void
lookup_done (GTask  *task,
             Lookup  lookup)
{
  Detection *detection = g_task_get_task_data (task);

  detection->pending[lookup] = FALSE;
  if (!detection->answered && detection_is_settled (detection))
    detection_answer (task);
}

static gboolean
timeout_cb (gpointer user_data)
{
  detection_answer (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  detection_answer (user_data);
  return G_SOURCE_REMOVE;
}

/* ---------------------------------------------------------------------- */
/* MX                                                                      */

static MxVerdict
mx_verdict (GList *records)
{
  guint n = 0;

  for (GList *l = records; l != NULL && n < MAX_RECORDS; l = l->next, n++)
    {
      const char *exchange = NULL;
      guint16 preference;
      g_autofree char *host = NULL;

      if (!g_variant_is_of_type (l->data, G_VARIANT_TYPE ("(qs)")))
        continue;
      g_variant_get (l->data, "(q&s)", &preference, &exchange);
      host = normalize_host_name (exchange);
      if (host == NULL)
        continue;

      if (host_is_under (host, MICROSOFT_365_MX_SUFFIX))
        return MX_MICROSOFT_365;
      if (host_is_under (host, OUTLOOK_MX_SUFFIX))
        return MX_OUTLOOK;
    }

  return MX_NOTHING;
}

static void
mx_done_cb (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Detection *detection = g_task_get_task_data (task);
  GList *records;

  records = g_resolver_lookup_records_finish (G_RESOLVER (source_object), result, NULL);
  if (!detection->answered)
    {
      detection->mx = mx_verdict (records);
      lookup_done (task, LOOKUP_MX);
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
}

/* ---------------------------------------------------------------------- */
/* SRV (RFC 6186)                                                          */

/* The record to use: the lowest priority, then the highest weight (RFC
 * 2782's random choice among equal weights matters for load, not here). A
 * target of "." says the service is not offered. */
static void
srv_take_records (Detection  *detection,
                  SrvService  service,
                  GList      *records)
{
  guint n = 0;

  for (GList *l = records; l != NULL && n < MAX_RECORDS; l = l->next, n++)
    {
      guint16 priority, weight, port;
      const char *target = NULL;
      g_autofree char *host = NULL;
      Server *best = &detection->srv[service];

      if (!g_variant_is_of_type (l->data, G_VARIANT_TYPE ("(qqqs)")))
        continue;
      g_variant_get (l->data, "(qqq&s)", &priority, &weight, &port, &target);
      host = normalize_host_name (target);
      if (host == NULL || port == 0 || strchr (host, '_') != NULL)
        continue;

      if (best->host == NULL || priority < detection->srv_priority[service] ||
          (priority == detection->srv_priority[service] &&
           weight > detection->srv_weight[service]))
        {
          server_set (best, host, port, srv_services[service].security);
          detection->srv_priority[service] = priority;
          detection->srv_weight[service] = weight;
        }
    }
}

/* Which name an answer is for: the resolver's result does not say. */
typedef struct
{
  GTask      *task;
  SrvService  service;
} SrvLookup;

static void
srv_done_cb (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  SrvLookup *srv_lookup = user_data;
  g_autoptr(GTask) task = srv_lookup->task;
  Detection *detection = g_task_get_task_data (task);
  GList *records;

  records = g_resolver_lookup_records_finish (G_RESOLVER (source_object), result, NULL);
  if (!detection->answered)
    {
      srv_take_records (detection, srv_lookup->service, records);
      if (--detection->srv_pending == 0)
        lookup_done (task, LOOKUP_SRV);
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  g_free (srv_lookup);
}

/* ---------------------------------------------------------------------- */
/* Microsoft's realm service                                               */

/* A member's text, or NULL when it is missing or not a string. */
static const char *
json_string_member (JsonObject *object,
                    const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static RealmVerdict
realm_parse (Detection  *detection,
             GBytes     *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *brand = NULL;
  g_autofree char *shown = NULL;
  gsize size;
  const char *data = g_bytes_get_data (body, &size);
  JsonObject *object;
  const char *type;

  if (size > MAX_REALM_LENGTH || !json_parser_load_from_data (parser, data, (gssize) size, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return REALM_NO_ANSWER;

  object = json_node_get_object (json_parser_get_root (parser));
  type = json_string_member (object, "NameSpaceType");
  if (g_strcmp0 (type, "Unknown") == 0)
    return REALM_NOT_WORK;
  if (g_strcmp0 (type, "Managed") != 0 && g_strcmp0 (type, "Federated") != 0)
    return REALM_NO_ANSWER;

  /* The organisation chose the name, and anyone can register one: shown
   * as safely as a server's words, and not at all when it is long. */
  brand = g_strdup (json_string_member (object, "FederationBrandName"));
  if (brand != NULL)
    shown = mail_setup_imap_sanitize_text (g_strstrip (brand), -1);
  if (shown != NULL && *shown != '\0' && g_utf8_strlen (shown, -1) <= 256)
    detection->organization = g_steal_pointer (&shown);

  return REALM_WORK_OR_SCHOOL;
}

static void
realm_done_cb (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Detection *detection = g_task_get_task_data (task);
  g_autoptr(GBytes) body = g_task_propagate_pointer (G_TASK (result), NULL);

  if (detection->answered)
    return;

  if (body != NULL)
    detection->realm = realm_parse (detection, body);
  lookup_done (task, LOOKUP_REALM);
}

/* ---------------------------------------------------------------------- */
/* Autoconfig documents                                                    */

/* The first provider of the document that has an IMAP server: Mail Setup
 * sets up IMAP, and a document of POP3 servers only is no answer. */
static MailSetupProvider *
document_parse (Detection *detection,
                GBytes    *body)
{
  g_autoptr(GPtrArray) providers = NULL;
  gsize size;
  const char *data = g_bytes_get_data (body, &size);

  providers = mail_setup_provider_parse_autoconfig (data, (gssize) size, detection->domain, NULL);
  if (providers == NULL)
    return NULL;

  for (guint i = 0; i < providers->len; i++)
    {
      MailSetupProvider *provider = g_ptr_array_index (providers, i);

      if (mail_setup_provider_get_has_imap_server (provider))
        return g_object_ref (provider);
    }

  return NULL;
}

static void
document_done (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data,
               Lookup        lookup)
{
  g_autoptr(GTask) task = user_data;
  Detection *detection = g_task_get_task_data (task);
  g_autoptr(GBytes) body = g_task_propagate_pointer (G_TASK (result), NULL);

  if (detection->answered)
    return;

  if (body != NULL)
    detection->documents[lookup] = document_parse (detection, body);
  lookup_done (task, lookup);
}

static void
autoconfig_done_cb (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  document_done (source_object, result, user_data, LOOKUP_AUTOCONFIG);
}

static void
well_known_done_cb (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  document_done (source_object, result, user_data, LOOKUP_WELL_KNOWN);
}

static void
ispdb_done_cb (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  document_done (source_object, result, user_data, LOOKUP_ISPDB);
}

/* ---------------------------------------------------------------------- */
/* Starting                                                                */

static void
start_fetch (GTask               *task,
             Lookup               lookup,
             const char          *url,
             gboolean             own_site,
             GAsyncReadyCallback  callback)
{
  Detection *detection = g_task_get_task_data (task);
  Fetch *fetch = fetch_new (detection, url, own_site, NULL);

  if (fetch == NULL)
    return;

  detection->pending[lookup] = TRUE;
  fetch_start (task, fetch, callback);
}

static void
start_lookups (GTask *task)
{
  Detection *detection = g_task_get_task_data (task);
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autofree char *escaped_address = g_uri_escape_string (detection->address, NULL, FALSE);
  g_autofree char *path_address =
    g_uri_escape_string (detection->address, G_URI_RESERVED_CHARS_ALLOWED_IN_PATH_ELEMENT, FALSE);
  g_autofree char *autoconfig = NULL;
  g_autofree char *well_known = NULL;
  g_autofree char *ispdb = NULL;
  g_autofree char *realm = NULL;

  /* Pending before anything starts: an answer that comes back at once
   * must not find the others not yet counted. */
  detection->pending[LOOKUP_MX] = TRUE;
  detection->pending[LOOKUP_SRV] = TRUE;
  detection->srv_pending = N_SRV;

  autoconfig = g_strdup_printf ("https://autoconfig.%s/mail/config-v1.1.xml?emailaddress=%s",
                                detection->domain, escaped_address);
  well_known = g_strdup_printf ("https://%s/.well-known/autoconfig/mail/config-v1.1.xml",
                                detection->domain);
  ispdb = g_strconcat (detection->ispdb_url,
                       g_str_has_suffix (detection->ispdb_url, "/") ? "" : "/",
                       detection->domain, NULL);
  realm = g_strdup_printf ("%s/common/userrealm/%s?api-version=2.1", detection->authority,
                           path_address);
  start_fetch (task, LOOKUP_AUTOCONFIG, autoconfig, TRUE, autoconfig_done_cb);
  start_fetch (task, LOOKUP_WELL_KNOWN, well_known, TRUE, well_known_done_cb);
  start_fetch (task, LOOKUP_ISPDB, ispdb, FALSE, ispdb_done_cb);
  start_fetch (task, LOOKUP_REALM, realm, FALSE, realm_done_cb);

  g_resolver_lookup_records_async (resolver, detection->domain, G_RESOLVER_RECORD_MX,
                                   detection->lookups_cancellable, mx_done_cb,
                                   g_object_ref (task));

  for (SrvService service = 0; service < N_SRV; service++)
    {
      g_autofree char *name = g_strconcat (srv_services[service].prefix, detection->domain, NULL);
      SrvLookup *srv_lookup = g_new0 (SrvLookup, 1);

      srv_lookup->task = g_object_ref (task);
      srv_lookup->service = service;
      g_resolver_lookup_records_async (resolver, name, G_RESOLVER_RECORD_SRV,
                                       detection->lookups_cancellable, srv_done_cb, srv_lookup);
    }
}

static MailSetupDetection *
detection_new (const char               *address,
               const char               *domain,
               MailSetupDetectionSource  source,
               const char               *provider_id)
{
  MailSetupDetection *result = g_object_new (MAIL_SETUP_TYPE_DETECTION, NULL);

  result->address = g_strdup (address);
  result->domain = g_strdup (domain);
  result->source = source;
  result->provider_id = g_strdup (provider_id);

  return result;
}

/* An address of a domain on the built-in lists: Microsoft's own domains,
 * all of them personal accounts. */
static MailSetupDetection *
detection_for_known_domain (const char        *address,
                            const char        *domain,
                            MailSetupProvider *provider)
{
  MailSetupDetection *result = NULL;

  result = detection_new (address, domain, MAIL_SETUP_DETECTION_SOURCE_KNOWN_DOMAIN,
                          mail_setup_provider_get_id (provider));
  result->is_personal = mail_setup_provider_get_is_microsoft (provider);
  take_provider_servers (result, provider);
  result->explanation = explain (result, FALSE);

  return result;
}

static char *
strip_trailing_slashes (const char *url)
{
  char *stripped = g_strdup (url);
  gsize length = strlen (stripped);

  while (length > 0 && stripped[length - 1] == '/')
    stripped[--length] = '\0';

  return stripped;
}

/* A setting's string, or NULL when it is empty or the installed schema
 * (an older one) lacks the key. */
static char *
setting_string (GSettings  *settings,
                const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *value = NULL;

  if (settings == NULL)
    return NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  if (!g_settings_schema_has_key (schema, key))
    return NULL;

  value = g_settings_get_string (settings, key);
  if (*g_strstrip (value) == '\0')
    return NULL;

  return g_steal_pointer (&value);
}

static void
mail_setup_detector_finalize (GObject *object)
{
  MailSetupDetector *self = MAIL_SETUP_DETECTOR (object);

  g_free (self->authority);
  g_free (self->ispdb_url);
  g_free (self->extra_ca_file);

  G_OBJECT_CLASS (mail_setup_detector_parent_class)->finalize (object);
}

static void
mail_setup_detector_class_init (MailSetupDetectorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mail_setup_detector_finalize;
}

static void
mail_setup_detector_init (MailSetupDetector *self)
{
  g_autoptr(GSettings) settings = mail_setup_settings_new ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *authority = NULL;
  g_autofree char *ispdb = NULL;
  const char *port = g_getenv (MAIL_SETUP_DETECT_HTTPS_PORT_VARIABLE);
  guint64 value = 0;

  /* The same authority as Microsoft sign-in (mail-setup-oauth.c): the
   * realm service belongs to it. */
  if (g_getenv (AUTHORITY_VARIABLE) != NULL && *g_getenv (AUTHORITY_VARIABLE) != '\0')
    authority = g_strdup (g_getenv (AUTHORITY_VARIABLE));
  else if ((authority = setting_string (settings, "oauth-authority")) == NULL)
    authority = g_strdup (DEFAULT_OAUTH_AUTHORITY);
  mail_setup_detector_set_authority (self, authority);

  if (g_getenv (MAIL_SETUP_DETECT_ISPDB_VARIABLE) != NULL &&
      *g_getenv (MAIL_SETUP_DETECT_ISPDB_VARIABLE) != '\0')
    ispdb = g_strdup (g_getenv (MAIL_SETUP_DETECT_ISPDB_VARIABLE));
  else if ((ispdb = setting_string (settings, "ispdb-url")) == NULL)
    ispdb = g_strdup (MAIL_SETUP_DETECT_DEFAULT_ISPDB_URL);
  mail_setup_detector_set_ispdb_url (self, ispdb);

  self->network_lookups = TRUE;
  if (settings != NULL)
    {
      g_object_get (settings, "settings-schema", &schema, NULL);
      if (g_settings_schema_has_key (schema, "network-lookups"))
        self->network_lookups = g_settings_get_boolean (settings, "network-lookups");
    }

  self->timeout_ms = MAIL_SETUP_DETECT_DEFAULT_TIMEOUT_MS;
  if (port != NULL && g_ascii_string_to_unsigned (port, 10, 1, G_MAXUINT16, &value, NULL))
    self->test_https_port = (guint16) value;
}

MailSetupDetector *
mail_setup_detector_new (void)
{
  return g_object_new (MAIL_SETUP_TYPE_DETECTOR, NULL);
}

void
mail_setup_detector_set_authority (MailSetupDetector *self,
                                   const char        *authority)
{
  g_return_if_fail (MAIL_SETUP_IS_DETECTOR (self));
  g_return_if_fail (authority != NULL);

  g_free (self->authority);
  self->authority = strip_trailing_slashes (authority);
}

const char *
mail_setup_detector_get_authority (MailSetupDetector *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTOR (self), NULL);
  return self->authority;
}

void
mail_setup_detector_set_ispdb_url (MailSetupDetector *self,
                                   const char        *url)
{
  g_return_if_fail (MAIL_SETUP_IS_DETECTOR (self));
  g_return_if_fail (url != NULL);

  set_string (&self->ispdb_url, url);
}

const char *
mail_setup_detector_get_ispdb_url (MailSetupDetector *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTOR (self), NULL);
  return self->ispdb_url;
}

void
mail_setup_detector_set_extra_ca_file (MailSetupDetector *self,
                                       const char        *path)
{
  g_return_if_fail (MAIL_SETUP_IS_DETECTOR (self));

  set_string (&self->extra_ca_file, path);
}

void
mail_setup_detector_set_timeout (MailSetupDetector *self,
                                 guint              milliseconds)
{
  g_return_if_fail (MAIL_SETUP_IS_DETECTOR (self));
  g_return_if_fail (milliseconds > 0);

  self->timeout_ms = milliseconds;
}

void
mail_setup_detector_set_network_lookups (MailSetupDetector *self,
                                         gboolean           enabled)
{
  g_return_if_fail (MAIL_SETUP_IS_DETECTOR (self));

  self->network_lookups = enabled;
}

gboolean
mail_setup_detector_get_network_lookups (MailSetupDetector *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTOR (self), FALSE);
  return self->network_lookups;
}

void
mail_setup_detector_detect_async (MailSetupDetector   *self,
                                  const char          *address,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *domain = NULL;
  MailSetupProvider *known;
  Detection *detection;

  g_return_if_fail (MAIL_SETUP_IS_DETECTOR (self));
  g_return_if_fail (address != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_detector_detect_async);

  domain = domain_of_address (address);
  if (domain == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not an e-mail address with a domain"), address);
      return;
    }

  known = mail_setup_provider_catalog_for_email (address);
  if (known != NULL)
    {
      g_task_return_pointer (task, detection_for_known_domain (address, domain, known),
                             g_object_unref);
      return;
    }

  if (!self->network_lookups)
    {
      MailSetupDetection *result = detection_new (address, domain,
                                                  MAIL_SETUP_DETECTION_SOURCE_NOTHING, "other");

      result->explanation = explain (result, FALSE);
      g_task_return_pointer (task, result, g_object_unref);
      return;
    }

  detection = g_new0 (Detection, 1);
  detection->address = g_strdup (address);
  detection->domain = g_steal_pointer (&domain);
  detection->authority = g_strdup (self->authority);
  detection->ispdb_url = g_strdup (self->ispdb_url);
  detection->extra_ca_file = g_strdup (self->extra_ca_file);
  detection->test_https_port = self->test_https_port;
  detection->deadline = g_get_monotonic_time () + (gint64) self->timeout_ms * 1000;
  detection->lookups_cancellable = g_cancellable_new ();
  g_task_set_task_data (task, detection, detection_free);

  detection->timeout_source = g_timeout_source_new (self->timeout_ms);
  g_task_attach_source (task, detection->timeout_source, timeout_cb);
  if (cancellable != NULL)
    {
      detection->cancel_source = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, detection->cancel_source, (GSourceFunc) G_CALLBACK (cancelled_cb));
    }

  start_lookups (task);
}

MailSetupDetection *
mail_setup_detector_detect_finish (MailSetupDetector  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (MAIL_SETUP_IS_DETECTOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
