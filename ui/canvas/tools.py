"""Interaction objects of the canvas: each gesture is an object with start, finish and cancel.

ConnectTool draws a rubber line from a step's handle and connects on release over another step:
an ordinary flow to a later step, a rework flow back to an earlier one (connect_steps).
MoveTool remembers where the dragged steps and kaizen bursts started and pushes one Move command
on release (the live routing, ui.canvas.routes, then routes the flows around the boxes again).
RenameTool puts a line edit over a step's name or a kaizen burst's title; Enter commits one
command, Esc cancels. Tools
call the document's verbs; they never change the model themselves. An editable MapView installs
them (`install_tools`); a read-only or exported canvas has none. (Rubber-band selection is
QGraphicsView's own RubberBandDrag.)
"""

from __future__ import annotations

import weakref

import shiboken6
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsView, QLineEdit

from ui.canvas.items.fonts import label_font, name_font
from ui.canvas.items.kaizen_item import KaizenItem
from ui.canvas.items.step_item import StepItem
from ui.canvas.scene import MapScene
from vsm.model import ValueStreamMap


def connect_steps(scene: MapScene, source_id: str, target_id: str) -> bool:
    """Connect source -> target (one command), unless it makes no sense.

    A connection to a later step is an ordinary flow. One back to an earlier step (one that
    reaches the source along ordinary flows, so an ordinary flow would close a loop and stop every
    figure) is work sent back: a rework flow with the default probability, selected so that the
    properties pane shows it ready to edit. A flow into the same step or one that already exists
    is refused with a status message. Returns True when a flow was added.
    """
    map_ = scene.map
    source, target = map_.step(source_id), map_.step(target_id)
    existing = {(f.source, f.target, f.kind) for f in map_.flows}
    back = source_id != target_id and reaches(map_, target_id, source_id)
    if source_id == target_id:
        message = "A step cannot flow into itself (make a rework flow in its properties)."
    elif (source_id, target_id, "normal") in existing:
        message = f"{source.name!r} already flows into {target.name!r}."
    elif back and (source_id, target_id, "rework") in existing:
        message = f"{source.name!r} already sends work back to {target.name!r}."
    elif back:
        flow = scene.document.add_flow(map_.id, source_id, target_id, kind="rework")
        scene.select_steps([], [flow.id])
        scene.status_message.emit(
            f"Rework: {source.name!r} sends {flow.probability:g}% of its work back to "
            f"{target.name!r} (set the share in the properties)")
        return True
    else:
        scene.document.add_flow(map_.id, source_id, target_id)
        scene.status_message.emit(f"Connected {source.name!r} → {target.name!r}")
        return True
    scene.status_message.emit(message)
    return False


def reaches(map_: ValueStreamMap, start_id: str, goal_id: str) -> bool:
    """Whether a path of ordinary flows leads from one step to another (one walk over the flows,
    at most once through each step: a map of thousands of steps answers at once)."""
    successors: dict[str, list[str]] = {}
    for flow in map_.flows:
        if flow.kind == "normal":
            successors.setdefault(flow.source, []).append(flow.target)
    seen, stack = {start_id}, [start_id]
    while stack:
        for following in successors.get(stack.pop(), ()):
            if following == goal_id:
                return True
            if following not in seen:
                seen.add(following)
                stack.append(following)
    return False


class ConnectTool:
    """Drag from a step's connection handle to another step to connect them."""

    def __init__(self, scene: MapScene) -> None:
        self._scene = weakref.ref(scene)  # no reference cycle with the scene that owns the tool
        self.source: StepItem | None = None
        self._line: QGraphicsLineItem | None = None

    @property
    def scene(self) -> MapScene:
        return self._scene()

    @property
    def active(self) -> bool:
        return self.source is not None

    def start(self, source: StepItem, scene_pos: QPointF) -> None:
        """Begin at `source`'s handle; a dashed rubber line follows the mouse."""
        self.cancel()
        self.source = source
        start = source.mapToScene(source.handle_centre())
        self._line = QGraphicsLineItem(QLineF(start, scene_pos))
        pen = QPen(self.scene.theme.colour("selection"), 2, Qt.PenStyle.DashLine)
        self._line.setPen(pen)
        self._line.setZValue(10)
        self.scene.addItem(self._line)
        self.scene.status_message.emit("Release over the step that comes next, or an earlier one to "
                                        "send work back (Esc cancels)")

    def move(self, scene_pos: QPointF) -> None:
        """Follow the mouse."""
        if self._line is not None:
            line = self._line.line()
            self._line.setLine(QLineF(line.p1(), scene_pos))

    def finish(self, scene_pos: QPointF) -> bool:
        """Connect to the step under `scene_pos`, if any; True when a flow was added."""
        source = self.source
        self.cancel()
        if source is None:
            return False
        target = self.scene.step_item_at(scene_pos)
        if target is None:
            self.scene.status_message.emit("Release over a step to connect to it.")
            return False
        return connect_steps(self.scene, source.step_id, target.step_id)

    def cancel(self) -> None:
        """Drop the rubber line; nothing is changed."""
        if self._line is not None and self._line.scene() is not None:
            self._line.scene().removeItem(self._line)
        self._line = None
        self.source = None


