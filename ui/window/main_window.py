"""The editor's main window: one tab per map, dock panels, menus, and file handling.

Start-up shows the window first: `MainWindow(deferred=True)` is an empty frame with the saved
geometry, which ui.app fills (`build`) on the next turn of the event loop. The window's parts
(canvas, panels, menus, model: most of the editor's code, about 0.2 s to import) are imported by
`load_parts` when the first window is built, so importing this module costs next to nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (QDockWidget, QInputDialog, QLabel, QMainWindow, QMessageBox,
                               QTabWidget, QToolButton, QWidget)

if TYPE_CHECKING:
    from ui.document.document import Document
    from ui.canvas.view import MapView
    from vsm.model import ValueStreamMap

APP_NAME = "VSM Studio"
OPENABLE = (".vsm", ".json")


def load_parts() -> None:
    """Import the modules the window is built of into this module's namespace (once)."""
    global build_actions, fill_recent_menu, AddMapCommand, AddStepsCommand, RemoveMapCommand
    global SetMapFieldCommand, Document, FileController, recent_files, MetricsPanel
    global ProblemsPanel, PropertiesPanel, StepTablePanel, PlanView, PresentationController
    global QuickCaptureBar, ScenarioController, MapScene, MapView, duplicate_map, Step
    global ValueStreamMap
    from ui.window.menus import build_actions, fill_recent_menu
    from ui.document.commands import (AddMapCommand, AddStepsCommand, RemoveMapCommand,
                             SetMapFieldCommand)
    from ui.document.document import Document
    from ui.window.files import FileController, recent_files
    from ui.panels.metrics import MetricsPanel
    from ui.panels.problems import ProblemsPanel
    from ui.panels.properties import PropertiesPanel
    from ui.panels.step_table import StepTablePanel
    from ui.panels.plan import PlanView
    from ui.window.presentation import PresentationController
    from ui.panels.quick_capture import QuickCaptureBar
    from ui.window.scenarios import ScenarioController
    from ui.canvas.scene import MapScene
    from ui.canvas.view import MapView
    from vsm.model.duplicate import duplicate_map
    from vsm.model import Step, ValueStreamMap


