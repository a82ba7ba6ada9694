"""Auto-Layout of a large map on a worker (ui.canvas.arranging): the same positions as the
synchronous layout, applied as one undoable move; an edit made before the result arrives is
neither lost nor laid out wrongly; a second Auto-Layout meanwhile is ignored."""

from __future__ import annotations

import pytest

from bench.generate import synthetic_project
from ui.canvas import arranging
from ui.document.document import Document
from vsm.model.layout import auto_layout

STEPS = 300


@pytest.fixture
def big(make_window, monkeypatch):
    """A shown window on the 300-step synthetic map, laid out on the worker from 100 steps:
    (document, map, view, status messages)."""
    monkeypatch.setattr(arranging, "ON_WORKER", 100)
    monkeypatch.setattr("ui.canvas.view.ON_WORKER", 100)
    document = Document(synthetic_project(STEPS), autosave=False)
    window = make_window(document, 1400, 860)
    map_ = document.project.maps[0]
    view = window.tabs.views[map_.id]
    messages: list[str] = []
    view.scene().status_message.connect(messages.append)
    return document, map_, view, messages


def positions(map_) -> dict[str, tuple[float, float]]:
    return {step.id: (step.x, step.y) for step in map_.steps}


def items_where_the_model_says(view, map_) -> bool:
    scene = view.scene()
    return not scene.updating and all(
        (scene.item_for_step[s.id].x(), scene.item_for_step[s.id].y()) == (s.x, s.y)
        for s in map_.steps)


def test_the_worker_layout_is_the_synchronous_one_as_one_undoable_move(big, qtbot):
    document, map_, view, messages = big
    before = positions(map_)
    expected = auto_layout(map_)  # computed here, synchronously
    count = document.undo_stack.count()
    assert view.auto_layout()  # started
    assert view.arranging and messages[-1] == "Arranging the map…"
    assert positions(map_) == before  # nothing moved yet: the worker has the copy
    qtbot.waitUntil(lambda: not view.arranging, timeout=10000)
    assert positions(map_) == expected
    assert document.undo_stack.count() == count + 1  # one command
    assert document.undo_stack.undoText() == "Auto-layout"
    assert messages[-1] == "The map is arranged."
    qtbot.waitUntil(lambda: items_where_the_model_says(view, map_), timeout=10000)
    document.undo_stack.undo()
    assert positions(map_) == before  # every step back
    qtbot.waitUntil(lambda: items_where_the_model_says(view, map_), timeout=10000)


def test_a_second_auto_layout_meanwhile_is_ignored(big, qtbot):
    document, map_, view, messages = big
    count = document.undo_stack.count()
    assert view.auto_layout()
    assert not view.auto_layout()
    assert messages[-1] == "Still arranging the map…"
    qtbot.waitUntil(lambda: not view.arranging, timeout=10000)
    assert document.undo_stack.count() == count + 1


def test_a_step_added_before_the_result_is_kept_and_laid_out_too(big, qtbot):
    document, map_, view, _ = big
    assert view.auto_layout()  # the worker lays out a copy of 300 steps
    # the result comes through the event loop: this edit is made before it arrives
    last = map_.steps[-1]
    added = document.add_step(map_.id, 0.0, 0.0, after=last.id, text="Added meanwhile")
    qtbot.waitUntil(lambda: not view.arranging, timeout=10000)
    assert map_.has_step(added.id) and len(map_.steps) == STEPS + 1
    assert positions(map_) == auto_layout(map_)  # laid out with the new step and its flow
    qtbot.waitUntil(lambda: items_where_the_model_says(view, map_), timeout=10000)
    document.undo_stack.undo()  # the layout
    document.undo_stack.undo()  # the step
    assert not map_.has_step(added.id)


def test_a_step_dragged_before_the_result_is_moved_and_its_undo_puts_it_back(big, qtbot):
    document, map_, view, _ = big
    expected = auto_layout(map_)
    step = map_.steps[10]
    assert view.auto_layout()
    document.move(map_.id, {step.id: (5000.0, 7000.0)})  # a drag, before the result arrives
    qtbot.waitUntil(lambda: not view.arranging, timeout=10000)
    assert positions(map_) == expected  # the shape did not change: the same layout
    document.undo_stack.undo()  # the layout
    assert (step.x, step.y) == (5000.0, 7000.0)  # where it was dragged to
    qtbot.waitUntil(lambda: items_where_the_model_says(view, map_), timeout=10000)


def counted_copies(monkeypatch) -> list[int]:
    """How many times the map's shape is copied (each copy appends 1)."""
    copies: list[int] = []
    original = arranging.map_shape

    def counting(map_):
        copies.append(1)
        return original(map_)

    monkeypatch.setattr(arranging, "map_shape", counting)
    return copies


def test_only_moves_meanwhile_apply_the_result_without_copying_the_map_again(
        big, qtbot, monkeypatch):
    # Copying the shape again to compare costs tens of milliseconds at 20,000 steps: moves
    # cannot change what the layout reads, so the copy taken at the start is the only one.
    document, map_, view, _ = big
    copies = counted_copies(monkeypatch)
    expected = auto_layout(map_)
    step = map_.steps[10]
    assert view.auto_layout()
    document.move(map_.id, {step.id: (5000.0, 7000.0)})  # a drag, before the result arrives
    qtbot.waitUntil(lambda: not view.arranging, timeout=10000)
    assert len(copies) == 1  # the copy the worker laid out
    assert positions(map_) == expected
    qtbot.waitUntil(lambda: items_where_the_model_says(view, map_), timeout=10000)


def test_a_rename_or_new_lanes_meanwhile_have_the_map_copied_again_to_compare(
        big, qtbot, monkeypatch):
    document, map_, view, _ = big
    copies = counted_copies(monkeypatch)
    step = map_.steps[3]
    assert view.auto_layout()
    document.set_step_field(map_.id, step.id, "name", "Renamed meanwhile")
    qtbot.waitUntil(lambda: not view.arranging, timeout=10000)
    # A rename may change nothing the layout reads, but is not a move: copied again (2),
    # found the same, and the result applied.
    assert len(copies) == 2
    assert positions(map_) == auto_layout(map_)
    qtbot.waitUntil(lambda: items_where_the_model_says(view, map_), timeout=10000)
    copies.clear()
    view.scene().set_lanes("team")
    document.move(map_.id, {step.id: (9000.0, 9000.0)})  # not laid out as it is now
    assert view.auto_layout()
    view.scene().set_lanes(None)  # the lanes changed meanwhile (no event of the map)
    qtbot.waitUntil(lambda: not view.arranging, timeout=10000)
    assert len(copies) >= 2  # copied again: not the lanes laid out, laid out again
    assert positions(map_) == auto_layout(map_)  # without lanes, as the scene is now
