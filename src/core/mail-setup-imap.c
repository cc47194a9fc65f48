/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <gnutls/gnutls.h>

#include "mail-setup-imap.h"

G_DEFINE_QUARK (mail-setup-imap-error-quark, mail_setup_imap_error)

G_DEFINE_BOXED_TYPE (MailSetupImapResponse, mail_setup_imap_response,
                     mail_setup_imap_response_copy, mail_setup_imap_response_free)

struct _MailSetupImapReader
{
  gsize       max_line_length;
  gsize       max_literal_length;

  /* GBytes, each a complete response with its final line end. */
  GQueue      complete;

  /* The response being received, and where its last line starts. */
  GByteArray *current;
  gsize       line_start;
  gsize       text_length;
  gsize       literal_length;
  gsize       literal_remaining;

  GError     *error;
};

typedef enum
{
  LITERAL_NONE,
  LITERAL_FOUND,
  LITERAL_TOO_LARGE,
} LiteralAnnounce;

static gboolean
is_atom_char (guchar c)
{
  return c > 0x20 && c < 0x7f && strchr ("(){%*\"\\]", c) == NULL;
}

static gboolean
is_tag_char (guchar c)
{
  return (is_atom_char (c) || c == ']') && c != '+';
}

static gboolean
is_valid_tag (const char *tag,
              gsize       length)
{
  if (length == 0)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!is_tag_char (tag[i]))
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_atom (const char *atom,
         gsize       length)
{
  if (length == 0)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!is_atom_char (atom[i]))
        return FALSE;
    }

  return TRUE;
}

static gboolean
word_equal (const char *word,
            gsize       length,
            const char *expected)
{
  return length == strlen (expected) && g_ascii_strncasecmp (word, expected, length) == 0;
}

static void
wipe_string_free (gpointer data)
{
  char *string = data;

  if (string == NULL)
    return;

  gnutls_memset (string, 0, strlen (string));
  g_free (string);
}

static void
wipe_gstring_free (GString *string)
{
  gnutls_memset (string->str, 0, string->allocated_len);
  g_string_free (string, TRUE);
}

/* Looks for `{N}` or `{N+}` at the end of one line, without its line end.
 * N is compared with the limit digit by digit, so no announce can overflow. */
static LiteralAnnounce
find_literal_announce (const char *line,
                       gsize       length,
                       guint64     limit,
                       guint64    *size)
{
  gsize digits_start;
  gsize digits_end;
  guint64 value = 0;

  if (length == 0 || line[length - 1] != '}')
    return LITERAL_NONE;

  digits_end = length - 1;
  if (digits_end > 0 && line[digits_end - 1] == '+')
    digits_end--;

  digits_start = digits_end;
  while (digits_start > 0 && g_ascii_isdigit (line[digits_start - 1]))
    digits_start--;

  if (digits_start == digits_end || digits_start == 0 || line[digits_start - 1] != '{')
    return LITERAL_NONE;

  for (gsize i = digits_start; i < digits_end; i++)
    {
      if (value > (G_MAXUINT64 - 9) / 10)
        return LITERAL_TOO_LARGE;

      value = value * 10 + (guint64) (line[i] - '0');
      if (value > limit)
        return LITERAL_TOO_LARGE;
    }

  *size = value;
  return LITERAL_FOUND;
}

static gboolean
status_from_word (const char          *word,
                  gsize                length,
                  MailSetupImapStatus *status)
{
  static const struct
  {
    const char          *word;
    MailSetupImapStatus  status;
  } statuses[] = {
    { "OK", MAIL_SETUP_IMAP_STATUS_OK },
    { "NO", MAIL_SETUP_IMAP_STATUS_NO },
    { "BAD", MAIL_SETUP_IMAP_STATUS_BAD },
    { "BYE", MAIL_SETUP_IMAP_STATUS_BYE },
    { "PREAUTH", MAIL_SETUP_IMAP_STATUS_PREAUTH },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      if (word_equal (word, length, statuses[i].word))
        {
          *status = statuses[i].status;
          return TRUE;
        }
    }

  return FALSE;
}

