/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mail-setup-core.h"
#include "mail-setup-oauth.h"
#include "mail-setup-secret.h"

#define AUTHORITY_VARIABLE "MAIL_SETUP_OAUTH_AUTHORITY"
#define BROWSER_TIMEOUT_VARIABLE "MAIL_SETUP_BROWSER_SIGN_IN_TIMEOUT"
/* RFC 7636 section 4.1: 32 random octets make a 43-character verifier. */
#define PKCE_VERIFIER_BYTES 32
#define STATE_BYTES 16
#define DEVICE_CODE_GRANT "urn:ietf:params:oauth:grant-type:device_code"
#define SLOW_DOWN_STEP 5
/* RFC 8628 section 3.2: without an interval, poll every 5 seconds. */
#define DEFAULT_INTERVAL 5
#define MAX_INTERVAL 300
#define MAX_EXPIRES_IN (24 * 60 * 60)
#define MAX_DESCRIPTION_LENGTH 300
#define MAX_USER_CODE_LENGTH 64
#define MAX_URI_LENGTH 2048

/* A sign-in error carries what it means and what Microsoft said, beside
 * its message for the user. */
typedef struct
{
  MailSetupDiagnosis  diagnosis;
  char               *server_response;
} MailSetupOAuthErrorPrivate;

static void
mail_setup_oauth_error_private_init (MailSetupOAuthErrorPrivate *priv)
{
  priv->diagnosis = MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED;
}

static void
mail_setup_oauth_error_private_copy (const MailSetupOAuthErrorPrivate *source,
                                     MailSetupOAuthErrorPrivate       *copy)
{
  copy->diagnosis = source->diagnosis;
  copy->server_response = g_strdup (source->server_response);
}

static void
mail_setup_oauth_error_private_clear (MailSetupOAuthErrorPrivate *priv)
{
  g_clear_pointer (&priv->server_response, g_free);
}

G_DEFINE_EXTENDED_ERROR (MailSetupOAuthError, mail_setup_oauth_error)

struct _MailSetupOAuthTokens
{
  MailSetupSecret *access_token;
  MailSetupSecret *refresh_token;
  guint            expires_in;
};

G_DEFINE_BOXED_TYPE (MailSetupOAuthTokens, mail_setup_oauth_tokens,
                     mail_setup_oauth_tokens_copy, mail_setup_oauth_tokens_free)

struct _MailSetupOAuth
{
  GObject          parent_instance;

  char            *authority;
  char            *tenant;
  char            *client_id;
  GError          *authority_error;
  SoupSession     *session;

  /* The code in progress; device_code is NULL once it got a final answer. */
  MailSetupSecret *device_code;
  char            *user_code;
  char            *verification_uri;
  char            *message;
  gint64           expires_at;
  guint            interval;
  gint64           next_poll_at;

  /* Browser sign-in in progress. */
  char            *authorize_uri;
  char            *browser_problem;
  guint            browser_timeout;
};

G_DEFINE_FINAL_TYPE (MailSetupOAuth, mail_setup_oauth, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USER_CODE,
  PROP_VERIFICATION_URI,
  PROP_INTERVAL,
  PROP_AUTHORIZE_URI,
  PROP_BROWSER_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  REQUEST_DEVICE_CODE,
  REQUEST_POLL,
  REQUEST_REFRESH,
  REQUEST_AUTHORIZATION_CODE,
} RequestKind;

/* One asynchronous call: its HTTP message and, for a poll, the code it
 * polls for and the wait before it. */
typedef struct
{
  RequestKind      kind;
  MailSetupSecret *device_code;
  SoupMessage     *message;
  GSource         *wait;
  GSource         *cancel_wait;
} Request;

static void
stop_waiting (Request *request)
{
  if (request->wait != NULL)
    g_source_destroy (request->wait);
  if (request->cancel_wait != NULL)
    g_source_destroy (request->cancel_wait);
  g_clear_pointer (&request->wait, g_source_unref);
  g_clear_pointer (&request->cancel_wait, g_source_unref);
}

static void
request_free (Request *request)
{
  stop_waiting (request);
  g_clear_pointer (&request->device_code, mail_setup_secret_free);
  g_clear_object (&request->message);
  g_free (request);
}

static GTask *
request_task_new (MailSetupOAuth      *self,
                  RequestKind          kind,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  request->kind = kind;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  return task;
}

/* Form encoding into one buffer sized up front, so that growing it leaves
 * no stray copy of a token in freed memory. */
static gsize
form_length (const char * const *fields)
{
  gsize length = 0;

  for (guint i = 0; fields[i] != NULL; i += 2)
    length += strlen (fields[i]) + 3 * strlen (fields[i + 1]) + 2;

  return length;
}

static MailSetupSecret *
form_encode (const char *first_name,
             ...)
{
  const char *fields[16] = { NULL };
  MailSetupSecret *form;
  va_list args;
  guint n = 0;
  char *p;

  va_start (args, first_name);
  for (const char *name = first_name; name != NULL && n + 2 < G_N_ELEMENTS (fields);
       name = va_arg (args, const char *))
    {
      fields[n++] = name;
      fields[n++] = va_arg (args, const char *);
    }
  va_end (args);

  form = g_malloc0 (form_length (fields) + 1);
  p = form;
  for (guint i = 0; fields[i] != NULL; i += 2)
    {
      if (i > 0)
        *p++ = '&';
      p = g_stpcpy (p, fields[i]);
      *p++ = '=';
      for (const char *c = fields[i + 1]; *c != '\0'; c++)
        {
          if (g_ascii_isalnum (*c) || strchr ("-._~", *c) != NULL)
            *p++ = *c;
          else if (*c == ' ')
            *p++ = '+';
          else
            p += g_snprintf (p, 4, "%%%02X", (guchar) *c);
        }
    }

  return form;
}

static char *
endpoint_uri (MailSetupOAuth *self,
              const char     *endpoint)
{
  g_autofree char *tenant = g_uri_escape_string (self->tenant, NULL, FALSE);

  return g_strconcat (self->authority, "/", tenant, "/oauth2/v2.0/", endpoint, NULL);
}

/* The first line of what the server said, safe to show. */
static char *
describe (const char *description,
          const char *fallback)
{
  g_autofree char *valid = NULL;
  const char *end;
  GString *text;

  if (description == NULL || *description == '\0')
    description = fallback;

  valid = g_utf8_make_valid (description, -1);
  end = valid + strcspn (valid, "\r\n");
  text = g_string_new_len (valid, end - valid);
  for (gsize i = 0; i < text->len; i++)
    {
      if (g_ascii_iscntrl (text->str[i]))
        text->str[i] = ' ';
    }
  if (g_utf8_strlen (text->str, -1) > MAX_DESCRIPTION_LENGTH)
    {
      g_string_truncate (text, g_utf8_offset_to_pointer (text->str, MAX_DESCRIPTION_LENGTH) - text->str);
      g_string_append (text, "…");
    }

  return g_string_free (text, FALSE);
}

