/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The finish line: real mail programs use a saved account with nothing but
 * what `mail-setup --export` printed. The built program saves the accounts
 * itself (`--check --store`): a password account on the main test Dovecot
 * and a Microsoft sign-in (through the test browser and the identity
 * server) on the OAuth Dovecot. Then msmtp sends through Dovecot's
 * submission service, which relays to the sink, and mbsync fetches INBOX
 * into a Maildir. The password comes from the test session's keyring
 * through secret-tool, the token from `mail-setup --token`, as the exported
 * files say.
 *
 * The exported text is used unchanged. The one thing the test adds is
 * trust in the test CA, on the command line or in the environment, as a
 * person with a private authority would: the servers of real providers
 * have certificates that the system already trusts. The accounts name the
 * servers "localhost", which the test certificate holds as a DNS name:
 * mbsync 1.4 checks a certificate's DNS names only, never its IP addresses.
 *
 * This test sends real messages to the sink, which test-submission watches
 * for messages that must never be sent: both are serial tests in
 * tests/meson.build, so they never run at once. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>
#include <unistd.h>

#include "mail-setup-secret-store.h"
#include "mail-setup-test-browser.h"
#include "mail-setup-test-identity.h"
#include "mail-setup-test-program.h"
#include "mail-setup-test-util.h"

#define AUTHORITY_VARIABLE "MAIL_SETUP_OAUTH_AUTHORITY"
#define RECIPIENT "someone-else@example.test"
#define KDEXOAUTH2_PLUGIN "/usr/lib/x86_64-linux-gnu/sasl2/libkdexoauth2.so"

/* This run's folder: XDG_CONFIG_HOME (accounts.ini) and the mail
 * programs' files. */
static char *test_dir;

typedef struct
{
  int   status;
  char *out;
  char *err;
} RunResult;

static void
run_result_free (RunResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RunResult, run_result_free)

/* Runs ARGV (found on PATH) in the test folder with ENVIRONMENT (pairs of a
 * variable and its value, may be NULL) added, no display, STDIN_TEXT as
 * its input. */
static RunResult *
run (const char * const *argv,
     const char * const *environment,
     const char         *stdin_text)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  RunResult *result = g_new0 (RunResult, 1);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, test_dir);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  for (guint i = 0; environment != NULL && environment[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, environment[i], environment[i + 1], TRUE);

  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, stdin_text, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
  g_test_message ("%s: exit status %d\nstandard output:\n%s\nstandard error:\n%s",
                  argv[0], result->status, result->out, result->err);

  return result;
}

static char *
mail_setup_path (void)
{
  return g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_BUILD_DIR"),
                           "src", "mail-setup", NULL);
}

static RunResult *
run_mail_setup (const char * const *arguments,
                const char * const *environment,
                const char         *stdin_text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *program = mail_setup_path ();
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add (builder, program);
  g_strv_builder_addv (builder, (const char **) arguments);
  argv = g_strv_builder_end (builder);

  return run ((const char * const *) argv, environment, stdin_text);
}

static gboolean
skip_without (const char *program)
{
  g_autofree char *found = g_find_program_in_path (program);

  if (found != NULL)
    return FALSE;

  g_test_skip_printf ("%s is not installed (build-aux/prepare.sh installs it)", program);
  return TRUE;
}

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("\"%s\" missing in:\n%s", part, text);
}

static char *
port_text (const char *variable)
{
  return g_strdup_printf ("%u", mail_setup_test_service_port (variable));
}

/* A subject that no other message has. */
static char *
new_subject (const char *what)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("Mail Setup test, %s, %s", what, uuid);
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

/* The saved accounts */

static const char *
password_email (void)
{
  /* The odd user: a password with quotes, a backslash, braces, % and ü
   * that must come through the keyring, secret-tool and each program. */
  return mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_USER");
}

static const char *
microsoft_email (void)
{
  return mail_setup_test_service_env ("MAIL_SETUP_TEST_USER");
}

