/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "mail-setup-account-store.h"
#include "mail-setup-check.h"
#include "mail-setup-cli-detect.h"
#include "mail-setup-cli-export.h"
#include "mail-setup-cli-sign-in.h"
#include "mail-setup-cli-token.h"
#include "mail-setup-cli.h"
#include "mail-setup-core.h"
#include "mail-setup-modules.h"
#include "mail-setup-provider.h"
#include "mail-setup-secret.h"

/*
 * `mail-setup --check ...`: the connection check on a terminal or in a
 * script, without a display and without GTK: of the receiving (IMAP) and,
 * unless --no-smtp, the outgoing (SMTP) server. Exit status: 0 when both
 * work, 1 for any other diagnosis, 2 for a usage error. Also what a saved
 * account gives mail programs: its access token (--token,
 * mail-setup-cli-token.c) and its configuration (--export,
 * mail-setup-cli-export.c). And which provider hosts an address (--detect,
 * mail-setup-cli-detect.c).
 */

#define EXIT_USAGE 2
#define MAX_PASSWORD_LENGTH 4096

typedef struct
{
  gboolean      check;
  gboolean      version;
  char         *email;
  char         *provider_id;
  char         *server;
  int           port;
  char         *security;
  char         *username;
  char         *smtp_server;
  int           smtp_port;
  char         *smtp_security;
  char         *smtp_username;
  gboolean      no_smtp;
  gboolean      password_stdin;
  char         *ca_file;
  int           timeout;
  gboolean      json;
  char         *auth;
  char         *sign_in;
  gboolean      store;
  gboolean      list;
  char         *remove;
  char         *token;
  char         *export_format;
  char         *detect;
} Options;

typedef struct
{
  GMainLoop          *loop;
  gboolean            json;
  gboolean            interactive;
  MailSetupDiagnosis  diagnosis;
} CheckRun;

/* These options make the program a command-line tool that never opens a
 * window and never initialises GTK, so it runs without a display. */
static const char * const command_line_options[] = {
  "--check", "--version", "--help", "-h", "--help-all", "--list", "--remove", "--store",
  "--token", "--export", "--detect",
};

/* Also the --name=value form. */
static gboolean
is_option (const char *argument,
           const char *name)
{
  gsize length = strlen (name);

  return strncmp (argument, name, length) == 0 &&
         (argument[length] == '\0' || argument[length] == '=');
}

gboolean
mail_setup_cli_wants_command_line (int    argc,
                                   char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      for (gsize j = 0; j < G_N_ELEMENTS (command_line_options); j++)
        {
          if (is_option (argv[i], command_line_options[j]))
            return TRUE;
        }
    }

  return FALSE;
}

/* With --json, standard output carries one JSON object whatever happens,
 * a usage error included; known before the options are parsed, so that an
 * option parsing error is JSON too. */
static gboolean json_output;

static void
print_json_error (const char *kind,
                  const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "diagnosis");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("mail-setup: %s\n", message);
  g_printerr (_("Run “mail-setup --help” to see the options.\n"));
  if (json_output)
    print_json_error ("usage", message);

  return EXIT_USAGE;
}

/* Reads one line, without its line end, with echo off when standard input
 * is a terminal. Every copy is wiped. */
static MailSetupSecret *
read_password (gboolean   from_stdin,
               const char *prompt,
               GError    **error)
{
  g_autoptr(MailSetupSecret) buffer = g_malloc0 (MAX_PASSWORD_LENGTH + 2);
  struct termios saved, quiet;
  gboolean terminal = isatty (STDIN_FILENO);
  gboolean echo_off = FALSE;
  gsize length;

  if (!from_stdin && !terminal)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("No password: pass it on standard input with --password-stdin, "
                             "or run from a terminal to be asked for it"));
      return NULL;
    }

  if (terminal)
    {
      g_printerr ("%s", prompt);
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~ECHO;
          echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }

  /* read(2) byte by byte rather than stdio, whose buffer would keep a copy
   * of the password that nothing wipes. */
  length = 0;
  while (length < MAX_PASSWORD_LENGTH + 1)
    {
      ssize_t n = read (STDIN_FILENO, buffer + length, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (buffer[length++] == '\n')
        break;
    }
  buffer[length] = '\0';

  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }

  if (length > MAX_PASSWORD_LENGTH)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("The password is longer than %d characters"), MAX_PASSWORD_LENGTH);
      return NULL;
    }
  if (length > 0 && buffer[length - 1] == '\n')
    buffer[--length] = '\0';
  if (length > 0 && buffer[length - 1] == '\r')
    buffer[--length] = '\0';

  if (length == 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _("The password is empty"));
      return NULL;
    }

  return g_steal_pointer (&buffer);
}

static const char *
status_mark (MailSetupStageStatus status)
{
  switch (status)
    {
    case MAIL_SETUP_STAGE_STATUS_OK:
      return "✓";
    case MAIL_SETUP_STAGE_STATUS_FAILED:
      return "✗";
    case MAIL_SETUP_STAGE_STATUS_SKIPPED:
      return "–";
    default:
      return " ";
    }
}

static void
stage_started_cb (MailSetupCheck *check,
                  guint           stage,
                  CheckRun       *run)
{
  if (run->json || !run->interactive)
    return;

  g_print ("  … %s", mail_setup_check_get_stage_label (check, stage));
  fflush (stdout);
}

