/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "mail-setup-smtp.h"

G_DEFINE_QUARK (mail-setup-smtp-error-quark, mail_setup_smtp_error)

struct _MailSetupSmtpReader
{
  GByteArray            *buffer;
  gsize                  offset;       /* of the first byte not yet cut */
  gsize                  max_line_length;
  guint                  max_lines;

  /* The reply being read: its code and the text of its lines so far. */
  guint                  code;
  GPtrArray             *lines;
  gsize                  pending_bytes;

  GError                *error;
  MailSetupSmtpLineFunc  line_func;
  gpointer               line_data;
};

void
mail_setup_smtp_reply_free (MailSetupSmtpReply *reply)
{
  if (reply == NULL)
    return;

  g_free (reply->enhanced_code);
  g_free (reply->text);
  g_strfreev (reply->lines);
  g_free (reply->shown);
  g_free (reply);
}

MailSetupSmtpReader *
mail_setup_smtp_reader_new (gsize max_line_length,
                            guint max_lines)
{
  MailSetupSmtpReader *reader = g_new0 (MailSetupSmtpReader, 1);

  g_return_val_if_fail (max_line_length >= 4 && max_lines >= 1, NULL);

  reader->buffer = g_byte_array_new ();
  reader->max_line_length = max_line_length;
  reader->max_lines = max_lines;
  reader->lines = g_ptr_array_new_with_free_func (g_free);

  return reader;
}

void
mail_setup_smtp_reader_free (MailSetupSmtpReader *reader)
{
  if (reader == NULL)
    return;

  g_byte_array_unref (reader->buffer);
  g_ptr_array_unref (reader->lines);
  g_clear_error (&reader->error);
  g_free (reader);
}

void
mail_setup_smtp_reader_set_line_func (MailSetupSmtpReader   *reader,
                                      MailSetupSmtpLineFunc  func,
                                      gpointer               user_data)
{
  g_return_if_fail (reader != NULL);

  reader->line_func = func;
  reader->line_data = user_data;
}

void
mail_setup_smtp_reader_feed (MailSetupSmtpReader *reader,
                             const char          *data,
                             gsize                length)
{
  g_return_if_fail (reader != NULL);
  g_return_if_fail (data != NULL || length == 0);

  /* After an error nothing more is read; the bytes would only pile up. */
  if (reader->error != NULL)
    return;

  /* What was cut already goes before it grows again. */
  if (reader->offset > 0)
    {
      g_byte_array_remove_range (reader->buffer, 0, (guint) reader->offset);
      reader->offset = 0;
    }
  g_byte_array_append (reader->buffer, (const guint8 *) data, (guint) length);
}

gsize
mail_setup_smtp_reader_get_buffered_size (MailSetupSmtpReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);

  return reader->buffer->len - reader->offset + reader->pending_bytes;
}

static void
forget_pending_reply (MailSetupSmtpReader *reader)
{
  g_ptr_array_set_size (reader->lines, 0);
  reader->pending_bytes = 0;
  reader->code = 0;
}

gsize
mail_setup_smtp_reader_reset (MailSetupSmtpReader *reader)
{
  gsize dropped;

  g_return_val_if_fail (reader != NULL, 0);

  dropped = mail_setup_smtp_reader_get_buffered_size (reader);
  g_byte_array_set_size (reader->buffer, 0);
  reader->offset = 0;
  forget_pending_reply (reader);

  return dropped;
}

static MailSetupSmtpReply *
fail (MailSetupSmtpReader  *reader,
      GError              **error,
      MailSetupSmtpError    code,
      const char           *message)
{
  reader->error = g_error_new_literal (MAIL_SETUP_SMTP_ERROR, code, message);
  g_propagate_error (error, g_error_copy (reader->error));
  return NULL;
}

gboolean
mail_setup_smtp_parse_enhanced_code (const char *text,
                                     gsize      *length)
{
  const char *p = text;

  g_return_val_if_fail (text != NULL, FALSE);

  /* RFC 3463: class "." subject "." detail, 1 to 3 digits each after the
   * class, which is 2, 4 or 5. */
  if (*p != '2' && *p != '4' && *p != '5')
    return FALSE;
  p++;
  for (guint part = 0; part < 2; part++)
    {
      guint digits = 0;

      if (*p != '.')
        return FALSE;
      for (p++; g_ascii_isdigit (*p); p++)
        digits++;
      if (digits < 1 || digits > 3)
        return FALSE;
    }
  if (*p != ' ' && *p != '\0')
    return FALSE;

  if (length != NULL)
    *length = (gsize) (p - text);
  return TRUE;
}

static MailSetupSmtpReply *
build_reply (MailSetupSmtpReader *reader)
{
  MailSetupSmtpReply *reply = g_new0 (MailSetupSmtpReply, 1);
  const char *last = g_ptr_array_index (reader->lines, reader->lines->len - 1);
  g_autoptr(GString) shown = g_string_new (NULL);
  gsize code_length = 0;

  reply->code = reader->code;
  if (mail_setup_smtp_parse_enhanced_code (last, &code_length) &&
      last[0] == '0' + (char) (reply->code / 100))
    {
      reply->enhanced_code = g_strndup (last, code_length);
      last += code_length;
      while (*last == ' ')
        last++;
    }
  reply->text = g_strdup (last);

  g_string_append_printf (shown, "%u", reply->code);
  for (guint i = 0; i < reader->lines->len; i++)
    {
      const char *line = g_ptr_array_index (reader->lines, i);

      if (*line != '\0')
        g_string_append_printf (shown, " %s", line);
    }
  reply->shown = g_string_free (g_steal_pointer (&shown), FALSE);

  g_ptr_array_add (reader->lines, NULL);
  reply->lines = (GStrv) g_ptr_array_steal (reader->lines, NULL);
  forget_pending_reply (reader);

  return reply;
}

