#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read a running application's accessible tree over AT-SPI, as a screen
reader does, and say what a screen-reader user would stumble over.

    check-accessible-tree.py --pid PID [--window TITLE]
    check-accessible-tree.py --pid PID --listen

Prints one JSON object: "objects", every object on screen in the windows
of process PID (or only the window titled TITLE) with its role, name,
description and states, depth first; and "problems", one line for each
object that takes the focus or can be clicked and has no usable name: none
at all, the type name that GTK 4.8 falls back to (GtkListBox), a name
that reads a mnemonic's underscore (_Continue) or reads the same words
twice (MSN MSN, GTK 4.8 joins a label and the widget labelling it).
Exit status 0 when the tree was read, 1 when the application never
appeared on the accessibility bus.

With --listen it prints "ready", then writes down the changes of
descriptions that process PID announces until its standard input is
closed, and prints them as {"events": [...]}: how a screen reader hears
of a stage's result while the test runs.

It runs under Debian's own /usr/bin/python3, whose python3-pyatspi it needs.
"""

import argparse
import json
import re
import sys
import time

import pyatspi

# What GTK 4.8 names an object that was given no name.
TYPE_NAME = re.compile(r"^(Gtk|Adw|MailSetup)[A-Z][A-Za-z]*$")
MNEMONIC = re.compile(r"(^|\s)_\w")
# Actions that mean "clickable"; GTK 4.8 lists a widget's own actions
# (clipboard.copy, menu.popup...) beside them.
CLICK_ACTIONS = {"click", "activate", "press", "toggle", "jump"}
# Objects on a page that is not the one shown, or inside a closed popover,
# are not "visible"; nothing below them is looked at.
MAX_OBJECTS = 5000


def states_of(accessible):
    return [pyatspi.stateToString(state) for state in accessible.getState().getStates()]


def actions_of(accessible):
    try:
        action = accessible.queryAction()
    except NotImplementedError:
        return []
    names = []
    for index in range(action.nActions):
        try:
            names.append(action.getName(index))
        except Exception:  # GTK 4.8 lists actions it then cannot name
            pass
    return names


def repeats_itself(name):
    words = name.split()
    half = len(words) // 2
    return len(words) >= 2 and len(words) % 2 == 0 and words[:half] == words[half:]


def problem_with(name):
    name = (name or "").strip()
    if not name:
        return "has no name"
    if TYPE_NAME.match(name):
        return "is named only by its type"
    if MNEMONIC.search(name):
        return "reads a mnemonic's underscore"
    if repeats_itself(name):
        return "reads its name twice"
    return None


def find_application(pid, timeout):
    desktop = pyatspi.Registry.getDesktop(0)
    deadline = time.monotonic() + timeout
    while True:
        for index in range(desktop.childCount):
            application = desktop.getChildAtIndex(index)
            try:
                if application is not None and application.get_process_id() == pid:
                    return application
            except Exception:
                pass  # an application that left meanwhile
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)


def walk(accessible, path, objects, problems):
    if len(objects) >= MAX_OBJECTS:
        return
    states = states_of(accessible)
    if "visible" not in states:
        return
    role = accessible.getRoleName()
    name = accessible.name or ""
    actions = actions_of(accessible)
    here = f"{path} > {role} {name!r}" if path else f"{role} {name!r}"
    # Messages name the object by its named ancestors, the way a user
    # finds it; the unnamed panels between them say nothing.
    shown_path = here if name and not TYPE_NAME.match(name) else path
    try:
        text = accessible.queryText().getText(0, 2000)
    except NotImplementedError:
        text = ""
    objects.append({
        "role": role,
        "name": name,
        "description": accessible.description or "",
        "text": text,
        "states": states,
        "actions": actions,
    })
    interactive = "focusable" in states or CLICK_ACTIONS.intersection(actions)
    if interactive:
        problem = problem_with(name)
        if problem:
            problems.append(f"{path} > {role} {name!r} {problem}")
    # A closed combo box's list is not on screen. (When it is open, GTK 4.8
    # names its items by nothing but the labels inside them.)
    if role == "combo box" and "expanded" not in states:
        return
    for index in range(accessible.childCount):
        child = accessible.getChildAtIndex(index)
        if child is not None:
            walk(child, shown_path, objects, problems)


def listen(pid):
    """Print "ready", then write down every change of an object's
    description in process PID, the way a screen reader hears of it,
    until standard input closes; then print them as one JSON object."""
    from gi.repository import GLib

    events = []

    def on_event(event):
        try:
            if event.source.get_process_id() != pid:
                return
            events.append({
                "role": event.source.getRoleName(),
                "name": event.source.name or "",
                "description": str(event.any_data or ""),
            })
        except Exception:
            pass  # an object gone meanwhile

    def on_input(source, condition):
        if condition & (GLib.IO_HUP | GLib.IO_ERR) or not sys.stdin.readline():
            pyatspi.Registry.stop()
            return False
        return True

    pyatspi.Registry.registerEventListener(on_event, "object:property-change:accessible-description")
    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_input)
    print("ready", flush=True)
    pyatspi.Registry.start()
    print(json.dumps({"events": events}, ensure_ascii=False))
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--window")
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--listen", action="store_true")
    options = parser.parse_args()

    if options.listen:
        return listen(options.pid)

    application = find_application(options.pid, options.timeout)
    if application is None:
        print(json.dumps({"error": f"no application of process {options.pid} on the accessibility bus"}))
        return 1

    objects, problems = [], []
    for index in range(application.childCount):
        window = application.getChildAtIndex(index)
        if window is None or (options.window and window.name != options.window):
            continue
        walk(window, "", objects, problems)
    print(json.dumps({"objects": objects, "problems": problems}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
