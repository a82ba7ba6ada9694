"""Hypothesis strategies for random value-stream maps, shared by the pure tests."""

from __future__ import annotations

import networkx as nx
from hypothesis import strategies as st

from vsm.analysis import build_structure
from vsm.model import Flow, Step, ValueStreamMap


@st.composite
def random_maps(draw) -> ValueStreamMap:
    """Up to 7 steps with alternative routes and concurrent branches, and rework back to
    ancestors when the flows make no loop."""
    count = draw(st.integers(1, 7))
    map_ = ValueStreamMap("random")
    for i in range(count):
        map_.add_step(Step(
            f"S{i}", id=f"S{i}",
            wait_time=draw(st.integers(0, 100)), process_time=draw(st.integers(0, 100)),
            pca=draw(st.sampled_from([40, 75, 90, 100]))))
    for i in range(count - 1):
        later = draw(st.lists(st.integers(i + 1, count - 1), unique=True, max_size=3))
        alternative = len(later) > 1 and draw(st.booleans())
        parts = shares(draw, len(later)) if alternative else [None] * len(later)
        for j, part in zip(later, parts):
            map_.add_flow(Flow(f"S{i}", f"S{j}", share=part))
    structure, _ = build_structure(map_)
    if structure is not None:
        budget = 90
        for i in range(count):
            reached = ancestors(map_, f"S{i}") | {f"S{i}"}
            for target in sorted(reached)[: draw(st.integers(0, 2))]:
                probability = draw(st.integers(1, min(60, budget)))
                budget = 90 - probability
                map_.add_flow(Flow(f"S{i}", target, kind="rework", probability=probability))
                if budget <= 1:
                    break
            budget = 90
    return map_


def shares(draw, count: int) -> list[float]:
    """`count` whole percentages, each at least 1, adding up to 100."""
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=count - 1, max_size=count - 1,
                                unique=True)))
    bounds = [0, *cuts, 100]
    return [float(b - a) for a, b in zip(bounds, bounds[1:])]


def ancestors(map_: ValueStreamMap, step_id: str) -> set[str]:
    """The steps an ordinary path leads from to `step_id`."""
    found, frontier = set(), [step_id]
    while frontier:
        v = frontier.pop()
        for flow in map_.flows:
            if flow.kind == "normal" and flow.target == v and flow.source not in found:
                found.add(flow.source)
                frontier.append(flow.source)
    return found


@st.composite
def dense_maps(draw) -> ValueStreamMap:
    """Up to 14 steps with many concurrent splits, several starts and rework everywhere."""
    count = draw(st.integers(2, 14))
    map_ = ValueStreamMap("dense")
    for i in range(count):
        map_.add_step(Step(f"S{i}", id=f"S{i}", wait_time=draw(st.sampled_from([0, 5, 20, 60, 90])),
                           process_time=draw(st.integers(0, 60))))
    graph = nx.DiGraph()
    graph.add_nodes_from(f"S{i}" for i in range(count))
    for i in range(count - 1):
        later = draw(st.lists(st.integers(i + 1, count - 1), unique=True, max_size=3))
        alternative = len(later) > 1 and draw(st.integers(0, 3)) == 0
        parts = shares(draw, len(later)) if alternative else [None] * len(later)
        for j, part in zip(later, parts):
            map_.add_flow(Flow(f"S{i}", f"S{j}", share=part))
            graph.add_edge(f"S{i}", f"S{j}")
    for i in range(count):
        targets = sorted(nx.ancestors(graph, f"S{i}") | {f"S{i}"})
        chosen = draw(st.lists(st.sampled_from(targets), unique=True, max_size=2))
        for target in chosen:
            map_.add_flow(Flow(f"S{i}", target, kind="rework",
                               probability=draw(st.integers(1, 45))))
    return map_
