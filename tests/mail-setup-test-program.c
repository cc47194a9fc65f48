/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "mail-setup-test-program.h"
#include "mail-setup-test-util.h"

void
mail_setup_test_program_result_free (MailSetupTestProgramResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

GSubprocess *
mail_setup_test_program_spawn (const char * const          *arguments,
                               const char * const          *environment,
                               MailSetupTestProgramDisplay  display,
                               GSubprocessFlags             flags)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  if (display == MAIL_SETUP_TEST_PROGRAM_NO_DISPLAY)
    {
      g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
      g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
    }
  for (guint i = 0; environment != NULL && environment[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, environment[i], environment[i + 1], TRUE);

  g_ptr_array_add (argv, g_build_filename (mail_setup_test_service_env ("MAIL_SETUP_BUILD_DIR"),
                                           "src", "mail-setup", NULL));
  for (guint i = 0; arguments[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (arguments[i]));
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  return process;
}

MailSetupTestProgramResult *
mail_setup_test_program_run (const char * const          *arguments,
                             const char * const          *environment,
                             MailSetupTestProgramDisplay  display,
                             const char                  *stdin_text)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  MailSetupTestProgramResult *result = g_new0 (MailSetupTestProgramResult, 1);

  process = mail_setup_test_program_spawn (arguments, environment, display,
                                           G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                           G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                           G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_communicate_utf8 (process, stdin_text, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
  g_test_message ("exit status %d; standard error:\n%s", result->status, result->err);

  return result;
}

JsonObject *
mail_setup_test_program_parse_report (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}
