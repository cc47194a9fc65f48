/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <adwaita.h>

#include "mail-setup-account.h"

G_BEGIN_DECLS

/*
 * A page of the wizard, and what the window may rely on of every page:
 *
 * - "account": the one account being set up, given at construction; pages
 *   read it from here and keep no copy of their own.
 * - "complete": whether the page has what it needs for the window's
 *   Continue (or Test Account) to go on. Pages set it as the account
 *   changes; the window follows it.
 * - shown(): the page has become the visible one (its focus goes where the
 *   user starts).
 * - ::activate: the user asked for the page's main action (Enter in a
 *   field); the window continues if the page is complete.
 */
#define MAIL_SETUP_TYPE_PAGE (mail_setup_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (MailSetupPage, mail_setup_page, MAIL_SETUP, PAGE, AdwBin)

struct _MailSetupPageClass
{
  AdwBinClass parent_class;

  void (*shown) (MailSetupPage *self);
};

MailSetupAccount *mail_setup_page_get_account  (MailSetupPage *self);
gboolean          mail_setup_page_get_complete (MailSetupPage *self);
void              mail_setup_page_set_complete (MailSetupPage *self,
                                                gboolean       complete);
void              mail_setup_page_shown        (MailSetupPage *self);
void              mail_setup_page_activate     (MailSetupPage *self);

G_END_DECLS