static void
stage_finished_cb (MailSetupCheck *check,
                   guint           stage,
                   guint           status,
                   guint           duration_ms,
                   CheckRun       *run)
{
  g_autofree char *duration = NULL;

  if (run->json || status == MAIL_SETUP_STAGE_STATUS_SKIPPED)
    return;

  duration = mail_setup_check_format_duration (duration_ms);
  if (run->interactive)
    g_print ("\r\033[K");
  g_print ("  %s %s (%s)\n", status_mark (status), mail_setup_check_get_stage_label (check, stage),
           duration);
}

static const char *
security_label (MailSetupSecurity security)
{
  return security == MAIL_SETUP_SECURITY_STARTTLS ? "STARTTLS" : "SSL/TLS";
}

/* The outgoing check runs beside the receiving one; its stages are told
 * after the receiving one's, so that the two lists do not mix. */
static void
print_outgoing_stages (MailSetupCheck *outgoing)
{
  g_print ("\n");
  /* Translators: the heading of the outgoing server's stages: "Sending
   * mail (SMTP): user@example.com on smtp.example.com, port 587 (STARTTLS)" */
  g_print (_("Sending mail (SMTP): %s on %s, port %u (%s)\n"),
           mail_setup_check_get_username (outgoing), mail_setup_check_get_server (outgoing),
           mail_setup_check_get_port (outgoing),
           security_label (mail_setup_check_get_security (outgoing)));

  for (guint stage = 0; stage < MAIL_SETUP_N_CHECK_STAGES; stage++)
    {
      MailSetupStageStatus status = mail_setup_check_get_stage_status (outgoing, stage);
      g_autofree char *duration = NULL;

      if (status != MAIL_SETUP_STAGE_STATUS_OK && status != MAIL_SETUP_STAGE_STATUS_FAILED)
        continue;

      duration = mail_setup_check_format_duration (mail_setup_check_get_stage_duration (outgoing,
                                                                                        stage));
      g_print ("  %s %s (%s)\n", status_mark (status),
               mail_setup_check_get_stage_label (outgoing, stage), duration);
    }
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CheckRun *run = user_data;

  run->diagnosis = mail_setup_check_run_finish (MAIL_SETUP_CHECK (source), result);
  g_main_loop_quit (run->loop);
}

/* OK_TITLE and OK_EXPLANATION, when not NULL, say what works for one of
 * two servers, where the diagnosis's own words speak of the whole account. */
static void
print_diagnosis (MailSetupCheck *check,
                 const char     *ok_title,
                 const char     *ok_explanation)
{
  MailSetupDiagnosis diagnosis = mail_setup_check_get_diagnosis (check);
  const char *response = mail_setup_check_get_server_response (check);
  const char *remedy = mail_setup_check_get_remedy (check);
  g_autofree char *finding = mail_setup_check_describe_finding (check);
  gboolean ok = diagnosis == MAIL_SETUP_DIAGNOSIS_OK;

  g_print ("%s (%s)\n",
           ok && ok_title != NULL ? ok_title : mail_setup_diagnosis_get_title (diagnosis),
           mail_setup_diagnosis_to_string (diagnosis));
  g_print ("%s\n", ok && ok_explanation != NULL ? ok_explanation
                                                : mail_setup_diagnosis_get_explanation (diagnosis));
  if (finding != NULL)
    g_print ("%s\n", finding);
  if (diagnosis != MAIL_SETUP_DIAGNOSIS_OK && response != NULL)
    g_print (mail_setup_diagnosis_is_sign_in (diagnosis) ? _("Microsoft said: %s\n")
                                                         : _("The server said: %s\n"),
             response);
  if (remedy != NULL)
    g_print (_("Remedy: %s\n"), remedy);
}

/* The receiving server's outcome as it always was, then the outgoing
 * server's stages and outcome. */
static void
print_outcome (MailSetupCheck *check,
               CheckRun       *run)
{
  MailSetupCheck *outgoing = mail_setup_check_get_outgoing (check);

  if (run->json)
    {
      g_autofree char *json = mail_setup_check_to_json (check);

      g_print ("%s\n", json);
      return;
    }

  g_print ("\n");
  if (outgoing == NULL)
    {
      print_diagnosis (check, NULL, NULL);
      return;
    }

  print_diagnosis (check, _("Receiving mail works"), NULL);
  /* A failed Microsoft sign-in ended both checks before either began. */
  if (!mail_setup_check_get_finished (outgoing) ||
      mail_setup_diagnosis_is_sign_in (mail_setup_check_get_diagnosis (outgoing)))
    return;
  print_outgoing_stages (outgoing);
  g_print ("\n");
  print_diagnosis (outgoing, _("Sending mail works"),
                   _("The outgoing server accepted the sign-in and the sender address. No "
                     "message was sent."));
}

