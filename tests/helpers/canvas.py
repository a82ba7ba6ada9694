"""A map on a shown canvas, and real mouse gestures on it, for the widget tests.

Mouse gestures are real events on the view's viewport at view.mapFromScene(...): QTest presses
and releases, and moves as QMouseEvents sent with the left button held (QTest.mouseMove sends no
buttons)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from ui.canvas.scene import MapScene
from ui.canvas.view import MapView
from ui.document.document import Document
from ui.panels.quick_capture import QuickCaptureBar
from vsm.model import Flow, Project, Step, ValueStreamMap

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier


@dataclass
class Canvas:
    document: Document
    map: ValueStreamMap
    scene: MapScene
    view: MapView

    def centre(self, step_id: str) -> QPointF:
        """The centre of a step's box, in scene coordinates."""
        item = self.scene.item_for_step[step_id]
        return item.mapToScene(item.box_rect().center())

    def handle(self, step_id: str) -> QPointF:
        """The centre of a step's connection handle, in scene coordinates."""
        item = self.scene.item_for_step[step_id]
        return item.mapToScene(item.handle_centre())


def view_shown(qtbot, document: Document, map_: ValueStreamMap, width: int, height: int
               ) -> tuple[MapScene, MapView]:
    """A scene of the map in a view of this size, shown and exposed (closed with the test)."""
    scene = MapScene(document, map_)
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return scene, view


def shown_canvas(qtbot, document: Document) -> Iterator[Canvas]:
    """For a fixture to yield from: the document's first map in a 1200 x 800 view, shown at
    100 % around (340, 120); the scene stops following the map afterwards."""
    map_ = document.project.maps[0]
    scene, view = view_shown(qtbot, document, map_, 1200, 800)
    view.reset_zoom()
    view.centerOn(QPointF(340, 120))
    yield Canvas(document, map_, scene, view)
    scene.detach()


def move_mouse(view: MapView, point: QPoint, buttons=LEFT) -> None:
    viewport = view.viewport()
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(point), QPointF(viewport.mapToGlobal(point)),
                        Qt.MouseButton.NoButton, buttons, NONE)
    QApplication.sendEvent(viewport, event)


def drag(view: MapView, start: QPointF, end: QPointF, steps: int = 6) -> None:
    """Press at `start`, move in steps with the left button held, release at `end` (scene points)."""
    viewport = view.viewport()
    a, b = view.mapFromScene(start), view.mapFromScene(end)
    QTest.mousePress(viewport, LEFT, NONE, a)
    for index in range(1, steps + 1):
        move_mouse(view, a + (b - a) * index / steps)
    QTest.mouseRelease(viewport, LEFT, NONE, b)


def capture_host(qtbot, document: Document, map_: ValueStreamMap, width: int = 1000,
                 height: int = 700) -> tuple[QWidget, MapScene, QuickCaptureBar]:
    """A shown window holding a canvas of `map_` above a quick capture bar that adds to it, the
    window active; the caller keeps the window while it tests and detaches the scene at the
    end."""
    scene = MapScene(document, map_)
    host = QWidget()
    view = MapView(scene)
    bar = QuickCaptureBar(lambda: view)
    layout = QVBoxLayout(host)
    layout.addWidget(view)
    layout.addWidget(bar)
    qtbot.addWidget(host)
    host.resize(width, height)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    return host, scene, bar


def row_in_view(qtbot, monkeypatch) -> tuple[Document, ValueStreamMap, MapScene, MapView]:
    """Six steps in a row and their five flows on a shown view, moved in slices of one item a
    turn (more than 2 moved): (document, map, scene, view)."""
    import ui.canvas.batches as batches

    monkeypatch.setattr(batches, "AT_ONCE", 2)
    monkeypatch.setattr(batches, "SLICE_SECONDS", 0.0)
    map_ = ValueStreamMap("Row", id="row")
    for index in range(6):
        map_.add_step(Step(f"S{index}", wait_time=10, process_time=5, id=f"s{index}",
                           x=240.0 * index, y=0.0))
    for index in range(5):
        map_.add_flow(Flow(f"s{index}", f"s{index + 1}", id=f"f{index}"))
    document = Document(Project("P", [map_]))
    scene, view = view_shown(qtbot, document, map_, 800, 500)
    qtbot.waitUntil(lambda: not view._fit_timer.isActive())  # fitted as it showed
    return document, map_, scene, view


def synthetic_in_window(make_window, monkeypatch, steps: int = 300
                        ) -> tuple[Document, ValueStreamMap, MapScene]:
    """A shown window on the synthetic map of `steps` steps (300: about 420 flows), a batch of
    more than 20 items dealt with in slices (AT_ONCE is 500 in the editor), the canvas keeping
    the live (straight) routing, as a scene built afresh does: (document, map, scene)."""
    import ui.canvas.batches as batches
    from bench.generate import synthetic_project

    monkeypatch.setattr(batches, "AT_ONCE", 20)
    document = Document(synthetic_project(steps), autosave=False)
    window = make_window(document, 1400, 860)
    map_ = document.project.maps[0]
    scene = window.tabs.views[map_.id].scene()
    monkeypatch.setattr(scene.routing, "schedule", lambda: None)
    return document, map_, scene
