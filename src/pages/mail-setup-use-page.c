/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "mail-setup-accessible.h"
#include "mail-setup-export.h"
#include "mail-setup-mail-programs.h"
#include "mail-setup-use-page.h"

/* The last page: a saved account in the user's own mail program. Each mail
 * program on this computer gets a row that opens on what to do there: the
 * settings to type into Thunderbird or Evolution, which sign in with
 * Microsoft themselves, or the configuration to paste into a terminal
 * program's file. The programs that are not installed wait, folded, under
 * Other Mail Apps: rows of a list of their own that the row of that name
 * shows, since an expander row inside another would open its arrows with
 * its own. */

struct _MailSetupUsePage
{
  MailSetupPage          parent_instance;

  MailSetupSavedAccount *saved;
  /* The program rows of the saved account, in found_list or other_list. */
  GPtrArray             *program_rows;
  gboolean               others_shown;

  GtkLabel              *intro_label;
  AdwPreferencesGroup   *found_group;
  GtkListBox            *found_list;
  AdwPreferencesGroup   *other_group;
  GtkListBox            *other_list;
  GtkWidget             *other_row;
  GtkImage              *other_arrow;
};

G_DEFINE_FINAL_TYPE (MailSetupUsePage, mail_setup_use_page, MAIL_SETUP_TYPE_PAGE)

static gboolean
uses_microsoft_sign_in (MailSetupUsePage *self)
{
  return g_strcmp0 (mail_setup_saved_account_get_authtype (self->saved), "oauth2") == 0;
}

static void
copy_clicked_cb (GtkButton *button)
{
  const char *text = g_object_get_data (G_OBJECT (button), "text");
  const char *copied = g_object_get_data (G_OBJECT (button), "copied");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text);
  gtk_widget_activate_action (GTK_WIDGET (button), "win.show-toast", "s", copied);
}

/* A button that puts TEXT on the clipboard and says COPIED in a toast;
 * ACCESSIBLE_LABEL names what it copies, since the page holds many. */
static GtkWidget *
create_copy_button (const char *name,
                    const char *text,
                    const char *accessible_label,
                    const char *copied)
{
  GtkWidget *button = gtk_button_new ();

  gtk_widget_set_name (button, name);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, accessible_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label, -1);
  g_object_set_data_full (G_OBJECT (button), "text", g_strdup (text), g_free);
  g_object_set_data_full (G_OBJECT (button), "copied", g_strdup (copied), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (copy_clicked_cb), NULL);

  return button;
}

static GtkWidget *
create_paragraph (const char *markup,
                  gboolean    dim)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_markup (GTK_LABEL (label), markup);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (dim)
    gtk_widget_add_css_class (label, "dim-label");

  return label;
}

/* The Thunderbird and Evolution rows */

/* As each app words the choice in its account settings. */
static const char *
security_words (MailSetupMailProgram program,
                MailSetupSecurity    security)
{
  if (program == MAIL_SETUP_MAIL_PROGRAM_EVOLUTION)
    return security == MAIL_SETUP_SECURITY_STARTTLS
           /* Translators: Evolution's own words for STARTTLS; use Evolution's translation */
           ? C_("Evolution", "STARTTLS after connecting")
           /* Translators: Evolution's own words for SSL/TLS; use Evolution's translation */
           : C_("Evolution", "TLS on a dedicated port");

  return security == MAIL_SETUP_SECURITY_STARTTLS ? "STARTTLS" : "SSL/TLS";
}

static const char *
authentication_words (MailSetupUsePage     *self,
                      MailSetupMailProgram  program)
{
  if (program == MAIL_SETUP_MAIL_PROGRAM_EVOLUTION)
    /* Translators: Evolution's own words for a password sign-in; use Evolution's translation */
    return uses_microsoft_sign_in (self) ? "OAuth2 (Outlook)" : C_("Evolution", "Password");

  /* Translators: Thunderbird's own words for a password sign-in; use Thunderbird's translation */
  return uses_microsoft_sign_in (self) ? "OAuth2" : C_("Thunderbird", "Normal password");
}

static GtkWidget *
create_heading_row (const char *heading)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *label = gtk_label_new (heading);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  /* The row takes the focus on its way through the list: it says what it
   * holds. */
  mail_setup_accessible_label_by (row, label);

  return row;
}

/* A setting to enter: TITLE and VALUE, and a copy button when it is typed
 * rather than chosen from a list (ACCESSIBLE_LABEL not NULL). */