class MainWindow(QMainWindow):
    """One document per window; its maps are tabs, the panels follow the current map."""

    def __init__(self, document: Document | None = None, *, deferred: bool = False) -> None:
        """The whole window, showing `document` (a new one if None); with `deferred`, only the
        frame, until `build` is called."""
        super().__init__()
        self.document: Document | None = None
        self.built = False
        self.setWindowTitle(APP_NAME)
        self.resize(1400, 860)
        geometry = QSettings().value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if deferred:
            opening = QLabel("Opening…")
            opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setCentralWidget(opening)
            return
        self.build(document)

    def build(self, document: Document | None = None) -> None:
        """Create the tabs, panels, menus and docks and show `document` (a new one if None)."""
        load_parts()
        self.document: Document | None = None
        self.files = FileController(self)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setMovable(False)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        add_tab = QToolButton()
        add_tab.setText("+")
        add_tab.setToolTip("Add a map")
        add_tab.clicked.connect(self.new_map)
        self.tabs.setCornerWidget(add_tab)
        self.scenarios = ScenarioController(self)
        self.tabs.tabBar().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tabs.tabBar().customContextMenuRequested.connect(self.scenarios.tab_menu)
        self.setCentralWidget(self.tabs)
        self.views: dict[str, MapView] = {}
        self.colour_mode = "activity"
        self.lanes_by: str | None = None
        self.snap_to_grid = False

        self.properties = PropertiesPanel(None)
        self.table = StepTablePanel(None)
        self.metrics = MetricsPanel(None)
        self.problems = ProblemsPanel(None)
        self.plan = PlanView(None)
        self.presentation = PresentationController(self)
        self.actions_ = build_actions(self)
        metrics = self._add_dock("Metrics", self.metrics, Qt.DockWidgetArea.RightDockWidgetArea)
        properties = self._add_dock("Properties", self.properties, Qt.DockWidgetArea.RightDockWidgetArea)
        self.properties_dock = properties
        steps = self._add_dock("Steps", self.table, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.problems_dock = self._add_dock("Problems", self.problems,
                                            Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(steps, self.problems_dock)
        self.plan_dock = self._add_dock("Improvement plan", self.plan,
                                        Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(steps, self.plan_dock)
        steps.raise_()
        self.quick_capture = QuickCaptureBar(self.current_view)
        self.quick_capture_dock = self._add_dock("Quick capture", self.quick_capture,
                                                 Qt.DockWidgetArea.TopDockWidgetArea)
        self.quick_capture_dock.setObjectName("dock_quick_capture")
        self.quick_capture_dock.hide()
        self.resizeDocks([metrics, properties], [380, 380], Qt.Orientation.Horizontal)
        self.resizeDocks([steps], [200], Qt.Orientation.Vertical)
        self.problems.count_changed.connect(self._on_problem_count)
        for panel in (self.table, self.metrics, self.problems):
            panel.steps_selected.connect(self._select_from_panel)
        self.metrics.step_activated.connect(self._centre_on_step)
        self.metrics.kaizen_created.connect(self.scenarios.edit_kaizen)
        self.plan.kaizen_activated.connect(self.scenarios.select_kaizen)
        self.files.recent_changed.connect(self._refresh_recent)
        self._refresh_recent()
        self.setAcceptDrops(True)
        state = QSettings().value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self.built = True
        self.set_document(document or Document())
        self.statusBar().showMessage("Double-click the canvas to add a step; Ctrl+Return appends "
                                     "the next one.", 8000)

    # ------------------------------------------------------------ documents

    def set_document(self, document: Document) -> None:
        """Show `document` in this window, replacing the current one (the caller asked to save)."""
        old = self.document
        self.presentation.release_overlay()  # it lives on a view's viewport
        for view in self.views.values():
            view.scene().detach()
            view.deleteLater()
        self.views.clear()
        self.tabs.clear()
        self.document = document
        document.setParent(self)
        document.modified_changed.connect(self.setWindowModified)
        document.path_changed.connect(self._update_title)
        document.maps_changed.connect(self._sync_tabs)
        document.map_touched.connect(self.show_map)
        document.map_settings_changed.connect(self._on_map_settings_changed)
        document.read_only_changed.connect(self._update_title)
        if document.autosaver is not None:
            document.autosaver.failed.connect(self._on_autosave_failed)
        stack = document.undo_stack
        stack.indexChanged.connect(self._update_undo_actions)
        stack.cleanChanged.connect(self._update_undo_actions)
        self._update_undo_actions()
        for panel in (self.properties, self.table, self.metrics, self.problems):
            panel.set_document(document)
        self.plan.set_document(document)
        self.scenarios.set_document(document)
        self._sync_tabs()
        self.setWindowModified(document.modified)
        self._update_title()
        self.presentation.refresh()
        if old is not None and old is not document:
            old.close()  # the caller settled its changes: drop its working copy and lock
            old.deleteLater()

    def _update_undo_actions(self, *_args: object) -> None:
        stack = self.document.undo_stack
        for action, able, verb, text in ((self.actions_.undo, stack.canUndo(), "Undo", stack.undoText()),
                                         (self.actions_.redo, stack.canRedo(), "Redo", stack.redoText())):
            action.setEnabled(able)
            action.setText(f"&{verb} {text}".strip())

    def _update_title(self, *_args: object) -> None:
        read_only = self.document.read_only
        note = " (read-only)" if read_only else ""
        self.setWindowTitle(f"{self.document.display_name}{note}[*] — {APP_NAME}")
        self.actions_.save.setEnabled(not read_only)

    def _on_autosave_failed(self, reason: str) -> None:
        self.statusBar().showMessage(f"Cannot keep a recovery copy of your edits: {reason}", 15000)

    def _sync_tabs(self) -> None:
        """Make the tabs match the project's maps (after add, delete, undo), keeping views alive."""
        current = self.current_map()
        maps = self.document.project.maps
        ids = [m.id for m in maps]
        for map_id in list(self.views):
            if map_id not in ids:
                self.views.pop(map_id).scene().detach()
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        for map_ in maps:
            view = self.views.get(map_.id)
            if view is None:
                view = self._make_view(map_)
            self.tabs.addTab(view, self._tab_title(map_))
        keep = current.id if current is not None and current.id in ids else (ids[0] if ids else None)
        if keep is not None:
            self.tabs.setCurrentWidget(self.views[keep])
        self.tabs.blockSignals(False)
        self._on_tab_changed(self.tabs.currentIndex())

    def _make_view(self, map_: ValueStreamMap) -> MapView:
        scene = MapScene(self.document, map_)
        scene.set_colour_mode(self.colour_mode)
        scene.set_lanes(self.lanes_by)
        scene.snap_to_grid = self.snap_to_grid
        view = MapView(scene)
        scene.selectionChanged.connect(self._on_canvas_selection)
        scene.status_message.connect(self._show_status)
        scene.kaizen_activated.connect(self.scenarios.edit_kaizen)
        self.views[map_.id] = view
        return view

    def _on_map_settings_changed(self, map_id: str, field: str) -> None:
        view = self.views.get(map_id)
        if field in ("name", "kind") and view is not None:
            self.tabs.setTabText(self.tabs.indexOf(view), self._tab_title(view.scene().map))

    def _show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    @staticmethod
    def _tab_title(map_: ValueStreamMap) -> str:
        return map_.name if map_.kind == "current" else f"{map_.name} (future)"

    # ------------------------------------------------------------ current map and selection

    def current_view(self) -> MapView | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, MapView) else None

    def current_map(self) -> ValueStreamMap | None:
        view = self.current_view()
        return view.scene().map if view is not None else None

    def _on_tab_changed(self, _index: int) -> None:
        map_ = self.current_map()
        for panel in (self.properties, self.table, self.metrics, self.problems):
            panel.set_map(map_)
        self._on_canvas_selection()

    def show_map(self, map_id: str) -> None:
        """Bring the map's tab forward."""
        view = self.views.get(map_id)
        if view is not None and self.tabs.currentWidget() is not view:
            self.tabs.setCurrentWidget(view)

    def _on_canvas_selection(self) -> None:
        view = self.current_view()
        if view is None:
            return
        scene = view.scene()
        steps, flows = scene.selected_step_ids(), scene.selected_flow_ids()
        self.properties.set_selection(steps, flows, scene.selected_kaizen_ids())
        self.table.set_selection(steps, flows)

    def _select_from_panel(self, step_ids: list) -> None:
        view = self.current_view()
        if view is not None:
            view.scene().select_steps(list(step_ids))

    def _centre_on_step(self, step_id: str) -> None:
        view = self.current_view()
        if view is not None:
            view.centre_on_step(step_id)

    # ------------------------------------------------------------ editing actions

    def add_step(self) -> None:
        """Add a step in the middle of the visible canvas and start naming it."""
        view = self.current_view()
        if view is None:
            return
        centre = view.mapToScene(view.viewport().rect().center())
        step = Step("New step", x=centre.x(), y=centre.y())
        self.document.push(AddStepsCommand(view.scene().map, [step]))
        view.scene().select_steps([step.id])
        view.rename_selected()

    def show_quick_capture(self) -> None:
        """Show the quick capture bar and put the cursor in its Name field."""
        self.quick_capture_dock.show()
        self.quick_capture_dock.raise_()
        self.quick_capture.start()

    def new_map(self) -> None:
        """Add an empty current-state map and show it."""
        names = {m.name for m in self.document.project.maps}
        name = next(f"Map {n}" for n in range(len(names) + 1, len(names) + 100) if f"Map {n}" not in names)
        map_ = ValueStreamMap(name, "current")
        self.document.push(AddMapCommand(self.document.project, map_, text="New map"))
        self.show_map(map_.id)

    def duplicate_current_map(self) -> None:
        map_ = self.current_map()
        if map_ is None:
            return
        copy_ = duplicate_map(map_, f"{map_.name} (copy)")
        index = self.document.project.maps.index(map_) + 1
        self.document.push(AddMapCommand(self.document.project, copy_, index, text="Duplicate map"))
        self.show_map(copy_.id)

    def rename_current_map(self) -> None:
        map_ = self.current_map()
        if map_ is None:
            return
        name, ok = QInputDialog.getText(self, "Rename map", "Map name:", text=map_.name)
        if ok and name.strip() and name.strip() != map_.name:
            self.document.push(SetMapFieldCommand(map_, "name", name.strip()))

    def delete_current_map(self) -> None:
        map_ = self.current_map()
        if map_ is None:
            return
        if len(self.document.project.maps) == 1:
            QMessageBox.information(self, "Delete map", "A document keeps at least one map.")
            return
        self.document.push(RemoveMapCommand(self.document.project, map_.id))
        self.statusBar().showMessage(f"Deleted map {map_.name!r} — Undo brings it back.", 5000)

    def set_colour_mode(self, mode: str) -> None:
        self.colour_mode = mode
        for view in self.views.values():
            view.scene().set_colour_mode(mode)

    def set_lanes(self, by: str | None) -> None:
        """Swimlanes by "team", by "activity" or none (None) on every map."""
        self.lanes_by = by
        for view in self.views.values():
            view.scene().set_lanes(by)

    def set_snap_to_grid(self, on: bool) -> None:
        self.snap_to_grid = on
        for view in self.views.values():
            view.scene().snap_to_grid = on

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    # ------------------------------------------------------------ window plumbing

    def _add_dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower()}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.actions_.docks_menu.addAction(dock.toggleViewAction())
        return dock

    def _on_problem_count(self, count: int) -> None:
        self.problems_dock.setWindowTitle(f"Problems ({count})" if count else "Problems")

    def _refresh_recent(self) -> None:
        fill_recent_menu(self.actions_.recent_menu, recent_files(),
                         lambda path: self.files.open_path(Path(path)))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.built:  # closed while starting: nothing to save yet
            event.accept()
            return
        if not self.files.maybe_save():
            event.ignore()
            return
        self.presentation.leave()  # the saved layout is the normal one, not the presenting one
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        for view in self.views.values():
            view.scene().detach()
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

