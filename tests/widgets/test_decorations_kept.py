"""The map's extent is kept between edits (ui.canvas.extent): an edit that adds or moves items
outward updates it from those items, with no measure over the whole map; one that takes the
only item on an edge inward, or removes it, has the map measured again. Either way the legend,
ladder and summary end where a freshly built scene of the same map puts them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from ui.canvas.items.step_item import BOUNDS
from ui.canvas.scene import MapScene
from ui.document.document import Document
from vsm.model import Flow, Project, Step, ValueStreamMap


def grid_map() -> ValueStreamMap:
    """Eight steps in two rows of four, 240 apart (s0..s3 on top at y=0, s4..s7 at y=240),
    a flow from each to the next."""
    map_ = ValueStreamMap("Grid", id="grid")
    for index in range(8):
        map_.add_step(Step(f"S{index}", wait_time=10 * index, process_time=5, id=f"s{index}",
                           x=240.0 * (index % 4), y=240.0 * (index // 4)))
    for index in range(7):
        map_.add_flow(Flow(f"s{index}", f"s{index + 1}", id=f"f{index}"))
    return map_


@pytest.fixture
def edited(qtbot):
    document = Document(Project("P", [grid_map()]))
    map_ = document.project.maps[0]
    scene = MapScene(document, map_)
    scene.layout_decorations()
    yield document, map_, scene
    scene.detach()


def places(scene: MapScene) -> tuple:
    """Where the map ends and its decorations stand, after the scene has the current analysis."""
    scene.apply_analysis()  # lays the decorations out
    return (scene.map_rect(), scene.legend.pos(), scene.ladder.pos(), scene.summary.pos())


def assert_as_fresh(document: Document, map_: ValueStreamMap, scene: MapScene) -> None:
    fresh = MapScene(document, map_)
    try:
        assert places(scene) == places(fresh)
    finally:
        fresh.detach()


def test_an_outward_step_and_flow_extend_the_extent_without_a_measure(edited):
    document, map_, scene = edited
    measures = scene._extent.measures
    step = document.add_step(map_.id, 1200.0, 600.0)
    document.add_flow(map_.id, "s7", step.id)
    document.move(map_.id, {"s0": (-300.0, -120.0)})
    left, top, right, bottom = BOUNDS
    rect = scene.map_rect()
    # The new step's box reaches 1200 + right across and 600 + bottom down; s0 moved to
    # (-300, -120) reaches -300 + left and -120 + top (the flows lie between the steps).
    assert (rect.right(), rect.bottom()) == (1200.0 + right, 600.0 + bottom)
    assert (rect.left(), rect.top()) == (-300.0 + left, -120.0 + top)
    assert scene._extent.measures == measures  # no walk over the whole map
    assert_as_fresh(document, map_, scene)


def test_removing_an_inner_step_measures_nothing_again(edited):
    document, map_, scene = edited
    measures = scene._extent.measures
    document.remove(map_.id, step_ids=["s1"])  # on the top row, but s0, s2, s3 are too
    assert_as_fresh(document, map_, scene)
    document.undo_stack.undo()
    assert_as_fresh(document, map_, scene)
    assert scene._extent.measures == measures


def test_the_edge_step_moved_inward_or_removed_has_the_map_measured_again(edited):
    document, map_, scene = edited
    document.add_step(map_.id, 240.0, 720.0)  # the only step on the bottom edge
    scene.map_rect()
    added = map_.steps[-1].id
    measures = scene._extent.measures
    document.move(map_.id, {added: (240.0, 480.0)})  # inward: the bottom is measured again
    # Its box now ends at 480 + bottom, still below the lower row's 240 + bottom.
    assert scene.map_rect().bottom() == 480.0 + BOUNDS[3]
    assert scene._extent.measures == measures + 1
    assert_as_fresh(document, map_, scene)
    document.remove(map_.id, step_ids=[added])
    assert scene.map_rect().bottom() == 240.0 + BOUNDS[3]  # the lower row again
    assert_as_fresh(document, map_, scene)
    document.undo_stack.undo()  # the step back, below the rows
    assert scene.map_rect().bottom() == 480.0 + BOUNDS[3]
    assert_as_fresh(document, map_, scene)
    document.undo_stack.undo()  # its move undone
    document.undo_stack.undo()  # its adding undone: the rows alone
    assert scene.map_rect() == QRectF(*_rows_rect())
    assert_as_fresh(document, map_, scene)


def _rows_rect() -> tuple[float, float, float, float]:
    """The two rows' steps: from (0 + left, 0 + top) to (720 + right, 240 + bottom)."""
    left, top, right, bottom = BOUNDS
    return (left, top, 720.0 + right - left, 240.0 + bottom - top)


