/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "mail-setup-page.h"

typedef struct
{
  MailSetupAccount *account;
} MailSetupPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (MailSetupPage, mail_setup_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
  g_object_class_install_properties (object_class, N_PROPS, properties);
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
