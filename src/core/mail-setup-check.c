/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "mail-setup-address-list.h"
#include "mail-setup-check.h"
#include "mail-setup-http.h"
#include "mail-setup-imap.h"
#include "mail-setup-secret.h"

/*
 * The check runs in a worker thread as plain sequential code: every wait in
 * it has the stage's deadline and the caller's cancellable, so it never
 * outlives either. Name lookup and connection use GIO's asynchronous calls on
 * a main context private to the thread, because those are the ones that can
 * be cancelled; TLS and IMAP go through MailSetupStream. Stage events travel
 * back to the caller's main context in order, ahead of the result.
 */

#define MAX_LINE_LENGTH (64 * 1024)
#define MAX_LITERAL_LENGTH (1024 * 1024)
#define MAX_TRANSCRIPT_LINES 200
#define LOGOUT_TIMEOUT_SECONDS 3
#define TLS_PROBE_TIMEOUT_SECONDS 2
/* Enough of the first line to tell what kind of server sent it. */
#define MAX_FIRST_LINE_LENGTH 1024
/* How long before the greeting's deadline a silent server is asked what it
 * is (see read_first_line()). */
#define SILENCE_PROBE_SECONDS 1
#define ISSUER_FETCH_TIMEOUT_SECONDS 2
#define MAX_ISSUER_RESPONSE_LENGTH (64 * 1024)

typedef struct
{
  MailSetupStageStatus status;
  guint                duration_ms;
} StageResult;

/* What one run found, handed from the worker thread to the caller. */
typedef struct
{
  MailSetupDiagnosis  diagnosis;
  char               *server_response;
  /* For NOT_IMAP: what answered instead, and whether it was a TLS server
   * reached without TLS. */
  MailSetupProtocol   detected_protocol;
  gboolean            expects_tls;
  MailSetupTlsInfo   *tls_info;
  GStrv               capabilities;
  GStrv               addresses;
  gboolean            microsoft;
  GDateTime          *sign_in_time;
  GPtrArray          *transcript;
} Outcome;

struct _MailSetupCheck
{
  GObject            parent_instance;

  char              *server;
  guint16            port;
  MailSetupSecurity  security;
  char              *username;
  MailSetupSecret   *password;
  MailSetupSecret   *access_token;
  char              *provider_id;
  gboolean           provider_is_microsoft;
  char              *extra_ca_file;
  guint              timeout_seconds;
  char              *sign_in_method;

  gboolean           running;
  StageResult        stages[MAIL_SETUP_N_CHECK_STAGES];
  /* What is known so far, while the check runs. */
  MailSetupTlsInfo  *progress_tls_info;
  char              *progress_server_response;
  Outcome           *outcome;
};

G_DEFINE_FINAL_TYPE (MailSetupCheck, mail_setup_check, G_TYPE_OBJECT)

enum {
  STAGE_STARTED,
  STAGE_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *stage_names[MAIL_SETUP_N_CHECK_STAGES] = {
  "resolve", "connect", "tls", "greeting", "sign-in", "mailbox", "logout",
};

static const char *stage_status_names[] = {
  "pending", "running", "ok", "failed", "skipped",
};

const char *
mail_setup_check_stage_to_string (MailSetupCheckStage stage)
{
  g_return_val_if_fail (stage < MAIL_SETUP_N_CHECK_STAGES, NULL);

  return stage_names[stage];
}

/* The words of the checklist, in the order a user reads them. */
const char *
mail_setup_check_stage_get_label (MailSetupCheckStage stage)
{
  switch (stage)
    {
    case MAIL_SETUP_CHECK_STAGE_RESOLVE:
      return _("Looking up the server");
    case MAIL_SETUP_CHECK_STAGE_CONNECT:
      return _("Connecting");
    case MAIL_SETUP_CHECK_STAGE_TLS:
      return _("Securing the connection");
    case MAIL_SETUP_CHECK_STAGE_GREETING:
      return _("Server greeting");
    case MAIL_SETUP_CHECK_STAGE_SIGN_IN:
      return _("Signing in");
    case MAIL_SETUP_CHECK_STAGE_MAILBOX:
      return _("Opening the mailbox");
    case MAIL_SETUP_CHECK_STAGE_LOGOUT:
      return _("Signing out");
    default:
      g_return_val_if_reached (NULL);
    }
}

/* How long a stage took, as the window and the terminal show it. Durations
 * are whole milliseconds, rounded down: 0 means less than one. */
char *
mail_setup_check_format_duration (guint duration_ms)
{
  if (duration_ms == 0)
    /* Translators: a step of the test took less than a millisecond */
    return g_strdup (_("< 1 ms"));

  /* Translators: how long a step of the test took, in milliseconds */
  return g_strdup_printf (_("%u ms"), duration_ms);
}

const char *
mail_setup_stage_status_to_string (MailSetupStageStatus status)
{
  g_return_val_if_fail (status < G_N_ELEMENTS (stage_status_names), NULL);

  return stage_status_names[status];
}

static void
outcome_free (Outcome *outcome)
{
  g_free (outcome->server_response);
  g_clear_pointer (&outcome->tls_info, mail_setup_tls_info_free);
  g_strfreev (outcome->capabilities);
  g_strfreev (outcome->addresses);
  g_clear_pointer (&outcome->sign_in_time, g_date_time_unref);
  g_clear_pointer (&outcome->transcript, g_ptr_array_unref);
  g_free (outcome);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Outcome, outcome_free)

/* Everything the worker thread works with. It copies the settings so that
 * the object may be read from the main thread while the check runs. */
typedef struct
{
  MailSetupCheck       *self;
  GMainContext         *caller_context;
  GMainContext         *context;
  GCancellable         *cancellable;

  char                 *server;
  guint16               port;
  MailSetupSecurity     security;
  char                 *username;
  MailSetupSecret      *password;
  MailSetupSecret      *access_token;
  gboolean              uses_token;
  char                 *extra_ca_file;
  gint64                timeout_us;

  MailSetupCheckStage   stage;
  gint64                stage_start;
  gint64                deadline;
  gboolean              stage_timed_out;

  GList                *addresses;  /* of GInetAddress, from the resolve stage */
  const char           *issuer_url; /* while the missing issuer is fetched */
  MailSetupStream      *stream;
  MailSetupImapReader  *reader;
  guint                 next_tag;
  gboolean              saw_bye;
  Outcome              *outcome;
} Run;

static void
run_free (Run *run)
{
  g_clear_object (&run->self);
  g_clear_pointer (&run->caller_context, g_main_context_unref);
  g_clear_pointer (&run->context, g_main_context_unref);
  g_clear_object (&run->cancellable);
  g_free (run->server);
  g_free (run->username);
  g_clear_pointer (&run->password, mail_setup_secret_free);
  g_clear_pointer (&run->access_token, mail_setup_secret_free);
  g_free (run->extra_ca_file);
  g_resolver_free_addresses (run->addresses);
  g_clear_pointer (&run->stream, mail_setup_stream_free);
  g_clear_pointer (&run->reader, mail_setup_imap_reader_free);
  g_clear_pointer (&run->outcome, outcome_free);
  g_free (run);
}

/* A stage that started or ended, with what the check knows at that moment:
 * copies, so that the main thread never reads what the worker writes. */
typedef struct
{
  MailSetupCheck       *self;
  MailSetupCheckStage   stage;
  MailSetupStageStatus  status;
  guint                 duration_ms;
  MailSetupTlsInfo     *tls_info;
  char                 *server_response;
} StageEvent;

static void
stage_event_free (gpointer data)
{
  StageEvent *event = data;

  g_object_unref (event->self);
  g_clear_pointer (&event->tls_info, mail_setup_tls_info_free);
  g_free (event->server_response);
  g_free (event);
}

static gboolean
emit_stage_event_cb (gpointer data)
{
  StageEvent *event = data;
  MailSetupCheck *self = event->self;

  self->stages[event->stage].status = event->status;
  self->stages[event->stage].duration_ms = event->duration_ms;
  if (event->tls_info != NULL)
    {
      g_clear_pointer (&self->progress_tls_info, mail_setup_tls_info_free);
      self->progress_tls_info = g_steal_pointer (&event->tls_info);
    }
  if (event->server_response != NULL)
    {
      g_free (self->progress_server_response);
      self->progress_server_response = g_steal_pointer (&event->server_response);
    }

  if (event->status == MAIL_SETUP_STAGE_STATUS_RUNNING)
    g_signal_emit (self, signals[STAGE_STARTED], 0, event->stage);
  else
    g_signal_emit (self, signals[STAGE_FINISHED], 0, event->stage, event->status,
                   event->duration_ms);

  return G_SOURCE_REMOVE;
}

static void
post_stage_event (Run                  *run,
                  MailSetupCheckStage   stage,
                  MailSetupStageStatus  status,
                  guint                 duration_ms)
{
  StageEvent *event = g_new0 (StageEvent, 1);

  event->self = g_object_ref (run->self);
  event->stage = stage;
  event->status = status;
  event->duration_ms = duration_ms;
  if (status != MAIL_SETUP_STAGE_STATUS_RUNNING)
    {
      /* The handshake, and so the TLS details, happen in the TLS stage
       * only: its end carries them once. */
      if (stage == MAIL_SETUP_CHECK_STAGE_TLS && run->outcome->tls_info != NULL)
        event->tls_info = mail_setup_tls_info_copy (run->outcome->tls_info);
      event->server_response = g_strdup (run->outcome->server_response);
    }
  g_main_context_invoke_full (run->caller_context, G_PRIORITY_DEFAULT,
                              emit_stage_event_cb, event, stage_event_free);
}

static void
stage_begin (Run                 *run,
             MailSetupCheckStage  stage,
             gint64               timeout_us)
{
  run->stage = stage;
  run->stage_start = g_get_monotonic_time ();
  run->deadline = run->stage_start + timeout_us;
  run->stage_timed_out = FALSE;
  post_stage_event (run, stage, MAIL_SETUP_STAGE_STATUS_RUNNING, 0);
}

static void
stage_end (Run                  *run,
           MailSetupStageStatus  status)
{
  guint duration_ms = (g_get_monotonic_time () - run->stage_start) / 1000;

  post_stage_event (run, run->stage, status, duration_ms);
}

static void
transcript_add (Run        *run,
                const char *direction,
                const char *text)
{
  GPtrArray *transcript = run->outcome->transcript;

  if (transcript->len == MAX_TRANSCRIPT_LINES)
    g_ptr_array_add (transcript, g_strdup ("…"));
  if (transcript->len > MAX_TRANSCRIPT_LINES)
    return;

  g_ptr_array_add (transcript, g_strconcat (direction, " ", text, NULL));
}

static void
transcript_add_sanitized (Run        *run,
                          const char *note)
{
  g_autofree char *shown = mail_setup_imap_sanitize_text (note, -1);

  transcript_add (run, "!", shown);
}

/* The diagnosis of the stage that failed with ERROR. */
static MailSetupDiagnosis
diagnosis_for_error (Run          *run,
                     const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !run->stage_timed_out)
    return MAIL_SETUP_DIAGNOSIS_CANCELLED;

