/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The guided fixes as data: complete, safe to link to, and finite. */

#include "mail-setup-account.h"
#include "mail-setup-remedy.h"

static void
test_remedy_every_diagnosis_has_one (void)
{
  const char *providers[] = { NULL, "outlook", "msn", "microsoft365", "other" };

  for (guint p = 0; p < G_N_ELEMENTS (providers); p++)
    {
      MailSetupProvider *provider = providers[p] ? mail_setup_provider_catalog_lookup (providers[p]) : NULL;

      for (guint d = 0; d < MAIL_SETUP_N_DIAGNOSES; d++)
        {
          const char *id = mail_setup_remedy_for_diagnosis (d, provider);

          if (d == MAIL_SETUP_DIAGNOSIS_OK || d == MAIL_SETUP_DIAGNOSIS_CANCELLED)
            {
              g_assert_null (id);
              continue;
            }
          g_assert_nonnull (id);
          g_assert_nonnull (mail_setup_remedy_catalog_lookup (id));
        }
    }

  /* Work and school accounts cannot use Recent activity. */
  g_assert_cmpstr (mail_setup_remedy_for_diagnosis (MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED,
                                                    mail_setup_provider_catalog_lookup ("microsoft365")),
                   ==, "work-or-school");
  g_assert_cmpstr (mail_setup_remedy_for_diagnosis (MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED,
                                                    mail_setup_provider_catalog_lookup ("outlook")),
                   ==, "recent-activity");
  g_assert_cmpstr (mail_setup_remedy_for_diagnosis (MAIL_SETUP_DIAGNOSIS_MS_BASIC_AUTH_BLOCKED, NULL),
                   ==, "microsoft-sign-in");
}

static void
test_remedy_links_https_and_chains_end (void)
{
  GListModel *catalog = mail_setup_remedy_catalog_get_default ();
  guint n = g_list_model_get_n_items (catalog);

  g_assert_cmpuint (n, >=, 12);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MailSetupRemedy) remedy = g_list_model_get_item (catalog, i);
      const char *next = mail_setup_remedy_get_next_id (remedy);
      guint hops = 0;

      g_assert_cmpstr (mail_setup_remedy_get_title (remedy), !=, "");
      g_assert_cmpstr (mail_setup_remedy_get_summary (remedy), !=, "");
      for (guint s = 0; s < mail_setup_remedy_get_n_steps (remedy); s++)
        {
          const MailSetupRemedyStep *step = mail_setup_remedy_get_step (remedy, s);

          g_assert_cmpstr (mail_setup_remedy_get_step_text (remedy, s), !=, "");
          if (step->link != NULL)
            g_assert_true (g_str_has_prefix (step->link, "https://"));
        }

      for (; next != NULL; hops++)
        {
          g_assert_cmpuint (hops, <, n);
          next = mail_setup_remedy_get_next_id (mail_setup_remedy_catalog_lookup (next));
        }
    }

  /* The order the issue asks for after the basic-authentication error. */
  g_assert_cmpstr (mail_setup_remedy_get_next_id (mail_setup_remedy_catalog_lookup ("recent-activity")),
                   ==, "enable-imap");
  g_assert_cmpstr (mail_setup_remedy_get_next_id (mail_setup_remedy_catalog_lookup ("enable-imap")),
                   ==, "app-password");
  g_assert_cmpstr (mail_setup_remedy_get_next_id (mail_setup_remedy_catalog_lookup ("app-password")),
                   ==, "microsoft-sign-in");
}

static void
test_remedy_recent_activity_holds_attempt_time (void)
{
  MailSetupRemedy *remedy = mail_setup_remedy_catalog_lookup ("recent-activity");
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *text = NULL;
  gboolean found = FALSE;

  g_hash_table_insert (values, "time", "21:03:12, 25/11/26");
  g_hash_table_insert (values, "email", "someone@outlook.com");
  for (guint s = 0; s < mail_setup_remedy_get_n_steps (remedy); s++)
    {
      g_free (text);
      text = mail_setup_remedy_expand (mail_setup_remedy_get_step_text (remedy, s), values);
      if (strstr (text, "21:03:12, 25/11/26") != NULL)
        found = TRUE;
      g_assert_null (strstr (text, "{time}"));
    }
  g_assert_true (found);
}

static void
test_remedy_account_offers_next_when_tried (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();

  mail_setup_account_set_email (account, "someone@outlook.com");
  g_assert_cmpstr (mail_setup_account_choose_remedy (account, MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED), ==,
                   "recent-activity");
  mail_setup_account_mark_remedy_tried (account, "recent-activity");
  g_assert_cmpstr (mail_setup_account_choose_remedy (account, MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED), ==,
                   "enable-imap");
  mail_setup_account_mark_remedy_tried (account, "enable-imap");
  mail_setup_account_mark_remedy_tried (account, "app-password");
  mail_setup_account_mark_remedy_tried (account, "microsoft-sign-in");
  /* The chain ends: the last fix stays on offer. */
  g_assert_cmpstr (mail_setup_account_choose_remedy (account, MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED), ==,
                   "microsoft-sign-in");
  g_assert_cmpuint (g_strv_length ((char **) mail_setup_account_get_tried_remedies (account)), ==, 4);
}

static void
test_remedy_parse_refuses_bad_data (void)
{
  const char *bad[] = {
    "<remedies><remedy id='a' next='b'><title>A</title><summary>s</summary><step>x</step></remedy></remedies>",
    "<remedies><remedy id='a' next='a'><title>A</title><summary>s</summary><step>x</step></remedy></remedies>",
    "<remedies><remedy id='a'><title>A</title><summary>s</summary><step link='http://x.test'>x</step></remedy></remedies>",
    "<remedies><remedy id='a'><title>A</title><summary>s</summary><step action='ignore'>x</step></remedy></remedies>",
    "<remedies><remedy id='a'><title>A</title><summary>s</summary></remedy></remedies>",
    "<remedies><remedy id='a'><title>A</title><summary>s</summary><step>x</step></remedy>"
    "<remedy id='a'><title>A</title><summary>s</summary><step>x</step></remedy></remedies>",
    "<remedies><remedy id='a'><title>A</title>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) remedies = mail_setup_remedy_parse (bad[i], -1, &error);

      g_assert_null (remedies);
      g_assert_nonnull (error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/remedy/every-diagnosis-has-one", test_remedy_every_diagnosis_has_one);
  g_test_add_func ("/remedy/links-https-and-chains-end", test_remedy_links_https_and_chains_end);
  g_test_add_func ("/remedy/recent-activity-holds-attempt-time",
                   test_remedy_recent_activity_holds_attempt_time);
  g_test_add_func ("/remedy/account-offers-next-when-tried", test_remedy_account_offers_next_when_tried);
  g_test_add_func ("/remedy/parse-refuses-bad-data", test_remedy_parse_refuses_bad_data);

  return g_test_run ();
}
