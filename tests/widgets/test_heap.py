"""The collector is kept off a large open document once its canvases are drawn, and given back
its objects when the window shows another document or closes (ui.window.heap)."""

from __future__ import annotations

import gc

from bench.generate import synthetic_map
from ui.document.document import Document
from ui.window.heap import LARGE_MAP_STEPS
from vsm.model import Project


def document(steps: int) -> Document:
    return Document(Project("P", [synthetic_map(steps, seed=3)]), autosave=False)


def test_a_large_document_is_frozen_once_drawn_and_given_back_on_close(make_window, qtbot):
    assert gc.get_freeze_count() == 0
    window = make_window(document(LARGE_MAP_STEPS + 50))
    assert window.tabs.drawing()  # not before its canvas is complete
    assert gc.get_freeze_count() == 0
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=30000)
    assert not window.tabs.drawing()
    window.document.undo_stack.setClean()
    window.close()
    assert gc.get_freeze_count() == 0


def test_showing_another_document_gives_the_objects_back(make_window, qtbot):
    window = make_window(document(LARGE_MAP_STEPS + 50))
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=30000)
    window.set_document(document(20))  # small: nothing frozen again
    assert gc.get_freeze_count() == 0
    qtbot.wait(300)  # longer than the freezer's check
    assert gc.get_freeze_count() == 0


def test_a_small_document_is_left_alone(make_window, qtbot):
    make_window(document(40))
    qtbot.wait(300)
    assert gc.get_freeze_count() == 0