  switch (run->stage)
    {
    case MAIL_SETUP_CHECK_STAGE_RESOLVE:
      return MAIL_SETUP_DIAGNOSIS_DNS_FAILED;

    case MAIL_SETUP_CHECK_STAGE_CONNECT:
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        return MAIL_SETUP_DIAGNOSIS_CONNECT_REFUSED;
      return MAIL_SETUP_DIAGNOSIS_CONNECT_TIMEOUT;

    default:
      break;
    }

  if (error->domain == MAIL_SETUP_TLS_ERROR)
    {
      switch ((MailSetupTlsError) error->code)
        {
        case MAIL_SETUP_TLS_ERROR_UNTRUSTED:
          return MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED;
        case MAIL_SETUP_TLS_ERROR_HOSTNAME_MISMATCH:
          return MAIL_SETUP_DIAGNOSIS_TLS_HOSTNAME_MISMATCH;
        case MAIL_SETUP_TLS_ERROR_EXPIRED:
          return MAIL_SETUP_DIAGNOSIS_TLS_EXPIRED;
        case MAIL_SETUP_TLS_ERROR_CA_FILE:
          return MAIL_SETUP_DIAGNOSIS_TLS_UNTRUSTED;
        case MAIL_SETUP_TLS_ERROR_OUTDATED:
          return MAIL_SETUP_DIAGNOSIS_TLS_OUTDATED;
        case MAIL_SETUP_TLS_ERROR_INSECURE:
          return MAIL_SETUP_DIAGNOSIS_TLS_INSECURE;
        case MAIL_SETUP_TLS_ERROR_NOT_YET_VALID:
          return MAIL_SETUP_DIAGNOSIS_TLS_NOT_YET_VALID;
        case MAIL_SETUP_TLS_ERROR_REVOKED:
          return MAIL_SETUP_DIAGNOSIS_TLS_REVOKED;
        case MAIL_SETUP_TLS_ERROR_HANDSHAKE_FAILED:
        default:
          return MAIL_SETUP_DIAGNOSIS_TLS_FAILED;
        }
    }

  if (error->domain == MAIL_SETUP_IMAP_ERROR)
    return MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return MAIL_SETUP_DIAGNOSIS_SERVER_TIMEOUT;

  if (run->saw_bye)
    return MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE;

  return MAIL_SETUP_DIAGNOSIS_SERVER_CLOSED;
}

/* Ends the current stage as failed with DIAGNOSIS; the later stages are
 * skipped by the caller. */
static void
fail (Run                *run,
      MailSetupDiagnosis  diagnosis)
{
  run->outcome->diagnosis = diagnosis;
  stage_end (run, MAIL_SETUP_STAGE_STATUS_FAILED);
}

static void
fail_with_error (Run          *run,
                 const GError *error)
{
  g_debug ("Stage %s failed: %s", stage_names[run->stage], error->message);
  transcript_add (run, "!", error->message);
  fail (run, diagnosis_for_error (run, error));
}

/* Runs the private main context until *SLOT holds a result. A timeout at the
 * stage's deadline cancels STAGE_CANCELLABLE, as the caller's cancellable
 * does. */
static gboolean
stage_timeout_cb (gpointer user_data)
{
  Run *run = user_data;

  run->stage_timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
cancel_stage_cb (GCancellable *cancellable,
                 gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

typedef void (*StartAsyncFunc) (Run                 *run,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);

static GAsyncResult *
run_async_stage (Run            *run,
                 StartAsyncFunc  start)
{
  g_autoptr(GCancellable) stage_cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = NULL;
  GAsyncResult *result = NULL;
  gint64 remaining_ms;
  gulong handler;

  handler = g_cancellable_connect (run->cancellable, G_CALLBACK (cancel_stage_cb),
                                   g_object_ref (stage_cancellable), g_object_unref);

  remaining_ms = MAX (0, (run->deadline - g_get_monotonic_time ()) / 1000);
  timeout = g_timeout_source_new ((guint) MIN (remaining_ms, G_MAXUINT));
  g_source_set_callback (timeout, stage_timeout_cb, run, NULL);
  g_source_attach (timeout, run->context);

  start (run, stage_cancellable, store_result_cb, &result);
  while (result == NULL)
    {
      g_main_context_iteration (run->context, TRUE);
      if (run->stage_timed_out)
        g_cancellable_cancel (stage_cancellable);
    }

  g_source_destroy (timeout);
  g_cancellable_disconnect (run->cancellable, handler);

  return result;
}

static void
start_resolve (Run                 *run,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();

  g_resolver_lookup_by_name_async (resolver, run->server, cancellable, callback, user_data);
}

static gboolean
resolve (Run *run)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) addresses = g_strv_builder_new ();
  GList *list;

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_RESOLVE, run->timeout_us);

  result = run_async_stage (run, start_resolve);
  list = g_resolver_lookup_by_name_finish (resolver, result, &error);
  if (list == NULL)
    {
      fail_with_error (run, error);
      return FALSE;
    }

  for (GList *l = list; l != NULL; l = l->next)
    {
      g_autofree char *address = g_inet_address_to_string (l->data);

      g_strv_builder_add (addresses, address);
    }
  run->outcome->addresses = g_strv_builder_end (addresses);
  run->addresses = list;

  stage_end (run, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

static void
start_connect (Run                 *run,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(MailSetupAddressList) addresses = NULL;

  /* The addresses the resolve stage found, not a second lookup. */
  addresses = mail_setup_address_list_new (run->server, run->addresses, run->port);
  /* IMAP does not go through web proxies, and looking them up costs time. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, MAX (1, run->timeout_us / G_USEC_PER_SEC));
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (addresses), cancellable,
                                 callback, user_data);
}

static gboolean
connect_to_server (Run *run)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_CONNECT, run->timeout_us);

  result = run_async_stage (run, start_connect);
  client = G_SOCKET_CLIENT (g_async_result_get_source_object (result));
  connection = g_socket_client_connect_finish (client, result, &error);
  if (connection == NULL)
    {
      fail_with_error (run, error);
      return FALSE;
    }

  run->stream = mail_setup_stream_new (connection);
  stage_end (run, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

static void
remember_response (Run                         *run,
                   const MailSetupImapResponse *response)
{
  g_autofree char *text = mail_setup_imap_sanitize_text (response->line, -1);

  transcript_add (run, "S:", text);

  if (response->kind == MAIL_SETUP_IMAP_RESPONSE_CONTINUATION)
    return;

  if (response->status == MAIL_SETUP_IMAP_STATUS_BYE)
    run->saw_bye = TRUE;

  if (response->status != MAIL_SETUP_IMAP_STATUS_NONE)
    {
      const char *line = response->line;

      /* The tag is ours and says nothing to the user. */
      if (response->kind == MAIL_SETUP_IMAP_RESPONSE_TAGGED && strchr (line, ' ') != NULL)
        line = strchr (line, ' ') + 1;
      g_free (run->outcome->server_response);
      run->outcome->server_response = mail_setup_imap_sanitize_text (line, -1);
    }

  if (response->code != NULL && g_str_equal (response->code, "CAPABILITY"))
    {
      g_strfreev (run->outcome->capabilities);
      run->outcome->capabilities = mail_setup_imap_parse_capabilities (response->code_arguments);
    }
  else if (response->keyword != NULL && g_str_equal (response->keyword, "CAPABILITY"))
    {
      g_strfreev (run->outcome->capabilities);
      run->outcome->capabilities = mail_setup_imap_parse_capabilities (response->data);
    }
}

