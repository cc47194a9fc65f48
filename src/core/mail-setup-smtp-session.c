/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "mail-setup-imap.h"
#include "mail-setup-sasl.h"
#include "mail-setup-secret.h"
#include "mail-setup-smtp.h"
#include "mail-setup-smtp-session.h"

/*
 * The SMTP check's stages, in the worker thread: the greeting and EHLO,
 * STARTTLS (or TLS from the start), AUTH, then MAIL FROM and RSET, and
 * QUIT. One command at a time, never pipelined, and never DATA: the check
 * asks whether the server would take mail from the sender, then takes the
 * question back.
 */

/* RFC 5321 allows 512 bytes a reply line; servers are known to write
 * longer ones, but nothing near this. */
#define MAX_LINE_LENGTH (4 * 1024)
/* An EHLO reply has a line for each extension: a dozen or two. */
#define MAX_REPLY_LINES 100
/* Enough of the first line to tell what kind of server sent it. */
#define MAX_FIRST_LINE_LENGTH 1024
#define QUIT_TIMEOUT_SECONDS 3
/* What EHLO says this client is. RFC 5321 asks for a domain name or an
 * address literal; the computer's own name is often neither ("laptop"),
 * which strict servers refuse, and it tells the server something about
 * the user ("annas-laptop"). A loopback literal is valid syntax, the same
 * for everyone, and a submission server does not judge its client by it. */
#define EHLO_COMMAND "EHLO [127.0.0.1]"

struct _MailSetupSmtpSession
{
  MailSetupStageRunner *runner;
  MailSetupConnection  *connection;
  MailSetupSecurity     security;
  char                 *username;
  char                 *sender;
  MailSetupSecret      *password;
  MailSetupSecret      *access_token;

  MailSetupSmtpReader  *reader;
};

MailSetupSmtpSession *
mail_setup_smtp_session_new (MailSetupStageRunner *runner,
                             MailSetupConnection  *connection,
                             MailSetupSecurity     security,
                             const char           *username,
                             const char           *sender,
                             const char           *password,
                             const char           *access_token)
{
  MailSetupSmtpSession *session = g_new0 (MailSetupSmtpSession, 1);

  runner->protocol = MAIL_SETUP_PROTOCOL_SMTP;
  runner->protocol_error_domain = MAIL_SETUP_SMTP_ERROR;

  session->runner = runner;
  session->connection = connection;
  session->security = security;
  session->username = g_strdup (username);
  session->sender = g_strdup (sender);
  session->password = mail_setup_secret_new (password);
  session->access_token = mail_setup_secret_new (access_token);

  return session;
}

void
mail_setup_smtp_session_free (MailSetupSmtpSession *session)
{
  g_clear_pointer (&session->connection, mail_setup_connection_free);
  g_free (session->username);
  g_free (session->sender);
  g_clear_pointer (&session->password, mail_setup_secret_free);
  g_clear_pointer (&session->access_token, mail_setup_secret_free);
  g_clear_pointer (&session->reader, mail_setup_smtp_reader_free);
  g_free (session);
}

static MailSetupCheckOutcome *
outcome (MailSetupSmtpSession *session)
{
  return session->runner->outcome;
}

static void
note (MailSetupSmtpSession *session,
      const char           *text)
{
  mail_setup_stage_runner_note (session->runner, "!", text);
}

static void
stage_begin (MailSetupSmtpSession *session,
             MailSetupCheckStage   stage,
             gint64                timeout_us)
{
  mail_setup_stage_runner_begin (session->runner, stage, timeout_us);
}

static void
stage_end (MailSetupSmtpSession *session,
           MailSetupStageStatus  status)
{
  mail_setup_stage_runner_end (session->runner, status);
}

static void
fail (MailSetupSmtpSession *session,
      MailSetupDiagnosis    diagnosis)
{
  mail_setup_stage_runner_fail (session->runner, diagnosis);
}

static void
fail_with_error (MailSetupSmtpSession *session,
                 const GError         *error)
{
  mail_setup_stage_runner_fail_with_error (session->runner, error);
}

#define FAILED_WITH_DIAGNOSIS(session) mail_setup_stage_runner_has_failed ((session)->runner)

