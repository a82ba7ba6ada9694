"""The maps of the open document as tabs, one MapView each, kept in step with the project.

MapTabs follows the document's `maps_changed` (a map added, deleted, undone), keeps each map's
view alive while its map exists, names a tab after its map ("Future state (future)"), and applies
the view settings of the window (colour by activity or performer, swimlanes, snap to grid) to
every view. It says which map is shown (`current_changed`) and passes on what the canvases say:
a selection changed, a status hint, a kaizen double-clicked.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsScene, QTabWidget, QToolButton, QWidget

from ui.canvas.building import SLICED_BUILD_STEPS, SceneBuild
from ui.canvas.chunks import DISMANTLE_SLICE_SECONDS, dismantle
from ui.canvas.scene import MapScene
from ui.canvas.view import MapView
from ui.document.collector import heap_frozen
from ui.document.document import Document
from vsm.model import ValueStreamMap


def tab_title(map_: ValueStreamMap) -> str:
    """A map's name, marked "(future)" for a future state."""
    return map_.name if map_.kind == "current" else f"{map_.name} (future)"


def _drop_view(view: MapView) -> Generator[float, None, None]:
    """A job taking a closed view apart a slice at a time (see MapTabs.close_views): its
    scene's index dropped first, then its items taken away with their Python attributes
    (ui.canvas.chunks.dismantle), then the view deleted and the scene's and the view's
    own attributes dropped. Items, tools, routing and the analysis presenter refer to each
    other and to the scene: without that the whole canvas was left to the garbage collector
    (93,000 objects at 5,000 steps, kept out of its sight by ui.window.heap until unfrozen)."""
    scene = view.scene()
    scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
    yield 1.0
    yield from scene.release_kept(DISMANTLE_SLICE_SECONDS)
    yield from dismantle(scene)
    if shiboken6.isValid(view):
        view.setScene(None)
        shiboken6.delete(view)
    view.__dict__.clear()
    scene.__dict__.clear()


class ViewTeardown(QObject):
    """Runs the jobs taking closed views apart (`_drop_view`), one slice per turn of the
    event loop, the next view's after the last one's; none while `waits()` says so (a new
    canvas is being built in slices: a slice of each in the same turn made that turn twice as
    long, opening a big file over a big map)."""

    def __init__(self, parent: QObject, waits: Callable[[], bool] = lambda: False) -> None:
        super().__init__(parent)
        self._waits = waits
        self._jobs: list[Generator[float, None, None]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._advance)

    @property
    def running(self) -> bool:
        """Whether views are still being taken apart."""
        return bool(self._jobs)

    def drop(self, view: MapView) -> None:
        """Let `view`'s canvas stop following its map now, and take it apart over the coming
        turns."""
        view.scene().detach()
        self._jobs.append(_drop_view(view))
        self._timer.start()

    def _advance(self) -> None:
        if not self._jobs:
            self._timer.stop()
            return
        if self._waits():
            return
        try:
            next(self._jobs[0])
        except StopIteration:
            self._jobs.pop(0)


