/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "mail-setup-core-enums.h"
#include "mail-setup-core.h"
#include "mail-setup-provider.h"

#define PROVIDER_NAMESPACE      "https://mailsetup.github.io/ns/provider"
#define PROVIDERS_RESOURCE_PATH "/io/github/mailsetup/MailSetup/core/providers/"

/* Bounds for hostile input. The bundled files stay far below every one. */
#define MAX_INPUT_SIZE  (256 * 1024)
#define MAX_DEPTH       32
#define MAX_TEXT_LENGTH 1024
#define MAX_PROVIDERS   16
#define MAX_DOMAINS     512
#define MAX_HELP_LINKS  8
#define MAX_ID_LENGTH   64

#define DEFAULT_ORDER G_MAXUINT16

typedef struct
{
  char              *host;
  guint16            port;
  MailSetupSecurity  security;
} ServerSettings;

typedef struct
{
  char *url;
  char *title;
} HelpLink;

struct _MailSetupProvider
{
  GObject         parent_instance;

  char           *id;
  char           *name;
  char           *short_name;
  char           *description;
  GStrv           domains;
  gboolean        is_microsoft;
  guint           order;
  ServerSettings  imap;
  ServerSettings  smtp;
  GArray         *help_links;
};

G_DEFINE_FINAL_TYPE (MailSetupProvider, mail_setup_provider, G_TYPE_OBJECT)

G_DEFINE_QUARK (mail-setup-provider-error-quark, mail_setup_provider_error)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_SHORT_NAME,
  PROP_DESCRIPTION,
  PROP_DOMAINS,
  PROP_IS_MICROSOFT,
  PROP_HAS_IMAP_SERVER,
  PROP_IMAP_HOST,
  PROP_IMAP_PORT,
  PROP_IMAP_SECURITY,
  PROP_HAS_SMTP_SERVER,
  PROP_SMTP_HOST,
  PROP_SMTP_PORT,
  PROP_SMTP_SECURITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  STATE_DOCUMENT,
  STATE_CLIENT_CONFIG,
  STATE_PROVIDER,
  STATE_SERVER,
  STATE_DOCUMENTATION,
  STATE_LEAF,
} ParserState;

typedef enum
{
  LEAF_DOMAIN,
  LEAF_DISPLAY_NAME,
  LEAF_DISPLAY_SHORT_NAME,
  LEAF_DESCRIPTION,
  LEAF_MICROSOFT,
  LEAF_ORDER,
  LEAF_HOSTNAME,
  LEAF_PORT,
  LEAF_SOCKET_TYPE,
  LEAF_DESCR,
} ParserLeaf;

typedef enum
{
  SERVER_IMAP,
  SERVER_SMTP,
} ServerKind;

typedef struct
{
  GPtrArray         *providers;
  MailSetupProvider *provider;
  GPtrArray         *domains;
  char              *ns_prefix;
  ParserState        state;
  gboolean           seen_root;
  guint              depth;
  guint              skip_depth;

  ParserLeaf         leaf;
  GString           *text;

  ServerKind         server_kind;
  ServerSettings     server;
  gboolean           server_has_security;

  char              *doc_url;
  char              *doc_title;
  char              *doc_title_fallback;
  gboolean           descr_is_english;

  /* A document from the network (mail_setup_provider_parse_autoconfig()):
   * what Mail Setup cannot use (a server without TLS, a help link over
   * http) is left out instead of refusing the whole document. */
  gboolean           lenient;
  const char        *email_domain;
  gboolean           server_unusable;
} Parser;

static void
server_settings_clear (ServerSettings *settings)
{
  g_clear_pointer (&settings->host, g_free);
  settings->port = 0;
  settings->security = MAIL_SETUP_SECURITY_SSL_TLS;
}

static void
help_link_clear (gpointer data)
{
  HelpLink *link = data;

  g_clear_pointer (&link->url, g_free);
  g_clear_pointer (&link->title, g_free);
}

static void
parser_clear (Parser *parser)
{
  g_clear_pointer (&parser->providers, g_ptr_array_unref);
  g_clear_object (&parser->provider);
  g_clear_pointer (&parser->domains, g_ptr_array_unref);
  g_clear_pointer (&parser->ns_prefix, g_free);
  if (parser->text != NULL)
    g_string_free (g_steal_pointer (&parser->text), TRUE);
  server_settings_clear (&parser->server);
  g_clear_pointer (&parser->doc_url, g_free);
  g_clear_pointer (&parser->doc_title, g_free);
  g_clear_pointer (&parser->doc_title_fallback, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parser, parser_clear)

static const char *
translate (const char *text)
{
  /* The empty msgid translates to the catalog header. */
  if (text == NULL || *text == '\0')
    return text;

  return g_dgettext (GETTEXT_PACKAGE, text);
}

static const char *
find_attribute (const char **names,
                const char **values,
                const char  *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (strcmp (names[i], name) == 0)
        return values[i];
    }

  return NULL;
}

