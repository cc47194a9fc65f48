/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MAIL_SETUP_TYPE_ADDRESS_LIST (mail_setup_address_list_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupAddressList, mail_setup_address_list,
                      MAIL_SETUP, ADDRESS_LIST, GObject)

MailSetupAddressList *mail_setup_address_list_new (const char *host,
                                                   GList      *addresses,
                                                   guint16     port);

G_END_DECLS