static MailSetupImapResponse *
read_response (Run     *run,
               GError **error)
{
  char buffer[16 * 1024];

  for (;;)
    {
      MailSetupImapResponse *response;
      gssize n;

      response = mail_setup_imap_reader_next (run->reader, error);
      if (response != NULL)
        {
          remember_response (run, response);
          return response;
        }
      if (error != NULL && *error != NULL)
        return NULL;

      n = mail_setup_stream_read (run->stream, buffer, sizeof buffer, run->deadline,
                                  run->cancellable, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               "The server closed the connection");
          return NULL;
        }
      mail_setup_imap_reader_feed (run->reader, buffer, n);
    }
}

/* Sends one command line (or part of one) and records it, with its
 * credentials replaced, in the transcript. */
static gboolean
send_text (Run         *run,
           const char  *text,
           gsize        length,
           gboolean     secret,
           GError     **error)
{
  if (secret)
    transcript_add (run, "C:", "<redacted>");
  else
    {
      g_autoptr(MailSetupSecret) line = g_strndup (text, length);
      g_autofree char *redacted = NULL;

      g_strchomp (line);
      redacted = mail_setup_imap_redact_command (line);
      transcript_add (run, "C:", redacted);
    }

  return mail_setup_stream_write_all (run->stream, text, length, run->deadline,
                                      run->cancellable, error);
}

static char *
next_tag (Run *run)
{
  return g_strdup_printf ("A%u", ++run->next_tag);
}

/* Reads until the tagged answer to TAG, remembering untagged data on the
 * way. A continuation request is returned too, for the caller to answer. */
static MailSetupImapResponse *
read_until_tagged (Run         *run,
                   const char  *tag,
                   GError     **error)
{
  for (;;)
    {
      g_autoptr(MailSetupImapResponse) response = read_response (run, error);

      if (response == NULL)
        return NULL;

      if (response->kind == MAIL_SETUP_IMAP_RESPONSE_CONTINUATION ||
          (response->kind == MAIL_SETUP_IMAP_RESPONSE_TAGGED &&
           g_strcmp0 (response->tag, tag) == 0))
        return g_steal_pointer (&response);
    }
}

static MailSetupImapResponse *
run_command (Run         *run,
             const char  *command,
             GError     **error)
{
  g_autofree char *tag = next_tag (run);
  g_autofree char *line = g_strdup_printf ("%s %s\r\n", tag, command);

  if (!send_text (run, line, strlen (line), FALSE, error))
    return NULL;

  return read_until_tagged (run, tag, error);
}

static gboolean
has_capability (Run        *run,
                const char *name)
{
  return mail_setup_imap_capabilities_has ((const char * const *) run->outcome->capabilities, name);
}

static gboolean
refresh_capabilities (Run     *run,
                      GError **error)
{
  g_autoptr(MailSetupImapResponse) response = NULL;

  g_clear_pointer (&run->outcome->capabilities, g_strfreev);

  response = run_command (run, "CAPABILITY", error);
  if (response == NULL)
    return FALSE;

  if (response->status != MAIL_SETUP_IMAP_STATUS_OK || run->outcome->capabilities == NULL)
    {
      g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                           "The server did not list its capabilities");
      return FALSE;
    }

  return TRUE;
}

/* Fails the check as NOT_IMAP when LINE, the first line a server sent, is
 * another kind of server's greeting, and returns TRUE: nothing more is sent
 * to such a server. The line is what the user is shown of it. */
static gboolean
recognise_other_server (Run        *run,
                        const char *line)
{
  MailSetupProtocol protocol = MAIL_SETUP_PROTOCOL_UNKNOWN;
  g_autofree char *note = NULL;

  if (!mail_setup_diagnosis_recognise_other_server (line, run->port, &protocol))
    return FALSE;

  g_free (run->outcome->server_response);
  run->outcome->server_response = mail_setup_imap_sanitize_text (line, -1);
  transcript_add (run, "S:", run->outcome->server_response);
  run->outcome->detected_protocol = protocol;
  /* Microsoft's SMTP servers name themselves as its IMAP servers do. */
  if (mail_setup_diagnosis_is_microsoft_greeting (line))
    run->outcome->microsoft = TRUE;

  note = g_strdup_printf ("The server greets as %s, not as IMAP",
                          protocol != MAIL_SETUP_PROTOCOL_UNKNOWN
                          ? mail_setup_protocol_to_string (protocol) : "another kind of server");
  transcript_add (run, "!", note);
  fail (run, MAIL_SETUP_DIAGNOSIS_NOT_IMAP);
  return TRUE;
}

static gboolean
send_probe (Run     *run,
            GError **error)
{
  g_autofree char *tag = next_tag (run);
  g_autofree char *line = g_strdup_printf ("%s CAPABILITY\r\n", tag);

  transcript_add (run, "!", "The server has not greeted; asking for its capabilities, to hear what it is");
  return send_text (run, line, strlen (line), FALSE, error);
}

/* The first line the server sends, without its line end, as far as it goes
 * within MAX_FIRST_LINE_LENGTH; every byte read goes on to the IMAP reader
 * too. Over implicit TLS, a server that has said nothing shortly before the
 * deadline is sent a CAPABILITY command: a web server waits in silence for a
 * request, just like a server that never greets, and only an answer tells
 * them apart. The command carries nothing of the user's, and an IMAP server
 * that greets late just answers it. Without TLS the silence is left for a
 * TLS handshake to break (see silent_server_speaks_tls()). */
static char *
read_first_line (Run     *run,
                 GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean may_probe = run->security != MAIL_SETUP_SECURITY_STARTTLS;
  gint64 probe_time = run->deadline - MIN (SILENCE_PROBE_SECONDS * G_USEC_PER_SEC,
                                           run->timeout_us / 2);
  const char *line_end;
  char buffer[4096];

  while (memchr (line->str, '\n', line->len) == NULL && line->len < MAX_FIRST_LINE_LENGTH)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n;

      n = mail_setup_stream_read (run->stream, buffer, sizeof buffer,
                                  may_probe ? probe_time : run->deadline, run->cancellable,
                                  &local_error);
      if (n < 0 && may_probe && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          may_probe = FALSE;
          if (!send_probe (run, error))
            return NULL;
          continue;
        }
      if (n < 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      /* A server that closes after a line without its end has still said it. */
      if (n == 0 && line->len > 0)
        break;
      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               "The server closed the connection");
          return NULL;
        }

      may_probe = FALSE;
      mail_setup_imap_reader_feed (run->reader, buffer, n);
      g_string_append_len (line, buffer, MIN ((gsize) n, MAX_FIRST_LINE_LENGTH - line->len));
    }

  line_end = memchr (line->str, '\n', line->len);
  if (line_end != NULL)
    g_string_truncate (line, (gsize) (line_end - line->str));
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);

  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* Returns FALSE with a diagnosis set when the greeting is not a usable IMAP
 * greeting. *PREAUTH is set when the server signed us in already. */
