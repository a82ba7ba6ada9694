"""Swimlanes: bands by team or by ITIL activity behind the steps, auto-layout into them, undoable.

Keep Python references to the scene and the view (or the window) for the whole test.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from PySide6.QtCore import QPointF

from ui.canvas.items.step_item import HEIGHT
from ui.canvas.scene import MapScene
from ui.canvas.view import MapView
from ui.document.document import Document
from vsm.model import Flow, Project, Step, ValueStreamMap


def lane_map() -> ValueStreamMap:
    """a -> b -> c -> d over two teams and no team, all in one row."""
    map_ = ValueStreamMap("Restore")
    map_.add_step(Step("Log", x=0, y=0, id="a", team="Service desk", activity="engage"))
    map_.add_step(Step("Diagnose", x=240, y=0, id="b", team="Hosting"))
    map_.add_step(Step("Fix", x=480, y=0, id="c", team="Service desk"))
    map_.add_step(Step("Close", x=720, y=0, id="d", activity="improve"))
    for source, target in (("a", "b"), ("b", "c"), ("c", "d")):
        map_.add_flow(Flow(source, target))
    return map_


@pytest.fixture
def canvas(qtbot):
    document = Document(Project("P", [lane_map()]))
    scene = MapScene(document, document.project.maps[0])
    view = MapView(scene)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    yield document, scene, view
    scene.detach()


def positions(map_: ValueStreamMap) -> dict[str, tuple[float, float]]:
    return {step.id: (step.x, step.y) for step in map_.steps}


def band_of(scene: MapScene, label: str):
    return next(band for band in scene.lanes.bands if band.label == label)


def test_by_team_draws_one_labelled_band_per_team_and_none_removes_them(canvas):
    _, scene, _ = canvas
    assert scene.lanes_by is None and scene.lanes.bands == []
    assert scene.lanes.boundingRect().isNull()
    scene.set_lanes("team")
    assert scene.lanes.labels() == ["Service desk", "Hosting", "(no team)"]
    scene.layout_decorations()
    assert scene.content_rect().contains(scene.lanes.sceneBoundingRect())
    scene.set_lanes("activity")
    assert scene.lanes.labels() == ["Engage", "Improve", "Deliver & support"]
    scene.set_lanes(None)
    assert scene.lanes.bands == [] and scene.lanes.boundingRect().isNull()
    with pytest.raises(ValueError):
        scene.set_lanes("performer")


def test_auto_layout_into_lanes_puts_every_step_inside_its_band_and_undo_restores(canvas):
    document, scene, view = canvas
    before = positions(scene.map)
    scene.set_lanes("team")
    assert view.auto_layout()
    assert document.undo_stack.count() == 1
    assert document.undo_stack.command(0).text() == "Auto-layout"
    for step in scene.map.steps:
        band = band_of(scene, step.team or "(no team)")
        assert band.top < step.y and step.y + HEIGHT < band.top + band.height, step.id
        item = scene.item_for_step[step.id]
        assert item.pos() == QPointF(step.x, step.y)
    tops = [band.top for band in scene.lanes.bands]
    assert tops == sorted(tops)
    spans = sorted((b.top, b.top + b.height) for b in scene.lanes.bands)
    assert all(a[1] <= b[0] for a, b in pairwise(spans))  # laid out: no overlap
    document.undo_stack.undo()
    assert positions(scene.map) == before
    assert {band.label for band in scene.lanes.bands} == {"Service desk", "Hosting", "(no team)"}


def test_bands_follow_moves_and_team_changes(canvas):
    document, scene, _ = canvas
    scene.set_lanes("team")
    document.move(scene.map.id, {"b": (240.0, 600.0)})
    hosting = band_of(scene, "Hosting")
    assert hosting.top < 600 and 600 + HEIGHT < hosting.top + hosting.height
    document.set_step_field(scene.map.id, "b", "team", "Service desk")
    assert scene.lanes.labels() == ["Service desk", "(no team)"]
    document.undo_stack.undo()
    assert scene.lanes.labels() == ["Service desk", "Hosting", "(no team)"]


@pytest.fixture
def window(make_window):
    return make_window(Document(Project("Test", [lane_map()], id="p")), 1400, 900)


def test_view_menu_swimlanes_apply_to_every_map_and_auto_layout_uses_them(window):
    actions = window.menu_actions
    assert [a.text() for a in actions.lanes_menu.actions()] == ["&None", "By &Team", "By &Activity"]
    assert actions.lanes_none.isChecked()
    actions.lanes_team.trigger()
    assert actions.lanes_team.isChecked() and not actions.lanes_none.isChecked()
    assert window.tabs.lanes_by == "team"
    view = window.current_view()
    assert view.scene().lanes_by == "team"
    window.new_map()  # a new map's scene takes the window's setting
    assert all(v.scene().lanes_by == "team" for v in window.tabs.views.values())
    window.tabs.setCurrentWidget(view)
    map_ = view.scene().map
    before = positions(map_)
    actions.auto_layout.trigger()
    for step in map_.steps:
        band = band_of(view.scene(), step.team or "(no team)")
        assert band.top < step.y < band.top + band.height
    window.document.undo_stack.undo()
    assert positions(map_) == before
    actions.lanes_none.trigger()
    assert all(v.scene().lanes.bands == [] for v in window.tabs.views.values())