static GError *
sign_in_error (MailSetupOAuthError  code,
               MailSetupDiagnosis   diagnosis,
               const char          *server_response,
               const char          *format,
               ...) G_GNUC_PRINTF (4, 5);

static GError *
sign_in_error (MailSetupOAuthError  code,
               MailSetupDiagnosis   diagnosis,
               const char          *server_response,
               const char          *format,
               ...)
{
  MailSetupOAuthErrorPrivate *priv;
  GError *error;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (MAIL_SETUP_OAUTH_ERROR, code, format, args);
  va_end (args);

  priv = mail_setup_oauth_error_get_private (error);
  priv->diagnosis = diagnosis;
  priv->server_response = g_strdup (server_response);

  return error;
}

/* "error: AADSTS53003: Access has been blocked by Conditional Access
 * policies." The first sentence is enough to search for and leaves out
 * the trace and correlation IDs that follow it. */
static char *
server_response_for (const char *code,
                     const char *description)
{
  g_autofree char *said = description ? describe (description, NULL) : NULL;
  char *end;

  if (said == NULL || *said == '\0')
    return g_strdup (code);

  end = strstr (said, ". ");
  if (end != NULL)
    end[1] = '\0';

  return code ? g_strdup_printf ("%s: %s", code, said) : g_steal_pointer (&said);
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* A count of seconds, as a number or, as some Microsoft endpoints send it,
 * a string of digits. */
static gboolean
get_seconds (JsonObject *object,
             const char *name,
             guint64    *seconds)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 value = json_node_get_int (node);

      if (value < 0)
        return FALSE;
      *seconds = (guint64) value;
      return TRUE;
    }

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_string_to_unsigned (json_node_get_string (node), 10, 0, G_MAXUINT32,
                                       seconds, NULL);

  return FALSE;
}

/* json-glib keeps its own copy of every string; the ones that are
 * credentials are wiped before the parser frees them. */
static void
wipe_secrets (JsonParser *parser)
{
  static const char * const names[] = {
    "access_token", "refresh_token", "device_code", "id_token",
  };
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *object;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;

  object = json_node_get_object (root);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      char *value = (char *) get_string (object, names[i]);

      if (value != NULL)
        mail_setup_secret_wipe (value, strlen (value));
    }
}

static gboolean
uri_is_loopback (GUri *uri)
{
  const char *host = g_uri_get_host (uri);
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Sign-in requests carry no password, but what comes back is one; only TLS
 * protects it, except on this machine where tests run their own server. */
static gboolean
authority_is_loopback (const char *authority)
{
  g_autoptr(GUri) uri = g_uri_parse (authority, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && uri_is_loopback (uri);
}

static gboolean
check_authority (const char  *authority,
                 GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (authority, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;

  if (uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
      g_uri_get_userinfo (uri) == NULL && g_uri_get_query (uri) == NULL &&
      g_uri_get_fragment (uri) == NULL &&
      (g_ascii_strcasecmp (scheme, "https") == 0 ||
       (g_ascii_strcasecmp (scheme, "http") == 0 && uri_is_loopback (uri))))
    return TRUE;

  /* The remedy for a client ID Microsoft refuses names the same settings. */
  g_propagate_error (error,
                     sign_in_error (MAIL_SETUP_OAUTH_ERROR_BAD_AUTHORITY,
                                    MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED, NULL,
                                    _("The sign-in address “%s” is not a secure (https) address, "
                                      "so Mail Setup does not use it. Check the oauth-authority "
                                      "setting."),
                                    authority));
  return FALSE;
}

static gboolean
verification_uri_is_acceptable (const char *text)
{
  g_autoptr(GUri) uri = text ? g_uri_parse (text, G_URI_FLAGS_NONE, NULL) : NULL;

  /* The page opens it in a browser: nothing but a web address. */
  return uri != NULL && g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 &&
         g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
}

/* What the page and the terminal show as it came: nothing that could move
 * the cursor or hide text. */
static gboolean
is_plain_text (const char *text,
               gsize       max_length)
{
  if (text == NULL || *text == '\0' || strlen (text) > max_length)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isgraph (*p))
        return FALSE;
    }

  return TRUE;
}

/* An answer that is not the protocol's: the service is not working as it
 * should, which to the user is the same as not reaching it. */
static GError *
bad_answer (const char *what)
{
  return sign_in_error (MAIL_SETUP_OAUTH_ERROR_BAD_ANSWER, MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE,
                        what,
                        _("The Microsoft sign-in service gave an answer that Mail Setup does not "
                          "understand (%s)."), what);
}

/* The AADSTS numbers of an error answer: its error_codes, or the number
 * its description starts with, as in the browser's error redirect. */
static GArray *
error_codes_of (JsonObject *answer,
                const char *description)
{
  GArray *codes = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonNode *node = answer ? json_object_get_member (answer, "error_codes") : NULL;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array) && i < 16; i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_INT64)
            {
              gint64 value = json_node_get_int (element);

              g_array_append_val (codes, value);
            }
        }
    }

  if (codes->len == 0 && description != NULL && g_str_has_prefix (description, "AADSTS"))
    {
      gint64 value = g_ascii_strtoll (description + strlen ("AADSTS"), NULL, 10);

      if (value > 0)
        g_array_append_val (codes, value);
    }

  return codes;
}

/* A refusal from Microsoft, told by what it means rather than by its
 * English words. */
static GError *
refusal_error (MailSetupSignInGrant  grant,
               const char           *code,
               const char           *suberror,
               const char           *description,
               GArray               *codes)
{
  g_autofree char *response = server_response_for (code, description);
  g_autofree char *said = describe (description, code);
  MailSetupDiagnosis diagnosis;

  diagnosis = mail_setup_diagnosis_for_sign_in_error (grant, code, suberror,
                                                      (const gint64 *) codes->data, codes->len);
  switch (diagnosis)
    {
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_DECLINED:
      return sign_in_error (MAIL_SETUP_OAUTH_ERROR_ACCESS_DENIED, diagnosis, response,
                            _("The sign-in was declined, so Mail Setup was not given "
                              "access to the mailbox."));
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_EXPIRED:
      return sign_in_error (MAIL_SETUP_OAUTH_ERROR_EXPIRED_TOKEN, diagnosis, response,
                            _("The code expired before the sign-in was finished. "
                              "Get a new code to try again."));
    case MAIL_SETUP_DIAGNOSIS_SIGN_IN_SAVED_EXPIRED:
      return sign_in_error (MAIL_SETUP_OAUTH_ERROR_INVALID_GRANT, diagnosis, response,
                            _("Microsoft no longer accepts the saved sign-in. "
                              "Sign in with Microsoft again."));
    default:
      return sign_in_error (MAIL_SETUP_OAUTH_ERROR_REFUSED, diagnosis, response,
                            _("Microsoft refused the sign-in: %s"), said);
    }
}

