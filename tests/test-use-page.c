/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The Use This Account page, driven as a user drives it: reached by saving
 * an account tested against the test Dovecot, and from a saved account's
 * menu. The mail programs on "this computer" are the test's own: stub
 * msmtp and neomutt executables on a PATH of their own, and a desktop file
 * for Thunderbird in an XDG data folder of the test's. Each test saves
 * screenshots, wide and 360 pixels narrow. */

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "mail-setup-account-store.h"
#include "mail-setup-core.h"
#include "mail-setup-export.h"
#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"

#define MICROSOFT_EMAIL "use-page@outlook.com"

static char *programs_folder;

static GtkWidget *
widget (MailSetupWindow *window,
        const char      *name)
{
  return mail_setup_test_ui_widget (window, name);
}

static void
press (MailSetupWindow *window,
       const char      *name)
{
  mail_setup_test_ui_press (window, name);
}

static void
type_into (MailSetupWindow *window,
           const char      *name,
           const char      *text)
{
  mail_setup_test_ui_type_into (window, name, text);
}

static void
screenshot (MailSetupWindow *window,
            const char      *name)
{
  mail_setup_test_ui_save_screenshot (window, name);
}

static const char *
label (MailSetupWindow *window,
       const char      *name)
{
  return gtk_label_get_label (GTK_LABEL (widget (window, name)));
}

static char *
make_file (const char *relative,
           const char *contents,
           int         mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  char *path = g_build_filename (programs_folder, relative, NULL);

  dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);

  return path;
}

/* "This computer": msmtp and neomutt on the PATH, secret-tool beside them
 * (a password account's configuration reads the keyring with it), and
 * Thunderbird installed in /opt with a desktop file. GIO reads the data
 * folders once, so this is done before GTK starts. */
static void
make_programs (void)
{
  g_autofree char *thunderbird = NULL;
  g_autofree char *desktop_file = NULL;
  g_autofree char *share = g_build_filename (programs_folder, "share", NULL);
  g_autofree char *data_dirs = NULL;
  g_autofree char *bin = NULL;
  const char *system_dirs = g_getenv ("XDG_DATA_DIRS");

  g_free (make_file ("bin/msmtp", "#!/bin/sh\nexit 0\n", 0755));
  g_free (make_file ("bin/neomutt", "#!/bin/sh\nexit 0\n", 0755));
  g_free (make_file ("bin/secret-tool", "#!/bin/sh\nexit 0\n", 0755));
  thunderbird = make_file ("opt/thunderbird/thunderbird", "#!/bin/sh\nexit 0\n", 0755);
  desktop_file = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Thunderbird\n"
                                  "Exec=%s %%u\n", thunderbird);
  g_free (make_file ("share/applications/thunderbird.desktop", desktop_file, 0644));

  /* The PATH is the test's alone: the computer's own msmtp, mbsync,
   * NeoMutt and aerc must not count. Set before any thread starts. */
  bin = g_build_filename (programs_folder, "bin", NULL);
  g_setenv ("PATH", bin, TRUE);

  /* The system's folders stay, for the icons and the fonts. */
  data_dirs = g_strjoin (":", share,
                         system_dirs != NULL && *system_dirs != '\0' ? system_dirs
                                                                      : "/usr/local/share:/usr/share",
                         NULL);
  g_setenv ("XDG_DATA_DIRS", data_dirs, TRUE);
}

/* Whether a desktop file of Evolution came with the system's folders, in
 * which case the computer has it whatever the test does. */
static gboolean
system_has_evolution (void)
{
  const char * const *dirs = g_get_system_data_dirs ();

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], "applications",
                                                "org.gnome.Evolution.desktop", NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
    }

  return FALSE;
}

static gboolean
inside_other_apps (GtkWidget *row)
{
  return g_strcmp0 (gtk_widget_get_name (gtk_widget_get_parent (row)), "other-programs-list") == 0;
}

/* Found programs are rows of their own, in view; the others are folded
 * away under Other Mail Apps. */
