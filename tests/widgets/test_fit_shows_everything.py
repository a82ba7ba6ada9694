"""Zoom to Fit shows the map with its lead-time ladder and summary box, whose totals a workshop
reads off the projector (the example at 1920 x 1080 opened with the summary's figures and the
ladder's totals cut off at the canvas's right edge); not the legend, wider than a small map
(the map's names are what must be readable: tests/widgets/test_zoom_box.py)."""

from __future__ import annotations

import pytest

from tests.helpers.canvas import shown_canvas
from tests.helpers.maps import restore_map
from ui.document.document import Document
from vsm.model import Project


@pytest.fixture
def canvas(qtbot):
    yield from shown_canvas(qtbot, Document(Project("P", [restore_map()])))


@pytest.mark.parametrize("size", [(1200, 800), (700, 500), (1500, 420)])
def test_zoom_to_fit_shows_the_map_with_its_ladder_and_summary(canvas, qtbot, size):
    view, scene = canvas.view, canvas.scene
    view.resize(*size)
    qtbot.waitUntil(lambda: view.viewport().width() > 0)
    view.zoom_to_fit()
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    for item in (scene.ladder, scene.summary):
        assert shown.contains(item.sceneBoundingRect()), (type(item).__name__, shown)
    assert shown.contains(scene.map_rect())
    # as large as that fits: the whole of it just fits one way or the other
    everything = scene.map_rect()
    for item in (scene.ladder, scene.summary):
        everything = everything.united(item.sceneBoundingRect())
    assert (everything.width() >= 0.9 * shown.width()
            or everything.height() >= 0.9 * shown.height())
