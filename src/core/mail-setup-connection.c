/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "mail-setup-address-list.h"
#include "mail-setup-connection.h"
#include "mail-setup-http.h"
#include "mail-setup-imap.h"

#define TLS_PROBE_TIMEOUT_SECONDS 2
#define ISSUER_FETCH_TIMEOUT_SECONDS 2
#define MAX_ISSUER_RESPONSE_LENGTH (64 * 1024)

static void
note_sanitized (MailSetupConnection *connection,
                const char          *note)
{
  g_autofree char *shown = mail_setup_imap_sanitize_text (note, -1);

  mail_setup_stage_runner_note (connection->runner, "!", shown);
}

/* The server's words, made safe to show, as its last answer. */
static void
remember_server_words (MailSetupConnection *connection,
                       const char          *line)
{
  MailSetupCheckOutcome *outcome = connection->runner->outcome;

  g_free (outcome->server_response);
  outcome->server_response = mail_setup_imap_sanitize_text (line, -1);
  mail_setup_stage_runner_note (connection->runner, "S:", outcome->server_response);
}

static void
start_resolve (gpointer             data,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  MailSetupConnection *connection = data;
  g_autoptr(GResolver) resolver = g_resolver_get_default ();

  g_resolver_lookup_by_name_async (resolver, connection->server, cancellable, callback,
                                   user_data);
}

static void
start_connect (gpointer             data,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  MailSetupConnection *connection = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(MailSetupAddressList) addresses = NULL;

  /* The addresses the resolve stage found, not a second lookup. */
  addresses = mail_setup_address_list_new (connection->server, connection->addresses,
                                           connection->port);
  /* Mail does not go through web proxies, and looking them up costs time. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, MAX (1, connection->runner->timeout_us / G_USEC_PER_SEC));
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (addresses), cancellable,
                                 callback, user_data);
}

static void
start_connect_to_issuer (gpointer             data,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  MailSetupConnection *connection = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  /* Direct, as the connection to the mail server is: looking for a proxy
   * (a PAC script, WPAD) could take longer than the whole fetch may. Where
   * only a proxy gets out, the chain stays an unknown authority's. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, ISSUER_FETCH_TIMEOUT_SECONDS);
  g_socket_client_connect_to_uri_async (client, connection->issuer_url, 80, cancellable,
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
fetch_issuer (MailSetupConnection  *connection,
              const char           *url,
              GError              **error)
{
  MailSetupStageRunner *runner = connection->runner;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnection) socket_connection = NULL;
  g_autoptr(MailSetupStream) stream = NULL;
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  g_autofree char *request = NULL;
  gint64 stage_deadline = runner->deadline;
  gboolean received = FALSE;

  request = mail_setup_http_build_get (url, error);
  if (request == NULL)
    return NULL;

  runner->deadline = MIN (stage_deadline,
                          g_get_monotonic_time () + ISSUER_FETCH_TIMEOUT_SECONDS * G_USEC_PER_SEC);
  connection->issuer_url = url;
  result = mail_setup_stage_runner_wait (runner, start_connect_to_issuer, connection);
  connection->issuer_url = NULL;
  client = G_SOCKET_CLIENT (g_async_result_get_source_object (result));
  socket_connection = g_socket_client_connect_finish (client, result, error);
  if (socket_connection != NULL)
    {
      stream = mail_setup_stream_new (socket_connection);
      received = mail_setup_stream_write_all (stream, request, strlen (request),
                                              runner->deadline, runner->cancellable, error) &&
                 read_to_end (stream, answer, runner->deadline, runner->cancellable, error);
    }
  runner->deadline = stage_deadline;
  runner->stage_timed_out = FALSE;

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
missing_issuer_found (MailSetupConnection *connection)
{
  const char *url = mail_setup_stream_get_missing_issuer_url (connection->stream);
  g_autoptr(GBytes) issuer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;

  if (url == NULL)
    return FALSE;

  /* The address and the answer are the certificate's and the web
   * server's words, shown as safely as the mail server's. */
  note = g_strdup_printf ("The chain lacks its issuer's certificate; fetching it from %s", url);
  note_sanitized (connection, note);

  issuer = fetch_issuer (connection, url, &error);
  if (issuer == NULL)
    {
      g_autofree char *failure = g_strdup_printf ("Could not fetch it: %s", error->message);

      note_sanitized (connection, failure);
      return FALSE;
    }

  if (!mail_setup_stream_completes_chain (connection->stream, issuer))
    {
      mail_setup_stage_runner_note (connection->runner, "!",
                                    "What it served does not lead to a trusted authority either");
      return FALSE;
    }

  mail_setup_stage_runner_note (connection->runner, "!",
                                "It links the server's certificate to a trusted authority: "
                                "the server left it out");
  return TRUE;
}

