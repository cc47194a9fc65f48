/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "mail-setup-uri.h"

/* Every web page the wizard opens goes through here, so that tests can see
 * which one without a browser. */

static MailSetupUriHandler uri_handler;
static gpointer uri_handler_data;

void
mail_setup_open_uri (GtkWidget  *widget,
                     const char *uri)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (uri != NULL);

  if (uri_handler != NULL)
    {
      uri_handler (uri, uri_handler_data);
      return;
    }

  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (widget)), uri, GDK_CURRENT_TIME);
}

void
mail_setup_set_uri_handler (MailSetupUriHandler handler,
                            gpointer            user_data)
{
  uri_handler = handler;
  uri_handler_data = user_data;
}