/* Every line the server sends goes to the transcript as it is cut, made
 * safe to show. */
static void
note_server_line (const char *line,
                  gsize       length,
                  gpointer    user_data)
{
  MailSetupSmtpSession *session = user_data;
  g_autofree char *shown = mail_setup_imap_sanitize_text (line, (gssize) length);

  mail_setup_stage_runner_note (session->runner, "S:", shown);
}

/* The last reply is what the user is shown of the server's words, its
 * codes included: they are what a help page or an administrator needs. */
static void
remember_reply (MailSetupSmtpSession     *session,
                const MailSetupSmtpReply *reply)
{
  g_free (outcome (session)->server_response);
  outcome (session)->server_response = mail_setup_imap_sanitize_text (reply->shown, -1);
}

static MailSetupSmtpReply *
read_reply (MailSetupSmtpSession  *session,
            GError               **error)
{
  char buffer[4096];

  for (;;)
    {
      MailSetupSmtpReply *reply;
      gssize n;

      reply = mail_setup_smtp_reader_next (session->reader, error);
      if (reply != NULL)
        {
          remember_reply (session, reply);
          return reply;
        }
      if (error != NULL && *error != NULL)
        return NULL;

      n = mail_setup_stream_read (session->connection->stream, buffer, sizeof buffer,
                                  session->runner->deadline, session->runner->cancellable, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               "The server closed the connection");
          return NULL;
        }
      mail_setup_smtp_reader_feed (session->reader, buffer, (gsize) n);
    }
}

/* Sends LINE and its line end. The transcript shows SHOWN instead when
 * LINE carries a credential. */
static gboolean
send_line (MailSetupSmtpSession  *session,
           const char            *line,
           const char            *shown,
           GError               **error)
{
  g_autoptr(MailSetupSecret) bytes = mail_setup_secret_take (g_strconcat (line, "\r\n", NULL));

  mail_setup_stage_runner_note (session->runner, "C:", shown != NULL ? shown : line);

  return mail_setup_stream_write_all (session->connection->stream, bytes, strlen (bytes),
                                      session->runner->deadline, session->runner->cancellable,
                                      error);
}

static MailSetupSmtpReply *
run_command (MailSetupSmtpSession  *session,
             const char            *command,
             GError               **error)
{
  if (!send_line (session, command, NULL, error))
    return NULL;

  return read_reply (session, error);
}

/* Fails the stage with what the reply to COMMAND means, unless it is the
 * answer that lets the check go on. */
static gboolean
reply_accepted (MailSetupSmtpSession     *session,
                MailSetupSmtpCommand      command,
                const MailSetupSmtpReply *reply)
{
  MailSetupDiagnosis diagnosis;

  diagnosis = mail_setup_diagnosis_for_smtp_reply (command, reply->code, reply->enhanced_code,
                                                   reply->text);
  if (diagnosis == MAIL_SETUP_DIAGNOSIS_OK)
    return TRUE;

  fail (session, diagnosis);
  return FALSE;
}

static gboolean
has_extension (MailSetupSmtpSession *session,
               const char           *keyword)
{
  return mail_setup_smtp_extensions_has ((const char * const *) outcome (session)->capabilities,
                                         keyword);
}

static gboolean
offers_auth (MailSetupSmtpSession *session,
             const char           *mechanism)
{
  const char * const *extensions = (const char * const *) outcome (session)->capabilities;

  return mail_setup_smtp_extensions_has_auth (extensions, mechanism);
}

/* The first line the server sends, without its line end, as far as it goes
 * within MAX_FIRST_LINE_LENGTH; every byte read goes on to the reader too,
 * to be read as SMTP once the line is known not to be another server's.
 * A server that stays silent is left to the deadline: over STARTTLS a TLS
 * handshake breaks the silence afterwards (see
 * mail_setup_connection_probe_tls()). */
