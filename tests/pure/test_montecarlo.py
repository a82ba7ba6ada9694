"""The Monte Carlo lead time: exact where nothing is random, the analysis's expectation where
there is no concurrency, hand-computed percentiles of a triangle, reproducible with its seed."""

from __future__ import annotations

import math

import pytest

import vsm.analysis.montecarlo as montecarlo
from tests.helpers.maps import make_map, rework, share
from vsm.analysis import analyse, build_structure
from vsm.analysis.capacity import visits
from vsm.analysis.montecarlo import SimulationError, percentile, should_simulate, simulate
from vsm.files.bundled import list_templates, new_from_template
from vsm.model import Flow, Step, ValueStreamMap
from vsm.model.variability import RANGES, time_range


def mean_times(map_: ValueStreamMap) -> ValueStreamMap:
    """A copy whose times are the means of their triangles, (min + most likely + max) / 3."""
    copy = ValueStreamMap(map_.name)
    for step in map_.steps:
        means = {base: sum(time_range(step, base)) / 3 for base in RANGES}
        copy.add_step(Step(step.name, process_time=means["process_time"],
                           wait_time=means["wait_time"], id=step.id))
    for flow in map_.flows:
        copy.add_flow(Flow(flow.source, flow.target, flow.kind, flow.share, flow.probability))
    return copy


def test_nearest_rank_percentiles():
    values = [float(v) for v in range(1, 21)]  # 1..20
    # ceil(0.5 x 20) = 10th -> 10; ceil(0.85 x 20) = 17th -> 17; ceil(0.95 x 20) = 19th -> 19
    assert [percentile(values, p) for p in (50, 85, 95)] == [10, 17, 19]
    assert percentile([5.0], 95) == 5


def test_nothing_random_gives_the_exact_lead_time_every_run():
    # S (5) then X (2 + 8) and Y (20 + 10) concurrently, then J (1): 5 + max(10, 30) + 1 = 36.
    map_ = make_map({"S": (0, 5), "X": (2, 8), "Y": (20, 10), "J": (0, 1)},
                    [("S", "X"), ("S", "Y"), ("X", "J"), ("Y", "J")])
    result = simulate(map_, runs=200, seed=1)
    assert (result.p50, result.p85, result.p95, result.mean) == pytest.approx((36, 36, 36, 36))
    assert result.stdev == 0 and analyse(map_).lead_time == pytest.approx(36)
    assert not should_simulate(map_)


def test_a_triangle_gives_its_percentiles():
    # One step, process time most likely 0, at most 60: F(x) = 1 - (1 - x/60)^2, so the
    # p-th percentile is 60 (1 - sqrt(1 - p)):
    # P50 = 60 (1 - 0.70711) = 17.57; P85 = 60 (1 - 0.38730) = 36.76; P95 = 60 (1 - 0.22361)
    # = 46.58. The mean is (0 + 0 + 60) / 3 = 20.
    map_ = make_map({"A": (0, 0, 100, {"process_time_max": 60})})
    assert should_simulate(map_)
    result = simulate(map_, runs=20_000, seed=3)
    assert result.p50 == pytest.approx(17.57, abs=0.6)
    assert result.p85 == pytest.approx(36.76, abs=0.6)
    assert result.p95 == pytest.approx(46.58, abs=0.6)
    assert result.mean == pytest.approx(20, abs=3 * result.standard_error)


def test_alternatives_and_rework_average_to_the_analysis():
    # No concurrency: the analysis's T is the expectation of the simulated process.
    map_ = make_map({"A": (10, 5), "B": (30, 20), "C": (120, 60), "D": (15, 5)},
                    [("A", "B", share(70)), ("A", "C", share(30)), ("B", "D"), ("C", "D"),
                     ("D", "A", rework(25)), ("C", "C", rework(10))])
    expected = analyse(map_).lead_time
    result = simulate(map_, runs=20_000, seed=11)
    assert result.stdev > 0
    assert abs(result.mean - expected) < 3 * result.standard_error


def test_ranges_average_to_the_analysis_of_the_mean_times():
    # Without concurrency the lead time is a sum, so its mean uses the triangles' means.
    map_ = make_map({"A": (10, 5, 100, {"wait_time_min": 0, "wait_time_max": 240}),
                     "B": (60, 20, 100, {"process_time_min": 10, "process_time_max": 90}),
                     "C": (5, 5)},
                    [("A", "B"), ("B", "C"), ("B", "A", rework(20))])
    expected = analyse(mean_times(map_)).lead_time
    result = simulate(map_, runs=20_000, seed=5)
    assert abs(result.mean - expected) < 3 * result.standard_error
    assert result.mean > analyse(map_).lead_time  # waits skewed towards longer times


