"""MapView: the widget showing a MapScene, with zoom, pan, keyboard editing and canvas actions.

Ctrl+wheel zooms under the mouse (the plain wheel scrolls), space-drag and middle-drag pan, arrow
keys nudge the selection, Delete removes it, F2 renames the selected step or retitles the selected
kaizen burst in place (as a double-click does). The public methods are what the main
window binds to its menu actions; each calls at most one verb of the document (one command). An
editable view installs the canvas tools on its scene; a `read_only` view (the compare view) zooms,
scrolls and shows tooltips but edits nothing.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCursor,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget

from ui.canvas.arranging import ON_WORKER, Arranging, Positions, lay_out, layout_request
from ui.canvas.items.step_item import HEIGHT, WIDTH
from ui.canvas.placement import KaizenPlacer, spot_near_point
from ui.canvas.routes import LiveRouting
from ui.canvas.scene import MapScene
from ui.canvas.tools import ConnectTool, MoveTool, RenameTool, connect_steps
from ui.document.clipboard import MIME_TYPE, PASTE_OFFSET, copy_steps, steps_from_mime
from vsm.model import Flow, Kaizen, Step, ValueStreamMap
from vsm.model.kaizen import KAIZEN_ABOVE_STEP, KAIZEN_STACK
from vsm.model.layout import COLUMN_SPACING, ROW_SPACING

MIN_ZOOM = 0.1
MAX_ZOOM = 4.0
ZOOM_STEP = 1.25


class MapView(QGraphicsView):
    """The canvas widget of one map."""

    zoom_changed = Signal(float)  # the scale (1.0 = 100%), after any zoom

    def __init__(self, scene: MapScene, parent: QWidget | None = None,
                 read_only: bool = False) -> None:
        super().__init__(scene, parent)
        self._map_scene = scene  # a Python reference keeps the scene alive with the view
        self.read_only = read_only or scene.read_only
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.renamer = RenameTool(self)
        self._space_down = False
        self._pan_from: QPointF | None = None
        self._paste_key: bytes = b""
        self._paste_count = 0
        self._auto_fit = True  # keep fitting as the window resizes until the user zooms or pans
        self._fit_timer = QTimer(self)  # the resizes of one layout pass: one fit after them
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit_after_resize)
        self._fit_waiting = False  # a fit waits for the map to be laid out (_fit_once_laid_out)
        self._arranging = Arranging(self, lambda: layout_request(scene.map, scene.lanes_by),
                                    lambda positions: self._apply_layout(positions, True),
                                    scene.map, lambda: scene.lanes_by)
        scene.rename_requested.connect(self.rename_step)
        scene.refilled.connect(self._on_refilled)
        scene.title_edit_requested.connect(self.renamer.start_kaizen)
        if self.read_only:
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        else:
            scene.connect_tool, scene.move_tool = ConnectTool(scene), MoveTool(scene)
            scene.routing = LiveRouting(scene)  # flows around the boxes, as the deck draws them
            scene.document.set_kaizen_placer(scene.map.id, KaizenPlacer(scene))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._auto_fit and not self._fit_timer.isActive():
            # A window being laid out resizes its canvas several times in one go (three while
            # it shows, three while a tab is added): fit once, after the last, and paint
            # nothing before (no frame at the old zoom).
            self.viewport().setUpdatesEnabled(False)
            self._fit_timer.start()

    def fit_if_auto(self) -> None:
        """Fit the map again unless the user zoomed or panned since it was last fitted (a map
        drawn in slices: ui.canvas.building)."""
        if self._auto_fit:
            self.zoom_to_fit()

    def _on_refilled(self) -> None:
        """Steps came back into a map the view showed empty (the undo of a Delete of
        everything): fitted while empty, to the map's hint, larger, the view fits the map again
        on the next turn, once the layout the batch asked for is done (as after a resize),
        unless the user zoomed or panned."""
        if self._auto_fit:
            self._fit_timer.start()

    def _fit_after_resize(self) -> None:
        try:
            if self._auto_fit:
                self._fit_once_laid_out()
        finally:
            self.viewport().setUpdatesEnabled(True)

    def _fit_once_laid_out(self) -> None:
        """Fit the map now, or, while a big edit's items are still placed in slices (an
        Auto-Layout of thousands of steps, ui.canvas.batches), once they are and the map is
        measured and laid out (ui.canvas.decorations): fitting meanwhile measured the whole map
        in one turn and painted it half moved. Unless the user zooms or pans meanwhile."""
        if not self._fit_waiting:
            self._fit_waiting = True
            self.scene().when_laid_out(self._fit_laid_out)

    def _fit_laid_out(self) -> None:
        if not shiboken6.isValid(self):  # closed meanwhile
            return
        self._fit_waiting = False
        if self._auto_fit:
            self.zoom_to_fit()

    def scene(self) -> MapScene:
        """The map's scene (typed: QGraphicsView.scene() would say QGraphicsScene)."""
        return self._map_scene

    # ------------------------------------------------------------ zoom

    @property
    def zoom(self) -> float:
        """The current scale (1.0 = 100%)."""
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        """Zoom to an absolute scale, clamped to 10%–400%, keeping the anchor."""
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        relative = factor / self.zoom
        if abs(relative - 1) > 1e-9:
            self.scale(relative, relative)
        self.renamer.reposition()
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        """Zoom in one step, around the centre of the view."""
        self._zoom_about_centre(self.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        """Zoom out one step, around the centre of the view."""
        self._zoom_about_centre(self.zoom / ZOOM_STEP)

    def reset_zoom(self) -> None:
        """Back to 100%."""
        self._zoom_about_centre(1.0)

    def zoom_to_fit(self) -> None:
        """Show the whole map: its steps, flows and bursts with the lead-time ladder and the
        summary under them (their totals were cut off at the canvas's edge), as large as they
        fit (at most 150%; the legend above may need a scroll; a map drawn in slices, its
        steps alone: MapScene.fit_rect), and keep it fitted when the window is resized until
        the user zooms or pans. An empty map shows its hint."""
        self._auto_fit = True
        scene = self.scene()
        scene.ensure_layout()
        rect = scene.fit_rect() if scene.item_for_step else scene.content_rect()
        if rect.isNull():
            return
        self.fitInView(rect.adjusted(-30, -30, 30, 30), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1.5:
            self.set_zoom(1.5)
        elif self.zoom < MIN_ZOOM:
            self.set_zoom(MIN_ZOOM)
        self.centerOn(rect.center())
        self.renamer.reposition()
        self.zoom_changed.emit(self.zoom)

    def zoom_to(self, factor: float) -> None:
        """Zoom to an absolute scale (1.0 = 100%) around the centre of the view; the view stops
        following the window's size."""
        self._zoom_about_centre(factor)

    def show_region(self, centre: QPointF, factor: float) -> None:
        """Show the scene at `factor` around `centre` (presentation mode's sections); the view
        stops following the window's size."""
        self._auto_fit = False
        self.set_zoom(factor)
        self.centerOn(centre)

    def _zoom_about_centre(self, factor: float) -> None:
        self._auto_fit = False
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.set_zoom(factor)
        self.setTransformationAnchor(anchor)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        """Draw the canvas without the items a batch removed and has not hidden yet (the views
        are held until they are: ui.canvas.batches; a window uncovered repaints anyway)."""
        self._map_scene.finish_hiding()
        super().paintEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y() or event.angleDelta().x()
            if delta:
                self._auto_fit = False
                self.set_zoom(self.zoom * 1.0015 ** delta)
            event.accept()
            return
        super().wheelEvent(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        renamer = getattr(self, "renamer", None)  # not yet there while the view is built
        if renamer is not None:
            renamer.reposition()

    # ------------------------------------------------------------ keys and panning

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.read_only:
            super().keyPressEvent(event)
            return
        key = event.key()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        arrows = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0),
                  Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        if key == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self._space_down = True
                self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        elif key == Qt.Key.Key_Escape:
            if not self.scene().cancel_interaction():
                self.scene().select_steps([])
        elif key in arrows and (self.scene().selected_step_ids()
                                or self.scene().selected_kaizen_ids()):
            dx, dy = arrows[key]
            distance = 1 if shift else 10
            self.nudge(dx * distance, dy * distance)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selection()
        elif key == Qt.Key.Key_F2:
            self.rename_selected()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or self._space_down:
            self._auto_fit = False
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton and self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # ------------------------------------------------------------ canvas actions

    def delete_selection(self) -> bool:
        """Remove the selected steps (with their flows and kaizens), flows and kaizens: one
        command."""
        scene = self.scene()
        steps, flows, kaizens = scene.selected_ids()
        if self.read_only or not (steps or flows or kaizens):
            return False
        return scene.document.remove(scene.map.id, steps, flows, kaizens)

    def rename_selected(self) -> None:
        """Open the inline name editor on the first selected step, else the title editor on the
        one selected kaizen burst."""
        steps = self.scene().selected_step_ids()
        kaizens = self.scene().selected_kaizen_ids()
        if steps:
            self.rename_step(steps[0])
        elif len(kaizens) == 1:
            self.renamer.start_kaizen(kaizens[0])

    def rename_step(self, step_id: str) -> None:
        """Open the inline name editor on this step."""
        self.renamer.start(step_id)

    def add_step_in_view(self, **fields: object) -> str:
        """A new step in the middle of the visible canvas (one command), selected; its id."""
        return self.scene().add_step_at(self.mapToScene(self.viewport().rect().center()), **fields)

    def append_step(self, after: str | None, text: str | None = None, **fields: object) -> str:
        """A new step to the right of step `after` (below any step already there), with a flow
        from it and its activity, team and performer; without `after`, in the middle of the
        view. One command; the new step is selected. Returns its id."""
        scene, map_ = self.scene(), self.scene().map
        if after is None:
            return self.add_step_in_view(**fields)
        x, y = scene.snapped(*position_after(map_, map_.step(after)))
        step = scene.document.add_step(map_.id, x, y, after=after, text=text, **fields)
        scene.select_steps([step.id])
        return step.id

    def append_step_after_selected(self) -> str:
        """Append a step after the selected (or last) step and open its name for typing.

        With several steps selected the rightmost one is followed; in an empty map the first
        step is created in the middle of the view. Returns the new step's id.
        """
        map_ = self.scene().map
        selected = self.scene().selected_step_ids()
        if selected:
            source: Step | None = max((map_.step(v) for v in selected), key=lambda s: (s.x, -s.y))
        else:
            source = map_.steps[-1] if map_.steps else None
        step_id = self.append_step(source.id if source is not None else None)
        self.rename_step(step_id)
        return step_id

    def connect_selected(self) -> bool:
        """With exactly two steps selected, a flow from the left one to the right one."""
        scene = self.scene()
        selected = scene.selected_step_ids()
        if len(selected) != 2:
            scene.status_message.emit("Select exactly two steps to connect them.")
            return False
        first, second = sorted((scene.map.step(v) for v in selected), key=lambda s: (s.x, s.y))
        return connect_steps(scene, first.id, second.id)

    def nudge(self, dx: float, dy: float) -> bool:
        """Move the selected steps and kaizens by (dx, dy): one command."""
        scene = self.scene()
        steps = [scene.map.step(v) for v in scene.selected_step_ids()]
        kaizens = [scene.map.kaizen(k) for k in scene.selected_kaizen_ids()]
        if not (steps or kaizens) or (dx, dy) == (0, 0):
            return False
        positions = {s.id: (s.x + dx, s.y + dy) for s in steps}
        bursts = {k.id: (k.x + dx, k.y + dy) for k in kaizens}
        return scene.document.move(scene.map.id, positions, bursts, "Nudge")

    def add_kaizen(self) -> str | None:
        """A new kaizen burst for the one selected step (attached to it, above it, or in free
        space near it when something is drawn there: the document asks this canvas's
        KaizenPlacer), or a free one at the mouse cursor when it is over the canvas (Ctrl+K), else
        near the middle of the view (the menu, the toolbar), in free space; selected. One
        command; returns its id (None in a read-only view)."""
        scene = self.scene()
        if self.read_only:
            return None
        selected = scene.selected_step_ids()
        if len(selected) == 1:
            step = scene.map.step(selected[0])
            stacked = KAIZEN_STACK * len(scene.map.kaizens_of(step.id))
            kaizen = Kaizen(step_id=step.id, x=step.x, y=step.y - KAIZEN_ABOVE_STEP - stacked)
        else:
            cursor = self.viewport().mapFromGlobal(QCursor.pos())
            at_cursor = self.viewport().underMouse() and self.viewport().rect().contains(cursor)
            point = cursor if at_cursor else self.viewport().rect().center()
            kaizen = Kaizen()
            kaizen.x, kaizen.y = scene.snapped(*spot_near_point(scene, self.mapToScene(point),
                                                                kaizen.title))
        scene.document.add_kaizen(scene.map.id, kaizen)
        scene.select_steps([], [], [kaizen.id])
        self.ensureVisible(scene.item_for_kaizen[kaizen.id].sceneBoundingRect())
        return kaizen.id

    def auto_layout(self) -> bool:
        """Lay the map out left to right (one command) and fit it in the view; with swimlanes
        on, every step goes into its lane's band. A map mined from a log keeps the path most
        cases take on one line, as mining laid it out. A map of ON_WORKER steps or more is laid
        out on a worker (ui.canvas.arranging), "Arranging the map…" meanwhile, and the move
        comes later: True means it started; another Auto-Layout meanwhile is ignored (False)."""
        scene = self.scene()
        if self._arranging.busy:
            scene.status_message.emit("Still arranging the map…")
            return False
        if len(scene.map.steps) >= ON_WORKER:
            scene.status_message.emit("Arranging the map…")
            self._arranging.start()
            return True
        return self._apply_layout(lay_out(layout_request(scene.map, scene.lanes_by)))

    @property
    def arranging(self) -> bool:
        """Whether an Auto-Layout is being computed on the worker (not applied yet)."""
        return self._arranging.busy

    def _apply_layout(self, positions: Positions, announce: bool = False) -> bool:
        """Move the steps to a layout's positions (one command) and fit the map in the view;
        `announce`: say so in the status bar (a layout from the worker), and fit on the next
        turn of the event loop."""
        scene = self.scene()
        if not scene.document.move(scene.map.id, positions, text="Auto-layout"):
            scene.status_message.emit("The map is already laid out.")
            return False
        if announce:  # a big map: its steps are placed and its flows follow in slices, the
            # map measured and the decorations placed in later turns; fitted then, once, to
            # the map as it ends (fitting now cost ~100 ms at 20,000 steps, twice).
            self._auto_fit = True
            self._fit_once_laid_out()
            scene.status_message.emit("The map is arranged.")
        else:
            self.zoom_to_fit()
        return True

    def select_all(self) -> None:
        """Select every step, flow and kaizen."""
        scene = self.scene()
        scene.select_steps([s.id for s in scene.map.steps], [f.id for f in scene.map.flows],
                           [k.id for k in scene.map.kaizens])

    def centre_on_step(self, step_id: str) -> None:
        """Scroll so the step is in the middle of the view."""
        item = self.scene().item_for_step.get(step_id)
        if item is not None:
            self.centerOn(item.mapRectToScene(item.box_rect()).center())

    def centre_on_kaizen(self, kaizen_id: str) -> None:
        """Scroll so the kaizen burst is in the middle of the view."""
        item = self.scene().item_for_kaizen.get(kaizen_id)
        if item is not None:
            self.centerOn(item.mapRectToScene(item.burst_rect()).center())

    # ------------------------------------------------------------ clipboard

    def copy_selection(self) -> bool:
        """Put the selected steps and the flows among them on the clipboard."""
        scene = self.scene()
        steps = scene.selected_step_ids()
        if not steps:
            return False
        QGuiApplication.clipboard().setMimeData(copy_steps(scene.map, steps))
        return True

    def cut_selection(self) -> bool:
        """Copy, then remove the selected steps: one command."""
        if not self.copy_selection():
            return False
        scene = self.scene()
        return scene.document.remove(scene.map.id, scene.selected_step_ids(),
                                     scene.selected_flow_ids(), text="Cut")

    def paste(self) -> list[str]:
        """Add the copied steps (new ids, offset a little more at each paste) and select them."""
        mime = QGuiApplication.clipboard().mimeData()
        key = bytes(mime.data(MIME_TYPE).data()) if mime is not None else b""
        self._paste_count = self._paste_count + 1 if key and key == self._paste_key else 1
        self._paste_key = key
        return self._add_copies(steps_from_mime(mime, PASTE_OFFSET * self._paste_count), "Paste")

    def duplicate_selection(self) -> list[str]:
        """Copies of the selected steps (and the flows among them), offset, selected: one command."""
        scene = self.scene()
        steps = scene.selected_step_ids()
        if not steps:
            return []
        return self._add_copies(steps_from_mime(copy_steps(scene.map, steps)), "Duplicate")

    def _add_copies(self, copies: tuple[list[Step], list[Flow]] | None, text: str) -> list[str]:
        scene = self.scene()
        if not copies:
            scene.status_message.emit("There are no steps on the clipboard.")
            return []
        steps, flows = copies
        scene.document.add_steps(scene.map.id, steps, flows, text)
        ids = [s.id for s in steps]
        scene.select_steps(ids)
        rect = QRectF()
        for step_id in ids:
            rect = rect.united(scene.item_for_step[step_id].sceneBoundingRect())
        self.ensureVisible(rect)
        return ids


def position_after(map_: ValueStreamMap, source: Step) -> tuple[float, float]:
    """Where a step appended after `source` goes: one column to its right, moved down a row
    while another step's box is in the way."""
    x, y = source.x + COLUMN_SPACING, source.y
    while any(abs(s.x - x) < WIDTH + 20 and abs(s.y - y) < HEIGHT + 20 for s in map_.steps):
        y += ROW_SPACING
    return x, y
