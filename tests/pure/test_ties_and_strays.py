"""Figures depend on the map's content, never on the order steps and flows were drawn in; a
stray step (joined to no other step) is left out of the figures, with a warning naming it.

Ties (docs/analysis.md, "Ties and stray steps"): of tied concurrent branches, or tied starts,
the one with the least expected process time sets the process time and the critical path (the
lower, conservative flow efficiency); then the first by step name, then id. Every expected
figure is computed by hand in the comments.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.helpers.maps import make_map, rework
from tests.helpers.strategies import dense_maps
from vsm.analysis import Analyser, MapAnalysis, analyse, build_structure
from vsm.analysis.montecarlo import simulate
from vsm.analysis.solver import eliminate
from vsm.model import Flow, Step, ValueStreamMap


def rebuilt(map_: ValueStreamMap, steps: list[Step], flows: list[Flow]) -> ValueStreamMap:
    """The same map (same steps, flows, ids, settings) with its steps and flows added in the
    order given."""
    copy = ValueStreamMap(map_.name, demand=map_.demand, demand_period=map_.demand_period)
    for step in steps:
        copy.add_step(replace(step))
    for flow in flows:
        copy.add_flow(replace(flow))
    return copy


def figures(result: MapAnalysis) -> dict[str, Any]:
    """Everything the analysis says, as plain values (problems as a set: they are listed in step
    order). Flags included: two steps tied for the biggest saving give the bottleneck flag to the
    upstream one, as the steps to change list them."""
    return {
        "lead_time": result.lead_time, "process_time": result.process_time,
        "flow_efficiency": result.flow_efficiency_percent, "rolled": result.rolled_pca_percent,
        "critical_path": result.critical_path, "lead_start": result.lead_start,
        "expected_time": result.expected_time, "savings": result.savings,
        "flags": result.flags,
        "steps_to_change": [(item.step_id, item.saving, item.flags, item.reasons)
                            for item in result.steps_to_change],
        "problems": {(p.message, p.step_ids, p.blocking) for p in result.problems},
        "takt": result.takt_time, "visits": result.visits, "utilisation": result.utilisation,
    }


# ------------------------------------------------------------------------------------ ties

TIED_STEPS = {"S": (0, 5), "A": (10, 110), "B": (110, 10), "J": (0, 5)}
TIED_FLOWS = [("S", "A"), ("S", "B"), ("A", "J"), ("B", "J")]


def test_tied_branches_give_the_same_figures_in_every_drawing_order():
    # S (5) splits into A (wait 10 + process 110) and B (wait 110 + process 10), both happen,
    # and they join at J (5). T(J) = 5, T(A) = 120 + 5 = 125 = T(B), T(S) = 5 + 125 = 130.
    # Through A the process time is 5 + 110 + 5 = 120: flow efficiency 120 / 130 = 92.3 %;
    # through B it is 5 + 10 + 5 = 20: 20 / 130 = 15.4 %. Before, the flow drawn first
    # decided. Now the branch with the least process time does: B, 15.4 % (although A comes
    # first by name).
    # Rolled %C&A 100 %. Savings: cutting A's wait leaves B at 125 (and the other way round):
    # 0 for A and B; S and J have no wait.
    base = make_map(TIED_STEPS, TIED_FLOWS)
    seen = figures(analyse(base))
    for steps in itertools.permutations(base.steps):
        for flows in itertools.permutations(base.flows):
            result = analyse(rebuilt(base, list(steps), list(flows)))
            assert result.lead_time == 130
            assert result.process_time == 20
            assert result.flow_efficiency_percent == pytest.approx(100 * 20 / 130)  # 15.38 %
            assert round(result.flow_efficiency_percent, 1) == 15.4
            assert result.critical_path == ["S", "B", "J"] and result.lead_start == "S"
            assert result.savings == {"S": 0, "A": 0, "B": 0, "J": 0}
            assert figures(result) == seen  # 24 x 24 orders, one set of figures


def test_tied_starts_go_to_the_least_process_time_in_every_order():
    # Starts A (wait 0 + process 20) and B (wait 10 + process 10) both lead to C (5).
    # T(C) = 5, T(A) = 20 + 5 = 25 = T(B): they tie. Process time from A: 20 + 5 = 25 (flow
    # efficiency 100 %); from B: 10 + 5 = 15 (15 / 25 = 60 %). The least process time wins: B,
    # although A comes first by name. Before, the start first in step order won.
    for order in (["A", "B", "C"], ["B", "A", "C"], ["C", "B", "A"]):
        steps = {name: {"A": (0, 20), "B": (10, 10), "C": (0, 5)}[name] for name in order}
        result = analyse(make_map(steps, [("B", "C"), ("A", "C")]))
        assert (result.lead_time, result.process_time) == (25, 15)
        assert result.flow_efficiency_percent == 60
        assert result.lead_start == "B" and result.critical_path == ["B", "C"]


def _named(name: str, step_id: str, wait: float, process: float) -> Step:
    return Step(name, id=step_id, wait_time=wait, process_time=process)


def test_tied_in_time_and_process_time_goes_by_name_then_id():
    # S (1) splits into two branches of wait 10 + process 10 each, joining at J (1): lead time
    # 1 + 20 + 1 = 22, process time 1 + 10 + 1 = 12 either way. The critical path takes the
    # branch whose step comes first by name: "W" (id zz) before "X" (id aa), although the ids
    # sort the other way. Two branches both named "Check" go by id: c1 before c2.
    for first, second, expected in (
            (_named("X", "aa", 10, 10), _named("W", "zz", 10, 10), "zz"),
            (_named("Check", "c2", 10, 10), _named("Check", "c1", 10, 10), "c1")):
        for pair in ((first, second), (second, first)):
            map_ = ValueStreamMap("names")
            map_.add_step(_named("S", "S", 0, 1))
            for step in pair:
                map_.add_step(replace(step))
            map_.add_step(_named("J", "J", 0, 1))
            for step in pair:
                map_.add_flow(Flow("S", step.id))
                map_.add_flow(Flow(step.id, "J"))
            result = analyse(map_)
            assert (result.lead_time, result.process_time) == (22, 12)
            assert result.critical_path == ["S", expected, "J"]


def test_equal_shares_go_to_the_longer_route_on_the_critical_path():
    # S (10) sends half its work to X (process 50) and half to Y (process 100), both to J (5).
    # T(S) = 10 + 0.5 (50 + 5) + 0.5 (100 + 5) = 10 + 27.5 + 52.5 = 90. Equal shares: the
    # critical path takes the longer route, Y (105 > 55), whichever flow was drawn first.
    for flows in ([("S", "X", {"share": 50}), ("S", "Y", {"share": 50})],
                  [("S", "Y", {"share": 50}), ("S", "X", {"share": 50})]):
        result = analyse(make_map({"S": (0, 10), "X": (0, 50), "Y": (0, 100), "J": (0, 5)},
                                  [*flows, ("X", "J"), ("Y", "J")]))
        assert result.lead_time == 90
        assert result.critical_path == ["S", "Y", "J"]


def test_a_rename_that_reorders_a_tie_is_seen_by_the_analyser():
    # The tie of test_tied_in_time_and_process_time...: "W" first. Renaming W to "Z" puts the
    # other branch, "X", first: a fresh analysis takes X, and so must the editor's Analyser,
    # which keeps the structure between edits (its key holds the names).
    map_ = ValueStreamMap("rename")
    for step in (_named("S", "S", 0, 1), _named("X", "aa", 10, 10), _named("W", "zz", 10, 10),
                 _named("J", "J", 0, 1)):
        map_.add_step(step)
    for branch in ("aa", "zz"):
        map_.add_flow(Flow("S", branch))
        map_.add_flow(Flow(branch, "J"))
    analyser = Analyser()
    assert analyser.analyse(map_).critical_path == ["S", "zz", "J"]
    map_.set_step_field("zz", "name", "Z")
    after = analyser.analyse(map_)
    assert after.critical_path == ["S", "aa", "J"]
    assert after == analyse(map_)


def _even(map_: ValueStreamMap) -> None:
    """Every step takes wait + process = 60 minutes, process time as drawn: branches of the same
    length tie, with different process times."""
    for step in map_.steps:
        map_.set_step_field(step.id, "wait_time", 60 - step.process_time)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dense_maps(), st.data())
def test_any_drawing_order_gives_the_same_figures_and_simulation(map_, data):
    # Random maps with many ties (few distinct waits, or every step 60 minutes long); ranges on
    # some steps for the simulation; a demand for visits and utilisation.
    if data.draw(st.booleans()):
        _even(map_)
    for step in map_.steps[::3]:
        map_.set_step_field(step.id, "process_time_max", step.process_time * 2 + 10)
    for step in map_.steps[1::3]:  # low %C&A: flagged steps that save nothing, so tie
        map_.set_step_field(step.id, "pca", 50)
    map_.set_field("demand", 10.0)
    steps = data.draw(st.permutations(map_.steps))
    flows = data.draw(st.permutations(map_.flows))
    other = rebuilt(map_, steps, flows)
    first, second = analyse(map_), analyse(other)
    assert figures(first) == figures(second)
    if first.ok and first.visits:  # no visits: rework that (almost) never ends, runs too long
        assert simulate(map_, runs=40, seed=3) == simulate(other, runs=40, seed=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dense_maps(), st.booleans())
def test_the_process_time_is_the_least_over_every_tied_choice(map_, even):
    # The definition, by brute force: every policy that takes a longest branch at every
    # concurrent split gives the same times; over all of them and over the tied starts, the
    # process time is the least expected process time from a start, and the lead start is the
    # first by name, then id, of the starts that reach it.
    if even:
        _even(map_)
    result = analyse(map_)
    assume(result.ok)
    s, _ = build_structure(map_)
    assert s is not None
    times = result.expected_time
    tolerance = 1e-9 * max(1.0, result.lead_time or 0.0)
    choices = []
    for v in s.concurrent_splits():
        longest = max(times[t] for t, _ in s.routes[v])
        choices.append([(v, t) for t, _ in s.routes[v] if times[t] >= longest - tolerance])
    assume(len(list(itertools.product(*choices))) <= 500)
    longest_start = max(times[v] for v in s.starts)
    tied_starts = [v for v in s.starts if times[v] >= longest_start - tolerance]
    process = {step.id: step.process_time for step in map_.steps}
    least: dict[str, float] = {}
    for policy in itertools.product(*choices):
        values = eliminate(s, process, dict(policy)).values()
        for v in tied_starts:
            least[v] = min(least.get(v, float("inf")), values[v])
    smallest = min(least.values())
    assert result.process_time == pytest.approx(smallest, rel=1e-9, abs=1e-9)
    names = {step.id: step.name for step in map_.steps}
    winners = [v for v in tied_starts if least[v] <= smallest + 1e-9 * max(1.0, smallest)]
    assert result.lead_start == min(winners, key=lambda v: (names[v], v))


# ----------------------------------------------------------------------------------- strays

def _line(stray: dict[str, tuple] | None = None, flows: list[tuple] = ()) -> ValueStreamMap:
    """A (wait 30, process 10, %C&A 90) -> B (60, 20, 80), 10 items a day, plus `stray`."""
    map_ = make_map({"A": (30, 10, 90), "B": (60, 20, 80), **(stray or {})},
                    [("A", "B"), *flows])
    map_.set_field("demand", 10.0)
    map_.set_field("demand_period", "day")
    return map_


def test_a_stray_step_is_left_out_of_every_figure():
    # Without X: T(B) = 60 + 20 = 80, T(A) = 40 + 80 = 120: lead time 120, process time
    # 10 + 20 = 30, flow efficiency 30 / 120 = 25 %, rolled %C&A 0.9 x 0.8 = 72 %, critical path
    # A, B. Savings: A 30, B 60 (both above 10 % of 120: long waits; B the bottleneck).
    # Takt 480 / 10 = 48 minutes; utilisation A 10 x 10 / 480 = 20.8 %, B 10 x 20 / 480 = 41.7 %.
    # X (wait 1000, process 600, %C&A 50), dropped on the map and not connected, used to be a
    # start of its own: lead time 1600, critical path X, rolled %C&A 36 %, utilisation
    # 10 x 600 / 480 = 1250 % (over capacity), low %C&A. Now it is left out of all of it.
    alone = analyse(_line())
    assert (alone.lead_time, alone.process_time, alone.flow_efficiency_percent) == (120, 30, 25)
    assert alone.rolled_pca_percent == pytest.approx(72)
    assert alone.critical_path == ["A", "B"] and alone.savings == {"A": 30, "B": 60}
    assert alone.utilisation == pytest.approx({"A": 100 / 4.8, "B": 200 / 4.8})
    with_stray = analyse(_line({"X": (1000, 600, 50)}))
    assert with_stray.ok
    expected = figures(alone)
    expected["savings"] = {"A": 30, "B": 60, "X": 0.0}  # every step has a saving; X's is 0
    expected["flags"] = {**expected["flags"], "X": []}
    expected["problems"] = {("Step 'X' has no flows: left out of the figures; connect it or "
                             "delete it.", ("X",), False)}
    assert figures(with_stray) == expected
    assert [item.step_id for item in with_stray.steps_to_change] == ["B", "A"]


def test_a_stray_step_is_left_out_of_the_simulation():
    # The same map with ranges on A and X: the runs draw the same numbers for A and B with or
    # without X, so the simulated figures are identical; with X as a start they would run to
    # about 1,600 minutes.
    ranged = {"process_time_max": 900.0}
    plain = _line()
    plain.set_step_field("A", "process_time_max", 40.0)
    stray = _line({"X": (1000, 600, 50, ranged)})
    stray.set_step_field("A", "process_time_max", 40.0)
    assert simulate(stray, runs=200, seed=5) == simulate(plain, runs=200, seed=5)
    assert simulate(stray, runs=200, seed=5).p95 < 200  # 120 + at most 30 more minutes of A


def test_a_step_that_only_sends_work_back_to_itself_is_stray_too():
    # Y's only flow is rework to itself: it is joined to no other step, and left out.
    alone = analyse(_line())
    result = analyse(_line({"Y": (500, 5, 50)}, [("Y", "Y", rework(40))]))
    assert (result.lead_time, result.critical_path, result.flags["Y"]) == (120, ["A", "B"], [])
    assert [p.message for p in result.problems] == [
        "Step 'Y' has no flows to other steps: left out of the figures; connect it or delete it."]
    assert result.expected_time == alone.expected_time


def test_steps_not_connected_yet_each_count_on_their_own():
    # No flow joins two steps (a map being drawn): nothing is left out. Every step is a start
    # and the lead time is the longest, B's 20; each step gets the old warning.
    result = analyse(make_map({"A": (0, 10), "B": (0, 20)}))
    assert result.ok and result.lead_time == 20 and result.critical_path == ["B"]
    assert [p.message for p in result.problems] == [
        "Step 'A' is not connected to any other step.", "Step 'B' is not connected to any other step."]
    single = analyse(make_map({"A": (5, 10)}))
    assert (single.lead_time, single.problems) == (15, [])
