"""A delete of thousands of items keeps the removed flows joined to their removed steps (issue
19: detaching 28,000 flows and emptying 20,000 lists took 25 ms of the delete's turn at 20,000
steps, attaching them again as much of its undo's): the removed items only refer to one
another, the undo puts them back as they are, and once they can no longer be put back they are
detached in slices, so that nothing is left to the garbage collector. Work is counted here,
never timed (bench/responsiveness.py times it)."""

from __future__ import annotations

import gc
import weakref

import pytest

from tests.helpers.canvas import synthetic_in_window
from ui.canvas.items import FlowItem
from vsm.model.bulk import Removal

STEPS = 300


@pytest.fixture
def big(make_window, monkeypatch):
    """The 300-step synthetic map in a window, a batch of more than 20 items in slices."""
    return synthetic_in_window(make_window, monkeypatch, STEPS)


@pytest.fixture
def calls(monkeypatch):
    """How often FlowItem.detach and FlowItem.reattach ran."""
    counted = {"detach": 0, "reattach": 0}
    for name in counted:
        original = getattr(FlowItem, name)

        def counting(self, *args, _name=name, _original=original, **kwargs):
            counted[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(FlowItem, name, counting)
    return counted


def joined_as_the_map_says(map_, scene) -> None:
    """Each step item lists exactly the flow items of the flows touching its step, and each
    flow item follows the items of its flow's ends."""
    for step in map_.steps:
        item = scene.item_for_step[step.id]
        touching = {flow.id for flow in map_.flows if step.id in (flow.source, flow.target)}
        assert sorted(flow.flow_id for flow in item.flows) == sorted(touching), step.id
    for flow in map_.flows:
        item = scene.item_for_flow[flow.id]
        assert (item.source, item.target) == (scene.item_for_step[flow.source],
                                              scene.item_for_step[flow.target])


def test_a_delete_of_everything_detaches_nothing_and_its_undo_attaches_nothing(big, calls,
                                                                              qtbot):
    document, map_, scene = big
    flows = len(map_.flows)
    document.remove(map_.id, [step.id for step in map_.steps])
    assert calls == {"detach": 0, "reattach": 0}  # both ends of every flow went too
    assert len(scene._sealed) == flows and not scene.item_for_flow
    qtbot.waitUntil(lambda: not scene.updating)  # off the canvas, still joined: kept
    document.undo_stack.undo()
    assert calls == {"detach": 0, "reattach": 0}  # put back as they were
    assert not scene._sealed
    qtbot.waitUntil(lambda: not scene.updating)
    joined_as_the_map_says(map_, scene)
    step = map_.steps[5]
    document.move(map_.id, {step.id: (step.x + 400.0, step.y)})
    flow = next(f for f in map_.flows if step.id in (f.source, f.target))
    item = scene.item_for_flow[flow.id]
    qtbot.waitUntil(lambda: not scene.updating)
    assert item.path().boundingRect().right() >= step.x - 1  # the flow followed its step


def test_a_delete_of_half_the_steps_detaches_the_flows_from_the_steps_that_stay(big, calls,
                                                                                 qtbot):
    document, map_, scene = big
    gone = {step.id for step in map_.steps[::2]}
    half = [f for f in map_.flows if (f.source in gone) != (f.target in gone)]
    assert len(half) > 20
    document.remove(map_.id, sorted(gone))
    assert calls["detach"] == len(half)  # one end stays: it must not list the flow
    joined_as_the_map_says(map_, scene)
    document.undo_stack.undo()
    assert calls["reattach"] == len(half)  # the others come back joined
    qtbot.waitUntil(lambda: not scene.updating)
    joined_as_the_map_says(map_, scene)


def test_steps_put_back_without_their_flows_list_none_of_them(big, qtbot):
    document, map_, scene = big
    removal = map_.remove_items([step.id for step in map_.steps])  # as a command's redo
    assert scene._sealed
    map_.restore_items(Removal(step_records=removal.step_records,
                               step_indices=removal.step_indices))  # the steps alone
    assert all(item.flows == [] for item in scene.item_for_step.values())
    qtbot.waitUntil(lambda: not scene.updating)
    assert not map_.flows and not scene.item_for_flow


def test_items_that_can_no_longer_come_back_are_let_go_in_slices_without_the_collector(
        big, qtbot):
    document, map_, scene = big
    flows = len(map_.flows)
    document.remove(map_.id, [step.id for step in map_.steps])
    qtbot.waitUntil(lambda: not scene.updating)
    removed = [weakref.ref(item) for item in scene._kept.values()]
    assert len(removed) == STEPS + flows
    gc.collect()
    gc.disable()  # only reference counts free them now
    try:
        document.add_step(map_.id, 0.0, 0.0)  # another edit: the kept ones are let go
        assert scene.updating and scene._unsealing and not scene._sealed
        qtbot.waitUntil(lambda: not scene.updating)
        assert [ref for ref in removed if ref() is not None] == []
    finally:
        gc.enable()


def test_a_closed_canvas_lets_the_kept_items_go(big):
    document, map_, scene = big
    document.remove(map_.id, [step.id for step in map_.steps])
    flows = list(scene._sealed)
    jobs = list(scene.release_kept(0.0))
    assert len(jobs) >= 1  # a slice at a time
    assert not scene._sealed and not scene._unsealing
    assert all(flow.source is None and flow.target is None for flow in flows)
    assert all(item.flows == [] for item in scene._kept.values() if not isinstance(item, FlowItem))


def test_a_step_put_back_as_a_new_item_takes_its_kept_flows_along(big, qtbot):
    """The undo's kept flows are put back as they are only while every step comes back as its
    kept item: a step whose record is not the removed one (here a copy) gets a new item, and
    the flows still joined to its old item follow the new one."""
    import dataclasses

    document, map_, scene = big
    removal = map_.remove_items([step.id for step in map_.steps])  # as a command's redo
    assert scene._sealed
    first = removal.step_records[0]
    copy = dataclasses.replace(first)  # the same id, another record: the kept item shows `first`
    old_item = scene._kept[first.id]
    map_.restore_items(dataclasses.replace(
        removal, step_records=(copy,) + removal.step_records[1:]))
    assert scene.item_for_step[first.id] is not old_item
    qtbot.waitUntil(lambda: not scene.updating)
    joined_as_the_map_says(map_, scene)  # its flows follow the new item, none the old one


def test_the_undo_of_a_delete_of_everything_asks_no_kept_flow_its_ends(big, qtbot,
                                                                       monkeypatch):
    """Every step comes back as its kept item (none made in the undo's batch), so the kept
    flows still joined to them are put back without reading 2 x 421 ends off the flow items
    (a Shiboken lookup each: 12 ms for 28,000 flows at 20,000 steps)."""
    import ui.canvas.batch_runs as batch_runs

    document, map_, scene = big
    document.remove(map_.id, [step.id for step in map_.steps])
    qtbot.waitUntil(lambda: not scene.updating)
    asked: list[object] = []
    for name in ("_SOURCE", "_TARGET"):
        original = getattr(batch_runs, name)

        def reading(thing, _original=original):
            if isinstance(thing, FlowItem):
                asked.append(thing)
            return _original(thing)

        monkeypatch.setattr(batch_runs, name, reading)
    made = scene.step_items_made
    document.undo_stack.undo()
    assert scene.step_items_made == made and not scene._sealed  # put back as they were
    assert asked == []
    qtbot.waitUntil(lambda: not scene.updating)
    joined_as_the_map_says(map_, scene)
