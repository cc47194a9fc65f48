/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The configurations for msmtp, mbsync, NeoMutt and aerc: the text itself,
 * and what the real programs read from it. A stand-in for mail-setup and
 * for secret-tool records the arguments that each program's shell gave it,
 * so a quoting mistake shows as a wrong argument. The parts that need a
 * program skip when it is not installed. */

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mail-setup-account-store.h"
#include "mail-setup-export.h"

/* Characters that each format or the shell reads specially, in the name,
 * the address (all of them allowed in a local part) and the sign-in name. */
#define HOSTILE_NAME "Ann \"Q\" O'Neil $HOME `id` #1; x \\"
#define HOSTILE_EMAIL "o'neil+$HOME#1|x`id`&{y}@example.com"
#define QUOTED_EMAIL "\"john \\\"q\\\" doe\"@example.com"
/* Starts and ends with a double quote, which msmtp and go-ini would strip
 * from a value that is not quoted again. */
#define HOSTILE_USER "\"DOMAIN\\o'neil\" $x #1; y \"q\""
#define HOSTILE_SECRET "p \"w' #;`x` $y \\"

static const MailSetupExportAccount microsoft_account = {
  .email = "someone@contoso.com",
  .display_name = "Some One",
  .imap_host = "outlook.office365.com",
  .imap_port = 993,
  .imap_security = MAIL_SETUP_SECURITY_SSL_TLS,
  .smtp_host = "smtp.office365.com",
  .smtp_port = 587,
  .smtp_security = MAIL_SETUP_SECURITY_STARTTLS,
  .username = "someone@contoso.com",
  .microsoft_sign_in = TRUE,
};

static const MailSetupExportAccount password_account = {
  .email = "me@example.org",
  .display_name = "Me",
  .imap_host = "imap.example.org",
  .imap_port = 143,
  .imap_security = MAIL_SETUP_SECURITY_STARTTLS,
  .smtp_host = "smtp.example.org",
  .smtp_port = 465,
  .smtp_security = MAIL_SETUP_SECURITY_SSL_TLS,
  .username = "me",
  .smtp_username = "me-smtp",
};

static char *
export (MailSetupExportFormat         format,
        const MailSetupExportAccount *account)
{
  g_autoptr(GError) error = NULL;
  char *text = mail_setup_export_config (format, account, &error);

  g_assert_no_error (error);
  g_assert_nonnull (text);
  return text;
}

static void
assert_line (const char *text,
             const char *line)
{
  g_autofree char *needle = g_strdup_printf ("\n%s\n", line);

  if (strstr (text, needle) == NULL)
    g_error ("line «%s» missing in:\n%s", line, text);
}

static void
assert_no_line_starting (const char *text,
                         const char *start)
{
  g_autofree char *needle = g_strdup_printf ("\n%s", start);

  if (strstr (text, needle) != NULL)
    g_error ("unexpected line «%s…» in:\n%s", start, text);
}

/* The text of the files */

static void
test_export_formats (void)
{
  MailSetupExportFormat format = MAIL_SETUP_EXPORT_AERC;

  for (int i = 0; i < MAIL_SETUP_EXPORT_N_FORMATS; i++)
    {
      const char *name = mail_setup_export_format_to_string (i);

      g_assert_true (mail_setup_export_format_from_string (name, &format));
      g_assert_cmpint (format, ==, i);
      g_assert_nonnull (strstr (mail_setup_export_format_list (), name));
      g_assert_true (g_str_has_prefix (mail_setup_export_format_get_path (i), "~/"));
    }
  g_assert_cmpstr (mail_setup_export_format_list (), ==, "msmtp, mbsync, neomutt, aerc");
  g_assert_false (mail_setup_export_format_from_string ("mutt", &format));
  g_assert_false (mail_setup_export_format_from_string ("MSMTP", &format));
  g_assert_false (mail_setup_export_format_from_string (NULL, &format));
}

static void
test_export_account_name (void)
{
  MailSetupExportAccount account = microsoft_account;
  g_autofree char *plain = mail_setup_export_get_account_name (&account);
  g_autofree char *hostile = NULL;
  g_autofree char *dashed = NULL;

  g_assert_cmpstr (plain, ==, "someone@contoso.com");

  account.email = "\"a b\":c,d/e'f@example.com";
  hostile = mail_setup_export_get_account_name (&account);
  g_assert_cmpstr (hostile, ==, "_a_b__c_d_e_f@example.com");

  account.email = "-x@example.com";
  dashed = mail_setup_export_get_account_name (&account);
  g_assert_cmpstr (dashed, ==, "_x@example.com");
}

static void
test_export_msmtp_text (void)
{
  g_autofree char *microsoft = export (MAIL_SETUP_EXPORT_MSMTP, &microsoft_account);
  g_autofree char *password = export (MAIL_SETUP_EXPORT_MSMTP, &password_account);

  g_assert_true (g_str_has_prefix (microsoft, "# "));
  g_assert_nonnull (strstr (microsoft, "~/.config/msmtp/config"));
  assert_line (microsoft, "account someone@contoso.com");
  assert_line (microsoft, "host smtp.office365.com");
  assert_line (microsoft, "port 587");
  assert_line (microsoft, "tls on");
  assert_line (microsoft, "tls_starttls on");
  assert_line (microsoft, "auth xoauth2");
  assert_line (microsoft, "user \"someone@contoso.com\"");
  assert_line (microsoft, "from \"someone@contoso.com\"");
  assert_line (microsoft, "passwordeval \"mail-setup --token someone@contoso.com\"");
  /* A later "auth on" would undo xoauth2. */
  assert_no_line_starting (microsoft, "auth on");

  assert_line (password, "account me@example.org");
  assert_line (password, "host smtp.example.org");
  assert_line (password, "port 465");
  assert_line (password, "tls_starttls off");
  assert_line (password, "auth on");
  assert_line (password, "user \"me-smtp\"");
  assert_line (password, "passwordeval \"secret-tool lookup xdg:schema io.github.mailsetup.Account "
                         "email me@example.org user me-smtp server smtp.example.org protocol smtp "
                         "authtype password || "
                         "secret-tool lookup xdg:schema io.github.mailsetup.Account "
                         "email me@example.org user me server imap.example.org protocol imap "
                         "authtype password\"");
  assert_no_line_starting (password, "auth xoauth2");
  g_assert_null (strstr (password, "mail-setup --token"));
}

