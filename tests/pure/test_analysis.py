"""Every analysis rule on small maps whose figures are computed by hand in the comments."""

from __future__ import annotations

import pytest

from tests.helpers.maps import make_map, rework, share
from vsm.analysis import analyse
from vsm.model import Thresholds


def test_linear_stream():
    # A: wait 30 + process 10 = 40; B: wait 60 + process 20 = 80.
    # Lead time 40 + 80 = 120; process time 10 + 20 = 30; flow efficiency 30 / 120 = 25 %.
    # Rolled %C&A 0.9 * 0.8 = 72 %. Savings: A's wait 30, B's wait 60.
    result = analyse(make_map({"A": (30, 10, 90), "B": (60, 20, 80)}, [("A", "B")]))
    assert result.ok
    assert result.lead_time == pytest.approx(120)
    assert result.process_time == pytest.approx(30)
    assert result.flow_efficiency_percent == pytest.approx(25)
    assert result.rolled_pca_percent == pytest.approx(72)
    assert result.critical_path == ["A", "B"]
    assert result.savings == pytest.approx({"A": 30, "B": 60})


def test_concurrent_branches_take_the_longest():
    # S (5) then X (wait 2 + 8) and Y (wait 20 + 10) both happen, then J (1).
    # T(J) = 1, T(X) = 11, T(Y) = 31, T(S) = 5 + max(11, 31) = 36.
    # Process time follows the branch that set the lead time: 5 + 10 + 1 = 16.
    # Rolled %C&A: every step once, J once although both branches reach it: .9*.8*.5*.5 = 18 %.
    result = analyse(make_map(
        {"S": (0, 5, 90), "X": (2, 8, 80), "Y": (20, 10, 50), "J": (0, 1, 50)},
        [("S", "X"), ("S", "Y"), ("X", "J"), ("Y", "J")]))
    assert result.lead_time == pytest.approx(36)
    assert result.process_time == pytest.approx(16)
    assert result.critical_path == ["S", "Y", "J"]
    assert result.rolled_pca_percent == pytest.approx(18)
    # Removing Y's 20-minute wait: T(Y) = 11 = T(X), so the lead time drops to 16: saving 20.
    # Removing X's wait saves nothing: X is not on the longest branch.
    assert result.savings["Y"] == pytest.approx(20)
    assert result.savings["X"] == 0


def test_concurrent_saving_is_capped_by_the_other_branch():
    # X takes 11, Y takes wait 20 + 10 = 30. Without Y's wait, Y takes 10 < 11, so the lead time
    # falls from 5 + 30 = 35 to 5 + 11 = 16: a saving of 19, not 20.
    result = analyse(make_map({"S": (0, 5), "X": (1, 10), "Y": (20, 10)}, [("S", "X"), ("S", "Y")]))
    assert result.lead_time == pytest.approx(35)
    assert result.savings["Y"] == pytest.approx(19)


def test_alternative_routes_are_weighted_by_share():
    # S (10) then X (50, 60 % of work) or Y (100, 40 %), then J (0 wait, 5 process).
    # T(S) = 10 + 0.6 * (50 + 5) + 0.4 * (100 + 5) = 10 + 33 + 42 = 85.
    # Process time (all times are process): 85. Critical path takes the larger share: S, X, J.
    # Rolled %C&A: S 100, X 50, Y 100, J 90 -> 0.6 * 0.5 * 0.9 + 0.4 * 1.0 * 0.9 = 0.63.
    result = analyse(make_map(
        {"S": (0, 10), "X": (0, 50, 50), "Y": (0, 100), "J": (0, 5, 90)},
        [("S", "X", share(60)), ("S", "Y", share(40)), ("X", "J"), ("Y", "J")]))
    assert result.lead_time == pytest.approx(85)
    assert result.process_time == pytest.approx(85)
    assert result.flow_efficiency_percent == pytest.approx(100)
    assert result.critical_path == ["S", "X", "J"]
    assert result.rolled_pca_percent == pytest.approx(63)


def test_one_rework_loop():
    # A (10) -> B (wait 15 + 5); half of B's work goes back to A.
    # T(B) = 20 + 0.5 T(A); T(A) = 10 + T(B) = 30 + 0.5 T(A) -> T(A) = 60.
    # Process time: P(B) = 5 + 0.5 P(A); P(A) = 10 + P(B) -> P(A) = 30. Efficiency 50 %.
    # Without B's wait: T(A) = 2 * 15 = 30, saving 30 (half the lead time: long wait, bottleneck).
    result = analyse(make_map({"A": (0, 10), "B": (15, 5)}, [("A", "B"), ("B", "A", rework(50))]))
    assert result.lead_time == pytest.approx(60)
    assert result.process_time == pytest.approx(30)
    assert result.flow_efficiency_percent == pytest.approx(50)
    assert result.savings["B"] == pytest.approx(30)
    assert result.flags["B"] == ["bottleneck", "long_wait", "rework"]
    # Rework is ignored by rolled %C&A: 100 %.
    assert result.rolled_pca_percent == pytest.approx(100)