static GError *
error_from_answer (MailSetupSignInGrant  grant,
                   JsonObject           *answer)
{
  const char *code = get_string (answer, "error");
  const char *description = get_string (answer, "error_description");
  g_autoptr(GArray) codes = error_codes_of (answer, description);

  return refusal_error (grant, code, get_string (answer, "suberror"), description, codes);
}

static MailSetupOAuthTokens *
tokens_from_answer (JsonObject  *answer,
                    GError     **error)
{
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  const char *access_token = get_string (answer, "access_token");
  const char *token_type = get_string (answer, "token_type");
  guint64 expires_in = 0;

  if (access_token == NULL || *access_token == '\0')
    {
      g_propagate_error (error, bad_answer ("no access_token"));
      return NULL;
    }
  if (token_type != NULL && g_ascii_strcasecmp (token_type, "Bearer") != 0)
    {
      g_propagate_error (error, bad_answer ("token_type is not Bearer"));
      return NULL;
    }

  tokens = g_new0 (MailSetupOAuthTokens, 1);
  tokens->access_token = mail_setup_secret_new (access_token);
  tokens->refresh_token = mail_setup_secret_new (get_string (answer, "refresh_token"));
  if (get_seconds (answer, "expires_in", &expires_in))
    tokens->expires_in = (guint) MIN (expires_in, G_MAXUINT);

  return g_steal_pointer (&tokens);
}

static void
set_code (MailSetupOAuth  *self,
          MailSetupSecret *device_code,
          const char      *user_code,
          const char      *verification_uri,
          const char      *message,
          guint            expires_in,
          guint            interval)
{
  gint64 now = g_get_monotonic_time ();

  g_clear_pointer (&self->device_code, mail_setup_secret_free);
  self->device_code = device_code;
  g_free (self->message);
  self->message = g_strdup (message);
  self->expires_at = now + (gint64) expires_in * G_USEC_PER_SEC;
  self->next_poll_at = now + (gint64) interval * G_USEC_PER_SEC;

  if (g_strcmp0 (self->user_code, user_code) != 0)
    {
      g_free (self->user_code);
      self->user_code = g_strdup (user_code);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_CODE]);
    }
  if (g_strcmp0 (self->verification_uri, verification_uri) != 0)
    {
      g_free (self->verification_uri);
      self->verification_uri = g_strdup (verification_uri);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERIFICATION_URI]);
    }
  if (self->interval != interval)
    {
      self->interval = interval;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
    }
}

static void
device_code_answered (GTask      *task,
                      JsonObject *answer)
{
  MailSetupOAuth *self = g_task_get_source_object (task);
  const char *device_code = get_string (answer, "device_code");
  const char *user_code = get_string (answer, "user_code");
  const char *verification_uri = get_string (answer, "verification_uri");
  g_autofree char *message = NULL;
  guint64 expires_in = 0;
  guint64 interval = DEFAULT_INTERVAL;

  /* The Azure AD v1 endpoint spelt it verification_url. */
  if (verification_uri == NULL)
    verification_uri = get_string (answer, "verification_url");

  if (device_code == NULL || *device_code == '\0' || !is_plain_text (user_code, MAX_USER_CODE_LENGTH))
    {
      g_task_return_error (task, bad_answer ("no device_code or user_code"));
      return;
    }
  if (!is_plain_text (verification_uri, MAX_URI_LENGTH) ||
      !verification_uri_is_acceptable (verification_uri))
    {
      g_task_return_error (task, bad_answer ("no https verification_uri"));
      return;
    }
  if (!get_seconds (answer, "expires_in", &expires_in) || expires_in == 0)
    {
      g_task_return_error (task, bad_answer ("no expires_in"));
      return;
    }
  if (get_seconds (answer, "interval", &interval))
    interval = CLAMP (interval, 1, MAX_INTERVAL);
  else
    interval = DEFAULT_INTERVAL;

  if (get_string (answer, "message") != NULL)
    message = describe (get_string (answer, "message"), NULL);

  set_code (self, mail_setup_secret_new (device_code), user_code, verification_uri, message,
            (guint) MIN (expires_in, MAX_EXPIRES_IN), (guint) interval);
  g_task_return_boolean (task, TRUE);
}

static gboolean
polls_current_code (MailSetupOAuth *self,
                    Request        *request)
{
  return self->device_code != NULL && g_str_equal (self->device_code, request->device_code);
}

/* An answer that ends the code's life: it will not be polled again. */
static void
forget_code (MailSetupOAuth *self,
             Request        *request)
{
  if (polls_current_code (self, request))
    g_clear_pointer (&self->device_code, mail_setup_secret_free);
}

/* Pending and slow_down keep the code alive; any other answer ends it. */
static GError *
poll_error (MailSetupOAuth *self,
            Request        *request,
            JsonObject     *answer)
{
  const char *code = get_string (answer, "error");

  if (g_str_equal (code, "authorization_pending"))
    return g_error_new_literal (MAIL_SETUP_OAUTH_ERROR,
                                MAIL_SETUP_OAUTH_ERROR_AUTHORIZATION_PENDING,
                                _("Waiting for you to enter the code and sign in."));

  if (g_str_equal (code, "slow_down"))
    {
      if (polls_current_code (self, request) && self->interval < MAX_INTERVAL)
        {
          self->interval = MIN (self->interval + SLOW_DOWN_STEP, MAX_INTERVAL);
          self->next_poll_at = g_get_monotonic_time () + (gint64) self->interval * G_USEC_PER_SEC;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
        }
      return g_error_new (MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_SLOW_DOWN,
                          g_dngettext (GETTEXT_PACKAGE,
                                       "Microsoft asked Mail Setup to check less often. "
                                       "Still waiting, checking every %u second.",
                                       "Microsoft asked Mail Setup to check less often. "
                                       "Still waiting, checking every %u seconds.",
                                       self->interval),
                          self->interval);
    }

  forget_code (self, request);

  return error_from_answer (MAIL_SETUP_SIGN_IN_GRANT_DEVICE_CODE, answer);
}

