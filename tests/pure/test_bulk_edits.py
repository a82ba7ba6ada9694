"""Changes of many items at once (vsm.model.bulk): removing and restoring in one pass, the batch
of events around them, and the layout's graph walks (checked against networkx's own).

A delete of a thousand steps must not cost a thousand scans of the map: these tests count the
work instead of timing it (bench/big_edits.py times it).
"""

from __future__ import annotations

import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vsm.model.bulk as bulk
import vsm.model.kaizen as kaizen_module
import vsm.model.maps as maps_module
import vsm.model.records as records
from bench.generate import synthetic_map
from vsm.model import Flow, Kaizen, ModelError, Step, ValueStreamMap
from vsm.model.events import (
    BatchEnded,
    BatchStarted,
    FlowRemoved,
    StepAdded,
    StepChanged,
    StepRemoved,
)
from vsm.model.layout import _acyclic_graph, _groups, _topological


def replay(ids: list[str], events: list[object], kind: type, removed: type) -> list[str]:
    """Apply added/removed events of one kind to a list of ids, one by one at their indices."""
    ids = list(ids)
    for event in events:
        if isinstance(event, removed):
            record = getattr(event, "step", None) or getattr(event, "flow", None)
            assert ids[event.index] == record.id, "the index is the item's index at that moment"
            del ids[event.index]
        elif isinstance(event, kind):
            record = getattr(event, "step", None) or getattr(event, "flow", None)
            ids.insert(event.index, record.id)
    return ids


def test_removing_many_steps_takes_their_flows_and_kaizens_and_undo_restores_the_order():
    map_ = synthetic_map(300)
    map_.add_kaizen(Kaizen(step_id=map_.steps[9].id, id="k-attached"))
    map_.add_kaizen(Kaizen(id="k-free"))
    before = map_.snapshot()
    steps = [s.id for s in map_.steps[::3]]  # every third step: 100 steps
    touching = {f.id for f in map_.flows if f.source in steps or f.target in steps}

    removal = map_.remove_items(steps)

    assert len(removal.steps) == 100 and not any(map_.has_step(s) for s in steps)
    assert {f.id for f, _ in removal.flows} == touching
    assert [k.id for k, _ in removal.kaizens] == ["k-attached"]  # step 9 is one of every third
    assert map_.has_kaizen("k-free")
    assert [i for _, i in removal.steps] == list(range(0, 300, 3))  # indices before, ascending
    map_.restore_items(removal)
    assert map_.snapshot() == before  # the same items in the same order


def test_the_events_of_a_bulk_removal_and_its_undo_replay_to_the_map_order():
    map_ = synthetic_map(120)
    steps_before, flows_before = [s.id for s in map_.steps], [f.id for f in map_.flows]
    events: list[object] = []
    map_.subscribe(events.append, batches=True)
    chosen = [s.id for s in random.Random(7).sample(map_.steps, 40)]

    removal = map_.remove_items(chosen, [map_.flows[0].id])

    assert isinstance(events[0], BatchStarted) and isinstance(events[-1], BatchEnded)
    assert sum(isinstance(e, (BatchStarted, BatchEnded)) for e in events) == 2
    assert replay(steps_before, events, StepAdded, StepRemoved) == [s.id for s in map_.steps]
    assert replay(flows_before, events, type(None), FlowRemoved) == [f.id for f in map_.flows]
    steps_after, events[:] = [s.id for s in map_.steps], []
    map_.restore_items(removal)
    assert replay(steps_after, events, StepAdded, StepRemoved) == steps_before


def test_batch_events_go_only_to_subscribers_that_ask_for_them():
    map_ = synthetic_map(20)
    plain: list[object] = []
    aware: list[object] = []
    map_.subscribe(plain.append)
    map_.subscribe(aware.append, batches=True)
    map_.remove_items([map_.steps[5].id])
    assert not any(isinstance(e, (BatchStarted, BatchEnded)) for e in plain)
    assert [type(e) for e in aware if isinstance(e, (BatchStarted, BatchEnded))] == [
        BatchStarted, BatchEnded]
    assert [e for e in aware if not isinstance(e, (BatchStarted, BatchEnded))] == plain


