"""A large map's canvas is drawn over several turns of the event loop (ui.canvas.building): the
window answers meanwhile, the status bar says how far it got, the canvas takes no input until
it is complete, and edits made meanwhile end in a scene that matches the map."""

from __future__ import annotations

from bench.generate import synthetic_map
from ui.canvas.building import SLICED_BUILD_STEPS
from ui.document.document import Document
from vsm.model import Project


def large_document() -> Document:
    return Document(Project("Big", [synthetic_map(SLICED_BUILD_STEPS + 100, seed=7)]),
                    autosave=False)


def scene_matches_map(scene) -> bool:
    map_ = scene.map
    return (set(scene.item_for_step) == {s.id for s in map_.steps}
            and set(scene.item_for_flow) == {f.id for f in map_.flows}
            and all(scene.item_for_step[s.id].pos().x() == s.x for s in map_.steps))


def test_a_large_map_is_drawn_in_slices_and_takes_input_once_complete(make_window, qtbot):
    messages: list[str] = []
    document = large_document()
    window = make_window(document)
    window.statusBar().messageChanged.connect(messages.append)
    view = window.tabs.current_view()
    scene = view.scene()
    assert not scene.complete  # the window is up before the map's items
    assert not view.isInteractive()
    qtbot.waitUntil(lambda: scene.complete, timeout=30000)
    assert scene_matches_map(scene)
    assert view.isInteractive()
    assert not window.tabs.drawing()
    assert any(m.startswith("Drawing the map… ") and m.endswith("%") for m in messages)


def test_edits_while_the_map_is_drawn_end_in_a_matching_scene(make_window, qtbot):
    document = large_document()
    window = make_window(document)
    scene = window.tabs.current_view().scene()
    map_ = document.project.maps[0]
    assert not scene.complete
    last = map_.steps[-1]  # built last: not built yet
    document.set_step_field(map_.id, last.id, "x", last.x + 40)
    document.remove(map_.id, [map_.steps[-2].id])
    added = document.add_step(map_.id, 10, 10, name="Added meanwhile")
    qtbot.waitUntil(lambda: scene.complete, timeout=30000)
    assert scene_matches_map(scene)
    assert added.id in scene.item_for_step
    assert scene.item_for_step[last.id].pos().x() == last.x  # moved before it was built


def test_a_small_map_is_drawn_at_once(make_window):
    window = make_window(Document(Project("Small", [synthetic_map(50, seed=7)]), autosave=False))
    scene = window.tabs.current_view().scene()
    assert scene.complete and scene_matches_map(scene)


def test_a_scene_drawn_without_analysing_waits_for_the_documents_figures(qtbot):
    from ui.canvas.scene import MapScene

    document = large_document()
    map_ = document.project.maps[0]
    scene = MapScene(document, map_, build=False, analyse=False)
    assert document.shown_analysis(map_.id) is None  # nothing computed for the canvas
    assert scene.analysis is None
    for _ in scene.build_in_chunks(chunk=100):
        pass
    assert scene.analysis is None and scene_matches_map(scene)  # items, no figures yet
    qtbot.waitUntil(lambda: scene.analysis is not None, timeout=30000)  # the document's own
    assert scene.analysis is document.shown_analysis(map_.id)
    scene.detach()


def test_steps_removed_behind_the_builder_do_not_leave_others_unbuilt():
    from ui.canvas.scene import MapScene

    document = large_document()
    map_ = document.project.maps[0]
    scene = MapScene(document, map_, build=False)
    chunks = scene.build_in_chunks(chunk=10)
    for _ in range(3):
        next(chunks)  # the first 30 steps are built
    # Removing 5 built steps moves the 31st to 35th steps back to where the builder has been;
    # a step added at the end and a flow to it come meanwhile too.
    document.remove(map_.id, [s.id for s in map_.steps[:5]])
    added = document.add_step(map_.id, 10, 10, name="Added meanwhile")
    for _ in chunks:
        pass
    assert scene.complete and scene_matches_map(scene)
    assert added.id in scene.item_for_step
    scene.detach()


def test_chunks_built_with_the_same_analysis_show_it_without_going_over_the_whole_map(
        qtbot, monkeypatch):
    import ui.canvas.analysis_presenter as analysis_presenter
    from ui.canvas.scene import MapScene

    summaries = []
    original = analysis_presenter.summary_figures
    monkeypatch.setattr(analysis_presenter, "summary_figures",
                        lambda *args: summaries.append(args) or original(*args))
    document = large_document()
    map_ = document.project.maps[0]
    scene = MapScene(document, map_, build=False)
    analysis = scene.analysis
    assert analysis is not None and summaries == [(analysis, None)]  # made with the scene
    for _ in scene.build_in_chunks(chunk=50):
        pass
    # 600 steps and their flows in chunks of 50: a dozen chunks and more, each applying the
    # same analysis to its items; the figures (the summary, every step's flags) are not gone
    # over again for each: the summary was made once, with the scene.
    assert scene.complete and scene.analysis is analysis and len(summaries) == 1
    qtbot.waitUntil(lambda: scene._presenter.flags_waiting == 0)
    critical = set(analysis.critical_path)
    pairs = set(zip(analysis.critical_path, analysis.critical_path[1:]))
    assert critical and any(analysis.flags.values())  # the items show the analysis all the same
    for step in map_.steps:
        item = scene.item_for_step[step.id]
        assert item.flags == list(analysis.flags.get(step.id, []))
        assert item.on_critical_path == (step.id in critical)
    for flow in map_.flows:
        on_path = flow.kind == "normal" and (flow.source, flow.target) in pairs
        assert scene.item_for_flow[flow.id].on_critical_path == on_path
    scene.detach()


