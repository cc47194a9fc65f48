/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-account-store.h"
#include "mail-setup-detect.h"
#include "mail-setup-provider-page.h"

/* The first page: the e-mail address, then the provider, preselected from
 * the address and open to the user's own choice. For a domain the built-in
 * lists do not know, the provider is looked up (mail-setup-detect.h) a
 * moment after the last keystroke; what is found preselects a provider and
 * fills in server settings the user has not typed, and never holds up
 * Continue. */

/* Long enough not to look up every half-typed domain. */
#define DETECTION_DELAY_MS 400

struct _MailSetupProviderPage
{
  MailSetupPage     parent_instance;

  GSignalGroup     *account_signals;
  gboolean          email_edited;

  AdwPreferencesGroup *saved_group;
  GtkListBox       *saved_list;
  GListModel       *saved_accounts;
  GCancellable     *refresh_cancellable;
  AdwPreferencesGroup *new_account_group;
  AdwEntryRow      *email_row;
  GtkLabel         *email_error;
  AdwPreferencesGroup *providers_group;
  GPtrArray        *provider_checks;

  GtkWidget        *detection_box;
  GtkSpinner       *detection_spinner;
  GtkLabel         *detection_label;
  GtkWidget        *privacy_label;
  guint             detection_timeout_id;
  GCancellable     *detection_cancellable;
  /* The provider that the last detection preselected, and the one it
   * replaced: a later address about which nothing is known puts that one
   * back, unless the user has chosen meanwhile. */
  MailSetupProvider *detected_provider;
  MailSetupProvider *provider_before_detection;
};

G_DEFINE_FINAL_TYPE (MailSetupProviderPage, mail_setup_provider_page, MAIL_SETUP_TYPE_PAGE)

static void
update_email_error (MailSetupProviderPage *self)
{
  const char *email = gtk_editable_get_text (GTK_EDITABLE (self->email_row));
  const char *reason = mail_setup_validate_email (email);

  /* Not while the first address is still being typed. */
  if (!self->email_edited)
    reason = NULL;

  gtk_label_set_label (self->email_error, reason ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (self->email_error), reason != NULL);
  if (reason != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->email_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->email_row), "error");
}

static MailSetupDetector *
create_detector (MailSetupProviderPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  MailSetupDetector *detector = mail_setup_detector_new ();

  /* The authorities the account's checks trust (MAIL_SETUP_EXTRA_CA_FILE). */
  if (account != NULL)
    mail_setup_detector_set_extra_ca_file (detector, mail_setup_account_get_extra_ca_file (account));

  return detector;
}

static void
show_detection (MailSetupProviderPage *self,
                gboolean               looking,
                const char            *text)
{
  gtk_widget_set_visible (self->detection_box, text != NULL);
  gtk_spinner_set_spinning (self->detection_spinner, looking);
  gtk_widget_set_visible (GTK_WIDGET (self->detection_spinner), looking);
  gtk_label_set_label (self->detection_label, text != NULL ? text : "");
}

static void
stop_detection (MailSetupProviderPage *self)
{
  g_clear_handle_id (&self->detection_timeout_id, g_source_remove);
  g_cancellable_cancel (self->detection_cancellable);
  g_clear_object (&self->detection_cancellable);
}

/* Gives way when the user has chosen, or when the provider is no longer
 * the one a detection preselected. */
static void
preselect (MailSetupProviderPage *self,
           MailSetupAccount      *account,
           MailSetupProvider     *provider)
{
  MailSetupProvider *current = mail_setup_account_get_provider (account);

  if (mail_setup_account_get_provider_chosen (account))
    return;

  if (self->detected_provider == NULL || current != self->detected_provider)
    g_set_object (&self->provider_before_detection, current);
  g_set_object (&self->detected_provider, provider);
  mail_setup_account_set_provider (account, provider);
}

/* Nothing is known about the new address: what an earlier address's
 * detection preselected goes. */
