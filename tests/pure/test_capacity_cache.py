"""The Analyser keeps the capacity visits with the structure (issue 19): an edit of times or of
the demand reuses them, an edit of the flows computes them again, and the figures are those of
a fresh analysis either way."""

from __future__ import annotations

import pytest

import vsm.analysis.capacity as capacity
from tests.helpers.maps import make_map, rework
from vsm.analysis import Analyser, analyse
from vsm.model import Flow


def test_visits_are_kept_with_the_structure(monkeypatch):
    calls: list[int] = []
    real = capacity.visits

    def counted(s):
        calls.append(1)
        return real(s)

    monkeypatch.setattr(capacity, "visits", counted)
    # A -> B -> C, C sends 20 % back to B: B and C are passed 1 / (1 - 0.2) = 1.25 times.
    map_ = make_map({"A": (0, 30), "B": (0, 60), "C": (0, 60)},
                    [("A", "B"), ("B", "C"), ("C", "B", rework(20))])
    map_.set_field("demand", 40)
    analyser = Analyser()
    first = analyser.analyse(map_)
    assert first.visits == pytest.approx({"A": 1.0, "B": 1.25, "C": 1.25})
    assert len(calls) == 1
    map_.set_step_field("B", "wait_time", 500)  # times: same structure, same visits
    map_.set_field("demand", 80)  # demand: utilisation changes, visits do not
    second = analyser.analyse(map_)
    assert len(calls) == 1
    # B: 80 items x 60 min x 1.25 visits / 2,400 min = 250 %
    assert second.utilisation["B"] == pytest.approx(250.0)
    assert second == analyse(map_)
    map_.add_flow(Flow("C", "C", "rework", probability=50))  # the structure changes
    third = analyser.analyse(map_)
    assert len(calls) == 3  # the Analyser's and the fresh analyse's of before, then this one
    assert third == analyse(map_)
    # C now sends 50 % back to itself and 20 % to B: N_B = 1 + 0.2 N_C, N_C = N_B + 0.5 N_C,
    # so N_C = 2 N_B, N_B = 1 + 0.4 N_B = 1 / 0.6 = 1.667 and N_C = 3.333.
    assert third.visits == pytest.approx({"A": 1.0, "B": 1 / 0.6, "C": 2 / 0.6})