static void
options_clear (Options *options)
{
  g_free (options->email);
  g_free (options->provider_id);
  g_free (options->server);
  g_free (options->security);
  g_free (options->username);
  g_free (options->smtp_server);
  g_free (options->smtp_security);
  g_free (options->smtp_username);
  g_free (options->ca_file);
  g_free (options->auth);
  g_free (options->sign_in);
  g_free (options->remove);
  g_free (options->token);
  g_free (options->export_format);
  g_free (options->detect);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static gboolean
looks_like_email (const char *text)
{
  const char *at = strrchr (text, '@');

  return at != NULL && at != text && at[1] != '\0' && strchr (at, '.') != NULL &&
         strpbrk (text, " \t\r\n") == NULL;
}

/* Saves what was just checked, through the same function as the window. */
static int
store_account (Options          *options,
               MailSetupAccount *account,
               const char       *secret,
               const char       *authtype)
{
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  mail_setup_account_store_save_async (account, secret, authtype, NULL,
                                       mail_setup_store_async_result, &result);
  saved = mail_setup_account_store_save_finish (mail_setup_wait_for_async_result (&result), &error);
  if (saved == NULL)
    {
      g_printerr (_("The account was not saved. %s\n"), error->message);
      return 1;
    }

  path = mail_setup_account_store_get_path ();
  fprintf (options->json ? stderr : stdout,
           g_str_equal (authtype, "oauth2")
           ? _("Saved %s: the Microsoft sign-in in the keyring, the settings in %s\n")
           : _("Saved %s: the password in the keyring, the settings in %s\n"),
           mail_setup_saved_account_get_email (saved), path);

  return 0;
}

/* The refresh token of a Microsoft sign-in saved for EMAIL, or NULL; SAVED
 * is the account it belongs to. Without a keyring there is simply nothing
 * to reuse. */
static MailSetupSecret *
find_saved_sign_in (const char             *email,
                    MailSetupSavedAccount **saved)
{
  g_autoptr(MailSetupSavedAccount) found = mail_setup_account_store_find (email, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  MailSetupSecret *secret;

  if (found == NULL || g_strcmp0 (mail_setup_saved_account_get_authtype (found), "oauth2") != 0)
    return NULL;

  mail_setup_account_store_lookup_secret_async (found, NULL, mail_setup_store_async_result, &result);
  secret = mail_setup_account_store_lookup_secret_finish (mail_setup_wait_for_async_result (&result),
                                                          &error);
  if (secret == NULL)
    {
      g_printerr (_("The saved Microsoft sign-in of %s could not be read. %s\n"), email,
                  error->message);
      return NULL;
    }

  *saved = g_steal_pointer (&found);
  return secret;
}

/* Microsoft rotates the refresh token: once a refresh has given a new one,
 * the old one is dead, so the new one is kept at once. */
static void
keep_refresh_token (MailSetupSavedAccount *saved,
                    const char            *refresh_token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (saved == NULL || refresh_token == NULL)
    return;

  mail_setup_account_store_update_secret_async (saved, refresh_token, NULL,
                                                mail_setup_store_async_result, &result);
  if (!mail_setup_account_store_update_secret_finish (mail_setup_wait_for_async_result (&result),
                                                      &error))
    g_printerr (_("The renewed Microsoft sign-in was not saved. %s\n"), error->message);
}

static gboolean
sign_in_with_microsoft (const MailSetupCliSignInRequest *request,
                        MailSetupCliSignInResult        *result,
                        GError                         **error)
{
  MailSetupCliSignInFunc sign_in = mail_setup_module_lookup ("mail-setup-sign-in",
                                                             "mail_setup_cli_sign_in", error);

  if (sign_in == NULL)
    return FALSE;

  return sign_in (request, result);
}

/* The account's check; a provider that was neither given nor known from
 * the address stays none in the report, although the account, like the
 * wizard, counts it as "other". */
static MailSetupCheck *
create_check (MailSetupAccount *account,
              gboolean          provider_known)
{
  MailSetupCheck *check = mail_setup_account_create_check (account);
  MailSetupCheck *outgoing = mail_setup_check_get_outgoing (check);

  if (!provider_known)
    {
      mail_setup_check_set_provider (check, NULL, FALSE);
      if (outgoing != NULL)
        mail_setup_check_set_provider (outgoing, NULL, FALSE);
    }

  return check;
}

static MailSetupDiagnosis
run_one_check (MailSetupCheck *check,
               CheckRun       *run)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gulong started, finished;

  run->loop = loop;
  started = g_signal_connect (check, "stage-started", G_CALLBACK (stage_started_cb), run);
  finished = g_signal_connect (check, "stage-finished", G_CALLBACK (stage_finished_cb), run);
  mail_setup_check_run_async (check, NULL, check_done_cb, run);
  g_main_loop_run (loop);
  g_signal_handler_disconnect (check, started);
  g_signal_handler_disconnect (check, finished);
  run->loop = NULL;

  return run->diagnosis;
}

static gboolean
options_name_smtp (Options *options)
{
  return options->smtp_server != NULL || options->smtp_port != 0 ||
         options->smtp_security != NULL || options->smtp_username != NULL;
}

/* The receiving server from the options, over the provider's defaults.
 * Returns NULL, or a usage error. */
static char *
configure_imap (Options          *options,
                MailSetupAccount *account)
{
  MailSetupSecurity security = MAIL_SETUP_SECURITY_SSL_TLS;
  const char *problem;

  if (options->server != NULL)
    mail_setup_account_set_server (account, options->server);
  if (*mail_setup_account_get_server (account) == '\0')
    return g_strdup_printf (_("The server for %s is not known: give it with --server HOST"),
                            options->email);
  if ((problem = mail_setup_validate_server (mail_setup_account_get_server (account))) != NULL)
    return g_strdup_printf ("--server: %s", problem);

  if (options->security != NULL)
    {
      if (!mail_setup_security_from_string (options->security, &security))
        return g_strdup_printf (_("--security must be ssl or starttls, not “%s”"),
                                options->security);
      mail_setup_account_set_security (account, security);
    }
  if (options->port < 0 || options->port > 65535)
    return g_strdup (_("--port must be between 1 and 65535"));
  /* An encryption without a port takes its usual port. */
  if (options->port != 0)
    mail_setup_account_set_port (account, options->port);
  else if (options->security != NULL)
    mail_setup_account_set_port (account, security == MAIL_SETUP_SECURITY_STARTTLS ? 143 : 993);

  if (options->username != NULL)
    {
      if ((problem = mail_setup_validate_username (options->username)) != NULL)
        return g_strdup_printf ("--username: %s", problem);
      mail_setup_account_set_username (account, options->username);
    }

  return NULL;
}

/* The outgoing server from the options, over the account's own defaults:
 * the provider's, else a guess from the receiving server. */
static char *
configure_smtp (Options          *options,
                MailSetupAccount *account)
{
  MailSetupSecurity security = MAIL_SETUP_SECURITY_SSL_TLS;
  const char *problem;

  if (options->no_smtp)
    {
      if (options_name_smtp (options))
        return g_strdup (_("--no-smtp does not go with --smtp-server, --smtp-port, "
                           "--smtp-security or --smtp-username"));
      mail_setup_account_set_check_smtp (account, FALSE);
      return NULL;
    }

  if (options->smtp_server != NULL)
    mail_setup_account_set_smtp_server (account, options->smtp_server);
  if ((problem = mail_setup_validate_server (mail_setup_account_get_smtp_server (account))) != NULL)
    return g_strdup_printf ("--smtp-server: %s", problem);

  if (options->smtp_port < 0 || options->smtp_port > 65535)
    return g_strdup (_("--smtp-port must be between 1 and 65535"));
  if (options->smtp_security != NULL)
    {
      if (!mail_setup_security_from_string (options->smtp_security, &security))
        return g_strdup_printf (_("--smtp-security must be ssl or starttls, not “%s”"),
                                options->smtp_security);
      mail_setup_account_set_smtp_security (account, security);
      if (options->smtp_port == 0)
        mail_setup_account_set_smtp_port (account,
                                          security == MAIL_SETUP_SECURITY_STARTTLS ? 587 : 465);
    }
  else if (options->smtp_port == 465)
    {
      /* Port 465 speaks TLS from the start (RFC 8314), never STARTTLS. */
      mail_setup_account_set_smtp_security (account, MAIL_SETUP_SECURITY_SSL_TLS);
    }
  if (options->smtp_port != 0)
    mail_setup_account_set_smtp_port (account, options->smtp_port);

  if (options->smtp_username != NULL)
    {
      if ((problem = mail_setup_validate_username (options->smtp_username)) != NULL)
        return g_strdup_printf ("--smtp-username: %s", problem);
      mail_setup_account_set_smtp_username (account, options->smtp_username);
    }

  return NULL;
}

/* Everything but the password or the token, from the options, through the
 * account and its defaults as the window has them. */
static char *
configure_account (Options          *options,
                   MailSetupAccount *account)
{
  MailSetupProvider *provider;
  char *problem;

  /* The address picks its provider, as in the wizard. */
  mail_setup_account_set_email (account, options->email);
  if (options->provider_id != NULL)
    {
      provider = mail_setup_provider_catalog_lookup (options->provider_id);
      if (provider == NULL)
        return g_strdup_printf (_("Unknown provider “%s”: use microsoft365, outlook, msn or other"),
                                options->provider_id);
      mail_setup_account_choose_provider (account, provider);
    }
  else if (mail_setup_account_get_provider (account) == NULL)
    mail_setup_account_choose_provider (account, mail_setup_provider_catalog_lookup ("other"));

  if ((problem = configure_imap (options, account)) != NULL ||
      (problem = configure_smtp (options, account)) != NULL)
    return problem;

  if (options->timeout < 0)
    return g_strdup (_("--timeout must be a number of seconds above 0"));
  if (options->timeout > 0)
    mail_setup_account_set_timeout (account, options->timeout);
  if (options->ca_file != NULL && !g_file_test (options->ca_file, G_FILE_TEST_IS_REGULAR))
    return g_strdup_printf (_("The certificate file %s does not exist"), options->ca_file);
  mail_setup_account_set_extra_ca_file (account, options->ca_file);

  return NULL;
}

static char *
check_auth_options (Options  *options,
                    gboolean *oauth2)
{
  *oauth2 = options->auth != NULL && g_str_equal (options->auth, "oauth2");
  if (options->auth != NULL && !*oauth2 && !g_str_equal (options->auth, "password"))
    return g_strdup_printf (_("--auth must be password or oauth2, not “%s”"), options->auth);
  if (*oauth2 && options->password_stdin)
    return g_strdup (_("--password-stdin does not go with --auth oauth2"));
  if (options->sign_in != NULL && !*oauth2)
    return g_strdup (_("--sign-in goes with --auth oauth2"));
  if (options->sign_in != NULL && !g_str_equal (options->sign_in, "browser") &&
      !g_str_equal (options->sign_in, "device") && !g_str_equal (options->sign_in, "saved"))
    return g_strdup_printf (_("--sign-in must be browser, device or saved, not “%s”"),
                            options->sign_in);

  return NULL;
}

/* Tests the account; when the server refuses the token, renews it once and
 * tests again, as a stale token looks the same as a refused one. Returns
 * the last check. */
static MailSetupCheck *
run_account_check (MailSetupAccount         *account,
                   gboolean                  provider_known,
                   Options                  *options,
                   MailSetupCliSignInResult *signed_in,
                   MailSetupSavedAccount    *saved,
                   CheckRun                 *run)
{
  g_autoptr(MailSetupCheck) check = create_check (account, provider_known);
  g_auto(MailSetupCliSignInResult) refreshed = { 0 };
  MailSetupCliSignInRequest request = { mail_setup_account_get_sign_in_name (account),
                                        options->json, "saved", NULL };
  MailSetupCheck *failed;
  g_autoptr(MailSetupCheck) again = NULL;

  if (signed_in->method != NULL)
    mail_setup_check_set_sign_in_method (check, signed_in->method);
  run_one_check (check, run);

  failed = mail_setup_check_get_failed_check (check);
  if (failed == NULL || signed_in->refresh_token == NULL ||
      mail_setup_check_get_diagnosis (failed) != MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED)
    return g_steal_pointer (&check);

  fprintf (options->json ? stderr : stdout,
           _("The server refused the token. Renewing it and testing once more.\n"));
  request.saved_refresh_token = signed_in->refresh_token;
  if (!sign_in_with_microsoft (&request, &refreshed, NULL))
    return g_steal_pointer (&check);

  keep_refresh_token (saved, refreshed.refresh_token);
  mail_setup_account_set_microsoft_tokens (account, refreshed.access_token, refreshed.refresh_token);
  g_clear_pointer (&signed_in->refresh_token, mail_setup_secret_free);
  signed_in->refresh_token = g_steal_pointer (&refreshed.refresh_token);

  again = create_check (account, provider_known);
  mail_setup_check_set_sign_in_method (again, signed_in->method);
  run_one_check (again, run);

  return g_steal_pointer (&again);
}

/* Without --provider and --server, an address that the built-in lists do
 * not know is looked up as the window does. What is found fills only what
 * the options leave open; nothing found, or an address that Microsoft knows
 * as both personal and work, changes nothing. */
static void
fill_in_detected (Options *options)
{
  g_autoptr(MailSetupDetection) detection = NULL;
  const char *id;

  if (options->provider_id != NULL || options->server != NULL ||
      mail_setup_provider_catalog_for_email (options->email) != NULL ||
      (options->ca_file != NULL && !g_file_test (options->ca_file, G_FILE_TEST_IS_REGULAR)))
    return;

  detection = mail_setup_cli_detect_run (options->email, options->ca_file, 0, NULL);
  if (detection == NULL ||
      mail_setup_detection_get_source (detection) == MAIL_SETUP_DETECTION_SOURCE_NOTHING)
    return;

  id = mail_setup_detection_get_provider_id (detection);
  if (!g_str_equal (id, "other"))
    {
      if (mail_setup_detection_get_is_work_or_school (detection) &&
          mail_setup_detection_get_is_personal (detection))
        return;
      options->provider_id = g_strdup (id);
    }
  else if (mail_setup_detection_get_has_imap_server (detection))
    {
      options->server = g_strdup (mail_setup_detection_get_imap_host (detection));
      /* A port or an encryption given alone takes its usual partner. */
      if (options->port == 0 && options->security == NULL)
        {
          options->port = mail_setup_detection_get_imap_port (detection);
          options->security = g_strdup (mail_setup_security_to_string (
                                          mail_setup_detection_get_imap_security (detection)));
        }
      if (mail_setup_detection_get_has_smtp_server (detection) && !options->no_smtp &&
          options->smtp_server == NULL)
        {
          options->smtp_server = g_strdup (mail_setup_detection_get_smtp_host (detection));
          if (options->smtp_port == 0 && options->smtp_security == NULL)
            {
              options->smtp_port = mail_setup_detection_get_smtp_port (detection);
              options->smtp_security = g_strdup (mail_setup_security_to_string (
                                                   mail_setup_detection_get_smtp_security (detection)));
            }
        }
    }
  else
    return;

  /* Translators: what was found about the address, e.g. "Microsoft 365 for
   * Contoso, found from the domain’s mail servers". */
  fprintf (options->json ? stderr : stdout, _("Found: %s\n"),
           mail_setup_detection_get_explanation (detection));
}

static int
run_check (Options *options)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();
  g_autoptr(MailSetupCheck) check = NULL;
  g_autoptr(MailSetupSecret) password = NULL;
  g_autoptr(MailSetupSavedAccount) saved = NULL;
  g_autoptr(MailSetupSecret) saved_refresh_token = NULL;
  g_auto(MailSetupCliSignInResult) signed_in = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *prompt = NULL;
  const char *username;
  gboolean provider_known;
  gboolean oauth2 = FALSE;
  CheckRun run = { 0 };

  if (options->email == NULL)
    return usage_error (_("--check needs --email ADDRESS"));
  if (!looks_like_email (options->email))
    return usage_error (_("“%s” is not an e-mail address"), options->email);

  /* A usage error that the lookup cannot change is told at once. */
  if ((problem = check_auth_options (options, &oauth2)) != NULL)
    return usage_error ("%s", problem);

  fill_in_detected (options);

  provider_known = options->provider_id != NULL ||
                   mail_setup_provider_catalog_for_email (options->email) != NULL;
  if ((problem = configure_account (options, account)) != NULL)
    return usage_error ("%s", problem);

  username = mail_setup_account_get_sign_in_name (account);
  run.json = options->json;
  run.interactive = isatty (STDOUT_FILENO);

  if (oauth2)
    {
      MailSetupCliSignInRequest request = { username, options->json, options->sign_in, NULL };

      /* A saved sign-in is refreshed rather than asked for anew; its one
       * token serves the receiving and the outgoing server alike. */
      saved_refresh_token = find_saved_sign_in (options->email, &saved);
      request.saved_refresh_token = saved_refresh_token;

      if (!sign_in_with_microsoft (&request, &signed_in, &error))
        {
          if (error != NULL)
            {
              g_printerr (_("Microsoft sign-in is not available: %s\n"), error->message);
              if (options->json)
                print_json_error ("internal", error->message);
              return 1;
            }

          check = create_check (account, provider_known);
          mail_setup_check_set_sign_in_method (check, signed_in.method);
          mail_setup_check_finish_with_sign_in_failure (check, signed_in.diagnosis,
                                                        signed_in.server_response);
          print_outcome (check, &run);
          if (options->store)
            g_printerr (_("The account was not saved, as the check did not succeed.\n"));
          return 1;
        }

      if (g_str_equal (signed_in.method, "saved"))
        keep_refresh_token (saved, signed_in.refresh_token);
      mail_setup_account_set_microsoft_tokens (account, signed_in.access_token, NULL);
      g_clear_pointer (&signed_in.access_token, mail_setup_secret_free);
    }
  else
    {
      prompt = g_strdup_printf (_("Password for %s: "), username);
      password = read_password (options->password_stdin, prompt, &error);
      if (password == NULL)
        return usage_error ("%s", error->message);
      mail_setup_account_set_password (account, password);
      if (!options->store)
        g_clear_pointer (&password, mail_setup_secret_free);
    }

  if (!run.json)
    g_print (_("Checking %s on %s, port %u (%s)\n"), username,
             mail_setup_account_get_server (account), mail_setup_account_get_port (account),
             security_label (mail_setup_account_get_security (account)));

  check = run_account_check (account, provider_known, options, &signed_in, saved, &run);
  print_outcome (check, &run);

  /* Both servers must work, or the receiving one alone with --no-smtp. */
  if (mail_setup_check_get_failed_check (check) != NULL)
    {
      if (options->store)
        g_printerr (_("The account was not saved, as the check did not succeed.\n"));
      return 1;
    }

  if (!options->store)
    {
      /* A new sign-in that works replaces a saved one that did not. */
      if (oauth2 && !g_str_equal (signed_in.method, "saved"))
        keep_refresh_token (saved, signed_in.refresh_token);
      return 0;
    }

  if (oauth2 && signed_in.refresh_token == NULL)
    {
      g_printerr (_("The account was not saved: Microsoft gave no sign-in that can be kept.\n"));
      return 1;
    }

  return store_account (options, account, oauth2 ? signed_in.refresh_token : password,
                        oauth2 ? "oauth2" : "password");
}