static MailSetupSignInGrant
grant_of (RequestKind kind)
{
  switch (kind)
    {
    case REQUEST_REFRESH:
      return MAIL_SETUP_SIGN_IN_GRANT_REFRESH_TOKEN;
    case REQUEST_AUTHORIZATION_CODE:
      return MAIL_SETUP_SIGN_IN_GRANT_AUTHORIZATION_CODE;
    case REQUEST_DEVICE_CODE:
    case REQUEST_POLL:
    default:
      return MAIL_SETUP_SIGN_IN_GRANT_DEVICE_CODE;
    }
}

static void
handle_answer (GTask      *task,
               guint       status,
               JsonObject *answer)
{
  MailSetupOAuth *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  const char *code = answer ? get_string (answer, "error") : NULL;
  g_autoptr(GError) error = NULL;
  MailSetupOAuthTokens *tokens;

  if (request->kind == REQUEST_POLL && polls_current_code (self, request))
    self->next_poll_at = g_get_monotonic_time () + (gint64) self->interval * G_USEC_PER_SEC;

  if (answer == NULL)
    {
      g_autofree char *what = g_strdup_printf ("HTTP %u", status);

      g_task_return_error (task, bad_answer (what));
      return;
    }

  if (code != NULL && status >= 400 && status < 500)
    {
      if (request->kind == REQUEST_POLL)
        g_task_return_error (task, poll_error (self, request, answer));
      else
        g_task_return_error (task, error_from_answer (grant_of (request->kind), answer));
      return;
    }

  if (status != SOUP_STATUS_OK)
    {
      g_autofree char *what = g_strdup_printf ("HTTP %u", status);

      g_task_return_error (task, bad_answer (what));
      return;
    }

  if (request->kind == REQUEST_DEVICE_CODE)
    {
      device_code_answered (task, answer);
      return;
    }

  tokens = tokens_from_answer (answer, &error);
  if (request->kind == REQUEST_POLL)
    forget_code (self, request);
  if (tokens == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, tokens, (GDestroyNotify) mail_setup_oauth_tokens_free);
}

static void
answer_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree guint8 *data = NULL;
  GBytes *body;
  JsonNode *root;
  gsize size = 0;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task,
                             sign_in_error (MAIL_SETUP_OAUTH_ERROR_NETWORK,
                                            MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE, error->message,
                                            _("Mail Setup could not reach the Microsoft sign-in "
                                              "service: %s"),
                                            error->message));
      return;
    }

  /* The body holds tokens: it is read from a copy of our own, wiped after. */
  data = g_bytes_unref_to_data (body, &size);
  parser = json_parser_new ();
  if (size > 0 && json_parser_load_from_data (parser, (const char *) data, size, NULL))
    root = json_parser_get_root (parser);
  else
    root = NULL;
  mail_setup_secret_wipe (data, size);

  handle_answer (task, soup_message_get_status (request->message),
                 root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL);
  wipe_secrets (parser);
}

/* Sends FORM (taken, wiped once sent) to ENDPOINT; the answer returns TASK. */
static void
send_form (GTask           *task,
           const char      *endpoint,
           MailSetupSecret *form)
{
  MailSetupOAuth *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autofree char *uri = endpoint_uri (self, endpoint);
  g_autoptr(GBytes) body = NULL;

  body = g_bytes_new_with_free_func (form, strlen (form),
                                     (GDestroyNotify) mail_setup_secret_free, form);

  g_clear_object (&request->message);
  request->message = soup_message_new (SOUP_METHOD_POST, uri);
  if (request->message == NULL)
    {
      g_task_return_error (task,
                           sign_in_error (MAIL_SETUP_OAUTH_ERROR_BAD_AUTHORITY,
                                          MAIL_SETUP_DIAGNOSIS_SIGN_IN_APP_REJECTED, NULL,
                                          _("“%s” is not a valid sign-in address."), uri));
      g_object_unref (task);
      return;
    }

  /* Token endpoints never redirect; following one could leave https. */
  soup_message_add_flags (request->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (request->message),
                                "Accept", "application/json");
  soup_message_set_request_body_from_bytes (request->message,
                                            "application/x-www-form-urlencoded", body);
  soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), answer_cb, task);
}

static void
send_poll (GTask *task)
{
  MailSetupOAuth *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GArray) codes = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* Asking once the code has expired would only hear so from the server. */
  if (polls_current_code (self, request) && g_get_monotonic_time () >= self->expires_at)
    {
      forget_code (self, request);
      g_task_return_error (task, refusal_error (MAIL_SETUP_SIGN_IN_GRANT_DEVICE_CODE,
                                                "expired_token", NULL, NULL, codes));
      g_object_unref (task);
      return;
    }

  send_form (task, "token",
             form_encode ("grant_type", DEVICE_CODE_GRANT,
                          "client_id", self->client_id,
                          "device_code", request->device_code,
                          NULL));
}

static gboolean
poll_wait_cb (gpointer user_data)
{
  GTask *task = user_data;

  stop_waiting (g_task_get_task_data (task));
  send_poll (g_object_ref (task));

  return G_SOURCE_REMOVE;
}

static gboolean
poll_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;

  g_object_ref (task);
  stop_waiting (g_task_get_task_data (task));
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

static void
attach_to_task (GTask       *task,
                GSource     *source,
                GSourceFunc  callback)
{
  g_source_set_callback (source, callback, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
}


/* Browser sign-in: one listener on a loopback port for one answer. */
typedef struct
{
  SoupServer        *server;
  char              *state;
  MailSetupSecret   *verifier;
  char              *redirect_uri;
  GSource           *timeout;
  GSource           *cancel_wait;
  SoupServerMessage *browser_message;
  gboolean           exchanging;
  gboolean           answering;
  gboolean           done;
} BrowserSignIn;

static void
browser_sign_in_stop_waiting (BrowserSignIn *sign_in)
{
  if (sign_in->timeout != NULL)
    g_source_destroy (sign_in->timeout);
  if (sign_in->cancel_wait != NULL)
    g_source_destroy (sign_in->cancel_wait);
  g_clear_pointer (&sign_in->timeout, g_source_unref);
  g_clear_pointer (&sign_in->cancel_wait, g_source_unref);
}

static void
browser_sign_in_free (BrowserSignIn *sign_in)
{
  browser_sign_in_stop_waiting (sign_in);
  if (sign_in->server != NULL)
    soup_server_disconnect (sign_in->server);
  g_clear_object (&sign_in->server);
  g_clear_object (&sign_in->browser_message);
  g_free (sign_in->state);
  g_clear_pointer (&sign_in->verifier, mail_setup_secret_free);
  g_free (sign_in->redirect_uri);
  g_free (sign_in);
}

/* Base64url without padding (RFC 7636 appendix A). */
static char *
base64url (const guint8 *data,
           gsize         length)
{
  char *text = g_base64_encode (data, length);
  char *end = strchr (text, '=');

  if (end != NULL)
    *end = '\0';
  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }

  return text;
}