/* One line of a reply: "250-text", "250 text" or a bare "250". Returns FALSE
 * when the line does not belong to SMTP, or not to this reply. */
static gboolean
take_line (MailSetupSmtpReader *reader,
           const char          *line,
           gsize                length,
           gboolean            *last)
{
  guint code;

  if (memchr (line, '\0', length) != NULL)
    return FALSE;
  if (length < 3 || line[0] < '2' || line[0] > '5' || !g_ascii_isdigit (line[1]) ||
      !g_ascii_isdigit (line[2]))
    return FALSE;
  if (length > 3 && line[3] != ' ' && line[3] != '-')
    return FALSE;

  code = (guint) ((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
  if (reader->lines->len > 0 && code != reader->code)
    return FALSE;

  reader->code = code;
  if (length > 3)
    g_ptr_array_add (reader->lines, g_strndup (line + 4, length - 4));
  else
    g_ptr_array_add (reader->lines, g_strdup (""));
  *last = length == 3 || line[3] == ' ';
  return TRUE;
}

MailSetupSmtpReply *
mail_setup_smtp_reader_next (MailSetupSmtpReader  *reader,
                             GError              **error)
{
  g_return_val_if_fail (reader != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (reader->error != NULL)
    {
      g_propagate_error (error, g_error_copy (reader->error));
      return NULL;
    }

  for (;;)
    {
      gsize available = reader->buffer->len - reader->offset;
      const char *start;
      const char *end;
      gsize length;
      gboolean last = FALSE;

      /* An array that never held a byte has no data at all. */
      if (available == 0)
        return NULL;
      start = (const char *) reader->buffer->data + reader->offset;
      end = memchr (start, '\n', available);
      if (end == NULL)
        {
          /* A CR may still come before the LF. */
          if (available > reader->max_line_length + 1)
            return fail (reader, error, MAIL_SETUP_SMTP_ERROR_LINE_TOO_LONG,
                         "The server sent a line that is too long");
          return NULL;
        }

      length = (gsize) (end - start);
      reader->offset += length + 1;
      reader->pending_bytes += length + 1;
      if (length > 0 && start[length - 1] == '\r')
        length--;
      if (length > reader->max_line_length)
        return fail (reader, error, MAIL_SETUP_SMTP_ERROR_LINE_TOO_LONG,
                     "The server sent a line that is too long");

      if (reader->line_func != NULL)
        reader->line_func (start, length, reader->line_data);

      if (!take_line (reader, start, length, &last))
        return fail (reader, error, MAIL_SETUP_SMTP_ERROR_MALFORMED,
                     "The server sent a line that is not an SMTP reply");
      if (reader->lines->len > reader->max_lines)
        return fail (reader, error, MAIL_SETUP_SMTP_ERROR_TOO_MANY_LINES,
                     "The server sent a reply of too many lines");
      if (last)
        return build_reply (reader);
    }
}

static gboolean
is_keyword (const char *word,
            gsize       length)
{
  if (length == 0 || !g_ascii_isalnum (word[0]))
    return FALSE;

  /* '=' for the old "AUTH=LOGIN" that some servers still send. */
  for (gsize i = 1; i < length; i++)
    if (!g_ascii_isalnum (word[i]) && word[i] != '-' && word[i] != '=')
      return FALSE;

  return TRUE;
}

static gboolean
is_printable_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e)
      return FALSE;

  return TRUE;
}

GStrv
mail_setup_smtp_parse_extensions (const MailSetupSmtpReply *ehlo)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (ehlo != NULL, NULL);

  /* The first line greets; the extensions follow, one a line. */
  for (guint i = 1; ehlo->lines != NULL && ehlo->lines[0] != NULL && ehlo->lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (ehlo->lines[i]));
      const char *space = strchr (line, ' ');
      gsize keyword_length = space != NULL ? (gsize) (space - line) : strlen (line);
      g_autofree char *keyword = NULL;
      g_autofree char *extension = NULL;

      if (!is_keyword (line, keyword_length) || !is_printable_ascii (line))
        continue;

      keyword = g_ascii_strup (line, (gssize) keyword_length);
      extension = g_strconcat (keyword, space, NULL);
      g_strv_builder_add (builder, extension);
    }

  return g_strv_builder_end (builder);
}

/* The extension's keyword: up to a space, or up to '=' in the old form. */
static gboolean
keyword_matches (const char *extension,
                 const char *keyword)
{
  gsize length = strlen (keyword);

  return g_ascii_strncasecmp (extension, keyword, length) == 0 &&
         (extension[length] == '\0' || extension[length] == ' ' || extension[length] == '=');
}

gboolean
mail_setup_smtp_extensions_has (const char * const *extensions,
                                const char         *keyword)
{
  g_return_val_if_fail (keyword != NULL, FALSE);

  for (guint i = 0; extensions != NULL && extensions[i] != NULL; i++)
    if (keyword_matches (extensions[i], keyword))
      return TRUE;

  return FALSE;
}

gboolean
mail_setup_smtp_extensions_has_auth (const char * const *extensions,
                                     const char         *mechanism)
{
  g_return_val_if_fail (mechanism != NULL, FALSE);

  for (guint i = 0; extensions != NULL && extensions[i] != NULL; i++)
    {
      g_auto(GStrv) words = NULL;

      if (!keyword_matches (extensions[i], "AUTH") || extensions[i][strlen ("AUTH")] == '\0')
        continue;

      words = g_strsplit_set (extensions[i] + strlen ("AUTH") + 1, " ", -1);
      for (guint j = 0; words[j] != NULL; j++)
        if (g_ascii_strcasecmp (words[j], mechanism) == 0)
          return TRUE;
    }

  return FALSE;
}