static gboolean
is_valid_hostname (const char *text)
{
  gsize length = strlen (text);
  gsize label_length = 0;
  char previous = '.';

  if (length == 0 || length > 253)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '.')
        {
          if (label_length == 0 || previous == '-')
            return FALSE;
          label_length = 0;
        }
      else if (g_ascii_isalnum (*p) || *p == '-')
        {
          if (label_length == 0 && *p == '-')
            return FALSE;
          if (++label_length > 63)
            return FALSE;
        }
      else
        {
          return FALSE;
        }

      previous = *p;
    }

  return label_length > 0 && previous != '-';
}

static gboolean
is_valid_id (const char *text)
{
  gsize length = strlen (text);

  if (length == 0 || length > MAX_ID_LENGTH)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
        return FALSE;
    }

  return TRUE;
}

/* Strict on purpose: the link is opened as it is written, so it must read
 * as https to anyone who checks the file, not only to a URI parser. */
static gboolean
is_https_url (const char *text)
{
  g_autoptr(GUri) uri = NULL;

  if (!g_str_has_prefix (text, "https://"))
    return FALSE;

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p <= ' ' || *p == 0x7f)
        return FALSE;
    }

  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);

  return uri != NULL &&
         g_uri_get_host (uri) != NULL &&
         *g_uri_get_host (uri) != '\0';
}

/* The same whitespace folding as xgettext applies to ITS messages, so that
 * the text we look up is the msgid that translators saw. */
static char *
normalize_text (const char *text)
{
  GString *normalized = g_string_new (NULL);
  gboolean pending_space = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          pending_space = normalized->len > 0;
          continue;
        }

      if (pending_space)
        g_string_append_c (normalized, ' ');
      pending_space = FALSE;
      g_string_append_c (normalized, *p);
    }

  return g_string_free (normalized, FALSE);
}

static gboolean
is_our_element (Parser     *parser,
                const char *element_name,
                const char *local_name)
{
  return parser->ns_prefix != NULL &&
         g_str_has_prefix (element_name, parser->ns_prefix) &&
         strcmp (element_name + strlen (parser->ns_prefix), local_name) == 0;
}

static gboolean
set_once (char       **field,
          char        *value,
          const char  *element_name,
          GError     **error)
{
  g_autofree char *owned = value;

  if (*field != NULL)
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
                   "<%s> appears more than once", element_name);
      return FALSE;
    }

  if (*owned == '\0')
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE,
                   "<%s> is empty", element_name);
      return FALSE;
    }

  *field = g_steal_pointer (&owned);
  return TRUE;
}

static gboolean
parse_port (const char  *text,
            guint16     *port,
            GError     **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT16, &value, NULL))
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
                   "“%s” is not a port number between 1 and 65535", text);
      return FALSE;
    }

  *port = (guint16) value;
  return TRUE;
}

static gboolean
parse_socket_type (const char         *text,
                   MailSetupSecurity  *security,
                   GError            **error)
{
  if (g_ascii_strcasecmp (text, "SSL") == 0)
    *security = MAIL_SETUP_SECURITY_SSL_TLS;
  else if (g_ascii_strcasecmp (text, "STARTTLS") == 0)
    *security = MAIL_SETUP_SECURITY_STARTTLS;
  else
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
                   "Unsupported socketType “%s”: only SSL and STARTTLS are accepted", text);
      return FALSE;
    }

  return TRUE;
}

static void
parser_enter_leaf (Parser     *parser,
                   ParserLeaf  leaf)
{
  parser->leaf = leaf;
  parser->state = STATE_LEAF;
  g_string_truncate (parser->text, 0);
}

static gboolean
parser_start_client_config (Parser       *parser,
                            const char   *element_name,
                            const char  **attribute_names,
                            const char  **attribute_values,
                            GError      **error)
{
  if (parser->seen_root || strcmp (element_name, "clientConfig") != 0)
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MALFORMED,
                   "Expected a single <clientConfig> document, found <%s>", element_name);
      return FALSE;
    }

  for (guint i = 0; attribute_names[i] != NULL; i++)
    {
      if (g_str_has_prefix (attribute_names[i], "xmlns:") &&
          attribute_names[i][strlen ("xmlns:")] != '\0' &&
          strcmp (attribute_values[i], PROVIDER_NAMESPACE) == 0)
        {
          parser->ns_prefix = g_strconcat (attribute_names[i] + strlen ("xmlns:"), ":", NULL);
          break;
        }
    }

  parser->seen_root = TRUE;
  parser->state = STATE_CLIENT_CONFIG;
  return TRUE;
}