static const char *
token_end (const char *p,
           const char *end)
{
  while (p < end && *p != ' ')
    p++;

  return p;
}

/* Checks that the line ends only where a literal announce asks for more, and
 * finds the length of the first line. */
static gboolean
check_framing (const char  *line,
               gsize        length,
               gsize       *first_length,
               GError     **error)
{
  gsize pos = 0;

  if (length == 0)
    {
      g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                           "The server sent an empty line");
      return FALSE;
    }

  if (memchr (line, '\0', length) != NULL)
    {
      g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                           "The server sent a NUL byte");
      return FALSE;
    }

  *first_length = length;

  while (TRUE)
    {
      const char *newline = memchr (line + pos, '\n', length - pos);
      gsize segment_end;
      gsize content_end;
      guint64 size = 0;

      if (newline == NULL)
        return TRUE;

      segment_end = (gsize) (newline - line);
      content_end = segment_end;
      if (content_end > pos && line[content_end - 1] == '\r')
        content_end--;

      if (pos == 0)
        *first_length = content_end;

      switch (find_literal_announce (line + pos, content_end - pos,
                                     length - segment_end - 1, &size))
        {
        case LITERAL_FOUND:
          pos = segment_end + 1 + (gsize) size;
          break;

        case LITERAL_TOO_LARGE:
          g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                               "The server announced a literal longer than its response");
          return FALSE;

        case LITERAL_NONE:
        default:
          g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                               "The server sent a line end inside a response");
          return FALSE;
        }
    }
}

/* resp-text: an optional `[CODE arguments]` first, then the human text. A
 * bracket that does not hold a code is kept as text: showing the server's
 * words matters more than the grammar. */
static void
parse_response_text (MailSetupImapResponse *response,
                     const char            *p,
                     const char            *first_end,
                     const char            *end)
{
  if (p < first_end && *p == '[')
    {
      const char *close = memchr (p, ']', (gsize) (first_end - p));

      if (close != NULL)
        {
          const char *atom_end = p + 1;

          while (atom_end < close && is_atom_char (*atom_end))
            atom_end++;

          if (atom_end > p + 1 && (atom_end == close || *atom_end == ' '))
            {
              response->code = g_ascii_strup (p + 1, atom_end - (p + 1));
              if (atom_end < close)
                response->code_arguments = g_strndup (atom_end + 1, (gsize) (close - atom_end - 1));

              p = close + 1;
              if (p < end && *p == ' ')
                p++;
            }
        }
    }

  response->text = g_strndup (p, (gsize) (end - p));
}

static gboolean
parse_untagged (MailSetupImapResponse  *response,
                const char             *p,
                const char             *first_end,
                const char             *end,
                GError                **error)
{
  const char *word_end = token_end (p, first_end);
  MailSetupImapStatus status;

  if (word_end > p && g_ascii_isdigit (*p))
    {
      guint64 number = 0;

      for (const char *digit = p; digit < word_end; digit++)
        {
          if (!g_ascii_isdigit (*digit) || number > (G_MAXINT64 - 9) / 10)
            {
              g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                                   "The server sent a number that is not one");
              return FALSE;
            }
          number = number * 10 + (guint64) (*digit - '0');
        }

      response->number = (gint64) number;
      if (word_end == first_end)
        {
          g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                               "The server sent a number without a keyword");
          return FALSE;
        }

      p = word_end + 1;
      word_end = token_end (p, first_end);
    }
  else if (status_from_word (p, (gsize) (word_end - p), &status))
    {
      response->status = status;
      p = word_end;
      if (p < end && *p != ' ')
        {
          g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                               "The server sent a status without a space after it");
          return FALSE;
        }
      if (p < end)
        p++;

      parse_response_text (response, p, first_end, end);
      return TRUE;
    }

  if (!is_atom (p, (gsize) (word_end - p)))
    {
      g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                           "The server sent an untagged response without a keyword");
      return FALSE;
    }

  response->keyword = g_ascii_strup (p, word_end - p);
  p = word_end;
  if (p < end && *p != ' ')
    {
      g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                           "The server sent a keyword without a space after it");
      return FALSE;
    }
  if (p < end)
    p++;

  response->data = g_strndup (p, (gsize) (end - p));
  return TRUE;
}

