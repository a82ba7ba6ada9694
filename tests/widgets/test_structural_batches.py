"""Structural edits of big maps on the canvas (issue 19): an auto-layout and its undo let the
flows follow their steps a slice per turn of the event loop, and an edit that comes while they
follow leaves the canvas as a freshly built one; a delete of everything and its undo leave the
scene with exactly the map's items, where the model puts them. Behaviour only: the time is
measured by bench/responsiveness.py, never here."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsView

import ui.canvas.batches as batches
from bench.generate import synthetic_project
from tests.helpers.canvas import synthetic_in_window
from ui.canvas.scene import MapScene
from ui.document.document import Document
from vsm.model.layout import auto_layout

STEPS = 300


@pytest.fixture
def big(make_window, monkeypatch):
    """A shown window on the 300-step synthetic map, its flows following a moved step in
    slices past 20 of them, one flow per turn at least (tests.helpers.canvas): (document, map,
    scene). A map left with 150 steps or fewer would otherwise be routed around the boxes
    while the slices run, or not, as the machine's speed has it: the live routing is kept."""
    monkeypatch.setattr(batches, "SLICE_SECONDS", 0.0)
    return synthetic_in_window(make_window, monkeypatch, STEPS)


def drawn(scene: MapScene) -> dict[str, tuple[float, ...]]:
    """Each flow's line as drawn (its path's corners, rounded to 0.1 scene units)."""
    return {flow_id: tuple(round(value, 1) for value in item.path().boundingRect().getRect())
            for flow_id, item in scene.item_for_flow.items()}


def placed(scene: MapScene) -> dict[str, tuple[float, float]]:
    return {step_id: (item.x(), item.y()) for step_id, item in scene.item_for_step.items()}


def as_built(document: Document, map_) -> tuple[dict, dict]:
    """What a scene built from the model now shows: the flows' lines and the steps' places."""
    fresh = MapScene(document, map_)
    try:
        return drawn(fresh), placed(fresh)
    finally:
        fresh.detach()


def test_flows_follow_an_auto_layout_in_slices_and_end_as_freshly_built(big, qtbot):
    document, map_, scene = big
    positions = auto_layout(map_, column_spacing=300.0)  # every step moves
    document.move(map_.id, positions, text="Auto-layout")
    # 300 moved steps, past AT_ONCE (20): their items are put in place over the next turns,
    # their flows following; the map is measured where the steps are now, for a zoom-to-fit.
    assert placed(scene) != {v: positions[v] for v in placed(scene)}
    assert scene.updating
    content = scene.map_rect()
    for x, y in positions.values():
        assert content.contains(x, y)  # each new top-left corner inside the measured map
    qtbot.waitUntil(lambda: not scene.updating)
    assert placed(scene) == {v: positions[v] for v in placed(scene)}
    assert (drawn(scene), placed(scene)) == as_built(document, map_)


def test_a_drag_while_the_steps_are_placed_ends_where_it_was_dropped(big, qtbot):
    document, map_, scene = big
    document.move(map_.id, auto_layout(map_, column_spacing=300.0), text="Auto-layout")
    assert scene.updating  # most items not in place yet
    step = map_.steps[-1]  # the last to be placed
    document.move(map_.id, {step.id: (9000.0, 9000.0)})  # a drag's move, a small batch
    qtbot.waitUntil(lambda: not scene.updating)
    assert placed(scene)[step.id] == (9000.0, 9000.0)
    assert (drawn(scene), placed(scene)) == as_built(document, map_)


def test_an_undo_while_the_flows_follow_ends_as_freshly_built(big, qtbot):
    document, map_, scene = big
    before = as_built(document, map_)
    document.move(map_.id, auto_layout(map_, column_spacing=300.0), text="Auto-layout")
    assert scene.updating
    document.undo_stack.undo()  # every step back, most flows not yet moved along
    qtbot.waitUntil(lambda: not scene.updating)
    assert (drawn(scene), placed(scene)) == before == as_built(document, map_)


def test_a_delete_while_the_flows_follow_leaves_no_stale_or_duplicate_item(big, qtbot):
    document, map_, scene = big
    document.move(map_.id, auto_layout(map_, column_spacing=300.0), text="Auto-layout")
    assert scene.updating
    gone = [s.id for s in map_.steps[::2]]
    scene.select_steps(gone)
    assert document.remove(map_.id, gone)  # flows waiting to follow are removed with them
    qtbot.waitUntil(lambda: not scene.updating)
    assert set(scene.item_for_step) == {s.id for s in map_.steps}
    assert set(scene.item_for_flow) == {f.id for f in map_.flows}
    on_canvas = [item for item in scene.items() if item in scene.item_for_flow.values()
                 or item in scene.item_for_step.values()]
    assert len(on_canvas) == len(map_.steps) + len(map_.flows)  # none left over, none twice
    assert (drawn(scene), placed(scene)) == as_built(document, map_)
    document.undo_stack.undo()  # the delete: the kept items come back, where they were moved
    qtbot.waitUntil(lambda: not scene.updating)
    assert (drawn(scene), placed(scene)) == as_built(document, map_)


