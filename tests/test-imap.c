/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "mail-setup-imap.h"

#define KiB 1024
#define MiB (1024 * 1024)

static MailSetupImapResponse *
parse (const char *line)
{
  g_autoptr(GError) error = NULL;
  MailSetupImapResponse *response;

  response = mail_setup_imap_response_parse (line, strlen (line), &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);
  g_assert_cmpstr (response->line, ==, line);

  return response;
}

static void
assert_malformed (const char *line,
                  gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MailSetupImapResponse) response = NULL;

  response = mail_setup_imap_response_parse (line, length, &error);
  g_assert_error (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_MALFORMED);
  g_assert_null (response);
}

static void
feed_string (MailSetupImapReader *reader,
             const char          *data)
{
  mail_setup_imap_reader_feed (reader, data, strlen (data));
}

static MailSetupImapResponse *
next_response (MailSetupImapReader *reader)
{
  g_autoptr(GError) error = NULL;
  MailSetupImapResponse *response;

  response = mail_setup_imap_reader_next (reader, &error);
  g_assert_no_error (error);
  g_assert_nonnull (response);

  return response;
}

static void
assert_needs_more (MailSetupImapReader *reader)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MailSetupImapResponse) response = NULL;

  response = mail_setup_imap_reader_next (reader, &error);
  g_assert_no_error (error);
  g_assert_null (response);
}

static void
assert_reader_error (MailSetupImapReader *reader,
                     int                  code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MailSetupImapResponse) response = NULL;

  response = mail_setup_imap_reader_next (reader, &error);
  g_assert_error (error, MAIL_SETUP_IMAP_ERROR, code);
  g_assert_null (response);
}

static gboolean
has_control_characters (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
        return TRUE;
    }

  return FALSE;
}

