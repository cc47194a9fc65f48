/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Which mail programs are on this computer, found in a PATH and XDG data
 * folders of the test's own: the computer's own programs never count. */

#include <glib/gstdio.h>

#include "mail-setup-mail-programs.h"

static char *folder;

static char *
make_file (const char *relative,
           const char *contents,
           int         mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  char *path = g_build_filename (folder, relative, NULL);

  dir = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);

  return path;
}

static void
use_path (const char *relative)
{
  g_autofree char *bin = g_build_filename (folder, relative, NULL);

  g_setenv ("PATH", bin, TRUE);
}

static void
assert_installed (MailSetupMailProgram program,
                  gboolean             installed)
{
  g_test_message ("%s", mail_setup_mail_program_get_id (program));
  g_assert_cmpint (mail_setup_mail_program_is_installed (program), ==, installed);
}

static void
test_names_and_formats (void)
{
  MailSetupExportFormat format;

  g_assert_cmpstr (mail_setup_mail_program_get_id (MAIL_SETUP_MAIL_PROGRAM_MBSYNC), ==, "mbsync");
  g_assert_cmpstr (mail_setup_mail_program_get_name (MAIL_SETUP_MAIL_PROGRAM_MBSYNC), ==,
                   "mbsync (isync)");
  g_assert_cmpstr (mail_setup_mail_program_get_name (MAIL_SETUP_MAIL_PROGRAM_NEOMUTT), ==, "NeoMutt");

  g_assert_false (mail_setup_mail_program_get_export_format (MAIL_SETUP_MAIL_PROGRAM_THUNDERBIRD,
                                                             &format));
  g_assert_false (mail_setup_mail_program_get_export_format (MAIL_SETUP_MAIL_PROGRAM_EVOLUTION,
                                                             &format));
  g_assert_true (mail_setup_mail_program_get_export_format (MAIL_SETUP_MAIL_PROGRAM_MSMTP, &format));
  g_assert_cmpint (format, ==, MAIL_SETUP_EXPORT_MSMTP);
  g_assert_true (mail_setup_mail_program_get_export_format (MAIL_SETUP_MAIL_PROGRAM_MBSYNC, &format));
  g_assert_cmpint (format, ==, MAIL_SETUP_EXPORT_MBSYNC);
  g_assert_true (mail_setup_mail_program_get_export_format (MAIL_SETUP_MAIL_PROGRAM_NEOMUTT, &format));
  g_assert_cmpint (format, ==, MAIL_SETUP_EXPORT_NEOMUTT);
  g_assert_true (mail_setup_mail_program_get_export_format (MAIL_SETUP_MAIL_PROGRAM_AERC, &format));
  g_assert_cmpint (format, ==, MAIL_SETUP_EXPORT_AERC);
}

/* Executables on the PATH; a file that cannot be run is no program, and
 * neither is one in a folder that is not on the PATH. */
static void
test_executables_on_path (void)
{
  g_free (make_file ("bin/msmtp", "#!/bin/sh\n", 0755));
  g_free (make_file ("bin/neomutt", "#!/bin/sh\n", 0755));
  g_free (make_file ("bin/aerc", "not a program\n", 0644));
  g_free (make_file ("elsewhere/mbsync", "#!/bin/sh\n", 0755));

  use_path ("bin");
  assert_installed (MAIL_SETUP_MAIL_PROGRAM_MSMTP, TRUE);
  assert_installed (MAIL_SETUP_MAIL_PROGRAM_NEOMUTT, TRUE);
  assert_installed (MAIL_SETUP_MAIL_PROGRAM_AERC, FALSE);
  assert_installed (MAIL_SETUP_MAIL_PROGRAM_MBSYNC, FALSE);
  assert_installed (MAIL_SETUP_MAIL_PROGRAM_EVOLUTION, FALSE);

  use_path ("elsewhere");
  assert_installed (MAIL_SETUP_MAIL_PROGRAM_MBSYNC, TRUE);
  assert_installed (MAIL_SETUP_MAIL_PROGRAM_MSMTP, FALSE);

  /* Evolution from Debian's package: its executable counts too. */
  g_free (make_file ("debian/evolution", "#!/bin/sh\n", 0755));
  use_path ("debian");
  assert_installed (MAIL_SETUP_MAIL_PROGRAM_EVOLUTION, TRUE);
}

/* Thunderbird from Flathub has no executable on the PATH, only its
 * exported desktop file; Evolution's desktop file was left behind by a
 * program that is gone. */
static void
test_desktop_files (void)
{
  use_path ("bin");
  assert_installed (MAIL_SETUP_MAIL_PROGRAM_THUNDERBIRD, TRUE);
  assert_installed (MAIL_SETUP_MAIL_PROGRAM_EVOLUTION, FALSE);
}

/* A test program is not Mail Setup: the configurations call "mail-setup". */
static void
test_mail_setup_path (void)
{
  g_autofree char *path = mail_setup_mail_program_find_mail_setup ();

  g_assert_null (path);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

/* GIO reads the data folders once per process, so they are made before
 * it first looks. */
static void
make_data_folders (void)
{
  g_autofree char *flatpak_exec = NULL;
  g_autofree char *thunderbird = NULL;
  g_autofree char *data_home = g_build_filename (folder, "home", NULL);
  g_autofree char *data_dir = g_build_filename (folder, "flatpak-exports", NULL);

  flatpak_exec = make_file ("flatpak/flatpak", "#!/bin/sh\n", 0755);
  thunderbird = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Thunderbird\n"
                                 "Exec=%s run org.mozilla.Thunderbird %%u\n", flatpak_exec);
  g_free (make_file ("flatpak-exports/applications/org.mozilla.Thunderbird.desktop", thunderbird, 0644));
  g_free (make_file ("flatpak-exports/applications/org.gnome.Evolution.desktop",
                     "[Desktop Entry]\nType=Application\nName=Evolution\n"
                     "Exec=/nonexistent/evolution\n", 0644));
  g_assert_cmpint (g_mkdir_with_parents (data_home, 0700), ==, 0);

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_DATA_DIRS", data_dir, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  folder = g_dir_make_tmp ("mail-setup-programs-XXXXXX", &error);
  g_assert_no_error (error);
  make_data_folders ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mail-program-detection/names-and-formats", test_names_and_formats);
  g_test_add_func ("/mail-program-detection/executables-on-path", test_executables_on_path);
  g_test_add_func ("/mail-program-detection/desktop-files", test_desktop_files);
  g_test_add_func ("/mail-program-detection/mail-setup-path", test_mail_setup_path);

  status = g_test_run ();
  remove_tree (folder);
  g_free (folder);

  return status;
}
