"""The metrics pane's figures found in one go per analysis (vsm.analysis.pane_figures) are
exactly those of the core functions they stand for, on the same map.

The map (tests/widgets/test_stakeholder_metrics.py's line, with a stray step and targets):
  A  internal, team Desk, 2 people: wait 30, process 10, %C&A 80, target 30
  B  vendor, team V:                wait 120, process 60 (50 .. 70)
  C  customer, no team:             wait 0, process 5
  D  internal, team Desk, no flow (stray: left out of the figures), %C&A 90, target 1
  lead time = 40 + 180 + 5 = 225 min; by performer internal 40, vendor 180, customer 5
  map target 240 >= 225: met; A's own lead time 30 + 10 = 40 > 30: missed; D: no row (stray)
  demand 20 per week (2,400 working minutes): utilisation = 20 x process x visits / (people x
  2,400): A 20 x 10 / (2 x 2,400) = 4.2 %, B 20 x 60 / 2,400 = 50 %, C 20 x 5 / 2,400 = 4.2 %
"""

from __future__ import annotations

import pytest

from tests.helpers.maps import make_map
from vsm.analysis import analyse
from vsm.analysis.montecarlo import should_simulate, simulate
from vsm.analysis.pane_figures import pane_figures
from vsm.analysis.responsibility import splits_of
from vsm.analysis.targets import attainment, simulated
from vsm.model import Flow


def target_map():
    map_ = make_map({"A": (30, 10, 80, {"team": "Desk", "people": 2, "target_time": 30}),
                     "B": (120, 60, 100, {"team": "V", "performer": "vendor",
                                          "process_time_min": 50, "process_time_max": 70}),
                     "C": (0, 5, 100, {"performer": "customer"}),
                     "D": (0, 5, 90, {"team": "Desk", "target_time": 1})},
                    [("A", "B"), ("B", "C")], name="Now")
    map_.set_field("team_rates", {"Desk": 60, "V": 90})
    map_.set_field("demand", 20)
    map_.set_field("demand_period", "week")
    map_.set_field("target_lead_time", 240)
    return map_


def test_the_pane_figures_are_the_core_functions_figures():
    map_ = target_map()
    analysis = analyse(map_)
    figures = pane_figures(map_, analysis)
    assert figures.splits == splits_of(map_, analysis)
    performer = figures.splits["performer"]
    assert [(row.key, row.lead) for row in performer.rows] == [
        ("internal", pytest.approx(40)), ("vendor", pytest.approx(180)),
        ("customer", pytest.approx(5))]  # D, stray, adds nothing to "internal"
    assert figures.targets == attainment(map_, analysis)
    assert figures.targets.met is True
    assert [(row.step_id, row.met) for row in figures.targets.steps] == [("A", False)]
    assert figures.variable is should_simulate(map_) is True
    assert figures.priced is True
    assert figures.step_count == 4
    assert figures.below_full_pca == ("A 80%", "D 90%")
    assert figures.busiest == (pytest.approx(50.0), "B")


def test_the_simulated_chance_is_attainments_with_the_same_runs():
    map_ = target_map()
    analysis = analyse(map_)
    distribution = simulate(map_, runs=200, seed=7)
    # Every run's lead time is 215 .. 235 (B's process time 50 .. 70): all within the 240 target
    found = simulated(pane_figures(map_, analysis).targets, distribution)
    assert found == attainment(map_, analysis, distribution)
    assert found.probability == 1.0 and found.p85_met is True


def test_a_blocked_analysis_has_no_split_nor_target_but_the_map_counts():
    map_ = target_map()
    map_.add_flow(Flow("C", "A"))  # a loop of ordinary flows: blocked
    analysis = analyse(map_)
    assert not analysis.ok
    figures = pane_figures(map_, analysis)
    assert figures.splits == {} and figures.targets is None and figures.priced is False
    assert figures.step_count == 4 and figures.below_full_pca == ("A 80%", "D 90%")