static GtkWidget *
create_setting_row (const char *program_id,
                    const char *key,
                    const char *title,
                    const char *value,
                    const char *accessible_label)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *name = g_strdup_printf ("%s-%s", program_id, key);

  gtk_widget_set_name (row, name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);

  if (accessible_label != NULL)
    {
      g_autofree char *button_name = g_strdup_printf ("copy-%s-%s", program_id, key);
      GtkWidget *button = create_copy_button (button_name, value, accessible_label, _("Copied"));

      gtk_button_set_icon_name (GTK_BUTTON (button), "edit-copy-symbolic");
      gtk_widget_add_css_class (button, "flat");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }

  return row;
}

static char *
describe_app_steps (MailSetupUsePage     *self,
                    MailSetupMailProgram  program)
{
  gboolean microsoft = uses_microsoft_sign_in (self);

  if (program == MAIL_SETUP_MAIL_PROGRAM_EVOLUTION)
    return g_strdup (microsoft
                     ? _("In Evolution, choose File ▸ New ▸ Mail Account and enter these settings. "
                         "Evolution then opens Microsoft’s sign-in page itself.")
                     : _("In Evolution, choose File ▸ New ▸ Mail Account and enter these settings. "
                         "Evolution then asks for your password."));

  return g_strdup (microsoft
                   ? _("In Thunderbird, add a mail account with your name and address, choose "
                       "Configure manually, and enter these settings. Thunderbird then opens "
                       "Microsoft’s sign-in page itself.")
                   : _("In Thunderbird, add a mail account with your name and address, choose "
                       "Configure manually, and enter these settings. Thunderbird then asks for "
                       "your password."));
}

/* One server's settings under HEADING, their names after PREFIX
 * ("imap", "smtp"); INCOMING names the copy buttons. */
static void
add_server_settings (AdwExpanderRow       *expander,
                     MailSetupMailProgram  program,
                     const char           *prefix,
                     const char           *heading,
                     gboolean              incoming,
                     const char           *server,
                     guint16               port,
                     MailSetupSecurity     security,
                     const char           *username,
                     const char           *authentication)
{
  const char *id = mail_setup_mail_program_get_id (program);
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autofree char *server_key = g_strconcat (prefix, "-server", NULL);
  g_autofree char *port_key = g_strconcat (prefix, "-port", NULL);
  g_autofree char *security_key = g_strconcat (prefix, "-security", NULL);
  g_autofree char *username_key = g_strconcat (prefix, "-username", NULL);
  g_autofree char *authentication_key = g_strconcat (prefix, "-authentication", NULL);

  adw_expander_row_add_row (expander, create_heading_row (heading));
  adw_expander_row_add_row (expander,
                            create_setting_row (id, server_key, _("Server"), server,
                                                incoming ? _("Copy incoming server")
                                                         : _("Copy outgoing server")));
  adw_expander_row_add_row (expander,
                            create_setting_row (id, port_key, _("Port"), port_text,
                                                incoming ? _("Copy incoming port")
                                                         : _("Copy outgoing port")));
  adw_expander_row_add_row (expander,
                            create_setting_row (id, security_key, _("Encryption"),
                                                security_words (program, security), NULL));
  adw_expander_row_add_row (expander,
                            create_setting_row (id, username_key, _("User Name"), username,
                                                incoming ? _("Copy incoming user name")
                                                         : _("Copy outgoing user name")));
  adw_expander_row_add_row (expander,
                            create_setting_row (id, authentication_key, _("Authentication"),
                                                authentication, NULL));
}

static void
add_app_settings (MailSetupUsePage     *self,
                  AdwExpanderRow       *expander,
                  MailSetupMailProgram  program)
{
  MailSetupSavedAccount *saved = self->saved;
  const char *authentication = authentication_words (self, program);
  g_autofree char *steps = describe_app_steps (self, program);
  g_autofree char *steps_markup = g_markup_escape_text (steps, -1);
  g_autofree char *steps_name = g_strconcat ("steps-", mail_setup_mail_program_get_id (program), NULL);
  GtkWidget *steps_row = gtk_list_box_row_new ();
  GtkWidget *steps_label = create_paragraph (steps_markup, FALSE);

  gtk_widget_set_name (steps_label, steps_name);
  gtk_widget_set_margin_top (steps_label, 12);
  gtk_widget_set_margin_start (steps_label, 12);
  gtk_widget_set_margin_end (steps_label, 12);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (steps_row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (steps_row), steps_label);
  mail_setup_accessible_label_by (steps_row, steps_label);
  adw_expander_row_add_row (expander, steps_row);

  add_server_settings (expander, program, "imap", _("Receiving Mail (IMAP)"), TRUE,
                       mail_setup_saved_account_get_server (saved),
                       mail_setup_saved_account_get_port (saved),
                       mail_setup_saved_account_get_security (saved),
                       mail_setup_saved_account_get_username (saved), authentication);
  add_server_settings (expander, program, "smtp", _("Sending Mail (SMTP)"), FALSE,
                       mail_setup_saved_account_get_smtp_server (saved),
                       mail_setup_saved_account_get_smtp_port (saved),
                       mail_setup_saved_account_get_smtp_security (saved),
                       mail_setup_saved_account_get_smtp_username (saved), authentication);
}

