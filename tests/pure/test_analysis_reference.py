"""The solver against the plain definitions on random maps.

The reference iterates T <- d + (1 - rho) F(T) + sum p T(target) until it stops moving, and
computes rolled %C&A by enumerating every combination of alternative routes. Both are slow and
obviously right; the solver must agree with them.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings

from tests.helpers.strategies import random_maps
from vsm.analysis import analyse
from vsm.model import ValueStreamMap


def reference_times(map_: ValueStreamMap, wait_override: str | None = None) -> dict[str, float]:
    steps = {s.id: s for s in map_.steps}
    d = {v: (0 if v == wait_override else s.wait_time) + s.process_time for v, s in steps.items()}
    out = {v: [f for f in map_.flows if f.source == v and f.kind == "normal"] for v in steps}
    back = {v: [f for f in map_.flows if f.source == v and f.kind == "rework"] for v in steps}
    t = dict.fromkeys(steps, 0.0)
    for _ in range(200_000):
        new = {}
        for v in steps:
            rho = sum(f.probability for f in back[v]) / 100
            if not out[v]:
                tail = 0.0
            elif out[v][0].share is not None:
                tail = sum(f.share / 100 * t[f.target] for f in out[v])
            else:
                tail = max(t[f.target] for f in out[v])
            new[v] = d[v] + (1 - rho) * tail + sum(f.probability / 100 * t[f.target] for f in back[v])
        # 1e-11, or a hundred units in the last place of a long lead time (10^6 minutes cannot
        # move by less than 1e-10 in floats): the error left is then far below the tests' 1e-6
        if all(abs(new[v] - t[v]) < max(1e-11, 1e-14 * abs(new[v])) for v in steps):
            return new
        t = new
    raise AssertionError("reference did not converge")


def reference_strays(map_: ValueStreamMap) -> set[str]:
    """Steps joined to no other step, when some flow joins two: left out of the figures."""
    joined = {v for f in map_.flows if f.source != f.target for v in (f.source, f.target)}
    return {s.id for s in map_.steps if s.id not in joined} if joined else set()


def reference_rolled_pca(map_: ValueStreamMap) -> float:
    steps = {s.id: s for s in map_.steps}
    out = {v: [f for f in map_.flows if f.source == v and f.kind == "normal"] for v in steps}
    starts = [v for v in steps if not any(f.target == v and f.kind == "normal" for f in map_.flows)
              and v not in reference_strays(map_)]
    choosers = [v for v in steps if out[v] and out[v][0].share is not None]
    total = 0.0
    for choice in itertools.product(*(out[v] for v in choosers)):
        chosen = dict(zip(choosers, choice))
        weight = 1.0
        for flow in choice:
            weight *= flow.share / 100
        visited, frontier = set(starts), list(starts)
        while frontier:
            v = frontier.pop()
            nxt = [chosen[v]] if v in chosen else out[v]
            for flow in nxt:
                if flow.target not in visited:
                    visited.add(flow.target)
                    frontier.append(flow.target)
        # Only the choices at visited steps matter; unvisited choices sum out to weight 1 overall.
        product = 1.0
        for v in visited:
            product *= steps[v].pca / 100
        total += weight * product
    return total


@settings(max_examples=150, deadline=None)
@given(random_maps())
def test_solver_matches_the_definition(map_):
    result = analyse(map_)
    assert result.ok, result.problems
    stray = reference_strays(map_)
    times = {v: value for v, value in reference_times(map_).items() if v not in stray}
    starts = [s.id for s in map_.steps if s.id not in stray
              and not any(f.target == s.id and f.kind == "normal" for f in map_.flows)]
    assert result.lead_time == pytest.approx(max(times[v] for v in starts), rel=1e-7, abs=1e-7)
    assert result.expected_time == pytest.approx(times, rel=1e-7, abs=1e-7)
    assert result.rolled_pca_percent == pytest.approx(100 * reference_rolled_pca(map_), rel=1e-9)
    for step in map_.steps:
        altered = reference_times(map_, wait_override=step.id)
        expected = result.lead_time - max(altered[v] for v in starts)
        assert result.savings[step.id] == pytest.approx(expected, rel=1e-6, abs=1e-6)
