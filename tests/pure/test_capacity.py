"""Demand, takt time, visits and utilisation, on small maps computed by hand in the comments.

Available time is working time: a day 480 minutes, a week 5 x 480 = 2,400, a month
52 x 2,400 / 12 = 10,400.
"""

from __future__ import annotations

import math

import pytest

from tests.helpers.maps import make_map, rework, share
from vsm.analysis import analyse, build_structure
from vsm.analysis.capacity import AVAILABLE_MINUTES, CapacityError, visits
from vsm.analysis.capacity_passes import solve_passes
from vsm.model import Thresholds, ValueStreamMap


def with_demand(map_: ValueStreamMap, demand: float | None, period: str = "week") -> ValueStreamMap:
    map_.set_field("demand", demand)
    map_.set_field("demand_period", period)
    return map_


def passes(map_: ValueStreamMap) -> dict[str, float]:
    structure, problems = build_structure(map_)
    assert not problems
    return visits(structure)


def test_available_minutes_are_working_time():
    # 8 h = 480; 5 days = 2,400; 52 weeks / 12 months = 4 1/3 weeks = 10,400.
    assert AVAILABLE_MINUTES == {"day": 480.0, "week": 2400.0, "month": 10400.0}


def test_takt_time_and_utilisation_of_a_line():
    # 40 items a week: takt = 2,400 / 40 = 60 minutes of working time.
    # A: 40 x 30 min = 1,200 min of work / (1 person x 2,400) = 50 %.
    # B: 40 x 60 min = 2,400 / (1 x 2,400) = 100 %: over the 85 % threshold.
    # C: 40 x 60 = 2,400 / (2 people x 2,400) = 50 %.
    map_ = with_demand(make_map({"A": (10, 30), "B": (10, 60), "C": (0, 60, 100, {"people": 2})},
                                [("A", "B"), ("B", "C")]), 40)
    result = analyse(map_)
    assert result.takt_time == pytest.approx(60)
    assert result.visits == pytest.approx({"A": 1, "B": 1, "C": 1})
    assert result.utilisation == pytest.approx({"A": 50, "B": 100, "C": 50})
    assert result.flags["B"][-1] == "over_capacity"
    assert "over_capacity" not in result.flags["A"] + result.flags["C"]
    [reason] = [r for item in result.steps_to_change if item.step_id == "B"
                for r in item.reasons if r.startswith("Needs")]
    assert reason == ("Needs 1.0 people-worth of work for 1 person: 100% utilised at 40 "
                      "items/week (over 85%).")


def test_the_threshold_is_per_map_and_strict():
    # B is exactly 100 % utilised: with the threshold at 100 it is not over it.
    map_ = with_demand(make_map({"A": (0, 30), "B": (0, 60)}, [("A", "B")]), 40)
    map_.set_field("thresholds", Thresholds(over_capacity_percent=100))
    assert "over_capacity" not in analyse(map_).flags["B"]


def test_days_and_months():
    # 12 items a day: takt 480 / 12 = 40; 10 min x 12 = 120 / 480 = 25 %.
    # 26 items a month: takt 10,400 / 26 = 400; 10 x 26 = 260 / 10,400 = 2.5 %.
    day = analyse(with_demand(make_map({"A": (0, 10)}), 12, "day"))
    assert (day.takt_time, day.utilisation["A"]) == pytest.approx((40, 25))
    month = analyse(with_demand(make_map({"A": (0, 10)}), 26, "month"))
    assert (month.takt_time, month.utilisation["A"]) == pytest.approx((400, 2.5))


def test_no_demand_no_capacity_figures():
    result = analyse(make_map({"A": (0, 10000)}))
    assert result.takt_time is None and result.utilisation == {} and result.visits == {}
    assert result.flags["A"] == []


