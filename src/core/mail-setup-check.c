/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-setup-check-private.h"
#include "mail-setup-connection.h"
#include "mail-setup-core-enums.h"
#include "mail-setup-imap.h"
#include "mail-setup-sasl.h"
#include "mail-setup-secret.h"
#include "mail-setup-smtp-session.h"
#include "mail-setup-stage-runner.h"

/*
 * The IMAP check: its stages, run by a MailSetupStageRunner in a worker
 * thread, and the IMAP session they speak (tags, the bounded reader, the
 * transcript with credentials redacted). The way to the server and TLS are
 * MailSetupConnection's, the sign-in messages MailSetupSasl's, and the
 * reports are in mail-setup-check-report.c.
 */

#define MAX_LINE_LENGTH (64 * 1024)
#define MAX_LITERAL_LENGTH (1024 * 1024)
#define LOGOUT_TIMEOUT_SECONDS 3
/* Enough of the first line to tell what kind of server sent it. */
#define MAX_FIRST_LINE_LENGTH 1024
/* How long before the greeting's deadline a silent server is asked what it
 * is (see read_first_line()). */
#define SILENCE_PROBE_SECONDS 1

typedef struct
{
  MailSetupStageStatus status;
  guint                duration_ms;
} StageResult;

struct _MailSetupCheck
{
  GObject                 parent_instance;

  MailSetupProtocol       protocol;
  char                   *server;
  guint16                 port;
  MailSetupSecurity       security;
  char                   *username;
  MailSetupSecret        *password;
  MailSetupSecret        *access_token;
  char                   *provider_id;
  gboolean                provider_is_microsoft;
  char                   *extra_ca_file;
  guint                   timeout_seconds;
  char                   *sign_in_method;
  char                   *sender;
  MailSetupCheck         *outgoing;

  gboolean                running;
  StageResult             stages[MAIL_SETUP_N_CHECK_STAGES];
  /* What is known so far, while the check runs. */
  MailSetupTlsInfo       *progress_tls_info;
  char                   *progress_server_response;
  MailSetupCheckOutcome  *outcome;
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

static const char *smtp_stage_names[MAIL_SETUP_N_CHECK_STAGES] = {
  "resolve", "connect", "tls", "greeting", "sign-in", "sender", "quit",
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

const char *
mail_setup_check_get_remedy (MailSetupCheck *self)
{
  MailSetupDiagnosis diagnosis;

  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  g_return_val_if_fail (self->outcome != NULL, NULL);

  diagnosis = self->outcome->diagnosis;
  if (self->protocol == MAIL_SETUP_PROTOCOL_SMTP)
    return mail_setup_diagnosis_get_sending_remedy (diagnosis, self->access_token != NULL);

  return mail_setup_diagnosis_get_remedy (diagnosis);
}

const char *
mail_setup_check_get_stage_name (MailSetupCheck      *self,
                                 MailSetupCheckStage  stage)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  g_return_val_if_fail (stage < MAIL_SETUP_N_CHECK_STAGES, NULL);

  if (self->protocol == MAIL_SETUP_PROTOCOL_SMTP)
    return smtp_stage_names[stage];

  return stage_names[stage];
}

const char *
mail_setup_check_get_stage_label (MailSetupCheck      *self,
                                  MailSetupCheckStage  stage)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  g_return_val_if_fail (stage < MAIL_SETUP_N_CHECK_STAGES, NULL);

  if (self->protocol == MAIL_SETUP_PROTOCOL_SMTP && stage == MAIL_SETUP_CHECK_STAGE_MAILBOX)
    return _("Checking the sender address");

