/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-accessible.h"
#include "mail-setup-oauth.h"
#include "mail-setup-remedy-view.h"
#include "mail-setup-uri.h"

/* A guided fix as numbered steps: a box to tick as the user goes, a button
 * for the web page of the step, a button to copy what the step says, and the
 * wizard's own actions (test again, back to the settings, restore the
 * known-good settings, sign in with Microsoft) where a step needs them.
 * Every text comes from the remedy data. */

struct _MailSetupRemedyView
{
  AdwBin     parent_instance;

  GtkLabel  *title_label;
  GtkLabel  *summary_label;
  GtkListBox *steps;
  char      *email;
};

G_DEFINE_FINAL_TYPE (MailSetupRemedyView, mail_setup_remedy_view, ADW_TYPE_BIN)

static void
open_link_cb (GtkButton *button)
{
  mail_setup_open_uri (GTK_WIDGET (button), g_object_get_data (G_OBJECT (button), "uri"));
}

static void
copy_email_cb (GtkButton           *button,
               MailSetupRemedyView *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), self->email);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", _("Address copied"));
}

static void
copy_text_cb (GtkButton           *button,
              MailSetupRemedyView *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)),
                          g_object_get_data (G_OBJECT (button), "text"));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", _("Text copied"));
}

static GtkWidget *
flat_button (const char *name,
             const char *icon_name,
             const char *label,
             const char *tooltip)
{
  GtkWidget *button = gtk_button_new ();

  gtk_widget_set_name (button, name);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);

  if (label != NULL)
    {
      GtkWidget *content = adw_button_content_new ();

      adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), icon_name);
      adw_button_content_set_label (ADW_BUTTON_CONTENT (content), label);
      adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
      gtk_button_set_child (GTK_BUTTON (button), content);
    }
  else
    gtk_button_set_icon_name (GTK_BUTTON (button), icon_name);

  return button;
}

static GtkWidget *
action_button (const char *name,
               const char *label,
               const char *action_name,
               gboolean    suggested)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_name (button, name);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");

  return button;
}

static char *
describe_certificate (MailSetupCheck *check)
{
  const MailSetupTlsInfo *tls = check ? mail_setup_check_get_tls_info (check) : NULL;
  g_autofree char *valid_until = NULL;

  if (tls == NULL)
    return g_strdup (_("The server did not present a certificate."));

  if (tls->not_after != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (tls->not_after);

      valid_until = g_date_time_format (local, "%x");
    }

  /* Translators: a certificate in four lines: to whom, by whom, until when, fingerprint */
  return g_strdup_printf (_("Issued to: %s\nIssued by: %s\nValid until: %s\nSHA-256: %s"),
                          tls->subject ? tls->subject : "", tls->issuer ? tls->issuer : "",
                          valid_until ? valid_until : "", tls->sha256 ? tls->sha256 : "");
}

static gboolean
is_sending (MailSetupCheck *check)
{
  return check != NULL && mail_setup_check_get_protocol (check) == MAIL_SETUP_PROTOCOL_SMTP;
}

/* Whether the provider has known-good settings for the server that CHECK
 * tested: the receiving one, or the sending one. */
static gboolean
provider_knows_server (MailSetupProvider *provider,
                       MailSetupCheck    *check)
{
  if (provider == NULL)
    return FALSE;

  return is_sending (check) ? mail_setup_provider_get_has_smtp_server (provider)
                            : mail_setup_provider_get_has_imap_server (provider);
}

/* The provider's known-good settings of the server that CHECK tested, in
 * short: "outlook.office365.com, port 993, SSL/TLS". */
static char *
describe_known_good (MailSetupProvider *provider,
                     MailSetupCheck    *check)
{
  const char *host;
  guint16 port;
  MailSetupSecurity security;

  if (is_sending (check))
    {
      host = mail_setup_provider_get_smtp_host (provider);
      port = mail_setup_provider_get_smtp_port (provider);
      security = mail_setup_provider_get_smtp_security (provider);
    }
  else
    {
      host = mail_setup_provider_get_imap_host (provider);
      port = mail_setup_provider_get_imap_port (provider);
      security = mail_setup_provider_get_imap_security (provider);
    }

  /* Translators: known-good settings: "outlook.office365.com, port 993, SSL/TLS" */
  return g_strdup_printf (_("%s, port %u, %s"), host, port,
                          security == MAIL_SETUP_SECURITY_STARTTLS ? "STARTTLS" : "SSL/TLS");
}

/* The values of the placeholders in the remedy's texts. The server, the
 * port and the known-good settings are those of the server that CHECK
 * tested: the outgoing one for the fixes of sending. */
