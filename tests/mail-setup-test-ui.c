/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <glib/gstdio.h>

#include "mail-setup-account-store.h"
#include "mail-setup-core.h"
#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"

static gboolean
timeout_reached_cb (gpointer user_data)
{
  gboolean *reached = user_data;

  *reached = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop, as the application would, until CONDITION holds. */
gboolean
mail_setup_test_ui_wait_until (MailSetupTestCondition condition,
                               gpointer               user_data,
                               guint                  timeout_ms)
{
  gboolean reached = FALSE;
  guint timeout_id;

  timeout_id = g_timeout_add (timeout_ms, timeout_reached_cb, &reached);
  while (!condition (user_data) && !reached)
    g_main_context_iteration (NULL, TRUE);
  if (!reached)
    g_source_remove (timeout_id);

  return condition (user_data);
}

static void
frame_painted_cb (GdkFrameClock *clock,
                  gpointer       user_data)
{
  gboolean *painted = user_data;

  *painted = TRUE;
}

static gboolean
is_true (gpointer user_data)
{
  return *(gboolean *) user_data;
}

void
mail_setup_test_ui_wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock;
  gboolean painted = FALSE;
  gulong handler;

  g_assert_true (gtk_widget_get_mapped (widget));
  clock = gtk_widget_get_frame_clock (widget);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (frame_painted_cb), &painted);
  gtk_widget_queue_draw (widget);
  g_assert_true (mail_setup_test_ui_wait_until (is_true, &painted, 5000));
  g_signal_handler_disconnect (clock, handler);
}

static gboolean
window_is_mapped (gpointer user_data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (user_data));
}

/* One application for the whole test program, as in the real one; each test
 * opens a window of its own on it. */
MailSetupApplication *
mail_setup_test_ui_get_application (void)
{
  static MailSetupApplication *app;
  g_autoptr(GError) error = NULL;

  if (app != NULL)
    return app;

  mail_setup_test_service_env ("DISPLAY");

  /* Xvfb has no settings daemon; give the window GNOME's own title bar
   * buttons, as users see them. */
  app = mail_setup_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);

  return app;
}

MailSetupWindow *
mail_setup_test_ui_open_window (void)
{
  return mail_setup_test_ui_open_window_with_size (-1, -1);
}

static gboolean network_lookups_allowed;

/* The provider page looks up the address's domain (MX records, Microsoft's
 * realm service, autoconfig hosts). The tests' addresses must never go
 * out: only a test that answers those lookups itself turns them on. */
void
mail_setup_test_ui_allow_network_lookups (void)
{
  network_lookups_allowed = TRUE;
}

MailSetupWindow *
mail_setup_test_ui_open_window_with_size (int width,
                                          int height)
{
  MailSetupWindow *window;

  if (!network_lookups_allowed)
    {
      g_autoptr(GSettings) settings = mail_setup_settings_new ();

      g_settings_set_boolean (settings, "network-lookups", FALSE);
    }

  window = mail_setup_window_new (mail_setup_test_ui_get_application ());
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (mail_setup_test_ui_wait_until (window_is_mapped, window, 5000));
  mail_setup_test_ui_wait_for_frame (GTK_WIDGET (window));

  return window;
}

static gboolean
transition_running (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_transition_running (GTK_STACK (widget)))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (transition_running (child))
        return TRUE;
    }

  return FALSE;
}

static gboolean
transitions_done (gpointer user_data)
{
  return !transition_running (GTK_WIDGET (user_data));
}

/* Saves what the widget shows to BUILDDIR/screenshots/NAME.png, for a person
 * to look at, and returns the path. */
char *
mail_setup_test_ui_screenshot (GtkWidget  *widget,
                               const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *file_name = NULL;
  char *path;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width, height;

  /* What a person sees once the pages have stopped sliding. */
  g_assert_true (mail_setup_test_ui_wait_until (transitions_done, widget, 5000));
  mail_setup_test_ui_wait_for_frame (widget);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  folder = g_build_filename (g_test_get_dir (G_TEST_BUILT), "screenshots", NULL);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  file_name = g_strconcat (name, ".png", NULL);
  path = g_build_filename (folder, file_name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);

  return path;
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name,
            gboolean    mapped_only)
{
  if (mapped_only && !gtk_widget_get_mapped (root))
    return NULL;

  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name, mapped_only);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The widget called NAME (gtk_widget_set_name(), or "name" in a .ui file)
 * inside ROOT, or NULL: the one on screen when pages share a name, as the
 * testing and result pages do. */
