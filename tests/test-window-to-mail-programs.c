/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Issue 17's finish line, from the window: a Microsoft account set up as a
 * person sets it up (the address, Microsoft 365, the servers, Sign In With
 * Microsoft in the browser, Test, Save) is used by the real msmtp and
 * mbsync with nothing but what the Use This Account page's Copy buttons
 * put on the clipboard, saved where the page says.
 *
 * The browser is tests/servers/test-browser.py, the identity server stands
 * in for Microsoft's, and the OAuth Dovecot checks its tokens for IMAP and
 * for its submission service, which relays to the SMTP sink. As in
 * test-export-live, the one thing added to the copied text is trust in the
 * test CA (msmtp's command line, mbsync's SSL_CERT_FILE), and the servers
 * are named "localhost", the DNS name in the test certificate: mbsync 1.4
 * checks a certificate's DNS names only, never its IP addresses.
 *
 * The page names Mail Setup "mail-setup" when the program that shows it is
 * the mail-setup on PATH, and by its full path otherwise. This test program
 * is neither, so the page names it "mail-setup": the mail programs here
 * find the built one on their PATH, as they find an installed one.
 *
 * This test sends a real message to the sink, which test-submission
 * watches: it is a serial test in tests/meson.build. */

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "mail-setup-account-store.h"
#include "mail-setup-core.h"
#include "mail-setup-test-browser.h"
#include "mail-setup-test-identity.h"
#include "mail-setup-test-ui.h"
#include "mail-setup-test-util.h"

#define RECIPIENT "someone-else@example.test"
#define KDEXOAUTH2_PLUGIN "/usr/lib/x86_64-linux-gnu/sasl2/libkdexoauth2.so"

/* This run's folder, and the home folder of its person: ~/.config is
 * XDG_CONFIG_HOME (accounts.ini, msmtp/config), ~/.mbsyncrc and ~/Mail
 * are mbsync's. */
static char *test_dir;
static char *home;
/* A folder with the built mail-setup, first on the mail programs' PATH. */
static char *bin_dir;

static MailSetupWindow *use_window;

static GtkWidget *
widget (MailSetupWindow *window,
        const char      *name)
{
  return mail_setup_test_ui_widget (window, name);
}

static void
type_into (MailSetupWindow *window,
           const char      *name,
           const char      *text)
{
  mail_setup_test_ui_type_into (window, name, text);
}

static void
press (MailSetupWindow *window,
       const char      *name)
{
  mail_setup_test_ui_press (window, name);
}

static const char *
email (void)
{
  /* The user whom the OAuth Dovecot also knows by password, for putting a
   * message into the mailbox. */
  return mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
}

static char *
port_text (const char *variable)
{
  return g_strdup_printf ("%u", mail_setup_test_service_port (variable));
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("\"%s\" missing in:\n%s", part, text);
}

static goffset
file_size (const char *path)
{
  GStatBuf status;

  g_assert_cmpint (g_stat (path, &status), ==, 0);
  return status.st_size;
}

/* What was added to PATH after it had SIZE bytes. */
static char *
file_since (const char *path,
            goffset     size)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >=, size);

  return g_strdup (contents + size);
}

static char *
new_subject (const char *what)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("Mail Setup window test, %s, %s", what, uuid);
}

/* Runs ARGV (found on the PATH given to it) in the home folder, with HOME
 * and ENVIRONMENT (pairs, may be NULL) set and STDIN_TEXT as its input;
 * returns the exit status. The keyring's D-Bus session stays. */
static int
run (const char * const *argv,
     const char * const *environment,
     const char         *stdin_text)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *path = g_strdup_printf ("%s:%s", bin_dir, g_getenv ("PATH"));
  int status;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, home);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "PATH", path, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  for (guint i = 0; environment != NULL && environment[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, environment[i], environment[i + 1], TRUE);

  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, stdin_text, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  status = g_subprocess_get_exit_status (process);
  g_test_message ("%s: exit status %d\nstandard output:\n%s\nstandard error:\n%s",
                  argv[0], status, out, err);

  return status;
}

/* The clipboard */

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

/* Until expander rows and toasts have slid in. */
static void
wait_for_animations (void)
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
 * says so is closed with its button, so that the next copy has its own. */
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
  wait_for_animations ();
  g_signal_emit_by_name (gtk_widget_get_last_child (toast), "clicked");
  g_assert_true (mail_setup_test_ui_wait_until (no_toast, window, 2000));

  return text;
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

/* Opens the row of PROGRAM on the page as a person does: from Other Mail
 * Apps when it was not found, the other rows shut; returns its copied
 * configuration after a screenshot of it. */