def test_a_closed_canvas_is_taken_apart_once_the_new_one_is_drawn(make_window, qtbot):
    from ui.canvas.building import SceneBuild

    small = Document(Project("Small", [synthetic_map(50, seed=3)]), autosave=False)
    window = make_window(small)
    old_scene = window.tabs.current_view().scene()
    old_items = len(old_scene.item_for_step)
    assert old_items == 50  # drawn at once
    window.set_document(large_document())
    view = window.tabs.current_view()
    build = view.findChild(SceneBuild)
    assert build is not None and build.running and window.tabs.teardown.running
    seen_at_the_end: list[bool] = []
    build.finished.connect(lambda: seen_at_the_end.append(window.tabs.teardown.running))
    qtbot.waitUntil(lambda: view.scene().complete, timeout=30000)
    # The 50-step canvas's teardown takes a few turns (index, top items, a slice or two), the
    # 600-step map's drawing many more: the old canvas waited for the new one to be drawn.
    assert seen_at_the_end == [True]
    qtbot.waitUntil(lambda: not window.tabs.teardown.running, timeout=30000)
    assert scene_matches_map(view.scene())
    assert old_scene.items() == []  # taken apart afterwards


def test_a_canvas_is_taken_apart_without_listing_every_item_first(qapp):
    # Its steps, flows and bursts come from the scene's own tables; only what is left (legend,
    # ladder, summary, lanes) is asked of Qt: listing every item first (scene.items(), each
    # wrapped for Python) was 62 ms in one go at 20,000 steps, the first turn of a teardown.
    import weakref

    from ui.canvas.chunks import dismantle
    from ui.canvas.scene import MapScene

    document = Document(Project("Small", [synthetic_map(60, seed=5)]), autosave=False)
    scene = MapScene(document, document.project.maps[0])
    total = len(scene.items())
    steps = [weakref.ref(item) for item in scene.item_for_step.values()]
    listed: list[int] = []
    items = scene.items

    def counted(*args):
        found = items(*args)
        listed.append(len(found))
        return found
    scene.items = counted
    for _ in dismantle(scene):
        pass
    assert items() == []
    assert listed and sum(listed) < total / 10  # the decorations and their parts alone
    assert [ref for ref in steps if ref() is not None] == []  # freed as they went


def test_a_canvas_built_in_chunks_ends_with_the_extent_known_without_a_measure(qtbot):
    # Each chunk's steps and flows join the map's extent as they are added (a chunk's worth of
    # work): the build's end measured all 48,000 items of the 20,000-step map again in the last
    # chunk's turn (zoom to fit), 45 of the 81 samples of the longest block of opening it.
    from ui.canvas.scene import MapScene

    document = large_document()
    map_ = document.project.maps[0]
    scene = MapScene(document, map_, build=False)
    before = scene._extent.measures  # the empty scene's
    chunks = 0
    for _ in scene.build_in_chunks(chunk=50):
        chunks += 1
    measures = scene._extent.measures
    assert chunks > 10 and measures <= before + 1  # the first chunk's: the extent was empty
    built_at_once = MapScene(document, map_)
    assert scene.map_rect() == built_at_once.map_rect()
    assert scene._extent.measures == measures  # known already when zoom to fit asks
    scene.detach()
    built_at_once.detach()


def _step_items_the_collector_sees(scene) -> int:
    """How many of the scene's step items the cycle collector walks (frozen ones it does not)."""
    import gc

    items = {id(item) for item in scene.item_for_step.values()}
    return sum(1 for thing in gc.get_objects() if id(thing) in items)


def test_a_canvas_drawn_while_the_heap_is_frozen_is_frozen_as_it_is_drawn(qtbot):
    # With a large document frozen (ui.window.heap), every full collection during the build
    # of the next canvas walked all its items built so far on the GUI thread (the last ones
    # 100-220 ms at 20,000 steps): each slice's items are frozen with the rest as they come.
    import gc

    from ui.canvas.building import SceneBuild
    from ui.canvas.scene import MapScene
    from ui.canvas.view import MapView

    assert gc.get_freeze_count() == 0
    for freeze in (False, True):
        document = large_document()
        scene = MapScene(document, document.project.maps[0], build=False, analyse=False)
        view = MapView(scene)
        build = SceneBuild(view, freeze=lambda frozen=freeze: frozen)
        try:
            qtbot.waitUntil(lambda: scene.complete, timeout=30000)  # noqa: B023
            assert not build.running and len(scene.item_for_step) == SLICED_BUILD_STEPS + 100
            # Not frozen: the collector walks all 600 items; frozen: none of them.
            assert _step_items_the_collector_sees(scene) == (0 if freeze else 600)
        finally:
            scene.detach()
            gc.unfreeze()
