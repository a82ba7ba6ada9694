"""The main window's menus, toolbar and the map tabs' context menu: every action once, with
standard shortcuts and a status tip.

Canvas actions call the map view shown; file actions the FileController; future states and
kaizens the ScenarioController; presentation the PresentationController; map and window actions
the window's public methods. Export and the A3 report load their modules on first use.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import TYPE_CHECKING, Callable, Protocol

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QSizePolicy, QToolBar, QWidget

from ui.window.find_and_print import FindField, print_with_preview
from ui.window.help import add_help_menu
from ui.window.shell import Shell
from vsm.files.bundled import list_examples

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenuBar

    from ui.canvas.view import MapView
    from ui.window.files import FileController
    from ui.window.presentation import PresentationController
    from ui.window.scenarios import ScenarioController
    from vsm.model import ValueStreamMap

Key = QKeySequence.StandardKey


class MenuWindow(Shell, Protocol):
    """What the menus bind to: the controllers and the public actions of the main window."""

    files: FileController
    scenarios: ScenarioController
    presentation: PresentationController

    def add_step(self) -> None: ...
    def show_quick_capture(self) -> None: ...
    def new_map(self) -> None: ...
    def duplicate_current_map(self) -> None: ...
    def rename_current_map(self) -> None: ...
    def rename_value_stream(self) -> None: ...
    def delete_current_map(self) -> None: ...
    def toggle_full_screen(self) -> None: ...
    def current_map(self) -> ValueStreamMap | None: ...
    def current_view(self) -> MapView | None: ...
    def reset_layout(self) -> None: ...
    def close(self) -> bool: ...
    def menuBar(self) -> QMenuBar: ...  # noqa: N802 - Qt's name
    def addToolBar(self, toolbar: QToolBar) -> None: ...  # noqa: N802 - Qt's name


def _action(window: MenuWindow, text: str, slot: Callable | None, shortcut=None, tip: str = "",
            checkable: bool = False) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        else:
            action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(f"{text.replace('&', '')} — {tip}")
    action.setCheckable(checkable)
    if slot is not None:
        action.triggered.connect(lambda checked=False: slot())
    return action


def _on_view(window: MenuWindow, method: str) -> Callable[[], None]:
    def run() -> None:
        view = window.tabs.current_view()
        if view is not None:
            getattr(view, method)()
    return run


def _later(window: MenuWindow, module: str, function: str) -> Callable[[], None]:
    """Call `module.function(window)`, importing the module on first use: the export and report
    modules bring python-pptx and QtSvg, which the window does not need to start (0.4 s)."""
    def run() -> None:
        getattr(importlib.import_module(module), function)(window)
    return run


def build_actions(window: MenuWindow) -> SimpleNamespace:
    """Create the menus and toolbar of `window`; return the actions by name."""
    files = window.files
    a = SimpleNamespace()
    a.new = _action(window, "&New", files.new_document, Key.New, "Start a blank value stream")
    a.open = _action(window, "&Open…", files.open_dialog, Key.Open, "Open a .vsm or vsm-json file")
    a.new_template = _action(window, "New from &Template…", files.template_dialog, "Ctrl+Shift+T",
                             "Start an untitled document from an ITIL 4 value stream template")
    a.import_table = _action(window, "&Import Spreadsheet…", files.import_dialog, "Ctrl+I",
                             "Start an untitled document from a CSV or XLSX step table")
    a.import_log = _action(window, "Import Event &Log…", files.import_event_log_dialog,
                           tip="Mine a ticket history (CSV or XLSX, one row per event) into a "
                               "measured current-state map in an untitled document")
    a.rename_stream = _action(window, "Rena&me Value Stream…", window.rename_value_stream,
                              tip="The value stream's name: the deck's title, page titles and "
                                  "the default file names")
    a.save = _action(window, "&Save", files.save, Key.Save, "Save the document")
    a.save_as = _action(window, "Save &As…", files.save_as, Key.SaveAs, "Save under a new name")
    a.export = _action(window, "&Export…", _later(window, 'ui.window.exports', 'open_export_dialog'), "Ctrl+E",
                       "Export maps as PowerPoint slides, PNG, SVG or PDF")
    a.export_a3 = _action(window, "Export A&3 Report…", _later(window, 'ui.window.exports', 'export_a3_report'),
                          tip="The current map, its figures, steps to change and improvement "
                              "plan on one A3 PDF page")
    a.print_map = _action(window, "&Print…", lambda: _print(window, False), Key.Print,
                          "Print the current map, with a preview")
    a.print_report = _action(window, "Print A3 Rep&ort…", lambda: _print(window, True),
                             "Ctrl+Shift+P", "Print the current map's A3 report, with a preview")
    a.quit = _action(window, "&Quit", window.close, Key.Quit, "Close the window")

    a.undo = _action(window, "&Undo", lambda: window.document.undo_stack.undo(), Key.Undo)
    a.redo = _action(window, "&Redo", lambda: window.document.undo_stack.redo(), Key.Redo)
    a.cut = _action(window, "Cu&t", _on_view(window, "cut_selection"), Key.Cut, "Cut the selected steps")
    a.copy = _action(window, "&Copy", _on_view(window, "copy_selection"), Key.Copy,
                     "Copy the selected steps with the flows between them")
    a.paste = _action(window, "&Paste", _on_view(window, "paste"), Key.Paste, "Paste steps")
    a.duplicate = _action(window, "D&uplicate", _on_view(window, "duplicate_selection"), "Ctrl+D",
                          "Duplicate the selected steps")
    a.delete = _action(window, "&Delete", _on_view(window, "delete_selection"),
                       [QKeySequence(Key.Delete), QKeySequence("Backspace")],
                       "Delete the selected steps with their flows, or the selected flows")
    a.select_all = _action(window, "Select &All", _on_view(window, "select_all"), Key.SelectAll)
    a.copy_image = _action(window, "Copy as &Image", _later(window, 'ui.window.exports', 'copy_as_image'), "Ctrl+Shift+C",
                           "Copy the selected steps, or the whole map, as an image and as SVG")
    a.find_field = FindField(window)
    a.find = _action(window, "&Find Step…", a.find_field.start, Key.Find,
                     "Find a step by name or team; Enter for the next match")
    a.add_step = _action(window, "&Add Step", window.add_step, "Ctrl+Shift+N",
                         "Add a step (or double-click the empty canvas)")
    a.append_step = _action(window, "Append &Next Step", _on_view(window, "append_step_after_selected"),
                            "Ctrl+Return", "Add a step after the selected one, connect it and name it")
    a.connect = _action(window, "&Connect Steps", _on_view(window, "connect_selected"), "Ctrl+L",
                        "Connect the two selected steps (or drag from a step's handle)")
    a.rename = _action(window, "&Rename", _on_view(window, "rename_selected"), "F2",
                       "Rename the selected step, or retitle the selected kaizen burst")
    a.auto_layout = _action(window, "Auto-&Layout", _on_view(window, "auto_layout"), "Ctrl+Shift+L",
                            "Arrange the steps left to right in flow order (into their swimlanes when "
                            "shown)")
    a.quick_capture = _action(window, "&Quick Capture", window.show_quick_capture, "Ctrl+Shift+Q",
                              "Type steps as fast as people say them: name, Tab, process time, "
                              "Tab, wait, Enter")
    scenarios = window.scenarios
    a.add_kaizen = _action(window, "Add &Kaizen Burst", scenarios.add_kaizen_burst, "Ctrl+K",
                           "Add an improvement idea above the selected step, or free on the canvas")

    a.zoom_in = _action(window, "Zoom &In", _on_view(window, "zoom_in"), Key.ZoomIn)
    a.zoom_out = _action(window, "Zoom &Out", _on_view(window, "zoom_out"), Key.ZoomOut)
    a.zoom_fit = _action(window, "Zoom to &Fit", _on_view(window, "zoom_to_fit"), "Ctrl+0",
                         "Show the whole map")
    colour = QActionGroup(window)
    tabs = window.tabs
    a.colour_activity = _action(window, "Colour by &Activity", lambda: tabs.set_colour_mode("activity"),
                                tip="Fill steps by ITIL value chain activity", checkable=True)
    a.colour_performer = _action(window, "Colour by &Performer", lambda: tabs.set_colour_mode("performer"),
                                 tip="Fill steps by who performs them", checkable=True)
    for action in (a.colour_activity, a.colour_performer):
        colour.addAction(action)
    a.colour_activity.setChecked(True)
    lanes = QActionGroup(window)
    a.lanes_none = _action(window, "&None", lambda: tabs.set_lanes(None),
                           tip="No swimlanes", checkable=True)
    a.lanes_team = _action(window, "By &Team", lambda: tabs.set_lanes("team"),
                           tip="A swimlane per team; Auto-Layout puts the steps in their lanes",
                           checkable=True)
    a.lanes_activity = _action(window, "By &Activity", lambda: tabs.set_lanes("activity"),
                               tip="A swimlane per ITIL value chain activity; Auto-Layout puts "
                                   "the steps in their lanes", checkable=True)
    for action in (a.lanes_none, a.lanes_team, a.lanes_activity):
        lanes.addAction(action)
    a.lanes_none.setChecked(True)
    a.snap = _action(window, "S&nap to Grid", None, "Ctrl+G", "Snap moved steps to a 20 px grid",
                     checkable=True)
    a.snap.toggled.connect(tabs.set_snap_to_grid)
    a.full_screen = _action(window, "F&ull Screen", window.toggle_full_screen, Key.FullScreen)
    a.reset_layout = _action(window, "&Reset Layout", window.reset_layout,
                             tip="Put the panels back in their places and sizes")
    a.presentation = _action(window, "&Presentation Mode", window.presentation.toggle, "F5",
                             "Full screen, the map alone with its headline figures; Left/Right "
                             "switch maps, Esc leaves", checkable=True)
    window.presentation.active_changed.connect(a.presentation.setChecked)

    a.new_map = _action(window, "&New Map", window.new_map, tip="Add an empty map to the document")
    a.duplicate_map = _action(window, "&Duplicate Map", window.duplicate_current_map,
                              tip="Copy the current map into a new tab")
    a.rename_map = _action(window, "&Rename Map…", window.rename_current_map)
    a.delete_map = _action(window, "De&lete Map", window.delete_current_map)
    a.create_future = _action(window, "Create &Future State", scenarios.create_future_state,
                              tip="Copy the current map as a future state that remembers where "
                                  "each step came from")
    a.compare = _action(window, "&Compare Maps…", scenarios.show_compare, "Ctrl+Shift+M",
                        "Two maps one above the other with the change in every figure")
    a.plan = _action(window, "&Improvement Plan", scenarios.show_plan, "Ctrl+Shift+I",
                     "Every kaizen burst of the document as a table you can sort and export")

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(a.new)
    file_menu.addAction(a.new_template)
    a.examples_menu = file_menu.addMenu("New from &Example")
    for example in list_examples():
        a.examples_menu.addAction(_action(window, example.title,
                                          lambda p=example.path: files.new_document(p),
                                          tip=f"Start from the bundled example {example.title!r}"))
    file_menu.addAction(a.open)
    file_menu.addAction(a.import_table)
    file_menu.addAction(a.import_log)
    a.recent_menu = file_menu.addMenu("Open &Recent")
    file_menu.addSeparator()
    file_menu.addAction(a.rename_stream)
    file_menu.addSeparator()
    for action in (a.save, a.save_as):
        file_menu.addAction(action)
    file_menu.addSeparator()
    file_menu.addAction(a.export)
    file_menu.addAction(a.export_a3)
    file_menu.addSeparator()
    file_menu.addAction(a.print_map)
    file_menu.addAction(a.print_report)
    file_menu.addSeparator()
    file_menu.addAction(a.quit)

    edit = bar.addMenu("&Edit")
    for item in (a.undo, a.redo, None, a.cut, a.copy, a.copy_image, a.paste, a.duplicate, a.delete,
                 a.select_all, a.find, None, a.add_step, a.append_step, a.connect, a.rename, a.auto_layout,
                 a.add_kaizen, a.quick_capture):
        edit.addSeparator() if item is None else edit.addAction(item)

    view = bar.addMenu("&View")
    for item in (a.zoom_in, a.zoom_out, a.zoom_fit, None, a.colour_activity, a.colour_performer,
                 a.snap):
        view.addSeparator() if item is None else view.addAction(item)
    a.lanes_menu = view.addMenu("S&wimlanes")
    for action in (a.lanes_none, a.lanes_team, a.lanes_activity):
        a.lanes_menu.addAction(action)
    for item in (None, a.compare, a.plan, None, a.full_screen, a.presentation, None):
        view.addSeparator() if item is None else view.addAction(item)
    a.docks_menu = view.addMenu("&Panels")
    view.addAction(a.reset_layout)

    maps = bar.addMenu("&Map")
    for action in (a.new_map, a.create_future, a.duplicate_map, a.rename_map, a.delete_map):
        maps.addAction(action)

    a.help = add_help_menu(window)

    toolbar = QToolBar("Main", window)
    toolbar.setObjectName("main_toolbar")
    for item in (a.new, a.open, a.save, None, a.undo, a.redo, None, a.add_step, a.append_step,
                 a.connect, a.delete, a.auto_layout, None, a.zoom_fit):
        toolbar.addSeparator() if item is None else toolbar.addAction(item)
    spacer = QWidget(toolbar)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    toolbar.addWidget(spacer)
    toolbar.addWidget(a.find_field)
    window.addToolBar(toolbar)
    a.toolbar = toolbar
    bar = window.tabs.tabBar()
    bar.customContextMenuRequested.connect(
        lambda position: _show_menu(build_tab_menu(window, a, bar.tabAt(position)),
                                    bar.mapToGlobal(position)))
    return a


def build_tab_menu(window: MenuWindow, a: SimpleNamespace, index: int) -> QMenu | None:
    """Show the map of tab `index` and return its context menu: that map's actions (None when
    no tab is there)."""
    if index < 0:
        return None
    window.tabs.setCurrentIndex(index)
    menu = QMenu(window)
    for action in (a.create_future, None, a.rename_map, a.duplicate_map, a.delete_map, None,
                   a.compare):
        menu.addSeparator() if action is None else menu.addAction(action)
    return menu


def _print(window: MenuWindow, report: bool) -> None:
    map_ = window.tabs.current_map()
    if map_ is not None and window.document is not None:
        print_with_preview(window.window(), window.document, map_, report)


def _show_menu(menu: QMenu | None, at: QPoint) -> None:
    if menu is not None:
        menu.exec(at)


def fill_recent_menu(menu: QMenu, paths: list[str], open_path: Callable) -> None:
    """List the recent files in the menu, or say there are none."""
    menu.clear()
    for number, path in enumerate(paths, start=1):
        action = menu.addAction(f"&{number % 10} {path}")
        action.triggered.connect(lambda checked=False, p=path: open_path(p))
    if not paths:
        menu.addAction("No recent files").setEnabled(False)
