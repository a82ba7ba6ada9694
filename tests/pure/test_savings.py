"""The fast savings (vsm.analysis.savings) against their definition, re-solving once per step.

`savings_by_definition` is the definition of docs/analysis.md: remove a step's wait, solve again,
take the difference of the lead times. The fast path must give the same numbers on every kind of map:
concurrent splits whose longest branch changes when a wait goes, alternative routes, rework loops
(nested and to the step itself), several starts, and the synthetic benchmark maps.
"""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings

from bench.generate import synthetic_map
from tests.helpers.maps import make_map, rework, share
from tests.helpers.strategies import dense_maps, random_maps
from vsm.analysis import analyse, build_structure, savings
from vsm.analysis.policy import RELATIVE_EPSILON, lead, solve
from vsm.analysis.savings import step_savings
from vsm.analysis.solver import comes_before, eliminate, misdirected_rework, topological_order
from vsm.model import ValueStreamMap


def savings_by_definition(s, steps, duration, lead_time, policy) -> dict[str, float]:
    """saving(v) = lead time - the lead time solved again with wait(v) removed, for every step
    (one full solve per step: quadratic, the definition itself)."""
    result = {}
    for v, step in steps.items():
        changed = dict(duration)
        changed[v] = step.process_time
        values, _ = solve(s, changed, dict(policy))
        saving = lead_time - lead(s, values)[0]
        result[v] = saving if saving > RELATIVE_EPSILON * max(1.0, lead_time) else 0.0
    return result


def both(map_: ValueStreamMap) -> tuple[dict[str, float], dict[str, float], float]:
    """(fast savings, direct savings, lead time) of a valid map."""
    s, problems = build_structure(map_)
    assert s is not None, problems
    steps = {step.id: step for step in map_.steps}
    duration = {v: step.wait_time + step.process_time for v, step in steps.items()}
    values, policy = solve(s, duration)
    lead_time, _ = lead(s, values)
    return (step_savings(s, steps, duration, lead_time, dict(policy)),
            savings_by_definition(s, steps, duration, lead_time, dict(policy)), lead_time)


def assert_same(map_: ValueStreamMap) -> None:
    fast, direct, lead = both(map_)
    assert fast.keys() == direct.keys()
    for v in direct:
        assert fast[v] == pytest.approx(direct[v], rel=1e-7, abs=1e-7 * max(1.0, lead)), v


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_maps())
def test_fast_savings_match_the_definition(map_):
    assert_same(map_)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dense_maps())
def test_fast_savings_match_the_definition_with_many_splits_and_starts(map_):
    assert_same(map_)


@pytest.mark.parametrize("seed", range(4))
def test_fast_savings_match_the_definition_on_benchmark_maps(seed):
    assert_same(synthetic_map(200, seed))


def test_switching_branches_is_exact_not_linear():
    # Y (wait 20 + 10) beats X (1 + 10) by 19; removing Y's wait saves 19, not 20: the fast path
    # must switch S to X (the Woodbury correction), and it must agree with re-solving.
    map_ = make_map({"S": (0, 5), "X": (1, 10), "Y": (20, 10)}, [("S", "X"), ("S", "Y")])
    fast, direct, _ = both(map_)
    assert fast == pytest.approx(direct)
    assert fast == pytest.approx({"S": 0, "X": 0, "Y": 19})


def test_another_start_can_take_over_the_lead():
    # A (wait 50 + 5) and B (45 + 5) both start and join C (1): T(A) = 56, T(B) = 51. Without
    # A's wait T(A) = 6, so B becomes the lead start: the saving is 56 - 51 = 5, not 50.
    map_ = make_map({"A": (50, 5), "B": (45, 5), "C": (0, 1)}, [("A", "C"), ("B", "C")])
    fast, direct, _ = both(map_)
    assert fast == pytest.approx(direct)
    assert fast == pytest.approx({"A": 5, "B": 0, "C": 0})


