/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * The baseline that bench/run holds the wizard against: a libadwaita
 * application with one AdwApplicationWindow of the wizard's default size, a
 * header bar and a label. Like mail-setup, it quits after its first drawn
 * frame when MAIL_SETUP_EXIT_AFTER_FIRST_FRAME=1.
 */

#include <adwaita.h>

static void
activate_cb (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), gtk_label_new ("Minimal window"));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 720);
  gtk_window_present (GTK_WINDOW (window));

  if (g_strcmp0 (g_getenv ("MAIL_SETUP_EXIT_AFTER_FIRST_FRAME"), "1") == 0)
    g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint",
                             G_CALLBACK (g_application_quit), app, G_CONNECT_SWAPPED);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  app = adw_application_new ("io.github.mailsetup.MailSetup.BenchMinimalWindow",
                             G_APPLICATION_DEFAULT_FLAGS);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