static char *
copy_configuration_of (MailSetupWindow *window,
                       const char      *program)
{
  g_autofree char *row_name = g_strconcat ("program-", program, NULL);
  g_autofree char *copy_name = g_strconcat ("copy-", program, NULL);
  g_autofree char *steps_name = g_strconcat ("steps-", program, NULL);
  g_autofree char *shot = g_strconcat ("window-to-mail-programs-", program, NULL);
  GtkWidget *row = widget (window, row_name);
  const char *names[] = { "program-thunderbird", "program-evolution", "program-msmtp",
                          "program-mbsync", "program-neomutt", "program-aerc" };

  if (!gtk_widget_get_mapped (row))
    {
      g_test_message ("%s was not found on this computer: opening Other Mail Apps", program);
      gtk_widget_activate (widget (window, "other-programs"));
      wait_for_animations ();
    }
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GtkWidget *other = mail_setup_test_ui_find (GTK_WIDGET (window), names[i]);

      if (other != NULL && other != row)
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (other), FALSE);
    }
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  wait_for_animations ();
  g_assert_true (gtk_widget_get_mapped (row));
  g_test_message ("%s: %s", steps_name,
                  gtk_label_get_label (GTK_LABEL (widget (window, steps_name))));

  scroll_to (row);
  mail_setup_test_ui_save_screenshot (window, shot);

  return copy_with (window, copy_name);
}

/* The window */

static gboolean
save_finished (gpointer user_data)
{
  MailSetupWindow *window = user_data;

  return g_strcmp0 (mail_setup_window_get_page (window), "use") == 0 ||
         gtk_widget_has_css_class (widget (window, "save-status"), "error");
}

/* The user's way, once for the tests of this program: the address,
 * Microsoft 365, the servers, Microsoft's sign-in in the browser (which
 * signs in as the address), the test that follows it, Save. */
static MailSetupWindow *
window_with_saved_account (void)
{
  g_autofree char *port = port_text ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT");
  g_autofree char *smtp_port = port_text ("MAIL_SETUP_TEST_DOVECOT_OAUTH_SUBMISSION_PORT");
  MailSetupWindow *window;

  if (use_window != NULL)
    return use_window;

  mail_setup_test_identity_reset ();
  mail_setup_test_browser_install ();
  mail_setup_test_browser_use_new_log ();
  mail_setup_test_browser_set_mode (MAIL_SETUP_TEST_BROWSER_FOLLOW);

  g_setenv ("MAIL_SETUP_EXTRA_CA_FILE", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), TRUE);
  window = mail_setup_test_ui_open_window ();

  type_into (window, "email", email ());
  gtk_widget_activate (widget (window, "provider-microsoft365"));
  press (window, "continue");
  mail_setup_test_ui_wait_for_page (window, "account", 2000);
  type_into (window, "server", "localhost");
  type_into (window, "port", port);
  type_into (window, "smtp-server", "localhost");
  type_into (window, "smtp-port", smtp_port);
  adw_combo_row_set_selected (ADW_COMBO_ROW (widget (window, "smtp-security")),
                              MAIL_SETUP_SECURITY_STARTTLS);
  mail_setup_test_ui_save_screenshot (window, "window-to-mail-programs-account");

  g_assert_true (gtk_widget_is_drawable (widget (window, "microsoft-sign-in-row")));
  gtk_widget_activate (widget (window, "microsoft-sign-in-row"));
  mail_setup_test_ui_wait_for_page (window, "sign-in", 2000);
  mail_setup_test_ui_wait_for_page (window, "result", 20000);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (widget (window, "ok"))), ==, "Your Account Works");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (widget (window, "outcome"))), ==,
                   "Receiving and sending mail both work.");
  mail_setup_test_ui_save_screenshot (window, "window-to-mail-programs-result");

  press (window, "save");
  g_assert_true (mail_setup_test_ui_wait_until (save_finished, window, 10000));
  g_assert_cmpstr (mail_setup_window_get_page (window), ==, "use");
  mail_setup_test_ui_save_screenshot (window, "window-to-mail-programs-use-page");

  use_window = window;
  return window;
}

/* msmtp */

/* The copied text, saved as ~/.config/msmtp/config ($XDG_CONFIG_HOME is
 * ~/.config here), sends a message as its comment says: msmtp -a NAME. */