static char *
random_text (gsize bytes)
{
  guint8 data[64];
  char *text;

  g_assert (bytes <= sizeof data);
  if (gnutls_rnd (GNUTLS_RND_KEY, data, bytes) != 0)
    g_error ("No random numbers to be had from GnuTLS");

  text = base64url (data, bytes);
  mail_setup_secret_wipe (data, sizeof data);

  return text;
}

static char *
pkce_challenge (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &length);

  return base64url (digest, length);
}

static void
append_query (GString    *uri,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;

  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_printf (uri, "%c%s=%s", strchr (uri->str, '?') ? '&' : '?', name, escaped);
}

static char *
authorize_uri_for (MailSetupOAuth *self,
                   BrowserSignIn  *sign_in,
                   const char     *login_hint)
{
  g_autofree char *endpoint = endpoint_uri (self, "authorize");
  g_autofree char *challenge = pkce_challenge (sign_in->verifier);
  GString *uri = g_string_new (endpoint);

  append_query (uri, "client_id", self->client_id);
  append_query (uri, "response_type", "code");
  append_query (uri, "redirect_uri", sign_in->redirect_uri);
  append_query (uri, "response_mode", "query");
  append_query (uri, "scope", MAIL_SETUP_OAUTH_SCOPE);
  append_query (uri, "state", sign_in->state);
  append_query (uri, "code_challenge", challenge);
  append_query (uri, "code_challenge_method", "S256");
  append_query (uri, "login_hint", login_hint);
  append_query (uri, "prompt", "select_account");

  return g_string_free (uri, FALSE);
}

/* The language of the page the browser shows: the user's. */
static const char *
page_language (void)
{
  static char language[16];
  const char *name = g_get_language_names ()[0];
  gsize length = strcspn (name, "_.@");

  if (length == 0 || length >= sizeof language || g_str_equal (name, "C") ||
      g_str_equal (name, "POSIX"))
    return "en";

  memcpy (language, name, length);
  language[length] = '\0';
  return language;
}

static void
answer_browser (SoupServerMessage *message,
                guint              status,
                const char        *heading,
                const char        *text)
{
  g_autofree char *escaped_heading = g_markup_escape_text (heading, -1);
  g_autofree char *escaped_text = g_markup_escape_text (text, -1);
  g_autofree char *page = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  page = g_strdup_printf ("<!DOCTYPE html>\n"
                          "<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width\">"
                          "<title>%s</title>"
                          "<style>body{font-family:sans-serif;max-width:36em;margin:4em auto;"
                          "padding:0 1em;line-height:1.5}</style></head>\n"
                          "<body><h1>%s</h1><p>%s</p></body></html>\n",
                          page_language (), escaped_heading, escaped_heading, escaped_text);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Connection", "close");
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    page, strlen (page));
}

static gboolean
close_listener_idle_cb (gpointer user_data)
{
  BrowserSignIn *sign_in = g_task_get_task_data (user_data);

  if (sign_in->server != NULL)
    soup_server_disconnect (sign_in->server);

  return G_SOURCE_REMOVE;
}

/* Not from inside the message's own signal: disconnecting frees it. */
static void
close_listener_cb (SoupServerMessage *message,
                   GTask             *task)
{
  g_autoptr(GSource) idle = g_idle_source_new ();

  g_source_set_callback (idle, close_listener_idle_cb, g_object_ref (task), g_object_unref);
  g_source_attach (idle, g_task_get_context (task));
}

/* The listener closes once the browser has its answer, so that the
 * answer is not cut off. */
static void
close_listener_after (GTask             *task,
                      SoupServerMessage *message)
{
  BrowserSignIn *sign_in = g_task_get_task_data (task);

  sign_in->answering = TRUE;
  g_signal_connect_data (message, "finished", G_CALLBACK (close_listener_cb),
                         g_object_ref (task), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
}

static void
browser_sign_in_complete (GTask                *task,
                          MailSetupOAuthTokens *tokens,
                          GError               *error)
{
  BrowserSignIn *sign_in = g_task_get_task_data (task);

  sign_in->done = TRUE;
  browser_sign_in_stop_waiting (sign_in);
  /* A browser still waiting for its page gets it first. */
  if (!sign_in->answering && sign_in->browser_message == NULL && sign_in->server != NULL)
    soup_server_disconnect (sign_in->server);

  if (tokens != NULL)
    g_task_return_pointer (task, tokens, (GDestroyNotify) mail_setup_oauth_tokens_free);
  else
    g_task_return_error (task, error);

  /* The reference that the listener and the waits held since the start. */
  g_object_unref (task);
}

static void
exchange_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BrowserSignIn *sign_in = g_task_get_task_data (task);
  g_autoptr(MailSetupOAuthTokens) tokens = NULL;
  g_autoptr(SoupServerMessage) message = g_steal_pointer (&sign_in->browser_message);
  GError *error = NULL;

  tokens = g_task_propagate_pointer (G_TASK (result), &error);

  /* Cancelled or timed out meanwhile: the listener is gone already. */
  if (sign_in->done)
    {
      g_clear_error (&error);
      return;
    }

  if (tokens != NULL)
    answer_browser (message, SOUP_STATUS_OK, _("You Are Signed In"),
                    _("Mail Setup has your sign-in and is testing your account now. "
                      "You can close this tab."));
  else
    answer_browser (message, SOUP_STATUS_OK, _("The Sign-In Did Not Finish"),
                    _("Microsoft did not give Mail Setup access to your mail. "
                      "Go back to Mail Setup: it explains what happened and what to do."));
  close_listener_after (task, message);
  soup_server_message_unpause (message);

  browser_sign_in_complete (task, g_steal_pointer (&tokens), error);
}