static void
clear_keyring (const char *email)
{
  g_autoptr(GError) error = NULL;

  secret_password_clear_sync (mail_setup_secret_store_get_schema (), NULL, &error,
                              "email", email, NULL);
  g_assert_no_error (error);
}

static void
ensure_password_account (void)
{
  static gboolean saved;
  g_autofree char *port = port_text ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT");
  g_autofree char *submission_port = port_text ("MAIL_SETUP_TEST_DOVECOT_SUBMISSION_PORT");
  g_autofree char *stdin_text = NULL;
  g_autoptr(RunResult) result = NULL;
  const char *store[] = {
    "--check", "--store", "--email", password_email (), "--provider", "other",
    "--server", "localhost", "--port", port, "--security", "ssl",
    "--smtp-server", "localhost", "--smtp-port", submission_port, "--smtp-security", "starttls",
    "--password-stdin", "--ca-file", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"),
    "--timeout", "5", NULL
  };

  if (saved)
    return;

  clear_keyring (password_email ());
  stdin_text = g_strconcat (mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD"), "\n",
                            NULL);
  result = run_mail_setup (store, NULL, stdin_text);
  g_assert_cmpint (result->status, ==, 0);
  assert_contains (result->out, "Saved ");

  saved = TRUE;
}

/* Signs in with Microsoft in the test browser, which approves as the
 * login hint, and saves the refresh token. */
static void
ensure_microsoft_account (void)
{
  static gboolean saved;
  g_autofree char *port = port_text ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT");
  g_autofree char *submission_port = port_text ("MAIL_SETUP_TEST_DOVECOT_OAUTH_SUBMISSION_PORT");
  g_autoptr(MailSetupTestProgramResult) result = NULL;
  const char *store[] = {
    "--check", "--store", "--auth", "oauth2", "--sign-in", "browser",
    "--email", microsoft_email (), "--server", "localhost", "--port", port,
    "--smtp-server", "localhost", "--smtp-port", submission_port,
    "--ca-file", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), "--timeout", "5", NULL
  };

  if (saved)
    return;

  mail_setup_test_identity_reset ();
  mail_setup_test_browser_install ();
  mail_setup_test_browser_set_mode (MAIL_SETUP_TEST_BROWSER_FOLLOW);
  result = mail_setup_test_program_run (store, NULL, MAIL_SETUP_TEST_PROGRAM_WITH_DISPLAY, NULL);
  g_assert_cmpint (result->status, ==, 0);
  assert_contains (result->out, "the Microsoft sign-in in the keyring");

  saved = TRUE;
}

/* `mail-setup --export FORMAT EMAIL`, saved as FILE_NAME in the test
 * folder, readable by its owner only (as aerc and msmtp want). */