static void
test_msmtp (void)
{
  const char *sink = mail_setup_test_service_env ("MAIL_SETUP_TEST_SMTP_SINK_FILE");
  const char *dovecot_log = mail_setup_test_service_env ("MAIL_SETUP_TEST_DOVECOT_OAUTH_LOG");
  g_autofree char *msmtp_found = g_find_program_in_path ("msmtp");
  g_autofree char *folder = g_build_filename (home, ".config", "msmtp", NULL);
  g_autofree char *config = g_build_filename (folder, "config", NULL);
  g_autofree char *subject = new_subject ("msmtp");
  g_autofree char *trust = g_strdup_printf ("--tls-trust-file=%s",
                                            mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  g_autofree char *passwordeval = g_strdup_printf ("\npasswordeval \"mail-setup --token %s\"\n",
                                                   email ());
  g_autofree char *envelope = g_strdup_printf ("From <%s> <%s>\n", email (), RECIPIENT);
  g_autofree char *subject_line = g_strdup_printf ("\nSubject: %s\r\n", subject);
  g_autofree char *login = g_strdup_printf ("submission-login: Info: Login: user=<%s>, method=XOAUTH2",
                                            email ());
  g_autofree char *message = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *received = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;
  const char *msmtp[] = { "msmtp", "-a", email (), trust, RECIPIENT, NULL };
  goffset sink_before, log_before;

  if (msmtp_found == NULL)
    {
      g_test_skip ("msmtp is not installed (build-aux/prepare.sh installs it)");
      return;
    }

  copied = copy_configuration_of (window_with_saved_account (), "msmtp");
  g_test_message ("copied:\n%s", copied);
  assert_contains (copied, "\nauth xoauth2\n");
  assert_contains (copied, passwordeval);
  assert_contains (copied, "\nhost localhost\n");

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_file_set_contents (config, copied, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (config, 0600), ==, 0);

  message = g_strdup_printf ("From: %s\nTo: %s\nSubject: %s\n\nSent by msmtp with the "
                             "configuration copied from Mail Setup's window.\n",
                             email (), RECIPIENT, subject);
  sink_before = file_size (sink);
  log_before = file_size (dovecot_log);
  g_assert_cmpint (run (msmtp, NULL, message), ==, 0);

  received = file_since (sink, sink_before);
  g_assert_true (g_str_has_prefix (received, envelope));
  assert_contains (received, subject_line);
  /* With the token from mail-setup --token, which Dovecot checked with the
   * identity server. */
  log = file_since (dovecot_log, log_before);
  assert_contains (log, login);
}

/* mbsync */

/* Puts a message with SUBJECT into the INBOX with Python's imaplib and the
 * password that the OAuth Dovecot also takes (the submission service
 * relays to the sink, not into a mailbox). The password travels in the
 * environment, never in an argument. */
static void
append_message (const char *subject)
{
  static const char script[] =
    "import imaplib, os, ssl, time\n"
    "e = os.environ\n"
    "context = ssl.create_default_context(cafile=e['MAIL_SETUP_TEST_CA'])\n"
    "imap = imaplib.IMAP4_SSL('127.0.0.1', int(e['APPEND_PORT']), ssl_context=context)\n"
    "credentials = b'\\0' + e['APPEND_USER'].encode() + b'\\0' + e['APPEND_PASSWORD'].encode()\n"
    "imap.authenticate('PLAIN', lambda challenge: credentials)\n"
    "message = ('From: sender@example.test\\r\\nTo: ' + e['APPEND_USER'] +\n"
    "           '\\r\\nSubject: ' + e['APPEND_SUBJECT'] + '\\r\\n\\r\\nFor mbsync.\\r\\n')\n"
    "status, _ = imap.append('INBOX', None, imaplib.Time2Internaldate(time.time()),\n"
    "                        message.encode())\n"
    "assert status == 'OK', status\n"
    "imap.logout()\n";
  g_autofree char *port = port_text ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT");
  const char *argv[] = { "python3", "-c", script, NULL };
  const char *environment[] = {
    "APPEND_PORT", port, "APPEND_USER", email (),
    "APPEND_PASSWORD", mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"),
    "APPEND_SUBJECT", subject, NULL
  };

  g_assert_cmpint (run (argv, environment, NULL), ==, 0);
}

/* Whether a message in the Maildir FOLDER (new/ or cur/) has SUBJECT. */
static gboolean
maildir_has_subject (const char *folder,
                     const char *subject)
{
  static const char *parts[] = { "new", "cur" };
  g_autofree char *line = g_strdup_printf ("\nSubject: %s", subject);

  for (gsize i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *path = g_build_filename (folder, parts[i], NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *file = g_build_filename (path, name, NULL);
          g_autofree char *contents = NULL;

          if (g_file_get_contents (file, &contents, NULL, NULL) && strstr (contents, line) != NULL)
            return TRUE;
        }
    }

  return FALSE;
}

/* The copied text, saved as ~/.mbsyncrc, after the mkdir that its comment
 * asks for, fetches the INBOX with `mbsync -a`. XOAUTH2 comes to mbsync
 * from Cyrus SASL's KDE plugin. */
static void
test_mbsync (void)
{
  const char *dovecot_log = mail_setup_test_service_env ("MAIL_SETUP_TEST_DOVECOT_OAUTH_LOG");
  g_autofree char *mbsync_found = g_find_program_in_path ("mbsync");
  g_autofree char *python_found = g_find_program_in_path ("python3");
  g_autofree char *config = g_build_filename (home, ".mbsyncrc", NULL);
  g_autofree char *maildir = g_build_filename (home, "Mail", email (), NULL);
  g_autofree char *inbox = g_build_filename (maildir, "Inbox", NULL);
  g_autofree char *mkdir_line = g_strdup_printf ("mkdir -p ~/Mail/%s\n", email ());
  g_autofree char *mkdir_command = g_strdup (mkdir_line);
  g_autofree char *subject = new_subject ("mbsync");
  g_autofree char *login = g_strdup_printf ("imap-login: Info: Login: user=<%s>, method=XOAUTH2",
                                            email ());
  g_autofree char *copied = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;
  const char *environment[] = {
    "SSL_CERT_FILE", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), NULL
  };
  const char *mbsync[] = { "mbsync", "-V", "-a", NULL };
  MailSetupWindow *window;
  goffset log_before;

  if (mbsync_found == NULL || python_found == NULL)
    {
      g_test_skip ("mbsync or python3 is not installed (build-aux/prepare.sh installs them)");
      return;
    }
  if (!g_file_test (KDEXOAUTH2_PLUGIN, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the XOAUTH2 plugin of Cyrus SASL is not installed "
                   "(libsasl2-modules-kdexoauth2; build-aux/prepare.sh installs it)");
      return;
    }

  window = window_with_saved_account ();
  copied = copy_configuration_of (window, "mbsync");
  g_test_message ("copied:\n%s", copied);
  /* The page says what to run first, not only the file's comments. */
  g_strchomp (mkdir_command);
  assert_contains (gtk_label_get_label (GTK_LABEL (widget (window, "steps-mbsync"))), mkdir_command);
  assert_contains (copied, "\nAuthMechs XOAUTH2\n");
  assert_contains (copied, "mail-setup --token");
  assert_contains (copied, "\nHost localhost\n");
  assert_contains (copied, mkdir_line);

  g_file_set_contents (config, copied, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (config, 0600), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (maildir, 0700), ==, 0);

  append_message (subject);
  log_before = file_size (dovecot_log);
  g_assert_cmpint (run (mbsync, environment, NULL), ==, 0);
  g_assert_true (maildir_has_subject (inbox, subject));

  log = file_since (dovecot_log, log_before);
  assert_contains (log, login);
}