static void
exchange_code (GTask      *task,
               const char *code)
{
  MailSetupOAuth *self = g_task_get_source_object (task);
  BrowserSignIn *sign_in = g_task_get_task_data (task);
  GTask *exchange;

  exchange = request_task_new (self, REQUEST_AUTHORIZATION_CODE, exchange_code,
                               g_task_get_cancellable (task), exchange_done_cb,
                               g_object_ref (task));
  send_form (exchange, "token",
             form_encode ("grant_type", "authorization_code",
                          "client_id", self->client_id,
                          "code", code,
                          "redirect_uri", sign_in->redirect_uri,
                          "code_verifier", sign_in->verifier,
                          "scope", MAIL_SETUP_OAUTH_SCOPE,
                          NULL));
}

/* The browser comes back to http://127.0.0.1:PORT/?code=...&state=... or,
 * when the sign-in failed, ?error=...&error_description=...&state=.... */
static void
browser_request_cb (SoupServer        *server,
                    SoupServerMessage *message,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  GTask *task = user_data;
  BrowserSignIn *sign_in = g_task_get_task_data (task);
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  const char *code = query ? g_hash_table_lookup (query, "code") : NULL;
  const char *error_code = query ? g_hash_table_lookup (query, "error") : NULL;

  if (!g_str_equal (soup_server_message_get_method (message), SOUP_METHOD_GET) ||
      !g_str_equal (path, "/"))
    {
      answer_browser (message, SOUP_STATUS_NOT_FOUND, _("Not Found"),
                      _("Mail Setup is waiting for Microsoft’s sign-in here, nothing else."));
      return;
    }

  /* Anything without this sign-in's state may come from another page or
   * program, and an answer that came already is final. */
  if (sign_in->done || sign_in->exchanging || state == NULL || !g_str_equal (state, sign_in->state) ||
      (error_code == NULL && (code == NULL || *code == '\0')))
    {
      answer_browser (message, SOUP_STATUS_BAD_REQUEST, _("Not the Sign-In Mail Setup Is Waiting For"),
                      _("Mail Setup ignored this page. Finish the sign-in that Mail Setup opened, "
                        "or start it again from Mail Setup."));
      return;
    }

  if (error_code != NULL)
    {
      const char *description = g_hash_table_lookup (query, "error_description");
      g_autoptr(GArray) codes = error_codes_of (NULL, description);
      GError *error = refusal_error (MAIL_SETUP_SIGN_IN_GRANT_AUTHORIZATION_CODE, error_code,
                                     g_hash_table_lookup (query, "suberror"), description, codes);

      answer_browser (message, SOUP_STATUS_OK, _("The Sign-In Did Not Finish"),
                      _("Microsoft did not give Mail Setup access to your mail. "
                        "Go back to Mail Setup: it explains what happened and what to do."));
      close_listener_after (task, message);
      browser_sign_in_complete (task, NULL, error);
      return;
    }

  /* The browser waits for its page until the code is traded for tokens,
   * so that the page can say how it went. */
  sign_in->exchanging = TRUE;
  sign_in->browser_message = g_object_ref (message);
  soup_server_message_pause (message);
  exchange_code (task, code);
}

static gboolean
browser_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  GError *error;

  error = sign_in_error (MAIL_SETUP_OAUTH_ERROR_EXPIRED_TOKEN, MAIL_SETUP_DIAGNOSIS_SIGN_IN_EXPIRED,
                         NULL, _("The sign-in in the browser was not finished in time."));
  g_object_ref (task);
  browser_sign_in_complete (task, NULL, error);
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

static gboolean
browser_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  GTask *task = user_data;

  g_object_ref (task);
  browser_sign_in_complete (task, NULL,
                            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 _("The sign-in was cancelled.")));
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

static void
set_browser_problem (MailSetupOAuth *self,
                     const char     *problem)
{
  if (g_strcmp0 (self->browser_problem, problem) == 0)
    return;

  g_free (self->browser_problem);
  self->browser_problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BROWSER_PROBLEM]);
}

static void
browser_launched_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(MailSetupOAuth) self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_app_info_launch_default_for_uri_finish (result, &error))
    {
      set_browser_problem (self, NULL);
      return;
    }

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *problem = g_strdup_printf (_("No web browser could be opened (%s). Copy the "
                                                    "address and open it in a web browser."),
                                                  error->message);

      set_browser_problem (self, problem);
    }
}

static void
launch_browser (MailSetupOAuth    *self,
                GAppLaunchContext *launch_context,
                GCancellable      *cancellable)
{
  g_app_info_launch_default_for_uri_async (self->authorize_uri, launch_context, cancellable,
                                           browser_launched_cb, g_object_ref (self));
}

