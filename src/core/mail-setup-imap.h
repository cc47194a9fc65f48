/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * The IMAP wire format (RFC 3501, RFC 9051), without any I/O: a reader that
 * cuts the bytes a server sends into responses, the parser of one response,
 * quoting of command arguments, and the text helpers for showing what a
 * server said. Nothing here is thread-safe; a reader belongs to one thread.
 */

#define MAIL_SETUP_IMAP_ERROR (mail_setup_imap_error_quark ())

typedef enum
{
  MAIL_SETUP_IMAP_ERROR_LINE_TOO_LONG,
  MAIL_SETUP_IMAP_ERROR_LITERAL_TOO_LARGE,
  MAIL_SETUP_IMAP_ERROR_MALFORMED,
} MailSetupImapError;

GQuark mail_setup_imap_error_quark (void);

typedef enum
{
  MAIL_SETUP_IMAP_RESPONSE_TAGGED,
  MAIL_SETUP_IMAP_RESPONSE_UNTAGGED,
  MAIL_SETUP_IMAP_RESPONSE_CONTINUATION,
} MailSetupImapResponseKind;

typedef enum
{
  MAIL_SETUP_IMAP_STATUS_NONE,
  MAIL_SETUP_IMAP_STATUS_OK,
  MAIL_SETUP_IMAP_STATUS_NO,
  MAIL_SETUP_IMAP_STATUS_BAD,
  MAIL_SETUP_IMAP_STATUS_BYE,
  MAIL_SETUP_IMAP_STATUS_PREAUTH,
} MailSetupImapStatus;

/*
 * One response. All strings are the server's bytes, never shown as they are:
 * pass them through mail_setup_imap_sanitize_text() first. A response never
 * contains a NUL byte (the parser refuses it), so each field is a whole C
 * string.
 *
 * @kind: tagged (`a1 NO ...`), untagged (`* ...`) or continuation (`+ ...`).
 * @status: OK, NO, BAD (tagged or untagged), BYE, PREAUTH (untagged only);
 *   NONE for untagged data (`* CAPABILITY ...`, `* 3 EXISTS`) and for
 *   continuations.
 * @tag: the tag of a tagged response, else NULL.
 * @code: the response code atom that opens the text (`[AUTHENTICATIONFAILED]`),
 *   upper-cased, or NULL. A bracket later in the text is not a code.
 * @code_arguments: what follows the code atom inside the brackets (the list
 *   of `[CAPABILITY ...]`), or NULL when there is nothing.
 * @text: the human text after the code, "" when there is none; set for status
 *   responses and continuations (where it may be base64), NULL for data.
 * @keyword: for untagged data, the upper-cased keyword (CAPABILITY, LIST,
 *   EXISTS, ...), else NULL.
 * @number: the number of `* 3 EXISTS`, or -1.
 * @data: for untagged data, everything after the keyword ("" when nothing),
 *   literals included; else NULL.
 * @line: the whole response as received, literals and their line ends
 *   included, without the final line end.
 */
typedef struct
{
  MailSetupImapResponseKind  kind;
  MailSetupImapStatus        status;
  char                      *tag;
  char                      *code;
  char                      *code_arguments;
  char                      *text;
  char                      *keyword;
  gint64                     number;
  char                      *data;
  char                      *line;
} MailSetupImapResponse;

#define MAIL_SETUP_TYPE_IMAP_RESPONSE (mail_setup_imap_response_get_type ())

GType                  mail_setup_imap_response_get_type (void) G_GNUC_CONST;
MailSetupImapResponse *mail_setup_imap_response_copy     (const MailSetupImapResponse  *response);
void                   mail_setup_imap_response_free     (MailSetupImapResponse        *response);

/* Parses one response without its final line end. Literals inside it keep
 * their `{N}` CRLF header, as the reader hands them over. */
MailSetupImapResponse *mail_setup_imap_response_parse    (const char                   *line,
                                                          gsize                         length,
                                                          GError                      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailSetupImapResponse, mail_setup_imap_response_free)

/*
 * The reader. Feed it what the connection receives, then call
 * mail_setup_imap_reader_next() until it returns NULL: it returns each
 * complete response, NULL without an error when it needs more bytes, or NULL
 * with an error.
 *
 * A line ending in `{N}` or `{N+}` announces a literal of N bytes after the
 * line end; the response goes on with the line after it. Lines end in CRLF
 * or a bare LF. Memory stays bounded: the lines of one response may hold
 * max_line_length bytes in all (line ends between literals count, the final
 * one does not), its literals max_literal_length bytes in all. Going past
 * either is an error at once: an announce too large before any of its bytes,
 * a line too long before its end arrives. Bytes fed after that are dropped.
 *
 * Errors are sticky: once next() has returned an error it returns it again
 * for every later call, reset() included. Responses that were complete before
 * the bad bytes arrived are still returned first.
 */
