/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Accessible names that GTK 4.8 and libadwaita 1.2 get wrong or leave out,
 * put right where the window is built. A screen reader reads an object's
 * name from its label property followed by the names of the widgets that
 * label it; GTK 4.8 gives a button with a mnemonic both, the raw label
 * "_Continue" and its label widget "Continue", so Orca says "underscore
 * Continue Continue". Inner widgets that take the focus, the scrolled
 * window of an AdwPreferencesPage and the list of an AdwPreferencesGroup,
 * get no name at all, and AT-SPI shows their type name instead; and the
 * children of a stack that are out of view stay in the tree.
 * tests/test-accessibility.c reads the result over AT-SPI. */

#include "config.h"

#include <adwaita.h>

#include "mail-setup-accessible.h"

static void
drop_raw_label (GtkButton *button)
{
  /* The mnemonic label names the button: it labels it, without the
   * underscore. */
  gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

/* BUTTON, whose label has a mnemonic, is named by its label widget alone,
 * now and whenever its label changes. */
void
mail_setup_accessible_name_button_by_label (GtkButton *button)
{
  g_return_if_fail (GTK_IS_BUTTON (button));

  if (g_object_get_data (G_OBJECT (button), "mail-setup-named-by-label") != NULL)
    return;
  g_object_set_data (G_OBJECT (button), "mail-setup-named-by-label", GINT_TO_POINTER (TRUE));

  /* GtkButton sets the raw label before it notifies. */
  g_signal_connect (button, "notify::label", G_CALLBACK (drop_raw_label), NULL);
  g_signal_connect (button, "notify::use-underline", G_CALLBACK (drop_raw_label), NULL);
  drop_raw_label (button);
}

static void
name_by_tooltip (GtkWidget *widget)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  if (tooltip != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
}

static void
name_by_title (AdwPreferencesRow *row)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  adw_preferences_row_get_title (row), -1);
}

/* GTK 4.8 keeps every child of a stack in the accessible tree, the ones
 * out of view too, where a screen reader's review would find them. */
static void
hide_children_out_of_view (GtkStack *stack)
{
  GtkWidget *visible = gtk_stack_get_visible_child (stack);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (stack)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_accessible_update_state (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_STATE_HIDDEN, child != visible, -1);
}

/* WIDGET is named by LABEL's text, which follows it as it changes. */
void
mail_setup_accessible_label_by (GtkWidget *widget,
                                GtkWidget *label)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (GTK_IS_WIDGET (label));

  gtk_accessible_update_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
}

/* The first label under ROOT styled as a page's title. */
static GtkWidget *
find_heading (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *heading;

      if (GTK_IS_LABEL (child) && gtk_widget_has_css_class (child, "title-1"))
        return child;
      heading = find_heading (child);
      if (heading != NULL)
        return heading;
    }

  return NULL;
}

/* Whether LIST is GROUP's own, the one its rows go to, and not a list of
 * one's own inside one of its rows: only plain boxes lie between. */
static gboolean
is_groups_own_list (GtkWidget *list,
                    GtkWidget *group)
{
  for (GtkWidget *parent = gtk_widget_get_parent (list); parent != group;
       parent = gtk_widget_get_parent (parent))
    if (G_OBJECT_TYPE (parent) != GTK_TYPE_BOX)
      return FALSE;

  return TRUE;
}

static void
name_parts_under (GtkWidget *widget,
                  GtkWidget *heading)
{
  if (GTK_IS_BUTTON (widget) && gtk_button_get_use_underline (GTK_BUTTON (widget)))
    mail_setup_accessible_name_button_by_label (GTK_BUTTON (widget));

  /* An icon is no name: a button that shows one is named by its tooltip,
   * which says what it does (the title bar's Back, the password field's
   * Show Text). */
  if (GTK_IS_BUTTON (widget) && GTK_IS_IMAGE (gtk_button_get_child (GTK_BUTTON (widget))) &&
      g_object_get_data (G_OBJECT (widget), "mail-setup-named-by-tooltip") == NULL)
    {
      g_object_set_data (G_OBJECT (widget), "mail-setup-named-by-tooltip", GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "notify::tooltip-text", G_CALLBACK (name_by_tooltip), NULL);
      name_by_tooltip (widget);
    }

  if (GTK_IS_STACK (widget) &&
      g_object_get_data (G_OBJECT (widget), "mail-setup-hides-children") == NULL)
    {
      g_object_set_data (G_OBJECT (widget), "mail-setup-hides-children", GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "notify::visible-child", G_CALLBACK (hide_children_out_of_view), NULL);
      hide_children_out_of_view (GTK_STACK (widget));
    }

  /* An expander row is named by its title, as other rows are. */
  if (ADW_IS_EXPANDER_ROW (widget) &&
      g_object_get_data (G_OBJECT (widget), "mail-setup-named-by-title") == NULL)
    {
      g_object_set_data (G_OBJECT (widget), "mail-setup-named-by-title", GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "notify::title", G_CALLBACK (name_by_title), NULL);
      name_by_title (ADW_PREFERENCES_ROW (widget));
    }

  /* The preferences page scrolls as a whole: it is the page, and its
   * heading names it, or else the page's title. */
  if (GTK_IS_SCROLLED_WINDOW (widget) && ADW_IS_PREFERENCES_PAGE (gtk_widget_get_parent (widget)))
    {
      AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (gtk_widget_get_parent (widget));
      const char *title = adw_preferences_page_get_title (page);

      if (heading != NULL)
        mail_setup_accessible_label_by (widget, heading);
      else if (title != NULL && *title != '\0')
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
    }

  /* libadwaita names a group's own list after the group's title, and an
   * expander row's list not at all: a list is named by its expander row,
   * by its group's title, or by its first row's title (the address field,
   * the password field) in an untitled group. */
  if (GTK_IS_LIST_BOX (widget))
    {
      GtkWidget *group = gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_GROUP);
      GtkWidget *expander = gtk_widget_get_ancestor (widget, ADW_TYPE_EXPANDER_ROW);
      const char *title = group != NULL ? adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group)) : NULL;
      GtkWidget *first_row = gtk_widget_get_first_child (widget);

      if (expander != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        adw_preferences_row_get_title (ADW_PREFERENCES_ROW (expander)),
                                        -1);
      /* A list of one's own inside a titled group (the stages of one
       * server) takes the group's title too. */
      else if (group != NULL && title != NULL && *title != '\0' &&
               !is_groups_own_list (widget, group))
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
      else if (group != NULL && (title == NULL || *title == '\0') && ADW_IS_PREFERENCES_ROW (first_row))
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        adw_preferences_row_get_title (ADW_PREFERENCES_ROW (first_row)),
                                        -1);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    name_parts_under (child, heading);
}

/* Names everything under ROOT that GTK 4.8 would leave unnamed or name
 * twice; call it again on what is built later. */
void
mail_setup_accessible_name_parts (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  name_parts_under (root, find_heading (root));
}