def test_alternative_routes_split_the_visits():
    # 60 % of items go to B, 40 % to C; both end in D.
    assert passes(make_map({"A": (0, 1), "B": (0, 1), "C": (0, 1), "D": (0, 1)},
                           [("A", "B", share(60)), ("A", "C", share(40)),
                            ("B", "D"), ("C", "D")])) == pytest.approx(
        {"A": 1, "B": 0.6, "C": 0.4, "D": 1})


def test_rework_repeats_the_loop():
    # 20 % of B's work goes back to A: passes 1 + 0.2 + 0.04 + ... = 1 / 0.8 = 1.25 for A and B;
    # C follows B only when B's work is good: 1.25 x 0.8 = 1.
    assert passes(make_map({"A": (0, 1), "B": (0, 1), "C": (0, 1)},
                           [("A", "B"), ("B", "C"), ("B", "A", rework(20))])) == pytest.approx(
        {"A": 1.25, "B": 1.25, "C": 1})


def test_a_join_of_concurrent_branches_is_passed_once():
    # A splits into B and C, which join in D: D is one step of work, not two.
    assert passes(make_map({"A": (0, 1), "B": (0, 1), "C": (0, 1), "D": (0, 1)},
                           [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")])) == pytest.approx(
        {"A": 1, "B": 1, "C": 1, "D": 1})


def test_rework_from_one_branch_repeats_both_and_holds_the_join():
    # As above, with 20 % of C's work sent back to A. Every pass from A passes A, B and C; D only
    # when C's work is good (the join waits for the rework). Passes: 1 / (1 - 0.2) = 1.25.
    # D: 1.25 x 0.8 = 1.
    assert passes(make_map({"A": (0, 1), "B": (0, 1), "C": (0, 1), "D": (0, 1)},
                           [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"),
                            ("C", "A", rework(20))])) == pytest.approx(
        {"A": 1.25, "B": 1.25, "C": 1.25, "D": 1})


def test_both_branches_sending_work_back_start_one_new_pass():
    # B and C each send 50 % back to A. A pass goes back unless both are good:
    # 1 - 0.5 x 0.5 = 0.75, so 1 / (1 - 0.75) = 4 passes; D is reached in 0.25 of them: 1.
    assert passes(make_map({"A": (0, 1), "B": (0, 1), "C": (0, 1), "D": (0, 1)},
                           [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"),
                            ("B", "A", rework(50)), ("C", "A", rework(50))])) == pytest.approx(
        {"A": 4, "B": 4, "C": 4, "D": 1})


def test_nested_rework_loops():
    # A -> B -> C. C sends 50 % back to B, B sends 20 % back to A.
    # A pass from B: passes B; 20 % go to A, else C; C sends half back to B.
    #   N_B(B) = 1 + 0.8 x 0.5 x N_B(B) -> N_B(B) = 1 / 0.6 = 5/3; it reaches A 0.2 x 5/3 = 1/3.
    # From A: N_A(A) = 1 + (1/3) N_A(A) -> 1.5 passes of A; B: 1.5 x 5/3 = 2.5;
    # C: every pass of B that goes on, 2.5 x 0.8 = 2.
    assert passes(make_map({"A": (0, 1), "B": (0, 1), "C": (0, 1)},
                           [("A", "B"), ("B", "C"), ("C", "B", rework(50)),
                            ("B", "A", rework(20))])) == pytest.approx(
        {"A": 1.5, "B": 2.5, "C": 2})


def test_rework_visits_raise_the_utilisation():
    # 10 items a day, B takes 30 min and is passed 1.25 times: 10 x 30 x 1.25 = 375 / 480 = 78.1 %.
    map_ = with_demand(make_map({"A": (0, 10), "B": (0, 30), "C": (0, 10)},
                                [("A", "B"), ("B", "C"), ("B", "A", rework(20))]), 10, "day")
    result = analyse(map_)
    assert result.utilisation["B"] == pytest.approx(78.125)
    map_.set_field("demand", 11)  # 11 x 30 x 1.25 = 412.5 / 480 = 85.9 %: over 85 %
    result = analyse(map_)
    assert result.utilisation["B"] == pytest.approx(85.9375)
    [reason] = [r for r in result.steps_to_change[0].reasons if r.startswith("Needs")]
    # people-worth = 412.5 / 480 = 0.86
    assert reason == ("Needs 0.9 people-worth of work for 1 person: 86% utilised at 11 items/day "
                      "(over 85%); each item passes it 1.25 times.")


def test_nobody_assigned_automated_and_customer_steps():
    map_ = with_demand(make_map(
        {"A": (0, 10, 100, {"people": 0}), "Bot": (0, 10, 100, {"people": 0, "performer": "automated"}),
         "User": (0, 10, 100, {"performer": "customer"}), "Idle": (0, 0, 100, {"people": 0})},
        [("A", "Bot"), ("Bot", "User"), ("User", "Idle")]), 24, "day")
    result = analyse(map_)
    assert result.utilisation == {"A": math.inf, "Idle": 0.0}  # no figure for Bot and User
    assert "over_capacity" in result.flags["A"]
    # 24 x 10 = 240 / 480 = 0.5 people-worth
    assert result.steps_to_change[0].reasons[-1] == (
        "Nobody assigned: it needs 0.5 people-worth of work at 24 items/day.")


def test_takt_time_even_when_the_map_cannot_be_analysed():
    map_ = with_demand(make_map({"A": (0, 1), "B": (0, 1)}, [("A", "B"), ("B", "A")]), 48, "day")
    result = analyse(map_)
    assert not result.ok and result.takt_time == pytest.approx(10)  # 480 / 48
    assert result.utilisation == {}


def test_passes_that_never_die_out_are_refused():
    # Each pass from A starts 0.6 passes from A and 0.6 from C, and so does each from C:
    # the mean number of new passes per pass is 1.2, so the expected work is infinite.
    spawn = {"A": {"A": 0.6, "C": 0.6}, "C": {"A": 0.6, "C": 0.6}}
    with pytest.raises(CapacityError, match="never ends"):
        solve_passes(["A", "C"], {"A": 1.0}, spawn)
    # The same with 0.3 each: 0.6 per pass. F = e_A (I - K)^-1: starting at A, 0.7 / 0.4 = 1.75
    # passes from A and 0.3 / 0.4 = 0.75 from C.
    spawn = {"A": {"A": 0.3, "C": 0.3}, "C": {"A": 0.3, "C": 0.3}}
    assert solve_passes(["A", "C"], {"A": 1.0}, spawn) == pytest.approx({"A": 1.75, "C": 0.75})
    assert solve_passes(["C", "A"], {"A": 1.0}, spawn) == pytest.approx({"A": 1.75, "C": 0.75})


def test_supercritical_rework_is_refused_by_visits():
    # X splits into B and C. B sends 90 % back to S, C 90 % back to X: every pass through X
    # starts on average 0.9 passes from S (which pass X again) and 0.9 from X, 1.8 in all.
    map_ = make_map({"S": (0, 1), "X": (0, 1), "B": (0, 1), "C": (0, 1), "J": (0, 1)},
                    [("S", "X"), ("X", "B"), ("X", "C"), ("B", "J"), ("C", "J"),
                     ("B", "S", rework(90)), ("C", "X", rework(90))])
    structure, problems = build_structure(map_)
    assert not problems
    with pytest.raises(CapacityError, match="never ends"):
        visits(structure)


def test_a_kaizen_made_from_an_over_capacity_step():
    from vsm.analysis.plan import kaizen_from_step_to_change

    # B: 40 x 60 = 2,400 minutes of work a week for 1 person with 2,400: 100 %.
    map_ = with_demand(make_map({"A": (0, 30), "B": (0, 60)}, [("A", "B")]), 40)
    [item] = analyse(map_).steps_to_change
    assert item.flags == ["over_capacity"] and item.saving == 0
    kaizen = kaizen_from_step_to_change(item, map_)
    assert (kaizen.title, kaizen.waste) == ("Balance the load at B", "waiting")