static void
assert_programs_shown (MailSetupWindow *window)
{
  const char *found[] = { "thunderbird", "msmtp", "neomutt" };
  const char *missing[] = { "mbsync", "aerc", "evolution" };
  GtkWidget *other = widget (window, "other-programs");

  for (guint i = 0; i < G_N_ELEMENTS (found); i++)
    {
      g_autofree char *name = g_strconcat ("program-", found[i], NULL);
      GtkWidget *row = widget (window, name);

      g_test_message ("found: %s", found[i]);
      g_assert_false (inside_other_apps (row));
      g_assert_true (gtk_widget_get_mapped (row));
    }

  g_assert_true (gtk_widget_get_mapped (other));
  g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (other)));
  for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      g_autofree char *name = g_strconcat ("program-", missing[i], NULL);
      GtkWidget *row = widget (window, name);

      if (g_str_equal (missing[i], "evolution") && system_has_evolution ())
        {
          g_test_message ("Evolution is installed on this computer: not checked");
          continue;
        }
      g_test_message ("folded: %s", missing[i]);
      g_assert_true (inside_other_apps (row));
      g_assert_false (gtk_widget_get_mapped (row));
    }

  /* The first program found is open; the user opens the others. */
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (widget (window, "program-thunderbird"))));
  g_assert_false (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (widget (window, "program-msmtp"))));
}

static void
clipboard_text_read_cb (GObject      *clipboard,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (clipboard), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
is_set (gpointer user_data)
{
  return *(char **) user_data != NULL;
}

static gboolean
time_passed (gpointer user_data)
{
  return g_get_monotonic_time () >= *(gint64 *) user_data;
}

/* Until expander rows have slid open or shut. */
static void
wait_for_rows (void)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

  mail_setup_test_ui_wait_until (time_passed, &until, 2000);
}

static GtkWidget *
find_toast (GtkWidget *root)
{
  if (g_str_equal (G_OBJECT_TYPE_NAME (root), "AdwToastWidget"))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_toast (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
no_toast (gpointer user_data)
{
  return find_toast (GTK_WIDGET (user_data)) == NULL;
}

/* Presses the button NAME; returns what the clipboard got. The toast that
 * says so goes, as its close button does it, so that it hides nothing in
 * the next screenshot. */
static char *
copy_with (MailSetupWindow *window,
           const char      *name)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  GtkWidget *toast;
  char *text = NULL;

  gdk_clipboard_set_text (clipboard, "");
  press (window, name);
  gdk_clipboard_read_text_async (clipboard, NULL, clipboard_text_read_cb, &text);
  g_assert_true (mail_setup_test_ui_wait_until (is_set, &text, 2000));

  toast = find_toast (GTK_WIDGET (window));
  g_assert_nonnull (toast);
  /* Once it is in: libadwaita 1.2 crashes on a toast closed as it slides. */
  wait_for_rows ();
  g_signal_emit_by_name (gtk_widget_get_last_child (toast), "clicked");
  g_assert_true (mail_setup_test_ui_wait_until (no_toast, window, 2000));

  return text;
}

static char *
text_view_text (GtkWidget *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Copy puts on the clipboard exactly the configuration of FORMAT that
 * `mail-setup --export` writes for the saved account EMAIL, the one the
 * page shows. */
static char *
assert_copies_configuration (MailSetupWindow       *window,
                             const char            *email,
                             MailSetupExportFormat  format)
{
  const char *id = mail_setup_export_format_to_string (format);
  g_autofree char *copy_name = g_strconcat ("copy-", id, NULL);
  g_autofree char *view_name = g_strconcat ("config-", id, NULL);
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *shown = NULL;
  char *copied;

  saved = mail_setup_account_store_find (email, &error);
  g_assert_no_error (error);
  expected = mail_setup_export_config_for_saved_account (format, saved, NULL, &error);
  g_assert_no_error (error);

  copied = copy_with (window, copy_name);
  g_assert_cmpstr (copied, ==, expected);
  shown = text_view_text (widget (window, view_name));
  g_assert_cmpstr (shown, ==, expected);

  return copied;
}

/* What a screen reader says for the button NAME. */
static void
assert_copy_button_named (MailSetupWindow *window,
                          const char      *name,
                          const char      *expected)
{
  GtkWidget *button = widget (window, name);

  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, expected);
}

static void
expand (MailSetupWindow *window,
        const char      *name,
        gboolean         expanded)
{
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (widget (window, name)), expanded);
}