static gboolean
read_greeting (Run      *run,
               gboolean *preauth,
               GError  **error)
{
  g_autoptr(MailSetupImapResponse) greeting = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *first_line = NULL;

  first_line = read_first_line (run, &local_error);
  if (first_line == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (recognise_other_server (run, first_line))
    return FALSE;

  greeting = read_response (run, &local_error);
  if (greeting == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (greeting->kind != MAIL_SETUP_IMAP_RESPONSE_UNTAGGED ||
      (greeting->status != MAIL_SETUP_IMAP_STATUS_OK &&
       greeting->status != MAIL_SETUP_IMAP_STATUS_PREAUTH &&
       greeting->status != MAIL_SETUP_IMAP_STATUS_BYE))
    {
      g_free (run->outcome->server_response);
      run->outcome->server_response = mail_setup_imap_sanitize_text (greeting->line, -1);
      transcript_add (run, "!", "The greeting is not an IMAP greeting");
      fail (run, MAIL_SETUP_DIAGNOSIS_NOT_IMAP);
      return FALSE;
    }

  if (greeting->status == MAIL_SETUP_IMAP_STATUS_BYE)
    {
      fail (run, MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE);
      return FALSE;
    }

  if (mail_setup_diagnosis_is_microsoft_greeting (greeting->text))
    run->outcome->microsoft = TRUE;

  *preauth = greeting->status == MAIL_SETUP_IMAP_STATUS_PREAUTH;
  return TRUE;
}

#define FAILED_WITH_DIAGNOSIS(run) ((run)->outcome->diagnosis != MAIL_SETUP_DIAGNOSIS_OK)

static void
start_connect_to_issuer (Run                 *run,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  /* Direct, as the connection to the mail server is: looking for a proxy
   * (a PAC script, WPAD) could take longer than the whole fetch may. Where
   * only a proxy gets out, the chain stays an unknown authority's. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, ISSUER_FETCH_TIMEOUT_SECONDS);
  g_socket_client_connect_to_uri_async (client, run->issuer_url, 80, cancellable,
                                        callback, user_data);
}

static gboolean
read_to_end (MailSetupStream  *stream,
             GByteArray       *answer,
             gint64            deadline,
             GCancellable     *cancellable,
             GError          **error)
{
  char buffer[4096];
  gssize n;

  while ((n = mail_setup_stream_read (stream, buffer, sizeof buffer, deadline, cancellable,
                                      error)) > 0)
    {
      if (answer->len + (gsize) n > MAX_ISSUER_RESPONSE_LENGTH)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               "The answer is too long for a certificate");
          return FALSE;
        }
      g_byte_array_append (answer, (const guint8 *) buffer, (guint) n);
    }

  return n == 0;
}

/* One GET to URL, within ISSUER_FETCH_TIMEOUT_SECONDS and the stage's own
 * deadline; the body of its answer, or NULL. */
static GBytes *
fetch_issuer (Run         *run,
              const char  *url,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(MailSetupStream) stream = NULL;
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  g_autofree char *request = NULL;
  gint64 stage_deadline = run->deadline;
  gboolean received = FALSE;

  request = mail_setup_http_build_get (url, error);
  if (request == NULL)
    return NULL;

  run->deadline = MIN (stage_deadline,
                       g_get_monotonic_time () + ISSUER_FETCH_TIMEOUT_SECONDS * G_USEC_PER_SEC);
  run->issuer_url = url;
  result = run_async_stage (run, start_connect_to_issuer);
  run->issuer_url = NULL;
  client = G_SOCKET_CLIENT (g_async_result_get_source_object (result));
  connection = g_socket_client_connect_finish (client, result, error);
  if (connection != NULL)
    {
      stream = mail_setup_stream_new (connection);
      received = mail_setup_stream_write_all (stream, request, strlen (request), run->deadline,
                                              run->cancellable, error) &&
                 read_to_end (stream, answer, run->deadline, run->cancellable, error);
    }
  run->deadline = stage_deadline;
  run->stage_timed_out = FALSE;

  if (!received)
    return NULL;

  return mail_setup_http_parse_response (answer->data, answer->len, error);
}

/* GnuTLS cannot tell a chain that ends at an unknown authority from one
 * that misses the intermediate certificate linking it to a trusted one.
 * Only that certificate can: it is fetched from the address the chain's top
 * certificate names for its issuer, as web browsers do, and the chain is
 * called incomplete only when it then leads to a trusted authority. What
 * is fetched never makes the connection trusted. */
static gboolean
missing_issuer_found (Run *run)
{
  const char *url = mail_setup_stream_get_missing_issuer_url (run->stream);
  g_autoptr(GBytes) issuer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;

  if (url == NULL)
    return FALSE;

  /* The address and the answer are the certificate's and the web
   * server's words, shown as safely as the mail server's. */
  note = g_strdup_printf ("The chain lacks its issuer's certificate; fetching it from %s", url);
  transcript_add_sanitized (run, note);

  issuer = fetch_issuer (run, url, &error);
  if (issuer == NULL)
    {
      g_autofree char *failure = g_strdup_printf ("Could not fetch it: %s", error->message);

      transcript_add_sanitized (run, failure);
      return FALSE;
    }

  if (!mail_setup_stream_completes_chain (run->stream, issuer))
    {
      transcript_add (run, "!", "What it served does not lead to a trusted authority either");
      return FALSE;
    }

  transcript_add (run, "!", "It links the server's certificate to a trusted authority: "
                            "the server left it out");
  return TRUE;
}

/* What the TLS error alone does not say: a server that answered the
 * ClientHello in plain text is shown by its words, and named when they are
 * another protocol's greeting; an untrusted chain may only lack a link.
 * Returns TRUE when the check has failed with a diagnosis of its own. */
static gboolean
diagnose_handshake_failure (Run          *run,
                            const GError *error)
{
  const char *plain = mail_setup_stream_get_plain_answer (run->stream);

  if (plain != NULL)
    {
      if (recognise_other_server (run, plain))
        return TRUE;

      g_free (run->outcome->server_response);
      run->outcome->server_response = mail_setup_imap_sanitize_text (plain, -1);
      transcript_add (run, "S:", run->outcome->server_response);
      transcript_add (run, "!", "The server answered in plain text, not TLS");
      return FALSE;
    }

  if (!g_error_matches (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_UNTRUSTED) ||
      !missing_issuer_found (run))
    {
      if (g_cancellable_is_cancelled (run->cancellable))
        {
          fail (run, MAIL_SETUP_DIAGNOSIS_CANCELLED);
          return TRUE;
        }
      return FALSE;
    }

  g_clear_pointer (&run->outcome->tls_info, mail_setup_tls_info_free);
  run->outcome->tls_info = mail_setup_tls_info_copy (mail_setup_stream_get_tls_info (run->stream));
  fail (run, MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN);
  return TRUE;
}

static gboolean
handshake (Run *run)
{
  g_autoptr(GError) error = NULL;

  if (!mail_setup_stream_start_tls (run->stream, run->server, run->extra_ca_file,
                                    run->deadline, run->cancellable, &error))
    {
      if (mail_setup_stream_get_tls_info (run->stream) != NULL)
        run->outcome->tls_info = mail_setup_tls_info_copy (mail_setup_stream_get_tls_info (run->stream));
      if (!diagnose_handshake_failure (run, error))
        fail_with_error (run, error);
      return FALSE;
    }

  run->outcome->tls_info = mail_setup_tls_info_copy (mail_setup_stream_get_tls_info (run->stream));
  return TRUE;
}

/* Implicit TLS: the handshake first, then the greeting inside it. */
static gboolean
secure_implicitly (Run      *run,
                   gboolean *preauth)
{
  g_autoptr(GError) error = NULL;

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_TLS, run->timeout_us);
  if (!handshake (run))
    return FALSE;
  stage_end (run, MAIL_SETUP_STAGE_STATUS_OK);

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_GREETING, run->timeout_us);
  if (!read_greeting (run, preauth, &error))
    {
      if (!FAILED_WITH_DIAGNOSIS (run))
        fail_with_error (run, error);
      return FALSE;
    }

  if (run->outcome->capabilities == NULL && !refresh_capabilities (run, &error))
    {
      fail_with_error (run, error);
      return FALSE;
    }

  stage_end (run, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

/* A server that expects TLS from the start waits for the client in silence,
 * just like one that never greets; only a handshake tells them apart. It is
 * tried once the wait for the greeting is over, on a connection that has
 * failed anyway. */
static gboolean
silent_server_speaks_tls (Run          *run,
                          const GError *error)
{
  g_autoptr(GError) probe_error = NULL;
  gint64 deadline;

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
      mail_setup_imap_reader_get_buffered_size (run->reader) > 0)
    return FALSE;

  deadline = g_get_monotonic_time () + MIN (run->timeout_us,
                                            TLS_PROBE_TIMEOUT_SECONDS * G_USEC_PER_SEC);
  if (mail_setup_stream_start_tls (run->stream, run->server, run->extra_ca_file, deadline,
                                   run->cancellable, &probe_error))
    return TRUE;

  /* A web server answers the ClientHello with an HTTP error, in plain text. */
  if (mail_setup_stream_get_plain_answer (run->stream) != NULL &&
      recognise_other_server (run, mail_setup_stream_get_plain_answer (run->stream)))
    return FALSE;

  /* A certificate can only be refused once the server has answered in TLS. */
  return probe_error->domain == MAIL_SETUP_TLS_ERROR &&
         probe_error->code != MAIL_SETUP_TLS_ERROR_HANDSHAKE_FAILED &&
         probe_error->code != MAIL_SETUP_TLS_ERROR_CA_FILE;
}

/* STARTTLS: the greeting in plain text, then the upgrade. Nothing the server
 * said before the handshake is trusted afterwards: the buffer is dropped and
 * the capabilities are asked for again. */
static gboolean
secure_with_starttls (Run      *run,
                      gboolean *preauth)
{
  g_autoptr(MailSetupImapResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *line = NULL;

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_GREETING, run->timeout_us);
  if (!read_greeting (run, preauth, &error))
    {
      /* The handshake that breaks a silence may have been answered by a
       * web server, and failed the check as such. */
      if (!FAILED_WITH_DIAGNOSIS (run) && silent_server_speaks_tls (run, error))
        {
          transcript_add (run, "!", "The server expects TLS from the start, not STARTTLS");
          run->outcome->expects_tls = TRUE;
          fail (run, MAIL_SETUP_DIAGNOSIS_NOT_IMAP);
        }
      else if (FAILED_WITH_DIAGNOSIS (run))
        return FALSE;
      else if (g_cancellable_is_cancelled (run->cancellable))
        fail (run, MAIL_SETUP_DIAGNOSIS_CANCELLED);
      else
        fail_with_error (run, error);
      return FALSE;
    }
  if (!refresh_capabilities (run, &error))
    {
      fail_with_error (run, error);
      return FALSE;
    }
  stage_end (run, MAIL_SETUP_STAGE_STATUS_OK);

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_TLS, run->timeout_us);
  if (*preauth || !has_capability (run, "STARTTLS"))
    {
      transcript_add (run, "!", "The server does not offer STARTTLS");
      fail (run, MAIL_SETUP_DIAGNOSIS_STARTTLS_UNAVAILABLE);
      return FALSE;
    }

  tag = next_tag (run);
  line = g_strdup_printf ("%s STARTTLS\r\n", tag);
  if (!send_text (run, line, strlen (line), FALSE, &error) ||
      !(response = read_until_tagged (run, tag, &error)))
    {
      fail_with_error (run, error);
      return FALSE;
    }
  if (response->status != MAIL_SETUP_IMAP_STATUS_OK)
    {
      fail (run, MAIL_SETUP_DIAGNOSIS_STARTTLS_UNAVAILABLE);
      return FALSE;
    }

  if (mail_setup_imap_reader_reset (run->reader) > 0)
    transcript_add (run, "!", "Discarded what the server sent before the TLS handshake");
  if (!handshake (run) || !refresh_capabilities (run, &error))
    {
      if (!FAILED_WITH_DIAGNOSIS (run))
        fail_with_error (run, error);
      return FALSE;
    }

  stage_end (run, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

static MailSetupImapResponse *
authenticate_plain (Run     *run,
                    GError **error)
{
  g_autoptr(MailSetupSecret) message = NULL;
  g_autoptr(MailSetupSecret) encoded = NULL;
  g_autoptr(MailSetupSecret) line = NULL;
  g_autoptr(MailSetupImapResponse) response = NULL;
  g_autofree char *tag = next_tag (run);
  gsize user_length = strlen (run->username);
  gsize password_length = strlen (run->password);
  gsize message_length = 1 + user_length + 1 + password_length;

  /* RFC 4616: an empty authorisation identity, NUL, user, NUL, password. */
  message = g_malloc0 (message_length + 1);
  memcpy (message + 1, run->username, user_length);
  memcpy (message + 2 + user_length, run->password, password_length);
  encoded = mail_setup_secret_take (g_base64_encode ((const guchar *) message, message_length));

  if (has_capability (run, "SASL-IR"))
    {
      line = mail_setup_secret_take (g_strdup_printf ("%s AUTHENTICATE PLAIN %s\r\n", tag, encoded));
      if (!send_text (run, line, strlen (line), FALSE, error))
        return NULL;
      return read_until_tagged (run, tag, error);
    }

  line = mail_setup_secret_take (g_strdup_printf ("%s AUTHENTICATE PLAIN\r\n", tag));
  if (!send_text (run, line, strlen (line), FALSE, error))
    return NULL;
  response = read_until_tagged (run, tag, error);
  if (response == NULL || response->kind != MAIL_SETUP_IMAP_RESPONSE_CONTINUATION)
    return g_steal_pointer (&response);

  g_clear_pointer (&line, mail_setup_secret_free);
  line = mail_setup_secret_take (g_strconcat (encoded, "\r\n", NULL));
  if (!send_text (run, line, strlen (line), TRUE, error))
    return NULL;
  return read_until_tagged (run, tag, error);
}

/* A refused token may come back as a challenge holding the server's reasons
 * (base64 of JSON, as in RFC 7628); they go to the transcript. */
static void
note_token_challenge (Run                         *run,
                      const MailSetupImapResponse *challenge)
{
  g_autofree guchar *decoded = NULL;
  g_autofree char *text = NULL;
  g_autofree char *note = NULL;
  gsize length = 0;

  if (challenge->text == NULL || *challenge->text == '\0')
    return;

  decoded = g_base64_decode (challenge->text, &length);
  if (decoded == NULL || length == 0)
    return;

  text = mail_setup_imap_sanitize_text ((const char *) decoded, (gssize) length);
  note = g_strconcat ("The server refused the token: ", text, NULL);
  transcript_add (run, "!", note);
}

/* XOAUTH2: the user name and a bearer token, with SASL-IR when the server
 * takes it. Dovecot answers a refused token with a challenge first, which
 * an empty line acknowledges; Microsoft answers NO at once. */
static MailSetupImapResponse *
authenticate_xoauth2 (Run     *run,
                      GError **error)
{
  g_autoptr(MailSetupSecret) message = NULL;
  g_autoptr(MailSetupSecret) encoded = NULL;
  g_autoptr(MailSetupSecret) line = NULL;
  g_autoptr(MailSetupImapResponse) response = NULL;
  g_autofree char *tag = next_tag (run);

  message = mail_setup_secret_take (g_strdup_printf ("user=%s\001auth=Bearer %s\001\001",
                                                     run->username, run->access_token));
  encoded = mail_setup_secret_take (g_base64_encode ((const guchar *) message, strlen (message)));

  if (has_capability (run, "SASL-IR"))
    {
      line = mail_setup_secret_take (g_strdup_printf ("%s AUTHENTICATE XOAUTH2 %s\r\n", tag, encoded));
      if (!send_text (run, line, strlen (line), FALSE, error))
        return NULL;
    }
  else
    {
      line = mail_setup_secret_take (g_strdup_printf ("%s AUTHENTICATE XOAUTH2\r\n", tag));
      if (!send_text (run, line, strlen (line), FALSE, error))
        return NULL;
      response = read_until_tagged (run, tag, error);
      if (response == NULL || response->kind != MAIL_SETUP_IMAP_RESPONSE_CONTINUATION)
        return g_steal_pointer (&response);

      g_clear_pointer (&response, mail_setup_imap_response_free);
      g_clear_pointer (&line, mail_setup_secret_free);
      line = mail_setup_secret_take (g_strconcat (encoded, "\r\n", NULL));
      if (!send_text (run, line, strlen (line), TRUE, error))
        return NULL;
    }

  response = read_until_tagged (run, tag, error);
  if (response == NULL || response->kind != MAIL_SETUP_IMAP_RESPONSE_CONTINUATION)
    return g_steal_pointer (&response);

  note_token_challenge (run, response);
  g_clear_pointer (&response, mail_setup_imap_response_free);
  if (!send_text (run, "\r\n", 2, FALSE, error))
    return NULL;

  return read_until_tagged (run, tag, error);
}

/* LOGIN with each argument quoted, or sent as a literal when quoting cannot
 * carry it (8-bit characters, CR, LF). A synchronizing literal waits for the
 * server's go-ahead. */
static MailSetupImapResponse *
login (Run     *run,
       GError **error)
{
  g_autofree char *tag = next_tag (run);
  const char *arguments[] = { run->username, run->password, NULL };
  g_autoptr(GPtrArray) parts = NULL;

  parts = mail_setup_imap_command_build (tag, "LOGIN", arguments,
                                         has_capability (run, "LITERAL+"));
  for (guint i = 0; i < parts->len; i++)
    {
      const char *part = g_ptr_array_index (parts, i);
      g_autoptr(MailSetupImapResponse) response = NULL;

      /* Only the first part starts with the command word that redaction
       * recognises; the others are literal bytes. */
      if (!send_text (run, part, strlen (part), i > 0, error))
        return NULL;
      if (i + 1 == parts->len)
        break;

      response = read_until_tagged (run, tag, error);
      if (response == NULL || response->kind != MAIL_SETUP_IMAP_RESPONSE_CONTINUATION)
        return g_steal_pointer (&response);
    }

  return read_until_tagged (run, tag, error);
}

/* After a Microsoft sign-in there is no password to check: a refused token
 * means the mailbox does not take it (IMAP off, another account, no
 * mailbox), whatever the server's words would mean for a password. */
static MailSetupDiagnosis
for_token (Run                *run,
           MailSetupDiagnosis  diagnosis)
{
  if (!run->uses_token || diagnosis == MAIL_SETUP_DIAGNOSIS_SERVER_UNAVAILABLE)
    return diagnosis;

  return MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED;
}

static gboolean
sign_in (Run *run)
{
  g_autoptr(MailSetupImapResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_SIGN_IN, run->timeout_us);

  /* Never reached without TLS; this is the last line of defence. */
  if (!mail_setup_stream_is_tls (run->stream))
    {
      fail (run, MAIL_SETUP_DIAGNOSIS_STARTTLS_UNAVAILABLE);
      return FALSE;
    }

  if (run->access_token != NULL)
    {
      if (!has_capability (run, "AUTH=XOAUTH2"))
        {
          transcript_add (run, "!", "The server does not offer XOAUTH2, the sign-in with a token");
          fail (run, MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH);
          return FALSE;
        }
      run->outcome->sign_in_time = g_date_time_new_now_local ();
      response = authenticate_xoauth2 (run, &error);
    }
  else if (has_capability (run, "AUTH=PLAIN"))
    {
      run->outcome->sign_in_time = g_date_time_new_now_local ();
      response = authenticate_plain (run, &error);
    }
  else if (!has_capability (run, "LOGINDISABLED"))
    {
      run->outcome->sign_in_time = g_date_time_new_now_local ();
      response = login (run, &error);
    }
  else
    {
      transcript_add (run, "!", "The server offers no sign-in method that Mail Setup can use");
      fail (run, MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH);
      return FALSE;
    }

  g_clear_pointer (&run->password, mail_setup_secret_free);
  g_clear_pointer (&run->access_token, mail_setup_secret_free);

  if (response == NULL)
    {
      fail_with_error (run, error);
      return FALSE;
    }

  if (response->kind == MAIL_SETUP_IMAP_RESPONSE_CONTINUATION)
    {
      /* A challenge we cannot answer; "*" cancels the exchange. */
      fail (run, MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR);
      return FALSE;
    }

  switch (response->status)
    {
    case MAIL_SETUP_IMAP_STATUS_OK:
      stage_end (run, MAIL_SETUP_STAGE_STATUS_OK);
      return TRUE;

    case MAIL_SETUP_IMAP_STATUS_NO:
      fail (run, for_token (run, mail_setup_diagnosis_for_sign_in_refusal (run->outcome->microsoft,
                                                                           response->code,
                                                                           response->text)));
      return FALSE;

    default:
      fail (run, MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR);
      return FALSE;
    }
}

/* Microsoft tells some refusals only in answer to the first command after
 * sign-in, so one is always sent. */
static gboolean
open_mailbox (Run *run)
{
  g_autoptr(MailSetupImapResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_MAILBOX, run->timeout_us);

  response = run_command (run, "EXAMINE INBOX", &error);
  if (response == NULL)
    {
      fail_with_error (run, error);
      return FALSE;
    }

  if (response->status != MAIL_SETUP_IMAP_STATUS_OK)
    {
      fail (run, for_token (run, mail_setup_diagnosis_for_mailbox_refusal (run->outcome->microsoft,
                                                                           response->code,
                                                                           response->text)));
      return FALSE;
    }

  stage_end (run, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

/* A server that does not answer LOGOUT has still passed the check. */
static void
log_out (Run *run)
{
  g_autoptr(MailSetupImapResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_LOGOUT,
               MIN (run->timeout_us, LOGOUT_TIMEOUT_SECONDS * G_USEC_PER_SEC));

  response = run_command (run, "LOGOUT", &error);
  if (response == NULL || response->status != MAIL_SETUP_IMAP_STATUS_OK)
    {
      if (error != NULL && diagnosis_for_error (run, error) == MAIL_SETUP_DIAGNOSIS_CANCELLED)
        run->outcome->diagnosis = MAIL_SETUP_DIAGNOSIS_CANCELLED;
      stage_end (run, MAIL_SETUP_STAGE_STATUS_FAILED);
      return;
    }

  stage_end (run, MAIL_SETUP_STAGE_STATUS_OK);
}

static void
skip_stages_after (Run                 *run,
                   MailSetupCheckStage  failed)
{
  static const MailSetupCheckStage order_implicit[] = {
    MAIL_SETUP_CHECK_STAGE_RESOLVE, MAIL_SETUP_CHECK_STAGE_CONNECT, MAIL_SETUP_CHECK_STAGE_TLS,
    MAIL_SETUP_CHECK_STAGE_GREETING, MAIL_SETUP_CHECK_STAGE_SIGN_IN,
    MAIL_SETUP_CHECK_STAGE_MAILBOX, MAIL_SETUP_CHECK_STAGE_LOGOUT,
  };
  static const MailSetupCheckStage order_starttls[] = {
    MAIL_SETUP_CHECK_STAGE_RESOLVE, MAIL_SETUP_CHECK_STAGE_CONNECT,
    MAIL_SETUP_CHECK_STAGE_GREETING, MAIL_SETUP_CHECK_STAGE_TLS, MAIL_SETUP_CHECK_STAGE_SIGN_IN,
    MAIL_SETUP_CHECK_STAGE_MAILBOX, MAIL_SETUP_CHECK_STAGE_LOGOUT,
  };
  const MailSetupCheckStage *order = run->security == MAIL_SETUP_SECURITY_STARTTLS
                                     ? order_starttls : order_implicit;
  gboolean after = FALSE;

  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    {
      if (after)
        post_stage_event (run, order[i], MAIL_SETUP_STAGE_STATUS_SKIPPED, 0);
      if (order[i] == failed)
        after = TRUE;
    }
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Run *run = task_data;
  gboolean preauth = FALSE;
  gboolean ok;

  g_main_context_push_thread_default (run->context);

  ok = resolve (run) && connect_to_server (run);
  if (ok)
    {
      run->reader = mail_setup_imap_reader_new (MAX_LINE_LENGTH, MAX_LITERAL_LENGTH);
      if (run->security == MAIL_SETUP_SECURITY_STARTTLS)
        ok = secure_with_starttls (run, &preauth);
      else
        ok = secure_implicitly (run, &preauth);
    }

  if (ok && preauth)
    {
      stage_begin (run, MAIL_SETUP_CHECK_STAGE_SIGN_IN, run->timeout_us);
      stage_end (run, MAIL_SETUP_STAGE_STATUS_SKIPPED);
    }
  else if (ok)
    ok = sign_in (run);

  ok = ok && open_mailbox (run);

  if (ok)
    log_out (run);
  else
    skip_stages_after (run, run->stage);

  if (run->stream != NULL)
    mail_setup_stream_close (run->stream, g_get_monotonic_time () + G_USEC_PER_SEC / 2);
  g_main_context_pop_thread_default (run->context);

  g_task_return_pointer (task, g_steal_pointer (&run->outcome), (GDestroyNotify) outcome_free);
}

static void
mail_setup_check_finalize (GObject *object)
{
  MailSetupCheck *self = MAIL_SETUP_CHECK (object);

  g_free (self->server);
  g_free (self->username);
  g_clear_pointer (&self->password, mail_setup_secret_free);
  g_clear_pointer (&self->access_token, mail_setup_secret_free);
  g_free (self->provider_id);
  g_free (self->extra_ca_file);
  g_free (self->sign_in_method);
  g_clear_pointer (&self->progress_tls_info, mail_setup_tls_info_free);
  g_free (self->progress_server_response);
  g_clear_pointer (&self->outcome, outcome_free);

  G_OBJECT_CLASS (mail_setup_check_parent_class)->finalize (object);
}

static void
mail_setup_check_class_init (MailSetupCheckClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mail_setup_check_finalize;

  /**
   * MailSetupCheck::stage-started:
   * @stage: the #MailSetupCheckStage
   *
   * Emitted on the main context that started the check.
   */
  signals[STAGE_STARTED] =
    g_signal_new ("stage-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * MailSetupCheck::stage-finished:
   * @stage: the #MailSetupCheckStage
   * @status: the #MailSetupStageStatus it ended in
   * @duration_ms: how long it took
   */
  signals[STAGE_FINISHED] =
    g_signal_new ("stage-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);
}

static void
mail_setup_check_init (MailSetupCheck *self)
{
  self->timeout_seconds = MAIL_SETUP_CHECK_DEFAULT_TIMEOUT;
  self->security = MAIL_SETUP_SECURITY_SSL_TLS;
}

MailSetupCheck *
mail_setup_check_new (const char        *server,
                      guint16            port,
                      MailSetupSecurity  security,
                      const char        *username)
{
  MailSetupCheck *self;

  g_return_val_if_fail (server != NULL && *server != '\0', NULL);
  g_return_val_if_fail (port > 0, NULL);
  g_return_val_if_fail (username != NULL, NULL);

  self = g_object_new (MAIL_SETUP_TYPE_CHECK, NULL);
  self->server = g_strdup (server);
  self->port = port;
  self->security = security;
  self->username = g_strdup (username);

  return self;
}

void
mail_setup_check_set_password (MailSetupCheck *self,
                               const char     *password)
{
  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));

  g_clear_pointer (&self->password, mail_setup_secret_free);
  g_clear_pointer (&self->access_token, mail_setup_secret_free);
  self->password = mail_setup_secret_new (password);
}

/* Signs in with AUTHENTICATE XOAUTH2 and this OAuth2 access token (from
 * Microsoft sign-in) instead of a password. */
void
mail_setup_check_set_access_token (MailSetupCheck *self,
                                   const char     *access_token)
{
  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));
  g_return_if_fail (access_token != NULL && *access_token != '\0');

  g_clear_pointer (&self->password, mail_setup_secret_free);
  g_clear_pointer (&self->access_token, mail_setup_secret_free);
  self->access_token = mail_setup_secret_new (access_token);
}

/* A Microsoft provider makes the check read Microsoft's answers as
 * Microsoft's even when the greeting does not say whose server it is. */
void
mail_setup_check_set_provider (MailSetupCheck *self,
                               const char     *provider_id,
                               gboolean        microsoft)
{
  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));

  g_free (self->provider_id);
  self->provider_id = g_strdup (provider_id);
  self->provider_is_microsoft = microsoft;
}

void
mail_setup_check_set_extra_ca_file (MailSetupCheck *self,
                                    const char     *path)
{
  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));

  g_free (self->extra_ca_file);
  self->extra_ca_file = g_strdup (path);
}

