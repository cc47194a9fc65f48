/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-setup-core.h"
#include "mail-setup-remedy.h"

#define REMEDIES_RESOURCE RESOURCE_BASE_PATH "/core/remedies/remedies.xml"
#define MAX_STEPS 16
#define MAX_TEXT_LENGTH 2048

struct _MailSetupRemedy
{
  GObject    parent_instance;

  char      *id;
  char      *title;
  char      *summary;
  char      *next_id;
  GPtrArray *steps;
};

G_DEFINE_FINAL_TYPE (MailSetupRemedy, mail_setup_remedy, G_TYPE_OBJECT)

G_DEFINE_QUARK (mail-setup-remedy-error-quark, mail_setup_remedy_error)

static void
step_free (MailSetupRemedyStep *step)
{
  g_free (step->text);
  g_free (step->link);
  g_free (step->provider);
  g_free (step);
}

static void
mail_setup_remedy_finalize (GObject *object)
{
  MailSetupRemedy *self = MAIL_SETUP_REMEDY (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->summary);
  g_free (self->next_id);
  g_clear_pointer (&self->steps, g_ptr_array_unref);

  G_OBJECT_CLASS (mail_setup_remedy_parent_class)->finalize (object);
}

static void
mail_setup_remedy_class_init (MailSetupRemedyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mail_setup_remedy_finalize;
}

static void
mail_setup_remedy_init (MailSetupRemedy *self)
{
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
}

const char *
mail_setup_remedy_get_id (MailSetupRemedy *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_REMEDY (self), NULL);
  return self->id;
}

const char *
mail_setup_remedy_get_title (MailSetupRemedy *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_REMEDY (self), NULL);
  return g_dgettext (GETTEXT_PACKAGE, self->title);
}

const char *
mail_setup_remedy_get_summary (MailSetupRemedy *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_REMEDY (self), NULL);
  return g_dgettext (GETTEXT_PACKAGE, self->summary);
}

/* The remedy to offer when this one did not help, or NULL at the end. */
const char *
mail_setup_remedy_get_next_id (MailSetupRemedy *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_REMEDY (self), NULL);
  return self->next_id;
}

guint
mail_setup_remedy_get_n_steps (MailSetupRemedy *self)
{
  g_return_val_if_fail (MAIL_SETUP_IS_REMEDY (self), 0);
  return self->steps->len;
}

const MailSetupRemedyStep *
mail_setup_remedy_get_step (MailSetupRemedy *self,
                            guint            position)
{
  g_return_val_if_fail (MAIL_SETUP_IS_REMEDY (self), NULL);
  g_return_val_if_fail (position < self->steps->len, NULL);
  return g_ptr_array_index (self->steps, position);
}

/* The step's text, translated, with its placeholders still in it. */
const char *
mail_setup_remedy_get_step_text (MailSetupRemedy *self,
                                 guint            position)
{
  const MailSetupRemedyStep *step = mail_setup_remedy_get_step (self, position);

  return step ? g_dgettext (GETTEXT_PACKAGE, step->text) : NULL;
}

/* Whether STEP is for an account of PROVIDER (NULL when not known): a
 * step about Microsoft 365's admin center is noise to anyone else. */
gboolean
mail_setup_remedy_step_applies (const MailSetupRemedyStep *step,
                                MailSetupProvider         *provider)
{
  g_return_val_if_fail (step != NULL, FALSE);

  return step->provider == NULL ||
         (provider != NULL && g_strcmp0 (mail_setup_provider_get_id (provider), step->provider) == 0);
}

typedef enum
{
  ELEMENT_NONE,
  ELEMENT_TITLE,
  ELEMENT_SUMMARY,
  ELEMENT_STEP,
} Element;

typedef struct
{
  GPtrArray       *remedies;
  MailSetupRemedy *current;
  Element          element;
  GString         *text;
} ParseState;

static gboolean
parse_action (const char            *text,
              MailSetupRemedyAction *action)
{
  static const char *names[] = {
    [MAIL_SETUP_REMEDY_ACTION_NONE] = "none",
    [MAIL_SETUP_REMEDY_ACTION_RETRY] = "retry",
    [MAIL_SETUP_REMEDY_ACTION_BACK_TO_SETTINGS] = "back-to-settings",
    [MAIL_SETUP_REMEDY_ACTION_RESTORE_SETTINGS] = "restore-settings",
    [MAIL_SETUP_REMEDY_ACTION_SHOW_CERTIFICATE] = "show-certificate",
    [MAIL_SETUP_REMEDY_ACTION_MICROSOFT_SIGN_IN] = "microsoft-sign-in",
    [MAIL_SETUP_REMEDY_ACTION_BROWSER_SIGN_IN] = "browser-sign-in",
    [MAIL_SETUP_REMEDY_ACTION_DEVICE_SIGN_IN] = "device-sign-in",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_strcmp0 (text, names[i]) == 0)
        {
          *action = i;
          return TRUE;
        }
    }

  return FALSE;
}

