/* SPDX-License-Identifier: GPL-3.0-or-later */

/* libFuzzer target for what a hostile IMAP server controls. Not built by
 * meson; see the build line in the report of the IMAP reader, or:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/core -I_build \
 *     tests/fuzz/fuzz-imap-response.c src/core/mail-setup-imap.c \
 *     $(pkg-config --cflags --libs glib-2.0 gobject-2.0 gnutls) -o fuzz-imap-response
 *   ./fuzz-imap-response tests/fuzz/corpus/imap-response
 */

#include <stdint.h>
#include <string.h>

#include "mail-setup-imap.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
touch_response (const MailSetupImapResponse *response)
{
  g_autoptr(MailSetupImapResponse) copy = mail_setup_imap_response_copy (response);
  g_autofree char *shown = mail_setup_imap_sanitize_text (copy->line, -1);
  g_auto(GStrv) caps = NULL;

  g_assert (copy->line != NULL);
  g_assert (g_utf8_validate (shown, -1, NULL));

  if (copy->code_arguments != NULL)
    caps = mail_setup_imap_parse_capabilities (copy->code_arguments);
  else if (copy->data != NULL)
    caps = mail_setup_imap_parse_capabilities (copy->data);

  if (caps != NULL)
    (void) mail_setup_imap_capabilities_has ((const char * const *) caps, "LITERAL+");
}

static void
drain (MailSetupImapReader *reader)
{
  while (TRUE)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MailSetupImapResponse) response = mail_setup_imap_reader_next (reader, &error);

      if (response == NULL)
        {
          /* An error is sticky. */
          if (error != NULL)
            {
              g_autoptr(GError) again = NULL;

              g_assert (mail_setup_imap_reader_next (reader, &again) == NULL);
              g_assert (g_error_matches (again, error->domain, error->code));
            }
          return;
        }

      touch_response (response);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* Small limits, so that the fuzzer reaches them. */
  g_autoptr(MailSetupImapReader) reader = mail_setup_imap_reader_new (256, 512);
  g_autoptr(MailSetupImapResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *shown = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *redacted = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  g_auto(GStrv) caps = NULL;
  gsize split = size > 0 ? (size * data[0]) / 256 : 0;
  gboolean synchronizing;

  mail_setup_imap_reader_feed (reader, (const char *) data, split);
  drain (reader);
  mail_setup_imap_reader_feed (reader, (const char *) data + split, size - split);
  drain (reader);
  g_assert (mail_setup_imap_reader_get_buffered_size (reader) <= 256 + 512 + 2);
  mail_setup_imap_reader_reset (reader);
  g_assert (mail_setup_imap_reader_get_buffered_size (reader) == 0);

  response = mail_setup_imap_response_parse ((const char *) data, size, &error);
  g_assert ((response == NULL) != (error == NULL));
  if (response != NULL)
    touch_response (response);

  shown = mail_setup_imap_sanitize_text ((const char *) data, (gssize) size);
  g_assert (g_utf8_validate (shown, -1, NULL));
  g_assert (g_utf8_strlen (shown, -1) <= MAIL_SETUP_IMAP_SANITIZE_MAX_CHARS);

  caps = mail_setup_imap_parse_capabilities (text);
  for (gsize i = 0; caps[i] != NULL; i++)
    g_assert (mail_setup_imap_capabilities_has ((const char * const *) caps, caps[i]));

  quoted = mail_setup_imap_quote_astring (text, size % 2 == 0, &synchronizing);
  g_assert (quoted[0] == '"' || quoted[0] == '{');
  parts = mail_setup_imap_command_build ("a1", "LOGIN", (const char *[]) { text, text, NULL },
                                         synchronizing);
  g_assert (parts != NULL && parts->len >= 1);

  redacted = mail_setup_imap_redact_command (text);
  g_assert (redacted != NULL);

  return 0;
}
