/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "mail-setup-address-list.h"

/*
 * Addresses already looked up, as something GSocketClient can connect to.
 * The connect stage tries exactly what the resolve stage found and reported,
 * without asking the resolver a second time. The families alternate, as
 * RFC 8305 asks, so that GSocketClient's staggered attempts reach an IPv4
 * address soon when IPv6 does not answer.
 */

struct _MailSetupAddressList
{
  GObject    parent_instance;

  char      *host;
  GPtrArray *socket_addresses;  /* of GInetSocketAddress, in the order to try */
};

static void mail_setup_address_list_connectable_init (GSocketConnectableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MailSetupAddressList, mail_setup_address_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_SOCKET_CONNECTABLE,
                                                      mail_setup_address_list_connectable_init))

#define MAIL_SETUP_TYPE_ADDRESS_ENUMERATOR (mail_setup_address_enumerator_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupAddressEnumerator, mail_setup_address_enumerator,
                      MAIL_SETUP, ADDRESS_ENUMERATOR, GSocketAddressEnumerator)

struct _MailSetupAddressEnumerator
{
  GSocketAddressEnumerator  parent_instance;

  GPtrArray                *socket_addresses;
  guint                     next;
};

G_DEFINE_FINAL_TYPE (MailSetupAddressEnumerator, mail_setup_address_enumerator,
                     G_TYPE_SOCKET_ADDRESS_ENUMERATOR)

/* The default next_async() calls this; it never blocks. */
static GSocketAddress *
mail_setup_address_enumerator_next (GSocketAddressEnumerator  *enumerator,
                                    GCancellable              *cancellable,
                                    GError                   **error)
{
  MailSetupAddressEnumerator *self = MAIL_SETUP_ADDRESS_ENUMERATOR (enumerator);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (self->next >= self->socket_addresses->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->socket_addresses, self->next++));
}

static void
mail_setup_address_enumerator_finalize (GObject *object)
{
  MailSetupAddressEnumerator *self = MAIL_SETUP_ADDRESS_ENUMERATOR (object);

  g_ptr_array_unref (self->socket_addresses);

  G_OBJECT_CLASS (mail_setup_address_enumerator_parent_class)->finalize (object);
}

static void
mail_setup_address_enumerator_class_init (MailSetupAddressEnumeratorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GSocketAddressEnumeratorClass *enumerator_class = G_SOCKET_ADDRESS_ENUMERATOR_CLASS (klass);

  object_class->finalize = mail_setup_address_enumerator_finalize;
  enumerator_class->next = mail_setup_address_enumerator_next;
}

static void
mail_setup_address_enumerator_init (MailSetupAddressEnumerator *self)
{
}

static GSocketAddressEnumerator *
mail_setup_address_list_enumerate (GSocketConnectable *connectable)
{
  MailSetupAddressList *self = MAIL_SETUP_ADDRESS_LIST (connectable);
  MailSetupAddressEnumerator *enumerator;

  enumerator = g_object_new (MAIL_SETUP_TYPE_ADDRESS_ENUMERATOR, NULL);
  enumerator->socket_addresses = g_ptr_array_ref (self->socket_addresses);

  return G_SOCKET_ADDRESS_ENUMERATOR (enumerator);
}

static char *
mail_setup_address_list_to_string (GSocketConnectable *connectable)
{
  return g_strdup (MAIL_SETUP_ADDRESS_LIST (connectable)->host);
}

static void
mail_setup_address_list_connectable_init (GSocketConnectableIface *iface)
{
  iface->enumerate = mail_setup_address_list_enumerate;
  iface->to_string = mail_setup_address_list_to_string;
}

static void
mail_setup_address_list_finalize (GObject *object)
{
  MailSetupAddressList *self = MAIL_SETUP_ADDRESS_LIST (object);

  g_free (self->host);
  g_ptr_array_unref (self->socket_addresses);

  G_OBJECT_CLASS (mail_setup_address_list_parent_class)->finalize (object);
}

static void
mail_setup_address_list_class_init (MailSetupAddressListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mail_setup_address_list_finalize;
}

static void
mail_setup_address_list_init (MailSetupAddressList *self)
{
  self->socket_addresses = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ADDRESSES (of GInetAddress, as GResolver gives them, best first) at PORT,
 * for HOST. The order is kept within each family; the families take turns,
 * starting with the first address's. */
MailSetupAddressList *
mail_setup_address_list_new (const char *host,
                             GList      *addresses,
                             guint16     port)
{
  MailSetupAddressList *self;
  GList *first_family = NULL;
  GList *other_family = NULL;
  GSocketFamily family;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (addresses != NULL, NULL);

  self = g_object_new (MAIL_SETUP_TYPE_ADDRESS_LIST, NULL);
  self->host = g_strdup (host);

  family = g_inet_address_get_family (addresses->data);
  for (GList *l = addresses; l != NULL; l = l->next)
    {
      if (g_inet_address_get_family (l->data) == family)
        first_family = g_list_prepend (first_family, l->data);
      else
        other_family = g_list_prepend (other_family, l->data);
    }
  first_family = g_list_reverse (first_family);
  other_family = g_list_reverse (other_family);

  for (GList *a = first_family, *b = other_family; a != NULL || b != NULL;)
    {
      if (a != NULL)
        {
          g_ptr_array_add (self->socket_addresses, g_inet_socket_address_new (a->data, port));
          a = a->next;
        }
      if (b != NULL)
        {
          g_ptr_array_add (self->socket_addresses, g_inet_socket_address_new (b->data, port));
          b = b->next;
        }
    }

  g_list_free (first_family);
  g_list_free (other_family);

  return self;
}