static void
test_export_mbsync_text (void)
{
  g_autofree char *microsoft = export (MAIL_SETUP_EXPORT_MBSYNC, &microsoft_account);
  g_autofree char *password = export (MAIL_SETUP_EXPORT_MBSYNC, &password_account);

  g_assert_nonnull (strstr (microsoft, "~/.mbsyncrc"));
  g_assert_nonnull (strstr (microsoft, "libsasl2-modules-kdexoauth2"));
  assert_line (microsoft, "IMAPAccount someone@contoso.com");
  assert_line (microsoft, "Host outlook.office365.com");
  assert_line (microsoft, "Port 993");
  assert_line (microsoft, "User \"someone@contoso.com\"");
  assert_line (microsoft, "PassCmd \"mail-setup --token someone@contoso.com\"");
  assert_line (microsoft, "AuthMechs XOAUTH2");
  assert_line (microsoft, "SSLType IMAPS");
  /* An empty line ends each section. */
  assert_line (microsoft, "\nIMAPStore someone@contoso.com-remote\nAccount someone@contoso.com");
  assert_line (microsoft, "\nMaildirStore someone@contoso.com-local\n"
                          "Path ~/Mail/someone@contoso.com/\n"
                          "Inbox ~/Mail/someone@contoso.com/Inbox\n"
                          "SubFolders Verbatim");
  assert_line (microsoft, "\nChannel someone@contoso.com\n"
                          "Far :someone@contoso.com-remote:\n"
                          "Near :someone@contoso.com-local:");

  g_assert_null (strstr (password, "kdexoauth2"));
  assert_line (password, "Port 143");
  assert_line (password, "SSLType STARTTLS");
  assert_line (password, "AuthMechs PLAIN LOGIN");
  assert_line (password, "User \"me\"");
  assert_line (password, "PassCmd \"secret-tool lookup xdg:schema io.github.mailsetup.Account "
                         "email me@example.org user me server imap.example.org protocol imap "
                         "authtype password\"");
}

/* mbsync reads the file without a server, but uses User and PassCmd only
 * when it signs in; these follow mbsync(1) to the letter. */
static void
test_export_mbsync_quoting (void)
{
  MailSetupExportAccount account = microsoft_account;
  g_autofree char *microsoft = NULL;
  g_autofree char *password = NULL;

  account.email = QUOTED_EMAIL;
  account.username = HOSTILE_USER;
  account.program_path = "/opt/Mail Setup's/mail-setup";
  microsoft = export (MAIL_SETUP_EXPORT_MBSYNC, &account);
  assert_line (microsoft, "User \"\\\"DOMAIN\\\\o'neil\\\" $x #1; y \\\"q\\\"\"");
  assert_line (microsoft, "PassCmd \"'/opt/Mail Setup'\\\\''s/mail-setup' --token "
                          "'\\\"john \\\\\\\"q\\\\\\\" doe\\\"@example.com'\"");

  account.microsoft_sign_in = FALSE;
  account.imap_host = "::1";
  password = export (MAIL_SETUP_EXPORT_MBSYNC, &account);
  assert_line (password, "Host ::1");
  assert_line (password, "PassCmd \"secret-tool lookup xdg:schema io.github.mailsetup.Account "
                         "email '\\\"john \\\\\\\"q\\\\\\\" doe\\\"@example.com' "
                         "user '\\\"DOMAIN\\\\o'\\\\''neil\\\" $x #1; y \\\"q\\\"' server ::1 protocol imap "
                         "authtype password\"");
}

static void
test_export_mbsync_without_smtp (void)
{
  MailSetupExportAccount account = password_account;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  account.smtp_host = NULL;
  account.smtp_port = 0;
  text = export (MAIL_SETUP_EXPORT_MBSYNC, &account);
  assert_line (text, "Host imap.example.org");

  for (int i = 0; i < MAIL_SETUP_EXPORT_N_FORMATS; i++)
    {
      g_autofree char *refused = NULL;

      if (i == MAIL_SETUP_EXPORT_MBSYNC)
        continue;
      refused = mail_setup_export_config (i, &account, &error);
      g_assert_error (error, MAIL_SETUP_EXPORT_ERROR, MAIL_SETUP_EXPORT_ERROR_MISSING);
      g_assert_null (refused);
      g_clear_error (&error);
    }
}

static void
test_export_neomutt_text (void)
{
  g_autofree char *microsoft = export (MAIL_SETUP_EXPORT_NEOMUTT, &microsoft_account);
  g_autofree char *password = export (MAIL_SETUP_EXPORT_NEOMUTT, &password_account);

  g_assert_nonnull (strstr (microsoft, "~/.config/neomutt/neomuttrc"));
  assert_line (microsoft, "set from = \"someone@contoso.com\"");
  assert_line (microsoft, "set real_name = \"Some One\"");
  assert_line (microsoft, "set imap_user = \"someone@contoso.com\"");
  assert_line (microsoft, "set folder = \"imaps://someone%40contoso.com@outlook.office365.com:993/\"");
  assert_line (microsoft, "set spool_file = \"+INBOX\"");
  assert_line (microsoft, "set smtp_url = \"smtp://someone%40contoso.com@smtp.office365.com:587/\"");
  assert_line (microsoft, "set ssl_force_tls = yes");
  assert_line (microsoft, "set imap_authenticators = \"xoauth2\"");
  assert_line (microsoft, "set imap_oauth_refresh_command = \"mail-setup --token someone@contoso.com\"");
  assert_line (microsoft, "set smtp_authenticators = \"xoauth2\"");
  assert_line (microsoft, "set smtp_oauth_refresh_command = \"mail-setup --token someone@contoso.com\"");
  assert_no_line_starting (microsoft, "set imap_pass");

  assert_line (password, "set folder = \"imap://me@imap.example.org:143/\"");
  assert_line (password, "set smtp_url = \"smtps://me-smtp@smtp.example.org:465/\"");
  assert_line (password, "set ssl_starttls = yes");
  assert_line (password, "set imap_pass = \"`secret-tool lookup xdg:schema io.github.mailsetup.Account "
                         "email me@example.org user me server imap.example.org protocol imap "
                         "authtype password`\"");
  assert_no_line_starting (password, "set imap_authenticators");
  assert_no_line_starting (password, "set imap_oauth_refresh_command");
}