static void
test_parse_tagged (void)
{
  g_autoptr(MailSetupImapResponse) ok = parse ("a1 OK LOGIN completed.");
  g_autoptr(MailSetupImapResponse) no = parse ("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
  g_autoptr(MailSetupImapResponse) bad = parse ("x.7 BAD [UNAVAILABLE] Try again later");
  g_autoptr(MailSetupImapResponse) caps = parse ("a0 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Logged in");
  g_autoptr(MailSetupImapResponse) lower = parse ("a3 ok [authenticationfailed] nope");
  g_autoptr(MailSetupImapResponse) bare = parse ("a4 OK");
  g_autoptr(MailSetupImapResponse) alert = parse ("a5 NO [ALERT] Mailbox is full");

  g_assert_cmpint (ok->kind, ==, MAIL_SETUP_IMAP_RESPONSE_TAGGED);
  g_assert_cmpstr (ok->tag, ==, "a1");
  g_assert_cmpint (ok->status, ==, MAIL_SETUP_IMAP_STATUS_OK);
  g_assert_null (ok->code);
  g_assert_null (ok->code_arguments);
  g_assert_cmpstr (ok->text, ==, "LOGIN completed.");
  g_assert_null (ok->keyword);
  g_assert_null (ok->data);
  g_assert_cmpint (ok->number, ==, -1);

  g_assert_cmpint (no->status, ==, MAIL_SETUP_IMAP_STATUS_NO);
  g_assert_cmpstr (no->code, ==, "AUTHENTICATIONFAILED");
  g_assert_null (no->code_arguments);
  g_assert_cmpstr (no->text, ==, "Authentication failed.");

  g_assert_cmpstr (bad->tag, ==, "x.7");
  g_assert_cmpint (bad->status, ==, MAIL_SETUP_IMAP_STATUS_BAD);
  g_assert_cmpstr (bad->code, ==, "UNAVAILABLE");
  g_assert_cmpstr (bad->text, ==, "Try again later");

  g_assert_cmpstr (caps->code, ==, "CAPABILITY");
  g_assert_cmpstr (caps->code_arguments, ==, "IMAP4rev1 AUTH=PLAIN");
  g_assert_cmpstr (caps->text, ==, "Logged in");

  g_assert_cmpint (lower->status, ==, MAIL_SETUP_IMAP_STATUS_OK);
  g_assert_cmpstr (lower->code, ==, "AUTHENTICATIONFAILED");

  g_assert_cmpint (bare->status, ==, MAIL_SETUP_IMAP_STATUS_OK);
  g_assert_cmpstr (bare->text, ==, "");

  g_assert_cmpstr (alert->code, ==, "ALERT");
  g_assert_null (alert->code_arguments);
  g_assert_cmpstr (alert->text, ==, "Mailbox is full");
}

static void
test_parse_microsoft (void)
{
  g_autoptr(MailSetupImapResponse) greeting =
    parse ("* OK The Microsoft Exchange IMAP4 service is ready. "
           "[UABSADMAUAAyADIAMQBDAEEAMAAwADEANgAuAG4AYQBtAHAAcgBkADIAMgAuAHAAcgBvAGQA]");
  g_autoptr(MailSetupImapResponse) capability =
    parse ("* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT "
           "CHILDREN IDLE NAMESPACE LITERAL+");
  g_autoptr(MailSetupImapResponse) failed = parse ("a1 NO AUTHENTICATE failed.");
  g_autoptr(MailSetupImapResponse) blocked =
    parse ("a1 NO [AUTHENTICATIONFAILED] AuthFailed:LogonDenied-BasicAuthBlocked");
  g_autoptr(MailSetupImapResponse) not_connected = parse ("a2 BAD User is authenticated but not connected.");
  g_autoptr(MailSetupImapResponse) bye = parse ("* BYE Connection closed. 14");
  g_auto(GStrv) caps = NULL;

  /* The bracket at the end is base64 of the back-end host, not a response
   * code: a code opens the text. */
  g_assert_cmpint (greeting->kind, ==, MAIL_SETUP_IMAP_RESPONSE_UNTAGGED);
  g_assert_cmpint (greeting->status, ==, MAIL_SETUP_IMAP_STATUS_OK);
  g_assert_null (greeting->tag);
  g_assert_null (greeting->code);
  g_assert_true (g_str_has_prefix (greeting->text, "The Microsoft Exchange IMAP4 service is ready. [UABS"));
  g_assert_true (g_str_has_suffix (greeting->text, "]"));

  g_assert_cmpint (capability->status, ==, MAIL_SETUP_IMAP_STATUS_NONE);
  g_assert_cmpstr (capability->keyword, ==, "CAPABILITY");
  caps = mail_setup_imap_parse_capabilities (capability->data);
  g_assert_cmpuint (g_strv_length (caps), ==, 12);
  g_assert_true (mail_setup_imap_capabilities_has ((const char * const *) caps, "AUTH=XOAUTH2"));
  g_assert_true (mail_setup_imap_capabilities_has ((const char * const *) caps, "literal+"));
  g_assert_false (mail_setup_imap_capabilities_has ((const char * const *) caps, "STARTTLS"));

  g_assert_cmpstr (failed->tag, ==, "a1");
  g_assert_cmpint (failed->status, ==, MAIL_SETUP_IMAP_STATUS_NO);
  g_assert_null (failed->code);
  g_assert_cmpstr (failed->text, ==, "AUTHENTICATE failed.");

  g_assert_cmpint (blocked->status, ==, MAIL_SETUP_IMAP_STATUS_NO);
  g_assert_cmpstr (blocked->code, ==, "AUTHENTICATIONFAILED");
  g_assert_cmpstr (blocked->text, ==, "AuthFailed:LogonDenied-BasicAuthBlocked");

  g_assert_cmpstr (not_connected->tag, ==, "a2");
  g_assert_cmpint (not_connected->status, ==, MAIL_SETUP_IMAP_STATUS_BAD);
  g_assert_cmpstr (not_connected->text, ==, "User is authenticated but not connected.");

  g_assert_cmpint (bye->kind, ==, MAIL_SETUP_IMAP_RESPONSE_UNTAGGED);
  g_assert_cmpint (bye->status, ==, MAIL_SETUP_IMAP_STATUS_BYE);
  g_assert_cmpstr (bye->text, ==, "Connection closed. 14");
}

static void
test_parse_untagged (void)
{
  g_autoptr(MailSetupImapResponse) exists = parse ("* 3 EXISTS");
  g_autoptr(MailSetupImapResponse) fetch = parse ("* 12 fetch (FLAGS (\\Seen))");
  g_autoptr(MailSetupImapResponse) list = parse ("* LIST (\\HasNoChildren) \"/\" INBOX");
  g_autoptr(MailSetupImapResponse) lower = parse ("* capability imap4rev1 starttls logindisabled");
  g_autoptr(MailSetupImapResponse) search = parse ("* SEARCH");
  g_autoptr(MailSetupImapResponse) preauth = parse ("* PREAUTH [CAPABILITY IMAP4rev1] Welcome back");
  g_autoptr(MailSetupImapResponse) no = parse ("* no [UNAVAILABLE] Backend down");
  g_auto(GStrv) caps = NULL;

  g_assert_cmpint (exists->kind, ==, MAIL_SETUP_IMAP_RESPONSE_UNTAGGED);
  g_assert_cmpint (exists->status, ==, MAIL_SETUP_IMAP_STATUS_NONE);
  g_assert_cmpint (exists->number, ==, 3);
  g_assert_cmpstr (exists->keyword, ==, "EXISTS");
  g_assert_cmpstr (exists->data, ==, "");
  g_assert_null (exists->text);

  g_assert_cmpint (fetch->number, ==, 12);
  g_assert_cmpstr (fetch->keyword, ==, "FETCH");
  g_assert_cmpstr (fetch->data, ==, "(FLAGS (\\Seen))");

  g_assert_cmpint (list->number, ==, -1);
  g_assert_cmpstr (list->keyword, ==, "LIST");
  g_assert_cmpstr (list->data, ==, "(\\HasNoChildren) \"/\" INBOX");

  g_assert_cmpstr (lower->keyword, ==, "CAPABILITY");
  caps = mail_setup_imap_parse_capabilities (lower->data);
  g_assert_cmpstrv (caps, ((const char * const[]) { "IMAP4REV1", "STARTTLS", "LOGINDISABLED", NULL }));

  g_assert_cmpstr (search->keyword, ==, "SEARCH");
  g_assert_cmpstr (search->data, ==, "");

  g_assert_cmpint (preauth->status, ==, MAIL_SETUP_IMAP_STATUS_PREAUTH);
  g_assert_cmpstr (preauth->code, ==, "CAPABILITY");
  g_assert_cmpstr (preauth->code_arguments, ==, "IMAP4rev1");
  g_assert_cmpstr (preauth->text, ==, "Welcome back");

  g_assert_cmpint (no->status, ==, MAIL_SETUP_IMAP_STATUS_NO);
  g_assert_cmpstr (no->code, ==, "UNAVAILABLE");
  g_assert_cmpstr (no->text, ==, "Backend down");
}

static void
test_parse_continuation (void)
{
  g_autoptr(MailSetupImapResponse) empty = parse ("+ ");
  g_autoptr(MailSetupImapResponse) bare = parse ("+");
  g_autoptr(MailSetupImapResponse) challenge = parse ("+ eyJzdGF0dXMiOiI0MDEifQ==");
  g_autoptr(MailSetupImapResponse) ready = parse ("+ Ready for literal data");

  g_assert_cmpint (empty->kind, ==, MAIL_SETUP_IMAP_RESPONSE_CONTINUATION);
  g_assert_cmpint (empty->status, ==, MAIL_SETUP_IMAP_STATUS_NONE);
  g_assert_null (empty->tag);
  g_assert_cmpstr (empty->text, ==, "");

  g_assert_cmpint (bare->kind, ==, MAIL_SETUP_IMAP_RESPONSE_CONTINUATION);
  g_assert_cmpstr (bare->text, ==, "");

  g_assert_cmpint (challenge->kind, ==, MAIL_SETUP_IMAP_RESPONSE_CONTINUATION);
  g_assert_cmpstr (challenge->text, ==, "eyJzdGF0dXMiOiI0MDEifQ==");

  g_assert_cmpstr (ready->text, ==, "Ready for literal data");
}

static void
test_parse_malformed (void)
{
  static const char *const lines[] = {
    "",
    "a1",
    "a1 ",
    "a1 HELLO world",
    "a1 BYE tagged bye",
    "a1 OKAY",
    "a(1 OK",
    "a+1 OK",
    "*",
    "* ",
    "*  OK",
    "*OK",
    "* 3",
    "* 3 ",
    "* 3x EXISTS",
    "* 99999999999999999999 EXISTS",
    "* (LIST)",
    " a1 OK",
    "a1 OK done\r\nmore",
    "a1 OK done\n",
    "* LIST () \"/\" {6}\r\nINBOX",
    "* LIST () \"/\" {99999999999999999999}\r\nINBOX",
  };
  static const char with_nul[] = "a1 OK do\0ne";

  for (gsize i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autofree char *escaped = g_strescape (lines[i], NULL);

      g_test_message ("line %" G_GSIZE_FORMAT ": %s", i, escaped);
      assert_malformed (lines[i], strlen (lines[i]));
    }

  assert_malformed (with_nul, sizeof with_nul - 1);
}

static void
test_response_copy (void)
{
  g_autoptr(MailSetupImapResponse) response = parse ("a1 NO [AUTHENTICATIONFAILED] Invalid credentials");
  g_autoptr(MailSetupImapResponse) copy = g_boxed_copy (MAIL_SETUP_TYPE_IMAP_RESPONSE, response);

  g_assert_true (copy != response);
  g_assert_cmpint (copy->kind, ==, MAIL_SETUP_IMAP_RESPONSE_TAGGED);
  g_assert_cmpint (copy->status, ==, MAIL_SETUP_IMAP_STATUS_NO);
  g_assert_cmpstr (copy->tag, ==, "a1");
  g_assert_cmpstr (copy->code, ==, "AUTHENTICATIONFAILED");
  g_assert_cmpstr (copy->text, ==, "Invalid credentials");
  g_assert_cmpstr (copy->line, ==, response->line);
}

static void
test_reader_byte_by_byte (void)
{
  static const char stream[] = "* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n"
                               "* LIST () \"/\" {5}\r\nINBOX\r\n"
                               "a1 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n";
  g_autoptr(MailSetupImapReader) reader = mail_setup_imap_reader_new (1024, 1024);
  g_autoptr(GPtrArray) responses = g_ptr_array_new_with_free_func ((GDestroyNotify) mail_setup_imap_response_free);
  MailSetupImapResponse *response;

  for (gsize i = 0; i < sizeof stream - 1; i++)
    {
      g_autoptr(GError) error = NULL;

      mail_setup_imap_reader_feed (reader, stream + i, 1);
      response = mail_setup_imap_reader_next (reader, &error);
      g_assert_no_error (error);

      /* A response comes exactly when its last line end arrives. */
      if (stream[i] == '\n' && stream[i - 2] != '}')
        {
          g_assert_nonnull (response);
          g_ptr_array_add (responses, response);
        }
      else
        g_assert_null (response);
    }

  g_assert_cmpuint (responses->len, ==, 3);

  response = g_ptr_array_index (responses, 0);
  g_assert_cmpint (response->status, ==, MAIL_SETUP_IMAP_STATUS_OK);
  g_assert_cmpstr (response->code, ==, "CAPABILITY");
  g_assert_cmpstr (response->text, ==, "ready");

  response = g_ptr_array_index (responses, 1);
  g_assert_cmpstr (response->keyword, ==, "LIST");
  g_assert_cmpstr (response->data, ==, "() \"/\" {5}\r\nINBOX");

  response = g_ptr_array_index (responses, 2);
  g_assert_cmpstr (response->tag, ==, "a1");
  g_assert_cmpint (response->status, ==, MAIL_SETUP_IMAP_STATUS_NO);
  g_assert_cmpstr (response->code, ==, "AUTHENTICATIONFAILED");

  g_assert_cmpuint (mail_setup_imap_reader_get_buffered_size (reader), ==, 0);
}

static void
test_reader_several_in_one_feed (void)
{
  g_autoptr(MailSetupImapReader) reader = mail_setup_imap_reader_new (1024, 1024);
  g_autoptr(MailSetupImapResponse) first = NULL;
  g_autoptr(MailSetupImapResponse) second = NULL;
  g_autoptr(MailSetupImapResponse) third = NULL;
  g_autoptr(MailSetupImapResponse) fourth = NULL;

  feed_string (reader, "* OK hello\r\n* 3 EXISTS\na2 BAD User is authenticated but not connected.\r\n"
                       "* BYE Connection closed. 14\r\na3 OK par");

  first = next_response (reader);
  second = next_response (reader);
  third = next_response (reader);
  fourth = next_response (reader);
  assert_needs_more (reader);

  g_assert_cmpstr (first->line, ==, "* OK hello");
  g_assert_cmpstr (first->text, ==, "hello");
  /* A bare LF ends a line too. */
  g_assert_cmpstr (second->line, ==, "* 3 EXISTS");
  g_assert_cmpint (second->number, ==, 3);
  g_assert_cmpint (third->status, ==, MAIL_SETUP_IMAP_STATUS_BAD);
  g_assert_cmpstr (third->text, ==, "User is authenticated but not connected.");
  g_assert_cmpint (fourth->status, ==, MAIL_SETUP_IMAP_STATUS_BYE);
  g_assert_cmpuint (mail_setup_imap_reader_get_buffered_size (reader), ==, strlen ("a3 OK par"));

  g_clear_pointer (&first, mail_setup_imap_response_free);
  feed_string (reader, "tial\r\n");
  first = next_response (reader);
  g_assert_cmpstr (first->text, ==, "partial");
}

static void
test_reader_literal (void)
{
  g_autoptr(MailSetupImapReader) reader = mail_setup_imap_reader_new (1024, 1024);
  g_autoptr(MailSetupImapResponse) list = NULL;
  g_autoptr(MailSetupImapResponse) tricky = NULL;
  g_autoptr(MailSetupImapResponse) plus = NULL;
  g_autoptr(MailSetupImapResponse) two = NULL;
  g_autoptr(MailSetupImapResponse) empty = NULL;

  feed_string (reader, "* LIST () \"/\" {5}\r\nINBOX\r\n");
  list = next_response (reader);
  g_assert_cmpstr (list->keyword, ==, "LIST");
  g_assert_cmpstr (list->data, ==, "() \"/\" {5}\r\nINBOX");
  g_assert_cmpstr (list->line, ==, "* LIST () \"/\" {5}\r\nINBOX");

  /* Line ends and announces inside a literal are its bytes, nothing more. */
  feed_string (reader, "* LIST () \"/\" {7}\r\nab\r\n{1}\r\n");
  tricky = next_response (reader);
  g_assert_cmpstr (tricky->data, ==, "() \"/\" {7}\r\nab\r\n{1}");

  feed_string (reader, "* LIST () \"/\" {3+}\nbox\r\n");
  plus = next_response (reader);
  g_assert_cmpstr (plus->data, ==, "() \"/\" {3+}\nbox");

  feed_string (reader, "* 1 FETCH (BODY[1] {2}\r\nhi BODY[2] {3}\r\nyou)\r\n");
  two = next_response (reader);
  g_assert_cmpint (two->number, ==, 1);
  g_assert_cmpstr (two->data, ==, "(BODY[1] {2}\r\nhi BODY[2] {3}\r\nyou)");

  feed_string (reader, "* LIST () \"/\" {0}\r\n\r\n");
  empty = next_response (reader);
  g_assert_cmpstr (empty->data, ==, "() \"/\" {0}\r\n");

  assert_needs_more (reader);
}

static void
test_reader_literal_over_limit (void)
{
  g_autoptr(MailSetupImapReader) exact = mail_setup_imap_reader_new (1024, 16);
  g_autoptr(MailSetupImapReader) over = mail_setup_imap_reader_new (1024, 16);
  g_autoptr(MailSetupImapReader) summed = mail_setup_imap_reader_new (1024, 16);
  g_autoptr(MailSetupImapResponse) response = NULL;

  feed_string (exact, "* LIST () \"/\" {16}\r\n0123456789abcdef\r\n");
  response = next_response (exact);
  g_assert_cmpstr (response->data, ==, "() \"/\" {16}\r\n0123456789abcdef");

  /* The error comes with the announce, before a single byte of the literal. */
  feed_string (over, "* OK first\r\n* LIST () \"/\" {17}\r\n");
  g_clear_pointer (&response, mail_setup_imap_response_free);
  response = next_response (over);
  g_assert_cmpstr (response->text, ==, "first");
  assert_reader_error (over, MAIL_SETUP_IMAP_ERROR_LITERAL_TOO_LARGE);
  g_assert_cmpuint (mail_setup_imap_reader_get_buffered_size (over), ==, 0);

  /* The limit holds for all the literals of one response. */
  feed_string (summed, "* 1 FETCH (A {10}\r\n0123456789 B {7}\r\n");
  assert_reader_error (summed, MAIL_SETUP_IMAP_ERROR_LITERAL_TOO_LARGE);
}

static void
test_reader_literal_huge (void)
{
  static const char *const announces[] = {
    "* LIST () \"/\" {4294967295}\r\n",
    "* LIST () \"/\" {4294967296+}\r\n",
    "* LIST () \"/\" {18446744073709551615}\r\n",
    "* LIST () \"/\" {99999999999999999999}\r\n",
    "* LIST () \"/\" {999999999999999999999999999999999999999999}\r\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (announces); i++)
    {
      g_autoptr(MailSetupImapReader) reader = mail_setup_imap_reader_new (64 * KiB, 1 * MiB);

      feed_string (reader, announces[i]);
      assert_reader_error (reader, MAIL_SETUP_IMAP_ERROR_LITERAL_TOO_LARGE);
      g_assert_cmpuint (mail_setup_imap_reader_get_buffered_size (reader), ==, 0);
    }
}

static void
test_reader_line_too_long (void)
{
  g_autoptr(MailSetupImapReader) reader = mail_setup_imap_reader_new (1 * MiB, 1 * MiB);
  g_autofree char *chunk = g_malloc (64 * KiB);
  gsize fed = 0;
  gboolean failed = FALSE;

  memset (chunk, 'A', 64 * KiB);

  while (fed < 8 * MiB)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MailSetupImapResponse) response = NULL;

      mail_setup_imap_reader_feed (reader, chunk, 64 * KiB);
      fed += 64 * KiB;

      g_assert_cmpuint (mail_setup_imap_reader_get_buffered_size (reader), <=, 1 * MiB);

      response = mail_setup_imap_reader_next (reader, &error);
      g_assert_null (response);
      if (fed <= 1 * MiB)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (mail_setup_imap_reader_get_buffered_size (reader), ==, fed);
        }
      else
        {
          /* At the first chunk past the limit, and from then on. */
          g_assert_error (error, MAIL_SETUP_IMAP_ERROR, MAIL_SETUP_IMAP_ERROR_LINE_TOO_LONG);
          g_assert_cmpuint (mail_setup_imap_reader_get_buffered_size (reader), ==, 0);
          failed = TRUE;
        }
    }

  g_assert_true (failed);

  /* Even a good line after it does not bring the reader back. */
  feed_string (reader, "\r\na1 OK fine\r\n");
  assert_reader_error (reader, MAIL_SETUP_IMAP_ERROR_LINE_TOO_LONG);
  g_assert_cmpuint (mail_setup_imap_reader_reset (reader), ==, 0);
  assert_reader_error (reader, MAIL_SETUP_IMAP_ERROR_LINE_TOO_LONG);
}

