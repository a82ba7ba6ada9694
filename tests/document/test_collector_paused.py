"""Commands of many items pause the automatic cycle collector for their batch
(ui.document.collector.collector_paused): the batch's events die at its end instead of being
walked by collections their allocations trigger. Collections are counted, never timed."""

from __future__ import annotations

import gc

import pytest

from bench.generate import synthetic_project
from ui.document.document import Document
from vsm.model.events import BatchEnded, BatchStarted


@pytest.fixture
def low_threshold():
    """A collection every 10 allocations (so a batch of hundreds of events would start many),
    and the collections started while a batch is under way counted."""
    thresholds = gc.get_threshold()
    gc.set_threshold(10, 10, 10)
    state = {"in_batch": False, "collections": 0}

    def counted(phase, _info):
        if phase == "start" and state["in_batch"]:
            state["collections"] += 1

    gc.callbacks.append(counted)
    yield state
    gc.callbacks.remove(counted)
    gc.set_threshold(*thresholds)


def watch_batches(map_, state) -> None:
    def listener(event):
        if isinstance(event, BatchStarted):
            state["in_batch"] = True
        elif isinstance(event, BatchEnded):
            state["in_batch"] = False

    map_.subscribe(listener, gathered=True)


def test_a_delete_and_its_undo_start_no_collection_during_their_batch(low_threshold):
    document = Document(synthetic_project(200), autosave=False)
    map_ = document.project.maps[0]
    watch_batches(map_, low_threshold)
    assert document.remove(map_.id, [s.id for s in map_.steps])  # 200 steps, their flows
    document.undo_stack.undo()
    assert low_threshold["collections"] == 0
    assert gc.isenabled()  # given back after each command
    assert len(map_.steps) == 200


def test_a_move_starts_no_collection_during_its_batch(low_threshold):
    document = Document(synthetic_project(200), autosave=False)
    map_ = document.project.maps[0]
    watch_batches(map_, low_threshold)
    assert document.move(map_.id, {s.id: (s.x + 40.0, s.y) for s in map_.steps})
    document.undo_stack.undo()
    assert low_threshold["collections"] == 0 and gc.isenabled()


def test_a_move_starts_no_collection_while_the_verb_reads_its_positions(low_threshold,
                                                                          monkeypatch):
    # An Auto-Layout's 20,000 positions arrive from the worker, whose block kept the collector
    # off the whole time: the verb's own allocations (the positions that change, and the old
    # ones for the undo) started a young collection over all of that on the GUI thread before
    # the command's batch paused it (33 and 25 ms, collecting nothing, in a 270 ms turn).
    from ui.document.commands import MoveCommand
    from vsm.model import ValueStreamMap

    document = Document(synthetic_project(200), autosave=False)
    map_ = document.project.maps[0]
    before = [(s.x, s.y) for s in map_.steps]
    original = ValueStreamMap.position_changes

    def reading(self, positions):
        low_threshold["in_batch"] = True  # counted from here: the verb's own work
        return original(self, positions)

    def redone(command, _redo=MoveCommand.redo):
        _redo(command)
        low_threshold["in_batch"] = False  # to here: the collection due may run after

    monkeypatch.setattr(ValueStreamMap, "position_changes", reading)
    monkeypatch.setattr(MoveCommand, "redo", redone)
    assert document.move(map_.id, {s.id: (s.x + 40.0, s.y) for s in map_.steps})
    assert low_threshold["collections"] == 0 and gc.isenabled()
    assert [(s.x, s.y) for s in map_.steps] == [(x + 40.0, y) for x, y in before]


def test_an_auto_layout_starts_no_collection_while_it_copies_the_map(low_threshold, qtbot):
    from PySide6.QtCore import QObject

    from ui.canvas.arranging import Arranging, layout_request

    document = Document(synthetic_project(200), autosave=False)
    map_ = document.project.maps[0]
    applied: list[dict] = []
    parent = QObject()

    def request():
        low_threshold["in_batch"] = True  # counted while the shape is copied
        try:
            return layout_request(map_, None)
        finally:
            low_threshold["in_batch"] = False

    arranging = Arranging(parent, request, applied.append, watched=map_, lanes=lambda: None)
    arranging.start()
    assert low_threshold["collections"] == 0
    qtbot.waitUntil(lambda: bool(applied))
    assert set(applied[0]) == {s.id for s in map_.steps} and gc.isenabled()


def test_a_collector_disabled_by_someone_else_stays_disabled():
    document = Document(synthetic_project(20), autosave=False)
    map_ = document.project.maps[0]
    gc.disable()
    try:
        assert document.remove(map_.id, [map_.steps[0].id])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_a_paused_block_leaves_is_frozen_once_the_window_froze_the_heap():
    from ui.document.collector import collector_paused, freeze_heap, thaw_heap

    before = gc.get_freeze_count()
    with collector_paused():
        left = [[number] for number in range(1000)]  # 1,000 tracked lists and the outer one
    assert gc.get_freeze_count() == before  # the heap not frozen: left to the collector
    freeze_heap()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            kept = [[number] for number in range(1000)]
        assert gc.get_freeze_count() - frozen >= 1001  # `kept`: out of later collections' sight
        frozen = gc.get_freeze_count()
        with collector_paused(freeze=False):  # a worker's temporaries: never frozen
            dropped = [[number] for number in range(1000)]
        assert gc.get_freeze_count() == frozen
    finally:
        thaw_heap()  # as a window gives the heap back when it closes (tests/widgets/test_heap)
    assert len(left) == len(kept) == len(dropped) == 1000


def test_a_block_ending_after_the_heap_was_given_back_freezes_nothing():
    """A worker's block (the analysis child's answer read, a file read) may begin while the
    window keeps the heap frozen and end after the window closed and gave it back: what exists
    then stays the collector's. On main the block froze the whole heap again (decided when it
    began), which the closed window never gave back: the CI's test_heap found 275,548 objects
    frozen right after a close, with the analysis's answer read on its worker meanwhile."""
    import threading

    from ui.document.collector import collector_paused, freeze_heap, heap_frozen, thaw_heap

    assert gc.get_freeze_count() == 0 and not heap_frozen()
    began, given_back = threading.Event(), threading.Event()

    def worker() -> None:
        with collector_paused():
            began.set()
            given_back.wait(10)  # the window closes meanwhile

    freeze_heap()  # as the window does once a large document is drawn
    try:
        assert heap_frozen() and gc.get_freeze_count() > 0
        thread = threading.Thread(target=worker)
        thread.start()
        assert began.wait(10)
        thaw_heap()  # the window closes
        given_back.set()
        thread.join(10)
        assert not thread.is_alive()
        assert gc.get_freeze_count() == 0 and not heap_frozen()
    finally:
        thaw_heap()
