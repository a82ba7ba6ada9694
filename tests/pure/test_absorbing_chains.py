"""Rework as an absorbing chain (vsm.analysis.absorbing, docs/analysis.md "Rework that goes
anywhere back"): rework to a step that is not upstream, steps sending all their work back.

Without concurrent splits the map is an absorbing Markov chain, and every figure has a closed
form: with P the transient-to-transient transition matrix and N = (I - P)^-1 (exact, over
fractions: tests/helpers/absorbing_reference.py), the expected visits from the start are the
first row of N and the expected times N d. The analysis must agree on random chains, refuse
exactly the maps where I - P is singular, and refuse rework that goes forward or to a step
running at the same time.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings

from tests.helpers import capacity_reference
from tests.helpers.absorbing_reference import (
    alternative_chains,
    closed_form,
    mixed_maps,
    times,
    together_by_enumeration,
    together_from_the_starts,
    trapped_by_some_policy,
)
from tests.helpers.maps import make_map, rework, share
from tests.helpers.strategies import dense_maps
from tests.pure.test_analysis_reference import reference_times
from vsm.analysis import Analyser, analyse, build_structure
from vsm.analysis.absorbing import Together
from vsm.analysis.capacity import CapacityError, visits
from vsm.analysis.montecarlo import simulate
from vsm.analysis.solver import comes_before, topological_order
from vsm.files.formats import load_project, save_project_any
from vsm.files.step_tables import export_table, project_from_table
from vsm.model import Project, ValueStreamMap


def incident_map(vendor_share: float = 25) -> ValueStreamMap:
    """Log (10 + 5) -> In Progress (60 + 30) -> Resolved (0 + 10), or Wait - Vendor (240 + 0)
    for `vendor_share` % of the work; Wait - Vendor is only ever left backwards: 60 % back to
    In Progress, 40 % back to Log."""
    return make_map(
        {"Log": (10, 5, 90), "In Progress": (60, 30, 80), "Resolved": (0, 10),
         "Wait - Vendor": (240, 0, 50)},
        [("Log", "In Progress"), ("In Progress", "Resolved", share(100 - vendor_share)),
         ("In Progress", "Wait - Vendor", share(vendor_share)),
         ("Wait - Vendor", "In Progress", rework(60)), ("Wait - Vendor", "Log", rework(40))])


def problems_of(map_: ValueStreamMap) -> str:
    result = analyse(map_)
    assert not result.ok and result.lead_time is None
    return " ".join(p.message for p in result.problems)


# ---------------------------------------------------------------- the closed form, by hand

def test_a_step_left_only_backwards():
    # T(Resolved) = 10; T(Vendor) = 240 + 0.6 T(IP) + 0.4 T(Log) with T(Log) = 15 + T(IP), so
    # T(Vendor) = 246 + T(IP); T(IP) = 90 + 0.75 x 10 + 0.25 T(Vendor) = 159 + 0.25 T(IP):
    # T(IP) = 212, lead time 227. Visits: IP and Vendor are passed 4/3 and 1/3 times, Log 1 +
    # 0.4 x 1/3 = 17/15. Process time 5 x 17/15 + 30 x 4/3 + 10 = 55.67.
    result = analyse(incident_map())
    assert result.ok, result.problems
    assert result.expected_time == pytest.approx(
        {"Log": 227, "In Progress": 212, "Resolved": 10, "Wait - Vendor": 458})
    assert result.lead_time == pytest.approx(227)
    assert result.process_time == pytest.approx(5 * 17 / 15 + 40 + 10)
    # Saving = wait x visits: Wait - Vendor 240 x 1/3 = 80, In Progress 60 x 4/3 = 80.
    assert result.savings == pytest.approx(
        {"Log": 10 * 17 / 15, "In Progress": 80, "Resolved": 0, "Wait - Vendor": 80})
    assert result.flags["Wait - Vendor"] == ["long_wait", "low_pca", "rework"]
    reason = next(s for s in result.steps_to_change if s.step_id == "Wait - Vendor").reasons
    assert "100% of its work goes back for rework (to 'In Progress', 'Log')." in reason


def test_once_through_avoids_a_step_that_sends_everything_back():
    # Even as the route with the larger share, Wait - Vendor is never passed once through: the
    # critical path takes Resolved, and rolled %C&A is that of Log, In Progress and Resolved.
    result = analyse(incident_map(vendor_share=60))
    assert result.ok, result.problems
    assert result.critical_path == ["Log", "In Progress", "Resolved"]
    assert result.rolled_pca_percent == pytest.approx(90 * 80 / 100)


def test_rework_to_another_alternative_route():
    # Assess (0 + 15) -> Standard (80 %, 0 + 10) or Normal (20 %, 480 + 60) -> Implement
    # (0 + 30); a quarter of the standard changes turn out not to be: back to Normal, which is
    # not upstream of Standard but never runs together with it.
    # T(Impl) = 30, T(Normal) = 570, T(Standard) = 10 + 0.75 x 30 + 0.25 x 570 = 175,
    # T(Assess) = 15 + 0.8 x 175 + 0.2 x 570 = 269.
    map_ = make_map({"Assess": (0, 15), "Standard": (0, 10), "Normal": (480, 60),
                     "Implement": (0, 30)},
                    [("Assess", "Standard", share(80)), ("Assess", "Normal", share(20)),
                     ("Standard", "Implement"), ("Normal", "Implement"),
                     ("Standard", "Normal", rework(25))])
    result = analyse(map_)
    assert result.ok, result.problems
    assert result.lead_time == pytest.approx(269)
    assert result.expected_time["Standard"] == pytest.approx(175)
    map_.demand = 10
    assert analyse(map_).visits == pytest.approx(
        {"Assess": 1, "Standard": 0.8, "Normal": 0.4, "Implement": 1})


def test_rework_to_a_route_that_bypasses_a_concurrent_split():
    # S -> C (50 %) or X (50 %); C splits into A and B, which all happen and join at J. Rework
    # from A to X is allowed: X is on the other route of S, before the split, never together.
    map_ = make_map({"S": (0, 1), "C": (0, 1), "A": (0, 10), "B": (0, 20), "J": (0, 1),
                     "X": (0, 5), "E": (0, 1)},
                    [("S", "C", share(50)), ("S", "X", share(50)), ("C", "A"), ("C", "B"),
                     ("A", "J"), ("B", "J"), ("J", "E"), ("X", "E"), ("A", "X", rework(30))])
    result = analyse(map_)
    assert result.ok, result.problems
    assert result.expected_time == pytest.approx(reference_times(map_), rel=1e-9)


def wait_vendor_map() -> ValueStreamMap:
    """The incident map with every item leaving Wait - Vendor back at In Progress (one flow)."""
    return make_map(
        {"Log": (10, 5), "In Progress": (60, 30), "Resolved": (0, 10), "Wait - Vendor": (240, 0)},
        [("Log", "In Progress"), ("In Progress", "Resolved", share(75)),
         ("In Progress", "Wait - Vendor", share(25)), ("Wait - Vendor", "In Progress", rework(100))],
        name="Incidents")


def test_wait_vendor_always_goes_back_to_in_progress():
    # T(IP) = 90 + 0.75 x 10 + 0.25 (240 + T(IP)) = 157.5 + 0.25 T(IP): T(IP) = 210, T(Wait -
    # Vendor) = 450, lead time 225; In Progress is passed 4/3 times.
    map_ = wait_vendor_map()
    result = analyse(map_)
    assert result.ok, result.problems
    assert result.lead_time == pytest.approx(225)
    assert result.expected_time["Wait - Vendor"] == pytest.approx(450)
    assert result.process_time == pytest.approx(5 + 40 + 10)
    map_.demand = 10
    assert analyse(map_).visits["In Progress"] == pytest.approx(4 / 3)
    assert simulate(map_, runs=4000, seed=3).mean == pytest.approx(225, rel=0.1)


@pytest.mark.parametrize("suffix", [".vsm", ".json", ".csv"])
def test_a_rework_flow_of_100_percent_survives_the_files(tmp_path, suffix):
    path = tmp_path / f"incidents{suffix}"
    project = Project("Incidents", [wait_vendor_map()])
    if suffix == ".csv":
        export_table(project, path, [project.maps[0].id])
        loaded, _ = project_from_table(path)
    else:
        save_project_any(project, path)
        loaded = load_project(path)
    map_ = loaded.maps[0]
    names = {s.id: s.name for s in map_.steps}
    assert [(names[f.source], names[f.target], f.probability) for f in map_.flows
            if f.kind == "rework"] == [("Wait - Vendor", "In Progress", 100)]
    assert analyse(map_).lead_time == pytest.approx(225)


# ---------------------------------------------------------------- refusals

def test_two_steps_sending_work_back_and_forth_forever():
    # X sends everything to Y or back to itself, Y to X or itself: neither ever finishes. Triage
    # still can (20 % goes straight to Done), so only X and Y are named.
    map_ = make_map({"Triage": (0, 1), "X": (0, 1), "Y": (0, 1), "Done": (0, 1)},
                    [("Triage", "X", share(50)), ("Triage", "Y", share(30)),
                     ("Triage", "Done", share(20)), ("X", "Done"), ("Y", "Done"),
                     ("X", "Y", rework(60)), ("X", "X", rework(40)),
                     ("Y", "X", rework(70)), ("Y", "Y", rework(30))])
    result = analyse(map_)
    assert [p.message for p in result.problems] == [
        "Work at 'X' and 'Y' can never finish: rework always sends it back before it reaches "
        "an end. Keep the rework of 'X' or 'Y' below 100%, or send it to a step from which the "
        "work can finish."]
    assert result.problems[0].step_ids == ("X", "Y")
    # One of them letting some work out is enough.
    map_.set_flow_field(next(f.id for f in map_.flows if f.source == "Y" and f.target == "Y"),
                        "probability", 29.0)
    assert analyse(map_).ok


def test_a_concurrent_branch_that_never_finishes_stops_the_whole():
    # C splits into A and B, both happen; A sends all its work back to before the split. Work at
    # S, C and A can never finish, though B alone could.
    map_ = make_map({"S": (0, 1), "C": (0, 1), "A": (0, 1), "B": (0, 1), "J": (0, 1)},
                    [("S", "C"), ("C", "A"), ("C", "B"), ("A", "J"), ("B", "J"),
                     ("A", "S", rework(50)), ("A", "C", rework(50))])
    assert "Work at 'S', 'C' and 'A' can never finish" in problems_of(map_)


def test_rework_to_a_later_step_is_refused():
    map_ = make_map({"A": (0, 1), "B": (0, 1), "C": (0, 1), "D": (0, 1)},
                    [("A", "B", share(50)), ("A", "C", share(50)), ("B", "D"), ("C", "D"),
                     ("B", "D", rework(10))])
    assert problems_of(map_) == ("Rework from 'B' goes to 'D', which does not come before it; "
                                 "rework must go back to an earlier step.")


@pytest.mark.parametrize("flows", [
    # concurrent branches of one split
    [("S", "A"), ("S", "B"), ("A", "J"), ("B", "J")],
    # two starts run together
    [("A", "J"), ("B", "J")],
    # alternative routes below two concurrent branches can be taken together
    [("S", "P"), ("S", "Q"), ("P", "A", share(50)), ("P", "B", share(50)),
     ("Q", "A", share(50)), ("Q", "B", share(50))],
])
def test_rework_to_a_step_running_at_the_same_time_is_refused(flows):
    map_ = make_map({v: (0, 1) for v in "SPQABJ"}, [*flows, ("A", "B", rework(10))])
    assert "Rework from 'A' goes to 'B', which runs at the same time" in problems_of(map_)


def test_rework_over_100_percent_is_refused_and_100_within_rounding_is_all():
    steps = {"A": (0, 1), "B": (0, 1), "C": (0, 1)}
    over = make_map(steps, [("A", "B"), ("B", "C"), ("C", "A", rework(60)),
                            ("C", "B", rework(50))])
    assert problems_of(over) == ("Step 'C': rework probabilities add up to 110%; they must not "
                                 "add up to more than 100%.")
    # 33.4 + 33.3 + 33.3: 100 %, although the fractions add up to 0.9999999999999999.
    flows = [("A", "B", share(50)), ("A", "C", share(50)), ("B", "C", rework(33.4)),
             ("B", "A", rework(33.3)), ("B", "B", rework(33.3))]
    structure, problems = build_structure(make_map(steps, flows))
    assert not problems and structure.full_rework == ["B"] and structure.rho("B") == 1.0


# ---------------------------------------------------------------- random chains: closed form

def check_against_closed_form(map_: ValueStreamMap) -> None:
    result = analyse(map_)
    form = closed_form(map_)
    if form is None:  # I - P singular: some work never finishes, and the analysis says so
        assert not result.ok
        assert "can never finish" in result.problems[0].message
        return
    assert result.ok, result.problems
    ids, n = form
    steps = {s.id: s for s in map_.steps}
    expected = times(ids, n, {v: s.wait_time + s.process_time for v, s in steps.items()})
    process = times(ids, n, {v: s.process_time for v, s in steps.items()})
    start = ids.index("S0")
    assert result.expected_time == pytest.approx({v: float(t) for v, t in expected.items()},
                                                 rel=1e-9, abs=1e-9)
    assert result.lead_time == pytest.approx(float(expected["S0"]), rel=1e-9, abs=1e-9)
    assert result.process_time == pytest.approx(float(process["S0"]), rel=1e-9, abs=1e-9)
    # Under alternatives only the lead time is linear in the waits: saving = wait x visits.
    for i, v in enumerate(ids):
        saving = steps[v].wait_time * float(n[start][i])
        assert result.savings[v] == pytest.approx(saving if saving > 1e-9 else 0.0,
                                                  rel=1e-7, abs=1e-7)
    map_.demand = 5
    counted = analyse(map_).visits
    assert counted == pytest.approx({v: float(n[start][i]) for i, v in enumerate(ids)},
                                    rel=1e-9, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(alternative_chains(single_full=True))
def test_chains_match_the_closed_form(map_):
    check_against_closed_form(map_)


@settings(max_examples=40, deadline=None)
@given(alternative_chains())
def test_the_editor_analysis_matches_a_fresh_one_on_chains(map_):
    analyser = Analyser()
    first = analyser.analyse(map_)
    assume(first.ok)
    for step in map_.steps[::2]:
        map_.set_step_field(step.id, "wait_time", step.wait_time + 7.0)
    again, fresh = analyser.analyse(map_), analyse(map_)
    assert again.lead_time == pytest.approx(fresh.lead_time, rel=1e-12)
    assert again.expected_time == pytest.approx(fresh.expected_time, rel=1e-12)
    assert again.savings == pytest.approx(fresh.savings, rel=1e-9, abs=1e-9)


def test_the_simulated_mean_is_the_closed_form():
    map_ = incident_map()
    ids, n = closed_form(map_)
    steps = {s.id: s for s in map_.steps}
    lead = float(times(ids, n, {v: s.wait_time + s.process_time for v, s in steps.items()})["Log"])
    counted: dict[str, float] = {}
    result = simulate(map_, runs=20_000, seed=7, visits=counted)
    assert lead == pytest.approx(227)
    assert abs(result.mean - lead) < 4 * result.standard_error
    start = ids.index("Log")
    for i, v in enumerate(ids):
        assert counted[v] == pytest.approx(float(n[start][i]), abs=0.02)


# ---------------------------------------------------------------- random maps with concurrency

@settings(max_examples=200, deadline=None)
@given(mixed_maps())
def test_refused_exactly_where_some_work_never_finishes(map_):
    structure, problems = build_structure(map_)
    messages = " ".join(p.message for p in problems)
    assume("runs at the same time" not in messages and "does not come before" not in messages)
    trapped = trapped_by_some_policy(map_)
    if trapped:
        assert len(problems) == 1 and "can never finish" in messages
        assert set(problems[0].step_ids) == trapped
    else:
        assert structure is not None, messages


def together_pairs(map_: ValueStreamMap):
    """(Together over the map, the pairs of steps neither upstream of the other)."""
    ids = [s.id for s in map_.steps]
    normal = [f for f in map_.flows if f.kind == "normal"]
    successors = {v: [f.target for f in normal if f.source == v] for v in ids}
    predecessors = {v: [f.source for f in normal if f.target == v] for v in ids}
    alternative = {v: any(f.share is not None for f in normal if f.source == v) for v in ids}
    joined = {v for f in map_.flows if f.source != f.target for v in (f.source, f.target)}
    starts = [v for v in ids if not predecessors[v] and (v in joined or not joined)]
    order = [v for v in topological_order(successors, {v: i for i, v in enumerate(ids)})
             if v in joined or not joined]
    rank = {v: i for i, v in enumerate(order)}
    pairs = [(a, b) for a in order for b in order if a != b
             and not comes_before(predecessors, rank, a, b)
             and not comes_before(predecessors, rank, b, a)]
    return Together(successors, predecessors, order, alternative, starts), pairs


@settings(max_examples=200, deadline=None)
@given(mixed_maps())
def test_running_together_matches_enumeration(map_):
    paths, pairs = together_pairs(map_)
    for a, b in pairs:
        assert paths.run_together(a, b) == together_by_enumeration(map_, a, b), (a, b)


@settings(max_examples=150, deadline=None)
@given(dense_maps())
def test_running_together_below_the_common_dominator_is_exact(map_):
    # Up to 14 steps, many concurrent splits, several starts: starting below the nearest common
    # dominator gives what following the paths from the starts gives.
    paths, pairs = together_pairs(map_)
    for a, b in pairs:
        assert paths.run_together(a, b) == together_from_the_starts(map_, a, b), (a, b)


@settings(max_examples=250, deadline=None)
@given(mixed_maps())
def test_mixed_maps_match_the_definition(map_):
    result = analyse(map_)
    assume(result.ok)
    # The reference iterates to a fixed point, which takes millions of rounds where nearly all
    # the work goes round a loop (99 % back): such maps are checked exactly, with fractions, by
    # the alternatives-only tests above.
    assume(all(sum(f.probability or 0 for f in map_.flows
                   if f.kind == "rework" and f.source == step.id) < 90 for step in map_.steps))
    stray = {s.id for s in map_.steps} - set(result.expected_time)
    expected = {v: t for v, t in reference_times(map_).items() if v not in stray}
    assert result.expected_time == pytest.approx(expected, rel=1e-7, abs=1e-7)
    starts = [v for v in expected if not any(
        f.target == v and f.kind == "normal" for f in map_.flows)]
    for step in map_.steps:
        if step.id not in stray:
            altered = reference_times(map_, wait_override=step.id)
            saving = result.lead_time - max(altered[v] for v in starts)
            assert result.savings[step.id] == pytest.approx(saving, rel=1e-6, abs=1e-6)
    structure, _ = build_structure(map_)
    try:
        slow = capacity_reference.visits(structure)
    except CapacityError as error:
        with pytest.raises(CapacityError, match=str(error)[:30]):
            visits(structure)
    else:
        fast = visits(structure)
        assert fast == pytest.approx(slow, rel=1e-9, abs=1e-12)
        assert all(math.isfinite(value) for value in fast.values())