  return mail_setup_check_stage_get_label (stage);
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

/* What the IMAP stages work with in the worker thread: the runner, the way
 * to the server and the IMAP session. It copies the settings so that the
 * object may be read from the main thread while the check runs. */
typedef struct
{
  MailSetupStageRunner  *runner;
  MailSetupCheckOutcome *outcome;    /* the runner's */
  MailSetupConnection   *connection;

  MailSetupSecurity      security;
  char                  *username;
  MailSetupSecret       *password;
  MailSetupSecret       *access_token;
  gboolean               uses_token;

  MailSetupImapReader   *reader;
  guint                  next_tag;
} Run;

static void
run_free (Run *run)
{
  g_clear_pointer (&run->connection, mail_setup_connection_free);
  g_free (run->username);
  g_clear_pointer (&run->password, mail_setup_secret_free);
  g_clear_pointer (&run->access_token, mail_setup_secret_free);
  g_clear_pointer (&run->reader, mail_setup_imap_reader_free);
  g_free (run);
}

static void
stage_begin (Run                 *run,
             MailSetupCheckStage  stage,
             gint64               timeout_us)
{
  mail_setup_stage_runner_begin (run->runner, stage, timeout_us);
}

static void
stage_end (Run                  *run,
           MailSetupStageStatus  status)
{
  mail_setup_stage_runner_end (run->runner, status);
}

static void
fail (Run                *run,
      MailSetupDiagnosis  diagnosis)
{
  mail_setup_stage_runner_fail (run->runner, diagnosis);
}

static void
fail_with_error (Run          *run,
                 const GError *error)
{
  mail_setup_stage_runner_fail_with_error (run->runner, error);
}

static void
transcript_add (Run        *run,
                const char *direction,
                const char *text)
{
  mail_setup_stage_runner_note (run->runner, direction, text);
}

#define FAILED_WITH_DIAGNOSIS(run) mail_setup_stage_runner_has_failed ((run)->runner)

/* A stage event, on the caller's main context. */
static void
deliver_stage_event_cb (GObject             *owner,
                     MailSetupStageEvent *event)
{
  MailSetupCheck *self = MAIL_SETUP_CHECK (owner);

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
    run->runner->saw_bye = TRUE;

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

      n = mail_setup_stream_read (run->connection->stream, buffer, sizeof buffer,
                                  run->runner->deadline, run->runner->cancellable, error);
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

  return mail_setup_stream_write_all (run->connection->stream, text, length,
                                      run->runner->deadline, run->runner->cancellable, error);
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
 * TLS handshake to break (see mail_setup_connection_probe_tls()). */
static char *
read_first_line (Run     *run,
                 GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean may_probe = run->security != MAIL_SETUP_SECURITY_STARTTLS;
  gint64 probe_time = run->runner->deadline - MIN (SILENCE_PROBE_SECONDS * G_USEC_PER_SEC,
                                                   run->runner->timeout_us / 2);
  const char *line_end;
  char buffer[4096];

  while (memchr (line->str, '\n', line->len) == NULL && line->len < MAX_FIRST_LINE_LENGTH)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n;

      n = mail_setup_stream_read (run->connection->stream, buffer, sizeof buffer,
                                  may_probe ? probe_time : run->runner->deadline,
                                  run->runner->cancellable, &local_error);
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
  if (mail_setup_connection_recognise_other_server (run->connection, first_line))
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


/* Implicit TLS: the handshake first, then the greeting inside it. */
static gboolean
secure_implicitly (Run      *run,
                   gboolean *preauth)
{
  g_autoptr(GError) error = NULL;

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_TLS, run->runner->timeout_us);
  if (!mail_setup_connection_handshake (run->connection))
    return FALSE;
  stage_end (run, MAIL_SETUP_STAGE_STATUS_OK);

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_GREETING, run->runner->timeout_us);
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

/* Only a server that has sent nothing may be one that waits for TLS. */
static gboolean
silent_server_speaks_tls (Run          *run,
                          const GError *error)
{
  return mail_setup_imap_reader_get_buffered_size (run->reader) == 0 &&
         mail_setup_connection_probe_tls (run->connection, error);
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

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_GREETING, run->runner->timeout_us);
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
      else if (g_cancellable_is_cancelled (run->runner->cancellable))
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

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_TLS, run->runner->timeout_us);
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
  if (!mail_setup_connection_handshake (run->connection) || !refresh_capabilities (run, &error))
    {
      if (!FAILED_WITH_DIAGNOSIS (run))
        fail_with_error (run, error);
      return FALSE;
    }

