/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Makes tests/servers/test-browser.py this desktop's web browser, so that
 * browser sign-in runs end to end: the product opens the authorize address
 * with g_app_info_launch_default_for_uri() as it would on a real desktop,
 * and the stand-in browser follows the identity server's redirect back to
 * the product's loopback listener. Each visit is one JSON line in a log. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mail-setup-core.h"
#include "mail-setup-test-browser.h"

#define DESKTOP_ID "mail-setup-test-browser.desktop"
#define INSTALL_TIMEOUT_MS 10000
#define POLL_MS 20

/* The log being read, and how much of it earlier calls returned. */
static char *log_path;
static gsize consumed;
static guint n_logs;

/* Quoted for an Exec line (desktop entry spec, "The Exec key"): in double
 * quotes, with the characters the spec reserves escaped; % is a field code. */
static void
append_exec_argument (GString    *exec,
                      const char *argument)
{
  if (exec->len > 0)
    g_string_append_c (exec, ' ');
  g_string_append_c (exec, '"');
  for (const char *p = argument; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '`' || *p == '$' || *p == '\\')
        g_string_append_c (exec, '\\');
      if (*p == '%')
        g_string_append_c (exec, '%');
      g_string_append_c (exec, *p);
    }
  g_string_append_c (exec, '"');
}

static void
write_desktop_file (const char *data_dir)
{
  g_autoptr(GKeyFile) entry = g_key_file_new ();
  g_autoptr(GString) exec = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *script = NULL;
  g_autofree char *folder = g_build_filename (data_dir, "applications", NULL);
  g_autofree char *path = g_build_filename (folder, DESKTOP_ID, NULL);
  const char *source_dir = g_getenv ("MAIL_SETUP_SOURCE_DIR");
  const char *mime_types[] = { "x-scheme-handler/https", "x-scheme-handler/http" };

  if (source_dir == NULL || *source_dir == '\0')
    g_error ("MAIL_SETUP_SOURCE_DIR is not set: run this test through meson test "
             "(build-aux/test does)");
  script = g_build_filename (source_dir, "tests", "servers", "test-browser.py", NULL);
  g_assert_true (g_file_test (script, G_FILE_TEST_IS_REGULAR));
  g_assert_nonnull (python);

  append_exec_argument (exec, python);
  append_exec_argument (exec, script);
  g_string_append (exec, " %u");

  g_key_file_set_string (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_TYPE,
                         G_KEY_FILE_DESKTOP_TYPE_APPLICATION);
  g_key_file_set_string (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_NAME,
                         "Test Browser");
  g_key_file_set_string (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, exec->str);
  g_key_file_set_string_list (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_MIME_TYPE,
                              mime_types, G_N_ELEMENTS (mime_types));
  g_key_file_set_boolean (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_NO_DISPLAY, TRUE);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_key_file_save_to_file (entry, path, &error);
  g_assert_no_error (error);
}

/* Keeps whatever else the file says: other tests may have chosen defaults. */
static void
write_mimeapps_list (const char *folder)
{
  g_autoptr(GKeyFile) list = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (folder, "mimeapps.list", NULL);

  if (!g_key_file_load_from_file (list, path, G_KEY_FILE_KEEP_COMMENTS, &error))
    {
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      g_clear_error (&error);
    }

  g_key_file_set_string (list, "Default Applications", "x-scheme-handler/https", DESKTOP_ID);
  g_key_file_set_string (list, "Default Applications", "x-scheme-handler/http", DESKTOP_ID);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_key_file_save_to_file (list, path, &error);
  g_assert_no_error (error);
}

static gboolean
is_default_for (const char *scheme)
{
  g_autoptr(GAppInfo) app = g_app_info_get_default_for_uri_scheme (scheme);

  return app != NULL && g_strcmp0 (g_app_info_get_id (app), DESKTOP_ID) == 0;
}

