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

/* What the window fills in, as it would for a work account. */
static GHashTable *
sample_values (void)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (values, "email", g_strdup ("someone@contoso.example"));
  g_hash_table_insert (values, "time", g_strdup ("21:03:12, 25/11/26"));
  g_hash_table_insert (values, "server", g_strdup ("outlook.office365.com"));
  g_hash_table_insert (values, "port", g_strdup ("993"));
  g_hash_table_insert (values, "provider", g_strdup ("Microsoft 365"));
  g_hash_table_insert (values, "known-good", g_strdup ("outlook.office365.com, port 993, SSL/TLS"));
  g_hash_table_insert (values, "found", g_strdup ("This is a web server, not a mail server."));
  g_hash_table_insert (values, "client-id", g_strdup ("9e5f94bc-e8a4-4e73-b8be-63364c29d753"));
  g_hash_table_insert (values, "authority", g_strdup ("https://login.microsoftonline.com"));
  g_hash_table_insert (values, "tenant", g_strdup ("common"));
  g_hash_table_insert (values, "admin-consent-uri",
                       mail_setup_remedy_admin_consent_uri ("https://login.microsoftonline.com", "common",
                                                            "9e5f94bc-e8a4-4e73-b8be-63364c29d753",
                                                            "someone@contoso.example"));

  return values;
}