static void
test_export_aerc_text (void)
{
  g_autofree char *microsoft = export (MAIL_SETUP_EXPORT_AERC, &microsoft_account);
  g_autofree char *password = export (MAIL_SETUP_EXPORT_AERC, &password_account);

  g_assert_nonnull (strstr (microsoft, "chmod 600 ~/.config/aerc/accounts.conf"));
  assert_line (microsoft, "[someone@contoso.com]");
  assert_line (microsoft, "source = imaps+xoauth2://someone%40contoso.com@outlook.office365.com:993");
  assert_line (microsoft, "source-cred-cmd = mail-setup --token someone@contoso.com");
  assert_line (microsoft, "outgoing = smtp+xoauth2://someone%40contoso.com@smtp.office365.com:587");
  assert_line (microsoft, "smtp-starttls = true");
  assert_line (microsoft, "outgoing-cred-cmd = mail-setup --token someone@contoso.com");
  assert_line (microsoft, "default = INBOX");
  assert_line (microsoft, "from = Some One <someone@contoso.com>");

  assert_line (password, "source = imap://me@imap.example.org:143");
  assert_line (password, "outgoing = smtps+plain://me-smtp@smtp.example.org:465");
  assert_no_line_starting (password, "smtp-starttls");
  assert_line (password, "source-cred-cmd = secret-tool lookup xdg:schema io.github.mailsetup.Account "
                         "email me@example.org user me server imap.example.org protocol imap "
                         "authtype password");
}

static void
assert_refused (const MailSetupExportAccount *account,
                int                           format,
                int                           code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = mail_setup_export_config (format, account, &error);

  g_assert_error (error, MAIL_SETUP_EXPORT_ERROR, code);
  g_assert_null (text);
}

static void
test_export_refuses_unsafe (void)
{
  static const char *breaks[] = { "a\nb", "a\rb", "a\tb", "a\x7f", "\xff" };

  for (int format = 0; format < MAIL_SETUP_EXPORT_N_FORMATS; format++)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (breaks); i++)
        {
          MailSetupExportAccount account = password_account;

          account.display_name = breaks[i];
          assert_refused (&account, format, MAIL_SETUP_EXPORT_ERROR_INVALID);
          account = password_account;
          account.email = breaks[i];
          assert_refused (&account, format, MAIL_SETUP_EXPORT_ERROR_INVALID);
          account = password_account;
          account.username = breaks[i];
          assert_refused (&account, format, MAIL_SETUP_EXPORT_ERROR_INVALID);
          account = microsoft_account;
          account.program_path = breaks[i];
          assert_refused (&account, format, MAIL_SETUP_EXPORT_ERROR_INVALID);
        }

      {
        MailSetupExportAccount account = password_account;

        account.imap_host = "imap.example.org;rm";
        assert_refused (&account, format, MAIL_SETUP_EXPORT_ERROR_INVALID);
        account.imap_host = "";
        assert_refused (&account, format, MAIL_SETUP_EXPORT_ERROR_MISSING);
        account = password_account;
        account.username = NULL;
        assert_refused (&account, format, MAIL_SETUP_EXPORT_ERROR_MISSING);
      }
    }

  {
    MailSetupExportAccount account = password_account;
    g_autofree char *text = NULL;

    /* msmtp would put the user name in place of %U. */
    account.email = "a%Ub@example.org";
    assert_refused (&account, MAIL_SETUP_EXPORT_MSMTP, MAIL_SETUP_EXPORT_ERROR_INVALID);
    text = export (MAIL_SETUP_EXPORT_MBSYNC, &account);

    /* NeoMutt would send from johnqdoe@example.com. */
    account.email = QUOTED_EMAIL;
    assert_refused (&account, MAIL_SETUP_EXPORT_NEOMUTT, MAIL_SETUP_EXPORT_ERROR_INVALID);
  }
}

/* Saved accounts, as the command line exports them */

/* XDG_CONFIG_HOME of this process, for accounts.ini. */
static char *config_home;

/* The account saved as GROUP in an accounts.ini that holds only it. */
static MailSetupSavedAccount *
find_saved (const char *email,
            const char *group)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (config_home, "mail-setup", NULL);
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autofree char *contents = g_strdup_printf ("[%s]\n%s", email, group);
  MailSetupSavedAccount *saved;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  saved = mail_setup_account_store_find (email, &error);
  g_assert_no_error (error);
  g_assert_nonnull (saved);

  return saved;
}