typedef struct _MailSetupImapReader MailSetupImapReader;

MailSetupImapReader   *mail_setup_imap_reader_new               (gsize                 max_line_length,
                                                                 gsize                 max_literal_length);
void                   mail_setup_imap_reader_free              (MailSetupImapReader  *reader);
void                   mail_setup_imap_reader_feed              (MailSetupImapReader  *reader,
                                                                 const char           *data,
                                                                 gsize                 length);
MailSetupImapResponse *mail_setup_imap_reader_next              (MailSetupImapReader  *reader,
                                                                 GError              **error);
/* The bytes received and not yet returned as responses. */
gsize                  mail_setup_imap_reader_get_buffered_size (MailSetupImapReader  *reader);
/* Drops everything buffered, complete responses included: after STARTTLS,
 * nothing the server sent before the handshake may be trusted. Returns the
 * number of bytes dropped; more than zero there means the server (or someone
 * in between) sent data it should not have. */
gsize                  mail_setup_imap_reader_reset             (MailSetupImapReader  *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailSetupImapReader, mail_setup_imap_reader_free)

/* Splits a capability list (the data of `* CAPABILITY` or the arguments of
 * `[CAPABILITY ...]`) into upper-cased atoms. Tokens that are not atoms are
 * left out. Never NULL; free with g_strfreev(). */
char     **mail_setup_imap_parse_capabilities (const char         *text);
/* Case-insensitive; caps may be NULL (no capabilities known). */
gboolean   mail_setup_imap_capabilities_has   (const char * const *caps,
                                               const char         *name);

/*
 * Quoting of astrings (a user name, a password).
 *
 * mail_setup_imap_quote_astring() returns either a quoted string (it starts
 * with `"`), for a 7-bit value without CR or LF, or else a literal header (it
 * starts with `{`): `{N}`, or `{N+}` when literal_plus is TRUE because the
 * server announced LITERAL+. After a literal header the caller sends CRLF and
 * then the N bytes of the value; when *synchronizing_literal comes back TRUE
 * it must wait for a continuation request (`+`) between the two.
 *
 * mail_setup_imap_command_build() does all of that for a whole command:
 * `TAG COMMAND ARG...` CRLF, each argument an astring. It returns the bytes
 * to send as NUL-terminated parts: send each part, and after every part but
 * the last wait for a continuation request before sending the next one (a
 * tagged NO or BAD instead means the command was refused). Without a
 * synchronizing literal there is one part. For `a1 LOGIN Grüße pw` with no
 * LITERAL+: "a1 LOGIN {7}\r\n", then "Grüße \"pw\"\r\n".
 *
 * SECRETS: the string returned by mail_setup_imap_quote_astring() may hold
 * the value itself: wipe it before freeing it (gnutls_memset). The parts of
 * mail_setup_imap_command_build() hold the arguments; the array wipes them
 * when it frees them, so the caller must not steal them. Temporary buffers
 * are wiped inside.
 */
char      *mail_setup_imap_quote_astring  (const char         *value,
                                           gboolean            literal_plus,
                                           gboolean           *synchronizing_literal);
GPtrArray *mail_setup_imap_command_build  (const char         *tag,
                                           const char         *command,
                                           const char * const *arguments,
                                           gboolean            literal_plus);

/* The longest result of mail_setup_imap_sanitize_text(), in characters,
 * ellipsis included. */
#define MAIL_SETUP_IMAP_SANITIZE_MAX_CHARS 500

/* Makes server text safe to show: valid UTF-8 (each invalid byte becomes
 * U+FFFD), control characters (C0, DEL, C1) written as `\xNN`, bidirectional
 * overrides and line separators as `\uNNNN`, cut with an ellipsis to
 * MAIL_SETUP_IMAP_SANITIZE_MAX_CHARS characters. length -1 means up to the
 * NUL. */
char      *mail_setup_imap_sanitize_text  (const char         *text,
                                           gssize              length);

/* For a log or report of what was sent: a LOGIN keeps its tag and the word
 * LOGIN, its arguments become `<redacted>`; an AUTHENTICATE keeps its
 * mechanism, its initial response becomes `<redacted>`. The command word is
 * matched case-insensitively. Anything else comes back as it is, so what
 * the client sends after a continuation request (literal bytes, SASL
 * responses) must never be passed here: it cannot be recognized. */
char      *mail_setup_imap_redact_command (const char         *line);

G_END_DECLS