def test_nested_rework_and_alternatives_inside_a_concurrent_branch():
    map_ = make_map(
        {"S": (0, 5), "P": (30, 10), "Q": (40, 10), "R": (5, 5), "X": (25, 20), "J": (10, 5)},
        [("S", "P"), ("S", "X"), ("P", "Q", share(70)), ("P", "R", share(30)), ("Q", "J"),
         ("R", "J"), ("X", "J"), ("Q", "P", rework(20)), ("J", "S", rework(10)),
         ("R", "R", rework(15))])
    assert_same(map_)


def test_a_step_never_visited_saves_exactly_nothing():
    # X's branch is never the longest: g(X) = 0, so its saving is 0 without any solving.
    map_ = make_map({"S": (0, 5), "X": (10, 1), "Y": (50, 10)}, [("S", "X"), ("S", "Y")])
    s, _ = build_structure(map_)
    duration = {st.id: st.wait_time + st.process_time for st in map_.steps}
    _, policy = solve(s, duration)
    raw, unresolved = savings.fast_savings(s, {st.id: st.wait_time for st in map_.steps},
                                           duration, policy)
    assert raw["X"] == 0.0 and unresolved == []


def test_process_time_from_the_gradient_matches_solving_again():
    result = analyse(synthetic_map(300, 1))
    map_ = synthetic_map(300, 1)
    s, _ = build_structure(map_)
    steps = {st.id: st for st in map_.steps}
    _, policy = solve(s, {v: st.wait_time + st.process_time for v, st in steps.items()})
    process = eliminate(s, {v: st.process_time for v, st in steps.items()}, policy).values()
    assert result.process_time == pytest.approx(process[result.lead_start], rel=1e-9)


def test_gradient_is_the_expected_number_of_visits():
    # A -> B, half of B's work back to A: A and B are each visited twice on average.
    map_ = make_map({"A": (0, 10), "B": (15, 5)}, [("A", "B"), ("B", "A", rework(50))])
    s, _ = build_structure(map_)
    elimination = eliminate(s, {"A": 10.0, "B": 20.0}, {}, record=True)
    assert elimination.gradient({"A": 1.0}) == pytest.approx({"A": 2.0, "B": 2.0})
    assert elimination.values() == pytest.approx({"A": 60.0, "B": 50.0})


@settings(max_examples=100, deadline=None)
@given(dense_maps())
def test_graph_helpers_agree_with_networkx(map_):
    graph = nx.DiGraph()
    graph.add_nodes_from(step.id for step in map_.steps)
    graph.add_edges_from((f.source, f.target) for f in map_.flows if f.kind == "normal")
    successors = {v: list(graph.successors(v)) for v in graph}
    predecessors = {v: list(graph.predecessors(v)) for v in graph}
    position = {step.id: i for i, step in enumerate(map_.steps)}
    order = topological_order(successors, position)
    assert order == list(nx.lexicographical_topological_sort(graph, key=position.__getitem__))
    rank = {v: i for i, v in enumerate(order)}
    for a in graph:
        for b in graph:
            if a != b:
                assert comes_before(predecessors, rank, a, b) == nx.has_path(graph, a, b)
    # Rework from every step to every other: targets with many sources take the forward search.
    everywhere = {v: [(t, 0.01) for t in graph if t != v] for v in graph}
    some = {v: [(t, 0.01)] for v, t in zip(graph, reversed(list(graph))) if t != v}
    for back in (everywhere, some):
        wrong = misdirected_rework(successors, predecessors, rank, back)
        assert wrong == {(v, t) for v, out in back.items() for t, _ in out
                         if not nx.has_path(graph, t, v)}


def test_topological_order_reports_a_loop():
    assert topological_order({"A": ["B"], "B": ["A"]}, {"A": 0, "B": 1}) is None


def test_steps_left_undecided_are_re_solved(monkeypatch):
    # With no switch allowed, every step whose removal changes a branch goes to the direct
    # re-solve; the results stay the same.
    monkeypatch.setattr(savings, "MAX_SWITCHED", 0)
    map_ = synthetic_map(150, 2)
    s, _ = build_structure(map_)
    duration = {st.id: st.wait_time + st.process_time for st in map_.steps}
    _, policy = solve(s, duration)
    _, unresolved = savings.fast_savings(s, {st.id: st.wait_time for st in map_.steps},
                                         duration, policy)
    assert unresolved
    assert_same(map_)
