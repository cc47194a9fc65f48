/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mail-setup-export.h"
#include "mail-setup-secret-store.h"

/*
 * The comments in the generated files stay in English: a translation that
 * held a line break would turn the rest of a comment into a directive, and
 * the text is the same for everyone who searches the web for it. For the
 * same reason no value of the account appears in a comment (a NeoMutt
 * comment that ends in a backslash swallows the next line); only the
 * account's name, which holds no special character.
 *
 * How each program reads a value, from its manual and its parser:
 *
 * - msmtp (conf.c, trim_string()): the argument is the rest of the line
 *   with blanks trimmed and one pair of enclosing double quotes removed.
 *   There are no escapes, so "VALUE" gives back any VALUE without a line
 *   break, quotes and backslashes included. "from" replaces %U, %H, %C and
 *   %M with no way to escape them.
 * - mbsync (mbsync(1)): arguments with spaces go in double quotes, in which
 *   double quotes and backslashes are escaped with a backslash; an argument
 *   that starts with # unquoted is a comment. PassCmd is run by sh; a
 *   leading + in it means something else.
 * - NeoMutt (neomuttrc(5), mutt_extract_token()): in double quotes a
 *   backslash escapes the next character, $NAME and ${NAME} are expanded,
 *   and `COMMAND` is run. Escaping \ " $ and ` leaves a literal value. The
 *   text between backticks is read the same way again before sh runs it,
 *   and a backtick result inside double quotes is taken whole, so a password
 *   with spaces or quotes stays one value.
 * - aerc (go-ini 1.55, parser.go readValue()): an unquoted value ends at the
 *   first # or ; (a comment) and continues on the next line after a
 *   trailing backslash; a value in backticks is everything between the
 *   first and the last backtick of the line, verbatim.
 *
 * The commands that these run go through sh: a value that is not plainly
 * safe is put in single quotes, a single quote in it as '\''.
 */

G_DEFINE_QUARK (mail-setup-export-error-quark, mail_setup_export_error)

static const struct
{
  const char *name;
  const char *path;
} formats[MAIL_SETUP_EXPORT_N_FORMATS] = {
  [MAIL_SETUP_EXPORT_MSMTP] = { "msmtp", "~/.config/msmtp/config" },
  [MAIL_SETUP_EXPORT_MBSYNC] = { "mbsync", "~/.mbsyncrc" },
  [MAIL_SETUP_EXPORT_NEOMUTT] = { "neomutt", "~/.config/neomutt/neomuttrc" },
  [MAIL_SETUP_EXPORT_AERC] = { "aerc", "~/.config/aerc/accounts.conf" },
};

/* Quoting */

static gboolean
is_shell_safe (const char *value)
{
  if (*value == '\0' || *value == '+' || *value == '-')
    return FALSE;

  for (const char *p = value; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("@%+=:,./_-", *p) == NULL)
        return FALSE;
    }

  return TRUE;
}

static void
append_shell_word (GString    *out,
                   const char *value)
{
  if (is_shell_safe (value))
    {
      g_string_append (out, value);
      return;
    }

  g_string_append_c (out, '\'');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append (out, "'\\''");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

/* VALUE in double quotes, with a backslash before each of ESCAPED. */
static void
append_escaped (GString    *out,
                const char *value,
                const char *escaped)
{
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (strchr (escaped, *p) != NULL)
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_msmtp (GString    *out,
              const char *value)
{
  g_string_append_printf (out, "\"%s\"", value);
}

static void
append_mbsync (GString    *out,
               const char *value)
{
  append_escaped (out, value, "\\\"");
}

static void
append_neomutt (GString    *out,
                const char *value)
{
  append_escaped (out, value, "\\\"$`");
}

static void
append_ini (GString    *out,
            const char *value)
{
  gsize length = strlen (value);

  if (length > 0 &&
      !g_ascii_isspace (value[0]) && !g_ascii_isspace (value[length - 1]) &&
      strpbrk (value, "#;\\\"'`") == NULL)
    g_string_append (out, value);
  else
    g_string_append_printf (out, "`%s`", value);
}

static void
append_url_user (GString    *out,
                 const char *user)
{
  g_autofree char *escaped = g_uri_escape_string (user, NULL, FALSE);

  g_string_append (out, escaped);
}

static void
append_url_host (GString    *out,
                 const char *host)
{
  if (strchr (host, ':') != NULL)
    g_string_append_printf (out, "[%s]", host);
  else
    g_string_append (out, host);
}

static gboolean
is_atext_phrase (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || name[0] == ' ' || name[length - 1] == ' ' || strstr (name, "  ") != NULL)
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && (guchar) *p < 0x80 && strchr (" !#$%&'*+-/=?^_`{|}~", *p) == NULL)
        return FALSE;
    }

  return TRUE;
}

