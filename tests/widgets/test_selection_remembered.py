"""The canvas remembers what select_steps selected (ui.canvas.selection): Select All tells the
panels the selection without listing the scene's 12,000 selected items again, and whatever else
changes the selection afterwards (a click, a delete, an edit with the signals blocked) is what
selected_ids tells from then on.

The map (tests.helpers.maps.restore_map): steps a, b, c, d; flows ab, bc, cd.
"""

from __future__ import annotations

import pytest

import ui.canvas.selection as selection
from tests.helpers.canvas import shown_canvas
from tests.helpers.maps import restore_map
from ui.document.document import Document
from vsm.model import Project


@pytest.fixture
def canvas(qtbot):
    yield from shown_canvas(qtbot, Document(Project("P", [restore_map()])))


def listed(scene) -> tuple[list[str], list[str], list[str]]:
    """The selection as the scene's selected items say (never what was remembered)."""
    return scene.selected_step_ids(), scene.selected_flow_ids(), scene.selected_kaizen_ids()


def test_select_all_tells_the_selection_without_listing_the_selected_items(canvas, monkeypatch):
    told = []
    canvas.scene.selectionChanged.connect(lambda: told.append(canvas.scene.selected_ids()))
    canvas.view.select_all()
    assert listed(canvas.scene) == (["a", "b", "c", "d"], ["ab", "bc", "cd"], [])
    monkeypatch.setattr(canvas.scene, "selectedItems", lambda: pytest.fail("listed again"))
    assert told == [(["a", "b", "c", "d"], ["ab", "bc", "cd"], [])]  # one selectionChanged
    assert canvas.scene.selected_ids() == (["a", "b", "c", "d"], ["ab", "bc", "cd"], [])


def test_the_remembered_selection_is_in_the_maps_order_and_only_what_exists(canvas):
    canvas.scene.select_steps(["d", "gone", "a"], ["cd", "ab", "gone"])
    assert canvas.scene.selected_ids() == (["a", "d"], ["ab", "cd"], [])
    assert listed(canvas.scene) == (["a", "d"], ["ab", "cd"], [])


def test_a_click_after_select_all_is_what_the_selection_tells(canvas):
    canvas.view.select_all()
    canvas.scene.item_for_step["b"].setSelected(False)  # as a Ctrl+click does
    assert canvas.scene.selected_ids() == (["a", "c", "d"], ["ab", "bc", "cd"], [])


def test_a_delete_after_a_selection_is_what_the_selection_tells(canvas):
    canvas.scene.select_steps(["b", "c"], ["cd"])
    canvas.document.remove(canvas.map.id, ["b"], [])  # b goes with its flows ab and bc
    assert canvas.scene.selected_ids() == (["c"], ["cd"], [])
    assert canvas.scene.selected_ids() == listed(canvas.scene)


def test_an_edit_with_the_scenes_signals_blocked_is_not_hidden_by_the_remembered_one(canvas):
    canvas.scene.select_steps(["a", "b"])
    canvas.scene.blockSignals(True)  # no selectionChanged when b's item leaves the scene
    try:
        canvas.document.remove(canvas.map.id, ["b"], [])
    finally:
        canvas.scene.blockSignals(False)
    assert canvas.scene.selected_ids() == (["a"], [], [])


def test_an_item_that_refuses_the_selection_is_not_remembered_as_selected(canvas):
    canvas.scene.item_for_step["b"].setVisible(False)  # a hidden item cannot be selected
    canvas.scene.select_steps(["b", "a", "a"])
    assert canvas.scene.selected_ids() == (["a"], [], [])
    assert listed(canvas.scene) == (["a"], [], [])


def test_selecting_or_unselecting_many_items_repaints_the_whole_scene_once(canvas, monkeypatch):
    """Each item changed would mark its own rectangle, and the next paint ask every one for it
    (a call into Python per item); many: the whole scene is repainted instead."""
    monkeypatch.setattr(selection, "MANY", 5)  # the map's 4 steps and 3 flows: 7 items
    whole = []
    monkeypatch.setattr(canvas.scene, "update", lambda *rect: whole.append(rect))
    canvas.scene.select_steps(["a", "b"], ["ab"])  # 3 items
    assert whole == []
    canvas.view.select_all()  # 7 items
    assert whole == [()]
    canvas.scene.select_steps(["a"])  # unselects 6 of the 7 remembered
    assert whole == [(), ()]
    assert listed(canvas.scene) == (["a"], [], [])