static gboolean
start_listening (GTask   *task,
                 GError **error)
{
  BrowserSignIn *sign_in = g_task_get_task_data (task);
  g_autoslist(GUri) uris = NULL;

  /* 127.0.0.1 only: RFC 8252 section 8.3 prefers the literal address to
   * "localhost", and nothing off this machine may answer in its place. */
  sign_in->server = soup_server_new ("server-header", "mail-setup", NULL);
  soup_server_add_handler (sign_in->server, NULL, browser_request_cb, task, NULL);
  if (!soup_server_listen_local (sign_in->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return FALSE;

  uris = soup_server_get_uris (sign_in->server);
  if (uris == NULL)
    return FALSE;

  sign_in->redirect_uri = g_strdup_printf ("http://127.0.0.1:%d/", g_uri_get_port (uris->data));
  return TRUE;
}

static char *
configured (GSettings  *settings,
            const char *key,
            const char *build_default)
{
  g_autofree char *value = settings ? g_settings_get_string (settings, key) : NULL;

  if (value != NULL && *g_strstrip (value) != '\0')
    return g_steal_pointer (&value);

  return g_strdup (build_default);
}

static void
mail_setup_oauth_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MailSetupOAuth *self = MAIL_SETUP_OAUTH (object);

  switch (prop_id)
    {
    case PROP_USER_CODE:
      g_value_set_string (value, self->user_code);
      break;
    case PROP_VERIFICATION_URI:
      g_value_set_string (value, self->verification_uri);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_AUTHORIZE_URI:
      g_value_set_string (value, self->authorize_uri);
      break;
    case PROP_BROWSER_PROBLEM:
      g_value_set_string (value, self->browser_problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mail_setup_oauth_dispose (GObject *object)
{
  MailSetupOAuth *self = MAIL_SETUP_OAUTH (object);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (mail_setup_oauth_parent_class)->dispose (object);
}

static void
mail_setup_oauth_finalize (GObject *object)
{
  MailSetupOAuth *self = MAIL_SETUP_OAUTH (object);

  g_free (self->authority);
  g_free (self->tenant);
  g_free (self->client_id);
  g_clear_error (&self->authority_error);
  g_clear_pointer (&self->device_code, mail_setup_secret_free);
  g_free (self->user_code);
  g_free (self->verification_uri);
  g_free (self->message);
  g_free (self->authorize_uri);
  g_free (self->browser_problem);

  G_OBJECT_CLASS (mail_setup_oauth_parent_class)->finalize (object);
}

static void
mail_setup_oauth_class_init (MailSetupOAuthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = mail_setup_oauth_get_property;
  object_class->dispose = mail_setup_oauth_dispose;
  object_class->finalize = mail_setup_oauth_finalize;

  properties[PROP_USER_CODE] =
    g_param_spec_string ("user-code", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_VERIFICATION_URI] =
    g_param_spec_string ("verification-uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_AUTHORIZE_URI] =
    g_param_spec_string ("authorize-uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BROWSER_PROBLEM] =
    g_param_spec_string ("browser-problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mail_setup_oauth_init (MailSetupOAuth *self)
{
  g_autoptr(GSettings) settings = mail_setup_settings_new ();
  const char *authority = g_getenv (AUTHORITY_VARIABLE);
  g_autofree char *user_agent = g_strdup_printf ("mail-setup/%s", PACKAGE_VERSION);
  gsize length;

  if (authority != NULL && *authority != '\0')
    self->authority = g_strdup (authority);
  else
    self->authority = configured (settings, "oauth-authority", DEFAULT_OAUTH_AUTHORITY);
  length = strlen (self->authority);
  while (length > 0 && self->authority[length - 1] == '/')
    self->authority[--length] = '\0';

  self->tenant = configured (settings, "oauth-tenant", DEFAULT_OAUTH_TENANT);
  self->client_id = configured (settings, "oauth-client-id", DEFAULT_OAUTH_CLIENT_ID);
  check_authority (self->authority, &self->authority_error);

  self->browser_timeout = MAIL_SETUP_OAUTH_BROWSER_TIMEOUT;
  if (g_getenv (BROWSER_TIMEOUT_VARIABLE) != NULL)
    {
      guint64 seconds = 0;

      if (g_ascii_string_to_unsigned (g_getenv (BROWSER_TIMEOUT_VARIABLE), 10, 1,
                                      MAIL_SETUP_OAUTH_BROWSER_TIMEOUT, &seconds, NULL))
        self->browser_timeout = (guint) seconds;
    }

  self->session = soup_session_new_with_options ("timeout", MAIL_SETUP_OAUTH_DEFAULT_TIMEOUT,
                                                 "user-agent", user_agent,
                                                 NULL);
  /* A web proxy cannot reach this machine's own server. */
  if (authority_is_loopback (self->authority))
    soup_session_set_proxy_resolver (self->session, NULL);
}

MailSetupOAuth *
mail_setup_oauth_new (void)
{
  return g_object_new (MAIL_SETUP_TYPE_OAUTH, NULL);
}

const char *
mail_setup_oauth_get_authority (MailSetupOAuth *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), NULL);
  return self->authority;
}

const char *
mail_setup_oauth_get_tenant (MailSetupOAuth *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), NULL);
  return self->tenant;
}

const char *
mail_setup_oauth_get_client_id (MailSetupOAuth *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), NULL);
  return self->client_id;
}

void
mail_setup_oauth_set_timeout (MailSetupOAuth *self,
                              guint           seconds)
{
  g_return_if_fail (MAIL_SETUP_IS_OAUTH (self));
  g_return_if_fail (seconds > 0);

  soup_session_set_timeout (self->session, seconds);
}

void
mail_setup_oauth_request_code_async (MailSetupOAuth      *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MAIL_SETUP_IS_OAUTH (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = request_task_new (self, REQUEST_DEVICE_CODE, mail_setup_oauth_request_code_async,
                           cancellable, callback, user_data);
  if (self->authority_error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->authority_error));
      return;
    }

  send_form (g_steal_pointer (&task), "devicecode",
             form_encode ("client_id", self->client_id,
                          "scope", MAIL_SETUP_OAUTH_SCOPE,
                          NULL));
}

gboolean
mail_setup_oauth_request_code_finish (MailSetupOAuth  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        mail_setup_oauth_request_code_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
mail_setup_oauth_get_user_code (MailSetupOAuth *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), NULL);
  return self->user_code;
}

const char *
mail_setup_oauth_get_verification_uri (MailSetupOAuth *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), NULL);
  return self->verification_uri;
}

const char *
mail_setup_oauth_get_message (MailSetupOAuth *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), NULL);
  return self->message;
}

gint64
mail_setup_oauth_get_expires_at (MailSetupOAuth *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), 0);
  return self->expires_at;
}

/* Rounded up, so that the countdown says 0 only once the code is gone. */
guint
mail_setup_oauth_get_seconds_left (MailSetupOAuth *self)
{
  gint64 left;

  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), 0);

  left = self->expires_at - g_get_monotonic_time ();
  if ((self->user_code == NULL && self->authorize_uri == NULL) || left <= 0)
    return 0;

  return (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

guint
mail_setup_oauth_get_interval (MailSetupOAuth *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), 0);
  return self->interval;
}

void
mail_setup_oauth_poll_async (MailSetupOAuth      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;
  gint64 now;
  gint64 wake;

  g_return_if_fail (MAIL_SETUP_IS_OAUTH (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->device_code != NULL);

  task = request_task_new (self, REQUEST_POLL, mail_setup_oauth_poll_async,
                           cancellable, callback, user_data);
  request = g_task_get_task_data (task);
  request->device_code = mail_setup_secret_new (self->device_code);

  if (g_task_return_error_if_cancelled (task))
    return;

  now = g_get_monotonic_time ();
  wake = MIN (self->next_poll_at, self->expires_at);
  if (wake <= now)
    {
      send_poll (g_steal_pointer (&task));
      return;
    }

  request->wait = g_timeout_source_new ((guint) MIN ((wake - now + 999) / 1000, G_MAXUINT));
  attach_to_task (task, request->wait, poll_wait_cb);
  if (cancellable != NULL)
    {
      request->cancel_wait = g_cancellable_source_new (cancellable);
      attach_to_task (task, request->cancel_wait, G_SOURCE_FUNC (poll_cancelled_cb));
    }
}

MailSetupOAuthTokens *
mail_setup_oauth_poll_finish (MailSetupOAuth  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mail_setup_oauth_poll_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
mail_setup_oauth_refresh_async (MailSetupOAuth      *self,
                                const char          *refresh_token,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MAIL_SETUP_IS_OAUTH (self));
  g_return_if_fail (refresh_token != NULL && *refresh_token != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = request_task_new (self, REQUEST_REFRESH, mail_setup_oauth_refresh_async,
                           cancellable, callback, user_data);
  if (self->authority_error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->authority_error));
      return;
    }

  send_form (g_steal_pointer (&task), "token",
             form_encode ("grant_type", "refresh_token",
                          "client_id", self->client_id,
                          "refresh_token", refresh_token,
                          "scope", MAIL_SETUP_OAUTH_SCOPE,
                          NULL));
}