def test_the_ladder_is_laid_out_again_only_when_a_step_on_its_path_changed(edited, monkeypatch):
    from ui.canvas.items import LadderItem

    document, map_, scene = edited
    scene.apply_analysis()
    path = scene.analysis.critical_path
    assert "s7" in path  # the chain s0 -> ... -> s7 is the only path
    laid: list[str] = []
    original = LadderItem.set_lead_time
    monkeypatch.setattr(LadderItem, "set_lead_time",
                        lambda self, *texts: (laid.append(texts[0]), original(self, *texts))[1])
    scene.layout_decorations()  # nothing changed since the last layout
    document.add_step(map_.id, 1200.0, 600.0)  # off the path (no flow)
    scene.layout_decorations()
    assert laid == []  # the path was not walked again
    document.move(map_.id, {"s2": (480.0, 60.0)})  # a step of the path moved
    scene.layout_decorations()
    assert len(laid) == 1
    assert_as_fresh(document, map_, scene)
    document.set_step_field(map_.id, "s3", "wait_time", 90)  # its times: the ladder's texts
    assert_as_fresh(document, map_, scene)
    assert [s.wait_text for s in scene.ladder.segments][3] == \
        [s.wait_text for s in _fresh_segments(document, map_)][3]


def _fresh_segments(document: Document, map_: ValueStreamMap) -> list:
    fresh = MapScene(document, map_)
    try:
        return list(fresh.ladder.segments)
    finally:
        fresh.detach()


def test_a_step_given_cases_has_the_legend_say_what_the_counts_mean(edited):
    document, map_, scene = edited
    assert not scene.legend.measured
    map_.set_step_field("s4", "cases", 12)  # a mined figure
    scene.layout_decorations()
    assert scene.legend.measured
    document.remove(map_.id, step_ids=["s4"])  # the only measured step gone
    scene.layout_decorations()
    assert not scene.legend.measured


def test_a_new_analysis_along_the_same_path_keeps_the_ladder_s_segments(edited, monkeypatch):
    from ui.canvas.items import LadderItem

    document, map_, scene = edited
    scene.apply_analysis()
    before = scene.analysis
    document.add_step(map_.id, 1200.0, 600.0)  # off the path: a new analysis, the same path
    laid: list[int] = []
    looked: list[str] = []
    original, step = LadderItem.set_segments, ValueStreamMap.step
    monkeypatch.setattr(LadderItem, "set_segments",
                        lambda self, segments, totals: (laid.append(len(segments)),
                                                        original(self, segments, totals))[1])
    monkeypatch.setattr(ValueStreamMap, "step",
                        lambda self, step_id: (looked.append(step_id), step(self, step_id))[1])
    scene.apply_analysis()
    monkeypatch.setattr(ValueStreamMap, "step", step)
    assert scene.analysis is not before and scene.analysis.critical_path == before.critical_path
    on_path = [step_id for step_id in looked if step_id in before.critical_path]
    assert laid == [] and on_path == []  # the path not walked, its segments stand
    fresh = MapScene(document, map_)
    try:
        assert scene.ladder.caption_lines() == fresh.ladder.caption_lines()
        assert scene.ladder.segments == fresh.ladder.segments
    finally:
        fresh.detach()


def test_items_dealt_with_in_slices_are_noted_without_measuring_the_whole_map(
        edited, qtbot, monkeypatch):
    # A batch of more than AT_ONCE items (here 2) has its items placed, routed, shown or taken
    # off in slices (one item a turn here); when the slices end, the extent is brought up to
    # date from those items alone: the whole map was measured again at every such end (25 of
    # the 131 ms an edit of one wait blocked the window at 5,000 steps).
    import ui.canvas.batches as batches

    document, map_, scene = edited
    monkeypatch.setattr(batches, "AT_ONCE", 2)
    monkeypatch.setattr(batches, "SLICE_SECONDS", 0.0)
    scene.map_rect()
    measures = scene._extent.measures
    # Every step at twice its place: s0 stays at (0, 0) on the left and top edges; s3 goes
    # to (1440, 0), s7 to (1440, 480): the right and bottom edges move out.
    document.move(map_.id, {s.id: (s.x * 2, s.y * 2) for s in map_.steps})
    assert scene.updating
    qtbot.waitUntil(lambda: not scene.updating)
    left, top, right, bottom = BOUNDS
    assert scene.map_rect() == QRectF(left, top, 1440.0 + right - left, 480.0 + bottom - top)
    assert_as_fresh(document, map_, scene)
    document.remove(map_.id, step_ids=["s1", "s2", "s5", "s6"])  # inner ones, in slices
    assert scene.updating
    qtbot.waitUntil(lambda: not scene.updating)
    document.undo_stack.undo()  # put back in slices
    assert scene.updating
    qtbot.waitUntil(lambda: not scene.updating)
    assert_as_fresh(document, map_, scene)
    assert scene._extent.measures == measures  # no walk over the whole map
    document.undo_stack.undo()  # the move undone: the right and bottom edges come in
    qtbot.waitUntil(lambda: not scene.updating)
    assert scene.map_rect() == QRectF(*_rows_rect())
    assert scene._extent.measures == measures + 1  # their edge items all left: one measure
    assert_as_fresh(document, map_, scene)