def test_nested_batches_are_one_and_an_error_still_ends_the_batch():
    map_ = ValueStreamMap("M", id="m")
    events: list[object] = []
    map_.subscribe(events.append, batches=True)
    with pytest.raises(ModelError), map_.batch():
        with map_.batch():
            map_.add_step(Step(id="a"))
        map_.add_step(Step(id="a"))  # the id is taken
    assert [type(e) for e in events] == [BatchStarted, StepAdded, BatchEnded]


def test_a_bulk_removal_scans_the_map_once_not_once_per_step(monkeypatch):
    # 200 of 600 steps: the single-step path looks every step's flows up in all the flows and
    # its index in all the steps, 200 times; the bulk one never calls those lookups.
    map_ = synthetic_map(600)
    calls = {"flows_of": 0, "step_index": 0, "flow_index": 0, "inserted": 0}
    for name in ("flows_of", "step_index", "flow_index"):
        original = getattr(ValueStreamMap, name)
        monkeypatch.setattr(ValueStreamMap, name, lambda self, i, _o=original, _n=name: (
            calls.__setitem__(_n, calls[_n] + 1), _o(self, i))[1])
    merged = []
    original_merged = bulk._merged
    monkeypatch.setattr(bulk, "_merged", lambda items, keys, *columns: (
        merged.append(len(keys)), original_merged(items, keys, *columns))[1])
    for module in (maps_module, kaizen_module):  # the one-by-one insert: a dict rebuild each
        monkeypatch.setattr(module, "inserted", lambda *a, _o=records.inserted: (
            calls.__setitem__("inserted", calls["inserted"] + 1), _o(*a))[1])
    removal = map_.remove_items([s.id for s in map_.steps[::3]])
    map_.restore_items(removal)
    assert calls == {"flows_of": 0, "step_index": 0, "flow_index": 0, "inserted": 0}
    assert len(merged) == 2  # one rebuild of the steps, one of the flows (no kaizens here)


def test_unknown_ids_and_taken_ids_are_refused_before_anything_changes():
    map_ = synthetic_map(10)
    before = map_.snapshot()
    with pytest.raises(ModelError, match="no step with id 'nope'"):
        map_.remove_items([map_.steps[0].id, "nope"])
    assert map_.snapshot() == before
    removal = map_.remove_items([map_.steps[0].id])
    map_.add_step(Step(id=removal.steps[0][0].id))
    with pytest.raises(ModelError, match="already has a step"):
        map_.restore_items(removal)


@given(st.integers(1, 30), st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)),
                                    max_size=80), st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_remove_and_restore_any_items_of_any_map(count, pairs, rnd):
    map_ = ValueStreamMap("M", id="m")
    for i in range(count):
        map_.add_step(Step(id=f"s{i}"))
    for number, (a, b) in enumerate(pairs):
        if a < count and b < count and a != b and not any(
                f.source == f"s{a}" and f.target == f"s{b}" for f in map_.flows):
            map_.add_flow(Flow(f"s{a}", f"s{b}", id=f"f{number}"))
    for step in map_.steps[::4]:
        map_.add_kaizen(Kaizen(step_id=step.id, id=f"k-{step.id}"))
    before = map_.snapshot()
    steps = [s.id for s in map_.steps if rnd.random() < 0.3]
    flows = [f.id for f in map_.flows if rnd.random() < 0.3]
    kaizens = [k.id for k in map_.kaizens if rnd.random() < 0.3]
    map_.restore_items(map_.remove_items(steps, flows, kaizens))
    assert map_.snapshot() == before


# ------------------------------------------------------------------ the layout's graph walks

@given(st.integers(1, 25), st.lists(st.tuples(st.integers(0, 24), st.integers(0, 24)),
                                    max_size=60))
@settings(max_examples=200, deadline=None)
def test_the_layout_walks_the_graph_as_networkx_does(count, pairs):
    map_ = ValueStreamMap("M", id="m")
    for i in range(count):
        map_.add_step(Step(id=f"s{i:02d}"))
    for number, (a, b) in enumerate(pairs):
        if a < count and b < count and a != b and not any(
                f.source == f"s{a:02d}" and f.target == f"s{b:02d}" for f in map_.flows):
            map_.add_flow(Flow(f"s{a:02d}", f"s{b:02d}", id=f"f{number}"))
    order = {s.id: i for i, s in enumerate(reversed(map_.steps))}  # not the ids' own order
    graph, topological = _acyclic_graph(map_, order)  # with the order the layout walks
    reference = nx.DiGraph()
    reference.add_nodes_from(order)
    reference.add_edges_from((u, v) for u, vs in graph.successors.items() for v in vs)
    assert nx.is_directed_acyclic_graph(reference)  # loops were broken
    expected = list(nx.lexicographical_topological_sort(reference, key=order.__getitem__))
    assert _topological(graph, list(order), order) == topological == expected
    assert sorted(map(sorted, _groups(graph, order))) == sorted(
        sorted(group) for group in nx.weakly_connected_components(reference))