/* Scrolls the page to show INSIDE at its top. */
static void
scroll_to (GtkWidget *inside)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (inside, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  graphene_point_t point;

  g_assert_true (gtk_widget_compute_point (inside, scrolled, &GRAPHENE_POINT_INIT (0, 0), &point));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + point.y - 12);
  mail_setup_test_ui_wait_for_frame (inside);
}

/* Nothing on the page is wider than the window: long lines scroll inside
 * their own box. */
static void
assert_fits (MailSetupWindow *window,
             const char      *name)
{
  GtkWidget *inside = widget (window, name);
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (inside, GTK_WIDGET (window), &bounds));
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (GTK_WIDGET (window)));
}

/* Tab, from the top of the page, reaches the widget NAME. */
static void
assert_tab_reaches (MailSetupWindow *window,
                    const char      *name)
{
  GtkWidget *target = widget (window, name);
  guint presses;

  gtk_widget_grab_focus (widget (window, "program-thunderbird"));
  for (presses = 0; presses < 200 && gtk_window_get_focus (GTK_WINDOW (window)) != target; presses++)
    gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);

  g_test_message ("%s: %u presses of Tab", name, presses);
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) == target);
}

static MailSetupWindow *
open_window_with_size (int width,
                       int height)
{
  g_setenv ("MAIL_SETUP_EXTRA_CA_FILE", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), TRUE);

  return mail_setup_test_ui_open_window_with_size (width, height);
}

static gboolean
save_finished (gpointer user_data)
{
  MailSetupWindow *window = user_data;

  return g_strcmp0 (mail_setup_window_get_page (window), "use") == 0 ||
         gtk_widget_has_css_class (widget (window, "save-status"), "error");
}

/* An account of one's own server (the test Dovecot: STARTTLS, sending
 * over implicit TLS), tested and saved in the wizard. Its address is the
 * test's own, so that its keyring items are apart from other tests'. */