static gboolean
parser_start_provider (Parser       *parser,
                       const char  **attribute_names,
                       const char  **attribute_values,
                       GError      **error)
{
  const char *id = find_attribute (attribute_names, attribute_values, "id");

  if (parser->providers->len >= MAX_PROVIDERS)
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE,
                   "More than %d <emailProvider> elements", MAX_PROVIDERS);
      return FALSE;
    }

  if (id == NULL)
    {
      g_set_error_literal (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE,
                           "<emailProvider> has no id attribute");
      return FALSE;
    }

  if (!is_valid_id (id))
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
                   "“%s” is not a valid provider id", id);
      return FALSE;
    }

  for (guint i = 0; i < parser->providers->len; i++)
    {
      MailSetupProvider *other = g_ptr_array_index (parser->providers, i);

      if (strcmp (other->id, id) == 0)
        {
          g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
                       "Provider id “%s” appears more than once", id);
          return FALSE;
        }
    }

  parser->provider = g_object_new (MAIL_SETUP_TYPE_PROVIDER, NULL);
  parser->provider->id = g_strdup (id);
  parser->domains = g_ptr_array_new_with_free_func (g_free);
  parser->state = STATE_PROVIDER;
  return TRUE;
}

static gboolean
parser_start_documentation (Parser       *parser,
                            const char  **attribute_names,
                            const char  **attribute_values,
                            GError      **error)
{
  const char *url = find_attribute (attribute_names, attribute_values, "url");

  if (url == NULL)
    {
      g_set_error_literal (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE,
                           "<documentation> has no url attribute");
      return FALSE;
    }

  if (parser->lenient && (!is_https_url (url) ||
                          parser->provider->help_links->len >= MAX_HELP_LINKS))
    {
      parser->skip_depth = 1;
      return TRUE;
    }

  if (!is_https_url (url))
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
                   "Help link “%s” is not an https address", url);
      return FALSE;
    }

  if (parser->provider->help_links->len >= MAX_HELP_LINKS)
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE,
                   "More than %d <documentation> elements", MAX_HELP_LINKS);
      return FALSE;
    }

  parser->doc_url = g_strdup (url);
  parser->state = STATE_DOCUMENTATION;
  return TRUE;
}

static gboolean
parser_start_in_provider (Parser       *parser,
                          const char   *element_name,
                          const char  **attribute_names,
                          const char  **attribute_values,
                          GError      **error)
{
  const char *type;

  if (strcmp (element_name, "domain") == 0)
    parser_enter_leaf (parser, LEAF_DOMAIN);
  else if (strcmp (element_name, "displayName") == 0)
    parser_enter_leaf (parser, LEAF_DISPLAY_NAME);
  else if (strcmp (element_name, "displayShortName") == 0)
    parser_enter_leaf (parser, LEAF_DISPLAY_SHORT_NAME);
  else if (is_our_element (parser, element_name, "description"))
    parser_enter_leaf (parser, LEAF_DESCRIPTION);
  else if (is_our_element (parser, element_name, "microsoft"))
    parser_enter_leaf (parser, LEAF_MICROSOFT);
  else if (is_our_element (parser, element_name, "order"))
    parser_enter_leaf (parser, LEAF_ORDER);
  else if (strcmp (element_name, "documentation") == 0)
    return parser_start_documentation (parser, attribute_names, attribute_values, error);
  else if (strcmp (element_name, "incomingServer") == 0 &&
           (type = find_attribute (attribute_names, attribute_values, "type")) != NULL &&
           strcmp (type, "imap") == 0)
    {
      parser->server_kind = SERVER_IMAP;
      parser->state = STATE_SERVER;
    }
  else if (strcmp (element_name, "outgoingServer") == 0 &&
           (type = find_attribute (attribute_names, attribute_values, "type")) != NULL &&
           strcmp (type, "smtp") == 0)
    {
      parser->server_kind = SERVER_SMTP;
      parser->state = STATE_SERVER;
    }
  else
    /* POP3, Exchange, webmail and whatever later versions of the format add. */
    parser->skip_depth = 1;

  return TRUE;
}