static GHashTable *
placeholder_values (MailSetupAccount *account,
                    MailSetupCheck   *check)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  MailSetupProvider *provider = mail_setup_account_get_provider (account);
  GDateTime *attempt = check ? mail_setup_check_get_sign_in_time (check) : NULL;
  g_autoptr(MailSetupOAuth) oauth = mail_setup_oauth_new ();
  const char *email = mail_setup_account_get_email (account);
  g_autofree char *found = NULL;

  g_hash_table_insert (values, "email", g_strdup (email));
  /* What the test found beyond its diagnosis, or nothing. */
  if (check != NULL && mail_setup_check_get_finished (check))
    found = mail_setup_check_describe_finding (check);
  g_hash_table_insert (values, "found", found != NULL ? g_steal_pointer (&found) : g_strdup (""));
  if (is_sending (check))
    {
      g_hash_table_insert (values, "server", g_strdup (mail_setup_check_get_server (check)));
      g_hash_table_insert (values, "port", g_strdup_printf ("%u", mail_setup_check_get_port (check)));
    }
  else
    {
      g_hash_table_insert (values, "server", g_strdup (mail_setup_account_get_server (account)));
      g_hash_table_insert (values, "port", g_strdup_printf ("%u", mail_setup_account_get_port (account)));
    }

  if (attempt != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (attempt);

      /* Recent activity lists the attempt under its local date and time. */
      g_hash_table_insert (values, "time", g_date_time_format (local, "%X, %x"));
    }
  else
    g_hash_table_insert (values, "time", g_strdup (_("a few minutes ago")));

  if (provider_knows_server (provider, check))
    {
      g_hash_table_insert (values, "provider", g_strdup (mail_setup_provider_get_name (provider)));
      g_hash_table_insert (values, "known-good", describe_known_good (provider, check));
    }
  else
    {
      g_hash_table_insert (values, "provider", g_strdup (_("most providers")));
      g_hash_table_insert (values, "known-good",
                           g_strdup (is_sending (check) ? _("port 587 with STARTTLS")
                                                        : _("port 993 with SSL/TLS")));
    }

  /* The sign-in settings as Microsoft sign-in will use them, so that the
   * administrator is asked to approve the very application that signs in. */
  g_hash_table_insert (values, "client-id", g_strdup (mail_setup_oauth_get_client_id (oauth)));
  g_hash_table_insert (values, "authority", g_strdup (mail_setup_oauth_get_authority (oauth)));
  g_hash_table_insert (values, "tenant", g_strdup (mail_setup_oauth_get_tenant (oauth)));
  g_hash_table_insert (values, "admin-consent-uri",
                       mail_setup_remedy_admin_consent_uri (mail_setup_oauth_get_authority (oauth),
                                                            mail_setup_oauth_get_tenant (oauth),
                                                            mail_setup_oauth_get_client_id (oauth),
                                                            email));

  return values;
}

/* Whether the step is done, in words as well as in the tick. */
static void
describe_tick (GtkCheckButton *tick)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (tick), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_check_button_get_active (tick) ? _("Done") : _("Not done"), -1);
}