static char *
read_first_line (MailSetupSmtpSession  *session,
                 GError               **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  const char *line_end;
  char buffer[4096];

  while (memchr (line->str, '\n', line->len) == NULL && line->len < MAX_FIRST_LINE_LENGTH)
    {
      gssize n;

      n = mail_setup_stream_read (session->connection->stream, buffer, sizeof buffer,
                                  session->runner->deadline, session->runner->cancellable, error);
      if (n < 0)
        return NULL;
      /* A server that closes after a line without its end has still said it. */
      if (n == 0 && line->len > 0)
        break;
      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               "The server closed the connection");
          return NULL;
        }

      mail_setup_smtp_reader_feed (session->reader, buffer, (gsize) n);
      g_string_append_len (line, buffer, MIN ((gsize) n, MAX_FIRST_LINE_LENGTH - line->len));
    }

  line_end = memchr (line->str, '\n', line->len);
  if (line_end != NULL)
    g_string_truncate (line, (gsize) (line_end - line->str));
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);

  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* Returns FALSE, with a diagnosis set when the server answered, unless the
 * greeting is a "220". */
static gboolean
read_greeting (MailSetupSmtpSession  *session,
               GError               **error)
{
  g_autoptr(MailSetupSmtpReply) greeting = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *first_line = NULL;

  first_line = read_first_line (session, error);
  if (first_line == NULL)
    return FALSE;
  if (mail_setup_connection_recognise_other_server (session->connection, first_line))
    return FALSE;

  greeting = read_reply (session, &local_error);
  if (greeting == NULL &&
      g_error_matches (local_error, MAIL_SETUP_SMTP_ERROR, MAIL_SETUP_SMTP_ERROR_MALFORMED))
    {
      g_free (outcome (session)->server_response);
      outcome (session)->server_response = mail_setup_imap_sanitize_text (first_line, -1);
      note (session, "The greeting is not an SMTP greeting");
      fail (session, MAIL_SETUP_DIAGNOSIS_NOT_SMTP);
      return FALSE;
    }
  if (greeting == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (mail_setup_diagnosis_is_microsoft_greeting (greeting->text))
    outcome (session)->microsoft = TRUE;

  return reply_accepted (session, MAIL_SETUP_SMTP_COMMAND_GREETING, greeting);
}

/* EHLO, and the extensions it lists as the check's capabilities. Returns
 * FALSE with the stage failed. */
static gboolean
say_ehlo (MailSetupSmtpSession *session)
{
  g_autoptr(MailSetupSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&outcome (session)->capabilities, g_strfreev);

  reply = run_command (session, EHLO_COMMAND, &error);
  if (reply == NULL)
    {
      fail_with_error (session, error);
      return FALSE;
    }
  if (!reply_accepted (session, MAIL_SETUP_SMTP_COMMAND_EHLO, reply))
    return FALSE;

  outcome (session)->capabilities = mail_setup_smtp_parse_extensions (reply);
  return TRUE;
}

/* Implicit TLS: the handshake first, then the greeting and EHLO inside it. */
static gboolean
secure_implicitly (MailSetupSmtpSession *session)
{
  g_autoptr(GError) error = NULL;

  stage_begin (session, MAIL_SETUP_CHECK_STAGE_TLS, session->runner->timeout_us);
  if (!mail_setup_connection_handshake (session->connection))
    return FALSE;
  stage_end (session, MAIL_SETUP_STAGE_STATUS_OK);

  stage_begin (session, MAIL_SETUP_CHECK_STAGE_GREETING, session->runner->timeout_us);
  if (!read_greeting (session, &error))
    {
      if (!FAILED_WITH_DIAGNOSIS (session))
        fail_with_error (session, error);
      return FALSE;
    }
  if (!say_ehlo (session))
    return FALSE;

  stage_end (session, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

/* Only a server that has sent nothing may be one that waits for TLS. */
static gboolean
silent_server_speaks_tls (MailSetupSmtpSession *session,
                          const GError         *error)
{
  return mail_setup_smtp_reader_get_buffered_size (session->reader) == 0 &&
         mail_setup_connection_probe_tls (session->connection, error);
}

/* STARTTLS: the greeting and EHLO in plain text, then the upgrade. Nothing
 * the server said before the handshake is trusted afterwards: the buffer
 * is dropped and EHLO is said again. */
static gboolean
secure_with_starttls (MailSetupSmtpSession *session)
{
  g_autoptr(MailSetupSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  stage_begin (session, MAIL_SETUP_CHECK_STAGE_GREETING, session->runner->timeout_us);
  if (!read_greeting (session, &error))
    {
      /* The handshake that breaks a silence may have been answered by a
       * web server, and failed the check as such. */
      if (!FAILED_WITH_DIAGNOSIS (session) && silent_server_speaks_tls (session, error))
        {
          note (session, "The server expects TLS from the start, not STARTTLS");
          outcome (session)->expects_tls = TRUE;
          fail (session, MAIL_SETUP_DIAGNOSIS_NOT_SMTP);
        }
      else if (FAILED_WITH_DIAGNOSIS (session))
        return FALSE;
      else if (g_cancellable_is_cancelled (session->runner->cancellable))
        fail (session, MAIL_SETUP_DIAGNOSIS_CANCELLED);
      else
        fail_with_error (session, error);
      return FALSE;
    }
  if (!say_ehlo (session))
    return FALSE;
  stage_end (session, MAIL_SETUP_STAGE_STATUS_OK);

  stage_begin (session, MAIL_SETUP_CHECK_STAGE_TLS, session->runner->timeout_us);
  if (!has_extension (session, "STARTTLS"))
    {
      note (session, "The server does not offer STARTTLS");
      fail (session, MAIL_SETUP_DIAGNOSIS_SMTP_STARTTLS_UNAVAILABLE);
      return FALSE;
    }

  reply = run_command (session, "STARTTLS", &error);
  if (reply == NULL)
    {
      fail_with_error (session, error);
      return FALSE;
    }
  if (!reply_accepted (session, MAIL_SETUP_SMTP_COMMAND_STARTTLS, reply))
    return FALSE;

  if (mail_setup_smtp_reader_reset (session->reader) > 0)
    note (session, "Discarded what the server sent before the TLS handshake");
  if (!mail_setup_connection_handshake (session->connection) || !say_ehlo (session))
    return FALSE;

  stage_end (session, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

/* AUTH with MECHANISM and its initial response on the same line (RFC 4954
 * allows the line to be longer than other commands for it; a Microsoft
 * token makes it a few kilobytes). */
static MailSetupSmtpReply *
auth_with_initial_response (MailSetupSmtpSession  *session,
                            const char            *mechanism,
                            const char            *initial_response,
                            GError               **error)
{
  g_autoptr(MailSetupSecret) line = NULL;
  g_autofree char *shown = g_strdup_printf ("AUTH %s <redacted>", mechanism);

  line = mail_setup_secret_take (g_strdup_printf ("AUTH %s %s", mechanism, initial_response));
  if (!send_line (session, line, shown, error))
    return NULL;

  return read_reply (session, error);
}

/* A refused token may come back as a challenge holding the server's reasons
 * (base64 of JSON, as in RFC 7628); they go to the transcript. */
static void
note_token_challenge (MailSetupSmtpSession     *session,
                      const MailSetupSmtpReply *challenge)
{
  g_autofree guchar *decoded = NULL;
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;
  gsize length = 0;

  if (*challenge->text == '\0')
    return;

  decoded = g_base64_decode (challenge->text, &length);
  if (decoded == NULL || length == 0)
    return;

  text = mail_setup_imap_sanitize_text ((const char *) decoded, (gssize) length);
  message = g_strconcat ("The server refused the token: ", text, NULL);
  note (session, message);
}

/* XOAUTH2: a refused token may be answered with a challenge first, which
 * an empty line acknowledges; Microsoft answers 535 at once. */
static MailSetupSmtpReply *
auth_xoauth2 (MailSetupSmtpSession  *session,
              GError               **error)
{
  g_autoptr(MailSetupSecret) encoded = NULL;
  g_autoptr(MailSetupSmtpReply) reply = NULL;

  encoded = mail_setup_sasl_xoauth2_response (session->username, session->access_token);
  reply = auth_with_initial_response (session, "XOAUTH2", encoded, error);
  if (reply == NULL || reply->code != 334)
    return g_steal_pointer (&reply);

  note_token_challenge (session, reply);
  if (!send_line (session, "", NULL, error))
    return NULL;

  return read_reply (session, error);
}

static MailSetupSmtpReply *
auth_plain (MailSetupSmtpSession  *session,
            GError               **error)
{
  g_autoptr(MailSetupSecret) encoded = NULL;

  encoded = mail_setup_sasl_plain_response (session->username, session->password);
  return auth_with_initial_response (session, "PLAIN", encoded, error);
}

/* LOGIN: the server asks for the user name, then the password, each sent
 * as base64 on a line of its own. Microsoft offers it and not PLAIN. */
static MailSetupSmtpReply *
auth_login (MailSetupSmtpSession  *session,
            GError               **error)
{
  const char *answers[] = { session->username, session->password };
  g_autoptr(MailSetupSmtpReply) reply = NULL;

  reply = run_command (session, "AUTH LOGIN", error);
  for (guint i = 0; i < G_N_ELEMENTS (answers) && reply != NULL && reply->code == 334; i++)
    {
      g_autoptr(MailSetupSecret) encoded = NULL;

      encoded = mail_setup_secret_take (g_base64_encode ((const guchar *) answers[i],
                                                         strlen (answers[i])));
      g_clear_pointer (&reply, mail_setup_smtp_reply_free);
      if (!send_line (session, encoded, "<redacted>", error))
        return NULL;
      reply = read_reply (session, error);
    }

  return g_steal_pointer (&reply);
}

static gboolean
sign_in (MailSetupSmtpSession *session)
{
  g_autoptr(MailSetupSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  stage_begin (session, MAIL_SETUP_CHECK_STAGE_SIGN_IN, session->runner->timeout_us);

  /* Never reached without TLS; this is the last line of defence. */
  if (!mail_setup_stream_is_tls (session->connection->stream))
    {
      fail (session, MAIL_SETUP_DIAGNOSIS_SMTP_STARTTLS_UNAVAILABLE);
      return FALSE;
    }

  if (session->access_token != NULL)
    {
      if (!offers_auth (session, "XOAUTH2"))
        {
          note (session, "The server does not offer XOAUTH2, the sign-in with a token");
          fail (session, MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH);
          return FALSE;
        }
      outcome (session)->sign_in_time = g_date_time_new_now_local ();
      reply = auth_xoauth2 (session, &error);
    }
  else if (offers_auth (session, "PLAIN"))
    {
      outcome (session)->sign_in_time = g_date_time_new_now_local ();
      reply = auth_plain (session, &error);
    }
  else if (offers_auth (session, "LOGIN"))
    {
      outcome (session)->sign_in_time = g_date_time_new_now_local ();
      reply = auth_login (session, &error);
    }
  else
    {
      note (session, "The server offers no sign-in method that Mail Setup can use");
      fail (session, MAIL_SETUP_DIAGNOSIS_NO_USABLE_AUTH);
      return FALSE;
    }

  g_clear_pointer (&session->password, mail_setup_secret_free);
  g_clear_pointer (&session->access_token, mail_setup_secret_free);

  if (reply == NULL)
    {
      fail_with_error (session, error);
      return FALSE;
    }

  if (reply->code == 334)
    {
      g_autoptr(MailSetupSmtpReply) cancelled = NULL;

      /* A challenge the mechanism has no answer for; "*" cancels the
       * exchange (RFC 4954), and its answer does not matter. */
      note (session, "The server asked for more than the sign-in method holds");
      if (send_line (session, "*", NULL, NULL))
        cancelled = read_reply (session, NULL);
      fail (session, MAIL_SETUP_DIAGNOSIS_PROTOCOL_ERROR);
      return FALSE;
    }

  if (!reply_accepted (session, MAIL_SETUP_SMTP_COMMAND_AUTH, reply))
    return FALSE;

  stage_end (session, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

/* Whether ADDRESS can go inside MAIL FROM:<...> as it is: no space, no
 * control character (a line end would start a command of its own), no
 * angle bracket. */
static gboolean
is_sendable_address (const char *address)
{
  if (address == NULL || *address == '\0')
    return FALSE;

  for (const guchar *p = (const guchar *) address; *p != '\0'; p++)
    if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>')
      return FALSE;

  return TRUE;
}

static gboolean
is_ascii (const char *text)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    if (*p >= 0x80)
      return FALSE;

  return TRUE;
}

/* MAIL FROM asks whether the server would take mail from the sender's
 * address, which Microsoft refuses for an address that is not the
 * mailbox's own; RSET takes the question back. No recipient is named and
 * no message follows. Without an address (a user name that is not one,
 * and no sender given) the stage is skipped: an address made up here
 * would test nothing of the user's. */
static gboolean
check_sender (MailSetupSmtpSession *session)
{
  g_autoptr(MailSetupSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;

  stage_begin (session, MAIL_SETUP_CHECK_STAGE_MAILBOX, session->runner->timeout_us);

  if (!is_sendable_address (session->sender))
    {
      note (session, session->sender == NULL
                     ? "No sender address to ask about"
                     : "The sender address cannot be sent as it is");
      stage_end (session, MAIL_SETUP_STAGE_STATUS_SKIPPED);
      return TRUE;
    }

  /* An address beyond ASCII needs the server's SMTPUTF8; without it the
   * server's refusal says what there is to say. */
  command = g_strdup_printf ("MAIL FROM:<%s>%s", session->sender,
                             !is_ascii (session->sender) && has_extension (session, "SMTPUTF8")
                             ? " SMTPUTF8" : "");
  reply = run_command (session, command, &error);
  if (reply == NULL)
    {
      fail_with_error (session, error);
      return FALSE;
    }
  if (!reply_accepted (session, MAIL_SETUP_SMTP_COMMAND_MAIL_FROM, reply))
    return FALSE;

  g_clear_pointer (&reply, mail_setup_smtp_reply_free);
  reply = run_command (session, "RSET", &error);
  if (reply == NULL)
    {
      fail_with_error (session, error);
      return FALSE;
    }
  if (!reply_accepted (session, MAIL_SETUP_SMTP_COMMAND_RSET, reply))
    return FALSE;

  stage_end (session, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

/* A server that does not answer QUIT has still passed the check. */
static void
quit (MailSetupSmtpSession *session)
{
  g_autoptr(MailSetupSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  stage_begin (session, MAIL_SETUP_CHECK_STAGE_LOGOUT,
               MIN (session->runner->timeout_us, QUIT_TIMEOUT_SECONDS * G_USEC_PER_SEC));

  reply = run_command (session, "QUIT", &error);
  if (reply == NULL || reply->code != 221)
    {
      if (error != NULL &&
          mail_setup_stage_runner_diagnose_error (session->runner, error) ==
          MAIL_SETUP_DIAGNOSIS_CANCELLED)
        outcome (session)->diagnosis = MAIL_SETUP_DIAGNOSIS_CANCELLED;
      stage_end (session, MAIL_SETUP_STAGE_STATUS_FAILED);
      return;
    }

  stage_end (session, MAIL_SETUP_STAGE_STATUS_OK);
}

static void
skip_stages_after (MailSetupSmtpSession *session,
                   MailSetupCheckStage   failed)
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

  mail_setup_stage_runner_skip_after (session->runner,
                                      session->security == MAIL_SETUP_SECURITY_STARTTLS
                                      ? order_starttls : order_implicit,
                                      failed);
}

void
mail_setup_smtp_session_run (MailSetupStageRunner *runner,
                             gpointer              data)
{
  MailSetupSmtpSession *session = data;
  gboolean ok;

  ok = mail_setup_connection_resolve (session->connection) &&
       mail_setup_connection_connect (session->connection);
  if (ok)
    {
      session->reader = mail_setup_smtp_reader_new (MAX_LINE_LENGTH, MAX_REPLY_LINES);
      mail_setup_smtp_reader_set_line_func (session->reader, note_server_line, session);
      if (session->security == MAIL_SETUP_SECURITY_STARTTLS)
        ok = secure_with_starttls (session);
      else
        ok = secure_implicitly (session);
    }

  ok = ok && sign_in (session);
  ok = ok && check_sender (session);

  if (ok)
    quit (session);
  else
    skip_stages_after (session, runner->stage);

  /* The secrets are gone after AUTH; a check that failed before it wipes
   * them here. */
  g_clear_pointer (&session->password, mail_setup_secret_free);
  g_clear_pointer (&session->access_token, mail_setup_secret_free);
  mail_setup_connection_close (session->connection);
}