static void
parser_start_element (GMarkupParseContext  *context,
                      const char           *element_name,
                      const char          **attribute_names,
                      const char          **attribute_values,
                      gpointer              user_data,
                      GError              **error)
{
  Parser *parser = user_data;

  if (++parser->depth > MAX_DEPTH)
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE,
                   "Elements are nested more than %d deep", MAX_DEPTH);
      return;
    }

  if (parser->skip_depth > 0)
    {
      parser->skip_depth++;
      return;
    }

  switch (parser->state)
    {
    case STATE_DOCUMENT:
      parser_start_client_config (parser, element_name, attribute_names, attribute_values, error);
      break;

    case STATE_CLIENT_CONFIG:
      if (strcmp (element_name, "emailProvider") == 0)
        parser_start_provider (parser, attribute_names, attribute_values, error);
      else
        parser->skip_depth = 1;
      break;

    case STATE_PROVIDER:
      parser_start_in_provider (parser, element_name, attribute_names, attribute_values, error);
      break;

    case STATE_SERVER:
      if (strcmp (element_name, "hostname") == 0)
        parser_enter_leaf (parser, LEAF_HOSTNAME);
      else if (strcmp (element_name, "port") == 0)
        parser_enter_leaf (parser, LEAF_PORT);
      else if (strcmp (element_name, "socketType") == 0)
        parser_enter_leaf (parser, LEAF_SOCKET_TYPE);
      else
        parser->skip_depth = 1;
      break;

    case STATE_DOCUMENTATION:
      if (strcmp (element_name, "descr") == 0)
        {
          const char *lang = find_attribute (attribute_names, attribute_values, "lang");

          parser->descr_is_english = lang == NULL || g_ascii_strcasecmp (lang, "en") == 0;
          parser_enter_leaf (parser, LEAF_DESCR);
        }
      else
        parser->skip_depth = 1;
      break;

    case STATE_LEAF:
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MALFORMED,
                   "Unexpected element <%s> inside a text element", element_name);
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
parser_end_leaf (Parser      *parser,
                 const char  *element_name,
                 GError     **error)
{
  MailSetupProvider *provider = parser->provider;
  g_autofree char *value = normalize_text (parser->text->str);

  switch (parser->leaf)
    {
    case LEAF_DOMAIN:
      parser->state = STATE_PROVIDER;
      if (!is_valid_hostname (value))
        {
          g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
                       "“%s” is not a valid domain", value);
          return FALSE;
        }
      if (parser->domains->len >= MAX_DOMAINS)
        {
          g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE,
                       "More than %d <domain> elements", MAX_DOMAINS);
          return FALSE;
        }
      g_ptr_array_add (parser->domains, g_ascii_strdown (value, -1));
      return TRUE;

    case LEAF_DISPLAY_NAME:
      parser->state = STATE_PROVIDER;
      return set_once (&provider->name, g_steal_pointer (&value), element_name, error);

    case LEAF_DISPLAY_SHORT_NAME:
      parser->state = STATE_PROVIDER;
      return set_once (&provider->short_name, g_steal_pointer (&value), element_name, error);

    case LEAF_DESCRIPTION:
      parser->state = STATE_PROVIDER;
      return set_once (&provider->description, g_steal_pointer (&value), element_name, error);

    case LEAF_MICROSOFT:
      parser->state = STATE_PROVIDER;
      provider->is_microsoft = TRUE;
      return TRUE;

    case LEAF_ORDER:
      {
        guint64 order;

        parser->state = STATE_PROVIDER;
        if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT16, &order, NULL))
          {
            g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
                         "“%s” is not a valid <%s>", value, element_name);
            return FALSE;
          }
        provider->order = (guint) order;
        return TRUE;
      }

    case LEAF_HOSTNAME:
      parser->state = STATE_SERVER;
      /* The one placeholder of the autoconfig format that a host name
       * holds, as in "imap.%EMAILDOMAIN%". */
      if (parser->lenient && parser->email_domain != NULL && strstr (value, "%EMAILDOMAIN%"))
        {
          g_autoptr(GString) replaced = g_string_new (value);

          g_string_replace (replaced, "%EMAILDOMAIN%", parser->email_domain, 0);
          g_free (value);
          value = g_string_free (g_steal_pointer (&replaced), FALSE);
        }
      if (parser->lenient && !is_valid_hostname (value))
        {
          parser->server_unusable = TRUE;
          return TRUE;
        }
      if (!is_valid_hostname (value))
        {
          g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
                       "“%s” is not a valid host name", value);
          return FALSE;
        }
      return set_once (&parser->server.host, g_steal_pointer (&value), element_name, error);

    case LEAF_PORT:
      parser->state = STATE_SERVER;
      if (parser->server.port != 0)
        {
          g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
                       "<%s> appears more than once", element_name);
          return FALSE;
        }
      return parse_port (value, &parser->server.port, error);

    case LEAF_SOCKET_TYPE:
      parser->state = STATE_SERVER;
      if (parser->server_has_security)
        {
          g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_INVALID_VALUE,
                       "<%s> appears more than once", element_name);
          return FALSE;
        }
      parser->server_has_security = TRUE;
      if (parser->lenient && !parse_socket_type (value, &parser->server.security, NULL))
        {
          parser->server_unusable = TRUE;
          return TRUE;
        }
      return parse_socket_type (value, &parser->server.security, error);

    case LEAF_DESCR:
      parser->state = STATE_DOCUMENTATION;
      if (*value == '\0')
        return TRUE;
      if (parser->descr_is_english && parser->doc_title == NULL)
        parser->doc_title = g_steal_pointer (&value);
      else if (parser->doc_title_fallback == NULL)
        parser->doc_title_fallback = g_steal_pointer (&value);
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
parser_end_server (Parser      *parser,
                   const char  *element_name,
                   GError     **error)
{
  ServerSettings *target;

  parser->state = STATE_PROVIDER;

  if (parser->lenient &&
      (parser->server_unusable || parser->server.host == NULL || parser->server.port == 0 ||
       !parser->server_has_security))
    {
      server_settings_clear (&parser->server);
      parser->server_has_security = FALSE;
      parser->server_unusable = FALSE;
      return TRUE;
    }

  if (parser->server.host == NULL || parser->server.port == 0 || !parser->server_has_security)
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE,
                   "<%s> needs <hostname>, <port> and <socketType>", element_name);
      return FALSE;
    }

  /* Servers are listed in order of preference: the first one wins. */
  target = parser->server_kind == SERVER_IMAP ? &parser->provider->imap : &parser->provider->smtp;
  if (target->host == NULL)
    {
      *target = parser->server;
      parser->server.host = NULL;
    }

  server_settings_clear (&parser->server);
  parser->server_has_security = FALSE;
  return TRUE;
}

