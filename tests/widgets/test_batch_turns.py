"""The turns of the event loop after a batch whose items are dealt with in slices (issue 19: a
Delete of every step and its undo): the batch's end leaves the next turn to the work it set off
elsewhere (the step table's layout, the analysis's copy of the map, the repaint of the panes),
the first slice comes on the turn after, and the decorations are placed once the slices end
(the views held till then), not also at the batch's end. All of it ran in one turn: the window
blocked 58-64 ms at 1,000 and 5,000 steps. Work is counted here, never timed."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QGraphicsView

from tests.helpers.canvas import row_in_view

SMART = QGraphicsView.ViewportUpdateMode.SmartViewportUpdate
HELD = QGraphicsView.ViewportUpdateMode.NoViewportUpdate


def test_the_first_slice_waits_a_turn_and_the_decorations_are_placed_once(qtbot, monkeypatch):
    # six steps in a row and their five flows (11 items), in slices of one item a turn
    document, map_, scene, view = row_in_view(qtbot, monkeypatch)
    monkeypatch.setattr(scene.routing, "schedule", lambda: None)  # the straight live routing
    laid_out: list[bool] = []  # whether the slices ran, at each scheduled layout
    scene._layout_turn.timeout.connect(lambda: laid_out.append(scene.updating))
    for edit in (lambda: document.remove(map_.id, [step.id for step in map_.steps]),
                 document.undo_stack.undo):  # every item taken off, then put back
        qtbot.waitUntil(lambda: not scene.updating and view.viewportUpdateMode() == SMART)
        laid_out.clear()
        edit()
        waiting = (len(scene._dropping), len(scene._adding))
        assert scene.updating and sum(waiting) == 11
        assert view.viewportUpdateMode() == HELD
        QApplication.processEvents()  # the turn after the batch: no layout, no slice
        assert laid_out == []
        assert (len(scene._dropping), len(scene._adding)) == waiting
        QApplication.processEvents()  # the first slice: one item
        assert len(scene._dropping) + len(scene._adding) == 10
        qtbot.waitUntil(lambda: not scene.updating and view.viewportUpdateMode() == SMART)
        assert True not in laid_out  # no layout while the slices ran: one as they ended
    assert set(scene.item_for_step) == {step.id for step in map_.steps}
    assert all(item.scene() is scene and item.isVisible() for item in scene.item_for_step.values())
    scene.detach()