/* The terminal programs' rows */

/* Where the configuration goes, in words for someone who has never edited
 * such a file, and what to run once it is there: the configuration's own
 * comments say it too, but they are wider than the box. */
static char *
describe_file_steps (MailSetupUsePage      *self,
                     MailSetupMailProgram   program,
                     MailSetupExportFormat  format)
{
  const char *path = mail_setup_export_format_get_path (format);
  const MailSetupExportAccount account = {
    .email = mail_setup_saved_account_get_email (self->saved),
  };
  g_autofree char *account_name = mail_setup_export_get_account_name (&account);
  g_autofree char *escaped_name = g_markup_escape_text (account_name, -1);

  if (program == MAIL_SETUP_MAIL_PROGRAM_MBSYNC)
    return g_strdup_printf (/* Translators: the first %s is a file name (~/.mbsyncrc), the
                             * other two the account's name, such as you@example.org */
                            _("Create the file <tt>%s</tt> and paste this into it, or add it at "
                              "the end after an empty line if the file is already there. Then, "
                              "in a terminal, make the folder for your mail with "
                              "<tt>mkdir -p ~/Mail/%s</tt> and fetch your mail with "
                              "<tt>mbsync %s</tt>."),
                            path, escaped_name, escaped_name);

  if (program == MAIL_SETUP_MAIL_PROGRAM_AERC)
    return g_strdup_printf (/* Translators: both %s are the same file name, such as ~/.config/aerc/accounts.conf */
                            _("Add this at the end of the file <tt>%s</tt>, and create the file "
                              "if it is not there. aerc reads it only when no one else can: in "
                              "a terminal, run <tt>chmod 600 %s</tt>"),
                            path, path);

  return g_strdup_printf (/* Translators: %s is a file name, such as ~/.config/msmtp/config */
                          _("Create the file <tt>%s</tt> and paste this into it, or add it at the "
                            "end if the file is already there. The lines that start with # say "
                            "how to start."),
                          path);
}

/* What else the program needs: Mail Setup for a Microsoft sign-in, or
 * secret-tool for a password. */
static char *
describe_program_needs (MailSetupUsePage     *self,
                        MailSetupMailProgram  program)
{
  const char *name = mail_setup_mail_program_get_name (program);
  g_autofree char *secret_tool = NULL;

  if (uses_microsoft_sign_in (self) && program == MAIL_SETUP_MAIL_PROGRAM_MBSYNC)
    return g_strdup (_("mbsync signs in with Microsoft through the package "
                       "<tt>libsasl2-modules-kdexoauth2</tt>, and gets each sign-in from Mail "
                       "Setup, so keep Mail Setup installed."));
  if (uses_microsoft_sign_in (self))
    /* Translators: %s is a mail program, such as NeoMutt */
    return g_strdup_printf (_("%s gets each Microsoft sign-in from Mail Setup, so keep Mail Setup "
                              "installed."), name);

  secret_tool = g_find_program_in_path ("secret-tool");
  if (secret_tool == NULL)
    /* Translators: %s is a mail program, such as NeoMutt */
    return g_strdup_printf (_("%s reads the password from your keyring with secret-tool: install "
                              "the package <tt>libsecret-tools</tt>."), name);

  /* Translators: %s is a mail program, such as NeoMutt */
  return g_strdup_printf (_("%s reads the password from your keyring."), name);
}

/* Where the file is, for someone who has only seen their files in Files,
 * and what else the program needs. */
static char *
describe_file_needs (MailSetupUsePage     *self,
                     MailSetupMailProgram  program)
{
  g_autofree char *needs = describe_program_needs (self, program);

  return g_strconcat (_("In Files, <tt>~</tt> is your Home folder, and Ctrl+H shows the folders "
                        "whose names start with a dot."),
                      " ", needs, NULL);
}

