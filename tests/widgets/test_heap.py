"""The collector is kept off a large open document from when it is shown, and given back
its objects when the window closes; when it shows another document they stay frozen, and the
old document's canvas, taken apart in slices, is freed by reference counting (ui.window.heap,
ui.window.map_tabs.ViewTeardown)."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from bench.generate import synthetic_map
from ui.document.document import Document
from ui.window.heap import LARGE_MAP_STEPS
from vsm.model import Project


def document(steps: int) -> Document:
    return Document(Project("P", [synthetic_map(steps, seed=3)]), autosave=False)


def drawn_and_frozen(window, qtbot) -> None:
    """Wait until the window's canvases are drawn and what exists then is frozen."""
    qtbot.waitUntil(lambda: not window.tabs.drawing() and not window.heap._wait.isActive()
                    and gc.get_freeze_count() > 0, timeout=30000)


def test_a_large_document_is_frozen_as_shown_its_canvas_as_drawn_and_given_back_on_close(
        make_window, qtbot):
    assert gc.get_freeze_count() == 0
    window = make_window(document(LARGE_MAP_STEPS + 50))
    assert window.tabs.drawing()
    # Its model at once: no full collection walks it while the canvas is drawn (at 20,000
    # steps each walked the model and the items drawn so far, 100-230 ms on the GUI thread).
    at_once = gc.get_freeze_count()
    assert at_once > 0
    qtbot.waitUntil(lambda: not window.tabs.drawing(), timeout=30000)
    scene = window.tabs.views[window.document.project.maps[0].id].scene()
    drawn = {id(item) for item in scene.item_for_step.values()}
    assert len(drawn) == LARGE_MAP_STEPS + 50
    assert not any(id(thing) in drawn for thing in gc.get_objects())  # frozen as made
    # Once drawn, what exists then (the panes' rows, the figures) is frozen too.
    qtbot.waitUntil(lambda: gc.get_freeze_count() > at_once, timeout=5000)
    window.document.undo_stack.setClean()
    window.close()
    assert gc.get_freeze_count() == 0


def test_showing_another_document_keeps_the_objects_frozen(make_window, qtbot):
    window = make_window(document(LARGE_MAP_STEPS + 50))
    drawn_and_frozen(window, qtbot)
    window.set_document(document(20))  # small: frozen at once with what was frozen
    assert gc.get_freeze_count() > 0
    qtbot.wait(300)  # longer than the freezer's check
    assert gc.get_freeze_count() > 0
    window.close()
    assert gc.get_freeze_count() == 0  # the window closed: every object given back


def test_the_old_documents_canvas_is_freed_without_the_collector(make_window, qtbot):
    """Its items, tools and presenters refer to each other: taken apart in slices, they are
    freed by reference counting while frozen, leaving nothing of it to a collection."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # earlier tests' windows
    gc.collect()  # and their garbage: not frozen with this test's objects
    window = make_window(document(LARGE_MAP_STEPS + 50))
    drawn_and_frozen(window, qtbot)
    view = window.tabs.current_view()
    scene = view.scene()
    items = [weakref.ref(item) for item in scene.item_for_step.values()]
    items += [weakref.ref(item) for item in scene.item_for_flow.values()]
    assert len(items) > LARGE_MAP_STEPS
    canvas = [weakref.ref(view), weakref.ref(scene)]
    del view, scene
    enabled = gc.isenabled()
    gc.disable()  # only reference counting frees anything until the collection below
    try:
        window.set_document(document(20))
        qtbot.waitUntil(lambda: not window.tabs.teardown.running, timeout=30000)
        qtbot.wait(50)
        assert [ref for ref in items + canvas if ref() is not None] == []
        gc.unfreeze()
        gc.set_debug(gc.DEBUG_SAVEALL)  # what the collection finds is kept in gc.garbage
        gc.collect()
        canvas_garbage = [type(thing).__qualname__ for thing in gc.garbage
                          if type(thing).__module__.startswith("ui.")]
        # On main the 550-step canvas was all left to the collection: its 550 StepItems,
        # flows, badges, tools and presenters among ~20,000 objects (about 40 per step).
        assert canvas_garbage == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()


def test_a_small_document_is_left_alone(make_window, qtbot):
    make_window(document(40))
    qtbot.wait(300)
    assert gc.get_freeze_count() == 0


def test_a_deleted_maps_canvas_is_freed_without_the_collector(make_window, qtbot):
    """A map deleted (undoably): its view and its items are taken apart in slices too."""
    project = Project("P", [synthetic_map(30, seed=3), synthetic_map(20, seed=4)])
    window = make_window(Document(project, autosave=False))
    second = project.maps[1]
    view = window.tabs.views[second.id]
    items = [weakref.ref(item) for item in view.scene().item_for_step.values()]
    assert len(items) == 20
    canvas = [weakref.ref(view), weakref.ref(view.scene())]
    del view
    enabled = gc.isenabled()
    gc.disable()  # only reference counting frees anything
    try:
        window.document.remove_map(second.id)
        assert window.tabs.count() == 1
        qtbot.waitUntil(lambda: not window.tabs.teardown.running, timeout=10000)
        qtbot.wait(50)
        assert [ref for ref in items + canvas if ref() is not None] == []
    finally:
        if enabled:
            gc.enable()
    window.document.undo_stack.undo()  # the map is back, on a new canvas
    assert window.tabs.count() == 2
    assert len(window.tabs.views[second.id].scene().item_for_step) == 20


def test_what_a_big_moves_slices_and_its_layout_make_joins_the_frozen_heap(
        make_window, qtbot, monkeypatch):
    """Left young, what the slices of an auto-layout of 20,000 steps made (the flows' new
    routes and boxes, the measure's lists, the ladder's segments) was walked by every
    collection on the GUI thread: young ones of 40-60 ms, full ones of 70-150 ms."""
    import ui.canvas.decorations as decorations

    monkeypatch.setattr(decorations, "MEASURE_SLICE", 500)  # the map measured in turns
    window = make_window(document(LARGE_MAP_STEPS + 50))
    drawn_and_frozen(window, qtbot)
    view = window.tabs.current_view()
    scene = view.scene()
    map_ = window.document.project.maps[0]
    qtbot.waitUntil(lambda: not scene.updating and not scene._layout_turn.isActive())
    young: list[tuple[str, int]] = []  # after each turn of the slices and the layout
    enabled = gc.isenabled()
    gc.disable()  # nothing collected: what a turn leaves young stays young
    try:
        assert window.document.move(map_.id, {s.id: (s.x * 1.5, s.y + 40.0)
                                              for s in map_.steps})  # 550 steps: in slices
        assert scene.updating
        scene._update_timer.timeout.connect(  # after each slice
            lambda: young.append(("slice", len(gc.get_objects(0)))))
        scene._layout_turn.timeout.connect(  # after each turn of the layout
            lambda: young.append(("layout", len(gc.get_objects(0)))))
        qtbot.waitUntil(lambda: not scene.updating and not scene._layout_turn.isActive(),
                        timeout=10000)
    finally:
        if enabled:
            gc.enable()
    slices = [count for turn, count in young if turn == "slice"]
    layouts = [count for turn, count in young[:-1] if turn == "layout"]  # the last: unfrozen
    assert len(slices) >= 2 and len(layouts) >= 2  # the measure in turns and the ladder's
    assert max(slices + layouts) <= 5