MailSetupOAuthTokens *
mail_setup_oauth_refresh_finish (MailSetupOAuth  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        mail_setup_oauth_refresh_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
mail_setup_oauth_sign_in_with_browser_async (MailSetupOAuth      *self,
                                             const char          *login_hint,
                                             GAppLaunchContext   *launch_context,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  BrowserSignIn *sign_in;

  g_return_if_fail (MAIL_SETUP_IS_OAUTH (self));
  g_return_if_fail (launch_context == NULL || G_IS_APP_LAUNCH_CONTEXT (launch_context));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_oauth_sign_in_with_browser_async);
  if (self->authority_error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->authority_error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  sign_in = g_new0 (BrowserSignIn, 1);
  sign_in->state = random_text (STATE_BYTES);
  sign_in->verifier = random_text (PKCE_VERIFIER_BYTES);
  g_task_set_task_data (task, sign_in, (GDestroyNotify) browser_sign_in_free);

  if (!start_listening (task, &error))
    {
      g_task_return_error (task,
                           sign_in_error (MAIL_SETUP_OAUTH_ERROR_NETWORK,
                                          MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE,
                                          error ? error->message : NULL,
                                          _("Mail Setup could not wait for the browser on this "
                                            "computer: %s"),
                                          error ? error->message : _("no address")));
      return;
    }

  g_free (self->authorize_uri);
  self->authorize_uri = authorize_uri_for (self, sign_in, login_hint);
  self->expires_at = g_get_monotonic_time () + (gint64) self->browser_timeout * G_USEC_PER_SEC;
  set_browser_problem (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTHORIZE_URI]);

  sign_in->timeout = g_timeout_source_new_seconds (self->browser_timeout);
  g_source_set_callback (sign_in->timeout, browser_timeout_cb, task, NULL);
  g_source_attach (sign_in->timeout, g_task_get_context (task));
  if (cancellable != NULL)
    {
      sign_in->cancel_wait = g_cancellable_source_new (cancellable);
      g_source_set_callback (sign_in->cancel_wait, G_SOURCE_FUNC (browser_cancelled_cb), task, NULL);
      g_source_attach (sign_in->cancel_wait, g_task_get_context (task));
    }

  launch_browser (self, launch_context, cancellable);

  /* The listener and the waits hold the task until one of them ends it. */
  g_steal_pointer (&task);
}

MailSetupOAuthTokens *
mail_setup_oauth_sign_in_with_browser_finish (MailSetupOAuth  *self,
                                              GAsyncResult    *result,
                                              GError         **error)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        mail_setup_oauth_sign_in_with_browser_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
mail_setup_oauth_get_authorize_uri (MailSetupOAuth *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), NULL);
  return self->authorize_uri;
}

const char *
mail_setup_oauth_get_browser_problem (MailSetupOAuth *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_OAUTH (self), NULL);
  return self->browser_problem;
}

void
mail_setup_oauth_open_browser (MailSetupOAuth    *self,
                               GAppLaunchContext *launch_context)
{
  g_return_if_fail (MAIL_SETUP_IS_OAUTH (self));
  g_return_if_fail (self->authorize_uri != NULL);

  launch_browser (self, launch_context, NULL);
}

gboolean
mail_setup_oauth_can_open_browser (void)
{
  g_autoptr(GAppInfo) browser = NULL;
  const char *display = g_getenv ("DISPLAY");
  const char *wayland = g_getenv ("WAYLAND_DISPLAY");

  if ((display == NULL || *display == '\0') && (wayland == NULL || *wayland == '\0'))
    return FALSE;

  browser = g_app_info_get_default_for_uri_scheme ("https");
  return browser != NULL;
}

MailSetupDiagnosis
mail_setup_oauth_error_get_diagnosis (const GError *error)
{
  g_return_val_if_fail (error != NULL, MAIL_SETUP_DIAGNOSIS_SIGN_IN_REFUSED);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return MAIL_SETUP_DIAGNOSIS_CANCELLED;
  if (error->domain == MAIL_SETUP_OAUTH_ERROR)
    return mail_setup_oauth_error_get_private (error)->diagnosis;

  return MAIL_SETUP_DIAGNOSIS_SIGN_IN_UNREACHABLE;
}

const char *
mail_setup_oauth_error_get_server_response (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != MAIL_SETUP_OAUTH_ERROR)
    return NULL;

  return mail_setup_oauth_error_get_private (error)->server_response;
}

gboolean
mail_setup_oauth_error_is_pending (const GError *error)
{
  return g_error_matches (error, MAIL_SETUP_OAUTH_ERROR,
                          MAIL_SETUP_OAUTH_ERROR_AUTHORIZATION_PENDING) ||
         g_error_matches (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_SLOW_DOWN);
}

MailSetupOAuthTokens *
mail_setup_oauth_tokens_copy (const MailSetupOAuthTokens *tokens)
{
  MailSetupOAuthTokens *copy;

  g_return_val_if_fail (tokens != NULL, NULL);

  copy = g_new0 (MailSetupOAuthTokens, 1);
  copy->access_token = mail_setup_secret_new (tokens->access_token);
  copy->refresh_token = mail_setup_secret_new (tokens->refresh_token);
  copy->expires_in = tokens->expires_in;

  return copy;
}

void
mail_setup_oauth_tokens_free (MailSetupOAuthTokens *tokens)
{
  if (tokens == NULL)
    return;

  g_clear_pointer (&tokens->access_token, mail_setup_secret_free);
  g_clear_pointer (&tokens->refresh_token, mail_setup_secret_free);
  g_free (tokens);
}

const char *
mail_setup_oauth_tokens_get_access_token (const MailSetupOAuthTokens *tokens)
{
  g_return_val_if_fail (tokens != NULL, NULL);
  return tokens->access_token;
}

const char *
mail_setup_oauth_tokens_get_refresh_token (const MailSetupOAuthTokens *tokens)
{
  g_return_val_if_fail (tokens != NULL, NULL);
  return tokens->refresh_token;
}

guint
mail_setup_oauth_tokens_get_expires_in (const MailSetupOAuthTokens *tokens)
{
  g_return_val_if_fail (tokens != NULL, 0);
  return tokens->expires_in;
}