class MoveTool:
    """A drag of the selected steps and kaizen bursts: Qt moves the items while the mouse moves,
    and the flows and bursts attached to the dragged steps follow (`follow`, after each move);
    on release one move (a document verb) takes the model where the items went (snapped), or
    nothing."""

    def __init__(self, scene: MapScene) -> None:
        self._scene = weakref.ref(scene)
        self.steps: dict[str, tuple[float, float]] = {}  # step id -> position at the press
        self.kaizens: dict[str, tuple[float, float]] = {}  # kaizen id -> position at the press
        self._dragged: dict[str, StepItem] = {}  # step id -> its item, dragged

    @property
    def scene(self) -> MapScene:
        return self._scene()

    @property
    def active(self) -> bool:
        return bool(self.steps or self.kaizens)

    def start(self, selected: list) -> None:
        """Remember where the selected steps and kaizens are as the drag begins."""
        self._dragged = {item.step_id: item for item in selected if isinstance(item, StepItem)}
        self.steps = {step_id: (item.x(), item.y()) for step_id, item in self._dragged.items()}
        self.kaizens = {item.kaizen_id: (item.x(), item.y())
                        for item in selected if isinstance(item, KaizenItem)}

    def forget(self, item_id: str) -> None:
        """A step or kaizen was removed during the drag."""
        self.steps.pop(item_id, None)
        self.kaizens.pop(item_id, None)
        self._dragged.pop(item_id, None)

    def follow(self) -> None:
        """Let the flows and bursts of the dragged steps follow them (each flow once), after Qt
        moved the items."""
        followers: dict = {}
        for item in self._dragged.values():
            followers.update(dict.fromkeys(item.flows))
            followers.update(dict.fromkeys(item.kaizens))
        for follower in followers:
            follower.adjust()

    def cancel(self) -> None:
        self.steps, self.kaizens, self._dragged = {}, {}, {}

    def finish(self) -> bool:
        """Move the model where the drag took the items (one command); True when it changed."""
        scene, map_ = self.scene, self.scene.map
        steps = {v: scene.item_for_step[v] for v in self.steps if v in scene.item_for_step}
        bursts = {k: scene.item_for_kaizen[k] for k in self.kaizens if k in scene.item_for_kaizen}
        still = (all((i.x(), i.y()) == self.steps[v] for v, i in steps.items())
                 and all((i.x(), i.y()) == self.kaizens[k] for k, i in bursts.items()))
        self.cancel()
        if still:  # a click, not a drag: nothing to snap or push
            return False
        moved = {v: scene.snapped(i.x(), i.y()) for v, i in steps.items()}
        moved_bursts = {k: scene.snapped(i.x(), i.y()) for k, i in bursts.items()}
        pushed = scene.document.move(map_.id, moved, moved_bursts)
        for v, item in steps.items():  # where snapping undid the move, back to the model
            if (item.x(), item.y()) != (map_.step(v).x, map_.step(v).y):
                item.move_to(map_.step(v).x, map_.step(v).y)
        for k, item in bursts.items():
            if (item.x(), item.y()) != (map_.kaizen(k).x, map_.kaizen(k).y):
                item.setPos(map_.kaizen(k).x, map_.kaizen(k).y)
        if not pushed and scene.routing is not None:  # no model event: the flows that followed
            scene.routing.schedule()  # the drag live are routed again all the same
        return pushed


