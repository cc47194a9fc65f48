/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <gdk/x11/gdkx.h>
#include <X11/XKBlib.h>
#include <X11/extensions/XTest.h>

#include "mail-setup-test-keys.h"
#include "mail-setup-test-ui.h"

/* GTK 4 can no longer synthesize events, and a signal emitted by hand
 * skips what a key press really goes through: the shortcuts, the focus
 * chain, the default widget, mnemonics. So the keys come from the X server
 * as a keyboard's do, through its XTest extension, to the window that has
 * the X keyboard focus. */

/* Long enough for a loaded CI machine; GTK handles a key in microseconds. */
#define KEY_TIMEOUT_MS 5000

typedef struct
{
  guint expected;
  guint seen;
} KeyCount;

/* Counts the key events that reach a window of this program, whichever it
 * is: the keys may open one (the shortcuts window), which then gets them. */
static gboolean
surface_event_cb (GSignalInvocationHint *hint,
                  guint                  n_params,
                  const GValue          *params,
                  gpointer               user_data)
{
  KeyCount *count = user_data;
  GdkEvent *event = g_value_peek_pointer (&params[1]);
  GdkEventType type = gdk_event_get_event_type (event);

  if (type == GDK_KEY_PRESS || type == GDK_KEY_RELEASE)
    count->seen++;

  return TRUE;
}

static gboolean
all_keys_seen (gpointer user_data)
{
  KeyCount *count = user_data;

  return count->seen >= count->expected;
}

static gboolean
window_is_active (gpointer user_data)
{
  return gtk_window_is_active (GTK_WINDOW (user_data));
}

static Display *
get_xdisplay (MailSetupWindow *window)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (window));

  if (!GDK_IS_X11_DISPLAY (display))
    g_error ("Key presses need an X display (Xvfb); this one is a %s", G_OBJECT_TYPE_NAME (display));

  return gdk_x11_display_get_xdisplay (display);
}

/* Xvfb has no window manager that would give the window the keyboard
 * focus, and a window that another test program presents takes it. */
static void
take_keyboard_focus (MailSetupWindow *window)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (window));
  Display *xdisplay = get_xdisplay (window);
  Window xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window)));
  Window focused = None;
  int revert_to;

  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));

  gdk_x11_display_error_trap_push (display);
  XSetInputFocus (xdisplay, xid, RevertToParent, CurrentTime);
  XSync (xdisplay, False);
  if (gdk_x11_display_error_trap_pop (display) != 0)
    g_error ("The X server refused the keyboard focus to the window");

  XGetInputFocus (xdisplay, &focused, &revert_to);
  g_assert_true (focused == xid);
  if (!mail_setup_test_ui_wait_until (window_is_active, window, KEY_TIMEOUT_MS))
    g_error ("The window has the X keyboard focus but did not become active");
}

/* The key that gives KEYSYM, and whether it needs Shift for it (its second
 * level, as for "@" or "A"); 0 when the keyboard has no such key. */
static KeyCode
find_key (Display  *xdisplay,
          KeySym    keysym,
          gboolean *shifted)
{
  KeyCode keycode = XKeysymToKeycode (xdisplay, keysym);

  *shifted = FALSE;
  if (keycode == 0)
    return 0;

  *shifted = XkbKeycodeToKeysym (xdisplay, keycode, 0, 0) != keysym &&
             XkbKeycodeToKeysym (xdisplay, keycode, 0, 1) == keysym;

  return keycode;
}

static KeyCode
find_modifier_key (Display *xdisplay,
                   KeySym   keysym)
{
  gboolean shifted;
  KeyCode keycode = find_key (xdisplay, keysym, &shifted);

  if (keycode == 0)
    g_error ("The keyboard has no %s key", XKeysymToString (keysym));

  return keycode;
}

/* Presses the modifiers MODS, and KEYCODE, and lets them go in the
 * opposite order; returns once GTK has handled each of those events. */
static void
send_key (MailSetupWindow *window,
          KeyCode          keycode,
          GdkModifierType  mods)
{
  Display *xdisplay = get_xdisplay (window);
  KeyCode held[3];
  guint n_held = 0;
  KeyCount count = { 0, 0 };
  guint event_signal = g_signal_lookup ("event", GDK_TYPE_SURFACE);
  gulong hook;

  if (mods & GDK_CONTROL_MASK)
    held[n_held++] = find_modifier_key (xdisplay, XK_Control_L);
  if (mods & GDK_ALT_MASK)
    held[n_held++] = find_modifier_key (xdisplay, XK_Alt_L);
  if (mods & GDK_SHIFT_MASK)
    held[n_held++] = find_modifier_key (xdisplay, XK_Shift_L);
  if (mods & ~(GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK))
    g_error ("Only Control, Alt and Shift can be held");

  take_keyboard_focus (window);

  /* Each event goes to GTK through the surface of its window, and GTK has
   * done all that the event makes it do at once when the event's dispatch
   * returns to the main loop: once the last has been seen there. */
  hook = g_signal_add_emission_hook (event_signal, 0, surface_event_cb, &count, NULL);

  for (guint i = 0; i < n_held; i++)
    XTestFakeKeyEvent (xdisplay, held[i], True, CurrentTime);
  XTestFakeKeyEvent (xdisplay, keycode, True, CurrentTime);
  XTestFakeKeyEvent (xdisplay, keycode, False, CurrentTime);
  for (guint i = n_held; i > 0; i--)
    XTestFakeKeyEvent (xdisplay, held[i - 1], False, CurrentTime);
  XSync (xdisplay, False);

  count.expected = 2 * (n_held + 1);
  if (!mail_setup_test_ui_wait_until (all_keys_seen, &count, KEY_TIMEOUT_MS))
    g_error ("GTK got %u of the %u key events sent; the focus is in %s", count.seen, count.expected,
             mail_setup_test_keys_get_focus_name (window));

  g_signal_remove_emission_hook (event_signal, hook);
}