static void
test_reader_line_too_long_in_one_feed (void)
{
  g_autoptr(MailSetupImapReader) reader = mail_setup_imap_reader_new (1 * MiB, 1 * MiB);
  gsize size = 8 * MiB;
  g_autofree char *line = g_malloc (size);

  /* Even with its line end in the same feed, the line is refused whole. */
  memset (line, 'A', size);
  line[size - 2] = '\r';
  line[size - 1] = '\n';
  mail_setup_imap_reader_feed (reader, line, size);
  g_assert_cmpuint (mail_setup_imap_reader_get_buffered_size (reader), ==, 0);
  assert_reader_error (reader, MAIL_SETUP_IMAP_ERROR_LINE_TOO_LONG);
}

static void
test_reader_line_limit_boundary (void)
{
  g_autoptr(MailSetupImapReader) exact = mail_setup_imap_reader_new (10, 0);
  g_autoptr(MailSetupImapReader) over = mail_setup_imap_reader_new (10, 0);
  g_autoptr(MailSetupImapResponse) response = NULL;

  /* Ten bytes of line; the CRLF, even split, is not part of it. */
  feed_string (exact, "a1 OK 1234\r");
  assert_needs_more (exact);
  feed_string (exact, "\n");
  response = next_response (exact);
  g_assert_cmpstr (response->text, ==, "1234");

  feed_string (over, "a1 OK 12345");
  assert_reader_error (over, MAIL_SETUP_IMAP_ERROR_LINE_TOO_LONG);
}

