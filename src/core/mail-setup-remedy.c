/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-setup-remedy.h"

typedef struct
{
  const char *id;
  const char *title;
  const char *summary;
} Remedy;

/* What to do about each diagnosis, in one paragraph. */
static const Remedy remedies[] = {
  { "check-password", N_("Check Your Password"),
    N_("Type the password again, paying attention to capital letters and to the keyboard layout. "
       "If you use a separate user name for mail, enter it under Server Settings.") },
  { "check-server-name", N_("Check the Server Name"),
    N_("Make sure the server name under Server Settings is spelled right and that this computer "
       "is online. For Microsoft accounts the server is outlook.office365.com.") },
  { "check-server-settings", N_("Check the Server Settings"),
    N_("The server, port or encryption does not match what the server expects. IMAP with SSL/TLS "
       "uses port 993; IMAP with STARTTLS uses port 143. Microsoft accounts use "
       "outlook.office365.com, port 993, SSL/TLS.") },
  { "check-network", N_("Check Your Network"),
    N_("Make sure this computer is online. A firewall, a hotel or office network, or a VPN may "
       "block mail ports; try another network if you can.") },
  { "certificate", N_("Do Not Trust This Connection"),
    N_("Mail Setup will not send your password over a connection it cannot verify. Check the "
       "server name, and the date and time of this computer. If you are on a public network, try "
       "again from a trusted one.") },
  { "try-later", N_("Try Again Later"),
    N_("The server had a problem of its own. Wait a few minutes and try again.") },
  { "recent-activity", N_("Confirm the Sign-In on Microsoft’s Website"),
    N_("Sign in to Outlook on the web with this address, open Recent activity in your Microsoft "
       "account, find the blocked IMAP sign-in and choose “This was me”. Then try again.") },
  { "enable-imap", N_("Turn On IMAP for This Mailbox"),
    N_("In Outlook on the web, open Settings, Mail, Forwarding and IMAP, and turn on “Let devices "
       "and apps use IMAP”. For a work or school account, ask your administrator to allow IMAP "
       "for your mailbox.") },
  { "microsoft-sign-in", N_("Use Microsoft Sign-In"),
    N_("Microsoft no longer accepts passwords from mail apps for this account. Signing in through "
       "Microsoft’s own page is the way to connect.") },
};

static const Remedy *
lookup (const char *remedy_id)
{
  for (gsize i = 0; i < G_N_ELEMENTS (remedies); i++)
    {
      if (g_strcmp0 (remedies[i].id, remedy_id) == 0)
        return &remedies[i];
    }

  return NULL;
}

const char *
mail_setup_remedy_get_title (const char *remedy_id)
{
  const Remedy *remedy = lookup (remedy_id);

  return remedy ? _(remedy->title) : NULL;
}

const char *
mail_setup_remedy_get_summary (const char *remedy_id)
{
  const Remedy *remedy = lookup (remedy_id);

  return remedy ? _(remedy->summary) : NULL;
}
