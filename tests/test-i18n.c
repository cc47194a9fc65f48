/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The window as a German user sees it: a real de_DE.UTF-8 locale, made by
 * localedef inside the test folder (no root, nothing installed), and the
 * German catalogue that this build made in BUILDDIR/po. */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include <adwaita.h>

#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"

static char *localedef_errors;

static void
make_german_locale (void)
{
  const char *test_dir = mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR");
  g_autofree char *folder = g_build_filename (test_dir, "locale-XXXXXX", NULL);
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_assert_nonnull (g_mkdtemp (folder));
  output = g_build_filename (folder, "de_DE.UTF-8", NULL);

  /* Status 1 only means warnings; whether the locale works is decided by
   * setlocale() below. */
  g_spawn_sync (NULL, (char *[]) { "localedef", "-i", "de_DE", "-f", "UTF-8", output, NULL },
                NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, &localedef_errors, &wait_status, &error);
  g_assert_no_error (error);

  g_setenv ("LOCPATH", folder, TRUE);
  g_setenv ("LC_ALL", "de_DE.UTF-8", TRUE);
  g_setenv ("LANG", "de_DE.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "de", TRUE);
}

static void
bind_build_tree_catalogue (void)
{
  const char *build_dir = g_getenv ("MAIL_SETUP_BUILD_DIR");
  g_autofree char *po_dir = NULL;
  g_autofree char *catalogue = NULL;

  if (build_dir == NULL)
    g_error ("MAIL_SETUP_BUILD_DIR is not set: run this test with meson test");

  po_dir = g_build_filename (build_dir, "po", NULL);
  catalogue = g_build_filename (po_dir, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  if (!g_file_test (catalogue, G_FILE_TEST_IS_REGULAR))
    g_error ("%s was not built: is de in po/LINGUAS?", catalogue);

  /* As main() does, but from the build tree instead of LOCALEDIR. */
  bindtextdomain (GETTEXT_PACKAGE, po_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* A label showing exactly TEXT on screen, or NULL. */
static GtkWidget *
find_shown_label (GtkWidget  *root,
                  const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_is_drawable (root) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_shown_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static AdwPreferencesRow *
row (MailSetupWindow *window,
     const char      *name)
{
  GtkWidget *found = mail_setup_test_ui_find (GTK_WIDGET (window), name);

  if (found == NULL)
    g_error ("No widget named %s in the window", name);
  g_assert_true (gtk_widget_is_drawable (found));

  return ADW_PREFERENCES_ROW (found);
}

static void
test_i18n_first_page_in_german (void)
{
  g_autofree char *screenshot = NULL;
  MailSetupWindow *window;
  GtkWidget *continue_button;

  window = mail_setup_test_ui_open_window ();
  g_assert_cmpstr (mail_setup_window_get_page (window), ==, "provider");

  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), "E-Mail-Konto einrichten"));
  g_assert_null (find_shown_label (GTK_WIDGET (window), "Set Up Your Mail"));

  /* The provider names come from the XML data, through the ITS rules. */
  g_assert_cmpstr (adw_preferences_row_get_title (row (window, "provider-microsoft365")), ==,
                   "Microsoft 365 (Geschäfts- oder Schulkonto)");
  g_assert_cmpstr (adw_preferences_row_get_title (row (window, "provider-other")), ==,
                   "Anderer IMAP-Server");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row (window, "provider-outlook"))), ==,
                   "Persönliche Microsoft-Konten bei outlook.com, hotmail.com oder live.com");
  g_assert_cmpstr (adw_preferences_row_get_title (row (window, "email")), ==, "E-Mail-Adresse");

  continue_button = mail_setup_test_ui_find (GTK_WIDGET (window), "continue");
  g_assert_nonnull (continue_button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (continue_button)), ==, "_Weiter");

  screenshot = mail_setup_test_ui_screenshot (GTK_WIDGET (window), "first-page-de");
  g_assert_true (g_file_test (screenshot, G_FILE_TEST_IS_REGULAR));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  const char *locale;

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  make_german_locale ();
  bind_build_tree_catalogue ();

  gtk_test_init (&argc, &argv, NULL);

  /* gtk_test_init() sets a locale of its own; take the environment's, as
   * the application's main() does. */
  locale = setlocale (LC_ALL, "");
  if (g_strcmp0 (locale, "de_DE.UTF-8") != 0)
    g_error ("The de_DE.UTF-8 locale made by localedef does not work (is the Debian "
             "package locales installed?): %s", localedef_errors);
  g_clear_pointer (&localedef_errors, g_free);

  g_test_add_func ("/i18n/first-page-in-german", test_i18n_first_page_in_german);

  return g_test_run ();
}
