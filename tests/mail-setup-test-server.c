/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>

#include "mail-setup-test-server.h"
#include "mail-setup-test-util.h"

#define ANSWER_TIMEOUT_MS 5000
#define PASSWORD_VARIABLE "MAIL_SETUP_SCRIPTED_SERVER_PASSWORD"
#define TOKEN_VARIABLE "MAIL_SETUP_SCRIPTED_SERVER_TOKEN"

struct _MailSetupTestServer
{
  char             *scenario;
  const char       *name;
  GSubprocess      *process;
  GDataInputStream *output;
  char             *transcript_path;
  guint16           port;
};

/* One asynchronous call run to its end on a private main context, cancelled
 * if it takes longer than a timeout: a server that hangs must fail the test,
 * not stall it. */
typedef struct
{
  GMainContext *context;
  GCancellable *cancellable;
  GSource      *timeout;
  GAsyncResult *result;
} Wait;

static gboolean
wait_timeout_cb (gpointer user_data)
{
  Wait *wait = user_data;

  g_cancellable_cancel (wait->cancellable);

  return G_SOURCE_REMOVE;
}

static void
wait_result_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static void
wait_begin (Wait  *wait,
            guint  timeout_ms)
{
  wait->context = g_main_context_new ();
  wait->cancellable = g_cancellable_new ();
  wait->timeout = g_timeout_source_new (timeout_ms);
  wait->result = NULL;
  g_source_set_callback (wait->timeout, wait_timeout_cb, wait, NULL);
  g_source_attach (wait->timeout, wait->context);
  g_main_context_push_thread_default (wait->context);
}

static GAsyncResult *
wait_end (Wait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (wait->context, TRUE);

  g_source_destroy (wait->timeout);
  g_clear_pointer (&wait->timeout, g_source_unref);
  g_main_context_pop_thread_default (wait->context);
  g_clear_pointer (&wait->context, g_main_context_unref);
  g_clear_object (&wait->cancellable);

  return g_steal_pointer (&wait->result);
}

static char *
read_output_line (MailSetupTestServer  *server,
                  GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *line = NULL;
  Wait wait;

  wait_begin (&wait, ANSWER_TIMEOUT_MS);
  g_data_input_stream_read_line_async (server->output, G_PRIORITY_DEFAULT, wait.cancellable,
                                       wait_result_cb, &wait);
  result = wait_end (&wait);

  line = g_data_input_stream_read_line_finish_utf8 (server->output, result, NULL, &local_error);
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "it said nothing within %u ms", ANSWER_TIMEOUT_MS);
      return NULL;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (line == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           "it exited (its error output says why)");
      return NULL;
    }

  return g_steal_pointer (&line);
}

static gboolean
wait_for_exit (GSubprocess *process)
{
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait;

  wait_begin (&wait, ANSWER_TIMEOUT_MS);
  g_subprocess_wait_async (process, wait.cancellable, wait_result_cb, &wait);
  result = wait_end (&wait);

  return g_subprocess_wait_finish (process, result, NULL);
}

static void
server_free (MailSetupTestServer *server)
{
  if (server->process != NULL)
    {
      g_subprocess_force_exit (server->process);
      g_subprocess_wait (server->process, NULL, NULL);
    }
  if (server->transcript_path != NULL)
    g_unlink (server->transcript_path);

  g_clear_object (&server->output);
  g_clear_object (&server->process);
  g_clear_pointer (&server->transcript_path, g_free);
  g_clear_pointer (&server->scenario, g_free);
  g_free (server);
}