static void
test_remedy_links_https_and_chains_end (void)
{
  GListModel *catalog = mail_setup_remedy_catalog_get_default ();
  guint n = g_list_model_get_n_items (catalog);
  g_autoptr(GHashTable) values = sample_values ();

  g_assert_cmpuint (n, >=, 20);

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
            {
              g_autofree char *link = mail_setup_remedy_expand_link (step->link, values);

              g_assert_nonnull (link);
              g_assert_true (g_str_has_prefix (link, "https://"));
            }
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

/* Every {placeholder} in the catalog is one that the window fills in. */
static void
test_remedy_placeholders_are_known (void)
{
  GListModel *catalog = mail_setup_remedy_catalog_get_default ();
  g_autoptr(GHashTable) values = sample_values ();

  for (guint i = 0; i < g_list_model_get_n_items (catalog); i++)
    {
      g_autoptr(MailSetupRemedy) remedy = g_list_model_get_item (catalog, i);
      g_autofree char *summary = mail_setup_remedy_expand (mail_setup_remedy_get_summary (remedy), values);

      g_assert_null (strchr (summary, '{'));
      for (guint s = 0; s < mail_setup_remedy_get_n_steps (remedy); s++)
        {
          g_autofree char *text = mail_setup_remedy_expand (mail_setup_remedy_get_step_text (remedy, s),
                                                            values);

          g_assert_null (strchr (text, '{'));
        }
    }
}

static gboolean
remedy_says (MailSetupRemedy *remedy,
             const char      *words)
{
  if (strstr (mail_setup_remedy_get_summary (remedy), words) != NULL)
    return TRUE;

  for (guint s = 0; s < mail_setup_remedy_get_n_steps (remedy); s++)
    {
      if (strstr (mail_setup_remedy_get_step_text (remedy, s), words) != NULL)
        return TRUE;
    }

  return FALSE;
}

static gboolean
remedy_offers (MailSetupRemedy       *remedy,
               MailSetupRemedyAction  action)
{
  for (guint s = 0; s < mail_setup_remedy_get_n_steps (remedy); s++)
    {
      if (mail_setup_remedy_get_step (remedy, s)->action == action)
        return TRUE;
    }

  return FALSE;
}

static void
test_remedy_sign_in_fixes (void)
{
  const char *sign_in_remedies[] = {
    "admin-consent", "blocked-by-policy", "sign-in-again", "sign-in-right-account",
    "sign-in-app-settings", "sign-in-unreachable", "sign-in-refused", "mailbox-imap-access",
  };
  g_autoptr(GHashTable) values = sample_values ();
  MailSetupRemedy *remedy;
  const MailSetupRemedyStep *step;
  gboolean found_copy = FALSE;
  gboolean found_consent_link = FALSE;

  /* A token problem is never fixed with a password or Recent activity, and
   * always ends in a way to sign in again. */
  for (guint i = 0; i < G_N_ELEMENTS (sign_in_remedies); i++)
    {
      remedy = mail_setup_remedy_catalog_lookup (sign_in_remedies[i]);
      g_assert_nonnull (remedy);
      g_assert_false (remedy_says (remedy, "assword"));
      g_assert_false (remedy_says (remedy, "Recent activity"));
      g_assert_true (remedy_offers (remedy, MAIL_SETUP_REMEDY_ACTION_MICROSOFT_SIGN_IN) ||
                     remedy_offers (remedy, MAIL_SETUP_REMEDY_ACTION_BROWSER_SIGN_IN));
    }

  /* The request for the administrator names the app and where to approve it. */
  remedy = mail_setup_remedy_catalog_lookup ("admin-consent");
  for (guint s = 0; s < mail_setup_remedy_get_n_steps (remedy); s++)
    {
      step = mail_setup_remedy_get_step (remedy, s);
      if (step->copy_text)
        {
          g_autofree char *text = mail_setup_remedy_expand (mail_setup_remedy_get_step_text (remedy, s),
                                                            values);

          g_assert_nonnull (strstr (text, "9e5f94bc-e8a4-4e73-b8be-63364c29d753"));
          g_assert_nonnull (strstr (text, "https://login.microsoftonline.com/contoso.example/adminconsent?client_id="));
          found_copy = TRUE;
        }
      if (g_strcmp0 (step->link, "{admin-consent-uri}") == 0)
        {
          g_autofree char *link = mail_setup_remedy_expand_link (step->link, values);

          g_assert_cmpstr (link, ==, "https://login.microsoftonline.com/contoso.example/adminconsent"
                                     "?client_id=9e5f94bc-e8a4-4e73-b8be-63364c29d753");
          found_consent_link = TRUE;
        }
    }
  g_assert_true (found_copy);
  g_assert_true (found_consent_link);

  /* "Block device code flow" blocks only the code: the browser comes first. */
  remedy = mail_setup_remedy_catalog_lookup ("blocked-by-policy");
  g_assert_cmpint (mail_setup_remedy_get_step (remedy, 0)->action, ==,
                   MAIL_SETUP_REMEDY_ACTION_BROWSER_SIGN_IN);

  g_assert_true (remedy_offers (mail_setup_remedy_catalog_lookup ("sign-in-again"),
                                MAIL_SETUP_REMEDY_ACTION_MICROSOFT_SIGN_IN));
  g_assert_true (remedy_says (mail_setup_remedy_catalog_lookup ("sign-in-app-settings"), "oauth-client-id"));
  g_assert_true (remedy_says (mail_setup_remedy_catalog_lookup ("mailbox-imap-access"),
                              "Set-CASMailbox -Identity {email} -ImapEnabled $true"));
}

/* Every remedy in the catalog is offered for some diagnosis, directly or
 * as the next of one that was tried: a fix nobody can reach is dead text. */
static void
test_remedy_every_one_reachable (void)
{
  const char *providers[] = { NULL, "outlook", "msn", "microsoft365", "other" };
  GListModel *catalog = mail_setup_remedy_catalog_get_default ();
  g_autoptr(GHashTable) reachable = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint p = 0; p < G_N_ELEMENTS (providers); p++)
    {
      MailSetupProvider *provider = providers[p] ? mail_setup_provider_catalog_lookup (providers[p]) : NULL;

      for (guint d = 0; d < MAIL_SETUP_N_DIAGNOSES; d++)
        {
          /* Receiving; sending with a password; sending with a token. */
          const char *firsts[] = {
            mail_setup_remedy_for_diagnosis (d, provider),
            mail_setup_diagnosis_get_sending_remedy (d, FALSE),
            mail_setup_diagnosis_get_sending_remedy (d, TRUE),
          };

          for (guint f = 0; f < G_N_ELEMENTS (firsts); f++)
            {
              const char *id = firsts[f];

              for (guint hops = 0; id != NULL && hops <= g_list_model_get_n_items (catalog); hops++)
                {
                  g_hash_table_add (reachable, (gpointer) id);
                  id = mail_setup_remedy_get_next_id (mail_setup_remedy_catalog_lookup (id));
                }
            }
        }
    }

  for (guint i = 0; i < g_list_model_get_n_items (catalog); i++)
    {
      g_autoptr(MailSetupRemedy) remedy = g_list_model_get_item (catalog, i);

      g_test_message ("%s", mail_setup_remedy_get_id (remedy));
      g_assert_true (g_hash_table_contains (reachable, mail_setup_remedy_get_id (remedy)));
    }
}

/* The fixes of the outgoing check say what Microsoft's documentation says,
 * and each ends in a way to test again or to sign in. */