static gboolean
parse_tagged (MailSetupImapResponse  *response,
              const char             *line,
              const char             *first_end,
              const char             *end,
              GError                **error)
{
  const char *tag_end = token_end (line, first_end);
  const char *p;
  const char *word_end;
  MailSetupImapStatus status;

  if (!is_valid_tag (line, (gsize) (tag_end - line)) || tag_end == first_end)
    {
      g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                           "The server sent a line that is no IMAP response");
      return FALSE;
    }

  response->tag = g_strndup (line, (gsize) (tag_end - line));

  p = tag_end + 1;
  word_end = token_end (p, first_end);
  if (!status_from_word (p, (gsize) (word_end - p), &status)
      || (status != MAIL_SETUP_IMAP_STATUS_OK
          && status != MAIL_SETUP_IMAP_STATUS_NO
          && status != MAIL_SETUP_IMAP_STATUS_BAD))
    {
      g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                           "The server sent a tagged response without OK, NO or BAD");
      return FALSE;
    }

  response->status = status;
  p = word_end;
  if (p < end && *p != ' ')
    {
      g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                           "The server sent a status without a space after it");
      return FALSE;
    }
  if (p < end)
    p++;

  parse_response_text (response, p, first_end, end);
  return TRUE;
}

/* Responses complete before the error stay in the queue: they are returned
 * before it. */
static void
reader_fail (MailSetupImapReader *reader,
             GError              *error)
{
  g_clear_error (&reader->error);
  reader->error = error;

  g_byte_array_unref (reader->current);
  reader->current = g_byte_array_new ();
  reader->line_start = 0;
  reader->text_length = 0;
  reader->literal_length = 0;
  reader->literal_remaining = 0;
}

static gsize
reader_take_literal (MailSetupImapReader *reader,
                     const guint8        *bytes,
                     gsize                length)
{
  gsize taken = MIN (length, reader->literal_remaining);

  g_byte_array_append (reader->current, bytes, (guint) taken);
  reader->literal_remaining -= taken;

  return taken;
}

/* Takes bytes up to a line end. The limits are checked before anything is
 * appended, so a hostile line costs nothing beyond max_line_length. */
static gsize
reader_take_line (MailSetupImapReader *reader,
                  const guint8        *bytes,
                  gsize                length)
{
  const guint8 *newline = memchr (bytes, '\n', length);
  gsize taken = newline != NULL ? (gsize) (newline - bytes) + 1 : length;
  gsize buffered = reader->current->len - reader->line_start;
  gsize line_end_length = 0;
  gboolean ends_in_cr;
  const char *line;
  gsize line_length;
  guint64 size = 0;

  if (newline == NULL)
    {
      /* A CR at the very end may be half of a CRLF: not content yet. */
      ends_in_cr = bytes[taken - 1] == '\r';
    }
  else
    {
      line_end_length = 1;
      if (taken >= 2)
        ends_in_cr = bytes[taken - 2] == '\r';
      else
        ends_in_cr = buffered > 0 && reader->current->data[reader->current->len - 1] == '\r';
    }

  if (reader->text_length + taken - line_end_length - ends_in_cr > reader->max_line_length)
    {
      reader_fail (reader, g_error_new (MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_LINE_TOO_LONG,
                                        "The server sent a response longer than %" G_GSIZE_FORMAT
                                        " bytes",
                                        reader->max_line_length));
      return length;
    }

  g_byte_array_append (reader->current, bytes, (guint) taken);
  reader->text_length += taken;

  if (newline == NULL)
    return taken;

  line = (const char *) reader->current->data + reader->line_start;
  line_length = reader->current->len - reader->line_start - 1 - ends_in_cr;

  switch (find_literal_announce (line, line_length,
                                 reader->max_literal_length - reader->literal_length, &size))
    {
    case LITERAL_FOUND:
      reader->literal_length += (gsize) size;
      reader->literal_remaining = (gsize) size;
      reader->line_start = reader->current->len + (gsize) size;
      break;

    case LITERAL_TOO_LARGE:
      reader_fail (reader, g_error_new (MAIL_SETUP_IMAP_ERROR,
                                        MAIL_SETUP_IMAP_ERROR_LITERAL_TOO_LARGE,
                                        "The server announced more than %" G_GSIZE_FORMAT
                                        " bytes of literal data",
                                        reader->max_literal_length));
      return length;

    case LITERAL_NONE:
    default:
      g_queue_push_tail (&reader->complete, g_byte_array_free_to_bytes (reader->current));
      reader->current = g_byte_array_new ();
      reader->line_start = 0;
      reader->text_length = 0;
      reader->literal_length = 0;
      break;
    }

  return taken;
}