class MapTabs(QTabWidget):
    """One tab per map of the document shown."""

    current_changed = Signal()  # another map (or none) is shown
    selection_changed = Signal()  # the selection on the shown canvas changed
    status_message = Signal(str)  # a hint from a canvas
    add_requested = Signal()  # the "+" corner button

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDocumentMode(True)
        self.setMovable(False)
        self.document: Document | None = None
        self.views: dict[str, MapView] = {}
        self.colour_mode = "activity"
        self.lanes_by: str | None = None
        self.snap_to_grid = False
        self.reading = False  # a file is being read for these tabs (ui.window.opening)
        self.teardown = ViewTeardown(self, self.building)  # closed views, taken apart
        add = QToolButton()
        add.setText("+")
        add.setToolTip("Add a map")
        add.clicked.connect(self.add_requested)
        self.setCornerWidget(add)
        self.tabBar().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.currentChanged.connect(lambda _index: self.current_changed.emit())

    # ------------------------------------------------------------ the document

    def set_document(self, document: Document) -> None:
        """Show this document's maps (the views of the previous one are closed)."""
        self.close_views()
        self.document = document
        document.maps_changed.connect(self.sync)
        document.map_settings_changed.connect(self._on_map_settings_changed)
        self.sync()

    def close_views(self) -> None:
        """Detach and drop every view (another document is shown). No map of the old document
        becomes current on the way: the panels may already follow the new document. Each
        view is taken apart in the coming turns (`ViewTeardown`), its scene's index dropped
        first, at once: the items then leave the scene without each being taken out of the
        index (the 5,000-step map's scene took 64 ms to delete, 11 ms so, after 6-17 ms to
        drop the index: not in the turn that shows the new document), then a slice of items
        at a time, each freed by reference counting as it goes, on the turns no new canvas is
        being built in slices."""
        self.detach_views()
        for view in self.views.values():
            self.teardown.drop(view)
        self.views.clear()
        self.blockSignals(True)
        self.clear()
        self.blockSignals(False)

    def detach_views(self) -> None:
        """Let every canvas stop following its map (the window closes: what is shown stays)."""
        for view in self.views.values():
            view.scene().detach()

    def sync(self) -> None:
        """Make the tabs match the project's maps (after add, delete, undo), keeping views alive."""
        current = self.current_map()
        maps = self.document.project.maps
        ids = [m.id for m in maps]
        for map_id in list(self.views):
            if map_id not in ids:
                self.teardown.drop(self.views.pop(map_id))  # a map deleted: its view goes
        self.blockSignals(True)
        while self.count():
            self.removeTab(0)
        for map_ in maps:
            view = self.views.get(map_.id) or self._make_view(map_)
            self.addTab(view, tab_title(map_))
        keep = current.id if current is not None and current.id in ids else (ids[0] if ids else None)
        if keep is not None:
            self.setCurrentWidget(self.views[keep])
        self.blockSignals(False)
        self.current_changed.emit()

    def _make_view(self, map_: ValueStreamMap) -> MapView:
        """A canvas of the map; a large map's items are added over the next turns of the event
        loop (ui.canvas.building), the window answering meanwhile."""
        large = len(map_.steps) >= SLICED_BUILD_STEPS
        scene = MapScene(self.document, map_, build=not large, analyse=not large)
        scene.set_colour_mode(self.colour_mode)
        scene.set_lanes(self.lanes_by)
        scene.snap_to_grid = self.snap_to_grid
        view = MapView(scene)
        scene.selectionChanged.connect(self.selection_changed)
        scene.status_message.connect(self.status_message)
        if large:
            build = SceneBuild(view, freeze=heap_frozen)
            build.progress.connect(self.status_message)
        self.views[map_.id] = view
        return view

    def drawing(self) -> bool:
        """Whether a canvas is still being drawn in slices (ui.canvas.building), or the file
        whose maps it will show still being read."""
        return self.reading or any(not view.scene().complete for view in self.views.values())

    def building(self) -> bool:
        """Whether a canvas's items are being added in slices now (ui.canvas.building)."""
        return any(build.running for view in self.views.values()
                   for build in view.findChildren(SceneBuild))

    def _on_map_settings_changed(self, map_id: str, field: str) -> None:
        view = self.views.get(map_id)
        if field in ("name", "kind") and view is not None:
            self.setTabText(self.indexOf(view), tab_title(view.scene().map))

    # ------------------------------------------------------------ the map shown

    def current_view(self) -> MapView | None:
        """The canvas shown, or None."""
        widget = self.currentWidget()
        return widget if isinstance(widget, MapView) else None

    def current_map(self) -> ValueStreamMap | None:
        """The map shown, or None."""
        view = self.current_view()
        return view.scene().map if view is not None else None

    def show_map(self, map_id: str) -> None:
        """Bring the map's tab forward."""
        view = self.views.get(map_id)
        if view is not None and self.currentWidget() is not view:
            self.setCurrentWidget(view)

    def step(self, by: int) -> None:
        """Show the next (or with -1 the previous) map, wrapping round."""
        if self.count():
            self.setCurrentIndex((self.currentIndex() + by) % self.count())

    # ------------------------------------------------------------ settings of every view

    def set_colour_mode(self, mode: str) -> None:
        """Fill the steps of every map by "activity" or by "performer"."""
        self.colour_mode = mode
        for view in self.views.values():
            view.scene().set_colour_mode(mode)

    def set_lanes(self, by: str | None) -> None:
        """Swimlanes by "team", by "activity" or none (None) on every map."""
        self.lanes_by = by
        for view in self.views.values():
            view.scene().set_lanes(by)

    def set_snap_to_grid(self, on: bool) -> None:
        """Snap dropped and new steps to the grid on every map."""
        self.snap_to_grid = on
        for view in self.views.values():
            view.scene().snap_to_grid = on