static gboolean
parser_end_documentation (Parser  *parser,
                          GError **error)
{
  HelpLink help = { 0 };

  parser->state = STATE_PROVIDER;

  if (parser->lenient && parser->doc_title == NULL && parser->doc_title_fallback == NULL)
    {
      g_clear_pointer (&parser->doc_url, g_free);
      return TRUE;
    }

  if (parser->doc_title == NULL && parser->doc_title_fallback == NULL)
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE,
                   "Help link “%s” has no <descr>", parser->doc_url);
      return FALSE;
    }

  help.url = g_steal_pointer (&parser->doc_url);
  if (parser->doc_title != NULL)
    help.title = g_steal_pointer (&parser->doc_title);
  else
    help.title = g_steal_pointer (&parser->doc_title_fallback);
  g_array_append_val (parser->provider->help_links, help);

  g_clear_pointer (&parser->doc_title, g_free);
  g_clear_pointer (&parser->doc_title_fallback, g_free);
  return TRUE;
}

static gboolean
parser_end_provider (Parser  *parser,
                     GError **error)
{
  MailSetupProvider *provider = parser->provider;

  parser->state = STATE_CLIENT_CONFIG;

  if (provider->name == NULL)
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE,
                   "Provider “%s” has no <displayName>", provider->id);
      return FALSE;
    }

  g_ptr_array_add (parser->domains, NULL);
  g_strfreev (provider->domains);
  provider->domains = (GStrv) g_ptr_array_free (g_steal_pointer (&parser->domains), FALSE);

  g_ptr_array_add (parser->providers, g_steal_pointer (&parser->provider));
  return TRUE;
}

static void
parser_end_element (GMarkupParseContext  *context,
                    const char           *element_name,
                    gpointer              user_data,
                    GError              **error)
{
  Parser *parser = user_data;

  parser->depth--;

  if (parser->skip_depth > 0)
    {
      parser->skip_depth--;
      return;
    }

  switch (parser->state)
    {
    case STATE_LEAF:
      parser_end_leaf (parser, element_name, error);
      break;

    case STATE_SERVER:
      parser_end_server (parser, element_name, error);
      break;

    case STATE_DOCUMENTATION:
      parser_end_documentation (parser, error);
      break;

    case STATE_PROVIDER:
      parser_end_provider (parser, error);
      break;

    case STATE_CLIENT_CONFIG:
      parser->state = STATE_DOCUMENT;
      break;

    case STATE_DOCUMENT:
    default:
      g_assert_not_reached ();
    }
}

static void
parser_text (GMarkupParseContext  *context,
             const char           *text,
             gsize                 text_len,
             gpointer              user_data,
             GError              **error)
{
  Parser *parser = user_data;

  /* Text between structural elements is layout and carries no meaning. */
  if (parser->state != STATE_LEAF || parser->skip_depth > 0)
    return;

  if (parser->text->len + text_len > MAX_TEXT_LENGTH)
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE,
                   "Text longer than %d bytes", MAX_TEXT_LENGTH);
      return;
    }

  g_string_append_len (parser->text, text, text_len);
}

static const GMarkupParser parser_functions = {
  .start_element = parser_start_element,
  .end_element = parser_end_element,
  .text = parser_text,
};

static int
compare_by_order (gconstpointer a,
                  gconstpointer b)
{
  const MailSetupProvider *provider_a = *(MailSetupProvider * const *) a;
  const MailSetupProvider *provider_b = *(MailSetupProvider * const *) b;

  if (provider_a->order != provider_b->order)
    return provider_a->order < provider_b->order ? -1 : 1;

  return strcmp (provider_a->id, provider_b->id);
}

static void
catalog_add_file (GPtrArray  *catalog,
                  const char *path)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) error = NULL;
  gconstpointer data;
  gsize size;

  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes == NULL)
    {
      g_critical ("Cannot read bundled provider file %s: %s", path, error->message);
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  providers = mail_setup_provider_parse (data, size, &error);
  if (providers == NULL)
    {
      g_critical ("Bundled provider file %s is broken: %s", path, error->message);
      return;
    }

  for (guint i = 0; i < providers->len; i++)
    {
      MailSetupProvider *provider = g_ptr_array_index (providers, i);
      gboolean duplicate = FALSE;

      for (guint j = 0; j < catalog->len && !duplicate; j++)
        duplicate = strcmp (((MailSetupProvider *) g_ptr_array_index (catalog, j))->id,
                            provider->id) == 0;

      if (duplicate)
        g_critical ("Provider id “%s” in %s is already taken", provider->id, path);
      else
        g_ptr_array_add (catalog, g_object_ref (provider));
    }
}