def test_a_big_delete_and_its_undo_note_nothing_more_when_their_slices_end(
        edited, qtbot, monkeypatch):
    # The items a delete takes off in slices, and those its undo shows again where they were,
    # were noted for the extent by the batch's events: the slices' end notes only the items
    # whose box a slice changed (none here: every flow is put back between its steps at their
    # places, not routed again). It noted every item again (12,000 at 5,000 steps).
    import ui.canvas.batches as batches

    document, map_, scene = edited
    monkeypatch.setattr(batches, "AT_ONCE", 2)
    monkeypatch.setattr(batches, "SLICE_SECONDS", 0.0)
    noted: list[list] = []
    ended = scene.slices_ended
    monkeypatch.setattr(scene, "slices_ended", lambda keys: (noted.append(keys), ended(keys)))
    document.remove(map_.id, step_ids=[step.id for step in map_.steps])  # 8 steps, 7 flows
    assert scene.updating
    qtbot.waitUntil(lambda: not scene.updating)
    assert scene.item_for_step == {} and scene.map_rect().isNull()
    document.undo_stack.undo()
    assert scene.updating
    qtbot.waitUntil(lambda: not scene.updating)
    assert noted == [[], []]  # both slices' ends: nothing more to note
    assert scene.map_rect() == QRectF(*_rows_rect())
    assert_as_fresh(document, map_, scene)


def test_a_large_map_measured_again_is_measured_a_slice_per_turn_before_its_layout(
        edited, qtbot, monkeypatch):
    # A full measure of a 20,000-step map (48,000 boxes) held one turn 80-140 ms: a large map
    # is measured again MEASURE_SLICE boxes a turn, and laid out once the walk is over. Here
    # the grid's 15 items (8 steps, 7 flows) count as large with MEASURE_SLICE 4, and a move
    # of every step as touching a good part of the map with MANY 2 (16 events >= 2, and
    # 4 * 16 >= the 15 counted): measured again, in slices of steps 4 + 4, flows 4 + 3.
    import ui.canvas.decorations as decorations
    import ui.canvas.extent as extent

    document, map_, scene = edited
    monkeypatch.setattr(decorations, "MEASURE_SLICE", 4)
    monkeypatch.setattr(extent, "MANY", 2)
    scene.map_rect()
    measures = scene._extent.measures
    folded: list[int] = []
    fold = scene._extent._fold
    monkeypatch.setattr(scene._extent, "_fold", lambda piece: (folded.append(len(piece)),
                                                               fold(piece)))
    laid_out: list[list[int]] = []
    layout = scene.layout_decorations
    monkeypatch.setattr(scene, "layout_decorations",
                        lambda: (laid_out.append(list(folded)), layout()))
    turns: list[list[int]] = []
    scene._layout_turn.timeout.connect(lambda: turns.append(list(folded)))
    # The figures a move leaves as they were would lay the decorations out when they come
    # (apply_analysis): that layout finishes a walk at once, as the next test shows.
    monkeypatch.setattr(scene, "apply_analysis", lambda: None)
    document.move(map_.id, {s.id: (s.x * 2, s.y * 2) for s in map_.steps})  # one batch
    assert scene._extent.stale and laid_out == []
    qtbot.waitUntil(lambda: bool(laid_out), timeout=5000)
    # A slice a turn (the boxes folded by the end of each turn), each of at most
    # MEASURE_SLICE boxes; the fifth turn finds the walk over and lays the decorations out.
    assert turns == [[4], [4, 4], [4, 4, 4], [4, 4, 4, 3], [4, 4, 4, 3]]
    assert laid_out[0] == [4, 4, 4, 3]
    assert scene._extent.measures == measures + 1 and not scene._extent.stale
    left, top, right, bottom = BOUNDS
    assert scene.map_rect() == QRectF(left, top, 1440.0 + right - left, 480.0 + bottom - top)
    monkeypatch.undo()  # the scene's own apply_analysis and layout again
    assert_as_fresh(document, map_, scene)