def test_delete_all_and_undo_leave_exactly_the_maps_items_where_the_model_puts_them(big, qtbot):
    document, map_, scene = big
    document.move(map_.id, auto_layout(map_, column_spacing=300.0), text="Auto-layout")
    qtbot.waitUntil(lambda: not scene.updating)
    scene.select_steps([s.id for s in map_.steps])
    assert document.remove(map_.id, [s.id for s in map_.steps])
    assert not scene.item_for_step and not scene.item_for_flow and not scene.selectedItems()
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: not scene.updating)
    assert set(scene.item_for_step) == {s.id for s in map_.steps}
    assert placed(scene) == {s.id: (s.x, s.y) for s in map_.steps}
    assert (drawn(scene), placed(scene)) == as_built(document, map_)
    assert not scene.selectedItems()  # back as new items come: not selected


def test_a_routing_draws_the_waiting_flows_first(big):
    _, map_, scene = big
    scene.document.move(map_.id, auto_layout(map_, column_spacing=300.0), text="Auto-layout")
    assert scene.updating
    scene.finish_updates()  # what LiveRouting and the exports do before they plan
    assert not scene.updating
    assert drawn(scene) == as_built(scene.document, map_)[0]


def test_live_routing_plans_once_per_batch(make_window, monkeypatch):
    from ui.canvas.routes import LiveRouting

    document = Document(synthetic_project(40), autosave=False)
    window = make_window(document, 1400, 860)
    map_ = document.project.maps[0]
    scene = window.tabs.views[map_.id].scene()
    planned: list[int] = []
    original = LiveRouting.schedule
    monkeypatch.setattr(LiveRouting, "schedule", lambda self: (planned.append(1),
                                                               original(self))[1])
    ids = [s.id for s in map_.steps]
    scene.select_steps(ids)
    document.remove(map_.id, ids)  # 40 steps and their flows: one batch of about 100 events
    document.undo_stack.undo()
    assert len(planned) == 2  # once at the end of each batch (was once per event)


def test_an_undone_delete_shows_its_items_in_slices_and_an_edit_meanwhile_wins(big, qtbot):
    document, map_, scene = big
    ids = [s.id for s in map_.steps]
    scene.select_steps(ids)
    document.remove(map_.id, ids)
    document.undo_stack.undo()  # 300 steps and their flows back: shown over the next turns
    assert scene.updating
    assert set(scene.item_for_step) == set(ids)  # the mirror is up to date at once
    gone = ids[:100]
    assert document.remove(map_.id, gone)  # some of them before they were shown
    qtbot.waitUntil(lambda: not scene.updating)
    shown = [item for item in scene.items() if item in scene.item_for_step.values()
             or item in scene.item_for_flow.values()]
    assert len(shown) == len(map_.steps) + len(map_.flows) == len(set(shown))
    assert all(item.scene() is None for item in scene._kept.values())  # the removed: not shown
    assert (drawn(scene), placed(scene)) == as_built(document, map_)


def test_a_selection_right_after_an_undone_delete_selects_shown_items(big):
    document, map_, scene = big
    ids = [s.id for s in map_.steps]
    scene.select_steps(ids)
    document.remove(map_.id, ids)
    document.undo_stack.undo()
    assert scene.updating
    scene.select_steps(ids[:10])
    assert not scene.updating
    assert scene.selected_step_ids() == ids[:10]


def removed_with(scene: MapScene, map_, gone: list[str]) -> list:
    """The step items of these steps and the flow items of their flows."""
    return ([scene.item_for_step[v] for v in gone]
            + [scene.item_for_flow[f.id] for f in map_.flows_touching(gone)])


