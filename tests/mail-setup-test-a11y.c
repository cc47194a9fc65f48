/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The window as a screen reader reads it: tests/check-accessible-tree.py,
 * another process, reads this test program's accessible tree over AT-SPI
 * while the program goes on answering. */

#include <unistd.h>

#include "mail-setup-test-a11y.h"
#include "mail-setup-test-ui.h"

/* pyatspi is Debian's python3-pyatspi, for Debian's own Python. */
#define ATSPI_PYTHON "/usr/bin/python3"

/* The other UI tests keep GTK off the accessibility bus; a test that reads
 * it calls this before gtk_test_init(). */
void
mail_setup_test_a11y_init (void)
{
  g_setenv ("GTK_A11Y", "atspi", TRUE);
}

static char *
checker_script (void)
{
  return g_test_build_filename (G_TEST_DIST, "check-accessible-tree.py", NULL);
}

/* check-accessible-tree.py --listen for this process: it prints "ready",
 * then what it heard once its standard input is closed. */
GSubprocess *
mail_setup_test_a11y_spawn_listener (void)
{
  g_autofree char *script = checker_script ();
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autoptr(GError) error = NULL;
  GSubprocess *listener;

  listener = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                               ATSPI_PYTHON, script, "--pid", pid, "--listen", NULL);
  g_assert_no_error (error);

  return listener;
}

typedef struct
{
  char    *output;
  GError  *error;
  gboolean done;
} CheckerRun;

static void
checker_finished_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  CheckerRun *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->output, NULL, &run->error);
  run->done = TRUE;
}

static gboolean
checker_done (gpointer user_data)
{
  return ((CheckerRun *) user_data)->done;
}

/* The accessible tree of WINDOW, as check-accessible-tree.py reads it
 * while this process goes on answering over AT-SPI; of all this
 * program's windows when WINDOW has no title (a dialog). */
JsonObject *
mail_setup_test_a11y_read_tree (GtkWindow *window)
{
  const char *title = gtk_window_get_title (window);
  g_autofree char *script = checker_script ();
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autoptr(GSubprocess) checker = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  CheckerRun run = { NULL, NULL, FALSE };
  JsonObject *tree;

  mail_setup_test_ui_wait_for_frame (GTK_WIDGET (window));
  checker = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, ATSPI_PYTHON, script,
                              "--pid", pid, title != NULL ? "--window" : NULL, title, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (checker, NULL, NULL, checker_finished_cb, &run);
  g_assert_true (mail_setup_test_ui_wait_until (checker_done, &run, 60000));
  g_assert_no_error (run.error);

  json_parser_load_from_data (parser, run.output, -1, &error);
  g_assert_no_error (error);
  g_free (run.output);
  tree = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  if (json_object_has_member (tree, "error"))
    g_error ("%s", json_object_get_string_member (tree, "error"));
  g_assert_true (g_subprocess_get_if_exited (checker));
  g_assert_cmpint (g_subprocess_get_exit_status (checker), ==, 0);

  return tree;
}

/* The first object on screen with ROLE whose name starts with NAME;
 * NULL when there is none. */
JsonObject *
mail_setup_test_a11y_find (JsonObject *tree,
             const char *role,
             const char *name)
{
  JsonArray *objects = json_object_get_array_member (tree, "objects");

  for (guint i = 0; i < json_array_get_length (objects); i++)
    {
      JsonObject *object = json_array_get_object_element (objects, i);

      if (g_str_equal (json_object_get_string_member (object, "role"), role) &&
          g_str_has_prefix (json_object_get_string_member (object, "name"), name))
        return object;
    }

  return NULL;
}

JsonObject *
mail_setup_test_a11y_expect (JsonObject *tree,
               const char *role,
               const char *name)
{
  JsonObject *object = mail_setup_test_a11y_find (tree, role, name);

  if (object == NULL)
    g_error ("No %s named “%s…” on screen for assistive technologies", role, name);

  return object;
}

/* Reads the tree of the page in view, named PAGE in messages, and fails
 * the test on every object that a screen reader could not name. The
 * tree is returned for the page's own checks. */
JsonObject *
mail_setup_test_a11y_assert_named (gpointer    window,
                        const char *page)
{
  JsonObject *tree = mail_setup_test_a11y_read_tree (GTK_WINDOW (window));
  JsonArray *problems = json_object_get_array_member (tree, "problems");
  guint n_objects = json_array_get_length (json_object_get_array_member (tree, "objects"));

  g_test_message ("%s: %u objects on screen", page, n_objects);
  /* Not an empty tree read by mistake. */
  g_assert_cmpuint (n_objects, >, 10);
  /* MAIL_SETUP_TEST_A11Y_DUMP=1: the whole tree, as a screen reader has it. */
  if (g_getenv ("MAIL_SETUP_TEST_A11Y_DUMP") != NULL)
    {
      JsonArray *objects = json_object_get_array_member (tree, "objects");

      for (guint i = 0; i < n_objects; i++)
        {
          JsonObject *object = json_array_get_object_element (objects, i);

          g_test_message ("%s: %s “%s” (%s)", page, json_object_get_string_member (object, "role"),
                          json_object_get_string_member (object, "name"),
                          json_object_get_string_member (object, "description"));
        }
    }
  for (guint i = 0; i < json_array_get_length (problems); i++)
    g_test_message ("%s: %s", page, json_array_get_string_element (problems, i));
  if (json_array_get_length (problems) > 0)
    g_test_fail_printf ("%s: %u objects that take the focus or a click have no usable name",
                        page, json_array_get_length (problems));

  return tree;
}
