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


def test_the_undo_of_a_delete_of_everything_fits_the_map_again(canvas, qtbot):
    """Select all, Delete: the panes beside the canvas change, the canvas is resized and the
    view, still fitting, fits the empty map's hint (105 % on the example at 1920 x 1080). Undo
    brought the map back at that zoom, cut off, instead of fitted again (60 %): unless a pane
    happened to resize the canvas once more, nothing fitted it."""
    view, scene, document = canvas.view, canvas.scene, canvas.document

    def shows_the_map() -> bool:
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        return all(shown.contains(rect) for rect in (
            scene.map_rect(), scene.ladder.sceneBoundingRect(), scene.summary.sceneBoundingRect()))

    view.resize(1200, 500)
    qtbot.waitUntil(lambda: view.viewport().height() < 500)
    view.zoom_to_fit()
    assert shows_the_map()
    document.remove(scene.map.id, [step.id for step in scene.map.steps])
    view.fit_if_auto()  # what the canvas's resize does: the empty map's hint, larger
    document.undo_stack.undo()
    assert not shows_the_map()  # at the hint's zoom the map is cut off
    qtbot.waitUntil(shows_the_map, timeout=3000)  # fitted again once laid out


def test_a_view_the_user_zoomed_is_left_as_it_is_when_the_map_comes_back(canvas, qtbot):
    view, scene, document = canvas.view, canvas.scene, canvas.document
    document.remove(scene.map.id, [step.id for step in scene.map.steps])
    view.zoom_to(0.8)  # the zoom box: the user's zoom, kept
    document.undo_stack.undo()
    qtbot.wait(300)
    assert view.zoom == pytest.approx(0.8)