/* What the TLS error alone does not say: a server that answered the
 * ClientHello in plain text is shown by its words, and named when they are
 * another protocol's greeting; an untrusted chain may only lack a link.
 * Returns TRUE when the check has failed with a diagnosis of its own. */
static gboolean
diagnose_handshake_failure (MailSetupConnection *connection,
                            const GError        *error)
{
  MailSetupStageRunner *runner = connection->runner;
  const char *plain = mail_setup_stream_get_plain_answer (connection->stream);

  if (plain != NULL)
    {
      if (mail_setup_connection_recognise_other_server (connection, plain))
        return TRUE;

      remember_server_words (connection, plain);
      mail_setup_stage_runner_note (runner, "!", "The server answered in plain text, not TLS");
      return FALSE;
    }

  if (!g_error_matches (error, MAIL_SETUP_TLS_ERROR, MAIL_SETUP_TLS_ERROR_UNTRUSTED) ||
      !missing_issuer_found (connection))
    {
      if (g_cancellable_is_cancelled (runner->cancellable))
        {
          mail_setup_stage_runner_fail (runner, MAIL_SETUP_DIAGNOSIS_CANCELLED);
          return TRUE;
        }
      return FALSE;
    }

  g_clear_pointer (&runner->outcome->tls_info, mail_setup_tls_info_free);
  runner->outcome->tls_info = mail_setup_tls_info_copy (mail_setup_stream_get_tls_info (connection->stream));
  mail_setup_stage_runner_fail (runner, MAIL_SETUP_DIAGNOSIS_TLS_INCOMPLETE_CHAIN);
  return TRUE;
}

MailSetupConnection *
mail_setup_connection_new (MailSetupStageRunner *runner,
                           const char           *server,
                           guint16               port,
                           const char           *extra_ca_file)
{
  MailSetupConnection *connection = g_new0 (MailSetupConnection, 1);

  connection->runner = runner;
  connection->server = g_strdup (server);
  connection->port = port;
  connection->extra_ca_file = g_strdup (extra_ca_file);

  return connection;
}

void
mail_setup_connection_free (MailSetupConnection *connection)
{
  g_free (connection->server);
  g_free (connection->extra_ca_file);
  g_resolver_free_addresses (connection->addresses);
  g_clear_pointer (&connection->stream, mail_setup_stream_free);
  g_free (connection);
}

gboolean
mail_setup_connection_resolve (MailSetupConnection *connection)
{
  MailSetupStageRunner *runner = connection->runner;
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) addresses = g_strv_builder_new ();
  GList *list;

  mail_setup_stage_runner_begin (runner, MAIL_SETUP_CHECK_STAGE_RESOLVE, runner->timeout_us);

  result = mail_setup_stage_runner_wait (runner, start_resolve, connection);
  list = g_resolver_lookup_by_name_finish (resolver, result, &error);
  if (list == NULL)
    {
      mail_setup_stage_runner_fail_with_error (runner, error);
      return FALSE;
    }

  for (GList *l = list; l != NULL; l = l->next)
    {
      g_autofree char *address = g_inet_address_to_string (l->data);

      g_strv_builder_add (addresses, address);
    }
  runner->outcome->addresses = g_strv_builder_end (addresses);
  connection->addresses = list;

  mail_setup_stage_runner_end (runner, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

gboolean
mail_setup_connection_connect (MailSetupConnection *connection)
{
  MailSetupStageRunner *runner = connection->runner;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnection) socket_connection = NULL;
  g_autoptr(GError) error = NULL;

  mail_setup_stage_runner_begin (runner, MAIL_SETUP_CHECK_STAGE_CONNECT, runner->timeout_us);

  result = mail_setup_stage_runner_wait (runner, start_connect, connection);
  client = G_SOCKET_CLIENT (g_async_result_get_source_object (result));
  socket_connection = g_socket_client_connect_finish (client, result, &error);
  if (socket_connection == NULL)
    {
      mail_setup_stage_runner_fail_with_error (runner, error);
      return FALSE;
    }

  connection->stream = mail_setup_stream_new (socket_connection);
  mail_setup_stage_runner_end (runner, MAIL_SETUP_STAGE_STATUS_OK);
  return TRUE;
}