static void
start_element_cb (GMarkupParseContext  *context,
                  const char           *name,
                  const char          **attribute_names,
                  const char          **attribute_values,
                  gpointer              user_data,
                  GError              **error)
{
  ParseState *state = user_data;
  const GSList *stack = g_markup_parse_context_get_element_stack (context);
  const char *parent = stack->next ? stack->next->data : NULL;

  if (g_str_equal (name, "remedies") && parent == NULL)
    return;

  if (g_str_equal (name, "remedy") && g_strcmp0 (parent, "remedies") == 0)
    {
      const char *id = NULL;
      const char *next = NULL;

      if (!g_markup_collect_attributes (name, attribute_names, attribute_values, error,
                                        G_MARKUP_COLLECT_STRING, "id", &id,
                                        G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "next", &next,
                                        G_MARKUP_COLLECT_INVALID))
        return;

      state->current = g_object_new (MAIL_SETUP_TYPE_REMEDY, NULL);
      state->current->id = g_strdup (id);
      state->current->next_id = g_strdup (next);
      g_ptr_array_add (state->remedies, state->current);
      return;
    }

  if (state->current != NULL && g_strcmp0 (parent, "remedy") == 0)
    {
      if (g_str_equal (name, "title"))
        state->element = ELEMENT_TITLE;
      else if (g_str_equal (name, "summary"))
        state->element = ELEMENT_SUMMARY;
      else if (g_str_equal (name, "step"))
        {
          const char *link = NULL, *tick = NULL, *copy = NULL, *action = NULL, *provider = NULL;
          MailSetupRemedyStep *step;

          if (!g_markup_collect_attributes (name, attribute_names, attribute_values, error,
                                            G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "link", &link,
                                            G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "tick", &tick,
                                            G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "copy", &copy,
                                            G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "action", &action,
                                            G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "provider", &provider,
                                            G_MARKUP_COLLECT_INVALID))
            return;

          if (state->current->steps->len == MAX_STEPS)
            {
              g_set_error (error, MAIL_SETUP_REMEDY_ERROR, MAIL_SETUP_REMEDY_ERROR_INVALID,
                           "Remedy %s has more than %d steps", state->current->id, MAX_STEPS);
              return;
            }

          step = g_new0 (MailSetupRemedyStep, 1);
          g_ptr_array_add (state->current->steps, step);
          step->link = g_strdup (link);
          step->provider = g_strdup (provider);
          step->tickable = g_strcmp0 (tick, "yes") == 0;
          step->copy_email = g_strcmp0 (copy, "email") == 0;
          step->copy_text = g_strcmp0 (copy, "text") == 0;
          if (copy != NULL && !step->copy_email && !step->copy_text)
            {
              g_set_error (error, MAIL_SETUP_REMEDY_ERROR, MAIL_SETUP_REMEDY_ERROR_INVALID,
                           "Unknown copy “%s”", copy);
              return;
            }
          if (action != NULL && !parse_action (action, &step->action))
            {
              g_set_error (error, MAIL_SETUP_REMEDY_ERROR, MAIL_SETUP_REMEDY_ERROR_INVALID,
                           "Unknown action “%s”", action);
              return;
            }
          /* A link that starts with a placeholder is checked once filled in. */
          if (link != NULL && !g_str_has_prefix (link, "https://") &&
              !(link[0] == '{' && strchr (link, '}') != NULL))
            {
              g_set_error (error, MAIL_SETUP_REMEDY_ERROR, MAIL_SETUP_REMEDY_ERROR_INVALID,
                           "Links must be https: %s", link);
              return;
            }
          state->element = ELEMENT_STEP;
        }
      else
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ELEMENT,
                     "Unknown element <%s>", name);
      g_string_truncate (state->text, 0);
      return;
    }

  g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ELEMENT,
               "Unexpected element <%s>", name);
}

