"""Big maps in the editor window: a select all, a delete of many steps and its undo touch the
step table, the canvas and the panels once per gesture, not once per step (the signals and
calls are counted, never timed; bench/big_edits.py times them)."""

from __future__ import annotations

import pytest

from bench.generate import synthetic_project
from ui.canvas.items import FlowItem
from ui.canvas.scene import MapScene
from ui.canvas.view import MapView
from ui.document.document import Document
from ui.panels.table_rows import runs
from vsm.model.layout import auto_layout

STEPS = 300


@pytest.fixture
def big(make_window, qtbot):
    """A shown window on the 300-step synthetic map, every panel following it: (window,
    document, map, view). A map whose first analysis took 20 ms or more (a loaded machine)
    has its panels given the map one per turn (ui.window.panel_filling)."""
    document = Document(synthetic_project(STEPS), autosave=False)
    window = make_window(document, 1400, 860)
    qtbot.waitUntil(lambda: not window.panel_filling.pending, timeout=5000)
    map_ = document.project.maps[0]
    return window, document, map_, window.tabs.views[map_.id]


def signal_count(signal) -> list[tuple]:
    calls: list[tuple] = []
    signal.connect(lambda *args: calls.append(args))
    return calls


def test_select_all_selects_every_row_in_one_selection_change(big, qtbot):
    window, _, map_, view = big
    selection = signal_count(window.table.view.selectionModel().selectionChanged)
    echoed = signal_count(window.table.steps_selected)
    view.select_all()
    assert window.table.selected_step_ids() == [s.id for s in map_.steps]
    assert len(selection) == 1 and echoed == []  # one change, not sent back to the canvas
    # One range of rows, not one per row (every later row change walks them all).
    assert len(window.table.view.selectionModel().selection()) == 1
    view.scene().select_steps([s.id for s in map_.steps[:100] + map_.steps[150:]])
    assert len(window.table.view.selectionModel().selection()) == 2


def test_deleting_all_selected_steps_removes_the_rows_in_one_go_and_undo_adds_them_back(big,
                                                                                        qtbot):
    window, document, map_, view = big
    table = window.table.model
    order = [s.id for s in map_.steps]
    view.select_all()
    removed = signal_count(table.rowsRemoved)
    inserted = signal_count(table.rowsInserted)
    canvas = signal_count(view.scene().selectionChanged)
    echoed = signal_count(window.table.steps_selected)

    assert view.delete_selection()

    assert table.rowCount() == 0 and not map_.steps
    assert len(removed) == 1  # one range of 300 rows (was 300 removals, each echoed)
    assert window.properties.current_page() == "map"
    # The canvas tells of its lost selection once its removed items are hidden, in the next
    # turns (ui.canvas.batches): once, and the table does not echo it back.
    qtbot.waitUntil(lambda: not view.scene().updating)
    assert len(canvas) == 1 and echoed == []
    document.undo_stack.undo()
    assert len(inserted) == 1
    assert [table.step_id(r) for r in range(table.rowCount())] == order
    assert [s.id for s in map_.steps] == order and len(view.scene().item_for_step) == STEPS


def test_deleting_scattered_steps_removes_one_row_range_per_run(big):
    window, document, map_, view = big
    table = window.table.model
    chosen = [s.id for s in map_.steps[10:60]] + [s.id for s in map_.steps[100:200:2]]
    view.scene().select_steps(chosen)
    assert window.table.selected_step_ids() == chosen
    removed = signal_count(table.rowsRemoved)
    view.delete_selection()
    # rows 10-59 are one run, rows 100, 102, ... 198 are 50 runs of one: 51 ranges for 100 rows
    assert len(removed) == 51
    assert [table.step_id(r) for r in range(table.rowCount())] == [s.id for s in map_.steps]
    document.undo_stack.undo()
    assert [table.step_id(r) for r in range(table.rowCount())] == [s.id for s in map_.steps]
    assert table.rowCount() == STEPS


def test_auto_layout_routes_each_flow_once(big, monkeypatch):
    _, document, map_, view = big
    adjusted: list[str] = []
    original = FlowItem.adjust
    monkeypatch.setattr(FlowItem, "adjust", lambda self: (adjusted.append(self.flow.id),
                                                          original(self))[1])
    positions = auto_layout(map_, column_spacing=300.0)  # every step moves
    document.move(map_.id, positions, text="Auto-layout")
    assert sorted(adjusted) == sorted(f.id for f in map_.flows)  # was twice per moved end
    item = view.scene().item_for_step[map_.steps[7].id]
    assert (item.x(), item.y()) == positions[map_.steps[7].id]