def test_rework_to_the_same_step():
    # T(A) = 10 + 0.5 T(A) -> 20.
    result = analyse(make_map({"A": (0, 10)}, [("A", "A", rework(50))]))
    assert result.lead_time == pytest.approx(20)


def test_nested_rework_loops():
    # A (1) -> B (2) -> C (4) -> D (8); C sends 50 % back to B; D sends 25 % back to A.
    # T(D) = 8 + 0.25 T(A)
    # T(C) = 4 + 0.5 T(D) + 0.5 T(B) = 8 + 0.125 T(A) + 0.5 T(B)
    # T(B) = 2 + T(C) = 10 + 0.125 T(A) + 0.5 T(B)  ->  T(B) = 20 + 0.25 T(A)
    # T(A) = 1 + T(B) = 21 + 0.25 T(A)  ->  T(A) = 28
    result = analyse(make_map(
        {"A": (0, 1), "B": (0, 2), "C": (0, 4), "D": (0, 8)},
        [("A", "B"), ("B", "C"), ("C", "D"), ("C", "B", rework(50)), ("D", "A", rework(25))]))
    assert result.lead_time == pytest.approx(28)
    assert result.expected_time["B"] == pytest.approx(27)  # 20 + 0.25 * 28
    assert result.expected_time["D"] == pytest.approx(15)  # 8 + 0.25 * 28


def test_concurrent_and_rework_switch_the_longest_branch():
    # S (5) -> X (10) and Y (30) concurrently -> J (1). X sends 80 % back to S.
    # T(J) = 1, T(Y) = 31, T(X) = 10 + 0.2 * 1 + 0.8 T(S) = 10.2 + 0.8 T(S).
    # Taking Y: T(S) = 36, but then T(X) = 10.2 + 28.8 = 39 > 31, so X is the longer branch.
    # Taking X: T(S) = 5 + 10.2 + 0.8 T(S) -> T(S) = 76; T(X) = 71 > 31: consistent.
    result = analyse(make_map(
        {"S": (0, 5), "X": (0, 10), "Y": (0, 30), "J": (0, 1)},
        [("S", "X"), ("S", "Y"), ("X", "J"), ("Y", "J"), ("X", "S", rework(80))]))
    assert result.lead_time == pytest.approx(76)
    assert result.critical_path == ["S", "X", "J"]
    # With only 50 % rework Y stays longer: T(X) = 10.5 + 0.5 * 36 = 28.5 < 31, T(S) = 36.
    result = analyse(make_map(
        {"S": (0, 5), "X": (0, 10), "Y": (0, 30), "J": (0, 1)},
        [("S", "X"), ("S", "Y"), ("X", "J"), ("Y", "J"), ("X", "S", rework(50))]))
    assert result.lead_time == pytest.approx(36)
    assert result.critical_path == ["S", "Y", "J"]


def test_lead_time_is_the_longest_start_and_starts_run_together():
    # Two starts P (50) and Q (10) both feed J (5): lead time 55 from P.
    # Rolled %C&A counts both starts: 0.9 * 0.5 * 1.0 = 45 %.
    result = analyse(make_map({"P": (0, 50, 90), "Q": (0, 10, 50), "J": (0, 5)},
                              [("P", "J"), ("Q", "J")]))
    assert result.lead_time == pytest.approx(55)
    assert result.lead_start == "P"
    assert result.rolled_pca_percent == pytest.approx(45)


def test_rolled_pca_with_alternatives_inside_concurrent_branches():
    # S -> P and Q concurrently; Q -> Q1 (50 %) or Q2 (50 %); P, Q1, Q2 -> J.
    # %C&A: S 100, P 50, Q 100, Q1 80, Q2 100, J 90. Every route passes S, P, Q, J once:
    # 0.5 * 0.9 * (0.5 * 0.8 + 0.5 * 1.0) = 0.45 * 0.9 = 0.405.
    result = analyse(make_map(
        {"S": (0, 1), "P": (0, 1, 50), "Q": (0, 1), "Q1": (0, 1, 80), "Q2": (0, 1), "J": (0, 1, 90)},
        [("S", "P"), ("S", "Q"), ("Q", "Q1", share(50)), ("Q", "Q2", share(50)),
         ("P", "J"), ("Q1", "J"), ("Q2", "J")]))
    assert result.rolled_pca_percent == pytest.approx(40.5)