static gboolean
options_other_than_detect (Options *options)
{
  return options->check || options->email != NULL || options->provider_id != NULL ||
         options->server != NULL || options->port != 0 || options->security != NULL ||
         options->username != NULL || options_name_smtp (options) || options->no_smtp ||
         options->password_stdin || options->auth != NULL || options->sign_in != NULL ||
         options->store || options->list || options->remove != NULL;
}

/* `mail-setup --detect ADDRESS [--json] [--ca-file FILE] [--timeout N]`. */
static int
run_detect (Options *options)
{
  g_autoptr(MailSetupDetection) detection = NULL;
  g_autoptr(GError) error = NULL;

  if (options_other_than_detect (options))
    return usage_error (_("--detect goes only with --json, --ca-file and --timeout"));
  if (!looks_like_email (options->detect))
    return usage_error (_("“%s” is not an e-mail address"), options->detect);
  if (options->timeout < 0)
    return usage_error (_("--timeout must be a number of seconds above 0"));
  if (options->ca_file != NULL && !g_file_test (options->ca_file, G_FILE_TEST_IS_REGULAR))
    return usage_error (_("The certificate file %s does not exist"), options->ca_file);

  detection = mail_setup_cli_detect_run (options->detect, options->ca_file, options->timeout,
                                         &error);
  if (detection == NULL)
    return usage_error ("%s", error->message);

  return mail_setup_cli_detect_print (detection, options->json);
}