  stage_end (run, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

/* AUTHENTICATE with MECHANISM and its INITIAL_RESPONSE, at once where the
 * server takes SASL-IR, else after its go-ahead; the answer to that. */
static MailSetupImapResponse *
authenticate (Run         *run,
              const char  *tag,
              const char  *mechanism,
              const char  *initial_response,
              GError     **error)
{
  g_autoptr(MailSetupSecret) line = NULL;
  g_autoptr(MailSetupImapResponse) response = NULL;

  if (has_capability (run, "SASL-IR"))
    {
      line = mail_setup_secret_take (g_strdup_printf ("%s AUTHENTICATE %s %s\r\n", tag, mechanism,
                                                      initial_response));
      if (!send_text (run, line, strlen (line), FALSE, error))
        return NULL;
      return read_until_tagged (run, tag, error);
    }

  line = mail_setup_secret_take (g_strdup_printf ("%s AUTHENTICATE %s\r\n", tag, mechanism));
  if (!send_text (run, line, strlen (line), FALSE, error))
    return NULL;
  response = read_until_tagged (run, tag, error);
  if (response == NULL || response->kind != MAIL_SETUP_IMAP_RESPONSE_CONTINUATION)
    return g_steal_pointer (&response);

  g_clear_pointer (&line, mail_setup_secret_free);
  line = mail_setup_secret_take (g_strconcat (initial_response, "\r\n", NULL));
  if (!send_text (run, line, strlen (line), TRUE, error))
    return NULL;
  return read_until_tagged (run, tag, error);
}

static MailSetupImapResponse *
authenticate_plain (Run     *run,
                    GError **error)
{
  g_autoptr(MailSetupSecret) encoded = mail_setup_sasl_plain_response (run->username,
                                                                       run->password);
  g_autofree char *tag = next_tag (run);

  return authenticate (run, tag, "PLAIN", encoded, error);
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

/* XOAUTH2: Dovecot answers a refused token with a challenge first, which
 * an empty line acknowledges; Microsoft answers NO at once. */
static MailSetupImapResponse *
authenticate_xoauth2 (Run     *run,
                      GError **error)
{
  g_autoptr(MailSetupSecret) encoded = mail_setup_sasl_xoauth2_response (run->username,
                                                                         run->access_token);
  g_autoptr(MailSetupImapResponse) response = NULL;
  g_autofree char *tag = next_tag (run);

  response = authenticate (run, tag, "XOAUTH2", encoded, error);
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

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_SIGN_IN, run->runner->timeout_us);

  /* Never reached without TLS; this is the last line of defence. */
  if (!mail_setup_stream_is_tls (run->connection->stream))
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

  stage_begin (run, MAIL_SETUP_CHECK_STAGE_MAILBOX, run->runner->timeout_us);

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
               MIN (run->runner->timeout_us, LOGOUT_TIMEOUT_SECONDS * G_USEC_PER_SEC));

  response = run_command (run, "LOGOUT", &error);
  if (response == NULL || response->status != MAIL_SETUP_IMAP_STATUS_OK)
    {
      if (error != NULL &&
          mail_setup_stage_runner_diagnose_error (run->runner, error) == MAIL_SETUP_DIAGNOSIS_CANCELLED)
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

  mail_setup_stage_runner_skip_after (run->runner,
                                      run->security == MAIL_SETUP_SECURITY_STARTTLS
                                      ? order_starttls : order_implicit,
                                      failed);
}

static void
check_thread (MailSetupStageRunner *runner,
              gpointer              data)
{
  Run *run = data;
  gboolean preauth = FALSE;
  gboolean ok;

  ok = mail_setup_connection_resolve (run->connection) &&
       mail_setup_connection_connect (run->connection);
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
      stage_begin (run, MAIL_SETUP_CHECK_STAGE_SIGN_IN, run->runner->timeout_us);
      stage_end (run, MAIL_SETUP_STAGE_STATUS_SKIPPED);
    }
  else if (ok)
    ok = sign_in (run);

  ok = ok && open_mailbox (run);

  if (ok)
    log_out (run);
  else
    skip_stages_after (run, runner->stage);

  mail_setup_connection_close (run->connection);
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
  g_free (self->sender);
  g_clear_object (&self->outgoing);
  g_clear_pointer (&self->progress_tls_info, mail_setup_tls_info_free);
  g_free (self->progress_server_response);
  g_clear_pointer (&self->outcome, mail_setup_check_outcome_free);

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
                  G_TYPE_NONE, 1, MAIL_SETUP_TYPE_CHECK_STAGE);

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
                  G_TYPE_NONE, 3, MAIL_SETUP_TYPE_CHECK_STAGE, MAIL_SETUP_TYPE_STAGE_STATUS,
                  G_TYPE_UINT);
}