static gboolean
set_true (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the default main context for POLL_MS: whatever the product is doing
 * there (its loopback listener answering the browser) goes on meanwhile. */
static void
iterate_a_while (void)
{
  gboolean done = FALSE;

  g_timeout_add (POLL_MS, set_true, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* GLib reads XDG_DATA_HOME and XDG_CONFIG_HOME once per process, so a test
 * that changed one since (to give a child program a configuration of its
 * own) needs the files twice: where this process's GIO looks and where its
 * children's will. */
static GPtrArray *
user_folders (const char *cached,
              const char *variable,
              const char *under_home)
{
  GPtrArray *folders = g_ptr_array_new_with_free_func (g_free);
  const char *current = g_getenv (variable);

  g_ptr_array_add (folders, g_strdup (cached));
  if (current != NULL && g_path_is_absolute (current))
    {
      if (g_strcmp0 (current, cached) != 0)
        g_ptr_array_add (folders, g_strdup (current));
    }
  else
    {
      g_autofree char *fallback = g_build_filename (g_get_home_dir (), under_home, NULL);

      if (g_strcmp0 (fallback, cached) != 0)
        g_ptr_array_add (folders, g_steal_pointer (&fallback));
    }

  return folders;
}

/* Makes test-browser.py the default handler for https and http addresses
 * in this process's XDG folders (HOME and XDG_* point into the test run's
 * folder), and in those that XDG_DATA_HOME and XDG_CONFIG_HOME name now, for
 * the programs the test starts. GIO caches what it read of these folders
 * and learns of changes through file monitors, so this waits until GIO
 * itself names it. */
void
mail_setup_test_browser_install (void)
{
  gint64 deadline = g_get_monotonic_time () + INSTALL_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  g_autoptr(GPtrArray) data_dirs = user_folders (g_get_user_data_dir (), "XDG_DATA_HOME",
                                                 ".local/share");
  g_autoptr(GPtrArray) config_dirs = user_folders (g_get_user_config_dir (), "XDG_CONFIG_HOME",
                                                   ".config");

  for (guint i = 0; i < data_dirs->len; i++)
    write_desktop_file (g_ptr_array_index (data_dirs, i));
  for (guint i = 0; i < config_dirs->len; i++)
    write_mimeapps_list (g_ptr_array_index (config_dirs, i));

  while (!(is_default_for ("https") && is_default_for ("http")) &&
         g_get_monotonic_time () < deadline)
    iterate_a_while ();

  g_assert_true (is_default_for ("https"));
  g_assert_true (is_default_for ("http"));
}

static const char *
current_log (void)
{
  const char *path = g_getenv ("MAIL_SETUP_TEST_BROWSER_LOG");
  g_autofree char *fallback = NULL;

  if (path == NULL || *path == '\0')
    {
      const char *folder = g_getenv ("MAIL_SETUP_TEST_DIR");

      if (folder == NULL || *folder == '\0')
        g_error ("neither MAIL_SETUP_TEST_BROWSER_LOG nor MAIL_SETUP_TEST_DIR is set: run "
                 "this test through build-aux/with-test-services (build-aux/test does)");
      fallback = g_build_filename (folder, "browser.log", NULL);
      path = fallback;
    }

  /* Another log than last time: none of it has been read. */
  if (g_strcmp0 (path, log_path) != 0)
    {
      g_free (log_path);
      log_path = g_strdup (path);
      consumed = 0;
    }

  return log_path;
}

/* A log of its own for what follows, so that visits from earlier tests do
 * not count; returns its path (valid until the next call). */
const char *
mail_setup_test_browser_use_new_log (void)
{
  const char *folder = g_getenv ("MAIL_SETUP_TEST_DIR");
  g_autofree char *name = g_strdup_printf ("browser-%d-%u.log", (int) getpid (), ++n_logs);
  g_autofree char *path = g_build_filename (folder && *folder ? folder : g_get_tmp_dir (),
                                            name, NULL);

  g_unlink (path);
  g_assert_true (g_setenv ("MAIL_SETUP_TEST_BROWSER_LOG", path, TRUE));

  return current_log ();
}

/* MODE is MAIL_SETUP_TEST_BROWSER_FOLLOW or _IGNORE. The browser started by
 * GIO inherits this process's environment at launch, so set it before the
 * sign-in starts. It also starts a new log: visits of an earlier test that
 * nobody waited for (or a browser still finishing one) are not this one's. */
void
mail_setup_test_browser_set_mode (const char *mode)
{
  g_assert_true (g_setenv ("MAIL_SETUP_TEST_BROWSER_MODE", mode, TRUE));
  mail_setup_test_browser_use_new_log ();
}

static char *
read_log (gsize *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (!g_file_get_contents (current_log (), &contents, length, &error))
    {
      /* No visit yet: the browser creates the log. */
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      *length = 0;
      return g_strdup ("");
    }

  return contents;
}

/* Visits in the log since set_mode() or use_new_log(), waited for or not:
 * to tell that no browser was opened. */
guint
mail_setup_test_browser_count_visits (void)
{
  gsize length = 0;
  g_autofree char *contents = read_log (&length);
  guint count = 0;

  for (gsize i = 0; i < length; i++)
    if (contents[i] == '\n')
      count++;

  return count;
}

static JsonObject *
next_visit (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  g_autofree char *contents = read_log (&length);
  const char *line;
  const char *end;
  JsonNode *root;

  if (length < consumed)
    consumed = 0;

  /* The browser writes each line at once, but a read may still come
   * between two writes: only a line with its newline is complete. */
  line = contents + consumed;
  end = memchr (line, '\n', length - consumed);
  if (end == NULL)
    return NULL;
  consumed = end + 1 - contents;

  json_parser_load_from_data (parser, line, end - line, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}

/* The browser's next visit since the last call: {"opened": URL, "mode": ...}
 * and, when it followed the redirect, "redirect", "status" and "page" (see
 * tests/servers/test-browser.py). Runs the default main context while it
 * waits. */
JsonObject *
mail_setup_test_browser_wait_for_visit (guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  JsonObject *visit;

  while ((visit = next_visit ()) == NULL && g_get_monotonic_time () < deadline)
    iterate_a_while ();

  if (visit == NULL)
    g_test_message ("the browser did not visit within %u ms (log %s)", timeout_ms, log_path);
  g_assert_nonnull (visit);

  return visit;
}

guint
mail_setup_test_browser_redirect_port (const char *authorize_uri)
{
  g_autoptr(GUri) uri = g_uri_parse (authorize_uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GUri) redirect = NULL;

  g_assert_nonnull (uri);
  query = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  redirect = g_uri_parse (g_hash_table_lookup (query, "redirect_uri"), G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (redirect);
  g_assert_cmpstr (g_uri_get_scheme (redirect), ==, "http");
  g_assert_cmpstr (g_uri_get_host (redirect), ==, "127.0.0.1");
  g_assert_cmpstr (g_uri_get_path (redirect), ==, "/");

  return (guint) g_uri_get_port (redirect);
}

gboolean
mail_setup_test_port_is_open (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_socket_client_connect_to_host_async (client, "127.0.0.1", port, NULL,
                                         mail_setup_store_async_result, &result);
  connection = g_socket_client_connect_to_host_finish (client,
                                                       mail_setup_wait_for_async_result (&result),
                                                       NULL);
  return connection != NULL;
}

guint
mail_setup_test_closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any_port, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  return port;
}