static void
test_remedy_sending_fixes (void)
{
  g_autoptr(GHashTable) values = sample_values ();
  MailSetupRemedy *remedy;
  gboolean found_command = FALSE;
  gboolean found_request = FALSE;

  remedy = mail_setup_remedy_catalog_lookup ("enable-authenticated-smtp");
  g_assert_nonnull (remedy);
  for (guint s = 0; s < mail_setup_remedy_get_n_steps (remedy); s++)
    {
      const MailSetupRemedyStep *step = mail_setup_remedy_get_step (remedy, s);
      g_autofree char *text = mail_setup_remedy_expand (mail_setup_remedy_get_step_text (remedy, s), values);

      if (!step->copy_text)
        continue;
      /* The command is copied alone, ready to paste, for this mailbox. */
      if (g_str_equal (text, "Set-CASMailbox -Identity someone@contoso.example "
                             "-SmtpClientAuthenticationDisabled $false"))
        found_command = TRUE;
      else if (strstr (text, "someone@contoso.example") != NULL &&
               strstr (text, "Authenticated SMTP") != NULL)
        found_request = TRUE;
    }
  g_assert_true (found_command);
  g_assert_true (found_request);
  g_assert_true (remedy_says (remedy, "Set-TransportConfig -SmtpClientAuthenticationDisabled $false"));
  g_assert_true (remedy_says (remedy, "Manage email apps"));
  g_assert_true (remedy_offers (remedy, MAIL_SETUP_REMEDY_ACTION_RETRY));
  /* Authenticated SMTP off blocks Microsoft sign-in too: no false hope. */
  g_assert_false (remedy_offers (remedy, MAIL_SETUP_REMEDY_ACTION_MICROSOFT_SIGN_IN));

  remedy = mail_setup_remedy_catalog_lookup ("smtp-microsoft-sign-in");
  g_assert_nonnull (remedy);
  g_assert_true (remedy_offers (remedy, MAIL_SETUP_REMEDY_ACTION_MICROSOFT_SIGN_IN));
  /* IMAP's dates are not sending's. */
  g_assert_false (remedy_says (remedy, "2022"));
  g_assert_false (remedy_says (remedy, "2024"));

  remedy = mail_setup_remedy_catalog_lookup ("sending-server");
  g_assert_nonnull (remedy);
  g_assert_true (remedy_offers (remedy, MAIL_SETUP_REMEDY_ACTION_RESTORE_SETTINGS));
  g_assert_true (remedy_offers (remedy, MAIL_SETUP_REMEDY_ACTION_BACK_TO_SETTINGS));
  g_assert_true (remedy_offers (remedy, MAIL_SETUP_REMEDY_ACTION_RETRY));
  g_assert_true (remedy_says (remedy, "{known-good}"));
  g_assert_true (remedy_says (remedy, "port 587 with STARTTLS"));
  g_assert_true (remedy_says (remedy, "port 465 with SSL/TLS"));

  remedy = mail_setup_remedy_catalog_lookup ("smtp-sign-in");
  g_assert_nonnull (remedy);
  g_assert_true (remedy_offers (remedy, MAIL_SETUP_REMEDY_ACTION_BACK_TO_SETTINGS));
  g_assert_true (remedy_offers (remedy, MAIL_SETUP_REMEDY_ACTION_RETRY));
  g_assert_true (remedy_says (remedy, "Authenticated SMTP"));
  /* The admin center's step is shown for Microsoft 365 accounts alone. */
  for (guint i = 0; i < mail_setup_remedy_get_n_steps (remedy); i++)
    {
      const MailSetupRemedyStep *step = mail_setup_remedy_get_step (remedy, i);
      gboolean about_admin_center = strstr (step->text, "Microsoft 365 admin center") != NULL;

      g_assert_true (mail_setup_remedy_step_applies (step, mail_setup_provider_catalog_lookup ("microsoft365")));
      g_assert_true (mail_setup_remedy_step_applies (step, mail_setup_provider_catalog_lookup ("other")) ==
                     !about_admin_center);
      g_assert_true (mail_setup_remedy_step_applies (step, mail_setup_provider_catalog_lookup ("outlook")) ==
                     !about_admin_center);
    }

  remedy = mail_setup_remedy_catalog_lookup ("sender-address");
  g_assert_nonnull (remedy);
  g_assert_true (remedy_says (remedy, "{email}"));
  g_assert_true (remedy_says (remedy, "Send As"));
  g_assert_true (remedy_offers (remedy, MAIL_SETUP_REMEDY_ACTION_RETRY));
}

/* A step for one provider names one the catalog knows: a typo would hide
 * the step from everyone. */