static char *
export_saved (MailSetupExportFormat  format,
              MailSetupSavedAccount *saved,
              const char            *program_path)
{
  g_autoptr(GError) error = NULL;
  char *text = mail_setup_export_config_for_saved_account (format, saved, program_path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (text);
  return text;
}

/* Every setting of the keyfile reaches the place of its own in the text:
 * the receiving server's for mbsync, the sending server's for msmtp. */
static void
test_export_saved_password (void)
{
  g_autoptr(MailSetupSavedAccount) saved =
    find_saved ("me@example.org",
                "email=me@example.org\nprovider=other\n"
                "server=imap.example.org\nport=143\nsecurity=starttls\nusername=me\n"
                "display-name=Me Myself\nauthtype=password\n"
                "smtp-server=smtp.example.org\nsmtp-port=465\nsmtp-security=ssl\n"
                "smtp-username=me-smtp\n");
  g_autofree char *msmtp = export_saved (MAIL_SETUP_EXPORT_MSMTP, saved, "/ignored/mail-setup");
  g_autofree char *mbsync = export_saved (MAIL_SETUP_EXPORT_MBSYNC, saved, NULL);
  g_autofree char *aerc = export_saved (MAIL_SETUP_EXPORT_AERC, saved, NULL);

  assert_line (msmtp, "account me@example.org");
  assert_line (msmtp, "host smtp.example.org");
  assert_line (msmtp, "port 465");
  assert_line (msmtp, "tls_starttls off");
  assert_line (msmtp, "auth on");
  assert_line (msmtp, "user \"me-smtp\"");
  assert_line (msmtp, "from \"me@example.org\"");
  assert_line (msmtp, "passwordeval \"secret-tool lookup xdg:schema io.github.mailsetup.Account "
                      "email me@example.org user me-smtp server smtp.example.org protocol smtp "
                      "authtype password || "
                      "secret-tool lookup xdg:schema io.github.mailsetup.Account "
                      "email me@example.org user me server imap.example.org protocol imap "
                      "authtype password\"");
  /* A password account never asks Mail Setup, wherever it is. */
  g_assert_null (strstr (msmtp, "mail-setup"));

  assert_line (mbsync, "Host imap.example.org");
  assert_line (mbsync, "Port 143");
  assert_line (mbsync, "User \"me\"");
  assert_line (mbsync, "SSLType STARTTLS");
  assert_line (mbsync, "AuthMechs PLAIN LOGIN");

  assert_line (aerc, "from = Me Myself <me@example.org>");
}

static void
test_export_saved_microsoft (void)
{
  g_autoptr(MailSetupSavedAccount) saved =
    find_saved ("someone@contoso.com",
                "email=someone@contoso.com\nprovider=microsoft365\n"
                "server=outlook.office365.com\nport=993\nsecurity=ssl\n"
                "username=someone@contoso.com\nauthtype=oauth2\n"
                "smtp-server=smtp.office365.com\nsmtp-port=587\nsmtp-security=starttls\n"
                "smtp-username=someone@contoso.com\n");
  g_autofree char *on_path = export_saved (MAIL_SETUP_EXPORT_MSMTP, saved, NULL);
  g_autofree char *built = export_saved (MAIL_SETUP_EXPORT_MSMTP, saved,
                                         "/home/me/src/mail setup/_build/src/mail-setup");
  g_autofree char *mbsync = export_saved (MAIL_SETUP_EXPORT_MBSYNC, saved,
                                          "/home/me/src/mail setup/_build/src/mail-setup");
  g_autofree char *neomutt = export_saved (MAIL_SETUP_EXPORT_NEOMUTT, saved, NULL);

  assert_line (on_path, "host smtp.office365.com");
  assert_line (on_path, "port 587");
  assert_line (on_path, "tls_starttls on");
  assert_line (on_path, "auth xoauth2");
  assert_line (on_path, "passwordeval \"mail-setup --token someone@contoso.com\"");
  g_assert_null (strstr (on_path, "secret-tool"));

  assert_line (built, "passwordeval \"'/home/me/src/mail setup/_build/src/mail-setup' "
                      "--token someone@contoso.com\"");
  assert_line (mbsync, "PassCmd \"'/home/me/src/mail setup/_build/src/mail-setup' "
                       "--token someone@contoso.com\"");
  assert_line (mbsync, "AuthMechs XOAUTH2");
  assert_line (neomutt, "set imap_oauth_refresh_command = \"mail-setup --token someone@contoso.com\"");
}

/* A file from before the sending server was saved: the export uses what
 * the store makes of it, the wizard's choice for the provider. */
static void
test_export_saved_without_smtp (void)
{
  g_autoptr(MailSetupSavedAccount) saved =
    find_saved ("old@outlook.com",
                "email=old@outlook.com\nprovider=outlook\n"
                "server=outlook.office365.com\nport=993\nsecurity=ssl\n"
                "username=old@outlook.com\nauthtype=oauth2\n");
  g_autofree char *msmtp = export_saved (MAIL_SETUP_EXPORT_MSMTP, saved, NULL);
  g_autofree char *host_line = g_strdup_printf ("host %s",
                                                mail_setup_saved_account_get_smtp_server (saved));

  g_assert_cmpstr (mail_setup_saved_account_get_smtp_server (saved), !=, "");
  assert_line (msmtp, host_line);
  assert_line (msmtp, "user \"old@outlook.com\"");
  assert_line (msmtp, "auth xoauth2");
}

static void
test_export_saved_refused (void)
{
  g_autoptr(MailSetupSavedAccount) kerberos =
    find_saved ("k@example.org",
                "server=imap.example.org\nport=993\nsecurity=ssl\nauthtype=kerberos\n"
                "smtp-server=smtp.example.org\nsmtp-port=587\nsmtp-security=starttls\n");
  /* The keyfile's escape \n is a line break in the value. */
  g_autoptr(MailSetupSavedAccount) broken =
    find_saved ("b@example.org",
                "server=imap.example.org\nport=993\nsecurity=ssl\nauthtype=password\n"
                "display-name=B\\nset folder = x\n"
                "smtp-server=smtp.example.org\nsmtp-port=587\nsmtp-security=starttls\n");

  for (int format = 0; format < MAIL_SETUP_EXPORT_N_FORMATS; format++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *unknown = NULL;
      g_autofree char *line_break = NULL;

      unknown = mail_setup_export_config_for_saved_account (format, kerberos, NULL, &error);
      g_assert_error (error, MAIL_SETUP_EXPORT_ERROR, MAIL_SETUP_EXPORT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "kerberos"));
      g_assert_null (unknown);
      g_clear_error (&error);

      line_break = mail_setup_export_config_for_saved_account (format, broken, NULL, &error);
      g_assert_error (error, MAIL_SETUP_EXPORT_ERROR, MAIL_SETUP_EXPORT_ERROR_INVALID);
      g_assert_null (line_break);
    }
}

/* The real programs */

