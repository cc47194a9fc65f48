/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The little of HTTP/1.0 that fetching a certificate from an authority's
 * caIssuers address takes (RFC 5280, 4.2.2.1): one GET to an http address,
 * one answer read to the end of the connection, no redirects. Without I/O.
 */

#define MAIL_SETUP_HTTP_ERROR (mail_setup_http_error_quark ())

typedef enum
{
  MAIL_SETUP_HTTP_ERROR_INVALID_URL,
  MAIL_SETUP_HTTP_ERROR_MALFORMED,
  MAIL_SETUP_HTTP_ERROR_STATUS,
} MailSetupHttpError;

GQuark  mail_setup_http_error_quark    (void);

/* The request for URL, which must be an http address with a host and
 * without a user name. */
char   *mail_setup_http_build_get      (const char  *url,
                                        GError     **error);
/* The body of a whole answer (status line, headers, body), when its status
 * is 200. */
GBytes *mail_setup_http_parse_response (const guint8 *data,
                                        gsize         length,
                                        GError      **error);

G_END_DECLS