static void
undo_preselection (MailSetupProviderPage *self,
                   MailSetupAccount      *account)
{
  if (self->detected_provider != NULL &&
      !mail_setup_account_get_provider_chosen (account) &&
      mail_setup_account_get_provider (account) == self->detected_provider)
    mail_setup_account_set_provider (account, self->provider_before_detection);

  g_clear_object (&self->detected_provider);
  g_clear_object (&self->provider_before_detection);
}

static void
apply_detection (MailSetupProviderPage *self,
                 MailSetupDetection    *detection)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  MailSetupProvider *provider = mail_setup_detection_get_provider (detection);
  g_autofree char *text = NULL;

  if (mail_setup_detection_get_source (detection) == MAIL_SETUP_DETECTION_SOURCE_NOTHING)
    {
      /* Translators: the domain of the address, e.g. "example.org". */
      text = g_strdup_printf (_("No settings found for %s; choose your provider below"),
                              mail_setup_detection_get_domain (detection));
      show_detection (self, FALSE, text);
      undo_preselection (self, account);
      return;
    }

  if (mail_setup_detection_get_is_work_or_school (detection) &&
      mail_setup_detection_get_is_personal (detection))
    {
      /* Only the user knows which of the two accounts they mean. */
      text = g_strconcat (mail_setup_detection_get_explanation (detection), " ",
                          _("Outlook.com is for the personal account, Microsoft 365 for the "
                            "work or school account."), NULL);
      show_detection (self, FALSE, text);
      preselect (self, account, NULL);
      return;
    }

  show_detection (self, FALSE, mail_setup_detection_get_explanation (detection));
  if (provider == NULL || mail_setup_account_get_provider_chosen (account))
    return;

  preselect (self, account, provider);
  if (g_strcmp0 (mail_setup_detection_get_provider_id (detection), "other") == 0)
    mail_setup_account_set_found_servers (
        account,
        mail_setup_detection_get_has_imap_server (detection)
          ? mail_setup_detection_get_imap_host (detection) : NULL,
        mail_setup_detection_get_imap_port (detection),
        mail_setup_detection_get_imap_security (detection),
        mail_setup_detection_get_has_smtp_server (detection)
          ? mail_setup_detection_get_smtp_host (detection) : NULL,
        mail_setup_detection_get_smtp_port (detection),
        mail_setup_detection_get_smtp_security (detection));
}

static void
detected_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MailSetupProviderPage) self = user_data;
  g_autoptr(MailSetupDetection) detection = NULL;
  g_autoptr(GError) error = NULL;
  const char *email;

  detection = mail_setup_detector_detect_finish (MAIL_SETUP_DETECTOR (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->detection_cancellable);

  email = gtk_editable_get_text (GTK_EDITABLE (self->email_row));
  if (detection == NULL || g_strcmp0 (mail_setup_detection_get_address (detection), email) != 0)
    {
      /* Only an address the detector could not read gets here: say
       * nothing of it, the address field explains. */
      show_detection (self, FALSE, NULL);
      return;
    }

  apply_detection (self, detection);
}