static gboolean
result_arrived (gpointer user_data)
{
  return *(GAsyncResult **) user_data != NULL;
}

/* Leaves no saved account, in accounts.ini or the keyring, for the tests
 * that run later. */
static void
remove_saved_account (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (use_window == NULL)
    return;

  gtk_window_destroy (GTK_WINDOW (use_window));
  mail_setup_test_identity_reset ();
  mail_setup_account_store_remove_async (email (), NULL, mail_setup_store_async_result, &result);
  g_assert_true (mail_setup_test_ui_wait_until (result_arrived, &result, 10000));
  g_assert_true (mail_setup_account_store_remove_finish (result, &error));
  g_assert_no_error (error);
}

/* The built mail-setup under its own name, first on the mail programs'
 * PATH, as an installed one would be. */
static void
make_bin_dir (void)
{
  g_autofree char *program = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_BUILD_DIR"),
                                               "src", "mail-setup", NULL);
  g_autofree char *link = NULL;

  bin_dir = g_build_filename (test_dir, "bin", NULL);
  link = g_build_filename (bin_dir, "mail-setup", NULL);
  g_assert_cmpint (g_mkdir_with_parents (bin_dir, 0700), ==, 0);
  g_assert_cmpint (symlink (program, link), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *template = NULL;
  g_autofree char *config_home = NULL;
  int status;

  if (!mail_setup_test_services_running ())
    return mail_setup_test_skip_without_services (&argc, &argv);

  /* A folder of this run's own: nothing of an earlier run counts. */
  template = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                               "window-to-mail-programs-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (template));
  test_dir = g_steal_pointer (&template);
  home = g_build_filename (test_dir, "home", NULL);
  make_bin_dir ();

  /* Before GLib reads it: the saved accounts of the window and of
   * mail-setup --token, which the mail programs run, and msmtp's folder. */
  config_home = g_build_filename (home, ".config", NULL);
  g_assert_cmpint (g_mkdir_with_parents (config_home, 0700), ==, 0);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("MAIL_SETUP_OAUTH_AUTHORITY", mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"),
            TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/window-to-mail-programs/msmtp", test_msmtp);
  g_test_add_func ("/window-to-mail-programs/mbsync", test_mbsync);

  status = g_test_run ();
  remove_saved_account ();
  g_free (bin_dir);
  g_free (home);
  g_free (test_dir);

  return status;
}