static void
test_use_page_after_save (void)
{
  const char *email = "use-page@example.test";
  const char *user = mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
  g_autofree char *port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_IMAP_PORT"));
  g_autofree char *smtp_port = g_strdup_printf ("%u", mail_setup_test_service_port ("MAIL_SETUP_TEST_DOVECOT_SUBMISSIONS_PORT"));
  g_autofree char *copied = NULL;
  g_autofree char *copied_user = NULL;
  MailSetupWindow *window = open_window_with_size (-1, -1);

  type_into (window, "email", email);
  gtk_widget_activate (widget (window, "provider-other"));
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  type_into (window, "password", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"));
  type_into (window, "server", "127.0.0.1");
  type_into (window, "port", port);
  adw_combo_row_set_selected (ADW_COMBO_ROW (widget (window, "security")), MAIL_SETUP_SECURITY_STARTTLS);
  type_into (window, "username", user);
  type_into (window, "smtp-server", "127.0.0.1");
  type_into (window, "smtp-port", smtp_port);
  adw_combo_row_set_selected (ADW_COMBO_ROW (widget (window, "smtp-security")), MAIL_SETUP_SECURITY_SSL_TLS);
  type_into (window, "smtp-username", user);
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_true (gtk_widget_is_drawable (widget (window, "save")));

  /* Saving leads on to the mail programs. */
  press (window, "save");
  g_assert_true (mail_setup_test_ui_wait_until (save_finished, window, 10000));
  g_assert_cmpstr (mail_setup_window_get_page (window), ==, "use");
  g_assert_nonnull (strstr (label (window, "intro"), email));
  assert_programs_shown (window);
  screenshot (window, "use-page-saved");

  /* Thunderbird asks for the password itself; the settings are the saved ones. */
  g_assert_nonnull (strstr (label (window, "steps-thunderbird"), "asks for your password"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget (window, "thunderbird-imap-port"))),
                   ==, port);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget (window, "thunderbird-imap-security"))),
                   ==, "STARTTLS");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget (window, "thunderbird-smtp-security"))),
                   ==, "SSL/TLS");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget (window, "thunderbird-imap-authentication"))),
                   ==, "Normal password");
  copied_user = copy_with (window, "copy-thunderbird-imap-username");
  g_assert_cmpstr (copied_user, ==, user);
  assert_copy_button_named (window, "copy-thunderbird-imap-username", "Copy incoming user name");

  /* msmtp: where the file goes, and exactly the exported configuration. */
  expand (window, "program-thunderbird", FALSE);
  expand (window, "program-msmtp", TRUE);
  wait_for_rows ();
  g_assert_nonnull (strstr (label (window, "steps-msmtp"), "~/.config/msmtp/config"));
  g_assert_true (g_str_has_suffix (label (window, "needs-msmtp"), " msmtp reads the password from your keyring."));
  assert_copy_button_named (window, "copy-msmtp", "Copy msmtp configuration");
  copied = assert_copies_configuration (window, email, MAIL_SETUP_EXPORT_MSMTP);
  g_assert_nonnull (strstr (copied, "passwordeval \"secret-tool lookup"));
  scroll_to (widget (window, "program-msmtp"));
  screenshot (window, "use-page-msmtp");

  /* Back is the result page, which leads here again. */
  press (window, "back");
  mail_setup_test_ui_wait_for_page (window, "result", 2000);
  g_assert_true (gtk_widget_is_drawable (widget (window, "done")));
  screenshot (window, "use-page-back-to-result");
  press (window, "use-in-mail-apps");
  mail_setup_test_ui_wait_for_page (window, "use", 2000);

  gtk_window_destroy (GTK_WINDOW (window));
  mail_setup_test_ui_remove_saved_account (email);
}

static gboolean
result_arrived (gpointer user_data)
{
  return *(GAsyncResult **) user_data != NULL;
}

static MailSetupSavedAccount *
save_microsoft_account (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MailSetupSavedAccount *saved;

  mail_setup_account_set_email (account, MICROSOFT_EMAIL);
  mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("outlook"));
  mail_setup_account_set_display_name (account, "Use “Page” Tester");
  mail_setup_account_store_save_async (account, "refresh-token-of-the-test", "oauth2", NULL,
                                       mail_setup_store_async_result, &result);
  g_assert_true (mail_setup_test_ui_wait_until (result_arrived, &result, 10000));
  saved = mail_setup_account_store_save_finish (result, &error);
  g_assert_no_error (error);

  return saved;
}

static GtkWidget *
find_menu_button (GtkWidget *root)
{
  if (GTK_IS_MENU_BUTTON (root))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_menu_button (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The menu of the saved account offers the page. */
static void
open_from_menu (MailSetupWindow *window,
                const char      *email)
{
  g_autofree char *row_name = g_strconcat ("saved-", email, NULL);
  GtkWidget *row = widget (window, row_name);
  GtkWidget *more = find_menu_button (row);
  GMenuModel *menu;
  gboolean offered = FALSE;

  g_assert_nonnull (more);
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (more));

  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *item_label = NULL;
      g_autofree char *action = NULL;
      g_autoptr(GVariant) target = NULL;

      g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &item_label);
      if (g_strcmp0 (item_label, "_Use in Mail Apps…") != 0)
        continue;

      g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action));
      target = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET,
                                                      G_VARIANT_TYPE_STRING);
      g_assert_nonnull (target);
      g_assert_cmpstr (g_variant_get_string (target, NULL), ==, email);
      /* As choosing the item does. */
      g_assert_true (gtk_widget_activate_action_variant (more, action, target));
      offered = TRUE;
    }

  g_assert_true (offered);
  mail_setup_test_ui_wait_for_page (window, "use", 2000);
}