GtkWidget *
mail_setup_test_ui_find (GtkWidget  *root,
                         const char *name)
{
  GtkWidget *found = find_named (root, name, TRUE);

  return found != NULL ? found : find_named (root, name, FALSE);
}

typedef struct
{
  MailSetupWindow *window;
  const char      *page;
} PageWait;

static gboolean
page_is_shown (gpointer user_data)
{
  PageWait *wait = user_data;

  return g_strcmp0 (mail_setup_window_get_page (wait->window), wait->page) == 0;
}

void
mail_setup_test_ui_wait_for_page (MailSetupWindow *window,
                                  const char      *page,
                                  guint            timeout_ms)
{
  PageWait wait = { window, page };

  if (!mail_setup_test_ui_wait_until (page_is_shown, &wait, timeout_ms))
    g_error ("The %s page did not show within %u ms; the window shows %s", page, timeout_ms,
             mail_setup_window_get_page (window));
}

GtkWidget *
mail_setup_test_ui_widget (MailSetupWindow *window,
                           const char      *name)
{
  GtkWidget *found = mail_setup_test_ui_find (GTK_WIDGET (window), name);

  if (found == NULL)
    g_error ("No widget named %s in the window", name);

  return found;
}

void
mail_setup_test_ui_press (MailSetupWindow *window,
                          const char      *name)
{
  GtkWidget *button = mail_setup_test_ui_widget (window, name);

  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_is_drawable (button));
  /* What a click ends in; activating the button would only animate it first. */
  g_signal_emit_by_name (button, "clicked");
}

void
mail_setup_test_ui_type_into (MailSetupWindow *window,
                              const char      *name,
                              const char      *text)
{
  gtk_editable_set_text (GTK_EDITABLE (mail_setup_test_ui_widget (window, name)), text);
}

void
mail_setup_test_ui_save_screenshot (MailSetupWindow *window,
                                    const char      *name)
{
  g_autofree char *path = mail_setup_test_ui_screenshot (GTK_WIDGET (window), name);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

MailSetupWindow *
mail_setup_test_ui_open_wizard_with_size (int width,
                                          int height)
{
  g_setenv ("MAIL_SETUP_EXTRA_CA_FILE", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), TRUE);

  return mail_setup_test_ui_open_window_with_size (width, height);
}

MailSetupWindow *
mail_setup_test_ui_open_wizard (void)
{
  return mail_setup_test_ui_open_wizard_with_size (-1, -1);
}

gboolean
mail_setup_test_ui_save_finished (gpointer window)
{
  return gtk_widget_get_visible (mail_setup_test_ui_widget (window, "done")) ||
         gtk_widget_has_css_class (mail_setup_test_ui_widget (window, "save-status"), "error");
}

gboolean
mail_setup_test_ui_browser_is_waiting (gpointer window)
{
  GtkWidget *address = mail_setup_test_ui_find (GTK_WIDGET (window), "authorize-uri");

  return address != NULL && gtk_widget_is_drawable (address) &&
         *gtk_label_get_label (GTK_LABEL (address)) != '\0';
}

static gboolean
result_arrived (gpointer user_data)
{
  return *(GAsyncResult **) user_data != NULL;
}

void
mail_setup_test_ui_remove_saved_account (const char *email)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  mail_setup_account_store_remove_async (email, NULL, mail_setup_store_async_result, &result);
  g_assert_true (mail_setup_test_ui_wait_until (result_arrived, &result, 10000));
  g_assert_true (mail_setup_account_store_remove_finish (result, &error));
  g_assert_no_error (error);
}

char *
mail_setup_test_ui_secret_tool_lookup (const char *user,
                                       const char *server,
                                       guint16     port,
                                       const char *authtype)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  char *output = NULL;
  int status = 0;
  const char *argv[] = { "secret-tool", "lookup", "user", user, "server", server,
                         "protocol", "imap", "port", port_text, "authtype", authtype, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &output, NULL, &status, &error);
  g_assert_no_error (error);

  return output;
}

typedef struct
{
  GType      type;
  GtkWidget *found;
} ToplevelSearch;

static gboolean
toplevel_shown (gpointer user_data)
{
  ToplevelSearch *search = user_data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, search->type) && gtk_widget_get_mapped (toplevel))
        {
          search->found = toplevel;
          return TRUE;
        }
    }

  return FALSE;
}

GtkWidget *
mail_setup_test_ui_wait_for_toplevel (GType type,
                                      guint timeout_ms)
{
  ToplevelSearch search = { type, NULL };

  if (!mail_setup_test_ui_wait_until (toplevel_shown, &search, timeout_ms))
    g_error ("No %s appeared within %u ms", g_type_name (type), timeout_ms);

  return search.found;
}
