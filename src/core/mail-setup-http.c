/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "mail-setup-http.h"

G_DEFINE_QUARK (mail-setup-http-error-quark, mail_setup_http_error)

/* What goes into the request line and the Host header as it is: anything
 * else (a space, a line end) could split the request. */
static gboolean
is_request_safe (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f)
        return FALSE;
    }

  return TRUE;
}

char *
mail_setup_http_build_get (const char  *url,
                           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *target = NULL;
  g_autofree char *host = NULL;
  const char *path;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, MAIL_SETUP_HTTP_ERROR, MAIL_SETUP_HTTP_ERROR_INVALID_URL,
                   "Not an http address: %s", url);
      return NULL;
    }

  path = *g_uri_get_path (uri) != '\0' ? g_uri_get_path (uri) : "/";
  target = g_uri_get_query (uri) != NULL ? g_strconcat (path, "?", g_uri_get_query (uri), NULL)
                                         : g_strdup (path);
  /* An IPv6 address is written in brackets in the Host header. */
  host = strchr (g_uri_get_host (uri), ':') != NULL
         ? g_strdup_printf ("[%s]", g_uri_get_host (uri)) : g_strdup (g_uri_get_host (uri));
  if (g_uri_get_port (uri) > 0)
    {
      g_autofree char *bare = g_steal_pointer (&host);

      host = g_strdup_printf ("%s:%d", bare, g_uri_get_port (uri));
    }

  if (!is_request_safe (target) || !is_request_safe (host))
    {
      g_set_error (error, MAIL_SETUP_HTTP_ERROR, MAIL_SETUP_HTTP_ERROR_INVALID_URL,
                   "The address holds characters a request cannot carry: %s", url);
      return NULL;
    }

  return g_strdup_printf ("GET %s HTTP/1.0\r\nHost: %s\r\nAccept: */*\r\nConnection: close\r\n\r\n",
                          target, host);
}

GBytes *
mail_setup_http_parse_response (const guint8  *data,
                                gsize          length,
                                GError       **error)
{
  const char *text = (const char *) data;
  const char *line_end;
  const char *headers_end;
  gsize body_start;
  g_autofree char *status_line = NULL;
  const char *status;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length < strlen ("HTTP/1.0 200") || strncmp (text, "HTTP/1.", strlen ("HTTP/1.")) != 0 ||
      (line_end = memchr (text, '\n', length)) == NULL)
    {
      g_set_error_literal (error, MAIL_SETUP_HTTP_ERROR, MAIL_SETUP_HTTP_ERROR_MALFORMED,
                           "The answer is not HTTP");
      return NULL;
    }

  status_line = g_strndup (text, (gsize) (line_end - text));
  g_strchomp (status_line);
  status = strlen (status_line) >= strlen ("HTTP/1.x") ? status_line + strlen ("HTTP/1.x") : "";
  if (!g_str_has_prefix (status, " 200") || (status[4] != ' ' && status[4] != '\0'))
    {
      g_set_error (error, MAIL_SETUP_HTTP_ERROR, MAIL_SETUP_HTTP_ERROR_STATUS,
                   "The server answered %s", status_line);
      return NULL;
    }

  headers_end = g_strstr_len (text, (gssize) length, "\r\n\r\n");
  if (headers_end != NULL)
    body_start = (gsize) (headers_end - text) + 4;
  else if ((headers_end = g_strstr_len (text, (gssize) length, "\n\n")) != NULL)
    body_start = (gsize) (headers_end - text) + 2;
  else
    {
      g_set_error_literal (error, MAIL_SETUP_HTTP_ERROR, MAIL_SETUP_HTTP_ERROR_MALFORMED,
                           "The answer ends inside its headers");
      return NULL;
    }

  return g_bytes_new (data + body_start, length - body_start);
}