static void
test_reader_malformed (void)
{
  g_autoptr(MailSetupImapReader) reader = mail_setup_imap_reader_new (1024, 1024);
  g_autoptr(MailSetupImapResponse) response = NULL;

  feed_string (reader, "* OK hello\r\nHTTP/1.1 400 Bad Request\r\na1 OK fine\r\n");
  response = next_response (reader);
  g_assert_cmpstr (response->text, ==, "hello");
  assert_reader_error (reader, MAIL_SETUP_IMAP_ERROR_MALFORMED);
  /* What came after the bad line is not trusted either. */
  assert_reader_error (reader, MAIL_SETUP_IMAP_ERROR_MALFORMED);
}

static void
test_reader_reset (void)
{
  g_autoptr(MailSetupImapReader) reader = mail_setup_imap_reader_new (1024, 1024);
  g_autoptr(MailSetupImapResponse) response = NULL;
  static const char injected[] = "a2 OK injected before the handshake\r\n* LIST () \"/\" {5}\r\nIN";

  g_assert_cmpuint (mail_setup_imap_reader_reset (reader), ==, 0);

  feed_string (reader, injected);
  g_assert_cmpuint (mail_setup_imap_reader_reset (reader), ==, strlen (injected));
  assert_needs_more (reader);
  g_assert_cmpuint (mail_setup_imap_reader_get_buffered_size (reader), ==, 0);

  /* The literal left half-read before the reset must not swallow new bytes. */
  feed_string (reader, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] TLS on\r\n");
  response = next_response (reader);
  g_assert_cmpstr (response->code, ==, "CAPABILITY");
  g_assert_cmpstr (response->text, ==, "TLS on");
}

