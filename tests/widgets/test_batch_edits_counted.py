"""A delete of every step, its undo and a move of every step in the editor window: the canvas
takes the batch's events a run at a time (ui.canvas.batch_runs), the panes look at each kind
of event once, and Auto-Layout's fit waits for the map to be laid out. The
calls are counted, never timed (bench/responsiveness.py times them)."""

from __future__ import annotations

import random

import pytest

from bench.generate import synthetic_project
from ui.canvas import arranging, batches
from ui.canvas.items import FlowItem, StepItem
from ui.canvas.palette import DARK, LIGHT
from ui.canvas.selection import Selection
from ui.canvas.view import MapView
from ui.document.document import Document
from ui.panels.table_rows import runs
from vsm.model.events import BatchStarted
from vsm.model.layout import auto_layout

STEPS = 300  # and 421 flows: 721 items, more than batches.AT_ONCE


def open_big(make_window):
    document = Document(synthetic_project(STEPS), autosave=False)
    window = make_window(document, 1400, 860)
    map_ = document.project.maps[0]
    return window, document, map_, window.tabs.views[map_.id]


@pytest.fixture
def big(make_window):
    """A shown window on the 300-step synthetic map: (window, document, map, view)."""
    return open_big(make_window)


def counted(monkeypatch, owner, name: str) -> list[object]:
    """Count the calls of owner.name (the original still runs)."""
    calls: list[object] = []
    original = getattr(owner, name)

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def links(scene) -> dict[str, tuple[object, object]]:
    """Each flow item's end items, and each step item's flow items (as sets of flow ids)."""
    flows = {f: (item.source, item.target) for f, item in scene.item_for_flow.items()}
    steps = {s: frozenset(f.flow_id for f in item.flows) for s, item in scene.item_for_step.items()}
    return {"flows": flows, "steps": steps}


def delete_everything(document, map_) -> None:
    assert document.remove(map_.id, [s.id for s in map_.steps])


def test_an_undo_of_a_delete_of_everything_puts_the_same_items_back_a_run_at_a_time(
        big, monkeypatch):
    _, document, map_, view = big
    scene = view.scene()
    items = dict(scene.item_for_step), dict(scene.item_for_flow)
    before = links(scene)
    one_by_one = counted(monkeypatch, batches, "take_one")
    delete_everything(document, map_)
    assert not scene.item_for_step and not scene.item_for_flow
    document.undo_stack.undo()
    assert one_by_one == []  # 721 removals, then 300 + 421 put-backs: runs, no event alone
    assert (scene.item_for_step, scene.item_for_flow) == items  # the very same items
    assert list(scene.item_for_step) == [s.id for s in map_.steps]  # in the map's order
    assert links(scene) == before  # each flow follows its steps again, once


def test_kept_items_take_a_new_theme_when_it_is_chosen_not_when_put_back(big, monkeypatch):
    _, document, map_, view = big
    scene = view.scene()
    items = [*scene.item_for_step.values(), *scene.item_for_flow.values()]
    step_themes = counted(monkeypatch, StepItem, "set_theme")
    flow_themes = counted(monkeypatch, FlowItem, "set_theme")
    modes = counted(monkeypatch, StepItem, "set_colour_mode")
    delete_everything(document, map_)
    document.undo_stack.undo()
    assert step_themes == [] and flow_themes == [] and modes == []  # as they were kept
    document.undo_stack.redo()
    while scene.updating:  # the removed items leave the canvas, a slice per turn
        scene._update_slice()
    other = DARK if scene.theme is LIGHT else LIGHT
    scene.set_theme(other)
    scene.set_colour_mode("performer" if scene.colour_mode == "activity" else "activity")
    told = {id(args[0]) for args in step_themes + flow_themes if args[1] is other}
    assert told == {id(item) for item in items}  # off the canvas, kept for the undo: told too
    assert {id(args[0]) for args in modes} == {id(i) for i in items if isinstance(i, StepItem)}
    step_themes.clear()
    flow_themes.clear()
    modes.clear()
    document.undo_stack.undo()
    assert step_themes == [] and flow_themes == [] and modes == []  # put back as they are


def test_the_selection_memory_hears_a_batch_at_its_start_and_end_only(make_window, monkeypatch):
    heard = counted(monkeypatch, Selection, "_forget_selection_made")  # before it subscribes
    _, document, map_, view = open_big(make_window)
    heard.clear()
    delete_everything(document, map_)
    assert len(heard) == 2  # BatchStarted, BatchEnded (was once more per removed item: 723)
    view.select_all()
    assert view.scene().selected_ids() == ([], [], [])


def test_a_big_delete_tells_the_selection_changed_only_if_a_removed_item_was_selected(big,
                                                                                      qtbot):
    _, document, map_, view = big
    scene = view.scene()
    changes: list[tuple] = []
    scene.selectionChanged.connect(lambda: changes.append(()))
    scene.select_steps([map_.steps[250].id])  # one item, far from the first of the 721
    changes.clear()
    delete_everything(document, map_)
    # Hidden (and so unselected) as the canvas is looked at; told once, when the slices have
    # hidden them all (ui.canvas.batches)
    assert changes == [] and scene.selectedItems() == []
    qtbot.waitUntil(lambda: not scene.updating)
    assert len(changes) == 1
    document.undo_stack.undo()
    scene.select_steps([])
    changes.clear()
    delete_everything(document, map_)
    qtbot.waitUntil(lambda: not scene.updating)
    assert changes == []  # nothing selected was removed