typedef struct
{
  char *dir;
  char *program;      /* the stand-in for mail-setup, in a folder with a hostile name */
  char *bin;          /* a folder with the stand-in secret-tool, first in PATH */
  char *log;          /* each call's arguments, one a line, then "--end" */
  char **env;
} Fixture;

static const char stand_in[] =
  "#!/bin/sh\n"
  "for arg in \"$@\"; do printf '%s\\n' \"$arg\"; done >> \"$EXPORT_TEST_LOG\"\n"
  "echo --end >> \"$EXPORT_TEST_LOG\"\n"
  "for arg in \"$@\"; do [ \"$arg\" = \"$EXPORT_TEST_FAIL\" ] && exit 1; done\n"
  "printf '%s\\n' \"$EXPORT_TEST_SECRET\"\n";

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

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *program_dir = NULL;
  g_autofree char *secret_tool = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("mail-setup-export-XXXXXX", &error);
  g_assert_no_error (error);

  program_dir = g_build_filename (fixture->dir, "Mail Setup's \"own\" $dir", NULL);
  fixture->bin = g_build_filename (fixture->dir, "bin", NULL);
  g_assert_cmpint (g_mkdir (program_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (fixture->bin, 0700), ==, 0);

  fixture->program = g_build_filename (program_dir, "mail-setup", NULL);
  secret_tool = g_build_filename (fixture->bin, "secret-tool", NULL);
  write_file (fixture->program, stand_in, 0700);
  write_file (secret_tool, stand_in, 0700);

  fixture->log = g_build_filename (fixture->dir, "calls.log", NULL);
  path = g_strdup_printf ("%s:%s", fixture->bin, g_getenv ("PATH"));
  fixture->env = g_get_environ ();
  fixture->env = g_environ_setenv (fixture->env, "PATH", path, TRUE);
  fixture->env = g_environ_setenv (fixture->env, "HOME", fixture->dir, TRUE);
  fixture->env = g_environ_setenv (fixture->env, "XDG_CONFIG_HOME", fixture->dir, TRUE);
  fixture->env = g_environ_setenv (fixture->env, "EXPORT_TEST_LOG", fixture->log, TRUE);
  fixture->env = g_environ_setenv (fixture->env, "EXPORT_TEST_SECRET", HOSTILE_SECRET, TRUE);
  fixture->env = g_environ_setenv (fixture->env, "EXPORT_TEST_FAIL", "", TRUE);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->program);
  g_free (fixture->bin);
  g_free (fixture->log);
  g_strfreev (fixture->env);
}

static gboolean
skip_without (const char *program)
{
  g_autofree char *found = g_find_program_in_path (program);

  if (found != NULL)
    return FALSE;

  g_test_skip_printf ("%s is not installed", program);
  return TRUE;
}

/* Without a controlling terminal, so that no program can take this one
 * (aerc opens /dev/tty for its interface). */
static void
detach_cb (gpointer user_data)
{
  setsid ();
}

static int
run (Fixture     *fixture,
     const char **argv,
     char       **out,
     char       **err)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_spawn_sync (fixture->dir, (char **) argv, fixture->env,
                G_SPAWN_SEARCH_PATH_FROM_ENVP | G_SPAWN_STDIN_FROM_DEV_NULL,
                detach_cb, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s: status %d\nstdout:\n%s\nstderr:\n%s", argv[0], status, *out, *err);

  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static char *
fixture_write_config (Fixture                      *fixture,
                      MailSetupExportFormat         format,
                      const MailSetupExportAccount *account,
                      const char                   *file_name)
{
  g_autofree char *text = export (format, account);
  char *path = g_build_filename (fixture->dir, file_name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  write_file (path, text, 0600);
  g_test_message ("%s:\n%s", file_name, text);

  return path;
}

/* The calls that the stand-ins saw, each as "arg\narg\n". */
static char **
fixture_get_calls (Fixture *fixture)
{
  g_autofree char *log = NULL;
  g_auto(GStrv) calls = NULL;
  gsize n;

  if (!g_file_get_contents (fixture->log, &log, NULL, NULL))
    return g_new0 (char *, 1);

  calls = g_strsplit (log, "--end\n", -1);
  n = g_strv_length (calls);
  g_assert_cmpstr (calls[n - 1], ==, "");
  g_free (calls[n - 1]);
  calls[n - 1] = NULL;

  return g_steal_pointer (&calls);
}

/* The value of "KEY = VALUE" in msmtp --pretend's output. */
static char *
find_pretend_value (const char *out,
                    const char *key)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("%s = ", key);

  for (int i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        return g_strdup (lines[i] + strlen (prefix));
    }

  g_error ("msmtp printed no %s in:\n%s", key, out);
}

static void
test_export_msmtp_reads (Fixture       *fixture,
                         gconstpointer  data)
{
  static const char *emails[] = { HOSTILE_EMAIL, QUOTED_EMAIL };

  if (skip_without ("msmtp"))
    return;

  /* The keyring has no item for the sending server: the receiving
   * server's is asked next. */
  fixture->env = g_environ_setenv (fixture->env, "EXPORT_TEST_FAIL", "smtp", TRUE);

  for (gsize i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      for (int microsoft = 0; microsoft <= 1; microsoft++)
        {
          MailSetupExportAccount account = {
            .email = emails[i],
            .display_name = HOSTILE_NAME,
            .imap_host = "127.0.0.1",
            .imap_port = 993,
            .smtp_host = "127.0.0.1",
            .smtp_port = 587,
            .smtp_security = MAIL_SETUP_SECURITY_STARTTLS,
            .username = HOSTILE_USER,
            .smtp_username = microsoft ? emails[i] : HOSTILE_USER,
            .microsoft_sign_in = microsoft,
            .program_path = fixture->program,
          };
          g_autofree char *config = NULL;
          g_autofree char *name = mail_setup_export_get_account_name (&account);
          g_autofree char *out = NULL;
          g_autofree char *err = NULL;
          g_autofree char *user = NULL;
          g_autofree char *from = NULL;
          g_autofree char *auth = NULL;
          g_autofree char *password = NULL;
          g_auto(GStrv) calls = NULL;
          const char *argv[] = { "msmtp", "-C", NULL, "-a", name, "--pretend", "to@example.org", NULL };

          g_unlink (fixture->log);
          config = fixture_write_config (fixture, MAIL_SETUP_EXPORT_MSMTP, &account, "msmtp/config");
          argv[2] = config;

          g_assert_cmpint (run (fixture, argv, &out, &err), ==, 0);

          user = find_pretend_value (out, "user");
          from = find_pretend_value (out, "from");
          auth = find_pretend_value (out, "auth");
          password = find_pretend_value (out, "password");
          g_assert_cmpstr (user, ==, account.smtp_username);
          g_assert_cmpstr (from, ==, emails[i]);
          g_assert_cmpstr (auth, ==, microsoft ? "XOAUTH2" : "choose");
          /* "*": msmtp ran passwordeval and got a password. */
          g_assert_cmpstr (password, ==, "*");

          calls = fixture_get_calls (fixture);
          if (microsoft)
            {
              g_autofree char *expected = g_strdup_printf ("--token\n%s\n", emails[i]);

              g_assert_cmpuint (g_strv_length (calls), ==, 1);
              g_assert_cmpstr (calls[0], ==, expected);
            }
          else
            {
              g_autofree char *smtp_lookup = NULL;
              g_autofree char *imap_lookup = NULL;

              smtp_lookup = g_strdup_printf ("lookup\nxdg:schema\nio.github.mailsetup.Account\n"
                                             "email\n%s\nuser\n" HOSTILE_USER "\nserver\n127.0.0.1\n"
                                             "protocol\nsmtp\nauthtype\npassword\n", emails[i]);
              imap_lookup = g_strdup_printf ("lookup\nxdg:schema\nio.github.mailsetup.Account\n"
                                             "email\n%s\nuser\n" HOSTILE_USER "\nserver\n127.0.0.1\n"
                                             "protocol\nimap\nauthtype\npassword\n", emails[i]);
              g_assert_cmpuint (g_strv_length (calls), ==, 2);
              g_assert_cmpstr (calls[0], ==, smtp_lookup);
              g_assert_cmpstr (calls[1], ==, imap_lookup);
            }
        }
    }
}

/* A value as `neomutt -Q` prints it: set NAME = "VALUE", with \ and " escaped. */
static char *
find_neomutt_value (const char *out,
                    const char *variable)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("set %s = \"", variable);

  for (int i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix) && g_str_has_suffix (lines[i], "\""))
        {
          const char *start = lines[i] + strlen (prefix);
          const char *end = lines[i] + strlen (lines[i]) - 1;
          GString *value = g_string_new (NULL);

          for (const char *p = start; p < end; p++)
            {
              if (*p == '\\')
                p++;
              g_string_append_c (value, *p);
            }
          return g_string_free (value, FALSE);
        }
    }

  g_error ("neomutt printed no %s in:\n%s", variable, out);
}