static gboolean
detection_timeout_cb (gpointer user_data)
{
  MailSetupProviderPage *self = user_data;
  g_autoptr(MailSetupDetector) detector = create_detector (self);
  const char *email = gtk_editable_get_text (GTK_EDITABLE (self->email_row));

  self->detection_timeout_id = 0;
  self->detection_cancellable = g_cancellable_new ();
  show_detection (self, TRUE, _("Looking up your provider…"));
  mail_setup_detector_detect_async (detector, email, self->detection_cancellable,
                                    detected_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

/* Looks the new address up once the user stops typing; whatever was being
 * looked up for the old one is dropped. */
static void
schedule_detection (MailSetupProviderPage *self,
                    const char            *email)
{
  g_autoptr(MailSetupDetector) detector = create_detector (self);
  gboolean lookups = mail_setup_detector_get_network_lookups (detector);

  stop_detection (self);
  gtk_widget_set_visible (self->privacy_label, lookups);

  if (!lookups || mail_setup_validate_email (email) != NULL ||
      mail_setup_provider_catalog_for_email (email) != NULL)
    {
      show_detection (self, FALSE, NULL);
      return;
    }

  self->detection_timeout_id = g_timeout_add (DETECTION_DELAY_MS, detection_timeout_cb, self);
}

static void
email_changed_cb (MailSetupProviderPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  const char *email = gtk_editable_get_text (GTK_EDITABLE (self->email_row));

  if (account != NULL)
    mail_setup_account_set_email (account, email);
  if (mail_setup_validate_email (email) == NULL)
    self->email_edited = TRUE;
  update_email_error (self);
  schedule_detection (self, email);
}

static void
email_activated_cb (MailSetupProviderPage *self)
{
  self->email_edited = TRUE;
  update_email_error (self);
  mail_setup_page_activate (MAIL_SETUP_PAGE (self));
}

static void
provider_toggled_cb (GtkCheckButton        *check,
                     MailSetupProviderPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  MailSetupProvider *provider;

  if (!gtk_check_button_get_active (check) || account == NULL)
    return;

  provider = g_object_get_data (G_OBJECT (check), "provider");
  if (provider != mail_setup_account_get_provider (account))
    mail_setup_account_choose_provider (account, provider);
}

static void
sync_from_account (MailSetupProviderPage *self)
{
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));
  MailSetupProvider *provider;

  if (account == NULL)
    return;

  mail_setup_page_set_complete (MAIL_SETUP_PAGE (self),
                                mail_setup_account_get_provider_complete (account));

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->email_row)),
                 mail_setup_account_get_email (account)) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->email_row),
                           mail_setup_account_get_email (account));

  provider = mail_setup_account_get_provider (account);
  for (guint i = 0; i < self->provider_checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->provider_checks, i);
      gboolean active = g_object_get_data (G_OBJECT (check), "provider") == (gpointer) provider;

      if (active != gtk_check_button_get_active (check))
        gtk_check_button_set_active (check, active);
    }
}

static void
add_provider_rows (MailSetupProviderPage *self)
{
  GListModel *catalog = mail_setup_provider_catalog_get_default ();
  GtkCheckButton *group = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (catalog); i++)
    {
      g_autoptr(MailSetupProvider) provider = g_list_model_get_item (catalog, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *name = g_strdup_printf ("provider-%s", mail_setup_provider_get_id (provider));

      gtk_widget_set_name (row, name);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), mail_setup_provider_get_name (provider));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), mail_setup_provider_get_description (provider));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
      group = GTK_CHECK_BUTTON (check);
      g_object_set_data_full (G_OBJECT (check), "provider", g_object_ref (provider), g_object_unref);
      /* Named by the row's title, as the row's activatable widget. */
      g_signal_connect (check, "toggled", G_CALLBACK (provider_toggled_cb), self);

      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (self->providers_group, row);
      g_ptr_array_add (self->provider_checks, check);
    }
}

static void
describe_saved_row (AdwActionRow          *row,
                    MailSetupSavedAccount *saved)
{
  g_autofree char *subtitle = NULL;

  if (mail_setup_saved_account_get_secret_missing (saved))
    {
      subtitle = g_strdup (_("The password is missing from the keyring"));
      gtk_widget_add_css_class (GTK_WIDGET (row), "warning");
    }
  else
    /* Translators: a saved account's server: "outlook.office365.com, port 993" */
    subtitle = g_strdup_printf (_("%s, port %u"), mail_setup_saved_account_get_server (saved),
                                mail_setup_saved_account_get_port (saved));

  adw_action_row_set_subtitle (row, subtitle);
}