static GtkWidget *
create_config_view (const char *id,
                    const char *name,
                    const char *config)
{
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  g_autofree char *view_name = g_strconcat ("config-", id, NULL);
  /* Translators: %s is a mail program, such as msmtp */
  g_autofree char *accessible_label = g_strdup_printf (_("%s configuration"), name);

  gtk_widget_set_name (view, view_name);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), config, -1);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_NONE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label, -1);

  /* Long lines scroll sideways inside the box, with a scroll bar that
   * shows there is more; the page scrolls up and down. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_overlay_scrolling (GTK_SCROLLED_WINDOW (scrolled), FALSE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_accessible_update_property (GTK_ACCESSIBLE (scrolled), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_label, -1);
  gtk_frame_set_child (GTK_FRAME (frame), scrolled);

  return frame;
}

static GtkWidget *
create_config_copy_button (const char *id,
                           const char *name,
                           const char *config)
{
  g_autofree char *button_name = g_strconcat ("copy-", id, NULL);
  /* Translators: %s is a mail program, such as msmtp */
  g_autofree char *accessible_label = g_strdup_printf (_("Copy %s configuration"), name);
  GtkWidget *button = create_copy_button (button_name, config, accessible_label,
                                          _("Configuration copied"));

  gtk_button_set_child (GTK_BUTTON (button),
                        g_object_new (ADW_TYPE_BUTTON_CONTENT,
                                      "icon-name", "edit-copy-symbolic",
                                      "label", _("Copy Configuration"),
                                      NULL));
  /* No mnemonic: the page holds one such button per program, and GTK 4.8
   * would read a mnemonic label after the name that says which. */
  gtk_widget_set_halign (button, GTK_ALIGN_END);

  return button;
}

static void
add_file_settings (MailSetupUsePage      *self,
                   AdwExpanderRow        *expander,
                   MailSetupMailProgram   program,
                   MailSetupExportFormat  format)
{
  const char *id = mail_setup_mail_program_get_id (program);
  const char *name = mail_setup_mail_program_get_name (program);
  g_autofree char *program_path = mail_setup_mail_program_find_mail_setup ();
  g_autofree char *config = NULL;
  g_autofree char *steps = NULL;
  g_autofree char *needs = NULL;
  g_autofree char *steps_name = g_strconcat ("steps-", id, NULL);
  g_autofree char *needs_name = g_strconcat ("needs-", id, NULL);
  g_autofree char *error_name = g_strconcat ("export-error-", id, NULL);
  g_autoptr(GError) error = NULL;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *label;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  adw_expander_row_add_row (expander, row);

  config = mail_setup_export_config_for_saved_account (format, self->saved, program_path, &error);
  if (config == NULL)
    {
      g_autofree char *message = g_markup_escape_text (error->message, -1);

      label = create_paragraph (message, FALSE);
      gtk_widget_set_name (label, error_name);
      gtk_widget_add_css_class (label, "error");
      gtk_box_append (GTK_BOX (box), label);
      mail_setup_accessible_label_by (row, label);
      return;
    }

  steps = describe_file_steps (self, program, format);
  label = create_paragraph (steps, FALSE);
  gtk_widget_set_name (label, steps_name);
  gtk_box_append (GTK_BOX (box), label);
  mail_setup_accessible_label_by (row, label);
  needs = describe_file_needs (self, program);
  label = create_paragraph (needs, TRUE);
  gtk_widget_set_name (label, needs_name);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), create_config_view (id, name, config));

  gtk_box_append (GTK_BOX (box), create_config_copy_button (id, name, config));
}

/* The rows of all programs */

static const char *
describe_program (MailSetupMailProgram program)
{
  switch (program)
    {
    case MAIL_SETUP_MAIL_PROGRAM_THUNDERBIRD:
    case MAIL_SETUP_MAIL_PROGRAM_EVOLUTION:
      return _("Enter the settings in the app");
    case MAIL_SETUP_MAIL_PROGRAM_MSMTP:
      return _("Sends mail for other programs");
    case MAIL_SETUP_MAIL_PROGRAM_MBSYNC:
      return _("Copies your mail to this computer");
    case MAIL_SETUP_MAIL_PROGRAM_NEOMUTT:
    case MAIL_SETUP_MAIL_PROGRAM_AERC:
      return _("Reads and sends mail in a terminal");
    default:
      g_return_val_if_reached (NULL);
    }
}

static GtkWidget *
create_program_row (MailSetupUsePage     *self,
                    MailSetupMailProgram  program)
{
  GtkWidget *row = adw_expander_row_new ();
  g_autofree char *name = g_strconcat ("program-", mail_setup_mail_program_get_id (program), NULL);
  MailSetupExportFormat format;

  gtk_widget_set_name (row, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), mail_setup_mail_program_get_name (program));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), describe_program (program));

  if (mail_setup_mail_program_get_export_format (program, &format))
    add_file_settings (self, ADW_EXPANDER_ROW (row), program, format);
  else
    add_app_settings (self, ADW_EXPANDER_ROW (row), program);

  return row;
}

