/* SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib-object.h>

#include "mail-setup-diagnosis.h"
#include "mail-setup-provider.h"

G_BEGIN_DECLS

/*
 * The guided fixes, read from data/remedies/remedies.xml (bundled as a
 * resource): adding a remedy needs no new code. Texts are translated when
 * read and may hold {placeholders} that mail_setup_remedy_expand() fills in.
 * So may links; mail_setup_remedy_expand_link() gives a link only when it is
 * https once filled in.
 */

#define MAIL_SETUP_REMEDY_ERROR (mail_setup_remedy_error_quark ())

typedef enum
{
  MAIL_SETUP_REMEDY_ERROR_MALFORMED,
  MAIL_SETUP_REMEDY_ERROR_INVALID,
} MailSetupRemedyError;

GQuark mail_setup_remedy_error_quark (void);

typedef enum
{
  MAIL_SETUP_REMEDY_ACTION_NONE,
  MAIL_SETUP_REMEDY_ACTION_RETRY,
  MAIL_SETUP_REMEDY_ACTION_BACK_TO_SETTINGS,
  MAIL_SETUP_REMEDY_ACTION_RESTORE_SETTINGS,
  MAIL_SETUP_REMEDY_ACTION_SHOW_CERTIFICATE,
  MAIL_SETUP_REMEDY_ACTION_MICROSOFT_SIGN_IN,
  MAIL_SETUP_REMEDY_ACTION_BROWSER_SIGN_IN,
  MAIL_SETUP_REMEDY_ACTION_DEVICE_SIGN_IN,
} MailSetupRemedyAction;

typedef struct
{
  char                  *text;
  /* Still with its placeholders: see mail_setup_remedy_expand_link(). */
  char                  *link;
  gboolean               tickable;
  gboolean               copy_email;
  /* The step's own text, filled in, is something to copy and send. */
  gboolean               copy_text;
  MailSetupRemedyAction  action;
  /* The id of the only provider the step is for; NULL when for all. */
  char                  *provider;
} MailSetupRemedyStep;

#define MAIL_SETUP_TYPE_REMEDY (mail_setup_remedy_get_type ())
G_DECLARE_FINAL_TYPE (MailSetupRemedy, mail_setup_remedy, MAIL_SETUP, REMEDY, GObject)

const char                *mail_setup_remedy_get_id      (MailSetupRemedy *self);
const char                *mail_setup_remedy_get_title   (MailSetupRemedy *self);
const char                *mail_setup_remedy_get_summary (MailSetupRemedy *self);
const char                *mail_setup_remedy_get_next_id (MailSetupRemedy *self);
guint                      mail_setup_remedy_get_n_steps (MailSetupRemedy *self);
const MailSetupRemedyStep *mail_setup_remedy_get_step    (MailSetupRemedy *self,
                                                          guint            position);
const char                *mail_setup_remedy_get_step_text (MailSetupRemedy *self,
                                                            guint            position);
gboolean                   mail_setup_remedy_step_applies  (const MailSetupRemedyStep *step,
                                                            MailSetupProvider         *provider);

GPtrArray       *mail_setup_remedy_parse              (const char          *xml,
                                                       gssize               length,
                                                       GError             **error);
GListModel      *mail_setup_remedy_catalog_get_default (void);
MailSetupRemedy *mail_setup_remedy_catalog_lookup     (const char          *id);
const char      *mail_setup_remedy_for_diagnosis      (MailSetupDiagnosis   diagnosis,
                                                       MailSetupProvider   *provider);
char            *mail_setup_remedy_expand             (const char          *text,
                                                       GHashTable          *values);
char            *mail_setup_remedy_expand_link        (const char          *link,
                                                       GHashTable          *values);
char            *mail_setup_remedy_admin_consent_uri  (const char          *authority,
                                                       const char          *tenant,
                                                       const char          *client_id,
                                                       const char          *email);

G_END_DECLS
