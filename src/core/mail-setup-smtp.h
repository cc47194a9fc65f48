/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The SMTP wire format (RFC 5321) as a client reads it, without any I/O: a
 * reader that cuts what a server sends into replies ("250-..." lines up to
 * the "250 ..." that ends them), the enhanced status code of a reply
 * (RFC 3463, "5.7.139") and the EHLO extensions (RFC 1869). Nothing here is
 * thread-safe; a reader belongs to one thread. What a server says is never
 * shown as it is: pass it through mail_setup_imap_sanitize_text() first.
 */

#define MAIL_SETUP_SMTP_ERROR (mail_setup_smtp_error_quark ())

typedef enum
{
  MAIL_SETUP_SMTP_ERROR_LINE_TOO_LONG,
  MAIL_SETUP_SMTP_ERROR_TOO_MANY_LINES,
  MAIL_SETUP_SMTP_ERROR_MALFORMED,
} MailSetupSmtpError;

GQuark mail_setup_smtp_error_quark (void);

/*
 * One reply. All strings are the server's bytes (never a NUL: the reader
 * refuses it).
 *
 * @code: the reply code, 200 to 599 (RFC 5321 allows 2xx to 5xx).
 * @enhanced_code: the enhanced status code that opens the last line's text
 *   ("5.7.139"), or NULL; its class always matches the reply code's.
 * @text: the last line's text after the code and the enhanced code, ""
 *   when there is none.
 * @lines: the text of every line, after "250-" or "250 ", enhanced codes
 *   kept: for EHLO, the greeting and then one extension a line.
 * @shown: the reply as a person reads it: the code and the lines' text,
 *   joined by spaces ("535 5.7.3 Authentication unsuccessful").
 */
typedef struct
{
  guint  code;
  char  *enhanced_code;
  char  *text;
  GStrv  lines;
  char  *shown;
} MailSetupSmtpReply;

void                mail_setup_smtp_reply_free (MailSetupSmtpReply *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailSetupSmtpReply, mail_setup_smtp_reply_free)

/*
 * The reader. Feed it what the connection receives, then call
 * mail_setup_smtp_reader_next() until it returns NULL: it returns each
 * complete reply, NULL without an error when it needs more bytes, or NULL
 * with an error. Lines end in CRLF or a bare LF. Memory stays bounded: a
 * line longer than max_line_length (without its line end) and a reply of
 * more than max_lines lines are errors as soon as they are seen, before the
 * line's end arrives. Errors are sticky; replies that were complete before
 * the bad bytes arrived are returned first.
 *
 * Each line is handed to the caller's LINE_FUNC as it is cut, without its
 * line end, so that a transcript shows what came even when the reply as a
 * whole turns out malformed.
 */
typedef struct _MailSetupSmtpReader MailSetupSmtpReader;

typedef void (*MailSetupSmtpLineFunc) (const char *line,
                                       gsize       length,
                                       gpointer    user_data);

MailSetupSmtpReader *mail_setup_smtp_reader_new               (gsize                  max_line_length,
                                                               guint                  max_lines);
void                 mail_setup_smtp_reader_free              (MailSetupSmtpReader   *reader);
void                 mail_setup_smtp_reader_set_line_func     (MailSetupSmtpReader   *reader,
                                                               MailSetupSmtpLineFunc  func,
                                                               gpointer               user_data);
void                 mail_setup_smtp_reader_feed              (MailSetupSmtpReader   *reader,
                                                               const char            *data,
                                                               gsize                  length);
MailSetupSmtpReply  *mail_setup_smtp_reader_next              (MailSetupSmtpReader   *reader,
                                                               GError               **error);
/* The bytes received and not yet returned as replies. */
gsize                mail_setup_smtp_reader_get_buffered_size (MailSetupSmtpReader   *reader);
/* Drops everything buffered, the lines of an unfinished reply included:
 * after STARTTLS nothing sent before the handshake may be trusted. Returns
 * the number of bytes dropped. */
gsize                mail_setup_smtp_reader_reset             (MailSetupSmtpReader   *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailSetupSmtpReader, mail_setup_smtp_reader_free)

/* Whether TEXT starts with an enhanced status code "C.SSS.DDD" followed by
 * a space or its end; its length in *LENGTH. */
gboolean   mail_setup_smtp_parse_enhanced_code (const char         *text,
                                                gsize              *length);

/* The extensions of an EHLO reply (its lines after the first), each as
 * "KEYWORD params", the keyword upper-cased. Lines that are not an
 * extension (a keyword of letters, digits and '-', printable ASCII
 * parameters) are left out, so that what is kept is safe to show. Never
 * NULL; free with g_strfreev(). */
GStrv      mail_setup_smtp_parse_extensions    (const MailSetupSmtpReply *ehlo);
/* Whether KEYWORD ("STARTTLS") is among EXTENSIONS, which may be NULL. */
gboolean   mail_setup_smtp_extensions_has      (const char * const *extensions,
                                                const char         *keyword);
/* Whether the AUTH extension offers MECHANISM ("PLAIN"), in the standard
 * "AUTH PLAIN LOGIN" or the old "AUTH=PLAIN LOGIN" form. */
gboolean   mail_setup_smtp_extensions_has_auth (const char * const *extensions,
                                                const char         *mechanism);

G_END_DECLS