static void
test_remedy_steps_name_known_providers (void)
{
  GListModel *catalog = mail_setup_remedy_catalog_get_default ();
  guint n_for_one = 0;

  for (guint i = 0; i < g_list_model_get_n_items (catalog); i++)
    {
      g_autoptr(MailSetupRemedy) remedy = g_list_model_get_item (catalog, i);

      for (guint j = 0; j < mail_setup_remedy_get_n_steps (remedy); j++)
        {
          const MailSetupRemedyStep *step = mail_setup_remedy_get_step (remedy, j);

          if (step->provider == NULL)
            continue;
          if (mail_setup_provider_catalog_lookup (step->provider) == NULL)
            g_error ("Step %u of %s is for provider %s, which the catalog does not know",
                     j + 1, mail_setup_remedy_get_id (remedy), step->provider);
          n_for_one++;
        }
    }
  g_assert_cmpuint (n_for_one, >, 0);
}

static void
test_remedy_admin_consent_uri (void)
{
  static const struct
  {
    const char *authority;
    const char *tenant;
    const char *email;
    const char *expected;
  } cases[] = {
    { "https://login.microsoftonline.com", "common", "a@contoso.example",
      "https://login.microsoftonline.com/contoso.example/adminconsent?client_id=C" },
    { "https://login.microsoftonline.com/", "organizations", "a@contoso.example",
      "https://login.microsoftonline.com/contoso.example/adminconsent?client_id=C" },
    { "https://login.microsoftonline.com", "Consumers", "a@contoso.example",
      "https://login.microsoftonline.com/contoso.example/adminconsent?client_id=C" },
    { "https://login.microsoftonline.com", "72f988bf-86f1-41af-91ab-2d7cd011db47", "a@contoso.example",
      "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/adminconsent?client_id=C" },
    { "https://login.microsoftonline.com", "common", NULL,
      "https://login.microsoftonline.com/organizations/adminconsent?client_id=C" },
    { "https://login.microsoftonline.com", "common", "no-domain@",
      "https://login.microsoftonline.com/organizations/adminconsent?client_id=C" },
    { "https://login.microsoftonline.com", "", "a@contoso.example",
      "https://login.microsoftonline.com/contoso.example/adminconsent?client_id=C" },
    { "https://login.microsoftonline.com", "a/b?c", "a@contoso.example",
      "https://login.microsoftonline.com/a%2Fb%3Fc/adminconsent?client_id=C" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri = mail_setup_remedy_admin_consent_uri (cases[i].authority, cases[i].tenant,
                                                                  "C", cases[i].email);

      g_assert_cmpstr (uri, ==, cases[i].expected);
    }
}

static void
test_remedy_expand_link (void)
{
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *https = NULL;
  g_autofree char *literal = NULL;
  g_autofree char *plain_http = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *not_a_uri = NULL;
  g_autofree char *javascript = NULL;

  g_hash_table_insert (values, "good", "https://login.microsoftonline.com/x/adminconsent?client_id=C");
  g_hash_table_insert (values, "plain", "http://login.microsoftonline.com/");
  g_hash_table_insert (values, "spaced", "https://a b");
  g_hash_table_insert (values, "script", "javascript:alert(1)");

  https = mail_setup_remedy_expand_link ("{good}", values);
  g_assert_cmpstr (https, ==, "https://login.microsoftonline.com/x/adminconsent?client_id=C");
  literal = mail_setup_remedy_expand_link ("https://entra.microsoft.com", values);
  g_assert_cmpstr (literal, ==, "https://entra.microsoft.com");
  plain_http = mail_setup_remedy_expand_link ("{plain}", values);
  g_assert_null (plain_http);
  missing = mail_setup_remedy_expand_link ("{admin-consent-uri}", values);
  g_assert_null (missing);
  not_a_uri = mail_setup_remedy_expand_link ("{spaced}", values);
  g_assert_null (not_a_uri);
  javascript = mail_setup_remedy_expand_link ("{script}", values);
  g_assert_null (javascript);
}

static void
test_remedy_parse_new_steps (void)
{
  const char *xml =
    "<remedies><remedy id='a'><title>A</title><summary>s</summary>"
    "<step copy='text' tick='yes'>Please approve {client-id}.</step>"
    "<step link='{admin-consent-uri}'>Approve here.</step>"
    "<step action='browser-sign-in'>In the browser.</step>"
    "<step action='device-sign-in'>On another device.</step>"
    "<step action='microsoft-sign-in' copy='email'>Again.</step>"
    "</remedy></remedies>";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) remedies = mail_setup_remedy_parse (xml, -1, &error);
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *text = NULL;
  g_autofree char *link = NULL;
  MailSetupRemedy *remedy;
  const MailSetupRemedyStep *step;

  g_assert_no_error (error);
  g_assert_cmpuint (remedies->len, ==, 1);
  remedy = g_ptr_array_index (remedies, 0);
  g_assert_cmpuint (mail_setup_remedy_get_n_steps (remedy), ==, 5);

  step = mail_setup_remedy_get_step (remedy, 0);
  g_assert_true (step->copy_text);
  g_assert_false (step->copy_email);
  g_assert_true (step->tickable);
  g_hash_table_insert (values, "client-id", "C");
  g_hash_table_insert (values, "admin-consent-uri", "https://login.example/t/adminconsent?client_id=C");
  text = mail_setup_remedy_expand (mail_setup_remedy_get_step_text (remedy, 0), values);
  g_assert_cmpstr (text, ==, "Please approve C.");

  step = mail_setup_remedy_get_step (remedy, 1);
  g_assert_cmpstr (step->link, ==, "{admin-consent-uri}");
  link = mail_setup_remedy_expand_link (step->link, values);
  g_assert_cmpstr (link, ==, "https://login.example/t/adminconsent?client_id=C");

  g_assert_cmpint (mail_setup_remedy_get_step (remedy, 2)->action, ==, MAIL_SETUP_REMEDY_ACTION_BROWSER_SIGN_IN);
  g_assert_cmpint (mail_setup_remedy_get_step (remedy, 3)->action, ==, MAIL_SETUP_REMEDY_ACTION_DEVICE_SIGN_IN);
  step = mail_setup_remedy_get_step (remedy, 4);
  g_assert_cmpint (step->action, ==, MAIL_SETUP_REMEDY_ACTION_MICROSOFT_SIGN_IN);
  g_assert_true (step->copy_email);
  g_assert_false (step->copy_text);
}

