"""A map on a shown canvas, for the canvas tests (test_canvas.py, test_scene_updates.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtCore import QPointF

from ui.canvas.scene import MapScene
from ui.canvas.view import MapView
from ui.document.document import Document
from vsm.model import ValueStreamMap


@dataclass
class Canvas:
    document: Document
    map: ValueStreamMap
    scene: MapScene
    view: MapView

    def centre(self, step_id: str) -> QPointF:
        """The centre of a step's box, in scene coordinates."""
        item = self.scene.item_for_step[step_id]
        return item.mapToScene(item.box_rect().center())

    def handle(self, step_id: str) -> QPointF:
        """The centre of a step's connection handle, in scene coordinates."""
        item = self.scene.item_for_step[step_id]
        return item.mapToScene(item.handle_centre())


def shown_canvas(qtbot, document: Document) -> Iterator[Canvas]:
    """For a fixture to yield from: the document's first map in a 1200 x 800 view, shown at
    100 % around (340, 120); the scene stops following the map afterwards."""
    map_ = document.project.maps[0]
    scene = MapScene(document, map_)
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    view.reset_zoom()
    view.centerOn(QPointF(340, 120))
    yield Canvas(document, map_, scene, view)
    scene.detach()