def test_a_move_of_every_step_asks_the_panes_nothing_per_step(big, monkeypatch):
    from ui.document import live_analysis
    from ui.panels import description, plan
    from ui.panels.step_table import StepTableModel

    window, document, map_, _ = big
    cells = counted(monkeypatch, StepTableModel, "_step_changed")
    practices = counted(monkeypatch, description.DescriptionPanel, "_names_practices")
    plan_looks = counted(monkeypatch, plan, "_names_plan")
    figures = counted(monkeypatch, live_analysis, "_changes_figures")
    repainted = []
    window.table.model.dataChanged.connect(lambda *args: repainted.append(args))
    assert document.move(map_.id, {s.id: (s.x + 40.0, s.y + 20.0) for s in map_.steps})
    # 600 StepChanged events (x and y of each step): no cell shows a position, no practice,
    # plan row or figure depends on one (was 600 calls to each).
    assert cells == [] and practices == [] and figures == []
    assert [args for args in plan_looks if not isinstance(args[0], BatchStarted)] == []
    assert repainted == []


@pytest.mark.parametrize("seed", range(40))
def test_row_runs_give_the_rows_the_events_give_one_by_one(seed):
    rng = random.Random(seed)
    rows = [f"r{i}" for i in range(30)]
    events: list[tuple[bool, int, str]] = []
    shown = list(rows)
    for n in range(rng.randint(1, 25)):
        added = not shown or rng.random() < 0.5
        if rng.random() < 0.6 and events and events[-1][0] == added:  # often a run
            index = events[-1][1] + 1 if added else max(events[-1][1] - 1, 0)
        else:
            index = rng.randint(0, len(shown) - (0 if added else 1))
        index = min(index, len(shown) - (0 if added else 1))
        events.append((added, index, f"n{n}"))
        if added:
            shown.insert(index, f"n{n}")
        else:
            del shown[index]
    by_runs = list(rows)
    for added, first, count, ids in runs(events):
        assert count == (len(ids) if added else count) and count >= 1
        if added:
            by_runs[first:first] = ids
        else:
            del by_runs[first:first + count]
    assert by_runs == shown


def test_a_worker_layout_fits_the_view_once_the_map_is_laid_out(big, monkeypatch, qtbot):
    # The fit came on the next turn, while the moved steps were still being placed in slices:
    # it measured the whole map in one turn (the flows still to follow left out) and painted
    # it half moved (~100 ms each at 20,000 steps). It waits for the map as it ends, once.
    _, document, map_, view = big
    monkeypatch.setattr(batches, "AT_ONCE", 50)  # 300 steps moved: placed in slices,
    monkeypatch.setattr(batches, "SLICE_SECONDS", 0.0)  # an item a turn
    scene = view.scene()
    qtbot.waitUntil(lambda: not view._fit_timer.isActive())  # fitted as the window showed
    fits: list[tuple[bool, bool, bool]] = []  # at each fit: slices, measure, layout to come
    fit = MapView.zoom_to_fit
    monkeypatch.setattr(MapView, "zoom_to_fit", lambda self: (fits.append(
        (scene.updating, scene._extent.stale, scene._layout_turn.isActive())), fit(self)))
    positions = auto_layout(map_)
    assert view._apply_layout(positions, announce=True)  # as the worker's result arrives
    assert fits == [] and scene.updating  # the move's batch has this turn
    qtbot.waitUntil(lambda: bool(fits) and not scene.updating)
    qtbot.wait(50)
    assert fits == [(False, False, False)]  # once, the map placed, measured and laid out
    assert [(s.x, s.y) for s in map_.steps] == [positions[s.id] for s in map_.steps]
    fitted = (view.transform(), view.horizontalScrollBar().value(),
              view.verticalScrollBar().value())
    view.zoom_to_fit()  # fitting again now changes nothing: it was fitted to the final map
    assert (view.transform(), view.horizontalScrollBar().value(),
            view.verticalScrollBar().value()) == fitted
    monkeypatch.setattr(arranging, "ON_WORKER", 10**6)
    assert view.auto_layout() is False  # already laid out; a small map's layout: at once


def test_the_worker_lays_out_with_the_collector_paused(big, monkeypatch, qtbot):
    import gc

    _, document, map_, view = big
    monkeypatch.setattr(arranging, "ON_WORKER", 100)
    monkeypatch.setattr("ui.canvas.view.ON_WORKER", 100)
    enabled: list[bool] = []
    original = arranging.lay_out
    monkeypatch.setattr(arranging, "lay_out", lambda asked: (enabled.append(gc.isenabled()),
                                                             original(asked))[1])
    assert view.auto_layout()  # started on the worker
    qtbot.waitUntil(lambda: not view.arranging, timeout=10000)
    assert enabled == [False] and gc.isenabled()