static GListModel *
catalog_load (void)
{
  g_autoptr(GListStore) store = g_list_store_new (MAIL_SETUP_TYPE_PROVIDER);
  g_autoptr(GPtrArray) catalog = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  mail_setup_core_ensure_resources ();

  names = g_resources_enumerate_children (PROVIDERS_RESOURCE_PATH,
                                          G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (names == NULL)
    {
      g_critical ("No bundled provider files: %s", error->message);
      return G_LIST_MODEL (g_steal_pointer (&store));
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = NULL;

      if (!g_str_has_suffix (names[i], ".xml"))
        continue;

      path = g_strconcat (PROVIDERS_RESOURCE_PATH, names[i], NULL);
      catalog_add_file (catalog, path);
    }

  g_ptr_array_sort (catalog, compare_by_order);
  g_list_store_splice (store, 0, 0, catalog->pdata, catalog->len);

  return G_LIST_MODEL (g_steal_pointer (&store));
}

static void
mail_setup_provider_finalize (GObject *object)
{
  MailSetupProvider *self = (MailSetupProvider *) object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->short_name, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->domains, g_strfreev);
  server_settings_clear (&self->imap);
  server_settings_clear (&self->smtp);
  g_clear_pointer (&self->help_links, g_array_unref);

  G_OBJECT_CLASS (mail_setup_provider_parent_class)->finalize (object);
}

static void
mail_setup_provider_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  MailSetupProvider *self = MAIL_SETUP_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, mail_setup_provider_get_id (self));
      break;

    case PROP_NAME:
      g_value_set_string (value, mail_setup_provider_get_name (self));
      break;

    case PROP_SHORT_NAME:
      g_value_set_string (value, mail_setup_provider_get_short_name (self));
      break;

    case PROP_DESCRIPTION:
      g_value_set_string (value, mail_setup_provider_get_description (self));
      break;

    case PROP_DOMAINS:
      g_value_set_boxed (value, mail_setup_provider_get_domains (self));
      break;

    case PROP_IS_MICROSOFT:
      g_value_set_boolean (value, mail_setup_provider_get_is_microsoft (self));
      break;

    case PROP_HAS_IMAP_SERVER:
      g_value_set_boolean (value, mail_setup_provider_get_has_imap_server (self));
      break;

    case PROP_IMAP_HOST:
      g_value_set_string (value, mail_setup_provider_get_imap_host (self));
      break;

    case PROP_IMAP_PORT:
      g_value_set_uint (value, mail_setup_provider_get_imap_port (self));
      break;

    case PROP_IMAP_SECURITY:
      g_value_set_enum (value, mail_setup_provider_get_imap_security (self));
      break;

    case PROP_HAS_SMTP_SERVER:
      g_value_set_boolean (value, mail_setup_provider_get_has_smtp_server (self));
      break;

    case PROP_SMTP_HOST:
      g_value_set_string (value, mail_setup_provider_get_smtp_host (self));
      break;

    case PROP_SMTP_PORT:
      g_value_set_uint (value, mail_setup_provider_get_smtp_port (self));
      break;

    case PROP_SMTP_SECURITY:
      g_value_set_enum (value, mail_setup_provider_get_smtp_security (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mail_setup_provider_class_init (MailSetupProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = mail_setup_provider_finalize;
  object_class->get_property = mail_setup_provider_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_SHORT_NAME] =
    g_param_spec_string ("short-name", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_DOMAINS] =
    g_param_spec_boxed ("domains", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_IS_MICROSOFT] =
    g_param_spec_boolean ("is-microsoft", NULL, NULL, FALSE, flags);
  properties[PROP_HAS_IMAP_SERVER] =
    g_param_spec_boolean ("has-imap-server", NULL, NULL, FALSE, flags);
  properties[PROP_IMAP_HOST] =
    g_param_spec_string ("imap-host", NULL, NULL, NULL, flags);
  properties[PROP_IMAP_PORT] =
    g_param_spec_uint ("imap-port", NULL, NULL, 0, G_MAXUINT16, 0, flags);
  properties[PROP_IMAP_SECURITY] =
    g_param_spec_enum ("imap-security", NULL, NULL,
                       MAIL_SETUP_TYPE_SECURITY, MAIL_SETUP_SECURITY_SSL_TLS, flags);
  properties[PROP_HAS_SMTP_SERVER] =
    g_param_spec_boolean ("has-smtp-server", NULL, NULL, FALSE, flags);
  properties[PROP_SMTP_HOST] =
    g_param_spec_string ("smtp-host", NULL, NULL, NULL, flags);
  properties[PROP_SMTP_PORT] =
    g_param_spec_uint ("smtp-port", NULL, NULL, 0, G_MAXUINT16, 0, flags);
  properties[PROP_SMTP_SECURITY] =
    g_param_spec_enum ("smtp-security", NULL, NULL,
                       MAIL_SETUP_TYPE_SECURITY, MAIL_SETUP_SECURITY_SSL_TLS, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mail_setup_provider_init (MailSetupProvider *self)
{
  self->domains = g_new0 (char *, 1);
  self->order = DEFAULT_ORDER;
  self->imap.security = MAIL_SETUP_SECURITY_SSL_TLS;
  self->smtp.security = MAIL_SETUP_SECURITY_SSL_TLS;
  self->help_links = g_array_new (FALSE, TRUE, sizeof (HelpLink));
  g_array_set_clear_func (self->help_links, help_link_clear);
}

const char *
mail_setup_provider_get_id (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), NULL);

  return self->id;
}

const char *
mail_setup_provider_get_name (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), NULL);

  return translate (self->name);
}