void
mail_setup_check_set_timeout (MailSetupCheck *self,
                              guint           seconds)
{
  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));
  g_return_if_fail (seconds > 0);

  self->timeout_seconds = seconds;
}

void
mail_setup_check_run_async (MailSetupCheck      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Run *run;

  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));
  g_return_if_fail (!self->running && self->outcome == NULL);
  g_return_if_fail (self->password != NULL || self->access_token != NULL);

  self->running = TRUE;
  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    self->stages[i] = (StageResult) { MAIL_SETUP_STAGE_STATUS_PENDING, 0 };

  run = g_new0 (Run, 1);
  run->self = g_object_ref (self);
  run->caller_context = g_main_context_ref_thread_default ();
  run->context = g_main_context_new ();
  run->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  run->server = g_strdup (self->server);
  run->port = self->port;
  run->security = self->security;
  run->username = g_strdup (self->username);
  run->password = mail_setup_secret_new (self->password);
  run->access_token = mail_setup_secret_new (self->access_token);
  run->uses_token = self->access_token != NULL;
  run->extra_ca_file = g_strdup (self->extra_ca_file);
  run->timeout_us = (gint64) self->timeout_seconds * G_USEC_PER_SEC;
  run->outcome = g_new0 (Outcome, 1);
  run->outcome->diagnosis = MAIL_SETUP_DIAGNOSIS_OK;
  run->outcome->microsoft = self->provider_is_microsoft;
  run->outcome->transcript = g_ptr_array_new_with_free_func (g_free);

  task = g_task_new (self, run->cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_check_run_async);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  /* The check ends on cancellation by itself, at the next wait. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, check_thread);
}

void
mail_setup_check_set_sign_in_method (MailSetupCheck *self,
                                     const char     *method)
{
  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));

  g_free (self->sign_in_method);
  self->sign_in_method = g_strdup (method);
}

const char *
mail_setup_check_get_sign_in_method (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  return self->sign_in_method;
}

void
mail_setup_check_finish_with_sign_in_failure (MailSetupCheck     *self,
                                              MailSetupDiagnosis  diagnosis,
                                              const char         *server_response)
{
  Outcome *outcome;

  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));
  g_return_if_fail (!self->running && self->outcome == NULL);
  g_return_if_fail (mail_setup_diagnosis_is_sign_in (diagnosis));

  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    self->stages[i] = (StageResult) { MAIL_SETUP_STAGE_STATUS_SKIPPED, 0 };

  outcome = g_new0 (Outcome, 1);
  outcome->diagnosis = diagnosis;
  outcome->server_response = g_strdup (server_response);
  outcome->microsoft = self->provider_is_microsoft;
  outcome->transcript = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (outcome->transcript,
                   g_strdup ("! Microsoft sign-in did not give a token, so no server was asked"));
  self->outcome = outcome;
}

/* Returns the diagnosis; the rest of the outcome is read with the getters. */
MailSetupDiagnosis
mail_setup_check_run_finish (MailSetupCheck *self,
                             GAsyncResult   *result)
{
  Outcome *outcome;

  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), MAIL_SETUP_DIAGNOSIS_CANCELLED);
  g_return_val_if_fail (g_task_is_valid (result, self), MAIL_SETUP_DIAGNOSIS_CANCELLED);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mail_setup_check_run_async,
                        MAIL_SETUP_DIAGNOSIS_CANCELLED);

  outcome = g_task_propagate_pointer (G_TASK (result), NULL);
  g_return_val_if_fail (outcome != NULL, MAIL_SETUP_DIAGNOSIS_CANCELLED);

  self->running = FALSE;
  g_clear_pointer (&self->outcome, outcome_free);
  self->outcome = outcome;

  return outcome->diagnosis;
}