static void
end_element_cb (GMarkupParseContext  *context,
                const char           *name,
                gpointer              user_data,
                GError              **error)
{
  ParseState *state = user_data;
  g_autofree char *text = NULL;

  if (state->element == ELEMENT_NONE)
    {
      if (g_str_equal (name, "remedy") && state->current != NULL)
        {
          if (state->current->title == NULL || state->current->steps->len == 0)
            g_set_error (error, MAIL_SETUP_REMEDY_ERROR, MAIL_SETUP_REMEDY_ERROR_INVALID,
                         "Remedy %s needs a title and steps", state->current->id);
          state->current = NULL;
        }
      return;
    }

  text = g_strstrip (g_strdup (state->text->str));
  switch (state->element)
    {
    case ELEMENT_TITLE:
      g_free (state->current->title);
      state->current->title = g_steal_pointer (&text);
      break;
    case ELEMENT_SUMMARY:
      g_free (state->current->summary);
      state->current->summary = g_steal_pointer (&text);
      break;
    case ELEMENT_STEP:
      {
        MailSetupRemedyStep *step = g_ptr_array_index (state->current->steps,
                                                       state->current->steps->len - 1);
        step->text = g_steal_pointer (&text);
      }
      break;
    case ELEMENT_NONE:
    default:
      break;
    }
  state->element = ELEMENT_NONE;
}

static void
text_cb (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              user_data,
         GError              **error)
{
  ParseState *state = user_data;

  if (state->element == ELEMENT_NONE)
    return;

  if (state->text->len + length > MAX_TEXT_LENGTH)
    {
      g_set_error_literal (error, MAIL_SETUP_REMEDY_ERROR, MAIL_SETUP_REMEDY_ERROR_INVALID,
                           "A remedy text is too long");
      return;
    }

  g_string_append_len (state->text, text, length);
}

/* Every id is unique and every next names a remedy, so that every chain
 * of next remedies ends. */
static gboolean
check_chains (GPtrArray  *remedies,
              GError    **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < remedies->len; i++)
    {
      MailSetupRemedy *remedy = g_ptr_array_index (remedies, i);

      if (!g_hash_table_add (ids, remedy->id))
        {
          g_set_error (error, MAIL_SETUP_REMEDY_ERROR, MAIL_SETUP_REMEDY_ERROR_INVALID,
                       "Remedy %s is defined twice", remedy->id);
          return FALSE;
        }
    }

  for (guint i = 0; i < remedies->len; i++)
    {
      MailSetupRemedy *remedy = g_ptr_array_index (remedies, i);
      const char *next = remedy->next_id;
      guint hops = 0;

      for (; next != NULL; hops++)
        {
          MailSetupRemedy *found = NULL;

          if (hops > remedies->len)
            {
              g_set_error (error, MAIL_SETUP_REMEDY_ERROR, MAIL_SETUP_REMEDY_ERROR_INVALID,
                           "The remedies after %s go round in a circle", remedy->id);
              return FALSE;
            }
          for (guint j = 0; j < remedies->len && found == NULL; j++)
            {
              if (g_str_equal (((MailSetupRemedy *) g_ptr_array_index (remedies, j))->id, next))
                found = g_ptr_array_index (remedies, j);
            }
          if (found == NULL)
            {
              g_set_error (error, MAIL_SETUP_REMEDY_ERROR, MAIL_SETUP_REMEDY_ERROR_INVALID,
                           "Remedy %s names an unknown next remedy %s", remedy->id, next);
              return FALSE;
            }
          next = found->next_id;
        }
    }

  return TRUE;
}

GPtrArray *
mail_setup_remedy_parse (const char  *xml,
                         gssize       length,
                         GError     **error)
{
  static const GMarkupParser parser = { start_element_cb, end_element_cb, text_cb, NULL, NULL };
  g_autoptr(GPtrArray) remedies = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  ParseState state = { remedies, NULL, ELEMENT_NONE, text };

  g_return_val_if_fail (xml != NULL, NULL);

  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, &state, NULL);
  if (!g_markup_parse_context_parse (context, xml, length, error) ||
      !g_markup_parse_context_end_parse (context, error) ||
      !check_chains (remedies, error))
    return NULL;

  return g_steal_pointer (&remedies);
}

static GListModel *
load_catalog (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) remedies = NULL;
  g_autoptr(GError) error = NULL;
  GListStore *store = g_list_store_new (MAIL_SETUP_TYPE_REMEDY);

  mail_setup_core_ensure_resources ();

  bytes = g_resources_lookup_data (REMEDIES_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (bytes != NULL)
    remedies = mail_setup_remedy_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                        &error);
  if (remedies == NULL)
    g_critical ("The bundled remedies cannot be read: %s", error->message);
  else
    g_list_store_splice (store, 0, 0, remedies->pdata, remedies->len);

  return G_LIST_MODEL (store);
}

