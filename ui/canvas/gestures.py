"""The mouse gestures on the map's canvas, and what the scene knows of the helpers an editable
MapView installs on it.

`Gestures` is a mix-in of MapScene (ui.canvas.scene): a press on a step's handle starts a
connection, a press on a step or burst starts a move, a double-click renames a step, retitles a
burst or adds a step on the empty canvas. The connection and the move are the tools of
ui.canvas.tools, the flows are kept routed by ui.canvas.routes; the scene calls them through the
protocols below, so it imports neither module (both import the scene). A read-only or exported
scene has none of them: it adds nothing on a double-click either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QGraphicsSceneMouseEvent

from ui.canvas.items import FlowItem, KaizenItem, StepItem
from ui.canvas.items.step_item import PROCESS_HEIGHT, WIDTH
from ui.document.document import Document
from vsm.model import ValueStreamMap


class ConnectGesture(Protocol):
    """Drawing a connection from a step's handle (ui.canvas.tools.ConnectTool)."""

    active: bool

    def start(self, source: StepItem, scene_pos: QPointF) -> None: ...

    def move(self, scene_pos: QPointF) -> None: ...

    def finish(self, scene_pos: QPointF) -> bool: ...

    def cancel(self) -> None: ...


class MoveGesture(Protocol):
    """Dragging the selected steps and kaizens (ui.canvas.tools.MoveTool)."""

    active: bool

    def start(self, selected: list) -> None: ...

    def follow(self) -> None: ...

    def forget(self, item_id: str) -> None: ...

    def finish(self) -> bool: ...

    def cancel(self) -> None: ...


class FlowRouter(Protocol):
    """Keeping the flows routed around the boxes while the map changes
    (ui.canvas.routes.LiveRouting)."""

    @property
    def pending(self) -> bool: ...

    def schedule(self) -> None: ...

    def stop(self) -> None: ...


class Gestures:
    """The mouse gestures of MapScene."""

    document: Document
    map: ValueStreamMap
    read_only: bool
    connect_tool: ConnectGesture | None
    move_tool: MoveGesture | None

    if TYPE_CHECKING:  # MapScene's signals and QGraphicsScene's and Selection's methods
        status_message: Any
        rename_requested: Any
        title_edit_requested: Any

        def snapped(self, x: float, y: float) -> tuple[float, float]: ...
        def select_steps(self, step_ids: list[str], flow_ids: list[str] = (),
                         kaizen_ids: list[str] = ()) -> None: ...
        def step_item_at(self, scene_pos: QPointF) -> StepItem | None: ...
        def flow_item_at(self, scene_pos: QPointF) -> FlowItem | None: ...
        def kaizen_item_at(self, scene_pos: QPointF) -> KaizenItem | None: ...
        def mouseGrabberItem(self) -> Any: ...  # noqa: N802
        def selectedItems(self) -> list[Any]: ...  # noqa: N802

    def add_step_at(self, scene_pos: QPointF, **fields: Any) -> str:
        """Add a new step centred on a point (one command), select it; return its id."""
        x, y = self.snapped(scene_pos.x() - WIDTH / 2, scene_pos.y() - PROCESS_HEIGHT / 2)
        step = self.document.add_step(self.map.id, x, y, **fields)
        self.select_steps([step.id])
        return step.id

    def cancel_interaction(self) -> bool:
        """Cancel a connection being drawn; True if there was one."""
        if self.connect_tool is not None and self.connect_tool.active:
            self.connect_tool.cancel()
            self.status_message.emit("Connection cancelled")
            return True
        return False

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if (event.button() == Qt.MouseButton.LeftButton and self.connect_tool is not None
                and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            item = self.step_item_at(event.scenePos())
            if item is not None and item.handle_at(event.scenePos()):
                self.connect_tool.start(item, event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)
        if self.move_tool is not None:
            self.move_tool.cancel()
            if (event.button() == Qt.MouseButton.LeftButton
                    and isinstance(self.mouseGrabberItem(), (StepItem, KaizenItem))):
                self.move_tool.start(self.selectedItems())

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.connect_tool is not None and self.connect_tool.active:
            self.connect_tool.move(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)
        if self.move_tool is not None and self.move_tool.active:
            self.move_tool.follow()  # Qt moved the dragged items: their flows follow

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.connect_tool is not None and self.connect_tool.active:
            if event.button() == Qt.MouseButton.LeftButton:
                self.connect_tool.finish(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if (event.button() == Qt.MouseButton.LeftButton and self.move_tool is not None
                and self.move_tool.active):
            self.move_tool.finish()

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.read_only:
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            burst = self.kaizen_item_at(event.scenePos())
            if burst is not None:
                self.select_steps([], [], [burst.kaizen_id])
                self.title_edit_requested.emit(burst.kaizen_id)
                event.accept()
                return
            item = self.step_item_at(event.scenePos())
            if item is not None:
                self.rename_requested.emit(item.step_id)
                event.accept()
                return
            if self.flow_item_at(event.scenePos()) is None:
                self.rename_requested.emit(self.add_step_at(event.scenePos()))
                event.accept()
                return
        super().mouseDoubleClickEvent(event)