static int
run_list (void)
{
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(GAsyncResult) refreshed = NULL;
  g_autoptr(GError) error = NULL;
  guint n_accounts;

  accounts = mail_setup_account_store_list (&error);
  if (accounts == NULL)
    {
      g_printerr ("mail-setup: %s\n", error->message);
      return 1;
    }

  n_accounts = g_list_model_get_n_items (accounts);
  if (n_accounts == 0)
    {
      g_print (_("No accounts are saved.\n"));
      return 0;
    }

  /* The list is still worth printing when the keyring cannot say which
   * passwords it has. */
  mail_setup_account_store_refresh_secrets_async (accounts, NULL,
                                                  mail_setup_store_async_result, &refreshed);
  mail_setup_wait_for_async_result (&refreshed);
  if (!mail_setup_account_store_refresh_secrets_finish (refreshed, &error))
    g_printerr (_("Which passwords the keyring has is not known. %s\n"), error->message);

  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(MailSetupSavedAccount) saved = g_list_model_get_item (accounts, i);

      const char *smtp_server = mail_setup_saved_account_get_smtp_server (saved);

      /* Both servers, in the words of --security: what --check would be
       * given to test the account again. */
      g_print ("%s  imap %s:%u %s", mail_setup_saved_account_get_email (saved),
               mail_setup_saved_account_get_server (saved),
               mail_setup_saved_account_get_port (saved),
               mail_setup_security_to_string (mail_setup_saved_account_get_security (saved)));
      if (smtp_server != NULL && *smtp_server != '\0')
        g_print ("  smtp %s:%u %s", smtp_server,
                 mail_setup_saved_account_get_smtp_port (saved),
                 mail_setup_security_to_string (mail_setup_saved_account_get_smtp_security (saved)));
      if (mail_setup_saved_account_get_secret_missing (saved))
        g_print ("  (%s)", _("password missing from keyring"));
      g_print ("\n");
    }

  return 0;
}

