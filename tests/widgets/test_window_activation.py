"""A window's activation does not walk the canvas (issue 19).

Qt's QGraphicsScene sends WindowActivate and WindowDeactivate to every item of its views'
window each time the window gains or loses the focus (a dialog closing, Alt+Tab): 60,000 items at
20,000 steps, each call looking for a Python override (a third of the GUI thread's time when a
large file's "Opening…" dialog closed). The canvas's items take no focus and no panel, so the
scene takes those events without passing them on; the canvas works as before.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QGraphicsRectItem

from tests.helpers.canvas import LEFT, NONE, shown_canvas
from tests.helpers.maps import restore_map
from ui.canvas.scene import MapScene
from ui.document.document import Document
from vsm.model import Project


class EventWatcher(QGraphicsRectItem):
    """A scene event filter recording the events types its watched items receive."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[QEvent.Type] = []

    def sceneEventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        self.seen.append(event.type())
        return False


@pytest.fixture
def canvas(qtbot):
    yield from shown_canvas(qtbot, Document(Project("P", [restore_map()])))


def test_the_windows_activation_reaches_no_item(qtbot):
    # a scene no window shows yet: its first activation would go to every item, as the one
    # after the "Opening…" dialog closes did (QGraphicsView::viewportEvent passes the window's
    # activation on to its scene; the scene to its items only when it becomes active)
    document = Document(Project("P", [restore_map()]))
    scene = MapScene(document, document.project.maps[0])
    watcher = EventWatcher()
    scene.addItem(watcher)
    for item in (next(iter(scene.item_for_step.values())),
                 next(iter(scene.item_for_flow.values()))):
        item.installSceneEventFilter(watcher)
    QApplication.sendEvent(scene, QEvent(QEvent.Type.WindowActivate))
    QApplication.sendEvent(scene, QEvent(QEvent.Type.WindowDeactivate))
    assert watcher.seen == []
    scene.detach()


def test_the_canvas_still_selects_after_an_activation(canvas, qtbot):
    from PySide6.QtTest import QTest

    QApplication.sendEvent(canvas.view.viewport(), QEvent(QEvent.Type.WindowDeactivate))
    QApplication.sendEvent(canvas.view.viewport(), QEvent(QEvent.Type.WindowActivate))
    step_id = canvas.map.steps[1].id
    point = canvas.view.mapFromScene(canvas.centre(step_id))
    QTest.mouseClick(canvas.view.viewport(), LEFT, NONE, point)
    assert canvas.scene.item_for_step[step_id].isSelected()
