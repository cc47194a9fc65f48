/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "mail-setup-test-resolver.h"

struct _MailSetupTestResolver
{
  GResolver   parent_instance;

  GMutex      mutex;
  /* name (lower case) + record type → GList of GVariant records */
  GHashTable *records;
  GPtrArray  *questions;
  GPtrArray  *hung;
  gboolean    hang;
};

G_DEFINE_FINAL_TYPE (MailSetupTestResolver, mail_setup_test_resolver, G_TYPE_RESOLVER)

static char *
record_key (const char          *name,
            GResolverRecordType  type)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_strdup_printf ("%d %s", type, lower);
}

static void
free_records (gpointer data)
{
  g_list_free_full (data, (GDestroyNotify) g_variant_unref);
}

static void
note_question (MailSetupTestResolver *self,
               const char            *kind,
               const char            *name)
{
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->questions, g_strdup_printf ("%s %s", kind, name));
  g_mutex_unlock (&self->mutex);
}

static gboolean
get_hang (MailSetupTestResolver *self)
{
  gboolean hang;

  g_mutex_lock (&self->mutex);
  hang = self->hang;
  g_mutex_unlock (&self->mutex);

  return hang;
}

static const char *
type_name (GResolverRecordType type)
{
  switch (type)
    {
    case G_RESOLVER_RECORD_SRV:
      return "SRV";
    case G_RESOLVER_RECORD_MX:
      return "MX";
    case G_RESOLVER_RECORD_TXT:
      return "TXT";
    case G_RESOLVER_RECORD_SOA:
      return "SOA";
    case G_RESOLVER_RECORD_NS:
      return "NS";
    default:
      return "?";
    }
}

/* A copy of the records for NAME, or NULL with the resolver's own error
 * for a name without any. */
static GList *
find_records (MailSetupTestResolver  *self,
              const char             *name,
              GResolverRecordType     type,
              GError                **error)
{
  g_autofree char *key = record_key (name, type);
  GList *copy = NULL;

  g_mutex_lock (&self->mutex);
  for (GList *l = g_hash_table_lookup (self->records, key); l != NULL; l = l->next)
    copy = g_list_prepend (copy, g_variant_ref (l->data));
  g_mutex_unlock (&self->mutex);

  if (copy == NULL)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "No %s records for “%s” (test resolver)", type_name (type), name);

  return g_list_reverse (copy);
}

/* A task that answers only when its lookup is cancelled. */
static gboolean
hung_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;

  g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

static void
hang_task (MailSetupTestResolver *self,
           GTask                 *task)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (cancellable == NULL)
    {
      /* Never answers: kept until the resolver goes. */
      g_mutex_lock (&self->mutex);
      g_ptr_array_add (self->hung, g_object_ref (task));
      g_mutex_unlock (&self->mutex);
      return;
    }

  {
    g_autoptr(GSource) source = g_cancellable_source_new (cancellable);

    g_task_attach_source (task, source, (GSourceFunc) G_CALLBACK (hung_cancelled_cb));
  }
}

static GList *
lookup_records (GResolver            *resolver,
                const char           *rrname,
                GResolverRecordType   record_type,
                GCancellable         *cancellable,
                GError              **error)
{
  MailSetupTestResolver *self = MAIL_SETUP_TEST_RESOLVER (resolver);

  note_question (self, type_name (record_type), rrname);
  if (get_hang (self))
    {
      g_autoptr(GMainContext) context = g_main_context_new ();

      while (!g_cancellable_is_cancelled (cancellable))
        g_main_context_iteration (context, TRUE);
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    }

  return find_records (self, rrname, record_type, error);
}

static void
lookup_records_async (GResolver           *resolver,
                      const char          *rrname,
                      GResolverRecordType  record_type,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  MailSetupTestResolver *self = MAIL_SETUP_TEST_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *records;

  g_task_set_source_tag (task, lookup_records_async);
  note_question (self, type_name (record_type), rrname);
  if (get_hang (self))
    {
      hang_task (self, task);
      return;
    }

  records = find_records (self, rrname, record_type, &error);
  if (records == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, free_records);
}

static GList *
lookup_records_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Names and addresses: no test may reach the real DNS through them. */
static GList *
lookup_by_name_with_flags (GResolver                 *resolver,
                           const char                *hostname,
                           GResolverNameLookupFlags   flags,
                           GCancellable              *cancellable,
                           GError                   **error)
{
  note_question (MAIL_SETUP_TEST_RESOLVER (resolver), "A", hostname);
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
               "No address for “%s” (test resolver)", hostname);
  return NULL;
}

static GList *
lookup_by_name (GResolver     *resolver,
                const char    *hostname,
                GCancellable  *cancellable,
                GError       **error)
{
  return lookup_by_name_with_flags (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                    cancellable, error);
}

static void
lookup_by_name_with_flags_async (GResolver                *resolver,
                                 const char               *hostname,
                                 GResolverNameLookupFlags  flags,
                                 GCancellable             *cancellable,
                                 GAsyncReadyCallback       callback,
                                 gpointer                  user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;

  lookup_by_name_with_flags (resolver, hostname, flags, cancellable, &error);
  g_task_return_error (task, error);
}

