/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Talks to tests/servers/identity-server.py, the stand-in for Microsoft's
 * identity platform, as the person at the browser would. */

#include <libsoup/soup.h>

#include "mail-setup-test-identity.h"
#include "mail-setup-test-util.h"

/* Sends FORM (taken, form-encoded) to PATH and returns the JSON answer. */
JsonObject *
mail_setup_test_identity_call (const char *method,
                               const char *path,
                               char       *form)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *owned_form = form;
  const char *base = mail_setup_test_service_env ("MAIL_SETUP_TEST_IDENTITY_URL");

  if (g_str_equal (method, SOUP_METHOD_GET))
    uri = g_strconcat (base, path, "?", form, NULL);
  else
    uri = g_strconcat (base, path, NULL);

  message = soup_message_new (method, uri);
  if (!g_str_equal (method, SOUP_METHOD_GET))
    {
      g_autoptr(GBytes) request = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded",
                                                request);
    }

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The person at the browser enters USER_CODE and signs in as USERNAME. */
void
mail_setup_test_identity_approve (const char *user_code,
                                  const char *username)
{
  g_autoptr(JsonObject) answer = NULL;

  answer = mail_setup_test_identity_call (SOUP_METHOD_POST, "/control/approve",
                                          soup_form_encode ("user_code", user_code,
                                                            "username", username, NULL));
  g_assert_cmpstr (json_object_get_string_member (answer, "state"), ==, "approved");
}