def test_move_steps_checks_every_position_before_it_moves_any():
    map_ = synthetic_map(20)
    first, second = map_.steps[0], map_.steps[1]
    before = map_.snapshot()
    events: list[object] = []
    map_.subscribe(events.append)
    with pytest.raises(ModelError):
        map_.move_steps({first.id: (500.0, 600.0), second.id: (float("nan"), 0.0)})
    assert map_.snapshot() == before and events == []  # the first step did not move either
    with pytest.raises(ModelError):
        map_.move_steps({first.id: (500.0, 600.0), "no-such-step": (0.0, 0.0)})
    assert map_.snapshot() == before and events == []


def test_position_changes_are_the_cleaned_positions_that_move_a_step_and_where_it_is():
    map_ = synthetic_map(20)
    a, b, c, d = map_.steps[:4]
    before = map_.snapshot()
    positions = {a.id: (a.x, a.y), b.id: (b.x + 10.0, b.y), c.id: [c.x, c.y - 5.0],
                 d.id: (int(d.x) + 3, d.y)}
    new, old = map_.position_changes(positions)
    # a stays; the others as clean_positions gives them, in order, and where each is now
    cleaned = map_.clean_positions(positions)
    assert list(new) == [b.id, c.id, d.id]
    assert new == {step_id: cleaned[step_id] for step_id in new}
    assert all(type(position) is tuple for position in new.values())
    assert old == {b.id: (b.x, b.y), c.id: (c.x, c.y), d.id: (d.x, d.y)}
    assert map_.snapshot() == before  # nothing moved
    with pytest.raises(ModelError):
        map_.position_changes({a.id: (1.0, 2.0), "no-such-step": (0.0, 0.0)})
    with pytest.raises(ModelError):
        map_.position_changes({a.id: (float("inf"), 2.0)})


def test_move_steps_gives_the_events_set_step_field_gives_for_what_changed():
    map_ = synthetic_map(20)
    a, b = map_.steps[0], map_.steps[1]
    events: list[object] = []
    map_.subscribe(events.append, batches=True)
    map_.move_steps({a.id: (a.x + 10, a.y), b.id: (b.x + 5, b.y + 7)})
    # a: x only (its y is the same); b: x then y; inside one batch
    assert [(type(e).__name__, getattr(e, "step", None) and e.step.id, getattr(e, "field", None))
            for e in events] == [("BatchStarted", None, None), ("StepChanged", a.id, "x"),
                                 ("StepChanged", b.id, "x"), ("StepChanged", b.id, "y"),
                                 ("BatchEnded", None, None)]


def test_a_listener_that_leaves_or_joins_during_a_batch_is_told_as_with_one_event_each():
    map_ = synthetic_map(30)
    seen: dict[str, list[str]] = {"leaver": [], "joiner": [], "steady": []}

    def joiner(event: object) -> None:
        if isinstance(event, StepRemoved):
            seen["joiner"].append(event.step.id)

    def leaver(event: object) -> None:
        if isinstance(event, StepRemoved):
            seen["leaver"].append(event.step.id)
            if len(seen["leaver"]) == 2:  # after its second step: gone, and the joiner comes
                map_.unsubscribe(leaver)
                map_.subscribe(joiner)

    def steady(event: object) -> None:
        if isinstance(event, StepRemoved):
            seen["steady"].append(event.step.id)

    map_.subscribe(leaver)
    map_.subscribe(steady)
    gone = [s.id for s in map_.steps[:5]]
    map_.remove_items(gone)
    # Removed from the highest index down: steps 4, 3 reach the leaver; the joiner, added
    # after steady, hears from the leaver's second event's next listener on: not step 3 (its
    # listeners were looked up before), then 2, 1, 0.
    assert seen["steady"] == gone[::-1]
    assert seen["leaver"] == gone[4:2:-1]
    assert seen["joiner"] == gone[2::-1]