static int
run_remove (const char *email)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  mail_setup_account_store_remove_async (email, NULL, mail_setup_store_async_result, &result);
  if (!mail_setup_account_store_remove_finish (mail_setup_wait_for_async_result (&result), &error))
    {
      g_printerr ("mail-setup: %s\n", error->message);
      return 1;
    }

  g_print (_("Removed %s: its password from the keyring and its settings.\n"), email);

  return 0;
}

/* Before the options are parsed: whether the arguments are OPTION with its
 * value (`--token ADDRESS` or `--token=ADDRESS`) and N_ARGUMENTS arguments
 * that are not options, and nothing else. */
static gboolean
option_is_alone (int         argc,
                 char      **argv,
                 const char *option,
                 int         n_arguments)
{
  gboolean seen = FALSE;
  int n_other = 0;

  for (int i = 1; i < argc; i++)
    {
      if (!seen && g_str_equal (argv[i], option) && i + 1 < argc)
        {
          seen = TRUE;
          i++;
        }
      else if (!seen && is_option (argv[i], option) && argv[i][strlen (option)] == '=')
        seen = TRUE;
      else if (argv[i][0] == '-')
        return FALSE;
      else
        n_other++;
    }

  return seen && n_other == n_arguments;
}

/* The option of ENTRIES that takes a value but is followed by another
 * option instead, as in `--detect --json`: GOption would take "--json"
 * for the address, and the script that wrote it would get no JSON. */