def test_the_seed_makes_it_reproducible():
    map_ = make_map({"A": (10, 5, 100, {"wait_time_max": 60}), "B": (0, 10)},
                    [("A", "B"), ("B", "A", rework(30))])
    assert simulate(map_, 500, seed=7) == simulate(map_, 500, seed=7)
    assert simulate(map_, 500, seed=7) != simulate(map_, 500, seed=8)


def test_simulated_visits_match_the_capacity_visits():
    map_ = make_map({"A": (0, 1), "B": (0, 1), "C": (0, 1), "D": (0, 1), "E": (0, 1)},
                    [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"), ("D", "E", share(100)),
                     ("C", "A", rework(20)), ("B", "A", rework(30)), ("E", "D", rework(10))])
    counted: dict[str, float] = {}
    simulate(map_, runs=20_000, seed=2, visits=counted)
    structure, _ = build_structure(map_)
    for step_id, value in visits(structure).items():
        assert counted[step_id] == pytest.approx(value, abs=0.05)


@pytest.mark.parametrize("template", [t.id for t in list_templates()])
def test_templates_simulate_and_visits_agree(template):
    for map_ in new_from_template(template).maps:
        counted: dict[str, float] = {}
        result = simulate(map_, runs=4000, seed=1, visits=counted)
        assert result.p50 <= result.p85 <= result.p95
        structure, _ = build_structure(map_)
        for step_id, value in visits(structure).items():
            assert counted[step_id] == pytest.approx(value, abs=0.06)


def test_ten_thousand_runs_of_a_sixty_step_map_finish():
    # 20 concurrent splits, 6 rework loops, every time a range (bench/run.py measures the time).
    map_ = ValueStreamMap("Sixty")
    for i in range(60):
        map_.add_step(Step(f"S{i}", process_time=10 + i, wait_time=30, process_time_min=5,
                           process_time_max=100, wait_time_min=0, wait_time_max=240, id=f"s{i}"))
    for i in range(0, 59, 3):
        map_.add_flow(Flow(f"s{i}", f"s{i + 1}"))
        map_.add_flow(Flow(f"s{i}", f"s{i + 2}"))
        if i + 3 < 60:
            map_.add_flow(Flow(f"s{i + 1}", f"s{i + 3}"))
            map_.add_flow(Flow(f"s{i + 2}", f"s{i + 3}"))
    for i in range(5, 60, 10):
        map_.add_flow(Flow(f"s{i}", f"s{i - 4}", "rework", probability=15))
    result = simulate(map_, runs=10_000, seed=42)  # its speed is measured by bench/run.py
    assert math.isfinite(result.p95)


def test_maps_that_cannot_be_simulated():
    looped = make_map({"A": (0, 1), "B": (0, 1)}, [("A", "B"), ("B", "A")])
    with pytest.raises(SimulationError, match="cannot be simulated: The flows form a loop"):
        simulate(looped)
    with pytest.raises(SimulationError, match="at least 1"):
        simulate(make_map({"A": (0, 1)}), runs=0)


def test_endless_rework_is_stopped(monkeypatch):
    monkeypatch.setattr(montecarlo, "MAX_PASSES_PER_RUN", 5)
    map_ = make_map({"A": (0, 1), "B": (0, 1)}, [("A", "B"), ("B", "A", rework(90))])
    with pytest.raises(SimulationError, match="never let the work finish; it keeps going round .B. back to .A."):
        simulate(map_, runs=100, seed=1)


def _ranged_bench_map(size: int) -> ValueStreamMap:
    from bench.generate import synthetic_map

    map_ = synthetic_map(size)
    for step in map_.steps[::7]:
        map_.set_step_field(step.id, "process_time_max", step.process_time * 2)
    return map_


def test_the_same_figures_as_the_first_implementation():
    # montecarlo_reference.py is the simulation with descendant sets; the lazy cut draws the same
    # random numbers in the same order, so the figures are identical, not just close.
    from tests.helpers import montecarlo_reference as reference

    maps = [map_ for template in list_templates() for map_ in new_from_template(template.id).maps]
    maps.append(_ranged_bench_map(100))
    for map_ in maps:
        fast_visits: dict[str, float] = {}
        slow_visits: dict[str, float] = {}
        fast = simulate(map_, runs=300, seed=9, visits=fast_visits)
        assert fast == reference.simulate(map_, runs=300, seed=9, visits=slow_visits)
        assert fast_visits == slow_visits


