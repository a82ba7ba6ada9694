"""The synthetic benchmark maps: exactly N steps, deterministic, valid and of the intended shape."""

from __future__ import annotations

import pytest

from bench.generate import synthetic_document, synthetic_map
from vsm.analysis import analyse, build_structure


@pytest.mark.parametrize("size", [1, 2, 3, 5, 10, 37, 100, 400, 1000])
def test_maps_have_exactly_the_size_asked_and_no_problems(size):
    map_ = synthetic_map(size)
    assert len(map_.steps) == size
    structure, problems = build_structure(map_)
    assert problems == [] and structure is not None


def test_the_same_size_and_seed_give_the_same_document():
    assert synthetic_document(500, 3) == synthetic_document(500, 3)
    assert synthetic_document(500, 3) != synthetic_document(500, 4)


def test_large_maps_have_every_kind_of_structure():
    map_ = synthetic_map(2000)
    structure, _ = build_structure(map_)
    assert structure is not None
    concurrent = [v for v in structure.order
                  if not structure.alternative[v] and len(structure.routes[v]) > 1]
    alternative = [v for v in structure.order if structure.alternative[v]]
    self_loops = [v for v, out in structure.rework.items() if any(t == v for t, _ in out)]
    assert len(concurrent) > 20 and len(alternative) > 20 and self_loops
    assert len(structure.starts) == 2000 // 400 + 1
    rework = [f for f in map_.flows if f.kind == "rework"]
    assert all(5 <= f.probability <= 30 for f in rework) and len(rework) > 200
    result = analyse(map_)
    assert result.ok and result.lead_time > 0 and result.steps_to_change
