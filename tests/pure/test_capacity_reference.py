"""vsm.analysis.capacity.visits against the first, slow implementation (capacity_reference.py).

The reference walks every pass over every step with descendant sets and solves the pass
equations densely; the fast one must give the same numbers and fail in the same cases, on random
maps with concurrent splits, alternative routes and rework, and on the benchmark maps.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vsm.analysis.capacity_passes as passes
from tests.helpers import capacity_reference as reference
from tests.helpers.strategies import random_maps
from vsm.analysis import build_structure
from vsm.analysis.capacity import CapacityError, visits
from vsm.model import Flow, Step, ValueStreamMap


def outcome(function, structure):
    try:
        return function(structure)
    except CapacityError as error:
        return str(error)


def assert_same(structure) -> None:
    fast, slow = outcome(visits, structure), outcome(reference.visits, structure)
    if isinstance(slow, str):
        assert fast == slow
    else:
        assert isinstance(fast, dict), fast
        assert list(fast) == list(slow)
        assert fast == pytest.approx(slow, rel=1e-9, abs=1e-12)


@st.composite
def concurrent_maps(draw) -> ValueStreamMap:
    """Up to 12 steps, forward flows only, many concurrent splits and joins, some alternative
    routes, and rework (to ancestors or the step itself) from any step."""
    count = draw(st.integers(2, 12))
    map_ = ValueStreamMap("concurrent")
    for i in range(count):
        map_.add_step(Step(f"S{i}", id=f"S{i}", process_time=1))
    ancestors: dict[int, set[int]] = {i: set() for i in range(count)}
    for i in range(count - 1):
        later = draw(st.lists(st.integers(i + 1, count - 1), unique=True, min_size=1, max_size=3))
        if len(later) > 1 and draw(st.integers(0, 3)) == 0:
            cut = draw(st.integers(1, 99))
            shares = [float(cut), float(100 - cut)] if len(later) == 2 else \
                [float(cut), float(100 - cut - 1), 1.0] if cut < 99 else [49.0, 50.0, 1.0]
        else:
            shares = [None] * len(later)
        for j, part in zip(later, shares):
            map_.add_flow(Flow(f"S{i}", f"S{j}", share=part))
            ancestors[j] |= ancestors[i] | {i}
    for i in range(count):
        options = sorted(ancestors[i] | {i})
        budget = 90
        for target in draw(st.lists(st.sampled_from(options), unique=True, max_size=2)):
            probability = draw(st.integers(1, min(60, budget - 1)))
            budget -= probability
            map_.add_flow(Flow(f"S{i}", f"S{target}", kind="rework", probability=probability))
            if budget <= 2:
                break
    return map_


@settings(max_examples=300, deadline=None)
@given(concurrent_maps())
def test_visits_match_the_reference_on_concurrent_maps(map_):
    structure, problems = build_structure(map_)
    assert not problems, problems
    assert_same(structure)


@settings(max_examples=100, deadline=None)
@given(random_maps())
def test_visits_match_the_reference_on_random_maps(map_):
    structure, problems = build_structure(map_)
    assert not problems, problems
    assert_same(structure)


@pytest.mark.parametrize(("size", "seed"), [(100, 0), (120, 1), (150, 2), (200, 3), (300, 0)])
def test_visits_match_the_reference_on_benchmark_maps(size, seed):
    from bench.generate import synthetic_map

    structure, _ = build_structure(synthetic_map(size, seed))
    assert_same(structure)


@settings(max_examples=60, deadline=None)
@given(concurrent_maps(), st.integers(1, 6))
def test_the_state_limit_fails_only_where_the_reference_fails(map_, limit):
    # The fast walks track fewer states (finished ones are dropped, merged by their futures):
    # whenever they exceed the limit, so did the reference.
    structure, _ = build_structure(map_)
    saved = passes.STATE_LIMIT, reference.STATE_LIMIT
    passes.STATE_LIMIT = reference.STATE_LIMIT = limit
    try:
        fast, slow = outcome(visits, structure), outcome(reference.visits, structure)
    finally:
        passes.STATE_LIMIT, reference.STATE_LIMIT = saved
    if fast == "too many combinations of alternative routes run at the same time":
        assert slow == fast
    elif isinstance(slow, dict):
        assert fast == pytest.approx(slow, rel=1e-9, abs=1e-12)
