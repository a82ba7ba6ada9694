"""Presentation mode: the map alone, full screen, with its figures; Esc puts everything back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from ui.window.main_window import MainWindow
from vsm.files.bundled import default_example


@pytest.fixture
def window(make_window):
    window = make_window()
    assert window.files.open_path(default_example())
    return window


def _docks(window: MainWindow) -> dict[str, bool]:
    return {dock.objectName(): dock.isVisible() for dock in window.findChildren(QDockWidget)}


def test_presentation_mode_shows_the_map_alone_and_esc_restores(window, qtbot):
    assert window.tabs.count() >= 2
    window.plan_dock.hide()  # a layout of the user's own must come back exactly
    before = _docks(window)
    toolbar_before = window.menu_actions.toolbar.isVisible()
    first = window.current_map()
    window.menu_actions.presentation.trigger()
    assert window.presentation.active and window.isFullScreen()
    assert not any(_docks(window).values())
    assert not window.menu_actions.toolbar.isVisible() and not window.menuBar().isVisible()
    overlay = window.presentation.overlay
    assert overlay.isVisible() and overlay.parentWidget() is window.current_view().viewport()
    lead = window.document.analysis(first.id).lead_time
    qtbot.waitUntil(lambda: overlay.text("lead_time") not in ("", "–"))
    assert lead is not None and overlay.text("lead_time") == window.metrics.lead_time_text()

    for _ in range(10):  # Right goes through the map's sections, then to the next map
        qtbot.keyClick(window.current_view(), Qt.Key.Key_Right)
        if window.current_map() is not first:
            break
    second = window.current_map()
    assert second is not first and window.document.project.maps.index(second) == 1
    assert overlay.parentWidget() is window.current_view().viewport()
    assert second.name in overlay.title.text()
    qtbot.keyClick(window.current_view(), Qt.Key.Key_PageUp)
    assert window.current_map() is first

    qtbot.keyClick(window.current_view(), Qt.Key.Key_Escape)
    assert not window.presentation.active and not window.isFullScreen()
    assert _docks(window) == before
    assert window.menu_actions.toolbar.isVisible() == toolbar_before and window.menuBar().isVisible()
    assert not overlay.isVisible() and not window.menu_actions.presentation.isChecked()


def test_the_overlay_follows_edits(window, qtbot):

    window.presentation.enter()
    map_ = window.current_map()
    before = window.presentation.overlay.text("process_time")
    step = map_.steps[0]
    window.document.set_step_field(map_.id, step.id, "process_time", step.process_time + 600)
    qtbot.waitUntil(lambda: window.presentation.overlay.text("process_time") != before)


def test_a_new_document_while_presenting_keeps_the_overlay(window, qtbot):
    window.presentation.enter()
    window.files.new_document(default_example())
    qtbot.wait(10)
    overlay = window.presentation.overlay
    assert overlay.isVisible() and overlay.parentWidget() is window.current_view().viewport()
    qtbot.waitUntil(lambda: overlay.text("lead_time") == window.metrics.lead_time_text())