def test_a_gathered_listener_gets_a_batchs_events_once_at_its_end_in_order():
    map_ = synthetic_map(20)
    plain: list[object] = []
    calls: list[object] = []
    map_.subscribe(plain.append, batches=True)
    map_.subscribe(calls.append, gathered=True)
    removal = map_.remove_items([map_.steps[5].id, map_.steps[6].id])
    # Two calls only: BatchStarted, then BatchEnded holding every per-item event, the very
    # ones (and in the order) a per-item listener got between its own BatchStarted and BatchEnded.
    assert [type(e) for e in calls] == [BatchStarted, BatchEnded]
    assert list(calls[1].events) == plain[1:-1] and len(plain) > 3
    assert plain[-1].events == ()  # the others' BatchEnded carries nothing
    calls.clear()
    map_.restore_items(removal)
    assert [type(e) for e in calls] == [BatchStarted, BatchEnded]
    assert [type(e) for e in calls[1].events][:2] == [StepAdded, StepAdded]


def test_a_gathered_listener_gets_events_emitted_one_by_one_inside_a_batch_and_outside_it():
    map_ = ValueStreamMap("M", id="m")
    calls: list[object] = []
    map_.subscribe(calls.append, gathered=True)
    with map_.batch():
        map_.add_step(Step(id="a"))  # through _emit, not _emit_each
        map_.remove_items(["a"])  # a nested batch: part of the outer one
    map_.add_step(Step(id="b"))  # no batch: at once, as any listener
    assert [type(e) for e in calls] == [BatchStarted, BatchEnded, StepAdded]
    assert [type(e) for e in calls[1].events] == [StepAdded, StepRemoved]
    assert calls[2].step.id == "b"


def test_a_restore_is_refused_with_the_first_flow_end_missing_in_order():
    map_ = synthetic_map(10)
    removal = map_.remove_items(flow_ids=[f.id for f in map_.flows])
    first = removal.flows[0][0]
    map_.remove_items([first.source, first.target])  # its ends leave the map too
    with pytest.raises(ModelError, match=f"refers to step '{first.source}'"):
        map_.restore_items(removal)
    assert map_.flows == []  # nothing changed


def test_a_removal_keeps_its_items_as_columns_and_gives_the_pairs():
    # 30 steps, every third removed: steps 0, 3, ..., 27 (10 of them) at indices 0, 3, ..., 27.
    map_ = synthetic_map(30)
    chosen = [s.id for s in map_.steps[::3]]
    removal = map_.remove_items(chosen)
    assert [s.id for s in removal.step_records] == chosen
    assert removal.step_indices == tuple(range(0, 30, 3))
    assert removal.steps == tuple(zip(removal.step_records, removal.step_indices))
    assert removal.flows == tuple(zip(removal.flow_records, removal.flow_indices))
    assert len(removal) == len(removal.step_records) + len(removal.flow_records)


def test_removing_every_item_and_putting_them_back_keeps_the_order_and_the_indices():
    map_ = synthetic_map(40)
    steps, flows = [s.id for s in map_.steps], [f.id for f in map_.flows]
    removal = map_.remove_items(steps)
    assert removal.step_indices == tuple(range(40))  # every step: 0..39
    assert not map_.steps and not map_.flows
    events: list[object] = []
    map_.subscribe(events.append)
    map_.restore_items(removal)
    assert [s.id for s in map_.steps] == steps and [f.id for f in map_.flows] == flows
    added = [e for e in events if isinstance(e, StepAdded)]
    assert [e.index for e in added] == list(range(40))  # ascending, each its final index


def _described(events: tuple[object, ...] | list[object]) -> list[tuple[str, str, int]]:
    """Each per-item event as (kind, record id, index)."""
    return [(type(e).__name__, getattr(e, "step", None) and e.step.id
             or getattr(e, "flow", None) and e.flow.id or e.kaizen.id, e.index)
            for e in events]