static void
clear_program_rows (MailSetupUsePage *self)
{
  for (guint i = 0; i < self->program_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->program_rows, i);

      gtk_list_box_remove (GTK_LIST_BOX (gtk_widget_get_parent (row)), row);
    }
  g_ptr_array_set_size (self->program_rows, 0);
}

/* The programs not on this computer, shown or folded. */
static void
show_others (MailSetupUsePage *self,
             gboolean          shown)
{
  self->others_shown = shown;
  for (guint i = 0; i < self->program_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->program_rows, i);

      if (gtk_widget_get_parent (row) == GTK_WIDGET (self->other_list))
        gtk_widget_set_visible (row, shown);
    }

  gtk_image_set_from_icon_name (self->other_arrow, shown ? "go-up-symbolic" : "go-down-symbolic");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->other_row),
                               GTK_ACCESSIBLE_STATE_EXPANDED, shown, -1);
}

static void
other_row_activated_cb (MailSetupUsePage *self)
{
  show_others (self, !self->others_shown);
}

/* One row per program: those on this computer in view, the first of them
 * open, the others folded away. */
static void
show_programs (MailSetupUsePage *self)
{
  guint n_found = 0;
  guint n_other = 0;

  clear_program_rows (self);

  for (MailSetupMailProgram program = 0; program < MAIL_SETUP_N_MAIL_PROGRAMS; program++)
    {
      GtkWidget *row = create_program_row (self, program);

      if (mail_setup_mail_program_is_installed (program))
        {
          adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), n_found == 0);
          gtk_list_box_append (self->found_list, row);
          n_found++;
        }
      else
        {
          gtk_list_box_append (self->other_list, row);
          n_other++;
        }
      g_ptr_array_add (self->program_rows, row);
    }

  mail_setup_accessible_name_parts (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self->found_group), n_found > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->other_group), n_other > 0);
  adw_preferences_group_set_description (self->other_group,
                                         n_found == 0
                                         ? _("No mail app was found on this computer. Install one of these, then come back here.")
                                         : NULL);
  show_others (self, n_found == 0);
}

static void
mail_setup_use_page_shown (MailSetupPage *page)
{
  MailSetupUsePage *self = MAIL_SETUP_USE_PAGE (page);
  GtkWidget *first = gtk_widget_get_first_child (GTK_WIDGET (self->found_list));

  gtk_widget_grab_focus (first != NULL ? first : self->other_row);
}

static void
mail_setup_use_page_dispose (GObject *object)
{
  MailSetupUsePage *self = MAIL_SETUP_USE_PAGE (object);

  g_clear_object (&self->saved);
  g_clear_pointer (&self->program_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (mail_setup_use_page_parent_class)->dispose (object);
}

static void
mail_setup_use_page_class_init (MailSetupUsePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mail_setup_use_page_dispose;
  MAIL_SETUP_PAGE_CLASS (klass)->shown = mail_setup_use_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/pages/mail-setup-use-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MailSetupUsePage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, MailSetupUsePage, found_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupUsePage, found_list);
  gtk_widget_class_bind_template_child (widget_class, MailSetupUsePage, other_group);
  gtk_widget_class_bind_template_child (widget_class, MailSetupUsePage, other_list);
  gtk_widget_class_bind_template_child (widget_class, MailSetupUsePage, other_row);
  gtk_widget_class_bind_template_child (widget_class, MailSetupUsePage, other_arrow);
  gtk_widget_class_bind_template_callback (widget_class, other_row_activated_cb);
}

static void
mail_setup_use_page_init (MailSetupUsePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->program_rows = g_ptr_array_new ();
}

/* Shows how to use SAVED in each mail program, looking again for the
 * programs that are installed. */
void
mail_setup_use_page_set_saved_account (MailSetupUsePage      *self,
                                       MailSetupSavedAccount *saved)
{
  g_autofree char *intro = NULL;

  g_return_if_fail (MAIL_SETUP_IS_USE_PAGE (self));
  g_return_if_fail (MAIL_SETUP_IS_SAVED_ACCOUNT (saved));

  g_set_object (&self->saved, saved);

  /* Translators: %s is an e-mail address */
  intro = g_strdup_printf (_("%s is saved. To read and send its mail, set up one of these mail apps."),
                           mail_setup_saved_account_get_email (saved));
  gtk_label_set_label (self->intro_label, intro);

  show_programs (self);
}

MailSetupSavedAccount *
mail_setup_use_page_get_saved_account (MailSetupUsePage *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_USE_PAGE (self), NULL);

  return self->saved;
}