class _NameEditor(QLineEdit):
    """A line edit that reports Escape instead of passing it on."""

    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class RenameTool:
    """Inline editing on the canvas of a step's name or a kaizen burst's title: a line edit over
    the text, all of it selected; Enter (or focus loss) commits one command through the
    document's verb, Esc cancels."""

    def __init__(self, view: QGraphicsView) -> None:
        self._view = weakref.ref(view)  # no reference cycle with the view that owns the tool
        self.editor: _NameEditor | None = None
        self.step_id: str | None = None
        self.kaizen_id: str | None = None

    @property
    def view(self) -> QGraphicsView | None:
        """The view, or None once it is gone (its editor may outlive it by an event)."""
        view = self._view()
        return view if view is not None and shiboken6.isValid(view) else None

    @property
    def active(self) -> bool:
        return self.editor is not None

    def _scene(self) -> MapScene:
        scene = self.view.scene()
        assert isinstance(scene, MapScene)
        return scene

    def start(self, step_id: str) -> None:
        """Open the editor over the step's name."""
        self.finish()
        scene = self._scene()
        if step_id in scene.item_for_step:
            self._open(scene.map.step(step_id).name, step_id=step_id)

    def start_kaizen(self, kaizen_id: str) -> None:
        """Open the editor over the kaizen burst's title."""
        self.finish()
        scene = self._scene()
        if kaizen_id in scene.item_for_kaizen:
            self._open(scene.map.kaizen(kaizen_id).title, kaizen_id=kaizen_id)

    def _open(self, text: str, step_id: str | None = None, kaizen_id: str | None = None) -> None:
        self.step_id, self.kaizen_id = step_id, kaizen_id
        item, _rect, _font = self._target()
        self.view.ensureVisible(item.sceneBoundingRect(), 20, 20)
        editor = _NameEditor(self.view.viewport())
        editor.setFrame(True)
        editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        editor.setText(text)
        editor.selectAll()
        editor.returnPressed.connect(self.finish)
        editor.editingFinished.connect(self.finish)
        editor.cancelled.connect(self.cancel)
        editor.textChanged.connect(self.reposition)
        self.editor = editor
        self.reposition()
        editor.show()
        editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _target(self) -> tuple[QGraphicsItem | None, QRectF, QFont]:
        """The item edited, the rectangle of its text (item coordinates) and the text's font."""
        scene = self._scene()
        if self.kaizen_id is not None:
            burst = scene.item_for_kaizen.get(self.kaizen_id)
            rect = burst.title_rect() if burst is not None else QRectF()
            return burst, rect, label_font()
        step = scene.item_for_step.get(self.step_id or "")
        return step, step.name_rect() if step is not None else QRectF(), name_font()

    def reposition(self) -> None:
        """Keep the editor over the text after a scroll or a zoom."""
        if self.editor is None or self.view is None:
            return
        item, text_rect, item_font = self._target()
        if item is None:
            self.cancel()
            return
        covered = text_rect.adjusted(-3, -2, 3, 2)  # covers the drawn text entirely
        rect = self.view.mapFromScene(item.mapRectToScene(covered)).boundingRect()
        font = QFont(item_font)
        font.setPixelSize(max(9, round(item_font.pixelSize() * self.view.transform().m11())))
        self.editor.setFont(font)
        wanted = QFontMetrics(font).horizontalAdvance(self.editor.text()) + 24
        width = max(rect.width(), wanted)  # long names grow the editor rather than scroll
        height = max(rect.height(), self.editor.sizeHint().height())
        self.editor.setGeometry(rect.center().x() - width // 2, rect.center().y() - height // 2,
                                width, height)

    def finish(self) -> bool:
        """Commit the typed text (if it changed); True when a command was pushed."""
        editor, step_id, kaizen_id = self._close()
        if editor is None or self.view is None:
            return False
        scene = self._scene()
        text = editor.text().strip()
        if not text:
            return False
        if kaizen_id is not None:
            return (scene.map.has_kaizen(kaizen_id)
                    and scene.document.set_kaizen_field(scene.map.id, kaizen_id, "title", text))
        if step_id is None or not scene.map.has_step(step_id):
            return False
        return scene.document.set_step_field(scene.map.id, step_id, "name", text)

    def cancel(self) -> None:
        """Close the editor without changing anything."""
        self._close()

    def _close(self) -> tuple[_NameEditor | None, str | None, str | None]:
        editor, step_id, kaizen_id = self.editor, self.step_id, self.kaizen_id
        self.editor = self.step_id = self.kaizen_id = None
        if editor is not None:
            editor.blockSignals(True)
            editor.hide()
            editor.deleteLater()
            if self.view is not None:
                self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        return editor, step_id, kaizen_id