static void
test_remedy_account_with_token (void)
{
  g_autoptr(MailSetupAccount) account = mail_setup_account_new ();

  mail_setup_account_set_email (account, "someone@contoso.example");
  mail_setup_account_set_microsoft_tokens (account, "access", "refresh");

  /* A token refused as such has fixes of its own, for the mailbox. */
  g_assert_cmpstr (mail_setup_account_choose_remedy (account, MAIL_SETUP_DIAGNOSIS_OAUTH_TOKEN_REFUSED), ==,
                   "mailbox-imap-access");
  /* One refused with a password's words still leads back to signing in. */
  g_assert_cmpstr (mail_setup_account_choose_remedy (account, MAIL_SETUP_DIAGNOSIS_MS_AUTH_FAILED), ==,
                   "microsoft-sign-in");
  g_assert_cmpstr (mail_setup_account_choose_remedy (account, MAIL_SETUP_DIAGNOSIS_AUTH_FAILED), ==,
                   "microsoft-sign-in");
  g_assert_cmpstr (mail_setup_account_choose_remedy (account, MAIL_SETUP_DIAGNOSIS_SIGN_IN_BLOCKED), ==,
                   "blocked-by-policy");
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
    "<remedies><remedy id='a'><title>A</title><summary>s</summary><step link='http://{host}/'>x</step></remedy></remedies>",
    "<remedies><remedy id='a'><title>A</title><summary>s</summary><step link='javascript:x'>x</step></remedy></remedies>",
    "<remedies><remedy id='a'><title>A</title><summary>s</summary><step link=''>x</step></remedy></remedies>",
    "<remedies><remedy id='a'><title>A</title><summary>s</summary><step link='{x'>x</step></remedy></remedies>",
    "<remedies><remedy id='a'><title>A</title><summary>s</summary><step copy='password'>x</step></remedy></remedies>",
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
  g_test_add_func ("/remedy/placeholders-are-known", test_remedy_placeholders_are_known);
  g_test_add_func ("/remedy/sign-in-fixes", test_remedy_sign_in_fixes);
  g_test_add_func ("/remedy/every-one-reachable", test_remedy_every_one_reachable);
  g_test_add_func ("/remedy/sending-fixes", test_remedy_sending_fixes);
  g_test_add_func ("/remedy/admin-consent-uri", test_remedy_admin_consent_uri);
  g_test_add_func ("/remedy/expand-link", test_remedy_expand_link);
  g_test_add_func ("/remedy/parse-new-steps", test_remedy_parse_new_steps);
  g_test_add_func ("/remedy/account-with-token", test_remedy_account_with_token);
  g_test_add_func ("/remedy/account-offers-next-when-tried", test_remedy_account_offers_next_when_tried);
  g_test_add_func ("/remedy/parse-refuses-bad-data", test_remedy_parse_refuses_bad_data);
  g_test_add_func ("/remedy/steps-name-known-providers", test_remedy_steps_name_known_providers);

  return g_test_run ();
}
