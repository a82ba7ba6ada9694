"""While a batch's items are dealt with in slices (an auto-layout of thousands of steps, its
undo, a delete), the map's views do not repaint after each slice — every visible item painted
again at each turn, a half-moved map on show — but once, the map in its final state, when the
slices end (ui.canvas.decorations)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QGraphicsView

from ui.canvas.scene import MapScene
from ui.canvas.view import MapView
from ui.document.document import Document
from vsm.model import Flow, Project, Step, ValueStreamMap

SMART = QGraphicsView.ViewportUpdateMode.SmartViewportUpdate
HELD = QGraphicsView.ViewportUpdateMode.NoViewportUpdate


class Paints(QObject):
    """Counts the paint events a widget gets."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_view_repaints_once_the_slices_end_not_after_each(qtbot, monkeypatch):
    import ui.canvas.batches as batches

    monkeypatch.setattr(batches, "AT_ONCE", 2)  # more than 2 moved: in slices
    monkeypatch.setattr(batches, "SLICE_SECONDS", 0.0)  # one item a turn
    map_ = ValueStreamMap("Row", id="row")
    for index in range(6):
        map_.add_step(Step(f"S{index}", id=f"s{index}", x=240.0 * index, y=0.0))
    for index in range(5):
        map_.add_flow(Flow(f"s{index}", f"s{index + 1}", id=f"f{index}"))
    document = Document(Project("P", [map_]))
    scene = MapScene(document, map_)
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.show()
    qtbot.waitExposed(view)
    paints = Paints()
    view.viewport().installEventFilter(paints)
    qtbot.wait(50)
    assert view.viewportUpdateMode() == SMART
    # Every step 300 down: 6 steps and their 5 flows placed a slice (one item) per turn.
    document.move(map_.id, {step.id: (step.x, 300.0) for step in map_.steps})
    assert scene.updating and view.viewportUpdateMode() == HELD
    paints.count = 0
    turns = 0
    while scene.updating:
        qtbot.wait(1)
        turns += 1
        if scene.updating:
            assert paints.count == 0  # nothing painted while the map is half moved
    assert turns >= 2  # it took more than one turn of the event loop
    qtbot.waitUntil(lambda: view.viewportUpdateMode() == SMART)  # the decorations placed
    qtbot.waitUntil(lambda: paints.count >= 1)  # then the whole map painted, as it ends
    assert all(scene.item_for_step[step.id].pos().y() == 300.0 for step in map_.steps)
    # An undo moves them back in slices too: held again, and released at the end.
    document.undo_stack.undo()
    assert scene.updating and view.viewportUpdateMode() == HELD
    qtbot.waitUntil(lambda: not scene.updating and view.viewportUpdateMode() == SMART)
    assert all(scene.item_for_step[step.id].pos().y() == 0.0 for step in map_.steps)
    scene.detach()


def test_a_few_items_moved_at_once_do_not_hold_the_view(qtbot):
    map_ = ValueStreamMap("Two", id="two")
    map_.add_step(Step("A", id="a", x=0.0, y=0.0))
    map_.add_step(Step("B", id="b", x=240.0, y=0.0))
    document = Document(Project("P", [map_]))
    scene = MapScene(document, map_)
    view = MapView(scene)
    qtbot.addWidget(view)
    document.move(map_.id, {"a": (0.0, 100.0), "b": (240.0, 100.0)})  # 2 <= AT_ONCE: at once
    assert not scene.updating and view.viewportUpdateMode() == SMART
    scene.detach()


def test_a_scene_detached_while_its_slices_run_gives_its_views_back(qtbot, monkeypatch):
    # A map closed (or deleted) in the middle of its slices: the view, held from repainting,
    # repaints again on its own.
    import ui.canvas.batches as batches

    monkeypatch.setattr(batches, "AT_ONCE", 2)
    monkeypatch.setattr(batches, "SLICE_SECONDS", 0.0)
    map_ = ValueStreamMap("Row", id="row")
    for index in range(6):
        map_.add_step(Step(f"S{index}", id=f"s{index}", x=240.0 * index, y=0.0))
    document = Document(Project("P", [map_]))
    scene = MapScene(document, map_)
    view = MapView(scene)
    qtbot.addWidget(view)
    document.move(map_.id, {step.id: (step.x, 300.0) for step in map_.steps})
    assert scene.updating and view.viewportUpdateMode() == HELD
    scene.detach()
    assert view.viewportUpdateMode() == SMART