/* "Name <address>" as RFC 5322 writes it, the name quoted when needed. */
static char *
build_mailbox (const char *display_name,
               const char *email)
{
  GString *out;

  if (display_name == NULL || *display_name == '\0')
    return g_strdup (email);

  out = g_string_new (NULL);
  if (is_atext_phrase (display_name))
    g_string_append (out, display_name);
  else
    append_escaped (out, display_name, "\\\"");

  g_string_append_printf (out, " <%s>", email);

  return g_string_free (out, FALSE);
}

/* Commands */

static const char *
smtp_username (const MailSetupExportAccount *account)
{
  if (account->smtp_username != NULL && *account->smtp_username != '\0')
    return account->smtp_username;

  return account->username;
}

/* The address and the kind of secret make the lookup this account's
 * password alone: another saved account may sign in with the same name on
 * the same server, and a Microsoft sign-in's items hold tokens. */
static void
append_secret_lookup (GString    *out,
                      const char *email,
                      const char *user,
                      const char *server,
                      const char *protocol)
{
  g_string_append (out, "secret-tool lookup xdg:schema ");
  append_shell_word (out, mail_setup_secret_store_get_schema ()->name);
  g_string_append (out, " email ");
  append_shell_word (out, email);
  g_string_append (out, " user ");
  append_shell_word (out, user);
  g_string_append (out, " server ");
  append_shell_word (out, server);
  g_string_append_printf (out, " protocol %s authtype password", protocol);
}

/* The command that prints the secret of the receiving server. */
static char *
build_imap_secret_command (const MailSetupExportAccount *account)
{
  GString *out = g_string_new (NULL);

  if (account->microsoft_sign_in)
    {
      append_shell_word (out, account->program_path != NULL ? account->program_path : "mail-setup");
      g_string_append (out, " --token ");
      append_shell_word (out, account->email);
    }
  else
    append_secret_lookup (out, account->email, account->username, account->imap_host,
                          MAIL_SETUP_SECRET_PROTOCOL_IMAP);

  return g_string_free (out, FALSE);
}

/* The same for the sending server. A Microsoft token is good for both. A
 * password account has a keyring item of its own for the sending server
 * (protocol "smtp", see mail-setup-secret-store.h); one saved before Mail
 * Setup knew the sending server has none, and uses the receiving server's
 * password, which is the same at most providers. */
static char *
build_smtp_secret_command (const MailSetupExportAccount *account)
{
  GString *out;
  g_autofree char *imap = NULL;

  if (account->microsoft_sign_in)
    return build_imap_secret_command (account);

  out = g_string_new (NULL);
  imap = build_imap_secret_command (account);
  append_secret_lookup (out, account->email, smtp_username (account), account->smtp_host,
                        MAIL_SETUP_SECRET_PROTOCOL_SMTP);
  g_string_append_printf (out, " || %s", imap);

  return g_string_free (out, FALSE);
}

/* Validation */