static void
mail_setup_check_init (MailSetupCheck *self)
{
  self->protocol = MAIL_SETUP_PROTOCOL_IMAP;
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

MailSetupCheck *
mail_setup_check_new_smtp (const char        *server,
                           guint16            port,
                           MailSetupSecurity  security,
                           const char        *username)
{
  MailSetupCheck *self = mail_setup_check_new (server, port, security, username);

  g_return_val_if_fail (self != NULL, NULL);

  self->protocol = MAIL_SETUP_PROTOCOL_SMTP;
  return self;
}

MailSetupProtocol
mail_setup_check_get_protocol (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), MAIL_SETUP_PROTOCOL_IMAP);
  return self->protocol;
}

void
mail_setup_check_set_sender (MailSetupCheck *self,
                             const char     *address)
{
  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));

  g_free (self->sender);
  self->sender = g_strdup (address);
}

const char *
mail_setup_check_get_sender (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);

  if (self->sender != NULL)
    return self->sender;
  if (strchr (self->username, '@') != NULL)
    return self->username;
  return NULL;
}

void
mail_setup_check_set_outgoing (MailSetupCheck *self,
                               MailSetupCheck *outgoing)
{
  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));
  g_return_if_fail (self->protocol == MAIL_SETUP_PROTOCOL_IMAP);
  g_return_if_fail (outgoing == NULL || MAIL_SETUP_IS_CHECK (outgoing));
  g_return_if_fail (outgoing == NULL || outgoing->protocol == MAIL_SETUP_PROTOCOL_SMTP);
  g_return_if_fail (!self->running && self->outcome == NULL);

  g_set_object (&self->outgoing, outgoing);
}

MailSetupCheck *
mail_setup_check_get_outgoing (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  return self->outgoing;
}

MailSetupCheck *
mail_setup_check_get_failed_check (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  g_return_val_if_fail (self->outcome != NULL, NULL);

  if (self->outcome->diagnosis != MAIL_SETUP_DIAGNOSIS_OK)
    return self;
  if (self->outgoing != NULL && self->outgoing->outcome != NULL &&
      self->outgoing->outcome->diagnosis != MAIL_SETUP_DIAGNOSIS_OK)
    return self->outgoing;
  return NULL;
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

/* The part of a run that ended: this check's own stages, or the outgoing
 * check's. The caller hears of the run once both have. */
static void
run_part_done (GTask *task)
{
  guint *pending = g_task_get_task_data (task);

  if (--*pending == 0)
    g_task_return_boolean (task, TRUE);
}

static void
own_run_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  MailSetupCheck *self = MAIL_SETUP_CHECK (source);
  g_autoptr(GTask) task = user_data;
  MailSetupCheckOutcome *outcome;

  outcome = g_task_propagate_pointer (G_TASK (result), NULL);
  g_return_if_fail (outcome != NULL);

  self->running = FALSE;
  g_clear_pointer (&self->outcome, mail_setup_check_outcome_free);
  self->outcome = outcome;

  run_part_done (task);
}

static void
outgoing_run_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  mail_setup_check_run_finish (MAIL_SETUP_CHECK (source), result);
  run_part_done (task);
}

static void
start_own_run (MailSetupCheck *self,
               GCancellable   *cancellable,
               GTask          *task)
{
  g_autoptr(GTask) own_task = NULL;
  MailSetupStageRunner *runner;
  MailSetupConnection *connection;

  own_task = g_task_new (self, cancellable, own_run_done_cb, g_object_ref (task));
  g_task_set_source_tag (own_task, start_own_run);

  runner = mail_setup_stage_runner_new (G_OBJECT (self), deliver_stage_event_cb, cancellable,
                                        (gint64) self->timeout_seconds * G_USEC_PER_SEC);
  runner->outcome->microsoft = self->provider_is_microsoft;
  connection = mail_setup_connection_new (runner, self->server, self->port, self->extra_ca_file);

  if (self->protocol == MAIL_SETUP_PROTOCOL_SMTP)
    {
      MailSetupSmtpSession *session;

      session = mail_setup_smtp_session_new (runner, connection, self->security, self->username,
                                             mail_setup_check_get_sender (self), self->password,
                                             self->access_token);
      mail_setup_stage_runner_run_in_thread (runner, own_task, mail_setup_smtp_session_run,
                                             session,
                                             (GDestroyNotify) mail_setup_smtp_session_free);
    }
  else
    {
      Run *run = g_new0 (Run, 1);

      runner->protocol_error_domain = MAIL_SETUP_IMAP_ERROR;
      run->runner = runner;
      run->outcome = runner->outcome;
      run->connection = connection;
      run->security = self->security;
      run->username = g_strdup (self->username);
      run->password = mail_setup_secret_new (self->password);
      run->access_token = mail_setup_secret_new (self->access_token);
      run->uses_token = self->access_token != NULL;
      mail_setup_stage_runner_run_in_thread (runner, own_task, check_thread, run,
                                             (GDestroyNotify) run_free);
    }
}

