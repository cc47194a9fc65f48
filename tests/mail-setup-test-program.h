/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The built program, `_build/src/mail-setup`, in a child process, as a
 * script or a person at a terminal runs it. */

typedef enum
{
  /* The command line must never need a display: DISPLAY and
   * WAYLAND_DISPLAY are unset. */
  MAIL_SETUP_TEST_PROGRAM_NO_DISPLAY,
  /* The test's display stays, so that a web browser can be opened. */
  MAIL_SETUP_TEST_PROGRAM_WITH_DISPLAY,
} MailSetupTestProgramDisplay;

typedef struct
{
  int   status;
  char *out;
  char *err;
} MailSetupTestProgramResult;

void         mail_setup_test_program_result_free  (MailSetupTestProgramResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailSetupTestProgramResult, mail_setup_test_program_result_free)

/* Starts mail-setup with ARGUMENTS and, in ENVIRONMENT, pairs of a variable
 * and its value (may be NULL). */
GSubprocess *mail_setup_test_program_spawn        (const char * const          *arguments,
                                                   const char * const          *environment,
                                                   MailSetupTestProgramDisplay  display,
                                                   GSubprocessFlags             flags);
/* Runs it to its end; STDIN_TEXT is all that it reads. Fails the test if it
 * did not exit by itself. */
MailSetupTestProgramResult *
             mail_setup_test_program_run          (const char * const          *arguments,
                                                   const char * const          *environment,
                                                   MailSetupTestProgramDisplay  display,
                                                   const char                  *stdin_text);
/* The one JSON object that --json prints, failing the test on anything
 * else. */
JsonObject  *mail_setup_test_program_parse_report (const char                  *text);

G_END_DECLS