def test_a_removal_only_gathered_listeners_hear_goes_at_once_with_the_same_events_and_map(
        monkeypatch):
    # The editor's listeners all take a batch's events gathered: nobody looks at the map between
    # two events, so remove_items takes the items out at once instead of one by one through
    # the per-item generator; what the listeners get and the map left must be the same.
    def made() -> ValueStreamMap:
        map_ = synthetic_map(120)
        map_.add_kaizen(Kaizen(step_id=map_.steps[6].id, id="k-on-6"))
        map_.add_kaizen(Kaizen(id="k-free"))
        map_.add_kaizen(Kaizen(id="k-also-free"))
        return map_

    at_once, one_by_one = made(), made()
    heard_at_once: list[object] = []
    heard_gathered: list[object] = []
    heard_each: list[object] = []
    at_once.subscribe(heard_at_once.append, gathered=True)
    one_by_one.subscribe(heard_gathered.append, gathered=True)
    one_by_one.subscribe(heard_each.append, batches=True)  # a per-item listener
    walked: list[int] = []
    per_item = bulk.BulkEdits._removing
    monkeypatch.setattr(bulk.BulkEdits, "_removing",
                        lambda self, removal: walked.append(len(removal)) or per_item(
                            self, removal))
    steps = [s.id for s in at_once.steps[::4]]  # 30 steps (0, 4, 8...) with their flows
    flows = [f.id for f in at_once.flows if f.source not in steps and f.target not in steps][:7]
    kaizens = ["k-free"]

    removal = at_once.remove_items(steps, flows, kaizens)
    assert walked == []  # no per-item walk: the items went at once
    twin = one_by_one.remove_items(steps, flows, kaizens)
    assert walked == [len(twin)]  # a per-item listener: one by one, as before

    assert removal == twin
    assert _described(heard_at_once[1].events) == _described(heard_gathered[1].events)
    assert _described(heard_at_once[1].events) == _described(heard_each[1:-1])
    assert at_once.snapshot() == one_by_one.snapshot()
    assert at_once._flows_from == one_by_one._flows_from  # the flows by source, too
    before = made().snapshot()
    at_once.restore_items(removal)
    assert at_once.snapshot() == before


def test_a_removal_of_everything_heard_gathered_leaves_an_empty_map_and_undoes_exactly():
    map_ = synthetic_map(200)
    map_.add_kaizen(Kaizen(step_id=map_.steps[0].id, id="k-first"))
    before = map_.snapshot()
    heard: list[object] = []
    map_.subscribe(heard.append, gathered=True)
    removal = map_.remove_items([s.id for s in map_.steps])
    assert map_.steps == [] and map_.flows == [] and map_.kaizens == []
    assert all(not flows for flows in map_._flows_from.values())
    events = heard[1].events
    # Kaizens, then flows, then steps, each from the highest index down: every index is the
    # item's index just before its own event.
    assert [type(e) for e in events[:2]] == [bulk.KaizenRemoved, FlowRemoved]
    assert [e.index for e in events if type(e) is StepRemoved] == list(range(199, -1, -1))
    map_.restore_items(removal)
    assert map_.snapshot() == before


def test_a_maps_step_and_flow_ids_are_a_live_view_in_stored_order():
    map_ = synthetic_map(6)
    steps, flows = map_.step_ids, map_.flow_ids
    assert list(steps) == [s.id for s in map_.steps] and list(flows) == [f.id for f in map_.flows]
    first = map_.steps[0]
    gone = {f.id for f in map_.flows if first.id in (f.source, f.target)}
    map_.remove_items([first.id])
    assert first.id not in steps and not gone & set(flows)  # the same views, up to date
    assert len(steps) == 5 and not hasattr(steps, "pop")  # read-only


def test_step_changes_pick_a_batchs_step_changes_in_order_by_field_or_step():
    from vsm.model.events import FlowChanged, step_changes

    map_ = synthetic_map(4)
    a, b = map_.steps[0], map_.steps[1]
    flow = map_.flows[0]
    events = [StepChanged(a, "x"), FlowChanged(flow, "share"), StepChanged(b, "name"),
              StepChanged(a, "y"), StepChanged(b, "x"), StepChanged(a, "team")]
    assert step_changes(events) == [events[0], events[2], events[3], events[4], events[5]]
    assert step_changes(events, {"name", "team"}) == [events[2], events[5]]
    # ... or any field of one step (the one a pane shows): its moves too, in order
    assert step_changes(events, {"name"}, b.id) == [events[2], events[4]]
    assert step_changes([], {"name"}) == []
