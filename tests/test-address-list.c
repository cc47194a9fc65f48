/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The addresses the resolve stage found, as the connect stage tries them. */

#include "mail-setup-address-list.h"

static GList *
parse_addresses (const char * const *texts)
{
  GList *addresses = NULL;

  for (guint i = 0; texts[i] != NULL; i++)
    addresses = g_list_append (addresses, g_inet_address_new_from_string (texts[i]));

  return addresses;
}

static char *
address_text (GSocketAddress *address)
{
  GInetSocketAddress *inet_address = G_INET_SOCKET_ADDRESS (address);

  return g_inet_address_to_string (g_inet_socket_address_get_address (inet_address));
}

static void
test_address_list_families_take_turns (void)
{
  const char *found[] = {
    "2001:db8::1", "2001:db8::2", "2001:db8::3", "192.0.2.1", "192.0.2.2", NULL
  };
  const char *expected[] = {
    "2001:db8::1", "192.0.2.1", "2001:db8::2", "192.0.2.2", "2001:db8::3"
  };
  g_autoptr(GSocketAddressEnumerator) enumerator = NULL;
  g_autoptr(MailSetupAddressList) list = NULL;
  g_autofree char *name = NULL;
  GList *addresses = parse_addresses (found);

  list = mail_setup_address_list_new ("mail.example.test", addresses, 993);
  g_resolver_free_addresses (addresses);

  name = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (list));
  g_assert_cmpstr (name, ==, "mail.example.test");

  enumerator = g_socket_connectable_enumerate (G_SOCKET_CONNECTABLE (list));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GSocketAddress) address = g_socket_address_enumerator_next (enumerator, NULL, NULL);
      g_autofree char *text = NULL;

      g_assert_nonnull (address);
      text = address_text (address);
      g_assert_cmpstr (text, ==, expected[i]);
      g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)), ==, 993);
    }
  g_assert_null (g_socket_address_enumerator_next (enumerator, NULL, NULL));
}

/* The first address refuses; GSocketClient goes on to the next one. */
static void
test_address_list_connect_tries_the_next_address (void)
{
  const char *found[] = { "127.0.0.2", "127.0.0.1", NULL };
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketAddress) wanted = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(MailSetupAddressList) list = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;
  g_autofree char *remote_text = NULL;
  GList *addresses = parse_addresses (found);
  guint16 port;

  wanted = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_listener_add_address (listener, wanted, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  list = mail_setup_address_list_new ("127.0.0.1", addresses, port);
  g_resolver_free_addresses (addresses);

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, 5);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (list), NULL, &error);
  g_assert_no_error (error);

  remote = g_socket_connection_get_remote_address (connection, &error);
  g_assert_no_error (error);
  remote_text = address_text (remote);
  g_assert_cmpstr (remote_text, ==, "127.0.0.1");
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)), ==, port);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/address-list/families-take-turns", test_address_list_families_take_turns);
  g_test_add_func ("/address-list/connect-tries-the-next-address",
                   test_address_list_connect_tries_the_next_address);

  return g_test_run ();
}
