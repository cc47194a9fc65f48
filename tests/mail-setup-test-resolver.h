/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * A GResolver for tests, installed with g_resolver_set_default(): it
 * answers MX and SRV records from what the test adds, fails every other
 * lookup (so that nothing reaches the real DNS), and counts every question
 * it was asked. With set_hang(), it answers nothing until the lookup is
 * cancelled, as a DNS server that does not answer.
 */

#define MAIL_SETUP_TYPE_TEST_RESOLVER (mail_setup_test_resolver_get_type ())

G_DECLARE_FINAL_TYPE (MailSetupTestResolver, mail_setup_test_resolver,
                      MAIL_SETUP, TEST_RESOLVER, GResolver)

MailSetupTestResolver *mail_setup_test_resolver_new       (void);
void                   mail_setup_test_resolver_add_mx    (MailSetupTestResolver *self,
                                                           const char            *domain,
                                                           guint16                preference,
                                                           const char            *exchange);
/* NAME is the whole SRV name, such as "_imaps._tcp.example.test". */
void                   mail_setup_test_resolver_add_srv   (MailSetupTestResolver *self,
                                                           const char            *name,
                                                           guint16                priority,
                                                           guint16                weight,
                                                           guint16                port,
                                                           const char            *target);
void                   mail_setup_test_resolver_set_hang  (MailSetupTestResolver *self,
                                                           gboolean               hang);
/* Every question so far, as "MX example.test", "SRV _imap._tcp.example.test",
 * "A example.test" or "PTR 127.0.0.1", in the order asked. */
GStrv                  mail_setup_test_resolver_get_questions (MailSetupTestResolver *self);
guint                  mail_setup_test_resolver_get_n_questions (MailSetupTestResolver *self);

G_END_DECLS