static void
test_sanitize (void)
{
  static const char with_nul[] = "a\0b";
  g_autofree char *invalid = mail_setup_imap_sanitize_text ("NO \xff\xfe bad \xc3 end \xe2\x82", -1);
  g_autofree char *controls = mail_setup_imap_sanitize_text ("\x1b[31mred\x07\tand\r\n\x7f", -1);
  g_autofree char *c1 = mail_setup_imap_sanitize_text ("next\xc2\x85line", -1);
  g_autofree char *bidi = mail_setup_imap_sanitize_text ("user\xe2\x80\xae" "gpj.exe", -1);
  g_autofree char *nul = mail_setup_imap_sanitize_text (with_nul, sizeof with_nul - 1);
  g_autofree char *german = mail_setup_imap_sanitize_text ("Grüße, Zoë", -1);
  g_autofree char *counted = mail_setup_imap_sanitize_text ("abc\xff" "def", 4);
  g_autoptr(GString) long_text = g_string_new (NULL);
  g_autofree char *cut = NULL;
  g_autofree char *escaped_cut = NULL;
  g_autofree char *fits = NULL;

  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  g_assert_cmpstr (invalid, ==, "NO \xef\xbf\xbd\xef\xbf\xbd bad \xef\xbf\xbd end \xef\xbf\xbd\xef\xbf\xbd");

  g_assert_cmpstr (controls, ==, "\\x1B[31mred\\x07\\x09and\\x0D\\x0A\\x7F");
  g_assert_false (has_control_characters (controls));

  g_assert_cmpstr (c1, ==, "next\\x85line");
  g_assert_cmpstr (bidi, ==, "user\\u202Egpj.exe");
  g_assert_cmpstr (nul, ==, "a\\x00b");
  g_assert_cmpstr (german, ==, "Grüße, Zoë");
  g_assert_cmpstr (counted, ==, "abc\xef\xbf\xbd");

  for (int i = 0; i < 200; i++)
    g_string_append (long_text, "ü\x01\xff");
  cut = mail_setup_imap_sanitize_text (long_text->str, -1);
  g_assert_true (g_utf8_validate (cut, -1, NULL));
  g_assert_false (has_control_characters (cut));
  g_assert_cmpuint (g_utf8_strlen (cut, -1), <=, MAIL_SETUP_IMAP_SANITIZE_MAX_CHARS);
  g_assert_true (g_str_has_suffix (cut, "…"));

  g_string_truncate (long_text, 0);
  for (int i = 0; i < 10000; i++)
    g_string_append_c (long_text, '\x02');
  escaped_cut = mail_setup_imap_sanitize_text (long_text->str, -1);
  /* 124 whole escapes and the ellipsis: an escape is never cut in half. */
  g_assert_cmpuint (g_utf8_strlen (escaped_cut, -1), ==, 124 * 4 + 1);
  g_assert_true (g_str_has_suffix (escaped_cut, "\\x02…"));

  g_string_truncate (long_text, 0);
  for (int i = 0; i < MAIL_SETUP_IMAP_SANITIZE_MAX_CHARS; i++)
    g_string_append (long_text, "é");
  fits = mail_setup_imap_sanitize_text (long_text->str, -1);
  g_assert_cmpstr (fits, ==, long_text->str);
}

