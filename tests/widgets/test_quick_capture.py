"""Quick capture: name, Tab, process time, Tab, wait, Enter appends and connects one step per
command; a refused time shows an inline error and pushes nothing."""

from __future__ import annotations

from itertools import pairwise

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.helpers.canvas import capture_host
from ui.document.document import Document
from ui.panels.quick_capture import QuickCaptureBar
from vsm.model import Project, Step, ValueStreamMap


@pytest.fixture
def capture(qtbot):
    map_ = ValueStreamMap("Onboarding")
    map_.add_step(Step("Request", id="r", process_time=5, x=100, y=40))
    document = Document(Project("P", [map_]))
    _host, scene, bar = capture_host(qtbot, document, map_)
    yield document, map_, bar
    scene.detach()


def type_step(qtbot, bar: QuickCaptureBar, name: str, process: str, wait: str) -> None:
    """Type as a facilitator does: into the focused field, Tab, Tab, Enter."""
    bar.start()
    assert QApplication.focusWidget() is bar.edits["name"]
    qtbot.keyClicks(bar.edits["name"], name)
    qtbot.keyClick(bar.edits["name"], Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is bar.edits["process_time"]
    qtbot.keyClicks(bar.edits["process_time"], process)
    qtbot.keyClick(bar.edits["process_time"], Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is bar.edits["wait_time"]
    qtbot.keyClicks(bar.edits["wait_time"], wait)
    qtbot.keyClick(bar.edits["wait_time"], Qt.Key.Key_Return)


def test_three_typed_steps_are_appended_in_order_and_connected(qtbot, capture):
    document, map_, bar = capture
    type_step(qtbot, bar, "Create account", "15m", "2h")
    # the fields are cleared and the cursor is back in Name
    assert [e.text() for e in bar.edits.values()] == ["", "", ""]
    assert QApplication.focusWidget() is bar.edits["name"]
    type_step(qtbot, bar, "Grant access", "1h 30m", "1d")
    type_step(qtbot, bar, "Welcome call", "30", "")
    names = [s.name for s in map_.steps]
    assert names == ["Request", "Create account", "Grant access", "Welcome call"]
    new = map_.steps[1:]
    assert [(s.process_time, s.wait_time) for s in new] == [(15, 120), (90, 1440), (30, 0)]
    assert [(s.x, s.y) for s in new] == [(340, 40), (580, 40), (820, 40)]  # x + 240, same y
    # the first follows the map's last step, then each the one captured before it
    chain = ["r"] + [s.id for s in new]
    assert [(f.source, f.target) for f in map_.flows] == list(pairwise(chain))
    assert document.undo_stack.count() == 3  # one command per step (step and flow together)
    document.undo_stack.undo()
    assert [s.name for s in map_.steps] == ["Request", "Create account", "Grant access"]
    assert len(map_.flows) == 2


def test_a_bad_time_shows_an_error_and_pushes_nothing(qtbot, capture):
    document, map_, bar = capture
    type_step(qtbot, bar, "Create account", "soon", "1h")
    assert "soon" in bar.error_text("process_time")
    assert bar.error_text("wait_time") == ""
    assert document.undo_stack.count() == 0
    assert len(map_.steps) == 1
    assert [e.text() for e in bar.edits.values()] == ["Create account", "soon", "1h"]
    # correcting the time clears the error on typing and captures the step
    bar.edits["process_time"].clear()
    qtbot.keyClicks(bar.edits["process_time"], "20m")
    assert bar.error_text("process_time") == ""
    qtbot.keyClick(bar.edits["process_time"], Qt.Key.Key_Return)
    assert document.undo_stack.count() == 1
    assert map_.steps[-1].process_time == 20


def test_an_empty_name_is_refused(qtbot, capture):
    document, _map, bar = capture
    bar.start()
    qtbot.keyClick(bar.edits["name"], Qt.Key.Key_Return)
    assert bar.error_text("name")
    assert document.undo_stack.count() == 0


def test_edit_menu_quick_capture_shows_the_bar_with_the_cursor_in_name(qtbot, window):
    assert window.menu_actions.quick_capture.shortcut().toString() == "Ctrl+Shift+Q"
    assert window.quick_capture_dock.isHidden()
    window.menu_actions.quick_capture.trigger()
    assert window.quick_capture_dock.isVisible()
    qtbot.keyClicks(window.quick_capture.edits["name"], "Log call")
    qtbot.keyClick(window.quick_capture.edits["name"], Qt.Key.Key_Return)
    assert [s.name for s in window.current_map().steps][-1:] == ["Log call"]
