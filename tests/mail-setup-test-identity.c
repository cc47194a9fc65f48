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

/* A form of the pairs whose value is set: the controls take optional fields
 * that are better left out than sent empty. */
static char *
encode_set_fields (const char *first_name,
                   ...)
{
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  va_list args;

  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value != NULL)
        g_hash_table_insert (fields, (gpointer) name, (gpointer) value);
    }
  va_end (args);

  return soup_form_encode_hash (fields);
}

/* At the next authorize request, the person signs in as USERNAME (NULL: as
 * the login_hint the product sent). */
void
mail_setup_test_identity_browser_approve (const char *username)
{
  g_autoptr(JsonObject) answer = NULL;

  answer = mail_setup_test_identity_call (SOUP_METHOD_POST, "/control/browser",
                                          encode_set_fields ("action", "approve",
                                                             "username", username, NULL));
  g_assert_cmpstr (json_object_get_string_member (answer, "action"), ==, "approve");
}

/* At the next authorize request, Microsoft sends the browser back with
 * ERROR and AADSTS number CODE (SUBERROR and DESCRIPTION may be NULL; the
 * description then is Microsoft's text for CODE). */
void
mail_setup_test_identity_browser_error (const char *error,
                                        guint       code,
                                        const char *suberror,
                                        const char *description)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *number = g_strdup_printf ("%u", code);

  answer = mail_setup_test_identity_call (SOUP_METHOD_POST, "/control/browser",
                                          encode_set_fields ("action", "error",
                                                             "error", error,
                                                             "code", number,
                                                             "suberror", suberror,
                                                             "description", description,
                                                             NULL));
  g_assert_cmpstr (json_object_get_string_member (answer, "action"), ==, "error");
}

/* The next COUNT token requests of GRANT that would have succeeded get
 * ERROR with AADSTS number CODE instead; for a device code, only once the
 * code is approved (AADSTS53003, "Block device code flow"). */
void
mail_setup_test_identity_force_token_error (const char *grant,
                                            const char *error,
                                            guint       code,
                                            const char *suberror,
                                            const char *description,
                                            guint       count)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *number = g_strdup_printf ("%u", code);
  g_autofree char *times = g_strdup_printf ("%u", count);

  answer = mail_setup_test_identity_call (SOUP_METHOD_POST, "/control/token-error",
                                          encode_set_fields ("grant", grant,
                                                             "error", error,
                                                             "code", number,
                                                             "suberror", suberror,
                                                             "description", description,
                                                             "count", times,
                                                             NULL));
  g_assert_cmpstr (json_object_get_string_member (answer, "grant"), ==, grant);
}

/* The last authorize request: tenant, the query fields (null when not
 * sent), "exchanged" and, once a token request checked its PKCE verifier,
 * "pkce" ("ok", "mismatch", "missing"); empty when there was none since the
 * last reset. */
JsonObject *
mail_setup_test_identity_get_authorize (void)
{
  return mail_setup_test_identity_call (SOUP_METHOD_GET, "/control/authorize", g_strdup (""));
}

/* Forgets the browser setting, forced token errors and the last authorize
 * request, so that one test's settings do not reach the next. */
void
mail_setup_test_identity_reset (void)
{
  g_autoptr(JsonObject) answer = NULL;

  answer = mail_setup_test_identity_call (SOUP_METHOD_POST, "/control/reset", g_strdup (""));
  g_assert_true (json_object_get_boolean_member (answer, "reset"));
}

void
mail_setup_test_identity_set_lifetime (guint seconds)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *number = g_strdup_printf ("%u", seconds);

  answer = mail_setup_test_identity_call (SOUP_METHOD_POST, "/control/lifetime",
                                          soup_form_encode ("seconds", number, NULL));
  g_assert_cmpint (json_object_get_int_member (answer, "seconds"), ==, seconds);
}

void
mail_setup_test_identity_set_token_delay (guint milliseconds)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *number = g_strdup_printf ("%u", milliseconds);

  answer = mail_setup_test_identity_call (SOUP_METHOD_POST, "/control/token-delay",
                                          soup_form_encode ("milliseconds", number, NULL));
  g_assert_cmpint (json_object_get_int_member (answer, "milliseconds"), ==, milliseconds);
}

guint
mail_setup_test_identity_count_requests (const char *grant)
{
  g_autoptr(JsonObject) answer = NULL;

  answer = mail_setup_test_identity_call (SOUP_METHOD_GET, "/control/requests", g_strdup (""));
  g_assert_true (json_object_has_member (answer, grant));

  return (guint) json_object_get_int_member (answer, grant);
}

char *
mail_setup_test_identity_introspect (const char *token)
{
  g_autoptr(JsonObject) answer = NULL;

  answer = mail_setup_test_identity_call (SOUP_METHOD_POST, "/introspect",
                                          soup_form_encode ("token", token, NULL));
  if (!json_object_get_boolean_member (answer, "active"))
    return NULL;

  return g_strdup (json_object_get_string_member (answer, "username"));
}