static void
test_capabilities (void)
{
  g_auto(GStrv) caps = mail_setup_imap_parse_capabilities ("  IMAP4rev1\tSASL-IR auth=plain (bad) \"x\" AUTH=XOAUTH2  ");
  g_auto(GStrv) none = mail_setup_imap_parse_capabilities ("");

  g_assert_cmpstrv (caps, ((const char * const[]) { "IMAP4REV1", "SASL-IR", "AUTH=PLAIN", "AUTH=XOAUTH2", NULL }));
  g_assert_true (mail_setup_imap_capabilities_has ((const char * const *) caps, "Auth=Plain"));
  g_assert_true (mail_setup_imap_capabilities_has ((const char * const *) caps, "sasl-ir"));
  g_assert_false (mail_setup_imap_capabilities_has ((const char * const *) caps, "AUTH"));
  g_assert_false (mail_setup_imap_capabilities_has ((const char * const *) caps, "LOGINDISABLED"));

  g_assert_nonnull (none);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_false (mail_setup_imap_capabilities_has (NULL, "IMAP4REV1"));
}

static void
assert_quoted (const char *value,
               const char *expected)
{
  g_autofree char *quoted = NULL;
  gboolean synchronizing = TRUE;

  quoted = mail_setup_imap_quote_astring (value, FALSE, &synchronizing);
  g_assert_cmpstr (quoted, ==, expected);
  g_assert_false (synchronizing);
}