static GtkWidget *
create_saved_row (gpointer item,
                  gpointer user_data)
{
  MailSetupSavedAccount *saved = item;
  const char *email = mail_setup_saved_account_get_email (saved);
  g_autofree char *name = g_strdup_printf ("saved-%s", email);
  g_autofree char *test_name = g_strdup_printf ("test-saved-%s", email);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) use = NULL;
  g_autoptr(GMenuItem) change = NULL;
  g_autoptr(GMenuItem) remove = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *test = gtk_button_new_with_mnemonic (_("_Test"));
  GtkWidget *more = gtk_menu_button_new ();

  gtk_widget_set_name (row, name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), email);
  describe_saved_row (ADW_ACTION_ROW (row), saved);

  gtk_widget_set_name (test, test_name);
  gtk_widget_set_valign (test, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (test, _("Test the account again with the saved password"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (test), "win.test-saved");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (test), "s", email);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), test);

  use = g_menu_item_new (_("_Use in Mail Apps…"), NULL);
  g_menu_item_set_action_and_target (use, "win.use-account", "s", email);
  g_menu_append_item (menu, use);
  change = g_menu_item_new (_("_Change Password"), NULL);
  g_menu_item_set_action_and_target (change, "win.change-password", "s", email);
  g_menu_append_item (menu, change);
  remove = g_menu_item_new (_("_Remove…"), NULL);
  g_menu_item_set_action_and_target (remove, "win.remove-account", "s", email);
  g_menu_append_item (menu, remove);
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (more), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (more), "view-more-symbolic");
  gtk_widget_set_valign (more, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (more, "flat");
  gtk_widget_set_tooltip_text (more, _("More Actions"));
  /* GTK 4.8 names a menu button after its type unless told. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (more), GTK_ACCESSIBLE_PROPERTY_LABEL, _("More Actions"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), more);

  return row;
}

static void
secrets_refreshed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(MailSetupProviderPage) self = user_data;
  g_autoptr(GError) error = NULL;
  GtkWidget *row;
  guint i = 0;

  if (!mail_setup_account_store_refresh_secrets_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not check the saved passwords: %s", error->message);
      return;
    }

  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->saved_list));
       row != NULL && i < g_list_model_get_n_items (self->saved_accounts);
       row = gtk_widget_get_next_sibling (row), i++)
    {
      g_autoptr(MailSetupSavedAccount) saved = g_list_model_get_item (self->saved_accounts, i);

      describe_saved_row (ADW_ACTION_ROW (row), saved);
    }
}

/* The saved accounts changed: show them, and find out whose secret is
 * gone. */
static void
saved_accounts_changed_cb (MailSetupProviderPage *self)
{
  guint n_accounts = g_list_model_get_n_items (self->saved_accounts);

  gtk_widget_set_visible (GTK_WIDGET (self->saved_group), n_accounts > 0);
  adw_preferences_group_set_title (self->new_account_group,
                                   n_accounts > 0 ? _("Add an Account") : "");

  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  if (n_accounts > 0)
    {
      self->refresh_cancellable = g_cancellable_new ();
      mail_setup_account_store_refresh_secrets_async (self->saved_accounts, self->refresh_cancellable,
                                                      secrets_refreshed_cb, g_object_ref (self));
    }
}

/* ACCOUNTS (a GListModel of MailSetupSavedAccount) is shown as it changes. */
void
mail_setup_provider_page_set_saved_accounts (MailSetupProviderPage *self,
                                             GListModel            *accounts)
{
  g_return_if_fail (MAIL_SETUP_IS_PROVIDER_PAGE (self));
  g_return_if_fail (G_IS_LIST_MODEL (accounts));

  if (self->saved_accounts != NULL)
    g_signal_handlers_disconnect_by_func (self->saved_accounts, saved_accounts_changed_cb, self);
  g_set_object (&self->saved_accounts, accounts);

  gtk_list_box_bind_model (self->saved_list, accounts, create_saved_row, self, NULL);
  g_signal_connect_object (accounts, "items-changed", G_CALLBACK (saved_accounts_changed_cb), self,
                           G_CONNECT_SWAPPED);
  saved_accounts_changed_cb (self);
}

static void
mail_setup_provider_page_dispose (GObject *object)
{
  MailSetupProviderPage *self = MAIL_SETUP_PROVIDER_PAGE (object);

  stop_detection (self);
  g_clear_object (&self->detected_provider);
  g_clear_object (&self->provider_before_detection);
  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  if (self->saved_accounts != NULL)
    g_signal_handlers_disconnect_by_func (self->saved_accounts, saved_accounts_changed_cb, self);
  g_clear_object (&self->saved_accounts);

  g_clear_object (&self->account_signals);
  g_clear_pointer (&self->provider_checks, g_ptr_array_unref);

  G_OBJECT_CLASS (mail_setup_provider_page_parent_class)->dispose (object);
}

/* A detection that ends after the user went on would change the provider
 * behind their back: it ends here, and starts again when they come back. */
static void
mail_setup_provider_page_unmap (GtkWidget *widget)
{
  MailSetupProviderPage *self = MAIL_SETUP_PROVIDER_PAGE (widget);

  if (self->detection_timeout_id != 0 || self->detection_cancellable != NULL)
    {
      stop_detection (self);
      show_detection (self, FALSE, NULL);
    }

  GTK_WIDGET_CLASS (mail_setup_provider_page_parent_class)->unmap (widget);
}

static void
mail_setup_provider_page_shown (MailSetupPage *page)
{
  MailSetupProviderPage *self = MAIL_SETUP_PROVIDER_PAGE (page);

  gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
  if (!gtk_widget_get_visible (self->detection_box))
    schedule_detection (self, gtk_editable_get_text (GTK_EDITABLE (self->email_row)));
}

static void
mail_setup_provider_page_constructed (GObject *object)
{
  MailSetupProviderPage *self = MAIL_SETUP_PROVIDER_PAGE (object);
  MailSetupAccount *account = mail_setup_page_get_account (MAIL_SETUP_PAGE (self));

  G_OBJECT_CLASS (mail_setup_provider_page_parent_class)->constructed (object);

  g_signal_group_set_target (self->account_signals, account);
  sync_from_account (self);
  schedule_detection (self, gtk_editable_get_text (GTK_EDITABLE (self->email_row)));
}

static void
mail_setup_provider_page_class_init (MailSetupProviderPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mail_setup_provider_page_dispose;
  object_class->constructed = mail_setup_provider_page_constructed;
  widget_class->unmap = mail_setup_provider_page_unmap;
  MAIL_SETUP_PAGE_CLASS (klass)->shown = mail_setup_provider_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/pages/mail-setup-provider-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupProviderPage, saved_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupProviderPage, saved_list);
  gtk_widget_class_bind_template_child (widget_class, MailSetupProviderPage, new_account_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupProviderPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupProviderPage, email_error);
  gtk_widget_class_bind_template_child (widget_class, MailSetupProviderPage, providers_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupProviderPage, detection_box);
  gtk_widget_class_bind_template_child (widget_class, MailSetupProviderPage, detection_spinner);
  gtk_widget_class_bind_template_child (widget_class, MailSetupProviderPage, detection_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupProviderPage, privacy_label);
  gtk_widget_class_bind_template_callback (widget_class, email_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, email_activated_cb);
}

static void
mail_setup_provider_page_init (MailSetupProviderPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->provider_checks = g_ptr_array_new ();
  self->account_signals = g_signal_group_new (MAIL_SETUP_TYPE_ACCOUNT);
  g_signal_group_connect_swapped (self->account_signals, "notify::provider",
                                  G_CALLBACK (sync_from_account), self);
  g_signal_group_connect_swapped (self->account_signals, "notify::email",
                                  G_CALLBACK (sync_from_account), self);

  add_provider_rows (self);
}