def test_a_big_delete_leaves_its_items_to_hide_to_the_next_turns_unless_the_canvas_is_looked_at(
        big, qtbot, monkeypatch):
    monkeypatch.setattr(batches, "HIDE_CHUNK", 10)  # a chunk of 10 per slice (SLICE_SECONDS 0)
    document, map_, scene = big
    gone = [s.id for s in map_.steps[:200]]
    removed = removed_with(scene, map_, gone)
    centre = removed[0].mapToScene(removed[0].box_rect().center())
    scene.select_steps(gone)
    assert document.remove(map_.id, gone)
    # The delete's own turn leaves them on the canvas, shown and selected, and the views are
    # held from repainting: hiding them is the slices' work (a delete of everything at 20,000
    # steps: 48,000 items, 60-70 ms).
    assert scene.updating
    assert all(item.scene() is scene and item.isVisible() for item in removed)
    assert all(view.viewportUpdateMode() is QGraphicsView.ViewportUpdateMode.NoViewportUpdate
               for view in scene.views())
    # A look at the canvas hides them all first: none is found under the mouse or selected.
    assert scene.step_item_at(centre) is None and not scene.selectedItems()
    assert not any(item.isVisible() or item.isSelected() for item in removed)
    assert sum(item.scene() is scene for item in removed) > len(removed) // 2
    qtbot.waitUntil(lambda: not scene.updating)
    assert all(item.scene() is None for item in removed)
    shown = [item for item in scene.items() if item in scene.item_for_step.values()
             or item in scene.item_for_flow.values()]
    assert len(shown) == len(map_.steps) + len(map_.flows) == STEPS - 200 + len(map_.flows)
    assert (drawn(scene), placed(scene)) == as_built(document, map_)


def test_an_undo_right_after_a_big_delete_brings_every_item_back(big, qtbot):
    document, map_, scene = big
    ids = [s.id for s in map_.steps]
    before = as_built(document, map_)
    scene.select_steps(ids)
    assert document.remove(map_.id, ids)
    qtbot.wait(5)  # a few slices: some items are off the canvas, the others hidden on it
    assert scene.updating
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: not scene.updating)
    items = [*scene.item_for_step.values(), *scene.item_for_flow.values()]
    assert len(items) == len(map_.steps) + len(map_.flows)
    assert all(item.scene() is scene and item.isVisible() for item in items)
    assert scene.step_item_at(items[0].mapToScene(items[0].box_rect().center())) is items[0]
    assert not scene.selectedItems()  # back as new items come: not selected
    assert (drawn(scene), placed(scene)) == before == as_built(document, map_)


def test_a_big_delete_tells_of_a_lost_selection_once_and_of_none_when_none_was_lost(big, qtbot):
    document, map_, scene = big
    told: list[int] = []
    scene.selectionChanged.connect(lambda: told.append(1))
    kept, others = map_.steps[0].id, [s.id for s in map_.steps[100:200]]
    scene.select_steps([kept])
    told.clear()
    assert document.remove(map_.id, others)  # none of them selected: nothing to tell
    qtbot.waitUntil(lambda: not scene.updating)
    assert told == [] and scene.selected_step_ids() == [kept]
    scene.select_steps([kept, map_.steps[50].id])
    told.clear()
    assert document.remove(map_.id, [s.id for s in map_.steps[10:90]])  # one selected among
    assert told == []  # told once they are hidden, in the next turns
    qtbot.waitUntil(lambda: not scene.updating)
    assert told == [1] and scene.selected_step_ids() == [kept]
    document.undo_stack.undo()
    document.undo_stack.undo()
    qtbot.waitUntil(lambda: not scene.updating)
    # Every item back, each step with its flows once (a step's flows were emptied as it left).
    assert all(len(item.flows) == len(set(item.flows)) == len(map_.flows_touching([v]))
               for v, item in scene.item_for_step.items())
    assert (drawn(scene), placed(scene)) == as_built(document, map_)


def test_flows_put_back_after_their_steps_moved_are_drawn_to_where_the_steps_are(big, qtbot):
    document, map_, scene = big
    flow_ids = [f.id for f in map_.flows[:300]]
    removal = map_.remove_items(flow_ids=flow_ids)  # the flows alone: their steps stay
    qtbot.waitUntil(lambda: not scene.updating)
    ends = {end for flow, _ in removal.flows for end in (flow.source, flow.target)}
    for step_id in sorted(ends)[:40]:  # one by one (no batch: the items stay kept)
        map_.set_step_field(step_id, "x", map_.step(step_id).x + 400.0)
    kept = dict(scene._kept)
    map_.restore_items(removal)  # the same flow records: their kept items come back
    assert all(scene.item_for_flow[f] is kept[f] for f in flow_ids)
    assert scene.updating
    qtbot.waitUntil(lambda: not scene.updating)
    assert (drawn(scene), placed(scene)) == as_built(document, map_)


