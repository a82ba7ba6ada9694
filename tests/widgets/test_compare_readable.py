"""The compare view on a projector: each map fitted to its half, big enough to read."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from ui.dialogs.compare_canvas import map_rect
from ui.document.document import Document
from vsm.files.bundled import default_example
from vsm.files.formats import load_json


def test_compare_fits_the_maps_not_their_decorations(make_window, qtbot):
    window = make_window(Document(load_json(default_example()), autosave=False))
    dialog = window.scenarios.show_compare()
    qtbot.waitExposed(dialog)
    dialog.align()
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert dialog.width() >= 0.9 * area.width()  # sized to the screen, not 1300 × 860
    upper, lower = dialog.canvases
    zoom = upper.transform().m11()
    for canvas in (upper, lower):
        scene = canvas.scene()
        shown = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
        steps = map_rect(scene)
        # every step, flow and burst in view, horizontally and vertically ...
        assert shown.adjusted(-1, -1, 1, 1).contains(steps)
        # ... and the zoom is the one that fits the map: the larger of the two maps fills its
        # canvas's width or height (within the 30-unit margins), not the legend and ladder too
        fit = min(canvas.viewport().width() / (steps.width() + 60),
                  canvas.viewport().height() / (steps.height() + 60))
        assert zoom <= fit + 1e-6
    fits = [min(c.viewport().width() / (map_rect(c.scene()).width() + 60),
                c.viewport().height() / (map_rect(c.scene()).height() + 60)) for c in dialog.canvases]
    assert abs(zoom - min(1.0, *fits)) < 1e-6  # fitting content_rect() gave a smaller zoom