static void
test_export_neomutt_reads_password (Fixture       *fixture,
                                    gconstpointer  data)
{
  MailSetupExportAccount account = {
    .email = HOSTILE_EMAIL,
    .display_name = HOSTILE_NAME,
    .imap_host = "127.0.0.1",
    .imap_port = 993,
    .smtp_host = "127.0.0.1",
    .smtp_port = 587,
    .smtp_security = MAIL_SETUP_SECURITY_STARTTLS,
    .username = HOSTILE_USER,
  };
  g_autofree char *config = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) calls = NULL;
  const char *argv[] = { "neomutt", "-n", "-F", NULL, "-Q", "from", "-Q", "real_name",
                         "-Q", "imap_user", "-Q", "folder", "-Q", "smtp_url",
                         "-Q", "imap_pass", "-Q", "smtp_pass", NULL };
  struct
  {
    const char *variable;
    const char *value;
  } expected[] = {
    { "from", HOSTILE_EMAIL },
    { "real_name", HOSTILE_NAME },
    { "imap_user", HOSTILE_USER },
    /* NeoMutt prints the URLs with encodings of its own; compared decoded. */
    { "folder", "imaps://" HOSTILE_USER "@127.0.0.1:993/" },
    { "smtp_url", "smtp://" HOSTILE_USER "@127.0.0.1:587/" },
    /* NeoMutt ran the keyring commands while reading the file. */
    { "imap_pass", HOSTILE_SECRET },
    { "smtp_pass", HOSTILE_SECRET },
  };

  if (skip_without ("neomutt"))
    return;

  config = fixture_write_config (fixture, MAIL_SETUP_EXPORT_NEOMUTT, &account, "neomutt/neomuttrc");
  argv[3] = config;

  g_assert_cmpint (run (fixture, argv, &out, &err), ==, 0);
  g_assert_null (strstr (err, "Error"));

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *value = find_neomutt_value (out, expected[i].variable);

      if (g_str_has_suffix (expected[i].variable, "_url") || g_str_equal (expected[i].variable, "folder"))
        {
          g_autofree char *decoded = g_uri_unescape_string (value, NULL);

          g_assert_cmpstr (decoded, ==, expected[i].value);
        }
      else
        g_assert_cmpstr (value, ==, expected[i].value);
    }

  calls = fixture_get_calls (fixture);
  g_assert_cmpuint (g_strv_length (calls), ==, 2);
  g_assert_cmpstr (calls[0], ==,
                   "lookup\nxdg:schema\nio.github.mailsetup.Account\n"
                   "email\n" HOSTILE_EMAIL "\nuser\n" HOSTILE_USER "\nserver\n127.0.0.1\n"
                   "protocol\nimap\nauthtype\npassword\n");
  g_assert_cmpstr (calls[1], ==,
                   "lookup\nxdg:schema\nio.github.mailsetup.Account\n"
                   "email\n" HOSTILE_EMAIL "\nuser\n" HOSTILE_USER "\nserver\n127.0.0.1\n"
                   "protocol\nsmtp\nauthtype\npassword\n");
}