static gboolean
needs_literal (const char *value)
{
  for (const guchar *p = (const guchar *) value; *p != '\0'; p++)
    {
      if (*p >= 0x80 || *p == '\r' || *p == '\n')
        return TRUE;
    }

  return FALSE;
}

/* The most bytes append_astring() adds for a value of this length: a quoted
 * string with every byte escaped, or `{` 20 digits `+}`. */
static gsize
astring_bound (gsize length)
{
  return MAX (2 * length + 2, 23);
}

/* Appends a quoted string or a literal header; returns TRUE for a literal.
 * The caller reserves astring_bound() bytes first, so that the GString never
 * moves and leaves no copy of a secret behind. */
static gboolean
append_astring (GString    *out,
                const char *value,
                gboolean    literal_plus)
{
  if (needs_literal (value))
    {
      g_string_append_printf (out, "{%" G_GSIZE_FORMAT "%s}",
                              strlen (value), literal_plus ? "+" : "");
      return TRUE;
    }

  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');

  return FALSE;
}

static gboolean
is_valid_command (const char *command)
{
  if (command[0] == '\0' || command[0] == ' ')
    return FALSE;

  for (const char *p = command; *p != '\0'; p++)
    {
      if (*p != ' ' && !is_atom_char (*p))
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_unsafe_char (gunichar c)
{
  return c == 0x061C || c == 0x200E || c == 0x200F
         || (c >= 0x2028 && c <= 0x202E)
         || (c >= 0x2066 && c <= 0x2069);
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static const char *
skip_blanks (const char *p,
             const char *end)
{
  while (p < end && is_blank (*p))
    p++;

  return p;
}

static const char *
word_end (const char *p,
          const char *end)
{
  while (p < end && !g_ascii_isspace (*p))
    p++;

  return p;
}

static gboolean
is_secret_command (const char *word,
                   const char *end)
{
  return word_equal (word, (gsize) (end - word), "LOGIN")
         || word_equal (word, (gsize) (end - word), "AUTHENTICATE");
}

/* Where the secret part of one command line starts, or NULL. A line that
 * starts with the command word itself, without a tag, counts too. */
static const char *
find_secret (const char *line,
             const char *end)
{
  const char *command = skip_blanks (line, end);
  const char *command_end = word_end (command, end);

  if (!is_secret_command (command, command_end))
    {
      command = skip_blanks (command_end, end);
      command_end = word_end (command, end);
    }

  if (word_equal (command, (gsize) (command_end - command), "LOGIN"))
    return command_end;

  if (word_equal (command, (gsize) (command_end - command), "AUTHENTICATE"))
    {
      const char *mechanism = skip_blanks (command_end, end);

      return word_end (mechanism, end);
    }

  return NULL;
}

MailSetupImapResponse *
mail_setup_imap_response_copy (const MailSetupImapResponse *response)
{
  MailSetupImapResponse *copy;

  g_return_val_if_fail (response != NULL, NULL);

  copy = g_new0 (MailSetupImapResponse, 1);
  copy->kind = response->kind;
  copy->status = response->status;
  copy->tag = g_strdup (response->tag);
  copy->code = g_strdup (response->code);
  copy->code_arguments = g_strdup (response->code_arguments);
  copy->text = g_strdup (response->text);
  copy->keyword = g_strdup (response->keyword);
  copy->number = response->number;
  copy->data = g_strdup (response->data);
  copy->line = g_strdup (response->line);

  return copy;
}

void
mail_setup_imap_response_free (MailSetupImapResponse *response)
{
  if (response == NULL)
    return;

  g_free (response->tag);
  g_free (response->code);
  g_free (response->code_arguments);
  g_free (response->text);
  g_free (response->keyword);
  g_free (response->data);
  g_free (response->line);
  g_free (response);
}

MailSetupImapResponse *
mail_setup_imap_response_parse (const char  *line,
                                gsize        length,
                                GError     **error)
{
  g_autoptr(MailSetupImapResponse) response = NULL;
  const char *first_end;
  const char *end;
  gsize first_length = 0;
  gboolean parsed;

  g_return_val_if_fail (line != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_framing (line, length, &first_length, error))
    return NULL;

  first_end = line + first_length;
  end = line + length;

  response = g_new0 (MailSetupImapResponse, 1);
  response->number = -1;
  response->line = g_strndup (line, length);

  if (line[0] == '+')
    {
      const char *p = line + 1;

      response->kind = MAIL_SETUP_IMAP_RESPONSE_CONTINUATION;
      if (p < end && *p == ' ')
        p++;
      parse_response_text (response, p, first_end, end);
      parsed = TRUE;
    }
  else if (line[0] == '*')
    {
      response->kind = MAIL_SETUP_IMAP_RESPONSE_UNTAGGED;
      if (first_length < 3 || line[1] != ' ')
        {
          g_set_error_literal (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED,
                               "The server sent an empty untagged response");
          return NULL;
        }
      parsed = parse_untagged (response, line + 2, first_end, end, error);
    }
  else
    {
      response->kind = MAIL_SETUP_IMAP_RESPONSE_TAGGED;
      parsed = parse_tagged (response, line, first_end, end, error);
    }

  if (!parsed)
    return NULL;

  return g_steal_pointer (&response);
}

MailSetupImapReader *
mail_setup_imap_reader_new (gsize max_line_length,
                            gsize max_literal_length)
{
  MailSetupImapReader *reader;

  /* The buffer is a GByteArray, whose length is a guint. */
  g_return_val_if_fail (max_line_length > 0, NULL);
  g_return_val_if_fail (max_line_length <= G_MAXINT32, NULL);
  g_return_val_if_fail (max_literal_length <= G_MAXINT32, NULL);

  reader = g_new0 (MailSetupImapReader, 1);
  reader->max_line_length = max_line_length;
  reader->max_literal_length = max_literal_length;
  g_queue_init (&reader->complete);
  reader->current = g_byte_array_new ();

  return reader;
}

void
mail_setup_imap_reader_free (MailSetupImapReader *reader)
{
  if (reader == NULL)
    return;

  g_queue_clear_full (&reader->complete, (GDestroyNotify) g_bytes_unref);
  g_byte_array_unref (reader->current);
  g_clear_error (&reader->error);
  g_free (reader);
}

void
mail_setup_imap_reader_feed (MailSetupImapReader *reader,
                             const char          *data,
                             gsize                length)
{
  const guint8 *bytes = (const guint8 *) data;

  g_return_if_fail (reader != NULL);
  g_return_if_fail (data != NULL || length == 0);

  while (length > 0 && reader->error == NULL)
    {
      gsize taken;

      if (reader->literal_remaining > 0)
        taken = reader_take_literal (reader, bytes, length);
      else
        taken = reader_take_line (reader, bytes, length);

      bytes += taken;
      length -= taken;
    }
}

MailSetupImapResponse *
mail_setup_imap_reader_next (MailSetupImapReader  *reader,
                             GError              **error)
{
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) local_error = NULL;
  MailSetupImapResponse *response;
  const char *data;
  gsize size = 0;

  g_return_val_if_fail (reader != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  raw = g_queue_pop_head (&reader->complete);
  if (raw == NULL)
    {
      if (reader->error != NULL)
        g_propagate_error (error, g_error_copy (reader->error));
      return NULL;
    }

  data = g_bytes_get_data (raw, &size);
  size--;
  if (size > 0 && data[size - 1] == '\r')
    size--;

  response = mail_setup_imap_response_parse (data, size, &local_error);
  if (response == NULL)
    {
      g_propagate_error (error, g_error_copy (local_error));
      reader_fail (reader, g_steal_pointer (&local_error));
      /* Whatever follows a response that is not IMAP is not trusted either. */
      g_queue_clear_full (&reader->complete, (GDestroyNotify) g_bytes_unref);
    }

  return response;
}

gsize
mail_setup_imap_reader_get_buffered_size (MailSetupImapReader *reader)
{
  gsize size;

  g_return_val_if_fail (reader != NULL, 0);

  size = reader->current->len;
  for (GList *l = reader->complete.head; l != NULL; l = l->next)
    size += g_bytes_get_size (l->data);

  return size;
}

gsize
mail_setup_imap_reader_reset (MailSetupImapReader *reader)
{
  gsize dropped;

  g_return_val_if_fail (reader != NULL, 0);

  dropped = mail_setup_imap_reader_get_buffered_size (reader);

  g_queue_clear_full (&reader->complete, (GDestroyNotify) g_bytes_unref);
  g_byte_array_set_size (reader->current, 0);
  reader->line_start = 0;
  reader->text_length = 0;
  reader->literal_length = 0;
  reader->literal_remaining = 0;

  return dropped;
}

char **
mail_setup_imap_parse_capabilities (const char *text)
{
  GPtrArray *caps;
  const char *p = text;

  g_return_val_if_fail (text != NULL, NULL);

  caps = g_ptr_array_new ();
  while (*p != '\0')
    {
      const char *start;

      while (*p != '\0' && g_ascii_isspace (*p))
        p++;

      start = p;
      while (*p != '\0' && !g_ascii_isspace (*p))
        p++;

      /* Whatever is not an atom cannot name a capability we look for. */
      if (is_atom (start, (gsize) (p - start)))
        g_ptr_array_add (caps, g_ascii_strup (start, p - start));
    }
  g_ptr_array_add (caps, NULL);

  return (char **) g_ptr_array_free (caps, FALSE);
}

gboolean
mail_setup_imap_capabilities_has (const char * const *caps,
                                  const char         *name)
{
  g_return_val_if_fail (name != NULL, FALSE);

  if (caps == NULL)
    return FALSE;

  for (gsize i = 0; caps[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (caps[i], name) == 0)
        return TRUE;
    }

  return FALSE;
}

char *
mail_setup_imap_quote_astring (const char *value,
                               gboolean    literal_plus,
                               gboolean   *synchronizing_literal)
{
  GString *out;
  gboolean literal;

  g_return_val_if_fail (value != NULL, NULL);

  out = g_string_sized_new (astring_bound (strlen (value)));
  literal = append_astring (out, value, literal_plus);

  if (synchronizing_literal != NULL)
    *synchronizing_literal = literal && !literal_plus;

  return g_string_free (out, FALSE);
}

GPtrArray *
mail_setup_imap_command_build (const char         *tag,
                               const char         *command,
                               const char * const *arguments,
                               gboolean            literal_plus)
{
  g_autoptr(GPtrArray) parts = NULL;
  GString *out;
  gsize bound;

  g_return_val_if_fail (tag != NULL && is_valid_tag (tag, strlen (tag)), NULL);
  g_return_val_if_fail (command != NULL && is_valid_command (command), NULL);

  bound = strlen (tag) + 1 + strlen (command) + 2;
  for (gsize i = 0; arguments != NULL && arguments[i] != NULL; i++)
    {
      gsize length = strlen (arguments[i]);

      bound += 1 + astring_bound (length) + 2 + length;
    }

  parts = g_ptr_array_new_with_free_func (wipe_string_free);
  out = g_string_sized_new (bound);

  g_string_append (out, tag);
  g_string_append_c (out, ' ');
  g_string_append (out, command);

  for (gsize i = 0; arguments != NULL && arguments[i] != NULL; i++)
    {
      g_string_append_c (out, ' ');
      if (append_astring (out, arguments[i], literal_plus))
        {
          g_string_append (out, "\r\n");
          if (!literal_plus)
            {
              g_ptr_array_add (parts, g_strndup (out->str, out->len));
              gnutls_memset (out->str, 0, out->len);
              g_string_truncate (out, 0);
            }
          g_string_append (out, arguments[i]);
        }
    }

  g_string_append (out, "\r\n");
  g_ptr_array_add (parts, g_strndup (out->str, out->len));
  wipe_gstring_free (out);

  return g_steal_pointer (&parts);
}

char *
mail_setup_imap_sanitize_text (const char *text,
                               gssize      length)
{
  static const char ellipsis[] = "\xe2\x80\xa6";
  GString *out;
  const char *p;
  const char *end;
  gsize chars = 0;
  gsize cut = 0;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (text == NULL)
    return g_strdup ("");

  if (length < 0)
    length = (gssize) strlen (text);

  p = text;
  end = text + length;
  out = g_string_sized_new (MIN ((gsize) length, 4 * MAIL_SETUP_IMAP_SANITIZE_MAX_CHARS) + 8);

  while (p < end)
    {
      gunichar c;
      gsize advance = 1;
      char piece[16];
      gsize piece_chars = 1;

      /* GLib refuses U+0000 as a character; here it is only a control. */
      if (*p == '\0')
        c = 0;
      else
        c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_strlcpy (piece, "\xef\xbf\xbd", sizeof piece);
        }
      else
        {
          if (c != 0)
            advance = (gsize) (g_utf8_next_char (p) - p);

          if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
            {
              g_snprintf (piece, sizeof piece, "\\x%02X", c);
              piece_chars = 4;
            }
          else if (is_unsafe_char (c))
            {
              g_snprintf (piece, sizeof piece, "\\u%04X", c);
              piece_chars = 6;
            }
          else
            {
              memcpy (piece, p, advance);
              piece[advance] = '\0';
            }
        }

      if (chars + piece_chars > MAIL_SETUP_IMAP_SANITIZE_MAX_CHARS)
        {
          g_string_truncate (out, cut);
          g_string_append (out, ellipsis);
          break;
        }

      g_string_append (out, piece);
      chars += piece_chars;
      if (chars < MAIL_SETUP_IMAP_SANITIZE_MAX_CHARS)
        cut = out->len;
      p += advance;
    }

  return g_string_free (out, FALSE);
}

char *
mail_setup_imap_redact_command (const char *line)
{
  const char *end;
  const char *start;

  g_return_val_if_fail (line != NULL, NULL);

  end = line + strlen (line);
  start = line;

  /* Line by line, so that a LOGIN after another command is found too. */
  while (start < end)
    {
      const char *line_end = memchr (start, '\n', (gsize) (end - start));
      const char *secret;

      if (line_end == NULL)
        line_end = end;

      secret = find_secret (start, line_end);
      if (secret != NULL)
        {
          for (const char *p = secret; p < end; p++)
            {
              if (!g_ascii_isspace (*p))
                {
                  GString *redacted = g_string_new_len (line, secret - line);

                  g_string_append (redacted, " <redacted>");
                  return g_string_free (redacted, FALSE);
                }
            }
        }

      start = line_end + 1;
    }

  return g_strdup (line);
}