def test_a_step_moved_before_its_put_back_flows_are_shown_draws_them_to_where_it_is(big, qtbot):
    document, map_, scene = big
    ids = [s.id for s in map_.steps]
    document.remove(map_.id, ids)
    qtbot.waitUntil(lambda: not scene.updating)  # all off the canvas
    document.undo_stack.undo()  # put back: the flows are shown, and routed, over the turns
    assert scene.updating
    step = map_.steps[-1]  # its flows come late in the slices: not shown yet
    flow_item = scene.item_for_flow[map_.flows_touching([step.id])[0].id]
    assert flow_item.scene() is not scene or not flow_item.isVisible()
    document.move(map_.id, {step.id: (step.x + 500.0, step.y + 300.0)}, text="Move")
    qtbot.waitUntil(lambda: not scene.updating)
    assert (drawn(scene), placed(scene)) == as_built(document, map_)


def test_a_big_delete_and_its_undo_leave_every_slice_to_the_next_turns(big, qtbot):
    # The batch's end hides the removed items and notes the put-back ones; the slices (taking
    # items off the canvas, showing them again) all run on later turns of the event loop, the
    # first included: the batch's end blocked the window long enough (a delete of 5,000 steps).
    document, map_, scene = big
    ids = [s.id for s in map_.steps]
    before = as_built(document, map_)
    removed = [*scene.item_for_step.values(), *scene.item_for_flow.values()]
    assert document.remove(map_.id, ids)
    assert scene.updating
    assert all(item.scene() is scene and item.isVisible() for item in removed)  # hidden later
    qtbot.waitUntil(lambda: not scene.updating)
    assert all(item.scene() is None for item in removed)
    document.undo_stack.undo()
    assert scene.updating
    assert all(item.scene() is None for item in removed)  # none shown yet: in the slices
    qtbot.waitUntil(lambda: not scene.updating)
    assert all(item.scene() is scene and item.isVisible() for item in removed)
    assert (drawn(scene), placed(scene)) == before == as_built(document, map_)


def test_the_removed_items_are_hidden_a_chunk_per_turn_then_the_lost_selection_is_told_once(
        big, qtbot, monkeypatch):
    monkeypatch.setattr(batches, "HIDE_CHUNK", 10)
    document, map_, scene = big
    gone = [s.id for s in map_.steps[:200]]
    removed = removed_with(scene, map_, gone)
    scene.select_steps(gone)
    for view in scene.views():  # no paint (the view scrolls as the map shrinks): a paint
        view.hide()  # would hide them all at once (the next test)
    shown_when_told: list[int] = []
    scene.selectionChanged.connect(
        lambda: shown_when_told.append(sum(QGraphicsItem.isVisible(i) for i in removed)))
    assert document.remove(map_.id, gone)
    shown = [len(removed)]
    while shown[-1] and len(shown) < 1000:  # a turn at a time: no look at the canvas between
        QApplication.processEvents()
        shown.append(sum(QGraphicsItem.isVisible(i) for i in removed))
    assert shown[-1] == 0 and shown == sorted(shown, reverse=True)
    # 10 (HIDE_CHUNK) more each slice: the turns between had the window's other work
    assert len(set(shown)) > len(removed) // 10 and all(
        before - after in (0, 10) or after == 0 for before, after in zip(shown, shown[1:]))
    qtbot.waitUntil(lambda: not scene.updating)
    assert shown_when_told == [0]  # once, all of them hidden
    assert scene.selected_step_ids() == [] and not scene.selectedItems()


@pytest.mark.parametrize("look", ["mouse", "paint"])
def test_input_or_a_paint_of_the_canvas_hides_the_removed_items_first(big, qtbot, monkeypatch,
                                                                      look):
    monkeypatch.setattr(batches, "HIDE_CHUNK", 10)
    document, map_, scene = big
    gone = [s.id for s in map_.steps[:200]]
    removed = removed_with(scene, map_, gone)
    assert document.remove(map_.id, gone)
    view = scene.views()[0]
    assert sum(QGraphicsItem.isVisible(i) for i in removed) == len(removed)
    if look == "mouse":  # the mouse moving over the canvas (the view tracks it)
        QApplication.sendEvent(view.viewport(), QMouseEvent(
            QEvent.Type.MouseMove, QPointF(20, 20), QPointF(20, 20), Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    else:  # a window uncovered repaints, held or not
        view.viewport().repaint()
    assert not any(QGraphicsItem.isVisible(i) for i in removed)
    qtbot.waitUntil(lambda: not scene.updating)
    assert all(item.scene() is None for item in removed)
