/* SPDX-License-Identifier: GPL-3.0-or-later */

/* libFuzzer target for what a hostile SMTP server controls: the reply
 * reader, the enhanced status codes, the EHLO extensions and the diagnosis
 * of a reply. Not built by meson; build-aux/run-fuzzers builds and runs it:
 *
 *   FUZZ_SECONDS=10 build-aux/run-fuzzers smtp-reply
 */

#include <stdint.h>
#include <string.h>

#include "mail-setup-diagnosis.h"
#include "mail-setup-imap.h"
#include "mail-setup-smtp.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
count_line (const char *line,
            gsize       length,
            gpointer    user_data)
{
  g_autofree char *shown = mail_setup_imap_sanitize_text (line, (gssize) length);

  g_assert (g_utf8_validate (shown, -1, NULL));
  (*(guint *) user_data)++;
}

static void
touch_reply (const MailSetupSmtpReply *reply)
{
  g_autofree char *shown = mail_setup_imap_sanitize_text (reply->shown, -1);
  g_auto(GStrv) extensions = mail_setup_smtp_parse_extensions (reply);

  g_assert (reply->code >= 200 && reply->code <= 599);
  g_assert (reply->lines != NULL && reply->lines[0] != NULL);
  g_assert (reply->text != NULL);
  g_assert (g_utf8_validate (shown, -1, NULL));
  if (reply->enhanced_code != NULL)
    g_assert (reply->enhanced_code[0] == '0' + (char) (reply->code / 100));

  for (guint i = 0; extensions[i] != NULL; i++)
    g_assert (g_utf8_validate (extensions[i], -1, NULL));
  (void) mail_setup_smtp_extensions_has ((const char * const *) extensions, "STARTTLS");
  (void) mail_setup_smtp_extensions_has_auth ((const char * const *) extensions, "PLAIN");

  for (guint command = MAIL_SETUP_SMTP_COMMAND_GREETING; command <= MAIL_SETUP_SMTP_COMMAND_QUIT;
       command++)
    g_assert (mail_setup_diagnosis_for_smtp_reply (command, reply->code, reply->enhanced_code,
                                                   reply->text) < MAIL_SETUP_N_DIAGNOSES);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* Small limits, so that the fuzzer reaches them. */
  g_autoptr(MailSetupSmtpReader) reader = mail_setup_smtp_reader_new (128, 8);
  g_autofree char *text = g_strndup ((const char *) data, size);
  gsize split = size > 0 ? (size * data[0]) / 256 : 0;
  MailSetupProtocol protocol;
  guint lines = 0;

  mail_setup_smtp_reader_set_line_func (reader, count_line, &lines);
  (void) mail_setup_smtp_parse_enhanced_code (text, NULL);
  (void) mail_setup_diagnosis_recognise_server (MAIL_SETUP_PROTOCOL_SMTP, text, 587, &protocol);

  /* In two pieces, as a network would cut them. */
  mail_setup_smtp_reader_feed (reader, (const char *) data, split);
  for (guint piece = 0; piece < 2; piece++)
    {
      for (;;)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(MailSetupSmtpReply) reply = mail_setup_smtp_reader_next (reader, &error);

          if (reply == NULL)
            {
              /* An error is sticky. */
              if (error != NULL)
                {
                  g_autoptr(GError) again = NULL;

                  g_assert (mail_setup_smtp_reader_next (reader, &again) == NULL);
                  g_assert (g_error_matches (again, error->domain, error->code));
                }
              break;
            }
          touch_reply (reply);
        }
      if (piece == 0)
        mail_setup_smtp_reader_feed (reader, (const char *) data + split, size - split);
    }

  g_assert (mail_setup_smtp_reader_reset (reader) <= size);
  g_assert (mail_setup_smtp_reader_get_buffered_size (reader) == 0);

  return 0;
}