void
mail_setup_check_run_async (MailSetupCheck      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  guint *pending;

  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));
  g_return_if_fail (!self->running && self->outcome == NULL);
  g_return_if_fail (self->password != NULL || self->access_token != NULL);

  self->running = TRUE;
  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    self->stages[i] = (StageResult) { MAIL_SETUP_STAGE_STATUS_PENDING, 0 };

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mail_setup_check_run_async);
  /* The outcome says how a cancelled check ended. */
  g_task_set_check_cancellable (task, FALSE);
  pending = g_new (guint, 1);
  *pending = self->outgoing != NULL ? 2 : 1;
  g_task_set_task_data (task, pending, g_free);

  if (self->outgoing != NULL)
    {
      /* The same sign-in serves both, unless the outgoing server has its own. */
      if (self->outgoing->password == NULL && self->outgoing->access_token == NULL)
        {
          if (self->access_token != NULL)
            mail_setup_check_set_access_token (self->outgoing, self->access_token);
          else
            mail_setup_check_set_password (self->outgoing, self->password);
        }
      if (self->outgoing->sign_in_method == NULL)
        mail_setup_check_set_sign_in_method (self->outgoing, self->sign_in_method);
      mail_setup_check_run_async (self->outgoing, cancellable, outgoing_run_done_cb,
                                  g_object_ref (task));
    }

  start_own_run (self, cancellable, task);
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
  MailSetupCheckOutcome *outcome;

  g_return_if_fail (MAIL_SETUP_IS_CHECK (self));
  g_return_if_fail (!self->running && self->outcome == NULL);
  g_return_if_fail (mail_setup_diagnosis_is_sign_in (diagnosis));

  for (guint i = 0; i < MAIL_SETUP_N_CHECK_STAGES; i++)
    self->stages[i] = (StageResult) { MAIL_SETUP_STAGE_STATUS_SKIPPED, 0 };

  outcome = mail_setup_check_outcome_new ();
  outcome->diagnosis = diagnosis;
  outcome->server_response = g_strdup (server_response);
  outcome->microsoft = self->provider_is_microsoft;
  g_ptr_array_add (outcome->transcript,
                   g_strdup ("! Microsoft sign-in did not give a token, so no server was asked"));
  self->outcome = outcome;

  if (self->outgoing != NULL && !self->outgoing->running && self->outgoing->outcome == NULL)
    mail_setup_check_finish_with_sign_in_failure (self->outgoing, diagnosis, server_response);
}

/* Returns the diagnosis; the rest of the outcome is read with the getters. */
MailSetupDiagnosis
mail_setup_check_run_finish (MailSetupCheck *self,
                             GAsyncResult   *result)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), MAIL_SETUP_DIAGNOSIS_CANCELLED);
  g_return_val_if_fail (g_task_is_valid (result, self), MAIL_SETUP_DIAGNOSIS_CANCELLED);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mail_setup_check_run_async,
                        MAIL_SETUP_DIAGNOSIS_CANCELLED);

  g_task_propagate_boolean (G_TASK (result), NULL);
  g_return_val_if_fail (self->outcome != NULL, MAIL_SETUP_DIAGNOSIS_CANCELLED);

  return self->outcome->diagnosis;
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

const MailSetupCheckOutcome *
mail_setup_check_get_outcome (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), NULL);
  return self->outcome;
}

gboolean
mail_setup_check_get_provider_is_microsoft (MailSetupCheck *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_CHECK (self), FALSE);
  return self->provider_is_microsoft;
}