def test_a_layout_asked_for_during_a_measure_in_slices_finishes_it_at_once(
        edited, monkeypatch):
    import ui.canvas.decorations as decorations
    import ui.canvas.extent as extent

    document, map_, scene = edited
    monkeypatch.setattr(decorations, "MEASURE_SLICE", 4)
    monkeypatch.setattr(extent, "MANY", 2)
    document.move(map_.id, {s.id: (s.x * 2, s.y * 2) for s in map_.steps})
    scene._layout_in_turns()  # the scheduled layout's first turn: one slice measured
    assert scene._extent.stale
    scene.ensure_layout()  # an export or zoom to fit: the rest now, and the layout
    assert not scene._extent.stale and not scene._layout_turn.isActive()
    left, top, right, bottom = BOUNDS
    assert scene.map_rect() == QRectF(left, top, 1440.0 + right - left, 480.0 + bottom - top)
    assert_as_fresh(document, map_, scene)


def test_steps_off_the_path_placed_in_slices_leave_the_ladder_as_it_is(
        edited, qtbot, monkeypatch):
    # The end of a batch's slices had the ladder walked again whatever the slices placed
    # (6,000 steps of path at 20,000 steps): only steps on its path placed in slices do.
    import ui.canvas.batches as batches

    document, map_, scene = edited
    extra = [document.add_step(map_.id, 240.0 * index, 720.0).id for index in range(4)]
    scene.apply_analysis()
    assert not set(extra) & set(scene.analysis.critical_path)  # no flow: off the path
    scene.layout_decorations()
    monkeypatch.setattr(batches, "AT_ONCE", 2)  # 4 steps moved: placed in slices
    monkeypatch.setattr(batches, "SLICE_SECONDS", 0.0)
    walks: list[int] = []
    lay_out = scene._presenter._lay_out_ladder
    monkeypatch.setattr(scene._presenter, "_lay_out_ladder",
                        lambda on: (walks.append(1), lay_out(on))[1])
    document.move(map_.id, {step_id: (240.0 * index + 40.0, 760.0)
                            for index, step_id in enumerate(extra)})
    assert scene.updating
    qtbot.waitUntil(lambda: not scene.updating)
    qtbot.wait(20)  # the layout and the new analysis (the same path) have come
    assert walks == []
    document.move(map_.id, {s.id: (s.x, s.y + 40.0) for s in map_.steps[:4]})  # on the path
    qtbot.waitUntil(lambda: not scene.updating)
    scene.ensure_layout()
    assert walks != []
    monkeypatch.undo()
    assert_as_fresh(document, map_, scene)


def test_a_move_of_most_of_the_map_in_slices_is_measured_again_not_noted_item_by_item(
        edited, qtbot, monkeypatch):
    # An auto-layout at 20,000 steps ends its slices with 48,000 moved items: their keys were
    # built and noted one by one (~15 ms in the last slice's turn) only for the extent to
    # find them too many and measure the map again.
    import ui.canvas.batches as batches
    import ui.canvas.extent as extent

    document, map_, scene = edited
    monkeypatch.setattr(batches, "AT_ONCE", 2)
    monkeypatch.setattr(batches, "SLICE_SECONDS", 0.0)
    monkeypatch.setattr(extent, "MANY", 2)
    scene.map_rect()
    touched: list[list] = []
    touch = scene._extent.touch
    monkeypatch.setattr(scene._extent, "touch", lambda keys: (touched.append(list(keys)),
                                                              touch(keys)))
    document.move(map_.id, {s.id: (s.x * 2, s.y * 2) for s in map_.steps})
    assert scene.updating
    qtbot.waitUntil(lambda: not scene.updating and not scene._layout_turn.isActive())
    assert touched == []  # the batch's end and the slices' end: measured again instead
    left, top, right, bottom = BOUNDS
    assert scene.map_rect() == QRectF(left, top, 1440.0 + right - left, 480.0 + bottom - top)
    assert_as_fresh(document, map_, scene)


def test_a_measure_in_slices_holds_no_pair_per_item_meanwhile(qtbot, monkeypatch):
    # The walk held a (id, item) pair for each of the map's steps and flows until it ended:
    # 48,000 objects at 20,000 steps, young, for every collection meanwhile to walk.
    import gc

    import ui.canvas.decorations as decorations
    from bench.generate import synthetic_project

    monkeypatch.setattr(decorations, "MEASURE_SLICE", 100)
    document = Document(synthetic_project(300), autosave=False)  # 300 steps, 421 flows
    scene = MapScene(document, document.project.maps[0])
    scene._extent.invalidate()
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        before = len(gc.get_objects())
        assert not scene._extent.measure_slice()  # the walk's first slice
        held = len(gc.get_objects()) - before
    finally:
        if enabled:
            gc.enable()
    assert held < 100  # the walk's lists and the edges found so far, not 721 pairs
    while not scene._extent.measure_slice():
        pass
    scene.detach()