/* A Microsoft account from the first page's list, at 360 pixels: the
 * desktop apps do their own Microsoft sign-in; the terminal programs ask
 * Mail Setup for a token. */
static void
test_use_page_from_saved_account_menu (void)
{
  g_autoptr(MailSetupSavedAccount) saved = save_microsoft_account ();
  g_autofree char *server = NULL;
  g_autofree char *copied = NULL;
  MailSetupWindow *window = open_window_with_size (360, 720);

  open_from_menu (window, MICROSOFT_EMAIL);
  assert_programs_shown (window);
  g_assert_nonnull (strstr (label (window, "steps-thunderbird"), "opens Microsoft’s sign-in page itself"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget (window, "thunderbird-imap-authentication"))),
                   ==, "OAuth2");
  server = copy_with (window, "copy-thunderbird-imap-server");
  g_assert_cmpstr (server, ==, "outlook.office365.com");
  assert_copy_button_named (window, "copy-thunderbird-smtp-server", "Copy outgoing server");
  assert_fits (window, "program-thunderbird");
  screenshot (window, "use-page-microsoft-narrow");

  /* NeoMutt's configuration: a token from Mail Setup; its long lines
   * scroll in their box, in the window. */
  expand (window, "program-thunderbird", FALSE);
  expand (window, "program-neomutt", TRUE);
  wait_for_rows ();
  g_assert_true (g_str_has_suffix (label (window, "needs-neomutt"),
                                   " NeoMutt gets each Microsoft sign-in from Mail Setup, so keep Mail Setup installed."));
  copied = assert_copies_configuration (window, MICROSOFT_EMAIL, MAIL_SETUP_EXPORT_NEOMUTT);
  g_assert_nonnull (strstr (copied, "--token"));
  assert_fits (window, "config-neomutt");
  assert_fits (window, "copy-neomutt");
  assert_tab_reaches (window, "config-neomutt");
  assert_tab_reaches (window, "copy-neomutt");
  scroll_to (widget (window, "program-neomutt"));
  screenshot (window, "use-page-neomutt-narrow");

  /* The programs not found, unfolded by the user; aerc's file must be
   * readable by its owner alone. */
  expand (window, "program-neomutt", FALSE);
  gtk_widget_activate (widget (window, "other-programs"));
  expand (window, "program-aerc", TRUE);
  wait_for_rows ();
  g_assert_true (gtk_widget_get_mapped (widget (window, "program-mbsync")));
  g_assert_false (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (widget (window, "program-mbsync"))));
  g_assert_nonnull (strstr (label (window, "steps-aerc"), "chmod 600 ~/.config/aerc/accounts.conf"));
  assert_fits (window, "copy-aerc");
  scroll_to (widget (window, "program-aerc"));
  screenshot (window, "use-page-other-apps-narrow");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);

  /* Back is the first page, where the menu was. */
  press (window, "back");
  mail_setup_test_ui_wait_for_page (window, "provider", 2000);

  gtk_window_destroy (GTK_WINDOW (window));
  mail_setup_test_ui_remove_saved_account (MICROSOFT_EMAIL);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;
  int status;

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  /* Settings of its own: other tests save accounts at the same time. */
  config = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"), "use-page-config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  programs_folder = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                                      "use-page-programs", NULL);
  make_programs ();
  /* The accessible names of the copy buttons are read back. */
  g_setenv ("GTK_A11Y", "test", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/use-page/after-save", test_use_page_after_save);
  g_test_add_func ("/use-page/from-saved-account-menu", test_use_page_from_saved_account_menu);

  status = g_test_run ();
  g_free (programs_folder);

  return status;
}
