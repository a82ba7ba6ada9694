"""Where a new kaizen burst lands on the canvas: in free space, never over what is drawn there.

A burst made for a step goes just above the step, clear of its flag badges; where that place is
taken, below it, then beside it (right, then left), then the same a burst further out. A free
burst goes where it is asked (the mouse cursor, the middle of the view) or, when something is
there, to the nearest free place around it. "Taken" means overlapping, with a little room, a
step's box (with its wait time and connection handle), a flag badge or another burst.

`KaizenPlacer` is how the document's add_kaizen verb asks the canvas showing a map where a new
burst for a step goes (Document.set_kaizen_placer): where it was asked to be if that place is
free, else near its step as above. Whichever panel or menu made it, it lands in the open.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterator

from PySide6.QtCore import QPointF, QRectF, Qt

from ui.canvas.items import KaizenItem, StepItem
from ui.canvas.items.kaizen_item import burst_size
from ui.canvas.items.step_item import BadgeItem
from ui.canvas.scene import MapScene
from vsm.model import Kaizen

ROOM = 12.0  # kept free around a burst
ABOVE_STEP = 40.0  # a burst above a step ends this far above its box: clear of its badges
# (BadgeItem.HEIGHT 18 high, 3 above the box) by ROOM and a little more
RINGS = 4  # near a step: above, below, right and left, this many bursts out
SEARCH_STEP = 30.0  # around a point: candidate places this far apart
SEARCH_REACH = 1500.0  # and no further than this from the point (then the point itself)

Spot = tuple[float, float]  # a burst's top-left corner, the kaizen's x and y


def spot_near_step(scene: MapScene, step_id: str, title: str = "",
                   ignore: str | None = None) -> Spot:
    """The top-left corner of a free place for a burst (with this title) near the step: above
    it, below it, right or left of it, the nearest first. `ignore`: a burst not to avoid (the
    one being placed)."""
    width, height = burst_size(title)
    item = scene.item_for_step[step_id]
    box = item.mapRectToScene(item.box_rect())
    bounds = item.sceneBoundingRect()  # the box with its wait time and connection handle
    left, middle = box.center().x() - width / 2, box.center().y() - height / 2
    reach = RINGS * (max(width, height) + ROOM) + max(bounds.width(), bounds.height())
    taken = _taken(scene, bounds.adjusted(-reach, -reach, reach, reach), ignore)
    for ring in range(RINGS):
        out, across = ring * (height + ROOM), ring * (width + ROOM)
        for x, y in ((left, box.top() - ABOVE_STEP - height - out),
                     (left, bounds.bottom() + ROOM + out),
                     (bounds.right() + ROOM + across, middle),
                     (bounds.left() - ROOM - width - across, middle)):
            if _free(QRectF(x, y, width, height), taken):
                return (round(x, 1), round(y, 1))
    return spot_near_point(scene, QPointF(box.center().x(), box.top() - ABOVE_STEP - height / 2),
                           title, ignore)


def spot_near_point(scene: MapScene, centre: QPointF, title: str = "",
                    ignore: str | None = None) -> Spot:
    """The top-left corner of a free place for a burst centred as near `centre` as can be."""
    width, height = burst_size(title)
    reach = SEARCH_REACH + max(width, height)
    region = QRectF(centre.x() - reach, centre.y() - reach, 2 * reach, 2 * reach)
    taken = _taken(scene, region, ignore)
    for x, y in _around(centre.x(), centre.y()):
        rect = QRectF(x - width / 2, y - height / 2, width, height)
        if _free(rect, taken):
            return (round(rect.left(), 1), round(rect.top(), 1))
    return (round(centre.x() - width / 2, 1), round(centre.y() - height / 2, 1))


class KaizenPlacer:
    """Places the new bursts for steps of the map a scene shows (Document.set_kaizen_placer).

    A burst keeps the place it was given when that place is free, and when the scene is gone or
    stopped following its map (held weakly)."""

    def __init__(self, scene: MapScene) -> None:
        self._scene = weakref.ref(scene)

    def __call__(self, kaizen: Kaizen) -> Spot:
        scene = self._scene()
        if (scene is None or not scene.attached or kaizen.step_id is None
                or kaizen.step_id not in scene.item_for_step):
            return (kaizen.x, kaizen.y)
        width, height = burst_size(kaizen.title)
        asked = QRectF(kaizen.x, kaizen.y, width, height)
        if _free(asked, _taken(scene, asked.adjusted(-ROOM, -ROOM, ROOM, ROOM), kaizen.id)):
            return (kaizen.x, kaizen.y)
        return spot_near_step(scene, kaizen.step_id, kaizen.title, kaizen.id)


def _taken(scene: MapScene, region: QRectF, ignore: str | None) -> list[QRectF]:
    """What a burst must not cover within `region`, each grown by ROOM."""
    rects = []
    for item in scene.items(region, Qt.ItemSelectionMode.IntersectsItemBoundingRect):
        if isinstance(item, (StepItem, BadgeItem)):
            rect = item.sceneBoundingRect()
        elif isinstance(item, KaizenItem) and item.kaizen_id != ignore:
            rect = item.mapRectToScene(item.burst_rect())
        else:
            continue
        rects.append(rect.adjusted(-ROOM, -ROOM, ROOM, ROOM))
    return rects


def _free(rect: QRectF, taken: list[QRectF]) -> bool:
    return not any(rect.intersects(other) for other in taken)


def _around(x: float, y: float) -> Iterator[Spot]:
    """Points on a grid around (x, y), ring by ring, each ring nearest first; (x, y) first."""
    yield (x, y)
    for ring in range(1, int(SEARCH_REACH / SEARCH_STEP) + 1):
        cells = [(i, j) for i in range(-ring, ring + 1) for j in range(-ring, ring + 1)
                 if max(abs(i), abs(j)) == ring]
        cells.sort(key=lambda cell: (math.hypot(*cell), cell[1], cell[0]))
        for i, j in cells:
            yield (x + i * SEARCH_STEP, y + j * SEARCH_STEP)
