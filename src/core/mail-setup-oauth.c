/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mail-setup-core.h"
#include "mail-setup-oauth.h"
#include "mail-setup-secret.h"

#define AUTHORITY_VARIABLE "MAIL_SETUP_OAUTH_AUTHORITY"
#define DEVICE_CODE_GRANT "urn:ietf:params:oauth:grant-type:device_code"
#define SLOW_DOWN_STEP 5
/* RFC 8628 section 3.2: without an interval, poll every 5 seconds. */
#define DEFAULT_INTERVAL 5
#define MAX_INTERVAL 300
#define MAX_EXPIRES_IN (24 * 60 * 60)
#define MAX_DESCRIPTION_LENGTH 300
#define MAX_USER_CODE_LENGTH 64
#define MAX_URI_LENGTH 2048

G_DEFINE_QUARK (mail-setup-oauth-error-quark, mail_setup_oauth_error)

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
};

G_DEFINE_FINAL_TYPE (MailSetupOAuth, mail_setup_oauth, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USER_CODE,
  PROP_VERIFICATION_URI,
  PROP_INTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  REQUEST_DEVICE_CODE,
  REQUEST_POLL,
  REQUEST_REFRESH,
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

  g_set_error (error, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_BAD_AUTHORITY,
               _("The sign-in address “%s” is not a secure (https) address, so Mail Setup "
                 "does not use it. Check the oauth-authority setting."),
               authority);
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

static GError *
bad_answer (const char *what)
{
  return g_error_new (MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_BAD_ANSWER,
                      _("The Microsoft sign-in service gave an answer that Mail Setup does not "
                        "understand (%s)."), what);
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

static GError *
poll_error (MailSetupOAuth *self,
            Request        *request,
            const char     *code,
            const char     *description)
{
  g_autofree char *said = NULL;

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

  if (g_str_equal (code, "expired_token"))
    return g_error_new_literal (MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_EXPIRED_TOKEN,
                                _("The code expired before the sign-in was finished. "
                                  "Get a new code to try again."));

  if (g_str_equal (code, "access_denied") || g_str_equal (code, "authorization_declined"))
    return g_error_new_literal (MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_ACCESS_DENIED,
                                _("The sign-in was declined, so Mail Setup was not given "
                                  "access to the mailbox."));

  said = describe (description, code);
  return g_error_new (MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_REFUSED,
                      _("Microsoft refused the sign-in: %s"), said);
}

static GError *
refresh_error (const char *code,
               const char *description)
{
  g_autofree char *said = describe (description, code);

  /* interaction_required and consent_required: the user has to sign in in
   * a browser again, as with a refresh token that is no longer good. */
  if (g_str_equal (code, "invalid_grant") || g_str_equal (code, "interaction_required") ||
      g_str_equal (code, "consent_required"))
    return g_error_new_literal (MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_INVALID_GRANT,
                                _("Microsoft no longer accepts the saved sign-in. "
                                  "Sign in with Microsoft again."));

  return g_error_new (MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_REFUSED,
                      _("Microsoft refused the sign-in: %s"), said);
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
      const char *description = get_string (answer, "error_description");

      if (request->kind == REQUEST_POLL)
        g_task_return_error (task, poll_error (self, request, code, description));
      else if (request->kind == REQUEST_REFRESH)
        g_task_return_error (task, refresh_error (code, description));
      else
        {
          g_autofree char *said = describe (description, code);

          g_task_return_new_error (task, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_REFUSED,
                                   _("Microsoft refused the sign-in: %s"), said);
        }
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
        g_task_return_new_error (task, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_NETWORK,
                                 _("Mail Setup could not reach the Microsoft sign-in service: %s"),
                                 error->message);
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
      g_task_return_new_error (task, MAIL_SETUP_OAUTH_ERROR, MAIL_SETUP_OAUTH_ERROR_BAD_AUTHORITY,
                               _("“%s” is not a valid sign-in address."), uri);
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

  /* Asking once the code has expired would only hear so from the server. */
  if (polls_current_code (self, request) && g_get_monotonic_time () >= self->expires_at)
    {
      g_task_return_error (task, poll_error (self, request, "expired_token", NULL));
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
  if (self->user_code == NULL || left <= 0)
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
