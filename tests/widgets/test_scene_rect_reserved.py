"""A large map drawn in slices (ui.canvas.building) takes its scene rect before its first chunk,
foreseen from the model (ui.canvas.room): the build ends in the rect it started with, so Qt
never indexes its items again (a new rect has QGraphicsScene put every item in its index anew
at the next paint: 57,000 items at 20,000 steps, in the first paint after the file opened), and
that rect still holds everything the map shows with its margins. Its first chunk is the steps
reaching furthest, and its view, fitted after the first slice, is fitted as it stays: not
fitted again (a whole repaint, of steps never painted before) once the map is drawn. Its index
is as deep as a scene built at once gets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from bench.generate import synthetic_map
from ui.canvas.building import SLICED_BUILD_STEPS, SceneBuild
from ui.canvas.decorations import MARGIN
from ui.canvas.room import map_reach, room_once_built
from ui.canvas.scene import MapScene
from ui.canvas.view import MapView
from ui.document.document import Document
from vsm.model import Flow, Kaizen, Project, Step, ValueStreamMap


def reaching_map() -> ValueStreamMap:
    """A map drawn in slices whose flows reach past its steps: rework loops arc over the top
    row (the main line) and back into the branches in the lanes below; a kaizen burst sits under
    the lowest lane and another past the right end, tied to no step."""
    map_ = synthetic_map(SLICED_BUILD_STEPS + 100, seed=7)
    assert any(flow.kind == "rework" and map_.step(flow.source).y == 0 for flow in map_.flows)
    lowest = max(step.y for step in map_.steps)
    right = max(step.x for step in map_.steps)
    map_.add_kaizen(Kaizen("Under the last lane", x=400.0, y=lowest + 300.0))
    map_.add_kaizen(Kaizen("Past the right end", x=right + 500.0, y=40.0))
    return map_


def reaching_steps_only() -> ValueStreamMap:
    """The map drawn in slices without bursts: its steps and flows alone give its extent."""
    return synthetic_map(SLICED_BUILD_STEPS + 100, seed=7)


def canvas_of(map_: ValueStreamMap) -> tuple[MapScene, MapView]:
    """A document whose map has its first figures before its canvas is made, as a file read on
    a worker brings them (ui.document.reading), and that canvas in a view, not built yet."""
    document = Document(Project("Big", [map_]), autosave=False)
    document.analysis(map_.id)
    assert document.shown_analysis(map_.id) is not None
    scene = MapScene(document, map_, build=False, analyse=False)
    return scene, MapView(scene)


@pytest.fixture
def opened(qtbot):
    scene, view = canvas_of(reaching_map())
    yield scene, view
    scene.detach()


def everything(scene: MapScene) -> QRectF:
    """What the scene shows: steps, flows, bursts, legend, ladder and summary."""
    shown = QRectF()
    for item in scene.items():
        if item.isVisible() and item.parentItem() is None and not item.boundingRect().isNull():
            shown = shown.united(item.sceneBoundingRect())
    return shown


def test_a_large_map_is_built_in_the_scene_rect_it_took_before_its_first_chunk(opened, qtbot):
    scene, view = opened
    built_when_changed: list[int] = []
    scene.sceneRectChanged.connect(
        lambda _rect: built_when_changed.append(len(scene.item_for_step) + len(scene.item_for_flow)))
    build = SceneBuild(view)
    qtbot.waitUntil(lambda: scene.complete and not build.running, timeout=30000)
    qtbot.waitUntil(lambda: scene._presenter.flags_waiting == 0, timeout=30000)
    scene.ensure_layout()  # the layout the build's end scheduled, if it has not run yet
    assert scene.ladder.segments  # laid out along the critical path, under the map
    # Taken once, before any item was built; never again (neither when the figures were shown
    # on part of the map, nor when the build ended and the view was fitted).
    assert built_when_changed == [0]
    shown, rect = everything(scene), scene.sceneRect()
    half = MARGIN / 2
    assert rect.contains(shown.adjusted(-half, -half, half, half))
    assert shown.adjusted(-3 * half, -3 * half, 3 * half, 3 * half).contains(rect)
    for item in (scene.legend, scene.ladder, scene.summary,
                 *scene.item_for_kaizen.values(), *scene.item_for_flow.values()):
        assert rect.contains(item.sceneBoundingRect())


def test_the_room_foreseen_from_the_model_is_what_the_built_map_shows(opened, qtbot):
    scene, view = opened
    foreseen = room_once_built(scene, scene._presenter.shown, map_reach(scene.map))
    for _ in scene.build_in_chunks(chunk=200):
        pass
    qtbot.waitUntil(lambda: scene._presenter.flags_waiting == 0, timeout=30000)
    scene.layout_decorations()
    shown = everything(scene)
    # The rework arcs over the top row, the legend above them, the ladder and the summary under
    # the lowest lane, the bursts: a few pixels at most from where the items are.
    for side in ("left", "top", "right", "bottom"):
        assert getattr(foreseen, side)() == pytest.approx(getattr(shown, side)(), abs=2.0)
    assert shown.top() < min(step.y for step in scene.map.steps) - 100  # the arcs and legend


def test_a_map_built_at_once_keeps_the_rect_of_everything_with_its_margins(qtbot):
    document = Document(Project("Small", [synthetic_map(60, seed=7)]), autosave=False)
    scene = MapScene(document, document.project.maps[0])
    try:
        assert scene.complete
        assert scene.sceneRect() == everything(scene).adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    finally:
        scene.detach()


def test_the_view_is_fitted_after_the_first_slice_as_it_stays(qtbot):
    scene, view = canvas_of(reaching_steps_only())
    try:
        view.resize(900, 600)
        view.show()
        qtbot.waitExposed(view)
        fits: list[bool] = []  # whether the map was drawn when the build fitted the view
        fit = view.fit_if_auto
        view.fit_if_auto = lambda: fits.append(scene.complete) or fit()  # type: ignore[method-assign]
        build = SceneBuild(view)
        qtbot.waitUntil(lambda: scene.complete and not build.running, timeout=30000)
        qtbot.wait(20)  # a resize the first fit made (the scroll bars) is fitted too
        # Fitted once, after the first slice (the steps reaching furthest built), not when the
        # map was drawn: that fit repainted the whole view, steps never painted before.
        assert fits == [False]
        shown = (view.transform(), view.mapToScene(view.viewport().rect().center()))
        view.zoom_to_fit()  # what a fit of the map as drawn gives: the same
        assert (view.transform(), view.mapToScene(view.viewport().rect().center())) == shown
    finally:
        scene.detach()


def test_a_build_that_starts_with_the_furthest_steps_walks_the_map_once(qtbot):
    # Ten steps in a row: the first and the last (furthest left and right) are built first.
    # The walk over the other eight in chunks of five ends in a chunk of three with room for
    # two flows, the first of which goes to one of those three: it is built with them, the
    # walks reach the end once, and one look over the map finds nothing left to walk again.
    map_ = ValueStreamMap("Row", id="row")
    for index in range(10):
        map_.add_step(Step(f"S{index}", id=f"s{index}", x=240.0 * index, y=0.0))
    map_.add_flow(Flow("s8", "s9", id="f-last"))
    for index in range(8):
        map_.add_flow(Flow(f"s{index}", f"s{index + 1}", id=f"f{index}"))
    document = Document(Project("Row", [map_]), autosave=False)
    scene = MapScene(document, map_, build=False)
    try:
        looks: list[bool] = []
        every_item_built = scene._every_item_built
        scene._every_item_built = lambda: looks.append(every_item_built()) or looks[-1]
        chunks = list(scene.build_in_chunks(chunk=5, reserve=True))
        assert scene.complete and looks == [True]
        assert chunks[0] == (2, 19)  # the furthest steps, s0 and s9
        assert set(scene.item_for_flow) == {flow.id for flow in map_.flows}
    finally:
        scene.detach()


def test_a_canvas_built_in_slices_is_indexed_as_deep_as_one_built_at_once(opened, qtbot):
    # Qt's BSP index picks its depth once, when it first indexes the scene: a scene built in
    # slices it first indexed with its four decorations (depth 5, the least), and each of its
    # 32 cells then held a thirty-second of the map, every paint and look-up going through
    # thousands of items at 20,000 steps. Built at once, it sees every item.
    scene, view = opened
    build = SceneBuild(view)
    qtbot.waitUntil(lambda: scene.complete and not build.running, timeout=30000)
    scene.items(QRectF(0, 0, 1, 1))  # the index brought up to date
    at_once = MapScene(scene.document, scene.map)
    try:
        at_once.items(QRectF(0, 0, 1, 1))
        assert at_once.bspTreeDepth() > 5
        assert scene.bspTreeDepth() == at_once.bspTreeDepth()
    finally:
        at_once.detach()
