"""While a batch's items are dealt with in slices (an auto-layout of thousands of steps, its
undo, a delete), the map's views do not repaint after each slice — every visible item painted
again at each turn, a half-moved map on show — but once, the map in its final state, when the
slices end (ui.canvas.decorations)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QGraphicsView

from tests.helpers.canvas import row_in_view
from ui.canvas.scene import MapScene
from ui.canvas.view import MapView
from ui.document.document import Document
from vsm.model import Project, Step, ValueStreamMap

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
    document, map_, scene, view = row_in_view(qtbot, monkeypatch)
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
        QApplication.processEvents()  # one turn of the event loop
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


def test_moved_steps_are_laid_out_around_once_their_slices_end(qtbot, monkeypatch):
    # The decorations were placed (and the map measured) while the moved steps were still
    # being placed and their flows still to follow (which do not count until they have): a
    # measure taken again at the slices' end, and a half-moved map painted at 20,000 steps.
    document, map_, scene, view = row_in_view(qtbot, monkeypatch)
    laid_out: list[bool] = []  # for each layout: whether moved items were still waiting
    measured: list[bool] = []  # the same for each measure of the map
    ladder = scene._presenter.update_ladder  # what each layout (its ladder) calls
    monkeypatch.setattr(scene._presenter, "update_ladder",
                        lambda on: (laid_out.append(bool(scene._placing or scene._follow)),
                                    ladder(on)))
    measure = scene._extent._measure
    monkeypatch.setattr(scene._extent, "_measure",
                        lambda: (measured.append(bool(scene._placing or scene._follow)),
                                 measure()))
    document.move(map_.id, {step.id: (step.x, 300.0) for step in map_.steps})
    assert scene.updating
    qtbot.waitUntil(lambda: not scene.updating and view.viewportUpdateMode() == SMART)
    assert laid_out and not any(laid_out)
    assert not any(measured)
    assert scene.ladder.pos().y() == scene.map_rect().bottom() + 36  # below the moved row
    scene.detach()


def test_the_turn_that_ends_the_slices_leaves_the_layout_to_the_next(qtbot, monkeypatch):
    # The last slice's turn measured the map's first slice (or laid the decorations out) on
    # top of its own work: 30 ms at 5,000 steps.
    document, map_, scene, view = row_in_view(qtbot, monkeypatch)
    in_slice: list[bool] = [False]
    update_slice = scene._update_slice

    def slice_turn() -> None:
        in_slice[0] = True
        try:
            update_slice()
        finally:
            in_slice[0] = False

    monkeypatch.setattr(scene, "_update_slice", slice_turn)
    scene._update_timer = None  # its next timer calls the patched slice
    laid_out: list[bool] = []
    layout = scene.layout_decorations
    monkeypatch.setattr(scene, "layout_decorations",
                        lambda: (laid_out.append(in_slice[0]), layout()))
    document.move(map_.id, {step.id: (step.x, 300.0) for step in map_.steps})
    qtbot.waitUntil(lambda: not scene.updating and view.viewportUpdateMode() == SMART)
    assert laid_out and not any(laid_out)  # in turns of their own
    scene.detach()


def test_after_the_slices_the_ladder_has_a_turn_before_the_map_is_shown(qtbot, monkeypatch):
    # The turn that releases the views repaints the whole map (50-80 ms at 20,000 steps): the
    # ladder along the moved path (20-30 ms there) is laid out in the turn before.
    document, map_, scene, view = row_in_view(qtbot, monkeypatch)
    scene.apply_analysis()
    scene.layout_decorations()
    turns: list[str] = []
    lay_out = scene._presenter._lay_out_ladder
    monkeypatch.setattr(scene._presenter, "_lay_out_ladder",
                        lambda on: (turns.append(f"ladder, views {view.viewportUpdateMode()}"),
                                    lay_out(on))[1])
    scene._layout_turn.timeout.connect(  # after the scene's own turn
        lambda: turns.append(f"turn, views {view.viewportUpdateMode()}"))
    document.move(map_.id, {step.id: (step.x + 40.0, 300.0) for step in map_.steps})
    qtbot.waitUntil(lambda: not scene.updating and view.viewportUpdateMode() == SMART)
    assert f"ladder, views {HELD}" in turns  # laid out while the views are held
    ladder = turns.index(f"ladder, views {HELD}")
    # its turn ends with the views held; the next places the decorations and releases them
    assert turns[ladder + 1:ladder + 3] == [f"turn, views {HELD}", f"turn, views {SMART}"]
    assert [segment.process_to for segment in scene.ladder.segments] == [
        240.0 * index + 40.0 + 180.0 for index in range(6)]  # along the moved row
    scene.detach()


class Walked(list):
    """A step item's list of flows that counts the walks over it."""

    walks = 0

    def __iter__(self):
        Walked.walks += 1
        return super().__iter__()