static char *
export_to_file (const char *format,
                const char *email,
                const char *file_name)
{
  const char *export[] = { "--export", format, email, NULL };
  g_autoptr(RunResult) result = run_mail_setup (export, NULL, NULL);
  char *path = g_build_filename (test_dir, file_name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_true (g_str_has_prefix (result->out, "# "));
  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  write_file (path, result->out, 0600);

  return path;
}

/* msmtp */

/* msmtp with the exported file as its only configuration sends a message
 * from EMAIL; the sink got it, from EMAIL, with its subject. The test CA
 * comes on msmtp's command line, whose options take precedence over the
 * file's, so that the file stays as exported. */
static void
send_with_msmtp (const char *config,
                 const char *email,
                 const char *what)
{
  const char *sink = mail_setup_test_service_env ("MAIL_SETUP_TEST_SMTP_SINK_FILE");
  g_autofree char *subject = new_subject (what);
  g_autofree char *trust = g_strdup_printf ("--tls-trust-file=%s",
                                            mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"));
  g_autofree char *envelope = g_strdup_printf ("From <%s> <%s>\n", email, RECIPIENT);
  /* The message as it reached the sink: with SMTP's line ends. */
  g_autofree char *subject_line = g_strdup_printf ("\nSubject: %s\r\n", subject);
  g_autofree char *message = NULL;
  g_autofree char *received = NULL;
  g_autoptr(RunResult) sent = NULL;
  /* The account is named after the address (see the file's comments). */
  const char *msmtp[] = { "msmtp", "-C", config, "-a", email, trust, RECIPIENT, NULL };
  goffset before;

  message = g_strdup_printf ("From: %s\nTo: %s\nSubject: %s\n\nSent by msmtp with the exported "
                             "configuration.\n", email, RECIPIENT, subject);
  before = file_size (sink);
  sent = run (msmtp, NULL, message);
  g_assert_cmpint (sent->status, ==, 0);

  received = file_since (sink, before);
  g_assert_true (g_str_has_prefix (received, envelope));
  assert_contains (received, subject_line);
}

static void
test_msmtp_password (void)
{
  g_autofree char *config = NULL;
  g_autofree char *text = NULL;

  if (skip_without ("msmtp") || skip_without ("secret-tool"))
    return;

  ensure_password_account ();

  /* The password is read from the keyring, never written in the file. */
  config = export_to_file ("msmtp", password_email (), "msmtp-password");
  text = read_file (config);
  g_test_message ("exported:\n%s", text);
  assert_contains (text, "\nauth on\n");
  assert_contains (text, "\npasswordeval \"secret-tool lookup ");
  g_assert_null (strstr (text, mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD")));

  send_with_msmtp (config, password_email (), "msmtp, password");
}

static void
test_msmtp_microsoft (void)
{
  const char *dovecot_log = mail_setup_test_service_env ("MAIL_SETUP_TEST_DOVECOT_OAUTH_LOG");
  g_autofree char *program = mail_setup_path ();
  g_autofree char *config = NULL;
  g_autofree char *text = NULL;
  g_autofree char *passwordeval = NULL;
  g_autofree char *log = NULL;
  g_autofree char *login = NULL;
  goffset log_before;

  if (skip_without ("msmtp"))
    return;

  ensure_microsoft_account ();

  /* No mail-setup on PATH is the built one: the file names it in full. */
  config = export_to_file ("msmtp", microsoft_email (), "msmtp-microsoft");
  text = read_file (config);
  g_test_message ("exported:\n%s", text);
  assert_contains (text, "\nauth xoauth2\n");
  passwordeval = g_strdup_printf ("\npasswordeval \"%s --token %s\"\n", program, microsoft_email ());
  assert_contains (text, passwordeval);

  log_before = file_size (dovecot_log);
  send_with_msmtp (config, microsoft_email (), "msmtp, Microsoft sign-in");

  /* msmtp signed in with the token, which Dovecot's oauth2 passdb checked
   * with the identity server. */
  log = file_since (dovecot_log, log_before);
  login = g_strdup_printf ("submission-login: Info: Login: user=<%s>, method=XOAUTH2", microsoft_email ());
  assert_contains (log, login);
}

/* mbsync */

/* Puts a message with SUBJECT into the INBOX of USER on the Dovecot of
 * PORT_VARIABLE (implicit TLS), with Python's imaplib: the submission
 * service relays to the sink, not into a mailbox. The password travels in
 * the environment, never in an argument. */
static void
append_message (const char *port_variable,
                const char *user,
                const char *password,
                const char *subject)
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
  g_autofree char *port = port_text (port_variable);
  const char *argv[] = { "python3", "-c", script, NULL };
  const char *environment[] = {
    "APPEND_PORT", port, "APPEND_USER", user, "APPEND_PASSWORD", password,
    "APPEND_SUBJECT", subject, NULL
  };
  g_autoptr(RunResult) result = run (argv, environment, NULL);

  g_assert_cmpint (result->status, ==, 0);
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

/* mbsync with the exported file as ~/.mbsyncrc, in a home folder of its
 * own, fetches INBOX with the message of SUBJECT. It trusts the test CA
 * through SSL_CERT_FILE, which OpenSSL reads in place of the system's list
 * when the file names no CertificateFile, so that the file stays as
 * exported. */
static void
sync_with_mbsync (const char *email,
                  const char *home_name,
                  const char *subject)
{
  g_autofree char *home = g_build_filename (test_dir, home_name, NULL);
  g_autofree char *config_name = g_build_filename (home_name, ".mbsyncrc", NULL);
  g_autofree char *config = export_to_file ("mbsync", email, config_name);
  g_autofree char *text = read_file (config);
  g_autofree char *maildir = g_build_filename (home, "Mail", email, NULL);
  g_autofree char *inbox = g_build_filename (maildir, "Inbox", NULL);
  g_autoptr(RunResult) result = NULL;
  const char *environment[] = {
    "HOME", home, "SSL_CERT_FILE", mail_setup_test_service_env ("MAIL_SETUP_TEST_CA"), NULL
  };
  /* -a: every channel of the file, as `mbsync -a` after setting up. */
  const char *mbsync[] = { "mbsync", "-V", "-a", NULL };

  g_test_message ("exported:\n%s", text);

  /* As the file's comments ask: mkdir -p ~/Mail/ADDRESS. */
  g_assert_cmpint (g_mkdir_with_parents (maildir, 0700), ==, 0);

  result = run (mbsync, environment, NULL);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_true (maildir_has_subject (inbox, subject));
}

static void
test_mbsync_password (void)
{
  g_autofree char *subject = new_subject ("mbsync, password");

  if (skip_without ("mbsync") || skip_without ("secret-tool") || skip_without ("python3"))
    return;

  ensure_password_account ();
  append_message ("MAIL_SETUP_TEST_DOVECOT_IMAPS_PORT", password_email (),
                  mail_setup_test_service_env ("MAIL_SETUP_TEST_ODD_PASSWORD"), subject);

  sync_with_mbsync (password_email (), "home-mbsync-password", subject);
}

/* XOAUTH2 comes to mbsync through Cyrus SASL, from the KDE plugin
 * (libsasl2-modules-kdexoauth2), the one that Debian 12 packages; it hands
 * what PassCmd printed to the server as the bearer token. */
static void
test_mbsync_microsoft (void)
{
  const char *dovecot_log = mail_setup_test_service_env ("MAIL_SETUP_TEST_DOVECOT_OAUTH_LOG");
  g_autofree char *subject = new_subject ("mbsync, Microsoft sign-in");
  g_autofree char *log = NULL;
  g_autofree char *login = NULL;
  goffset log_before;

  if (skip_without ("mbsync") || skip_without ("python3"))
    return;
  if (!g_file_test (KDEXOAUTH2_PLUGIN, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the XOAUTH2 plugin of Cyrus SASL is not installed "
                   "(libsasl2-modules-kdexoauth2; build-aux/prepare.sh installs it)");
      return;
    }

  ensure_microsoft_account ();
  /* The OAuth Dovecot also takes the test user's password, for this. */
  append_message ("MAIL_SETUP_TEST_DOVECOT_OAUTH_IMAPS_PORT", microsoft_email (),
                  mail_setup_test_service_env ("MAIL_SETUP_TEST_PASSWORD"), subject);

  log_before = file_size (dovecot_log);
  sync_with_mbsync (microsoft_email (), "home-mbsync-microsoft", subject);

  log = file_since (dovecot_log, log_before);
  login = g_strdup_printf ("imap-login: Info: Login: user=<%s>, method=XOAUTH2", microsoft_email ());
  assert_contains (log, login);
}

/* NeoMutt and aerc read the files exported for the saved accounts */

static void
test_neomutt_reads (void)
{
  const char *emails[] = { password_email (), microsoft_email () };
  const char *authenticators[] = { "", "xoauth2" };

  if (skip_without ("neomutt"))
    return;

  ensure_password_account ();
  ensure_microsoft_account ();

  for (gsize i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      g_autofree char *config = export_to_file ("neomutt", emails[i], "neomuttrc");
      g_autofree char *expected = g_strdup_printf ("set imap_authenticators = \"%s\"\n",
                                                   authenticators[i]);
      const char *neomutt[] = { "neomutt", "-n", "-F", config, "-Q", "imap_authenticators", NULL };
      g_autoptr(RunResult) result = run (neomutt, NULL, NULL);

      g_assert_cmpint (result->status, ==, 0);
      g_assert_cmpstr (result->out, ==, expected);
      g_assert_null (strstr (result->err, "Error"));
    }
}

/* Without a terminal, aerc reads its files, runs source-cred-cmd (the
 * keyring lookup, or mail-setup --token) and stops at the account that is
 * not there, before it opens its interface. */
static void
test_aerc_reads (void)
{
  const char *emails[] = { password_email (), microsoft_email () };

  if (skip_without ("aerc"))
    return;

  ensure_password_account ();
  ensure_microsoft_account ();

  for (gsize i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      /* In the XDG_CONFIG_HOME that mail-setup --token shares. */
      g_autofree char *config = export_to_file ("aerc", emails[i], "config/aerc/accounts.conf");
      g_autofree char *accounts = g_strdup_printf ("%s,mail-setup-test-absent", emails[i]);
      g_autofree char *read_line = g_strdup_printf ("accounts.conf: [%s] from = %s\n",
                                                    emails[i], emails[i]);
      const char *aerc[] = { "aerc", "-a", accounts, NULL };
      g_autoptr(RunResult) result = run (aerc, NULL, NULL);

      g_assert_cmpint (result->status, ==, 1);
      assert_contains (result->err, "Failed to load config: account(s) not found");
      /* aerc logs each account at debug level when it has no terminal,
       * once it has read all of its settings and run its cred-cmds; one
       * that fails stops it with an error instead. */
      assert_contains (result->out, read_line);
    }
}

/* --export itself */

static void
test_export_errors (void)
{
  const char *unknown_format[] = { "--export", "mutt", password_email (), NULL };
  const char *unknown_address[] = { "--export", "msmtp", "nobody@example.test", NULL };
  g_autoptr(RunResult) format = NULL;
  g_autoptr(RunResult) address = NULL;

  ensure_password_account ();

  format = run_mail_setup (unknown_format, NULL, NULL);
  g_assert_cmpint (format->status, ==, 2);
  g_assert_cmpstr (format->out, ==, "");
  assert_contains (format->err, "“mutt”");
  assert_contains (format->err, "msmtp, mbsync, neomutt, aerc");

  address = run_mail_setup (unknown_address, NULL, NULL);
  g_assert_cmpint (address->status, ==, 2);
  g_assert_cmpstr (address->out, ==, "");
  assert_contains (address->err, "No account is saved for nobody@example.test");
  assert_contains (address->err, password_email ());
}

static void
test_export_empty_store (void)
{
  g_autofree char *empty = g_build_filename (test_dir, "empty-config", NULL);
  const char *export[] = { "--export", "msmtp", "nobody@example.test", NULL };
  const char *environment[] = { "XDG_CONFIG_HOME", empty, NULL };
  g_autoptr(RunResult) result = NULL;

  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  result = run_mail_setup (export, environment, NULL);
  g_assert_cmpint (result->status, ==, 2);
  g_assert_cmpstr (result->out, ==, "");
  assert_contains (result->err, "No account is saved for nobody@example.test");
  assert_contains (result->err, "--check --store");
}

/* A Microsoft account's file calls "mail-setup" by name when the one on
 * PATH is the program that exported it, and by its full path when PATH
 * finds another one or none. */
static void
test_export_program_path (void)
{
  g_autofree char *program = mail_setup_path ();
  g_autofree char *same_dir = g_build_filename (test_dir, "path-same", NULL);
  g_autofree char *other_dir = g_build_filename (test_dir, "path-other", NULL);
  g_autofree char *same = g_build_filename (same_dir, "mail-setup", NULL);
  g_autofree char *other = g_build_filename (other_dir, "mail-setup", NULL);
  g_autofree char *same_path = g_strdup_printf ("%s:%s", same_dir, g_getenv ("PATH"));
  g_autofree char *other_path = g_strdup_printf ("%s:%s", other_dir, g_getenv ("PATH"));
  g_autofree char *by_name = g_strdup_printf ("\npasswordeval \"mail-setup --token %s\"\n",
                                              microsoft_email ());
  g_autofree char *by_path = g_strdup_printf ("\npasswordeval \"%s --token %s\"\n",
                                              program, microsoft_email ());
  const char *export[] = { "--export", "msmtp", microsoft_email (), NULL };
  const char *export_password[] = { "--export", "msmtp", password_email (), NULL };
  const char *on_path[] = { "PATH", same_path, NULL };
  const char *another[] = { "PATH", other_path, NULL };
  g_autoptr(RunResult) named = NULL;
  g_autoptr(RunResult) full = NULL;
  g_autoptr(RunResult) password = NULL;

  ensure_microsoft_account ();
  ensure_password_account ();

  g_assert_cmpint (g_mkdir_with_parents (same_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (other_dir, 0700), ==, 0);
  g_assert_cmpint (symlink (program, same), ==, 0);
  write_file (other, "#!/bin/sh\nexit 1\n", 0700);

  named = run_mail_setup (export, on_path, NULL);
  g_assert_cmpint (named->status, ==, 0);
  assert_contains (named->out, by_name);
  g_assert_null (strstr (named->err, program));

  full = run_mail_setup (export, another, NULL);
  g_assert_cmpint (full->status, ==, 0);
  assert_contains (full->out, by_path);
  /* And says so, where it does not end up in the file. */
  assert_contains (full->err, program);

  /* A password account never calls Mail Setup: nothing to say. */
  password = run_mail_setup (export_password, another, NULL);
  g_assert_cmpint (password->status, ==, 0);
  g_assert_cmpstr (password->err, ==, "");
}

/* Leaves no saved account behind for the tests that run later. */
static void
remove_accounts (void)
{
  const char *emails[] = { password_email (), microsoft_email () };

  for (gsize i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      const char *remove[] = { "--remove", emails[i], NULL };

      run_result_free (run_mail_setup (remove, NULL, NULL));
    }
  clear_keyring (password_email ());
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

  template = g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_TEST_DIR"),
                               "export-live-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (template));
  test_dir = g_steal_pointer (&template);

  /* Before GLib reads it, which it does once: the saved accounts of this
   * test and of every program it starts (mail-setup, and mail-setup
   * --token, which a mail program runs). So is the identity server. */
  config_home = g_build_filename (test_dir, "config", NULL);
  g_assert_cmpint (g_mkdir_with_parents (config_home, 0700), ==, 0);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv (AUTHORITY_VARIABLE, mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL"), TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/export-live/msmtp/password", test_msmtp_password);
  g_test_add_func ("/export-live/msmtp/microsoft", test_msmtp_microsoft);
  g_test_add_func ("/export-live/mbsync/password", test_mbsync_password);
  g_test_add_func ("/export-live/mbsync/microsoft", test_mbsync_microsoft);
  g_test_add_func ("/export-live/neomutt/reads", test_neomutt_reads);
  g_test_add_func ("/export-live/aerc/reads", test_aerc_reads);
  g_test_add_func ("/export-live/export/errors", test_export_errors);
  g_test_add_func ("/export-live/export/empty-store", test_export_empty_store);
  g_test_add_func ("/export-live/export/program-path", test_export_program_path);

  status = g_test_run ();
  remove_accounts ();
  g_free (test_dir);

  return status;
}