/* The TLS handshake within the current stage, at once or after the
 * protocol's STARTTLS. A failure fails the stage with its diagnosis. */
gboolean
mail_setup_connection_handshake (MailSetupConnection *connection)
{
  MailSetupStageRunner *runner = connection->runner;
  MailSetupStream *stream = connection->stream;
  g_autoptr(GError) error = NULL;

  if (!mail_setup_stream_start_tls (stream, connection->server, connection->extra_ca_file,
                                    runner->deadline, runner->cancellable, &error))
    {
      if (mail_setup_stream_get_tls_info (stream) != NULL)
        runner->outcome->tls_info = mail_setup_tls_info_copy (mail_setup_stream_get_tls_info (stream));
      if (!diagnose_handshake_failure (connection, error))
        mail_setup_stage_runner_fail_with_error (runner, error);
      return FALSE;
    }

  runner->outcome->tls_info = mail_setup_tls_info_copy (mail_setup_stream_get_tls_info (stream));
  return TRUE;
}

/* A server that expects TLS from the start waits for the client in silence,
 * just like one that never greets; only a handshake tells them apart. It is
 * tried once the wait for the greeting ended with ERROR, on a connection
 * that has failed anyway, from which the caller has read nothing. Returns
 * TRUE when the server speaks TLS; a server that answers as another kind of
 * server fails the check as such. */
gboolean
mail_setup_connection_probe_tls (MailSetupConnection *connection,
                                 const GError        *error)
{
  MailSetupStageRunner *runner = connection->runner;
  const char *plain;
  g_autoptr(GError) probe_error = NULL;
  gint64 deadline;

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return FALSE;

  deadline = g_get_monotonic_time () + MIN (runner->timeout_us,
                                            TLS_PROBE_TIMEOUT_SECONDS * G_USEC_PER_SEC);
  if (mail_setup_stream_start_tls (connection->stream, connection->server,
                                   connection->extra_ca_file, deadline, runner->cancellable,
                                   &probe_error))
    return TRUE;

  /* A web server answers the ClientHello with an HTTP error, in plain text. */
  plain = mail_setup_stream_get_plain_answer (connection->stream);
  if (plain != NULL && mail_setup_connection_recognise_other_server (connection, plain))
    return FALSE;

  /* A certificate can only be refused once the server has answered in TLS. */
  return probe_error->domain == MAIL_SETUP_TLS_ERROR &&
         probe_error->code != MAIL_SETUP_TLS_ERROR_HANDSHAKE_FAILED &&
         probe_error->code != MAIL_SETUP_TLS_ERROR_CA_FILE;
}

/* Fails the check as NOT_IMAP (NOT_SMTP for an SMTP check) when LINE, the
 * first line a server sent, is another kind of server's greeting, and
 * returns TRUE: nothing more is sent to such a server. The line is what the
 * user is shown of it. */
gboolean
mail_setup_connection_recognise_other_server (MailSetupConnection *connection,
                                              const char          *line)
{
  MailSetupStageRunner *runner = connection->runner;
  MailSetupProtocol protocol = MAIL_SETUP_PROTOCOL_UNKNOWN;
  gboolean smtp = runner->protocol == MAIL_SETUP_PROTOCOL_SMTP;
  g_autofree char *note = NULL;

  if (!mail_setup_diagnosis_recognise_server (runner->protocol, line, connection->port, &protocol))
    return FALSE;

  remember_server_words (connection, line);
  runner->outcome->detected_protocol = protocol;
  /* Microsoft's SMTP servers name themselves as its IMAP servers do. */
  if (mail_setup_diagnosis_is_microsoft_greeting (line))
    runner->outcome->microsoft = TRUE;

  note = g_strdup_printf ("The server greets as %s, not as %s",
                          protocol != MAIL_SETUP_PROTOCOL_UNKNOWN
                          ? mail_setup_protocol_to_string (protocol) : "another kind of server",
                          smtp ? "SMTP" : "IMAP");
  mail_setup_stage_runner_note (runner, "!", note);
  mail_setup_stage_runner_fail (runner, smtp ? MAIL_SETUP_DIAGNOSIS_NOT_SMTP
                                             : MAIL_SETUP_DIAGNOSIS_NOT_IMAP);
  return TRUE;
}

/* Closes the connection, if there is one, within half a second. */
void
mail_setup_connection_close (MailSetupConnection *connection)
{
  if (connection->stream != NULL)
    mail_setup_stream_close (connection->stream, g_get_monotonic_time () + G_USEC_PER_SEC / 2);
}