static void
test_export_neomutt_reads_microsoft (Fixture       *fixture,
                                     gconstpointer  data)
{
  MailSetupExportAccount account = {
    .email = HOSTILE_EMAIL,
    .display_name = HOSTILE_NAME,
    .imap_host = "127.0.0.1",
    .imap_port = 993,
    .smtp_host = "127.0.0.1",
    .smtp_port = 465,
    .username = HOSTILE_EMAIL,
    .microsoft_sign_in = TRUE,
    .program_path = fixture->program,
  };
  g_autofree char *config = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *imap_command = NULL;
  g_autofree char *smtp_command = NULL;
  g_autofree char *authenticators = NULL;
  g_autofree char *expected = g_strdup_printf ("--token\n%s\n", HOSTILE_EMAIL);
  g_auto(GStrv) calls = NULL;
  const char *argv[] = { "neomutt", "-n", "-F", NULL, "-Q", "imap_authenticators",
                         "-Q", "imap_oauth_refresh_command", "-Q", "smtp_oauth_refresh_command",
                         NULL };

  if (skip_without ("neomutt"))
    return;

  config = fixture_write_config (fixture, MAIL_SETUP_EXPORT_NEOMUTT, &account, "neomutt/neomuttrc");
  argv[3] = config;

  g_assert_cmpint (run (fixture, argv, &out, &err), ==, 0);
  g_assert_null (strstr (err, "Error"));

  authenticators = find_neomutt_value (out, "imap_authenticators");
  g_assert_cmpstr (authenticators, ==, "xoauth2");

  /* NeoMutt runs these with sh -c when it signs in; so does this test. */
  imap_command = find_neomutt_value (out, "imap_oauth_refresh_command");
  smtp_command = find_neomutt_value (out, "smtp_oauth_refresh_command");
  g_assert_cmpstr (imap_command, ==, smtp_command);
  {
    const char *sh[] = { "sh", "-c", imap_command, NULL };
    g_autofree char *token = NULL;
    g_autofree char *sh_err = NULL;

    g_assert_cmpint (run (fixture, sh, &token, &sh_err), ==, 0);
    g_assert_cmpstr (token, ==, HOSTILE_SECRET "\n");
  }

  calls = fixture_get_calls (fixture);
  g_assert_cmpuint (g_strv_length (calls), ==, 1);
  g_assert_cmpstr (calls[0], ==, expected);
}

/* The argument of KEYWORD in the file, as written. */
static char *
find_argument (const char *text,
               const char *keyword)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("%s ", keyword);

  for (int i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        return g_strdup (lines[i] + strlen (prefix));
    }

  g_error ("no %s in:\n%s", keyword, text);
}

/* What mbsync makes of ARGUMENT, a quoted argument of the exported file:
 * mbsync uses User and PassCmd only when it signs in, but it names a
 * Maildir Path that it cannot open. */
static char *
mbsync_read_argument (Fixture    *fixture,
                      const char *argument)
{
  g_autofree char *probe = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "probe.mbsyncrc", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *prefix = "Maildir error: cannot open store '/nonexistent/";
  const char *start;
  const char *end;
  const char *argv[] = { "mbsync", "-c", path, "probe", NULL };

  g_assert_true (argument[0] == '"');
  probe = g_strdup_printf ("MaildirStore far\nPath \"/nonexistent/%s\n\n"
                           "MaildirStore near\nPath /nonexistent/near/\n\n"
                           "Channel probe\nFar :far:\nNear :near:\n",
                           argument + 1);
  write_file (path, probe, 0600);

  g_assert_cmpint (run (fixture, argv, &out, &err), ==, 1);
  start = strstr (err, prefix);
  g_assert_nonnull (start);
  start += strlen (prefix);
  end = strstr (start, "'\n");
  g_assert_nonnull (end);

  return g_strndup (start, end - start);
}

static void
test_export_mbsync_reads (Fixture       *fixture,
                          gconstpointer  data)
{
  for (int microsoft = 0; microsoft <= 1; microsoft++)
    {
      /* Nothing listens on port 1: mbsync reads the whole file, opens the
       * Maildir and fails to connect, the step after the configuration. */
      MailSetupExportAccount account = {
        .email = HOSTILE_EMAIL,
        .display_name = HOSTILE_NAME,
        .imap_host = "127.0.0.1",
        .imap_port = 1,
        .imap_security = microsoft ? MAIL_SETUP_SECURITY_SSL_TLS : MAIL_SETUP_SECURITY_STARTTLS,
        .username = HOSTILE_USER,
        .microsoft_sign_in = microsoft,
        .program_path = fixture->program,
      };
      g_autofree char *name = mail_setup_export_get_account_name (&account);
      g_autofree char *config = NULL;
      g_autofree char *maildir = g_build_filename (fixture->dir, "Mail", name, NULL);
      g_autofree char *config_error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const char *argv[] = { "mbsync", "-V", "-c", NULL, name, NULL };

      if (skip_without ("mbsync"))
        return;

      config = fixture_write_config (fixture, MAIL_SETUP_EXPORT_MBSYNC, &account, ".mbsyncrc");
      argv[3] = config;
      g_assert_cmpint (g_mkdir_with_parents (maildir, 0700), ==, 0);

      g_assert_cmpint (run (fixture, argv, &out, &err), ==, 1);

      /* mbsync names the file and line of every error in it. */
      config_error = g_strdup_printf ("%s:", config);
      g_assert_null (strstr (err, config_error));
      g_assert_null (strstr (out, config_error));
      g_assert_nonnull (strstr (out, "Channel "));
      g_assert_nonnull (strstr (out, "Connecting to 127.0.0.1 (127.0.0.1:1)"));
      g_assert_null (strstr (err, "Maildir error"));

      {
        g_autofree char *text = NULL;
        g_autofree char *user_argument = NULL;
        g_autofree char *command_argument = NULL;
        g_autofree char *user = NULL;
        g_autofree char *command = NULL;
        g_autofree char *secret = NULL;
        g_autofree char *sh_err = NULL;
        g_auto(GStrv) calls = NULL;
        const char *sh[] = { "sh", "-c", NULL, NULL };

        g_assert_true (g_file_get_contents (config, &text, NULL, NULL));
        user_argument = find_argument (text, "User");
        command_argument = find_argument (text, "PassCmd");
        user = mbsync_read_argument (fixture, user_argument);
        command = mbsync_read_argument (fixture, command_argument);
        g_assert_cmpstr (user, ==, HOSTILE_USER);

        /* mbsync runs PassCmd with sh -c. */
        g_unlink (fixture->log);
        sh[2] = command;
        g_assert_cmpint (run (fixture, sh, &secret, &sh_err), ==, 0);
        g_assert_cmpstr (secret, ==, HOSTILE_SECRET "\n");
        calls = fixture_get_calls (fixture);
        g_assert_cmpuint (g_strv_length (calls), ==, 1);
        if (microsoft)
          g_assert_cmpstr (calls[0], ==, "--token\n" HOSTILE_EMAIL "\n");
        else
          g_assert_cmpstr (calls[0], ==,
                           "lookup\nxdg:schema\nio.github.mailsetup.Account\n"
                           "email\n" HOSTILE_EMAIL "\nuser\n" HOSTILE_USER "\nserver\n127.0.0.1\n"
                           "protocol\nimap\nauthtype\npassword\n");
      }
    }
}