const char *
mail_setup_check_get_server (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  return self->server;
}

guint16
mail_setup_check_get_port (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), 0);
  return self->port;
}

MailSetupSecurity
mail_setup_check_get_security (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), MAIL_SETUP_SECURITY_SSL_TLS);
  return self->security;
}

const char *
mail_setup_check_get_username (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  return self->username;
}

const char *
mail_setup_check_get_provider_id (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  return self->provider_id;
}

/* Whether the check ran to its end (or was cancelled): its outcome is known. */
gboolean
mail_setup_check_get_finished (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), FALSE);
  return self->outcome != NULL;
}

MailSetupDiagnosis
mail_setup_check_get_diagnosis (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), MAIL_SETUP_DIAGNOSIS_CANCELLED);
  g_return_val_if_fail (self->outcome != NULL, MAIL_SETUP_DIAGNOSIS_CANCELLED);
  return self->outcome->diagnosis;
}

/* The server's last status answer, made safe to show, without our tag. */
const char *
mail_setup_check_get_server_response (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  return self->outcome ? self->outcome->server_response : self->progress_server_response;
}

MailSetupStageStatus
mail_setup_check_get_stage_status (MailSetupCheck      *self,
                                   MailSetupCheckStage  stage)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), MAIL_SETUP_STAGE_STATUS_PENDING);
  g_return_val_if_fail (stage < MAIL_SETUP_N_CHECK_STAGES, MAIL_SETUP_STAGE_STATUS_PENDING);
  return self->stages[stage].status;
}

