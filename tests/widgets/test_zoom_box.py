"""The zoom indicator in the status bar: shows every zoom of the canvas and sets it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ui.document.document import Document
from ui.window.zoom_box import parse_zoom
from vsm.files.bundled import default_example
from vsm.files.formats import load_json


@pytest.mark.parametrize("text, factor", [("140", 1.4), ("140%", 1.4), (" 75 % ", 0.75),
                                          ("fit", None), ("-5", None), ("", None)])
def test_typed_zooms(text, factor):
    assert parse_zoom(text) == factor


def test_the_box_follows_the_canvas_and_sets_its_zoom(make_window, qtbot):
    window = make_window(Document(load_json(default_example()), autosave=False), 1366, 768)
    box, view = window.zoom_box, window.current_view()
    assert box.isVisible() and box.currentText() == f"{round(view.zoom * 100)}%"
    view.zoom_in()
    assert box.currentText() == f"{round(view.zoom * 100)}%"  # follows Zoom In
    box.lineEdit().selectAll()
    QTest.keyClicks(box.lineEdit(), "200")
    QTest.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert view.zoom == pytest.approx(2.0) and box.currentText() == "200%"
    assert box.count() == 9  # a typed zoom is not added to the presets
    box.textActivated.emit("Fit")
    step_ids = list(view.scene().item_for_step)
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    for step_id in step_ids:  # the whole map in view again
        assert shown.contains(view.scene().item_for_step[step_id].sceneBoundingRect())
    assert box.currentText() == f"{round(view.zoom * 100)}%"


def test_zoom_to_fit_fits_the_map_and_its_figures_not_its_legend(make_window):
    window = make_window(Document(load_json(default_example()), autosave=False), 1366, 768)
    view = window.current_view()
    view.zoom_to_fit()
    scene = view.scene()
    figures = scene.map_rect().united(scene.ladder.sceneBoundingRect()).united(
        scene.summary.sceneBoundingRect())  # the map, the ladder's totals, the summary
    viewport = view.viewport().rect()
    fit_figures = min(viewport.width() / (figures.width() + 60),
                      viewport.height() / (figures.height() + 60))
    assert view.zoom == pytest.approx(min(1.5, fit_figures), rel=0.01)  # the legend left out