def test_the_window_lays_the_canvas_out_once_while_it_shows(make_window, monkeypatch, qtbot):
    fits: list[MapView] = []
    layouts: list[MapScene] = []
    by_fit: list[int] = []  # how many times each fit laid the decorations out
    original_fit, original_layout = MapView.zoom_to_fit, MapScene.layout_decorations

    def fit(self: MapView) -> None:
        fits.append(self)
        before = len(layouts)
        original_fit(self)
        by_fit.append(len(layouts) - before)

    monkeypatch.setattr(MapView, "zoom_to_fit", fit)
    monkeypatch.setattr(MapScene, "layout_decorations", lambda self: (
        layouts.append(self), original_layout(self))[1])
    window = make_window(Document(synthetic_project(40), autosave=False), 1400, 860)
    qtbot.wait(50)
    view = window.current_view()
    # The layout's resizes: one fit (was one per resize); a second only when that fit shows or
    # hides a scroll bar, and it does not lay the decorations out again.
    assert fits[0] is view and len(fits) <= 2
    assert by_fit[1:] in ([], [0]) and view.viewport().updatesEnabled()


@pytest.mark.parametrize(("events", "expected"), [
    ([(False, 5, "a"), (False, 4, "b"), (False, 3, "c"), (False, 8, "d")], 2),  # down, then one
    ([(False, 2, "a"), (False, 2, "b"), (False, 2, "c")], 1),  # all at one index
    ([(True, 1, "a"), (True, 2, "b"), (True, 3, "c"), (True, 0, "d"), (False, 0, "d")], 3),
    ([(True, 4, "a"), (False, 1, "b"), (True, 1, "c")], 3),
])
def test_runs_give_the_rows_the_events_give(events, expected):
    rows = [f"r{i}" for i in range(12)]
    one_by_one = list(rows)
    for added, index, step_id in events:
        if added:
            one_by_one.insert(index, step_id)
        else:
            del one_by_one[index]
    by_runs = list(rows)
    for added, first, count, ids in runs(events):
        if added:
            by_runs[first:first] = ids
        else:
            del by_runs[first:first + count]
    assert by_runs == one_by_one
    assert len(runs(events)) == expected


def test_painting_the_table_after_select_all_asks_only_the_cells_shown(big, monkeypatch):
    import ui.panels.step_table as step_table

    window, _, map_, view = big
    asked: list[int] = []

    class Counting(tuple):
        def __getitem__(self, column):
            asked.append(column)
            return tuple.__getitem__(self, column)

    monkeypatch.setattr(step_table, "COLUMN_FLAGS", Counting(step_table.COLUMN_FLAGS))
    view.select_all()
    table = window.table.view
    for widget in (table.viewport(), table.horizontalHeader().viewport(),
                   table.verticalHeader().viewport()):
        widget.repaint()
    # The rows on screen (a few dozen) times 11 columns; a column header sharing the rows'
    # selection asked all 300 x 11 cells at each of its paints.
    assert 0 < len(asked) < STEPS * 11 / 4


def test_undoing_a_delete_shows_the_same_items_again_without_routing_them(big, monkeypatch):
    window, document, map_, view = big
    scene = view.scene()
    items = dict(scene.item_for_step)
    flow_items = dict(scene.item_for_flow)
    view.select_all()
    view.delete_selection()
    adjusted: list[str] = []
    original = FlowItem.adjust
    monkeypatch.setattr(FlowItem, "adjust", lambda self: (adjusted.append(self.flow.id),
                                                          original(self))[1])
    document.undo_stack.undo()
    assert scene.item_for_step == items and scene.item_for_flow == flow_items
    assert adjusted == []  # nothing moved: the flows keep their routes
    assert not scene.selectedItems()  # back as new items come: not selected
    first = map_.flows[0]
    flow_item = scene.item_for_flow[first.id]
    assert flow_item.source is items[first.source] and flow_item in items[first.target].flows
    assert all(item.scene() is scene for item in (*items.values(), *flow_items.values()))


def test_items_kept_for_an_undo_are_dropped_once_the_map_changed_otherwise(big):
    window, document, map_, view = big
    scene = view.scene()
    chosen = [s.id for s in map_.steps[:20]]
    old = scene.item_for_step[chosen[0]]
    scene.select_steps(chosen)
    view.delete_selection()
    document.add_step(map_.id, 0.0, 0.0, name="Between")  # another batch: the kept items go
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert set(scene.item_for_step) == {s.id for s in map_.steps}
    assert set(scene.item_for_flow) == {f.id for f in map_.flows}
    assert scene.item_for_step[chosen[0]] is not old  # built anew, attached to its flows
    for flow in map_.flows:
        item = scene.item_for_flow[flow.id]
        assert item.source is scene.item_for_step[flow.source]
        assert item in scene.item_for_step[flow.target].flows