guint
mail_setup_check_get_stage_duration (MailSetupCheck      *self,
                                     MailSetupCheckStage  stage)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), 0);
  g_return_val_if_fail (stage < MAIL_SETUP_N_CHECK_STAGES, 0);
  return self->stages[stage].duration_ms;
}

const MailSetupTlsInfo *
mail_setup_check_get_tls_info (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  return self->outcome ? self->outcome->tls_info : self->progress_tls_info;
}

const char * const *
mail_setup_check_get_capabilities (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  return self->outcome ? (const char * const *) self->outcome->capabilities : NULL;
}

const char * const *
mail_setup_check_get_addresses (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  return self->outcome ? (const char * const *) self->outcome->addresses : NULL;
}

/* Whether the server is Microsoft's: the provider says so, or the greeting. */
gboolean
mail_setup_check_get_is_microsoft (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), FALSE);
  return self->outcome ? self->outcome->microsoft : self->provider_is_microsoft;
}

/* When the password was sent: Microsoft's Recent activity lists the attempt
 * under this time. */
GDateTime *
mail_setup_check_get_sign_in_time (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  return self->outcome ? self->outcome->sign_in_time : NULL;
}

/* The conversation, one line each ("C: ...", "S: ...", "! ..."), with every
 * credential replaced by <redacted>. */