static gboolean
server_launch (MailSetupTestServer  *server,
               GPtrArray            *argv,
               GError              **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *line = NULL;
  guint64 port = 0;

  /* A pipe on stdin lets the server notice when this test dies early. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, PASSWORD_VARIABLE,
                                mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"), TRUE);
  g_subprocess_launcher_setenv (launcher, TOKEN_VARIABLE,
                                MAIL_SETUP_TEST_SERVER_ACCESS_TOKEN, TRUE);

  server->process = g_subprocess_launcher_spawnv (launcher,
                                                  (const char * const *) argv->pdata, error);
  if (server->process == NULL)
    return FALSE;

  server->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = read_output_line (server, error);
  if (line == NULL)
    return FALSE;

  if (!g_str_has_prefix (line, "READY ") ||
      !g_ascii_string_to_unsigned (line + strlen ("READY "), 10, 1, G_MAXUINT16, &port, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "it said “%s” instead of READY <port>", line);
      return FALSE;
    }

  server->port = (guint16) port;

  return TRUE;
}

/* SCRIPT in tests/servers/, NAME for messages ("IMAP"). */
static MailSetupTestServer *
server_start (const char *script,
              const char *name,
              const char *scenario,
              const char *first_option,
              va_list     options)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript_name = NULL;
  MailSetupTestServer *server;
  const char *option;
  int fd;

  server = g_new0 (MailSetupTestServer, 1);
  server->scenario = g_strdup (scenario);
  server->name = name;
  transcript_name = g_strdup_printf ("%.*s-XXXXXX.transcript",
                                     (int) (strlen (script) - strlen ("-server.py")), script);
  server->transcript_path = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                                              transcript_name, NULL);
  fd = g_mkstemp (server->transcript_path);
  if (fd < 0)
    g_error ("Cannot create %s: %s", server->transcript_path, g_strerror (errno));
  g_close (fd, NULL);

  g_ptr_array_add (argv, g_strdup ("python3"));
  g_ptr_array_add (argv, g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_SOURCE_DIR"),
                                           "tests", "servers", script, NULL));
  g_ptr_array_add (argv, g_strdup ("--scenario"));
  g_ptr_array_add (argv, g_strdup (scenario));
  g_ptr_array_add (argv, g_strdup ("--transcript"));
  g_ptr_array_add (argv, g_strdup (server->transcript_path));
  g_ptr_array_add (argv, g_strdup ("--exit-on-stdin-eof"));
  g_ptr_array_add (argv, g_strdup ("--user"));
  g_ptr_array_add (argv, g_strdup (mail_setup_test_service_env ("MAIL_SETUP_TEST_USER")));
  g_ptr_array_add (argv, g_strdup ("--password-env"));
  g_ptr_array_add (argv, g_strdup (PASSWORD_VARIABLE));
  g_ptr_array_add (argv, g_strdup ("--token-env"));
  g_ptr_array_add (argv, g_strdup (TOKEN_VARIABLE));

  /* The server reads options left to right, so the test's own win. */
  for (option = first_option; option != NULL; option = va_arg (options, const char *))
    g_ptr_array_add (argv, g_strdup (option));
  g_ptr_array_add (argv, NULL);

  if (!server_launch (server, argv, &error))
    {
      g_prefix_error (&error, "The scripted %s server (%s) did not start: ", name, scenario);
      server_free (server);
      g_assert_no_error (error);
    }

  return server;
}

MailSetupTestServer *
mail_setup_test_server_start (const char *scenario,
                              const char *first_option,
                              ...)
{
  MailSetupTestServer *server;
  va_list options;

  g_return_val_if_fail (scenario != NULL, NULL);

  va_start (options, first_option);
  server = server_start ("scripted-imap-server.py", "IMAP", scenario, first_option, options);
  va_end (options);

  return server;
}

MailSetupTestServer *
mail_setup_test_smtp_server_start (const char *scenario,
                                   const char *first_option,
                                   ...)
{
  MailSetupTestServer *server;
  va_list options;

  g_return_val_if_fail (scenario != NULL, NULL);

  va_start (options, first_option);
  server = server_start ("scripted-smtp-server.py", "SMTP", scenario, first_option, options);
  va_end (options);

  return server;
}

guint16
mail_setup_test_server_get_port (MailSetupTestServer *server)
{
  g_return_val_if_fail (server != NULL, 0);

  return server->port;
}

char *
mail_setup_test_server_get_transcript (MailSetupTestServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  GString *transcript;
  gsize length = 0;

  g_return_val_if_fail (server != NULL, NULL);

  g_file_get_contents (server->transcript_path, &contents, &length, &error);
  g_assert_no_error (error);

  /* A TLS ClientHello holds NUL bytes; cutting the string short there
   * would hide anything recorded after it. */
  transcript = g_string_sized_new (length);
  for (gsize i = 0; i < length; i++)
    {
      if (contents[i] == '\0')
        g_string_append (transcript, "\\0");
      else
        g_string_append_c (transcript, contents[i]);
    }

  return g_string_free (transcript, FALSE);
}

void
mail_setup_test_server_accept_sign_in (MailSetupTestServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_return_if_fail (server != NULL);

  g_subprocess_send_signal (server->process, SIGUSR1);
  line = read_output_line (server, &error);
  if (line == NULL)
    g_prefix_error (&error, "The scripted %s server (%s) did not switch to accepting sign-in: ",
                    server->name, server->scenario);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "SIGN-IN ACCEPTED");
}

void
mail_setup_test_server_stop (MailSetupTestServer *server)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (server != NULL);

  g_subprocess_send_signal (server->process, SIGTERM);
  if (!wait_for_exit (server->process))
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                 "The scripted %s server (%s) did not stop on SIGTERM", server->name,
                 server->scenario);
  else if (!g_subprocess_get_if_exited (server->process) ||
           g_subprocess_get_exit_status (server->process) != 0)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "The scripted %s server (%s) failed (its error output says why)",
                 server->name, server->scenario);

  server_free (server);
  g_assert_no_error (error);
}