void
mail_setup_test_keys_press (MailSetupWindow *window,
                            const char      *accelerator)
{
  GdkModifierType mods = 0;
  guint keyval = 0;
  gboolean shifted;
  KeyCode keycode;

  g_return_if_fail (MAIL_SETUP_IS_WINDOW (window));

  if (!gtk_accelerator_parse (accelerator, &keyval, &mods))
    g_error ("“%s” is not an accelerator", accelerator);

  /* GDK's key values are X's keysyms. */
  keycode = find_key (get_xdisplay (window), keyval, &shifted);
  if (keycode == 0)
    g_error ("The keyboard has no key for “%s”", accelerator);
  send_key (window, keycode, mods | (shifted ? GDK_SHIFT_MASK : 0));
}

void
mail_setup_test_keys_type (MailSetupWindow *window,
                           const char      *text)
{
  Display *xdisplay;

  g_return_if_fail (MAIL_SETUP_IS_WINDOW (window));
  g_return_if_fail (g_utf8_validate (text, -1, NULL));

  xdisplay = get_xdisplay (window);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gboolean shifted;
      KeyCode keycode = find_key (xdisplay, gdk_unicode_to_keyval (g_utf8_get_char (p)), &shifted);

      if (keycode == 0)
        g_error ("The keyboard has no key for “%.*s”", (int) (g_utf8_next_char (p) - p), p);
      send_key (window, keycode, shifted ? GDK_SHIFT_MASK : 0);
    }
}

void
mail_setup_test_keys_press_until (MailSetupWindow *window,
                                  const char      *accelerator,
                                  const char      *name,
                                  guint            max_presses)
{
  g_autoptr(GString) path = NULL;

  g_return_if_fail (MAIL_SETUP_IS_WINDOW (window));

  path = g_string_new (mail_setup_test_keys_get_focus_name (window));
  for (guint i = 0; i < max_presses && !mail_setup_test_keys_focus_is_in (window, name); i++)
    {
      mail_setup_test_keys_press (window, accelerator);
      g_string_append_printf (path, " → %s", mail_setup_test_keys_get_focus_name (window));
    }

  if (!mail_setup_test_keys_focus_is_in (window, name))
    g_error ("%u presses of %s did not reach %s; the focus went %s", max_presses, accelerator, name,
             path->str);
}

void
mail_setup_test_keys_tab_to (MailSetupWindow *window,
                             const char      *name,
                             guint            max_presses)
{
  mail_setup_test_keys_press_until (window, "Tab", name, max_presses);
}

/* gtk_widget_get_name() gives the type's name to a widget without one. */
static gboolean
has_own_name (GtkWidget *widget)
{
  return g_strcmp0 (gtk_widget_get_name (widget), G_OBJECT_TYPE_NAME (widget)) != 0;
}

const char *
mail_setup_test_keys_get_focus_name (MailSetupWindow *window)
{
  GtkWidget *focus;

  g_return_val_if_fail (MAIL_SETUP_IS_WINDOW (window), NULL);

  focus = gtk_root_get_focus (GTK_ROOT (window));
  if (focus == NULL)
    return "(none)";

  for (GtkWidget *widget = focus; widget != NULL; widget = gtk_widget_get_parent (widget))
    {
      if (has_own_name (widget))
        return gtk_widget_get_name (widget);
    }

  return G_OBJECT_TYPE_NAME (focus);
}

gboolean
mail_setup_test_keys_focus_is_in (MailSetupWindow *window,
                                  const char      *name)
{
  g_return_val_if_fail (MAIL_SETUP_IS_WINDOW (window), FALSE);

  for (GtkWidget *widget = gtk_root_get_focus (GTK_ROOT (window));
       widget != NULL;
       widget = gtk_widget_get_parent (widget))
    {
      if (has_own_name (widget) && g_str_equal (gtk_widget_get_name (widget), name))
        return TRUE;
    }

  return FALSE;
}