/* Brand names stay untranslated; without one the full name stands in. */
const char *
mail_setup_provider_get_short_name (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), NULL);

  if (self->short_name != NULL)
    return self->short_name;

  return mail_setup_provider_get_name (self);
}

const char *
mail_setup_provider_get_description (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), NULL);

  return translate (self->description);
}

const char * const *
mail_setup_provider_get_domains (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), NULL);

  return (const char * const *) self->domains;
}

gboolean
mail_setup_provider_get_is_microsoft (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), FALSE);

  return self->is_microsoft;
}

gboolean
mail_setup_provider_get_has_imap_server (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), FALSE);

  return self->imap.host != NULL;
}

const char *
mail_setup_provider_get_imap_host (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), NULL);

  return self->imap.host;
}

guint16
mail_setup_provider_get_imap_port (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), 0);

  return self->imap.port;
}

MailSetupSecurity
mail_setup_provider_get_imap_security (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), MAIL_SETUP_SECURITY_SSL_TLS);

  return self->imap.security;
}

gboolean
mail_setup_provider_get_has_smtp_server (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), FALSE);

  return self->smtp.host != NULL;
}

const char *
mail_setup_provider_get_smtp_host (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), NULL);

  return self->smtp.host;
}

guint16
mail_setup_provider_get_smtp_port (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), 0);

  return self->smtp.port;
}

MailSetupSecurity
mail_setup_provider_get_smtp_security (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), MAIL_SETUP_SECURITY_SSL_TLS);

  return self->smtp.security;
}

guint
mail_setup_provider_get_n_help_links (MailSetupProvider *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), 0);

  return self->help_links->len;
}

const char *
mail_setup_provider_get_help_link_url (MailSetupProvider *self,
                                       guint              position)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (position < self->help_links->len, NULL);

  return g_array_index (self->help_links, HelpLink, position).url;
}

const char *
mail_setup_provider_get_help_link_title (MailSetupProvider *self,
                                         guint              position)
{
  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (position < self->help_links->len, NULL);

  return translate (g_array_index (self->help_links, HelpLink, position).title);
}

/* Case does not matter in domains, and "example.com." is the same fully
 * qualified name as "example.com". */
gboolean
mail_setup_provider_matches_domain (MailSetupProvider *self,
                                    const char        *domain)
{
  gsize length;

  g_return_val_if_fail (MAIL_SETUP_IS_PROVIDER (self), FALSE);
  g_return_val_if_fail (domain != NULL, FALSE);

  length = strlen (domain);
  if (length > 0 && domain[length - 1] == '.')
    length--;
  if (length == 0)
    return FALSE;

  for (guint i = 0; self->domains[i] != NULL; i++)
    {
      if (strlen (self->domains[i]) == length &&
          g_ascii_strncasecmp (self->domains[i], domain, length) == 0)
        return TRUE;
    }

  return FALSE;
}

static GPtrArray *parse_document (const char  *xml,
                                  gssize       length,
                                  gboolean     lenient,
                                  const char  *email_domain,
                                  GError     **error);

/**
 * mail_setup_provider_parse:
 * @xml: a Mozilla ISPDB clientConfig document, as UTF-8
 * @length: length of @xml in bytes, or -1 if it is nul-terminated
 * @error: return location for a #MAIL_SETUP_PROVIDER_ERROR
 *
 * Returns: (transfer full) (element-type MailSetupProvider): the providers
 *   in document order, or %NULL with @error set
 */