def shown_state(scene: MapScene) -> dict[str, object]:
    """What the canvas shows of the analysis: each step's badges and critical-path outline,
    each flow's critical-path line."""
    steps = {v: (tuple(b.flag for b in item.badges()), item.on_critical_path)
             for v, item in scene.item_for_step.items()}
    flows = {f: item.on_critical_path for f, item in scene.item_for_flow.items()}
    return {"steps": steps, "flows": flows}


def test_a_structural_edit_shows_its_figures_on_the_items_it_changed_only(big, qtbot,
                                                                          monkeypatch):
    from ui.canvas.items import StepItem

    _, document, map_, view = big
    touched: list[str] = []
    original = StepItem.set_flags
    monkeypatch.setattr(StepItem, "set_flags", lambda self, *a: (touched.append(self.step_id),
                                                                 original(self, *a))[1])
    steps = map_.steps
    document.add_flow(map_.id, steps[3].id, steps[-1].id)
    qtbot.waitUntil(lambda: view.scene().analysis is document.analysis(map_.id))
    assert len(touched) < STEPS / 4  # those whose flags changed (was: all 300 steps)
    fresh = MapScene(document, map_)
    assert shown_state(view.scene()) == shown_state(fresh)
    fresh.detach()


def test_items_put_back_by_an_undo_show_the_current_figures(big, qtbot):
    _, document, map_, view = big
    chosen = [s.id for s in map_.steps[40:90]]
    view.scene().select_steps(chosen)
    view.delete_selection()
    qtbot.waitUntil(lambda: view.scene().analysis is document.analysis(map_.id))
    document.set_step_field(map_.id, map_.steps[0].id, "wait_time", 99999)  # other figures
    qtbot.waitUntil(lambda: view.scene().analysis is document.analysis(map_.id))
    document.undo_stack.undo()  # the wait
    document.undo_stack.undo()  # the delete: the kept items come back
    qtbot.waitUntil(lambda: view.scene().analysis is document.analysis(map_.id))
    fresh = MapScene(document, map_)
    assert shown_state(view.scene()) == shown_state(fresh)
    fresh.detach()


def test_a_big_delete_reaches_each_view_in_one_call_and_ends_as_a_fresh_window(
        make_window, monkeypatch, qtbot):
    from ui.canvas.routes import LiveRouting
    from ui.panels.common import MapPanel
    from ui.panels.plan import PlanView
    from ui.panels.step_table import StepTableModel

    calls: list[str] = []
    for owner, method in ((MapPanel, "_on_map_event"), (StepTableModel, "_on_map_event"),
                          (PlanView, "_on_map_event"), (MapScene, "_on_model_event"),
                          (LiveRouting, "_on_model_event")):  # counted as they subscribe
        original = getattr(owner, method)
        monkeypatch.setattr(owner, method,
                            lambda self, event, original=original, name=owner.__name__: (
                                calls.append(name), original(self, event))[1])
    document = Document(synthetic_project(STEPS), autosave=False)
    window = make_window(document, 1400, 860)
    map_ = document.project.maps[0]
    view = window.tabs.views[map_.id]
    # A map whose first analysis took 20 ms or more (a loaded machine) has its panels given the
    # map one per turn (ui.window.panel_filling): all of them follow it before the delete.
    qtbot.waitUntil(lambda: not window.panel_filling.pending, timeout=5000)
    panels = len([p for p in window.findChildren(MapPanel) if p.map is map_])  # following it
    view.select_all()
    calls.clear()
    assert view.delete_selection()  # 300 steps, their 421 flows: 721 events in one batch
    # Each listener is called twice (BatchStarted, then BatchEnded with the batch's events).
    assert calls.count("StepTableModel") == 2 and calls.count("PlanView") == 2
    assert calls.count("MapScene") == 2 and calls.count("LiveRouting") == 2
    assert 0 < calls.count("MapPanel") == 2 * panels
    document.undo_stack.undo()
    table = window.table.model
    assert [table.step_id(r) for r in range(table.rowCount())] == [s.id for s in map_.steps]
    assert window.properties.current_page() == "map"
    assert set(view.scene().item_for_step) == {s.id for s in map_.steps}