static const char *
find_option_without_value (int                 argc,
                           char              **argv,
                           const GOptionEntry *entries)
{
  for (int i = 1; i + 1 < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (!g_str_has_prefix (argv[i], "--") || !g_str_has_prefix (argv[i + 1], "--"))
        continue;
      for (const GOptionEntry *entry = entries; entry->long_name != NULL; entry++)
        if (entry->arg != G_OPTION_ARG_NONE && g_str_equal (argv[i] + 2, entry->long_name))
          return argv[i];
    }

  return NULL;
}

int
mail_setup_cli_run (int    argc,
                    char **argv)
{
  const char *without_value;
  g_auto(Options) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean token_alone = option_is_alone (argc, argv, "--token", 0);
  gboolean export_alone = option_is_alone (argc, argv, "--export", 1);
  const GOptionEntry entries[] = {
    { "check", 0, 0, G_OPTION_ARG_NONE, &options.check,
      N_("Test an account's connection and sign-in, without opening a window"), NULL },
    { "email", 0, 0, G_OPTION_ARG_STRING, &options.email,
      N_("The e-mail address of the account"), N_("ADDRESS") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &options.provider_id,
      N_("microsoft365, outlook, msn or other (default: from the address)"), N_("ID") },
    { "server", 0, 0, G_OPTION_ARG_STRING, &options.server,
      N_("The IMAP server (default: the provider's)"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &options.port,
      N_("The IMAP port (default: 993 for ssl, 143 for starttls)"), N_("N") },
    { "security", 0, 0, G_OPTION_ARG_STRING, &options.security,
      N_("ssl (implicit TLS) or starttls"), "ssl|starttls" },
    { "username", 0, 0, G_OPTION_ARG_STRING, &options.username,
      N_("The sign-in name (default: the e-mail address)"), N_("NAME") },
    { "smtp-server", 0, 0, G_OPTION_ARG_STRING, &options.smtp_server,
      N_("The outgoing (SMTP) server (default: the provider's, else the IMAP server's smtp. "
         "sibling, or the IMAP server itself)"), N_("HOST") },
    { "smtp-port", 0, 0, G_OPTION_ARG_INT, &options.smtp_port,
      N_("The SMTP port (default: 587 for starttls, 465 for ssl)"), N_("N") },
    { "smtp-security", 0, 0, G_OPTION_ARG_STRING, &options.smtp_security,
      N_("For the SMTP server: ssl (implicit TLS) or starttls (default: starttls, ssl on port "
         "465)"), "ssl|starttls" },
    { "smtp-username", 0, 0, G_OPTION_ARG_STRING, &options.smtp_username,
      N_("The sign-in name for the SMTP server (default: the IMAP sign-in name)"), N_("NAME") },
    { "no-smtp", 0, 0, G_OPTION_ARG_NONE, &options.no_smtp,
      N_("Test only receiving (IMAP), not sending (SMTP)"), NULL },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &options.password_stdin,
      N_("Read the password from the first line of standard input"), NULL },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &options.auth,
      N_("password (the default), or oauth2 to sign in with Microsoft"),
      "password|oauth2" },
    { "sign-in", 0, 0, G_OPTION_ARG_STRING, &options.sign_in,
      N_("With --auth oauth2: browser (sign in in this computer's web browser), device (with a "
         "code, in a browser anywhere) or saved (only the saved sign-in); default: a saved "
         "sign-in, else the browser when one can be opened, else the device"),
      "browser|device|saved" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options.ca_file,
      N_("Also trust the certificate authorities in this PEM file"), N_("PEM") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &options.timeout,
      N_("Seconds each stage may take (default: 15)"), N_("SECONDS") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options.json,
      N_("Print the result as one JSON object"), NULL },
    { "store", 0, 0, G_OPTION_ARG_NONE, &options.store,
      N_("With --check: save the account when the check succeeds, the password in the keyring"),
      NULL },
    { "list", 0, 0, G_OPTION_ARG_NONE, &options.list,
      N_("List the saved accounts"), NULL },
    { "remove", 0, 0, G_OPTION_ARG_STRING, &options.remove,
      N_("Remove a saved account: its password from the keyring and its settings"),
      N_("ADDRESS") },
    { "token", 0, 0, G_OPTION_ARG_STRING, &options.token,
      N_("Print an access token of the saved Microsoft sign-in of ADDRESS, for a mail program; "
         "alone, without other options"), N_("ADDRESS") },
    { "export", 0, 0, G_OPTION_ARG_STRING, &options.export_format,
      N_("Print the configuration of a saved account for a mail program: --export FORMAT ADDRESS, "
         "where FORMAT is msmtp, mbsync, neomutt or aerc"), N_("FORMAT") },
    { "detect", 0, 0, G_OPTION_ARG_STRING, &options.detect,
      N_("Find out which provider hosts ADDRESS, how, and its server settings; with --json, "
         "--ca-file and --timeout only"), N_("ADDRESS") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options.version,
      N_("Show the version and quit"), NULL },
    { NULL }
  };

  /* Standard output carries the result alone, so that --json stays JSON
   * with G_MESSAGES_DEBUG set. */
  g_log_writer_default_set_use_stderr (TRUE);

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], "--json"))
        json_output = TRUE;
    }

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                _("Without options, Mail Setup opens its window. With --check, it tests\n"
                                  "an account's IMAP and SMTP servers from the command line. The password is read from a\n"
                                  "terminal prompt or, with --password-stdin, from standard input; never\n"
                                  "from the command line. With --detect, it says which provider hosts an\n"
                                  "address and its server settings."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  without_value = find_option_without_value (argc, argv, entries);
  if (without_value != NULL)
    /* TRANSLATORS: %s is an option, such as --email */
    return usage_error (_("%s needs a value before the next option"), without_value);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("%s", error->message);

  /* A mail program runs --token and reads what it prints: nothing may
   * change what that is. */
  if (options.token != NULL)
    return token_alone ? mail_setup_cli_token (options.token)
                       : usage_error (_("--token goes alone: mail-setup --token ADDRESS"));
  if (options.export_format != NULL)
    return export_alone ? mail_setup_cli_export (options.export_format, argv[1])
                        : usage_error (_("--export goes alone, with one address: "
                                         "mail-setup --export FORMAT ADDRESS"));

  if (options.version)
    {
      g_print ("mail-setup %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (argc > 1)
    return usage_error (_("Unexpected argument “%s”"), argv[1]);
  if (options.detect != NULL)
    return run_detect (&options);

  if (options.check + options.list + (options.remove != NULL) > 1)
    return usage_error (_("Give only one of --check, --list and --remove"));
  /* --list and --remove print for people; a script that asked for JSON
   * gets one object saying so rather than text it cannot read. */
  if (options.json && !options.check)
    return usage_error (_("--json goes with --check or --detect"));
  if (options.list)
    return run_list ();
  if (options.remove != NULL)
    return run_remove (options.remove);
  if (options.store && !options.check)
    return usage_error (_("--store goes with --check"));
  if (!options.check)
    return usage_error (_("Options other than --check and --version open no window"));

  return run_check (&options);
}
