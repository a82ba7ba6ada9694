"""Comparing maps: hand-computed deltas, lineage matching, handoff counts, the JSON shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from vsm.analysis.compare import (
    COMPARED_FIELDS,
    METRICS,
    MetricDelta,
    compare_maps,
    count_handoffs,
    describe_field_change,
    format_delta,
    lineage,
    match_steps,
)
from vsm.files.formats import load_json
from vsm.model import Flow, Step, ValueStreamMap
from vsm.model.duplicate import duplicate_map

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "restore-a-live-service.json"


def current_map() -> ValueStreamMap:
    """A (wait 30, process 10, %C&A 90, Service desk) -> B (wait 60, process 20, %C&A 50, vendor).

    lead time 120, process time 30, flow efficiency 25 %, rolled %C&A 45 %, 1 handoff (a vendor one).
    """
    map_ = ValueStreamMap("Current state")
    map_.add_step(Step("A", team="Service desk", wait_time=30, process_time=10, pca=90, id="a"))
    map_.add_step(Step("B", team="Hosting Co", performer="vendor", wait_time=60, process_time=20,
                       pca=50, id="b"))
    map_.add_flow(Flow("a", "b"))
    return map_


def future_of(map_: ValueStreamMap, name: str = "Future state") -> ValueStreamMap:
    return duplicate_map(map_, name, "future", keep_origin=True)


def twin(map_: ValueStreamMap, origin: str) -> Step:
    """The step of `map_` copied from the step with id `origin`."""
    return next(step for step in map_.steps if step.origin == origin)


# ---------------------------------------------------------------- figures


def test_hand_computed_deltas():
    current = current_map()
    future = future_of(current)
    b = twin(future, "b")
    future.set_step_field(b.id, "wait_time", 0)
    future.set_step_field(b.id, "pca", 90)
    result = compare_maps(current, future)
    # lead time: (30 + 10) + (60 + 20) = 120 -> (30 + 10) + (0 + 20) = 60
    #            delta 60 - 120 = -60; delta % -60 / 120 = -50 %
    assert result.metrics["lead_time_minutes"] == MetricDelta(120, 60, -60, -50)
    # process time: 10 + 20 = 30 both: delta 0, delta % 0 / 30 = 0
    assert result.metrics["process_time_minutes"] == MetricDelta(30, 30, 0, 0)
    # flow efficiency: 30 / 120 = 25 % -> 30 / 60 = 50 %: +25 points, 25 / 25 = +100 %
    assert result.metrics["flow_efficiency_percent"] == MetricDelta(25, 50, 25, 100)
    # rolled %C&A: 0.9 x 0.5 = 45 % -> 0.9 x 0.9 = 81 %: +36 points, 36 / 45 = +80 %
    rolled = result.metrics["rolled_pca_percent"]
    assert (rolled.from_, rolled.to, rolled.delta, rolled.delta_percent) == pytest.approx(
        (45, 81, 36, 80))
    # 2 steps, 1 handoff (Service desk -> Hosting Co), and it has a vendor at one end
    assert result.metrics["step_count"] == MetricDelta(2, 2, 0, 0)
    assert result.metrics["handoffs"] == MetricDelta(1, 1, 0, 0)
    assert result.metrics["vendor_handoffs"] == MetricDelta(1, 1, 0, 0)
    assert list(result.metrics) == list(METRICS)
    assert (result.added, result.removed) == ([], [])
    [change] = result.changed
    assert (change.id, change.name, change.origin_id) == (b.id, "B", "b")
    assert change.fields == {"wait_time": (60.0, 0.0), "pca": (50.0, 90.0)}


def test_metric_delta_is_none_safe():
    assert MetricDelta.of(None, 5) == MetricDelta(None, 5, None, None)
    assert MetricDelta.of(5, None) == MetricDelta(5, None, None, None)
    assert MetricDelta.of(0, 5) == MetricDelta(0, 5, 5, None)  # no percentage of nothing
    assert MetricDelta.of(40, 50) == MetricDelta(40, 50, 10, 25)  # 10 / 40 = 25 %


def test_a_map_the_analysis_cannot_compute_gives_missing_figures():
    current = current_map()
    looped = future_of(current)
    a, b = twin(looped, "a"), twin(looped, "b")
    looped.add_flow(Flow(b.id, a.id))  # ordinary flows a -> b -> a: a loop
    result = compare_maps(current, looped)
    assert result.metrics["lead_time_minutes"] == MetricDelta(120, None, None, None)
    assert result.metrics["step_count"] == MetricDelta(2, 2, 0, 0)
    # handoffs: a -> b and b -> a both cross from Service desk to Hosting Co: 2 (2 vendor)
    # delta 2 - 1 = +1, +1 / 1 = +100 %
    assert result.metrics["handoffs"] == MetricDelta(1, 2, 1, 100)
    data = result.to_json_dict()
    assert data["lead_time_minutes"] == {"from": 120, "to": None, "delta": None,
                                         "delta_percent": None}
    assert data["problems"]["from"] == [] and "loop" in data["problems"]["to"][0]


def test_from_an_empty_map():
    empty = ValueStreamMap("Nothing yet")
    result = compare_maps(empty, current_map())
    # steps 0 -> 2: delta +2, no percentage of 0
    assert result.metrics["step_count"] == MetricDelta(0, 2, 2, None)
    assert result.metrics["lead_time_minutes"].from_ is None
    assert [s.name for s in result.added] == ["A", "B"]


def test_handoff_counts():
    map_ = ValueStreamMap("Handoffs")
    for step_id, team, performer in [("d1", "Desk", "internal"), ("d2", "desk", "internal"),
                                     ("o", "Ops", "internal"), ("i1", "", "internal"),
                                     ("i2", "", "internal"), ("v", "", "vendor"),
                                     ("w", "Ops", "vendor")]:
        map_.add_step(Step(step_id, team=team, performer=performer, id=step_id))
    for source, target in [("d1", "d2"), ("d2", "o"), ("o", "i1"), ("i1", "i2"), ("i2", "v"),
                           ("v", "w")]:
        map_.add_flow(Flow(source, target))
    map_.add_flow(Flow("w", "d1", kind="rework", probability=10))
    # d1 -> d2: Desk = desk (case ignored), no handoff
    # d2 -> o: desk != ops                        handoff 1
    # o -> i1: ops != internal (no team)          handoff 2
    # i1 -> i2: internal = internal               no handoff
    # i2 -> v: internal != vendor                 handoff 3, vendor 1
    # v -> w: vendor != ops (w's team)            handoff 4, vendor 2
    # w -> d1 is rework: not counted
    assert count_handoffs(map_) == (4, 2)


# ---------------------------------------------------------------- lineage


def test_rename_is_changed_not_removed_and_added():
    current = current_map()
    future = future_of(current)
    future.set_step_field(twin(future, "a").id, "name", "A, automated")
    result = compare_maps(current, future)
    assert (result.added, result.removed) == ([], [])
    [change] = result.changed
    assert change.name == "A, automated" and change.fields == {"name": ("A", "A, automated")}
    assert describe_field_change("name", "A", "A, automated") == "name 'A' → 'A, automated'"


def test_delete_and_add():
    current = current_map()
    future = future_of(current)
    future.remove_step(twin(future, "b").id)
    future.add_step(Step("C", id="c"))  # new: no origin
    future.add_step(Step("D", origin="gone", id="d"))  # origin in no map: new as well
    result = compare_maps(current, future)
    assert [s.id for s in result.removed] == ["b"]
    assert [s.id for s in result.added] == ["c", "d"]
    assert result.changed == []
    assert [(a.id, b.origin) for a, b in result.matches] == [("a", "a")]


def test_positions_and_origin_are_not_changes_and_durations_compare_as_minutes():
    current = current_map()
    current.set_step_field("b", "wait_time", "2d")
    future = future_of(current)
    b = twin(future, "b")
    future.set_step_field(b.id, "x", 500)
    future.set_step_field(b.id, "wait_time", "48h")  # 2 x 24 x 60 = 2880 minutes, as before
    assert compare_maps(current, future).changed == []
    future.set_step_field(b.id, "wait_time", "4h")  # 240 minutes
    [change] = compare_maps(current, future).changed
    assert change.fields == {"wait_time": (2880.0, 240.0)}
    assert describe_field_change("wait_time", 2880.0, 240.0) == "wait time 2d → 4h"
    assert set(COMPARED_FIELDS) == {"name", "activity", "team", "performer", "process_time",
                                    "wait_time", "pca", "people", "notes", "process_time_min",
                                    "process_time_max", "wait_time_min", "wait_time_max",
                                    "target_time", "hourly_rate", "practices", "information"}
    future.set_step_field(b.id, "wait_time_max", "1d")  # a narrower range is a change too
    [change] = compare_maps(current, future).changed
    assert change.fields == {"wait_time": (2880.0, 240.0), "wait_time_max": (None, 1440.0)}
    assert describe_field_change("wait_time_max", None, 1440.0) == "wait time maximum (none) → 1d"


def test_the_other_way_round():
    current = current_map()
    future = future_of(current)
    future.set_step_field(twin(future, "a").id, "name", "A2")
    result = compare_maps(future, current)
    assert (result.added, result.removed) == ([], [])
    assert [(c.id, c.fields) for c in result.changed] == [("a", {"name": ("A2", "A")})]


def test_two_scenarios_from_the_same_current_state_match_through_their_shared_origin():
    current = current_map()
    cautious, bold = future_of(current, "Cautious"), future_of(current, "Bold")
    bold.set_step_field(twin(bold, "b").id, "wait_time", 0)
    result = compare_maps(cautious, bold)
    assert (result.added, result.removed) == ([], [])
    [change] = result.changed
    assert change.origin_id == twin(cautious, "b").id and change.id == twin(bold, "b").id


def test_future_of_a_future_follows_the_origin_chain_through_the_project():
    current = current_map()
    first = future_of(current, "First")
    second = future_of(first, "Second")  # origins point into `first`, not `current`
    b2 = next(s for s in second.steps if s.origin == twin(first, "b").id)
    assert lineage(b2, {s.id: s.origin for s in first.steps}) == [b2.id, twin(first, "b").id, "b"]
    second.set_step_field(b2.id, "name", "B, again")
    result = compare_maps(current, second, context=[current, first, second])
    assert (result.added, result.removed) == ([], [])
    assert [(c.origin_id, c.fields) for c in result.changed] == [("b", {"name": ("B", "B, again")})]
    # Without the intermediate map the chain stops short: nothing can be matched.
    alone = compare_maps(current, second)
    assert len(alone.added) == len(alone.removed) == 2


def test_a_map_compared_with_itself_has_no_changes():
    current = current_map()
    result = compare_maps(current, current)
    assert (result.added, result.removed, result.changed) == ([], [], [])
    assert result.metrics["lead_time_minutes"] == MetricDelta(120, 120, 0, 0)


def test_the_closest_pair_wins_and_a_split_step_adds_one():
    current = current_map()
    middle = future_of(current, "Middle")  # b's copy in the middle map
    future = ValueStreamMap("Future", "future")
    future.add_step(Step("B via middle", origin=twin(middle, "b").id, id="far"))  # 2 links from b
    future.add_step(Step("B first half", origin="b", id="near"))  # 1 link from b
    future.add_step(Step("B second half", origin="b", id="split"))  # 1 link, later in order
    pairs = match_steps(current, future, context=[middle])
    assert [(a.id, b.id) for a, b in pairs] == [("b", "near")]
    result = compare_maps(current, future, context=[middle])
    assert [s.id for s in result.added] == ["far", "split"]
    assert [s.id for s in result.removed] == ["a"]


def test_an_origin_loop_does_not_hang():
    step = Step("Loop", origin="y", id="x")
    assert lineage(step, {"x": "y", "y": "x"}) == ["x", "y"]


# ---------------------------------------------------------------- words and JSON


def test_deltas_for_people():
    assert format_delta("lead_time_minutes", MetricDelta(120, 60, -60, -50)) == "-1h, -50.0%"
    assert format_delta("flow_efficiency_percent", MetricDelta(25, 50, 25, 100)) == (
        "+25.0 pts, +100.0%")
    assert format_delta("step_count", MetricDelta(0, 2, 2, None)) == "+2"
    assert format_delta("handoffs", MetricDelta(1, 1, 0, 0)) == "no change"
    assert format_delta("lead_time_minutes", MetricDelta(None, 60, None, None)) == ""


def test_json_shape():
    current = current_map()
    future = future_of(current, "Target")
    future.set_step_field(twin(future, "b").id, "wait_time", "4h")  # 60 -> 240 minutes
    future.add_step(Step("New", id="new"))
    data = compare_maps(current, future).to_json_dict()
    assert list(data) == ["from", "to", *METRICS, "steps", "problems", "target", "experience",
                          "cost_per_item", "split_by_performer"]
    assert (data["from"], data["to"]) == ("Current state", "Target")
    for key in METRICS:
        assert list(data[key]) == ["from", "to", "delta", "delta_percent"]
    # lead time 120 -> (30 + 10) + (240 + 20) = 300: +180, 180 / 120 = +150 %
    assert data["lead_time_minutes"] == {"from": 120, "to": 300, "delta": 180,
                                         "delta_percent": 150}
    assert data["steps"] == {
        "added": [{"id": "new", "name": "New"}],
        "removed": [],
        "changed": [{"id": twin(future, "b").id, "name": "B", "from_id": "b",
                     "fields": {"wait_time": {"from": 60, "to": 240}}}],
    }


def test_the_example_future_state():
    project = load_json(EXAMPLE)
    current, target = project.maps
    assert (current.kind, target.kind, target.name) == ("current", "future", "Target: in 6 months")
    current_ids = {s.id for s in current.steps}
    assert all(s.origin in current_ids for s in target.steps if s.origin)
    result = compare_maps(current, target, context=project.maps)
    assert [s.name for s in result.added] == ["Attach logs and recent changes"]
    assert [s.name for s in result.removed] == ["Log and acknowledge", "Approve the emergency change"]
    renamed = {c.fields["name"] for c in result.changed if "name" in c.fields}
    assert ("Approve the emergency change", "Deploy the fix as a standard change") not in renamed
    assert ("Deploy the fix", "Deploy the fix as a standard change") in renamed
    vendor = next(c for c in result.changed if c.origin_id == "vendor_fix")
    assert vendor.fields["wait_time"] == (1440.0, 240.0)  # 1d = 24 x 60 -> 4h = 4 x 60
    assert result.metrics["lead_time_minutes"].delta < 0
    assert result.before_analysis.problems == result.after_analysis.problems == []
    assert 2 <= len(target.kaizens) <= 3


# ---------------------------------------------------------------- the map a future state came from


def test_origin_map_is_the_map_holding_most_of_the_origins():
    from vsm.analysis.compare import origin_map

    current = current_map()
    other = ValueStreamMap("Other")
    other.add_step(Step("Only b", id="b2"))
    future = future_of(current)
    assert origin_map(future, [current, future, other]) is current
    assert origin_map(current, [current, future, other]) is None  # no origins at all
    second = future_of(future, "Future of the future")
    assert origin_map(second, [current, future, second]) is future  # its direct origins
    partly = ValueStreamMap("Partly from other", "future")
    partly.add_step(Step("x", origin="b2"))
    partly.add_step(Step("y", origin="a"))
    partly.add_step(Step("z", origin="b"))
    assert origin_map(partly, [other, current, partly]) is current  # 2 origins beat 1
    partly.remove_step(partly.steps[2].id)
    assert origin_map(partly, [other, current, partly]) is other  # a tie: the earlier map
