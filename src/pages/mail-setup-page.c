/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "mail-setup-page.h"

typedef struct
{
  MailSetupAccount *account;
  gboolean          complete;
} MailSetupPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (MailSetupPage, mail_setup_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_COMPLETE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
mail_setup_page_dispose (GObject *object)
{
  MailSetupPagePrivate *priv = mail_setup_page_get_instance_private (MAIL_SETUP_PAGE (object));

  g_clear_object (&priv->account);

  G_OBJECT_CLASS (mail_setup_page_parent_class)->dispose (object);
}

static void
mail_setup_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  MailSetupPagePrivate *priv = mail_setup_page_get_instance_private (MAIL_SETUP_PAGE (object));

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, priv->account);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, priv->complete);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mail_setup_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  MailSetupPagePrivate *priv = mail_setup_page_get_instance_private (MAIL_SETUP_PAGE (object));

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_set_object (&priv->account, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mail_setup_page_class_init (MailSetupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mail_setup_page_dispose;
  object_class->get_property = mail_setup_page_get_property;
  object_class->set_property = mail_setup_page_set_property;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, MAIL_SETUP_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MailSetupPage::activate:
   *
   * The user asked for the page's main action, as with Enter in a field.
   */
  signals[ACTIVATE] = g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mail_setup_page_init (MailSetupPage *self)
{
}

/* The account, available from the page's constructed() on. */
MailSetupAccount *
mail_setup_page_get_account (MailSetupPage *self)
{
  MailSetupPagePrivate *priv;

  g_return_val_if_fail (MAIL_SETUP_IS_PAGE (self), NULL);

  priv = mail_setup_page_get_instance_private (self);
  return priv->account;
}

gboolean
mail_setup_page_get_complete (MailSetupPage *self)
{
  MailSetupPagePrivate *priv;

  g_return_val_if_fail (MAIL_SETUP_IS_PAGE (self), FALSE);

  priv = mail_setup_page_get_instance_private (self);
  return priv->complete;
}

/* For the pages themselves. */
void
mail_setup_page_set_complete (MailSetupPage *self,
                              gboolean       complete)
{
  MailSetupPagePrivate *priv;

  g_return_if_fail (MAIL_SETUP_IS_PAGE (self));

  priv = mail_setup_page_get_instance_private (self);
  complete = !!complete;
  if (priv->complete == complete)
    return;

  priv->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

/* For the window, each time it shows the page. */
void
mail_setup_page_shown (MailSetupPage *self)
{
  g_return_if_fail (MAIL_SETUP_IS_PAGE (self));

  if (MAIL_SETUP_PAGE_GET_CLASS (self)->shown != NULL)
    MAIL_SETUP_PAGE_GET_CLASS (self)->shown (self);
}

/* For the pages: the user asked for the main action. */
void
mail_setup_page_activate (MailSetupPage *self)
{
  g_return_if_fail (MAIL_SETUP_IS_PAGE (self));

  g_signal_emit (self, signals[ACTIVATE], 0);
}