def test_flags_and_steps_to_change():
    # Log (wait 10 + 5) -> Fix (vendor, wait 100 + 30, pca 70) -> Close (wait 5 + 5, 20 % back to Fix).
    # T(Close) = 10 + 0.2 T(Fix); T(Fix) = 130 + T(Close) = 140 + 0.2 T(Fix) -> T(Fix) = 175.
    # Lead time = 15 + 175 = 190.
    # Savings: Fix's wait: T(Fix) = (30 + 10) / 0.8 = 50 -> lead 65 -> saving 125.
    #          Close's wait: T(Fix) = (130 + 5) / 0.8 = 168.75 -> saving 6.25 (3.3 % < 10 %).
    #          Log's wait: 10 (5.3 % of 190: not a long wait).
    result = analyse(make_map(
        {"Log": (10, 5, 100, {"team": "Service desk"}),
         "Fix": (100, 30, 70, {"team": "Acme", "performer": "vendor"}),
         "Close": (5, 5, 100, {"team": "Service desk"})},
        [("Log", "Fix"), ("Fix", "Close"), ("Close", "Fix", rework(20))]))
    assert result.lead_time == pytest.approx(190)
    assert result.savings == pytest.approx({"Log": 10, "Fix": 125, "Close": 6.25})
    assert result.flags == {
        "Log": [], "Fix": ["bottleneck", "long_wait", "low_pca", "vendor_handoff"], "Close": ["rework"]}
    ranked = result.steps_to_change
    assert [(item.step_id, item.saving) for item in ranked] == [("Fix", pytest.approx(125)),
                                                                ("Close", pytest.approx(6.25))]
    assert len(ranked[0].reasons) == 4
    assert "2h 5m" in ranked[0].reasons[0]  # 125 minutes, said for people
    assert "Service desk" in ranked[0].reasons[3]
    assert "20%" in ranked[1].reasons[0]


def test_thresholds_are_per_map():
    map_ = make_map({"A": (10, 10, 85), "B": (0, 10)}, [("A", "B")])
    assert analyse(map_).flags["A"] == ["bottleneck", "long_wait"]  # 85 % is not below 80
    map_.set_field("thresholds", Thresholds(long_wait_percent=50, low_pca_percent=90))
    # Saving 10 of 30 is 33 % < 50 %; 85 < 90 is low.
    assert analyse(map_).flags["A"] == ["bottleneck", "low_pca"]


def test_vendor_between_same_vendor_team_is_no_handoff():
    vendor = {"team": "Acme", "performer": "vendor"}
    result = analyse(make_map({"V1": (0, 1, 100, vendor), "V2": (0, 1, 100, vendor)}, [("V1", "V2")]))
    assert result.flags == {"V1": [], "V2": []}


def test_bottleneck_needs_a_positive_saving():
    result = analyse(make_map({"A": (0, 1), "B": (0, 2)}, [("A", "B")]))
    assert result.steps_to_change == []


@pytest.mark.parametrize("steps, flows, expected", [
    ({}, [], "no steps"),
    ({"A": (0, 1), "B": (0, 1)}, [("A", "B"), ("B", "A")], "loop: A → B → A"),
    ({"A": (0, 1), "B": (0, 1), "C": (0, 1)}, [("A", "B", share(60)), ("A", "C")], "every outgoing"),
    ({"A": (0, 1), "B": (0, 1), "C": (0, 1)}, [("A", "B", share(60)), ("A", "C", share(30))],
     "add up to 90%"),
    ({"A": (0, 1), "B": (0, 1)}, [("A", "B"), ("A", "B", rework(20))], "does not come before"),
    ({"A": (0, 1), "B": (0, 1), "C": (0, 1)},
     [("A", "B"), ("B", "C"), ("C", "A", rework(60)), ("C", "B", rework(40))], "below 100%"),
])
def test_problems_block_the_figures(steps, flows, expected):
    result = analyse(make_map(steps, flows))
    assert not result.ok
    assert result.lead_time is None and result.critical_path == []
    assert expected in " ".join(p.message for p in result.problems)


def test_unconnected_step_is_a_warning_only():
    # Lonely is left out of the figures (tests/pure/test_ties_and_strays.py): 10 + 20 = 30.
    result = analyse(make_map({"A": (0, 10), "B": (0, 20), "Lonely": (0, 5)}, [("A", "B")]))
    assert result.ok
    assert result.lead_time == pytest.approx(30)
    assert [p.message for p in result.problems] == [
        "Step 'Lonely' has no flows: left out of the figures; connect it or delete it."]


def test_zero_lead_time_has_no_efficiency():
    result = analyse(make_map({"A": (0, 0)}))
    assert result.lead_time == 0 and result.flow_efficiency_percent is None


def test_a_rework_reason_gives_its_percentage_as_the_flow_label_does():
    # A mined probability, 872/3000 = 29.0666…%: the reason says "29.1%", as the flow's label.
    result = analyse(make_map({"A": (0, 10), "B": (15, 5)},
                              [("A", "B"), ("B", "A", rework(100 * 872 / 3000))]))
    reasons = {item.step_id: item.reasons for item in result.steps_to_change}
    assert "29.1% of its work goes back for rework (to 'A')." in reasons["B"]