static gboolean
is_clean_text (const char *value)
{
  if (!g_utf8_validate (value, -1, NULL))
    return FALSE;

  for (const char *p = value; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_host (const char *host)
{
  gboolean colon = strchr (host, ':') != NULL;

  if (*host == '\0' || *host == '-' || *host == '.')
    return FALSE;

  for (const char *p = host; *p != '\0'; p++)
    {
      if (colon ? !g_ascii_isxdigit (*p) && *p != ':' && *p != '.'
                : !g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_text (const char  *value,
            gboolean     required,
            const char  *missing,
            const char  *invalid,
            GError     **error)
{
  if (value == NULL || *value == '\0')
    {
      if (!required)
        return TRUE;
      g_set_error_literal (error, MAIL_SETUP_EXPORT_ERROR, MAIL_SETUP_EXPORT_ERROR_MISSING, missing);
      return FALSE;
    }

  if (!is_clean_text (value))
    {
      g_set_error_literal (error, MAIL_SETUP_EXPORT_ERROR, MAIL_SETUP_EXPORT_ERROR_INVALID, invalid);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_server (const char  *host,
              guint16      port,
              const char  *missing,
              const char  *invalid,
              GError     **error)
{
  if (host == NULL || *host == '\0' || port == 0)
    {
      g_set_error_literal (error, MAIL_SETUP_EXPORT_ERROR, MAIL_SETUP_EXPORT_ERROR_MISSING, missing);
      return FALSE;
    }

  if (!is_host (host))
    {
      g_set_error_literal (error, MAIL_SETUP_EXPORT_ERROR, MAIL_SETUP_EXPORT_ERROR_INVALID, invalid);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_account (MailSetupExportFormat          format,
               const MailSetupExportAccount  *account,
               GError                       **error)
{
  const char *pattern = NULL;

  if (!check_text (account->email, TRUE,
                   _("The account has no e-mail address."),
                   _("The e-mail address contains a line break or another control character, "
                     "which a configuration file cannot hold."),
                   error) ||
      !check_text (account->display_name, FALSE, NULL,
                   _("The name contains a line break or another control character, "
                     "which a configuration file cannot hold."),
                   error) ||
      !check_text (account->username, TRUE,
                   _("The account has no sign-in name."),
                   _("The sign-in name contains a line break or another control character, "
                     "which a configuration file cannot hold."),
                   error) ||
      !check_text (account->smtp_username, FALSE, NULL,
                   _("The sign-in name of the sending server contains a line break or another "
                     "control character, which a configuration file cannot hold."),
                   error) ||
      !check_text (account->program_path, FALSE, NULL,
                   _("The path of Mail Setup contains a line break or another control character, "
                     "which a configuration file cannot hold."),
                   error) ||
      !check_server (account->imap_host, account->imap_port,
                     _("The account has no receiving (IMAP) server."),
                     _("The name of the receiving server is not a host name or an IP address."),
                     error))
    return FALSE;

  if (format != MAIL_SETUP_EXPORT_MBSYNC &&
      !check_server (account->smtp_host, account->smtp_port,
                     _("The account has no sending (SMTP) server, which this mail program needs "
                       "to send mail."),
                     _("The name of the sending server is not a host name or an IP address."),
                     error))
    return FALSE;

  /* msmtp replaces these in "from" and has no escape for them. */
  if (format == MAIL_SETUP_EXPORT_MSMTP)
    {
      static const char *patterns[] = { "%U", "%H", "%C", "%M" };

      for (gsize i = 0; i < G_N_ELEMENTS (patterns); i++)
        {
          if (strstr (account->email, patterns[i]) != NULL)
            pattern = patterns[i];
        }
      if (pattern != NULL)
        {
          g_set_error (error, MAIL_SETUP_EXPORT_ERROR, MAIL_SETUP_EXPORT_ERROR_INVALID,
                       /* TRANSLATORS: %s is a code such as %U that msmtp replaces. */
                       _("msmtp would replace “%s” in the e-mail address with something else, "
                         "so it cannot use this address."),
                       pattern);
          return FALSE;
        }
    }

  /* NeoMutt's address parser drops the quotes of a local part such as
   * "a b"@example.com and would send from another address. */
  if (format == MAIL_SETUP_EXPORT_NEOMUTT && strchr (account->email, '"') != NULL)
    {
      g_set_error_literal (error, MAIL_SETUP_EXPORT_ERROR, MAIL_SETUP_EXPORT_ERROR_INVALID,
                           _("NeoMutt removes the quotation marks from an e-mail address, "
                             "so it would send from a different address than this one."));
      return FALSE;
    }

  return TRUE;
}

/* The formats */

static char *
build_msmtp (const MailSetupExportAccount *account,
             const char                   *name)
{
  GString *out = g_string_new (NULL);
  g_autofree char *command = build_smtp_secret_command (account);

  g_string_append (out,
                   "# msmtp configuration, made by Mail Setup.\n"
                   "# Save it as ~/.config/msmtp/config, or add it to the end of that file\n"
                   "# if you already have one. Then send a message with\n");
  g_string_append_printf (out, "#   msmtp -a %s RECIPIENT < MESSAGE\n", name);
  if (account->microsoft_sign_in)
    g_string_append (out,
                     "# msmtp asks Mail Setup for a Microsoft sign-in token each time it\n"
                     "# sends, so Mail Setup must stay installed.\n");
  else
    g_string_append (out,
                     "# The password is read from the keyring when msmtp needs it, with\n"
                     "# secret-tool (from the libsecret-tools package).\n");

  g_string_append_printf (out, "\naccount %s\n", name);
  g_string_append_printf (out, "host %s\n", account->smtp_host);
  g_string_append_printf (out, "port %u\n", account->smtp_port);
  g_string_append (out, "tls on\n");
  g_string_append_printf (out, "tls_starttls %s\n",
                          account->smtp_security == MAIL_SETUP_SECURITY_STARTTLS ? "on" : "off");
  /* One "auth" line only: a later "auth on" would undo "auth xoauth2". */
  g_string_append_printf (out, "auth %s\n", account->microsoft_sign_in ? "xoauth2" : "on");
  g_string_append (out, "user ");
  append_msmtp (out, smtp_username (account));
  g_string_append (out, "\nfrom ");
  append_msmtp (out, account->email);
  g_string_append (out, "\npasswordeval ");
  append_msmtp (out, command);
  g_string_append_c (out, '\n');

  return g_string_free (out, FALSE);
}

static char *
build_mbsync (const MailSetupExportAccount *account,
              const char                   *name)
{
  GString *out = g_string_new (NULL);
  g_autofree char *command = build_imap_secret_command (account);

  g_string_append (out,
                   "# mbsync (isync) configuration, made by Mail Setup.\n"
                   "# Save it as ~/.mbsyncrc, or add it to the end of that file after an\n"
                   "# empty line if you already have one. Make the mail folder once with\n");
  g_string_append_printf (out,
                          "#   mkdir -p ~/Mail/%s\n"
                          "# and then fetch your mail with\n"
                          "#   mbsync %s\n",
                          name, name);
  if (account->microsoft_sign_in)
    g_string_append (out,
                     "# Signing in with Microsoft needs the XOAUTH2 plugin of Cyrus SASL; on\n"
                     "# Debian and Ubuntu, install it with\n"
                     "#   sudo apt install libsasl2-modules-kdexoauth2\n"
                     "# mbsync asks Mail Setup for a token each time, so Mail Setup must stay\n"
                     "# installed.\n");
  else
    g_string_append (out,
                     "# The password is read from the keyring when mbsync needs it, with\n"
                     "# secret-tool (from the libsecret-tools package).\n");

  /* Sections end at an empty line. SSLType, not TLSType: Debian 12 has
   * isync 1.4, which does not know the newer name. */
  g_string_append_printf (out, "\nIMAPAccount %s\n", name);
  g_string_append_printf (out, "Host %s\n", account->imap_host);
  g_string_append_printf (out, "Port %u\n", account->imap_port);
  g_string_append (out, "User ");
  append_mbsync (out, account->username);
  g_string_append (out, "\nPassCmd ");
  append_mbsync (out, command);
  /* Without a list, mbsync would also try XOAUTH2 with a password when the
   * plugin is installed. */
  g_string_append_printf (out, "\nAuthMechs %s\n", account->microsoft_sign_in ? "XOAUTH2" : "PLAIN LOGIN");
  g_string_append_printf (out, "SSLType %s\n",
                          account->imap_security == MAIL_SETUP_SECURITY_STARTTLS ? "STARTTLS" : "IMAPS");

  g_string_append_printf (out, "\nIMAPStore %s-remote\nAccount %s\n", name, name);

  g_string_append_printf (out,
                          "\nMaildirStore %s-local\n"
                          "Path ~/Mail/%s/\n"
                          "Inbox ~/Mail/%s/Inbox\n"
                          "SubFolders Verbatim\n",
                          name, name, name);

  g_string_append_printf (out,
                          "\nChannel %s\n"
                          "Far :%s-remote:\n"
                          "Near :%s-local:\n"
                          "Patterns *\n"
                          "Create Near\n"
                          "SyncState *\n",
                          name, name, name);

  return g_string_free (out, FALSE);
}

static void
append_neomutt_set (GString    *out,
                    const char *variable,
                    const char *value)
{
  g_string_append_printf (out, "set %s = ", variable);
  append_neomutt (out, value);
  g_string_append_c (out, '\n');
}

/* set VARIABLE = "`COMMAND`": in double quotes, NeoMutt takes the output
 * whole, so a password with spaces, quotes or # stays one value. */
static void
append_neomutt_command_output (GString    *out,
                               const char *variable,
                               const char *command)
{
  g_string_append_printf (out, "set %s = \"`", variable);
  for (const char *p = command; *p != '\0'; p++)
    {
      if (strchr ("\\\"$`", *p) != NULL)
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append (out, "`\"\n");
}

static char *
build_url (const char        *scheme,
           const char        *user,
           const char        *host,
           guint16            port,
           const char        *end)
{
  GString *out = g_string_new (scheme);

  g_string_append (out, "://");
  append_url_user (out, user);
  g_string_append_c (out, '@');
  append_url_host (out, host);
  g_string_append_printf (out, ":%u%s", port, end);

  return g_string_free (out, FALSE);
}

static char *
build_neomutt (const MailSetupExportAccount *account,
               const char                   *name)
{
  GString *out = g_string_new (NULL);
  g_autofree char *folder = NULL;
  g_autofree char *smtp_url = NULL;
  g_autofree char *imap_command = build_imap_secret_command (account);
  g_autofree char *smtp_command = build_smtp_secret_command (account);

  g_string_append (out,
                   "# NeoMutt configuration, made by Mail Setup.\n"
                   "# Save it as ~/.config/neomutt/neomuttrc, or save it as a file of its\n");
  g_string_append_printf (out,
                          "# own, for example ~/.config/neomutt/%s.rc,\n"
                          "# and add this line to neomuttrc:\n"
                          "#   source ~/.config/neomutt/%s.rc\n",
                          name, name);
  if (account->microsoft_sign_in)
    g_string_append (out,
                     "# NeoMutt asks Mail Setup for a Microsoft sign-in token, so Mail Setup\n"
                     "# must stay installed.\n");
  else
    g_string_append (out,
                     "# The passwords are read from the keyring when NeoMutt starts, with\n"
                     "# secret-tool (from the libsecret-tools package).\n");
  g_string_append_c (out, '\n');

  folder = build_url (account->imap_security == MAIL_SETUP_SECURITY_STARTTLS ? "imap" : "imaps",
                      account->username, account->imap_host, account->imap_port, "/");
  smtp_url = build_url (account->smtp_security == MAIL_SETUP_SECURITY_STARTTLS ? "smtp" : "smtps",
                        smtp_username (account), account->smtp_host, account->smtp_port, "/");

  append_neomutt_set (out, "from", account->email);
  if (account->display_name != NULL && *account->display_name != '\0')
    append_neomutt_set (out, "real_name", account->display_name);
  append_neomutt_set (out, "imap_user", account->username);
  append_neomutt_set (out, "folder", folder);
  append_neomutt_set (out, "spool_file", "+INBOX");
  append_neomutt_set (out, "smtp_url", smtp_url);
  /* STARTTLS where the server offers it, and never without TLS. */
  g_string_append (out, "set ssl_starttls = yes\nset ssl_force_tls = yes\n");

  if (account->microsoft_sign_in)
    {
      append_neomutt_set (out, "imap_authenticators", "xoauth2");
      append_neomutt_set (out, "imap_oauth_refresh_command", imap_command);
      append_neomutt_set (out, "smtp_authenticators", "xoauth2");
      append_neomutt_set (out, "smtp_oauth_refresh_command", smtp_command);
    }
  else
    {
      append_neomutt_command_output (out, "imap_pass", imap_command);
      append_neomutt_command_output (out, "smtp_pass", smtp_command);
    }

  return g_string_free (out, FALSE);
}

static char *
build_aerc (const MailSetupExportAccount *account,
            const char                   *name)
{
  GString *out = g_string_new (NULL);
  gboolean oauth = account->microsoft_sign_in;
  gboolean starttls = account->smtp_security == MAIL_SETUP_SECURITY_STARTTLS;
  g_autofree char *source = NULL;
  g_autofree char *outgoing = NULL;
  g_autofree char *imap_command = build_imap_secret_command (account);
  g_autofree char *smtp_command = build_smtp_secret_command (account);
  g_autofree char *from = build_mailbox (account->display_name, account->email);

  g_string_append (out,
                   "# aerc account, made by Mail Setup.\n"
                   "# Add it to ~/.config/aerc/accounts.conf. aerc reads that file only when\n"
                   "# no one else may read it, so after saving it, run\n"
                   "#   chmod 600 ~/.config/aerc/accounts.conf\n");
  if (oauth)
    g_string_append (out,
                     "# aerc asks Mail Setup for a Microsoft sign-in token, so Mail Setup must\n"
                     "# stay installed.\n");
  else
    g_string_append (out,
                     "# The passwords are read from the keyring, with secret-tool (from the\n"
                     "# libsecret-tools package).\n");

  /* aerc's "imap" is STARTTLS, and its "smtp" is STARTTLS only with
   * smtp-starttls; without it, it would send the password unprotected. */
  source = build_url (account->imap_security == MAIL_SETUP_SECURITY_STARTTLS
                        ? (oauth ? "imap+xoauth2" : "imap")
                        : (oauth ? "imaps+xoauth2" : "imaps"),
                      account->username, account->imap_host, account->imap_port, "");
  outgoing = build_url (starttls
                          ? (oauth ? "smtp+xoauth2" : "smtp+plain")
                          : (oauth ? "smtps+xoauth2" : "smtps+plain"),
                        smtp_username (account), account->smtp_host, account->smtp_port, "");

  g_string_append_printf (out, "\n[%s]\nsource = ", name);
  append_ini (out, source);
  g_string_append (out, "\nsource-cred-cmd = ");
  append_ini (out, imap_command);
  g_string_append (out, "\noutgoing = ");
  append_ini (out, outgoing);
  if (starttls)
    g_string_append (out, "\nsmtp-starttls = true");
  g_string_append (out, "\noutgoing-cred-cmd = ");
  append_ini (out, smtp_command);
  g_string_append (out, "\ndefault = INBOX\nfrom = ");
  append_ini (out, from);
  g_string_append_c (out, '\n');

  return g_string_free (out, FALSE);
}

/* Public API */

const char *
mail_setup_export_format_to_string (MailSetupExportFormat format)
{
  g_return_val_if_fail (format < MAIL_SETUP_EXPORT_N_FORMATS, NULL);

  return formats[format].name;
}

gboolean
mail_setup_export_format_from_string (const char            *text,
                                      MailSetupExportFormat *format)
{
  g_return_val_if_fail (format != NULL, FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      if (g_strcmp0 (text, formats[i].name) == 0)
        {
          *format = i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
mail_setup_export_format_list (void)
{
  return "msmtp, mbsync, neomutt, aerc";
}

const char *
mail_setup_export_format_get_path (MailSetupExportFormat format)
{
  g_return_val_if_fail (format < MAIL_SETUP_EXPORT_N_FORMATS, NULL);

  return formats[format].path;
}

char *
mail_setup_export_get_account_name (const MailSetupExportAccount *account)
{
  char *name;

  g_return_val_if_fail (account != NULL && account->email != NULL, NULL);

  if (*account->email == '\0')
    return g_strdup ("mail");

  /* No space, quote, slash, colon or comma (msmtp's inheritance, mbsync's
   * "channel:box"), and no leading dot or dash (a path, an option). */
  name = g_strdup (account->email);
  for (char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("@._+-", *p) == NULL)
        *p = '_';
    }
  if (!g_ascii_isalnum (name[0]))
    name[0] = '_';

  return name;
}

/**
 * mail_setup_export_config:
 * @format: the mail program
 * @account: the saved account's settings
 * @error: where a value the format cannot hold is reported
 *
 * Returns: (transfer full): the configuration, comments first, or NULL with
 *   @error set in the MAIL_SETUP_EXPORT_ERROR domain
 */
char *
mail_setup_export_config (MailSetupExportFormat          format,
                          const MailSetupExportAccount  *account,
                          GError                       **error)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (format < MAIL_SETUP_EXPORT_N_FORMATS, NULL);
  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_account (format, account, error))
    return NULL;

  name = mail_setup_export_get_account_name (account);

  switch (format)
    {
    case MAIL_SETUP_EXPORT_MSMTP:
      return build_msmtp (account, name);
    case MAIL_SETUP_EXPORT_MBSYNC:
      return build_mbsync (account, name);
    case MAIL_SETUP_EXPORT_NEOMUTT:
      return build_neomutt (account, name);
    case MAIL_SETUP_EXPORT_AERC:
      return build_aerc (account, name);
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * mail_setup_export_config_for_saved_account:
 * @format: the mail program
 * @saved: a saved account
 * @program_path: (nullable): how the mail program calls Mail Setup for a
 *   token; NULL means "mail-setup"
 * @error: where a value the format cannot hold is reported
 *
 * Returns: (transfer full): the configuration, or NULL with @error set in
 *   the MAIL_SETUP_EXPORT_ERROR domain
 */
char *
mail_setup_export_config_for_saved_account (MailSetupExportFormat   format,
                                            MailSetupSavedAccount  *saved,
                                            const char             *program_path,
                                            GError                **error)
{
  const char *authtype;
  MailSetupExportAccount account = { 0 };

  g_return_val_if_fail (format < MAIL_SETUP_EXPORT_N_FORMATS, NULL);
  g_return_val_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (saved), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* A way of signing in that no format knows would be exported as a
   * password and fail in the mail program instead of here. */
  authtype = mail_setup_saved_account_get_authtype (saved);
  if (!g_str_equal (authtype, "password") && !g_str_equal (authtype, "oauth2"))
    {
      g_set_error (error, MAIL_SETUP_EXPORT_ERROR, MAIL_SETUP_EXPORT_ERROR_INVALID,
                   /* TRANSLATORS: %s is the saved "authtype", e.g. "kerberos". */
                   _("The account signs in with “%s”, which Mail Setup cannot pass on "
                     "to a mail program."),
                   authtype);
      return NULL;
    }

  account.email = mail_setup_saved_account_get_email (saved);
  account.display_name = mail_setup_saved_account_get_display_name (saved);
  account.imap_host = mail_setup_saved_account_get_server (saved);
  account.imap_port = mail_setup_saved_account_get_port (saved);
  account.imap_security = mail_setup_saved_account_get_security (saved);
  account.smtp_host = mail_setup_saved_account_get_smtp_server (saved);
  account.smtp_port = mail_setup_saved_account_get_smtp_port (saved);
  account.smtp_security = mail_setup_saved_account_get_smtp_security (saved);
  account.username = mail_setup_saved_account_get_username (saved);
  account.smtp_username = mail_setup_saved_account_get_smtp_username (saved);
  account.microsoft_sign_in = g_str_equal (authtype, "oauth2");
  account.program_path = program_path;

  return mail_setup_export_config (format, &account, error);
}