static void
test_quote (void)
{
  g_autofree char *literal = NULL;
  g_autofree char *literal_plus = NULL;
  g_autofree char *line_break = NULL;
  gboolean synchronizing = FALSE;

  assert_quoted ("user@example.com", "\"user@example.com\"");
  assert_quoted ("pa\"ss\\word", "\"pa\\\"ss\\\\word\"");
  assert_quoted ("a{5} b%c*(d)", "\"a{5} b%c*(d)\"");
  assert_quoted ("", "\"\"");

  literal = mail_setup_imap_quote_astring ("Grüße", FALSE, &synchronizing);
  g_assert_cmpstr (literal, ==, "{7}");
  g_assert_true (synchronizing);

  literal_plus = mail_setup_imap_quote_astring ("Grüße", TRUE, &synchronizing);
  g_assert_cmpstr (literal_plus, ==, "{7+}");
  g_assert_false (synchronizing);

  line_break = mail_setup_imap_quote_astring ("two\r\nlines", FALSE, &synchronizing);
  g_assert_cmpstr (line_break, ==, "{10}");
  g_assert_true (synchronizing);
}

static void
assert_parts (GPtrArray          *parts,
              const char * const *expected)
{
  g_assert_nonnull (parts);
  g_assert_cmpuint (parts->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; i < parts->len; i++)
    g_assert_cmpstr (g_ptr_array_index (parts, i), ==, expected[i]);
}