const char * const *
mail_setup_check_get_transcript (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);

  if (self->outcome == NULL)
    return NULL;

  if (self->outcome->transcript->len == 0 ||
      g_ptr_array_index (self->outcome->transcript, self->outcome->transcript->len - 1) != NULL)
    g_ptr_array_add (self->outcome->transcript, NULL);

  return (const char * const *) self->outcome->transcript->pdata;
}

const char *
mail_setup_check_get_detected_protocol (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);

  if (self->outcome == NULL)
    return NULL;

  return mail_setup_protocol_to_string (self->outcome->detected_protocol);
}

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
  Outcome *outcome = self->outcome;

  switch (outcome->detected_protocol)
    {
    case MAIL_SETUP_PROTOCOL_SMTP:
      /* Both must say so: the provider chosen, and the server itself. */
      if (self->provider_is_microsoft &&
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
  const MailSetupTlsInfo *tls;

  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);

  if (self->outcome == NULL)
    return NULL;

  tls = self->outcome->tls_info;
  switch (self->outcome->diagnosis)
    {
    case MAIL_SETUP_DIAGNOSIS_NOT_IMAP:
      return describe_other_server (self);
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

/* The machine-readable report of `mail-setup --check --json`. It holds no
 * credential: the username is not one, and the password is never stored in
 * the outcome. */
char *
mail_setup_check_to_json (MailSetupCheck *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  const MailSetupTlsInfo *tls;
  MailSetupDiagnosis diagnosis;

  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  g_return_val_if_fail (self->outcome != NULL, NULL);

  diagnosis = self->outcome->diagnosis;
  tls = self->outcome->tls_info;

  json_builder_begin_object (builder);
  add_string_or_null (builder, "diagnosis", mail_setup_diagnosis_to_string (diagnosis));
  add_string_or_null (builder, "remedy", mail_setup_diagnosis_get_remedy (diagnosis));
  add_string_or_null (builder, "server_response", self->outcome->server_response);
  add_string_or_null (builder, "detected_protocol",
                      mail_setup_protocol_to_string (self->outcome->detected_protocol));
  add_string_or_null (builder, "provider", self->provider_id);
  add_string_or_null (builder, "server", self->server);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, self->port);
  add_string_or_null (builder, "security", mail_setup_security_to_string (self->security));
  add_string_or_null (builder, "username", self->username);
  json_builder_set_member_name (builder, "microsoft");
  json_builder_add_boolean_value (builder, self->outcome->microsoft);
  add_string_or_null (builder, "sign_in", self->sign_in_method);
  add_date_or_null (builder, "sign_in_time", self->outcome->sign_in_time);

  json_builder_set_member_name (builder, "stages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    {
      json_builder_begin_object (builder);
      add_string_or_null (builder, "name", stage_names[i]);
      add_string_or_null (builder, "status", stage_status_names[self->stages[i].status]);
      json_builder_set_member_name (builder, "ms");
      json_builder_add_int_value (builder, self->stages[i].duration_ms);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "tls");
  if (tls != NULL)
    {
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
  else
    json_builder_add_null_value (builder);

  add_strv (builder, "capabilities", (const char * const *) self->outcome->capabilities);
  add_strv (builder, "addresses", (const char * const *) self->outcome->addresses);
  json_builder_end_object (builder);

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

/* The report a user copies into a help request: what was checked, what each
 * stage did and what the server said; while the check runs, what is known
 * so far. Credentials never appear: commands that carry them were redacted
 * as they were sent. */
char *
mail_setup_check_to_text_report (MailSetupCheck *self)
{
  g_autoptr(GString) report = g_string_new (NULL);
  const MailSetupTlsInfo *tls;
  const char *server_response;
  const char * const *transcript;

  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);

  tls = mail_setup_check_get_tls_info (self);
  server_response = mail_setup_check_get_server_response (self);

  g_string_append_printf (report, "Mail Setup %s connection report\n\n", PACKAGE_VERSION);
  g_string_append_printf (report, "Provider: %s\n", self->provider_id ? self->provider_id : "(none)");
  g_string_append_printf (report, "Server: %s, port %u, %s\n", self->server, self->port,
                          self->security == MAIL_SETUP_SECURITY_STARTTLS ? "STARTTLS" : "SSL/TLS");
  g_string_append_printf (report, "User name: %s\n", self->username);
  if (self->sign_in_method != NULL)
    g_string_append_printf (report, "Microsoft sign-in: %s\n", self->sign_in_method);
  if (self->outcome != NULL)
    {
      MailSetupDiagnosis diagnosis = self->outcome->diagnosis;
      const char *remedy = mail_setup_diagnosis_get_remedy (diagnosis);

      g_string_append_printf (report, "Diagnosis: %s\n",
                              mail_setup_diagnosis_to_string (diagnosis));
      if (remedy != NULL)
        g_string_append_printf (report, "Remedy: %s\n", remedy);
    }
  else
    g_string_append (report, "Diagnosis: none yet, the test is still running\n");
  if (server_response != NULL)
    g_string_append_printf (report, "Server's last answer: %s\n", server_response);
  if (mail_setup_check_get_detected_protocol (self) != NULL)
    g_string_append_printf (report, "Detected protocol: %s\n",
                            mail_setup_check_get_detected_protocol (self));

  g_string_append (report, "\nStages:\n");
  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    g_string_append_printf (report, "  %-9s %-8s %u ms\n", stage_names[i],
                            stage_status_names[self->stages[i].status],
                            self->stages[i].duration_ms);

  if (tls != NULL)
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

  transcript = mail_setup_check_get_transcript (self);
  if (transcript != NULL && transcript[0] != NULL)
    {
      g_string_append (report, "\nConversation:\n");
      for (guint i = 0; transcript[i] != NULL; i++)
        g_string_append_printf (report, "  %s\n", transcript[i]);
    }

  return g_string_free (g_steal_pointer (&report), FALSE);
}