def test_a_simulation_in_slices_gives_the_figures_of_simulate():
    map_ = make_map({"A": (10, 5, 100, {"wait_time_max": 60}), "B": (0, 10), "C": (5, 5)},
                    [("A", "B"), ("A", "C"), ("B", "A", rework(30)), ("C", "C", rework(10))])
    simulation = montecarlo.Simulation(map_, runs=400, seed=4)
    assert (simulation.completed, simulation.done) == (0, False)
    with pytest.raises(SimulationError, match="no runs"):
        simulation.result()
    map_.set_step_field("A", "wait_time_max", 6000)  # edits after __init__ change nothing
    map_.remove_step("C")
    assert simulation.advance(0) is False and simulation.completed == 1  # at least one run
    partial = simulation.result()
    assert partial.runs == 1 and partial.stdev == 0
    while not simulation.advance(0.001):
        pass
    assert simulation.done and simulation.completed == 400
    assert simulation.advance(1.0) is True and simulation.completed == 400
    original = make_map({"A": (10, 5, 100, {"wait_time_max": 60}), "B": (0, 10), "C": (5, 5)},
                        [("A", "B"), ("A", "C"), ("B", "A", rework(30)), ("C", "C", rework(10))])
    assert simulation.result() == simulate(original, runs=400, seed=4)


def test_a_simulation_refuses_what_simulate_refuses():
    looped = make_map({"A": (0, 1), "B": (0, 1)}, [("A", "B"), ("B", "A")])
    with pytest.raises(SimulationError, match="cannot be simulated"):
        montecarlo.Simulation(looped)
    with pytest.raises(SimulationError, match="at least 1"):
        montecarlo.Simulation(make_map({"A": (0, 1)}), runs=0)


def test_rework_in_two_concurrent_branches_restarts_one_pass_and_the_join_once():
    # S splits into A (10 min) and B (20 min), both join at J (1 min); A and B each redo
    # themselves half of the time. When both send work back in the same pass, the one new pass
    # starts from A and B together, so J (and all after it) is passed exactly once per item; the
    # first rule (one pass per target) passed J twice then. Each branch is tried a geometric
    # number of times with p = 1/2: 1 / (1 - 1/2) = 2 visits on average; S once.
    map_ = make_map({"S": (0, 0), "A": (0, 10, 100, {"process_time_max": 11}), "B": (0, 20),
                     "J": (0, 1)},
                    [("S", "A"), ("S", "B"), ("A", "J"), ("B", "J"),
                     ("A", "A", rework(50)), ("B", "B", rework(50))])
    counted: dict[str, float] = {}
    result = simulate(map_, runs=20_000, seed=3, visits=counted)
    assert counted["J"] == 1.0 and counted["S"] == 1.0
    assert counted["A"] == pytest.approx(2.0, abs=0.05)
    assert counted["B"] == pytest.approx(2.0, abs=0.05)
    # Every run ends at J after the slower branch: at least max(10, 20) + 1 = 21 minutes, and
    # half the items have B done first time, A done within two tries (3/4): 3/8 take
    # max(10..11 x N_A, 20) + 1 <= 21 + 1; the median lies above 21.
    assert result.p50 >= 21


def test_a_run_past_the_rework_cap_names_the_loop(monkeypatch):
    monkeypatch.setattr(montecarlo, "MAX_PASSES_PER_RUN", 50)
    monkeypatch.setattr(montecarlo, "LOOP_WINDOW", 10)
    # A -> B -> C; C sends 99 % back to B: with a cap of 50 passes, seed 1 passes it (a run
    # needs 100 passes on average). The flow it keeps going round is C back to B.
    map_ = make_map({"A": (0, 1), "B": (0, 1), "C": (0, 1)},
                    [("A", "B"), ("B", "C"), ("C", "B", rework(99))])
    with pytest.raises(montecarlo.ReworkCapError) as caught:
        simulate(map_, runs=100, seed=1)
    assert caught.value.loops == [("C", "B")]
    assert caught.value.steps == ("C", "B")
    assert "keeps going round 'C' back to 'B'" in str(caught.value)


def test_a_rework_cap_error_crosses_to_another_process_whole():
    # The editor's simulation runs in a child process, which sends the error back pickled.
    import pickle

    error = montecarlo.ReworkCapError([("C", "B")], [("Check", "Build")])
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is montecarlo.ReworkCapError
    assert (copy.loops, copy.steps, str(copy)) == ([("C", "B")], ("C", "B"), str(error))
    assert "keeps going round 'Check' back to 'Build'" in str(copy)