static void
lookup_by_name_async (GResolver           *resolver,
                      const char          *hostname,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  lookup_by_name_with_flags_async (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                   cancellable, callback, user_data);
}

static GList *
lookup_by_name_finish (GResolver     *resolver,
                       GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
lookup_by_address (GResolver     *resolver,
                   GInetAddress  *address,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *text = g_inet_address_to_string (address);

  note_question (MAIL_SETUP_TEST_RESOLVER (resolver), "PTR", text);
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
               "No name for %s (test resolver)", text);
  return NULL;
}

static void
lookup_by_address_async (GResolver           *resolver,
                         GInetAddress        *address,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;

  lookup_by_address (resolver, address, cancellable, &error);
  g_task_return_error (task, error);
}

static char *
lookup_by_address_finish (GResolver     *resolver,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
mail_setup_test_resolver_finalize (GObject *object)
{
  MailSetupTestResolver *self = MAIL_SETUP_TEST_RESOLVER (object);

  g_hash_table_unref (self->records);
  g_ptr_array_unref (self->questions);
  g_ptr_array_unref (self->hung);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (mail_setup_test_resolver_parent_class)->finalize (object);
}

static void
mail_setup_test_resolver_class_init (MailSetupTestResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = mail_setup_test_resolver_finalize;

  resolver_class->lookup_by_name = lookup_by_name;
  resolver_class->lookup_by_name_async = lookup_by_name_async;
  resolver_class->lookup_by_name_finish = lookup_by_name_finish;
  resolver_class->lookup_by_name_with_flags = lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = lookup_by_name_finish;
  resolver_class->lookup_by_address = lookup_by_address;
  resolver_class->lookup_by_address_async = lookup_by_address_async;
  resolver_class->lookup_by_address_finish = lookup_by_address_finish;
  resolver_class->lookup_records = lookup_records;
  resolver_class->lookup_records_async = lookup_records_async;
  resolver_class->lookup_records_finish = lookup_records_finish;
}

static void
mail_setup_test_resolver_init (MailSetupTestResolver *self)
{
  g_mutex_init (&self->mutex);
  self->records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_records);
  self->questions = g_ptr_array_new_with_free_func (g_free);
  self->hung = g_ptr_array_new_with_free_func (g_object_unref);
}

MailSetupTestResolver *
mail_setup_test_resolver_new (void)
{
  return g_object_new (MAIL_SETUP_TYPE_TEST_RESOLVER, NULL);
}

static void
add_record (MailSetupTestResolver *self,
            const char            *name,
            GResolverRecordType    type,
            GVariant              *record)
{
  g_autofree char *key = record_key (name, type);
  GList *records;

  g_mutex_lock (&self->mutex);
  records = g_hash_table_lookup (self->records, key);
  /* Appending to a list keeps its head: the table's value stays right. */
  if (records != NULL)
    records = g_list_append (records, g_variant_ref_sink (record));
  else
    g_hash_table_insert (self->records, g_steal_pointer (&key),
                         g_list_append (NULL, g_variant_ref_sink (record)));
  g_mutex_unlock (&self->mutex);
}

void
mail_setup_test_resolver_add_mx (MailSetupTestResolver *self,
                                 const char            *domain,
                                 guint16                preference,
                                 const char            *exchange)
{
  g_return_if_fail (MAIL_SETUP_IS_TEST_RESOLVER (self));

  add_record (self, domain, G_RESOLVER_RECORD_MX, g_variant_new ("(qs)", preference, exchange));
}

void
mail_setup_test_resolver_add_srv (MailSetupTestResolver *self,
                                  const char            *name,
                                  guint16                priority,
                                  guint16                weight,
                                  guint16                port,
                                  const char            *target)
{
  g_return_if_fail (MAIL_SETUP_IS_TEST_RESOLVER (self));

  add_record (self, name, G_RESOLVER_RECORD_SRV,
              g_variant_new ("(qqqs)", priority, weight, port, target));
}

void
mail_setup_test_resolver_set_hang (MailSetupTestResolver *self,
                                   gboolean               hang)
{
  g_return_if_fail (MAIL_SETUP_IS_TEST_RESOLVER (self));

  g_mutex_lock (&self->mutex);
  self->hang = hang;
  g_mutex_unlock (&self->mutex);
}

GStrv
mail_setup_test_resolver_get_questions (MailSetupTestResolver *self)
{
  GStrv questions;

  g_return_val_if_fail (MAIL_SETUP_IS_TEST_RESOLVER (self), NULL);

  g_mutex_lock (&self->mutex);
  questions = g_new0 (char *, self->questions->len + 1);
  for (guint i = 0; i < self->questions->len; i++)
    questions[i] = g_strdup (g_ptr_array_index (self->questions, i));
  g_mutex_unlock (&self->mutex);

  return questions;
}

guint
mail_setup_test_resolver_get_n_questions (MailSetupTestResolver *self)
{
  guint n;

  g_return_val_if_fail (MAIL_SETUP_IS_TEST_RESOLVER (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->questions->len;
  g_mutex_unlock (&self->mutex);

  return n;
}