@pytest.mark.parametrize("stay", [(), ("s0",), ("s0", "s1")])
def test_most_steps_moved_have_their_flows_and_bursts_follow_without_a_walk_per_step(
        qtbot, monkeypatch, stay):
    # An auto-layout moves (nearly) every step: its flows were found by asking each step item
    # for its own (each flow twice, ~15 ms at 20,000 steps); every flow follows but one
    # between steps that stayed, and every burst attached to a moved step, found from the
    # scene's items at once.
    from vsm.model import Kaizen

    document, map_, scene, view = row_in_view(qtbot, monkeypatch)
    document.add_kaizen(map_.id, Kaizen("Attached", step_id="s2", x=480.0, y=-120.0,
                                        id="attached"))
    document.add_kaizen(map_.id, Kaizen("Free", x=100.0, y=-300.0, id="free"))
    for item in scene.item_for_step.values():
        item.flows = Walked(item.flows)
    walks: list[int] = []  # in the batch's end (the scene's work for the moved items)
    on_batch = scene._on_batch
    monkeypatch.setattr(scene, "_on_batch", lambda event: (
        setattr(Walked, "walks", 0), on_batch(event), walks.append(Walked.walks)))
    followed: list[object] = []
    adjusting = [*scene.item_for_flow.values(), *scene.item_for_kaizen.values()]
    for item in adjusting:
        original = item.adjust
        monkeypatch.setattr(item, "adjust", lambda item=item, original=original: (
            followed.append(item), original())[1])
    document.move(map_.id, {step.id: (step.x + 40.0, 300.0) for step in map_.steps
                            if step.id not in stay})
    assert scene.updating and walks == [0, len(stay)]  # only the steps that stayed asked
    qtbot.waitUntil(lambda: not scene.updating)
    between_stayed = {scene.item_for_flow["f0"]} if stay == ("s0", "s1") else set()
    assert set(followed) == {*scene.item_for_flow.values(),
                             scene.item_for_kaizen["attached"]} - between_stayed
    assert len(followed) == len(set(followed))  # each once
    for flow_id, item in scene.item_for_flow.items():  # drawn between its steps' boxes
        flow = map_.flow(flow_id)
        source, target = item.source, item.target
        assert (source.pos().x(), source.pos().y()) == (map_.step(flow.source).x,
                                                        map_.step(flow.source).y)
        assert item.extent[0] >= source.pos().x() and item.extent[2] <= target.pos().x() + 180
    scene.detach()


def test_the_scene_says_it_is_laying_out_until_the_decorations_are_placed(qtbot, monkeypatch):
    # bench/responsiveness.py measures an action until the canvas has no turn left to come
    # (`laying_out`, `updating`): the slices' layout turns after the result came were not
    # measured, or were counted in the next action's.
    document, map_, scene, view = row_in_view(qtbot, monkeypatch)
    assert not scene.laying_out
    document.move(map_.id, {step.id: (step.x, 300.0) for step in map_.steps})
    placed: list[float] = []
    scene.when_laid_out(lambda: placed.append(scene.ladder.pos().y()))
    assert scene.laying_out  # the fit's wait counts as laying out
    busy_turns = 0
    while scene.updating or scene.laying_out:
        assert not placed  # said busy while its decorations were not yet placed
        QApplication.processEvents()
        busy_turns += 1
        assert busy_turns < 1000
    assert placed == [scene.map_rect().bottom() + 36]  # placed, below the moved row
    assert busy_turns >= 2
    scene.detach()