static void
test_command_build (void)
{
  g_autoptr(GPtrArray) plain = NULL;
  g_autoptr(GPtrArray) synchronizing = NULL;
  g_autoptr(GPtrArray) literal_plus = NULL;
  g_autoptr(GPtrArray) both = NULL;
  g_autoptr(GPtrArray) no_arguments = NULL;

  plain = mail_setup_imap_command_build ("a1", "LOGIN",
                                         (const char *[]) { "alice@example.com", "pa\"ss", NULL }, FALSE);
  assert_parts (plain, (const char *[]) { "a1 LOGIN \"alice@example.com\" \"pa\\\"ss\"\r\n", NULL });

  synchronizing = mail_setup_imap_command_build ("a1", "LOGIN",
                                                 (const char *[]) { "Grüße", "pw", NULL }, FALSE);
  assert_parts (synchronizing, (const char *[]) { "a1 LOGIN {7}\r\n", "Grüße \"pw\"\r\n", NULL });

  literal_plus = mail_setup_imap_command_build ("a1", "LOGIN",
                                                (const char *[]) { "Grüße", "pw", NULL }, TRUE);
  assert_parts (literal_plus, (const char *[]) { "a1 LOGIN {7+}\r\nGrüße \"pw\"\r\n", NULL });

  both = mail_setup_imap_command_build ("a9", "LOGIN",
                                        (const char *[]) { "zoë", "line\nbreak", NULL }, FALSE);
  assert_parts (both, (const char *[]) { "a9 LOGIN {4}\r\n", "zoë {10}\r\n", "line\nbreak\r\n", NULL });

  no_arguments = mail_setup_imap_command_build ("a2", "CAPABILITY", NULL, FALSE);
  assert_parts (no_arguments, (const char *[]) { "a2 CAPABILITY\r\n", NULL });
}

static void
assert_redacted (const char *line,
                 const char *expected)
{
  g_autofree char *redacted = mail_setup_imap_redact_command (line);

  g_assert_cmpstr (redacted, ==, expected);
}

static void
test_redact (void)
{
  assert_redacted ("a1 LOGIN \"user\" \"pass\"", "a1 LOGIN <redacted>");
  assert_redacted ("a1 login alice s3cret", "a1 login <redacted>");
  assert_redacted ("a1 LOGIN {7}", "a1 LOGIN <redacted>");
  assert_redacted ("a1 AUTHENTICATE PLAIN AGFsaWNlAHBhc3M=", "a1 AUTHENTICATE PLAIN <redacted>");
  assert_redacted ("a1 authenticate xoauth2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2tlbgEB",
                   "a1 authenticate xoauth2 <redacted>");
  assert_redacted ("LOGIN alice s3cret", "LOGIN <redacted>");
  assert_redacted ("a1 CAPABILITY\r\na2 LOGIN alice s3cret\r\n", "a1 CAPABILITY\r\na2 LOGIN <redacted>");
  assert_redacted ("a1 LOGIN {7+}\r\nGrüße \"pw\"\r\n", "a1 LOGIN <redacted>");

  /* Nothing secret: as it is. */
  assert_redacted ("a1 AUTHENTICATE XOAUTH2", "a1 AUTHENTICATE XOAUTH2");
  assert_redacted ("a2 LIST \"\" \"*\"", "a2 LIST \"\" \"*\"");
  assert_redacted ("a3 SELECT INBOX", "a3 SELECT INBOX");
  assert_redacted ("", "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap/parse/tagged", test_parse_tagged);
  g_test_add_func ("/imap/parse/microsoft", test_parse_microsoft);
  g_test_add_func ("/imap/parse/untagged", test_parse_untagged);
  g_test_add_func ("/imap/parse/continuation", test_parse_continuation);
  g_test_add_func ("/imap/parse/malformed", test_parse_malformed);
  g_test_add_func ("/imap/parse/copy", test_response_copy);
  g_test_add_func ("/imap/reader/byte-by-byte", test_reader_byte_by_byte);
  g_test_add_func ("/imap/reader/several-in-one-feed", test_reader_several_in_one_feed);
  g_test_add_func ("/imap/reader/literal", test_reader_literal);
  g_test_add_func ("/imap/reader/literal-over-limit", test_reader_literal_over_limit);
  g_test_add_func ("/imap/reader/literal-huge", test_reader_literal_huge);
  g_test_add_func ("/imap/reader/line-too-long", test_reader_line_too_long);
  g_test_add_func ("/imap/reader/line-too-long-in-one-feed", test_reader_line_too_long_in_one_feed);
  g_test_add_func ("/imap/reader/line-limit-boundary", test_reader_line_limit_boundary);
  g_test_add_func ("/imap/reader/malformed", test_reader_malformed);
  g_test_add_func ("/imap/reader/reset", test_reader_reset);
  g_test_add_func ("/imap/sanitize", test_sanitize);
  g_test_add_func ("/imap/capabilities", test_capabilities);
  g_test_add_func ("/imap/quote", test_quote);
  g_test_add_func ("/imap/command-build", test_command_build);
  g_test_add_func ("/imap/redact", test_redact);

  return g_test_run ();
}