static void
test_export_aerc_reads (Fixture       *fixture,
                        gconstpointer  data)
{
  static const char *emails[] = { HOSTILE_EMAIL, QUOTED_EMAIL };

  if (skip_without ("aerc"))
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      for (int microsoft = 0; microsoft <= 1; microsoft++)
        {
          MailSetupExportAccount account = {
            .email = emails[i],
            .display_name = HOSTILE_NAME,
            .imap_host = "127.0.0.1",
            .imap_port = 993,
            .smtp_host = "127.0.0.1",
            .smtp_port = 587,
            .smtp_security = MAIL_SETUP_SECURITY_STARTTLS,
            .username = HOSTILE_USER,
            .microsoft_sign_in = microsoft,
            .program_path = fixture->program,
          };
          g_autofree char *name = mail_setup_export_get_account_name (&account);
          g_autofree char *accounts = g_strdup_printf ("%s,mail-setup-test-absent", name);
          g_autofree char *config = NULL;
          g_autofree char *out = NULL;
          g_autofree char *err = NULL;
          g_autofree char *from_line = NULL;
          g_autofree char *expected_call = NULL;
          g_auto(GStrv) calls = NULL;
          /* The absent second account makes aerc stop with an error after
           * reading the file, before it opens a terminal. */
          const char *argv[] = { "aerc", "-a", accounts, NULL };

          g_unlink (fixture->log);
          config = fixture_write_config (fixture, MAIL_SETUP_EXPORT_AERC, &account,
                                         "aerc/accounts.conf");
          g_assert_cmpint (run (fixture, argv, &out, &err), ==, 1);
          g_assert_nonnull (strstr (err, "Failed to load config: account(s) not found"));

          /* aerc logs to stdout at debug level when it is not a terminal. */
          from_line = g_strdup_printf ("accounts.conf: [%s] from = \"Ann \\\"Q\\\" O'Neil $HOME `id` "
                                       "#1; x \\\\\" <%s>\n", name, emails[i]);
          g_assert_nonnull (strstr (out, from_line));

          /* aerc runs source-cred-cmd with sh -c while reading the file. */
          calls = fixture_get_calls (fixture);
          g_assert_cmpuint (g_strv_length (calls), ==, 1);
          if (microsoft)
            expected_call = g_strdup_printf ("--token\n%s\n", emails[i]);
          else
            expected_call = g_strdup_printf ("lookup\nxdg:schema\nio.github.mailsetup.Account\n"
                                             "email\n%s\nuser\n" HOSTILE_USER "\nserver\n127.0.0.1\n"
                                             "protocol\nimap\nauthtype\npassword\n", emails[i]);
          g_assert_cmpstr (calls[0], ==, expected_call);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* Before anything asks GLib for it, which keeps the first answer. */
  config_home = g_dir_make_tmp ("mail-setup-export-config-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/export/formats", test_export_formats);
  g_test_add_func ("/export/account-name", test_export_account_name);
  g_test_add_func ("/export/msmtp-text", test_export_msmtp_text);
  g_test_add_func ("/export/mbsync-text", test_export_mbsync_text);
  g_test_add_func ("/export/mbsync-quoting", test_export_mbsync_quoting);
  g_test_add_func ("/export/mbsync-without-smtp", test_export_mbsync_without_smtp);
  g_test_add_func ("/export/neomutt-text", test_export_neomutt_text);
  g_test_add_func ("/export/aerc-text", test_export_aerc_text);
  g_test_add_func ("/export/refuses-unsafe", test_export_refuses_unsafe);
  g_test_add_func ("/export/saved-password", test_export_saved_password);
  g_test_add_func ("/export/saved-microsoft", test_export_saved_microsoft);
  g_test_add_func ("/export/saved-without-smtp", test_export_saved_without_smtp);
  g_test_add_func ("/export/saved-refused", test_export_saved_refused);
  g_test_add ("/export/msmtp-reads", Fixture, NULL,
              fixture_set_up, test_export_msmtp_reads, fixture_tear_down);
  g_test_add ("/export/neomutt-reads-password", Fixture, NULL,
              fixture_set_up, test_export_neomutt_reads_password, fixture_tear_down);
  g_test_add ("/export/neomutt-reads-microsoft", Fixture, NULL,
              fixture_set_up, test_export_neomutt_reads_microsoft, fixture_tear_down);
  g_test_add ("/export/mbsync-reads", Fixture, NULL,
              fixture_set_up, test_export_mbsync_reads, fixture_tear_down);
  g_test_add ("/export/aerc-reads", Fixture, NULL,
              fixture_set_up, test_export_aerc_reads, fixture_tear_down);

  status = g_test_run ();
  remove_tree (config_home);
  g_free (config_home);

  return status;
}