static GtkWidget *
build_step (MailSetupRemedyView       *self,
            MailSetupRemedy           *remedy,
            guint                      position,
            guint                      index,
            guint                      n_shown,
            GHashTable                *values,
            MailSetupAccount          *account,
            MailSetupCheck            *check)
{
  const MailSetupRemedyStep *step = mail_setup_remedy_get_step (remedy, position);
  g_autofree char *text = mail_setup_remedy_expand (mail_setup_remedy_get_step_text (remedy, position),
                                                    values);
  g_autofree char *title = g_strdup_printf ("%u. %s", index + 1, text);
  g_autofree char *name = g_strdup_printf ("step-%u", index + 1);
  g_autofree char *link = step->link ? mail_setup_remedy_expand_link (step->link, values) : NULL;
  MailSetupProvider *provider = mail_setup_account_get_provider (account);
  GtkWidget *row = adw_action_row_new ();

  gtk_widget_set_name (row, name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);

  if (step->tickable)
    {
      GtkWidget *tick = gtk_check_button_new ();
      g_autofree char *tick_name = g_strdup_printf ("tick-%u", index + 1);

      g_autofree char *tick_label = NULL;

      gtk_widget_set_name (tick, tick_name);
      gtk_widget_set_valign (tick, GTK_ALIGN_CENTER);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), tick);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), tick);
      /* The row would name the tick by its title alone: a screen reader
       * says "Step 2 of 4", the step, and whether it is done. */
      gtk_accessible_reset_relation (GTK_ACCESSIBLE (tick), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
      /* TRANSLATORS: a step of a fix, as a screen reader reads it: its
       * number, how many there are, and what to do. */
      tick_label = g_strdup_printf (_("Step %u of %u: %s"), index + 1, n_shown, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (tick), GTK_ACCESSIBLE_PROPERTY_LABEL, tick_label, -1);
      describe_tick (GTK_CHECK_BUTTON (tick));
      g_signal_connect (tick, "toggled", G_CALLBACK (describe_tick), NULL);
    }

  if (step->copy_email)
    {
      GtkWidget *button = flat_button ("copy-email", "edit-copy-symbolic", NULL, _("Copy the address"));

      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Copy the address"), -1);
      gtk_widget_add_css_class (button, "flat");
      g_signal_connect (button, "clicked", G_CALLBACK (copy_email_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }

  if (step->copy_text)
    {
      GtkWidget *button = flat_button ("copy-text", "edit-copy-symbolic", NULL, _("Copy the text"));

      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Copy the text"), -1);
      gtk_widget_add_css_class (button, "flat");
      g_object_set_data_full (G_OBJECT (button), "text", g_strdup (text), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (copy_text_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }

  if (link != NULL)
    {
      g_autofree char *link_name = g_strdup_printf ("link-%u", index + 1);
      GtkWidget *button = flat_button (link_name, "adw-external-link-symbolic", _("_Open"), link);

      g_object_set_data_full (G_OBJECT (button), "uri", g_steal_pointer (&link), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (open_link_cb), NULL);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }

  switch (step->action)
    {
    case MAIL_SETUP_REMEDY_ACTION_RETRY:
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 action_button ("retry", _("_Try Again"), "win.test", TRUE));
      break;
    case MAIL_SETUP_REMEDY_ACTION_BACK_TO_SETTINGS:
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 action_button ("settings", _("S_ettings"), "win.back", FALSE));
      break;
    case MAIL_SETUP_REMEDY_ACTION_RESTORE_SETTINGS:
      if (provider_knows_server (provider, check))
        adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                   action_button ("restore-settings", _("_Use These Settings"),
                                                  "win.restore-settings", FALSE));
      break;
    case MAIL_SETUP_REMEDY_ACTION_SHOW_CERTIFICATE:
      {
        g_autofree char *certificate = describe_certificate (check);

        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), certificate);
      }
      break;
    case MAIL_SETUP_REMEDY_ACTION_MICROSOFT_SIGN_IN:
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 action_button ("microsoft-sign-in-button", _("Sign _In With Microsoft"),
                                                "win.microsoft-sign-in", TRUE));
      break;
    case MAIL_SETUP_REMEDY_ACTION_BROWSER_SIGN_IN:
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 action_button ("browser-sign-in-button", _("Sign In in the Bro_wser"),
                                                "win.sign-in-browser", TRUE));
      break;
    case MAIL_SETUP_REMEDY_ACTION_DEVICE_SIGN_IN:
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 action_button ("device-sign-in-button", _("Sign In on _Another Device"),
                                                "win.sign-in-device", FALSE));
      break;
    case MAIL_SETUP_REMEDY_ACTION_NONE:
    default:
      break;
    }

  return row;
}

static void
mail_setup_remedy_view_finalize (GObject *object)
{
  MailSetupRemedyView *self = MAIL_SETUP_REMEDY_VIEW (object);

  g_free (self->email);

  G_OBJECT_CLASS (mail_setup_remedy_view_parent_class)->finalize (object);
}

static void
mail_setup_remedy_view_class_init (MailSetupRemedyViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = mail_setup_remedy_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/mail-setup-remedy-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupRemedyView, title_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupRemedyView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupRemedyView, steps);
}

static void
mail_setup_remedy_view_init (MailSetupRemedyView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
mail_setup_remedy_view_show (MailSetupRemedyView *self,
                             MailSetupRemedy     *remedy,
                             MailSetupAccount    *account,
                             MailSetupCheck      *check)
{
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *summary = NULL;
  MailSetupProvider *provider;
  GtkWidget *child;

  g_return_if_fail (MAIL_SETUP_IS_REMEDY_VIEW (self));
  g_return_if_fail (MAIL_SETUP_IS_REMEDY (remedy));
  g_return_if_fail (MAIL_SETUP_IS_ACCOUNT (account));

  g_free (self->email);
  self->email = g_strdup (mail_setup_account_get_email (account));

  values = placeholder_values (account, check);
  summary = mail_setup_remedy_expand (mail_setup_remedy_get_summary (remedy), values);
  /* A summary that is only what the test found may have nothing in it. */
  g_strstrip (summary);

  gtk_widget_set_name (GTK_WIDGET (self->title_label), mail_setup_remedy_get_id (remedy));
  gtk_label_set_label (self->title_label, mail_setup_remedy_get_title (remedy));
  gtk_label_set_label (self->summary_label, summary);
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label), *summary != '\0');

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->steps))) != NULL)
    gtk_list_box_remove (self->steps, child);
  /* The steps for this account's provider, numbered as shown. */
  provider = mail_setup_account_get_provider (account);
  for (guint i = 0; i < mail_setup_remedy_get_n_steps (remedy); i++)
    if (mail_setup_remedy_step_applies (mail_setup_remedy_get_step (remedy, i), provider))
      g_array_append_val (shown, i);
  for (guint i = 0; i < shown->len; i++)
    gtk_list_box_append (self->steps, build_step (self, remedy, g_array_index (shown, guint, i), i, shown->len,
                                                  values, account, check));
  mail_setup_accessible_name_parts (GTK_WIDGET (self));
}
