"""The editor's main window: the maps as tabs, the dock panels, the menus and the status bar.

Start-up shows the window first: `MainWindow(deferred=True)` is an empty frame with the saved
geometry, which ui.app fills (`build`) on the next turn of the event loop. Importing this module
costs next to nothing: the window's parts (canvas, panels, menus and the model behind them, most
of the editor's code, about 0.2 s to import) are imported by `build`, once the frame is on screen.

The window owns the parts and wires their signals; what happens behind the menus lives in
controllers that see the window only through ui.window.shell.Shell: FileController (files),
ScenarioController (future states, kaizens, compare, plan), PresentationController (F5), and
the menus themselves (ui.window.menus). Every edit goes through the document's verbs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import QDockWidget, QInputDialog, QLabel, QMainWindow, QMessageBox, QWidget

from ui.window.layout import (
    GEOMETRY_KEY,
    STATE_KEY,
    arrange_docks,
    keep_frame_on_screen,
    restore_layout,
    scrolling,
    size_to_screen,
)

if TYPE_CHECKING:
    from ui.canvas.view import MapView
    from ui.document.document import Document
    from vsm.model import ValueStreamMap

APP_NAME = "VSM Studio"
OPENABLE = (".vsm", ".json")


class MainWindow(QMainWindow):
    """One document per window; its maps are tabs, the panels follow the current map."""

    def __init__(self, document: Document | None = None, *, deferred: bool = False) -> None:
        """The whole window, showing `document` (a new one if None); with `deferred`, only the
        frame, until `build` is called."""
        super().__init__()
        self.document: Document | None = None
        self.built = False
        self.setWindowTitle(APP_NAME)
        size_to_screen(self)
        self._screen_size: QSize | None = self.size()  # what showEvent keeps on screen, unless resized since
        if deferred:
            opening = QLabel("Opening…")
            opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setCentralWidget(opening)
            return
        self.build(document)

    def build(self, document: Document | None = None) -> None:
        """Create the tabs, panels, docks, controllers and menus; show `document` (a new one if
        None). The parts are imported here, not at the top: see the module's docstring."""
        from ui.document.document import Document
        from ui.panels.description import DescriptionPanel
        from ui.panels.metrics import MetricsPanel
        from ui.panels.plan import PlanView
        from ui.panels.problems import ProblemsPanel
        from ui.panels.properties import PropertiesPanel
        from ui.panels.quick_capture import QuickCaptureBar
        from ui.panels.stakeholder_metrics import AutomationPanel
        from ui.panels.step_table import StepTablePanel
        from ui.panels.wheel_guard import guard_wheel
        from ui.window.files import FileController, recent_files
        from ui.window.heap import HeapFreezer
        from ui.window.map_tabs import MapTabs
        from ui.window.menus import build_actions, fill_recent_menu
        from ui.window.panel_filling import PanelFilling
        from ui.window.presentation import PresentationController
        from ui.window.scenarios import ScenarioController
        from ui.window.zoom_box import ZoomBox

        guard_wheel()  # app-wide: combo and spin boxes take the wheel only when focused
        self.tabs = MapTabs()
        self.heap = HeapFreezer(self.tabs)  # the collector off a large document once drawn
        self.setCentralWidget(self.tabs)
        self.properties = PropertiesPanel(None)
        self.table = StepTablePanel(None)
        self.metrics = MetricsPanel(None)
        self.problems = ProblemsPanel(None)
        self.description = DescriptionPanel(None)
        self.automation = AutomationPanel(None)
        self.plan = PlanView(None)
        self.panel_filling = PanelFilling(
            [self.properties, self.table, self.metrics, self.problems, self.description,
             self.automation], self._on_canvas_selection, self)
        self.quick_capture = QuickCaptureBar(self.tabs.current_view)
        self.files = FileController(self)
        self.presentation = PresentationController(self, self.tabs, lambda: self.document)
        self._build_docks()
        self.scenarios = ScenarioController(self, self.properties, self.properties_dock,
                                            self.plan_dock)
        self.menu_actions = build_actions(self)
        for dock in (self.metrics_dock, self.properties_dock, self.description_dock,
                     self.steps_dock, self.problems_dock, self.plan_dock, self.automation_dock,
                     self.quick_capture_dock):
            self.menu_actions.docks_menu.addAction(dock.toggleViewAction())
        self.tabs.add_requested.connect(self.new_map)
        self.tabs.current_changed.connect(self._on_tab_changed)
        self.zoom_box = ZoomBox(self.tabs.current_view)
        self.statusBar().addPermanentWidget(self.zoom_box)
        self.tabs.current_changed.connect(self.zoom_box.follow)
        self.tabs.current_changed.connect(self.quick_capture.refresh_placement)
        self.tabs.selection_changed.connect(self._on_canvas_selection)
        self.tabs.status_message.connect(lambda text: self.show_status(text, 6000))
        self.problems.count_changed.connect(self._on_problem_count)
        for panel in (self.table, self.metrics, self.problems, self.automation):
            panel.steps_selected.connect(self._select_from_panel)
        self.metrics.step_activated.connect(self._centre_on_step)
        self.metrics.kaizen_created.connect(self.scenarios.edit_kaizen)
        self.plan.kaizen_activated.connect(self.scenarios.select_kaizen)
        self.files.recent_changed.connect(lambda: fill_recent_menu(
            self.menu_actions.recent_menu, recent_files(), lambda p: self.files.open_path(Path(p))))
        self.files.recent_changed.emit()
        self.setAcceptDrops(True)
        restore_layout(self, self.reset_layout)
        self.built = True
        self.set_document(document or Document())
        self.show_status("Double-click the canvas to add a step; Ctrl+Return appends the next "
                         "one.", 8000)

    def _build_docks(self) -> None:
        self.metrics_dock = self._add_dock("Metrics", scrolling(self.metrics))
        self.properties_dock = self._add_dock("Properties", self.properties)
        self.description_dock = self._add_dock("Description", self.description)
        self.steps_dock = self._add_dock("Steps", self.table)
        self.problems_dock = self._add_dock("Problems", self.problems)
        self.plan_dock = self._add_dock("Improvement plan", self.plan)
        self.automation_dock = self._add_dock("Automation candidates", self.automation)
        self.quick_capture_dock = self._add_dock("Quick capture", self.quick_capture)
        self.quick_capture_dock.setObjectName("dock_quick_capture")
        self.reset_layout()

    def _add_dock(self, title: str, widget: QWidget) -> QDockWidget:
        """A dock showing `widget`, named after its title (for the saved layout)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower()}")
        dock.setWidget(widget)
        return dock

    def reset_layout(self) -> None:
        """The panels in their default places and sizes (View > Reset Layout)."""
        arrange_docks(self, [self.metrics_dock, self.properties_dock, self.description_dock],
                      [self.steps_dock, self.problems_dock, self.plan_dock, self.automation_dock],
                      self.quick_capture_dock)
        self.tabifyDockWidget(self.properties_dock, self.description_dock)  # the ITIL texts
        self.properties_dock.raise_()

    # ------------------------------------------------------------ documents

    def set_document(self, document: Document) -> None:
        """Show `document` in this window, replacing the current one (the caller asked to save)."""
        old = self.document
        self.presentation.release_overlay()  # it lives on a view's viewport
        self.document = document
        document.setParent(self)
        document.modified_changed.connect(self.setWindowModified)
        document.path_changed.connect(self._update_title)
        document.map_touched.connect(self.tabs.show_map)
        document.read_only_changed.connect(self._update_title)
        document.project_renamed.connect(self._update_title)
        if document.autosaver is not None:
            document.autosaver.failed.connect(
                lambda reason: self.show_status(f"Cannot keep a recovery copy of your edits: "
                                                f"{reason}", 15000))
        stack = document.undo_stack
        stack.indexChanged.connect(self._update_undo_actions)
        stack.cleanChanged.connect(self._update_undo_actions)
        self._update_undo_actions()
        for panel in (self.properties, self.table, self.metrics, self.problems, self.plan,
                      self.description, self.automation):
            panel.set_document(document)
        self.scenarios.set_document(document)
        self.tabs.set_document(document)
        self.heap.document_shown(document)
        self.setWindowModified(document.modified)
        self._update_title()
        self.presentation.refresh()
        if old is not None and old is not document:
            old.close()  # the caller settled its changes: drop its working copy and lock
            old.deleteLater()

    def show_status(self, text: str, timeout_ms: int = 5000) -> None:
        """A message in the status bar for a while."""
        self.statusBar().showMessage(text, timeout_ms)

    def _update_undo_actions(self, *_args: object) -> None:
        stack = self.document.undo_stack
        for action, able, verb, text in (
                (self.menu_actions.undo, stack.canUndo(), "Undo", stack.undoText()),
                (self.menu_actions.redo, stack.canRedo(), "Redo", stack.redoText())):
            action.setEnabled(able)
            action.setText(f"&{verb} {text}".strip())  # the menu says what it undoes ...
            action.setIconText(verb)  # ... the toolbar button keeps its width
            action.setToolTip(f"{verb} {text}".strip())

    def _update_title(self, *_args: object) -> None:
        read_only = self.document.read_only
        note = " (read-only)" if read_only else ""
        self.setWindowTitle(f"{self.document.display_name}{note}[*] — {APP_NAME}")
        self.menu_actions.save.setEnabled(not read_only)

    # ------------------------------------------------------------ current map and selection

    def current_view(self) -> MapView | None:
        """The canvas shown, or None."""
        return self.tabs.current_view()

    def current_map(self) -> ValueStreamMap | None:
        """The map shown, or None."""
        return self.tabs.current_map()

    def _on_tab_changed(self) -> None:
        map_ = self.current_map()
        costly = map_ is not None and self.document.live.costly(map_.id)
        self.panel_filling.show(map_, one_per_turn=costly)  # then the canvas's selection

    def _on_canvas_selection(self) -> None:
        view = self.current_view()
        if view is None:
            return
        steps, flows, kaizens = view.scene().selected_ids()
        self.properties.set_selection(steps, flows, kaizens)
        self.table.set_selection(steps, flows)

    def _select_from_panel(self, step_ids: list) -> None:
        view = self.current_view()
        if view is not None:
            view.scene().select_steps(list(step_ids))

    def _centre_on_step(self, step_id: str) -> None:
        view = self.current_view()
        if view is not None:
            view.centre_on_step(step_id)

    def _on_problem_count(self, count: int) -> None:
        self.problems_dock.setWindowTitle(f"Problems ({count})" if count else "Problems")

    # ------------------------------------------------------------ editing actions

    def add_step(self) -> None:
        """Add a step in the middle of the visible canvas and start naming it."""
        view = self.current_view()
        if view is not None:
            view.rename_step(view.add_step_in_view())

    def show_quick_capture(self) -> None:
        """Show the quick capture bar and put the cursor in its Name field."""
        self.quick_capture_dock.show()
        self.quick_capture_dock.raise_()
        self.quick_capture.start()

    def new_map(self) -> None:
        """Add an empty current-state map and show it."""
        self.tabs.show_map(self.document.new_map().id)

    def duplicate_current_map(self) -> None:
        """Copy the map shown into a new tab after it."""
        map_ = self.current_map()
        if map_ is not None:
            self.tabs.show_map(self.document.duplicate_map(map_.id).id)

    def rename_value_stream(self) -> None:
        """Ask for the value stream's name (the document's title on slides, pages and files)."""
        name, ok = QInputDialog.getText(self, "Rename value stream", "Value stream name:",
                                        text=self.document.project.name)
        if ok and name.strip():
            self.document.rename_project(name.strip())

    def rename_current_map(self) -> None:
        """Ask for a new name of the map shown."""
        map_ = self.current_map()
        if map_ is None:
            return
        name, ok = QInputDialog.getText(self, "Rename map", "Map name:", text=map_.name)
        if ok and name.strip():
            self.document.set_map_field(map_.id, "name", name.strip())

    def delete_current_map(self) -> None:
        """Delete the map shown (a document keeps at least one)."""
        map_ = self.current_map()
        if map_ is None:
            return
        if len(self.document.project.maps) == 1:
            QMessageBox.information(self, "Delete map", "A document keeps at least one map.")
            return
        self.document.remove_map(map_.id)
        self.show_status(f"Deleted map {map_.name!r} — Undo brings it back.")

    def toggle_full_screen(self) -> None:
        """Full screen, or back."""
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    # ------------------------------------------------------------ window plumbing

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._screen_size is not None:  # the frame is known now: keep it on the screen
            if self.size() == self._screen_size:
                keep_frame_on_screen(self)
            self._screen_size = None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.built:  # closed while starting: nothing to save yet
            event.accept()
            return
        if not self.files.maybe_save():
            event.ignore()
            return
        if self.files.reading is not None:
            self.files.reading.cancel()  # a file still being read: it never shows
        self.presentation.leave()  # the saved layout is the normal one, not the presenting one
        settings = QSettings()
        settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        settings.setValue(STATE_KEY, self.saveState())
        self.heap.release()
        self.tabs.detach_views()
        self.scenarios.set_document(None)  # the compare view stops following the maps
        if self.document is not None:
            self.document.close()  # clean close: no working copy, no lock left behind
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if any(Path(url.toLocalFile()).suffix.lower() in OPENABLE for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        for url in event.mimeData().urls():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in OPENABLE:
                event.acceptProposedAction()
                self.files.open_path(path)
                return