GPtrArray *
mail_setup_provider_parse (const char  *xml,
                           gssize       length,
                           GError     **error)
{
  g_return_val_if_fail (xml != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return parse_document (xml, length, FALSE, NULL, error);
}

/**
 * mail_setup_provider_parse_autoconfig:
 * @xml: a clientConfig document from the network (the ISPDB, a domain's
 *   autoconfig file), as UTF-8
 * @length: length of @xml in bytes, or -1 if it is nul-terminated
 * @email_domain: the domain of the address it was fetched for, which
 *   replaces "%EMAILDOMAIN%" in host names
 * @error: return location for a #MAIL_SETUP_PROVIDER_ERROR
 *
 * As mail_setup_provider_parse(), with the same bounds, but servers that
 * Mail Setup cannot use (no TLS, an unknown placeholder in the host name,
 * values missing) and help links that are not https are left out rather
 * than refusing the document. A provider may then have no IMAP server.
 *
 * Returns: (transfer full) (element-type MailSetupProvider): the providers
 *   in document order, or %NULL with @error set
 */
GPtrArray *
mail_setup_provider_parse_autoconfig (const char  *xml,
                                      gssize       length,
                                      const char  *email_domain,
                                      GError     **error)
{
  g_return_val_if_fail (xml != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return parse_document (xml, length, TRUE, email_domain, error);
}

static GPtrArray *
parse_document (const char  *xml,
                gssize       length,
                gboolean     lenient,
                const char  *email_domain,
                GError     **error)
{
  g_auto(Parser) parser = { 0 };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize size;

  if (xml == NULL)
    xml = "";

  size = length < 0 ? strnlen (xml, MAX_INPUT_SIZE + 1) : (gsize) length;
  if (size > MAX_INPUT_SIZE)
    {
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_TOO_LARGE,
                   "Provider file is larger than %d bytes", MAX_INPUT_SIZE);
      return NULL;
    }

  if (memchr (xml, '\0', size) != NULL)
    {
      g_set_error_literal (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MALFORMED,
                           "Provider file contains a NUL byte");
      return NULL;
    }

  parser.providers = g_ptr_array_new_with_free_func (g_object_unref);
  parser.text = g_string_new (NULL);
  parser.state = STATE_DOCUMENT;
  parser.lenient = lenient;
  parser.email_domain = email_domain;

  context = g_markup_parse_context_new (&parser_functions,
                                        G_MARKUP_TREAT_CDATA_AS_TEXT |
                                        G_MARKUP_PREFIX_ERROR_POSITION,
                                        &parser, NULL);

  if (!g_markup_parse_context_parse (context, xml, size, &local_error) ||
      !g_markup_parse_context_end_parse (context, &local_error))
    {
      g_autofree char *message = NULL;

      if (local_error->domain == MAIL_SETUP_PROVIDER_ERROR)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      /* GMarkup quotes the offending bytes, which may not be UTF-8 at all. */
      message = g_utf8_make_valid (local_error->message, -1);
      g_set_error (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MALFORMED,
                   "Not a well-formed provider file: %s", message);
      return NULL;
    }

  if (parser.providers->len == 0)
    {
      g_set_error_literal (error, MAIL_SETUP_PROVIDER_ERROR, MAIL_SETUP_PROVIDER_ERROR_MISSING_VALUE,
                           "Provider file has no <emailProvider>");
      return NULL;
    }

  return g_steal_pointer (&parser.providers);
}

/**
 * mail_setup_provider_catalog_get_default:
 *
 * Returns: (transfer none): the bundled providers in display order
 */
GListModel *
mail_setup_provider_catalog_get_default (void)
{
  static GListModel *catalog;

  if (g_once_init_enter (&catalog))
    g_once_init_leave (&catalog, catalog_load ());

  return catalog;
}

/**
 * mail_setup_provider_catalog_lookup:
 * @id: a provider id such as "outlook"
 *
 * Returns: (transfer none) (nullable): the provider, or %NULL if unknown
 */
MailSetupProvider *
mail_setup_provider_catalog_lookup (const char *id)
{
  GListModel *catalog;
  guint n_items;

  g_return_val_if_fail (id != NULL, NULL);

  catalog = mail_setup_provider_catalog_get_default ();
  n_items = g_list_model_get_n_items (catalog);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(MailSetupProvider) provider = g_list_model_get_item (catalog, i);

      /* The catalog keeps its own reference for the life of the program. */
      if (strcmp (provider->id, id) == 0)
        return provider;
    }

  return NULL;
}

/**
 * mail_setup_provider_catalog_for_email:
 * @address: an e-mail address
 *
 * Returns: (transfer none) (nullable): the provider that hosts the domain of
 *   @address, or %NULL if the domain is unknown or @address has no "@"
 */
MailSetupProvider *
mail_setup_provider_catalog_for_email (const char *address)
{
  GListModel *catalog;
  const char *at;
  guint n_items;

  g_return_val_if_fail (address != NULL, NULL);

  at = strrchr (address, '@');
  if (at == NULL)
    return NULL;

  catalog = mail_setup_provider_catalog_get_default ();
  n_items = g_list_model_get_n_items (catalog);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(MailSetupProvider) provider = g_list_model_get_item (catalog, i);

      if (mail_setup_provider_matches_domain (provider, at + 1))
        return provider;
    }

  return NULL;
}