GListModel *
mail_setup_remedy_catalog_get_default (void)
{
  static GListModel *catalog;

  if (g_once_init_enter (&catalog))
    g_once_init_leave (&catalog, load_catalog ());

  return catalog;
}

MailSetupRemedy *
mail_setup_remedy_catalog_lookup (const char *id)
{
  GListModel *catalog = mail_setup_remedy_catalog_get_default ();

  for (guint i = 0; i < g_list_model_get_n_items (catalog); i++)
    {
      g_autoptr(MailSetupRemedy) remedy = g_list_model_get_item (catalog, i);

      if (g_strcmp0 (remedy->id, id) == 0)
        return remedy;
    }

  return NULL;
}

/* The first remedy for DIAGNOSIS. Work and school accounts lost password
 * sign-in in 2022, so their refusals lead to Microsoft sign-in, by way of
 * the administrator for IMAP. */
const char *
mail_setup_remedy_for_diagnosis (MailSetupDiagnosis  diagnosis,
                                 MailSetupProvider  *provider)
{
  gboolean work_or_school = provider != NULL &&
                            g_strcmp0 (mail_setup_provider_get_id (provider), "microsoft365") == 0;

  if (work_or_school)
    {
      switch (diagnosis)
        {
        case MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED:
        case MAIL_SETUP_DIAGNOSIS_MS_ACCOUNT_BLOCKED:
          return "work-or-school";
        case MAIL_SETUP_DIAGNOSIS_MS_IMAP_NOT_CONNECTED:
          return "work-or-school-imap";
        default:
          break;
        }
    }

  return mail_setup_diagnosis_get_remedy (diagnosis);
}

/* Replaces each {name} in TEXT by its value in VALUES; unknown names stay. */
char *
mail_setup_remedy_expand (const char *text,
                          GHashTable *values)
{
  g_autoptr(GString) result = g_string_new (NULL);
  const char *p = text;

  g_return_val_if_fail (text != NULL, NULL);

  while (*p != '\0')
    {
      const char *open = strchr (p, '{');
      const char *close;
      g_autofree char *name = NULL;
      const char *value;

      if (open == NULL || (close = strchr (open, '}')) == NULL)
        {
          g_string_append (result, p);
          break;
        }

      g_string_append_len (result, p, open - p);
      name = g_strndup (open + 1, close - open - 1);
      value = values ? g_hash_table_lookup (values, name) : NULL;
      if (value != NULL)
        g_string_append (result, value);
      else
        g_string_append_len (result, open, close - open + 1);
      p = close + 1;
    }

  return g_string_free (g_steal_pointer (&result), FALSE);
}

/* LINK with its placeholders filled in, or NULL unless that is a whole
 * https address: a value may be missing or may not be https. */
char *
mail_setup_remedy_expand_link (const char *link,
                               GHashTable *values)
{
  g_autofree char *expanded = NULL;

  g_return_val_if_fail (link != NULL, NULL);

  expanded = mail_setup_remedy_expand (link, values);
  if (!g_str_has_prefix (expanded, "https://") ||
      strpbrk (expanded, "{} \t\r\n") != NULL ||
      !g_uri_is_valid (expanded, G_URI_FLAGS_NONE, NULL))
    return NULL;

  return g_steal_pointer (&expanded);
}

/* Where an administrator approves the app for the whole organisation.
 * The address needs the organisation's own directory: a tenant that stands
 * for any organisation is replaced by the domain of the e-mail address,
 * which Microsoft accepts as a verified domain of the directory. */
char *
mail_setup_remedy_admin_consent_uri (const char *authority,
                                     const char *tenant,
                                     const char *client_id,
                                     const char *email)
{
  const char *at = email ? strrchr (email, '@') : NULL;
  const char *directory = tenant;
  g_autofree char *escaped_directory = NULL;
  g_autofree char *escaped_client_id = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (authority != NULL, NULL);
  g_return_val_if_fail (client_id != NULL, NULL);

  if (directory == NULL || *directory == '\0' ||
      g_ascii_strcasecmp (directory, "common") == 0 ||
      g_ascii_strcasecmp (directory, "organizations") == 0 ||
      g_ascii_strcasecmp (directory, "consumers") == 0)
    directory = at != NULL && at[1] != '\0' ? at + 1 : "organizations";

  base = g_strdup (authority);
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  escaped_directory = g_uri_escape_string (directory, NULL, FALSE);
  escaped_client_id = g_uri_escape_string (client_id, NULL, FALSE);

  return g_strconcat (base, "/", escaped_directory, "/adminconsent?client_id=",
                      escaped_client_id, NULL);
}
