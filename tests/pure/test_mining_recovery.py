"""Mining recovers the known parameters of synthetic ITSM logs (bench/itsm_logs.py).

Tolerances, stated once: a proportion p measured over n visits within 4 standard errors,
4·sqrt(p(1-p)/n); a mean within 4 standard errors of the sample, 4·s/sqrt(n); a median of a
lognormal with sigma s within 4 standard errors on the log scale, 4·1.2533·s/sqrt(n); P10 and
P90 within 5·1.709·s/sqrt(n) on the log scale. Exit probabilities in the map equal the measured
ones c/n to within 1e-15 relative (each figure is the float nearest to 100·c/n, or to
100·c/(n - b) for a share). Everything is seeded: the same log every run.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from bench.itsm_logs import expected_lead_time, service_desk, truth, write_log
from tests.helpers.mining import map_exits
from vsm.analysis import analyse
from vsm.mining.mine import MiningOptions, mine_log
from vsm.mining.visits import percentile

CASES = 6000


def measured_exits(mined) -> dict[str, dict[str | None, float]]:
    """c/n of each route of each step, with the end as None; the start left out."""
    found = {}
    for source, targets in mined.visits.exits.items():
        if source is None:
            continue
        total = sum(targets.values())
        found[source] = {target: count / total for target, count in targets.items()}
    return found


def assert_map_reproduces(mined) -> None:
    """The map's exit probabilities are exactly the measured ones (the end step as None)."""
    exits = map_exits(mined.project.maps[0])
    end = mined.project.maps[0].step(mined.built.end_id).name if mined.built.end_id else None
    for step, expected in measured_exits(mined).items():
        got = {(None if target == end else target): p for target, p in exits[step].items()}
        assert got.keys() == expected.keys(), step
        for target, p in expected.items():
            assert got[target] == pytest.approx(p, rel=1e-15, abs=0), (step, target)


def assert_proportions(measured: dict, expected: dict, visits: int, what: str) -> None:
    assert measured.keys() == expected.keys(), what
    for target, p in expected.items():
        bound = 4 * math.sqrt(p * (1 - p) / visits) + 1e-12
        assert abs(measured[target] - p) <= bound, (what, target, measured[target], p, bound)


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("itsm")
    accepted = folder / "no-vendor.csv"
    write_log(accepted, service_desk(vendor=False), CASES, seed=11)
    full = folder / "service-desk.csv"
    write_log(full, service_desk(), CASES, seed=12)
    return {"accepted": accepted, "full": full}


def test_a_log_whose_steps_all_go_forward(logs):
    """Steps by group, stopping at Resolved, times as means: no step is only left backwards;
    the map's lead time is the measured mean."""
    chain = service_desk(vendor=False)
    mined = mine_log(logs["accepted"], MiningOptions(steps="group", end=("Resolved",),
                                                     statistic="mean"))
    map_ = mined.project.maps[0]
    result = analyse(map_)
    assert not [problem for problem in result.problems if problem.blocking]
    assert mined.built.always_back == []
    lead_times = mined.visits.lead_times
    mean = math.fsum(lead_times) / len(lead_times)
    assert result.lead_time == pytest.approx(mean, rel=1e-9)
    spread = math.sqrt(math.fsum((t - mean) ** 2 for t in lead_times) / (len(lead_times) - 1))
    assert abs(mean - expected_lead_time(chain, "Resolved")) <= 4 * spread / math.sqrt(CASES)
    assert_map_reproduces(mined)
    expected = truth(chain, "group", "Resolved")
    assert set(mined.visits.steps) == set(expected)
    measured = measured_exits(mined)
    for key, step in mined.visits.steps.items():
        assert_proportions(measured[key], expected[key].exits, step.visits, key)
        assert step.visits / CASES == pytest.approx(expected[key].visits_per_case, rel=0.08)
        totals = [w + o for w, o in zip(step.work, step.other)]
        assert totals == pytest.approx(step.durations)  # each visit split, nothing lost
        average = math.fsum(step.durations) / len(step.durations)
        s = math.sqrt(math.fsum((d - average) ** 2 for d in step.durations)
                      / (len(step.durations) - 1))
        assert abs(average - expected[key].mean_minutes) <= 4 * s / math.sqrt(len(step.durations))
    # the first line resolves about 60 % of what it sees, a second line bounces 25-30 % back
    assert measured["Service Desk"][None] == pytest.approx(0.52 / (1 - 0.12), abs=0.03)
    assert measured["Network"]["Service Desk"] == pytest.approx(0.3 / 0.9, abs=0.03)


def test_with_means_a_map_with_backward_steps_gives_the_measured_mean_lead_time(logs):
    # Expected visits of the mined chain are the measured visits per case (counts are conserved
    # at every step), so with mean times the analysis's lead time is
    # sum over steps of (visits / cases) x (total time / visits) = total time / cases: the
    # measured mean lead time, whatever the routes, 100 % rework included.
    mined = mine_log(logs["full"], MiningOptions(statistic="mean"))
    result = analyse(mined.project.maps[0])
    assert mined.built.always_back and not [p for p in result.problems if p.blocking]
    lead_times = mined.visits.lead_times
    assert result.lead_time == pytest.approx(math.fsum(lead_times) / len(lead_times), rel=1e-9)


def test_a_log_with_steps_only_ever_left_backwards(logs):
    """Steps by activity, auto-close included, medians: Assigned, Awaiting User Info and
    Awaiting Vendor only ever go back to In Progress (100 % rework), which the analysis takes
    as an absorbing chain; exit probabilities, times, ranges and counts as measured."""
    chain = service_desk()
    mined = mine_log(logs["full"], MiningOptions())
    map_ = mined.project.maps[0]
    assert sorted(mined.built.always_back) == ["Assigned", "Awaiting User Info",
                                               "Awaiting Vendor"]
    assert not [p for p in analyse(map_).problems if p.blocking]
    assert_map_reproduces(mined)
    expected = truth(chain, "activity")
    measured = measured_exits(mined)
    steps = {step.name: step for step in map_.steps}
    assert set(steps) == set(expected)
    for key, visits in mined.visits.steps.items():
        truth_ = expected[key]
        assert_proportions(measured[key], truth_.exits, visits.visits, key)
        assert visits.visits / CASES == pytest.approx(truth_.visits_per_case, rel=0.1)
        if truth_.median_minutes is None:  # Closed: every visit ends its case
            assert visits.durations == [] and steps[key].wait_time == 0
            continue
        n = len(visits.durations)
        sigma = chain.durations[key][1]
        work = key == "In Progress"
        step = steps[key]
        value, low, high = ((step.process_time, step.process_time_min, step.process_time_max)
                            if work else (step.wait_time, step.wait_time_min, step.wait_time_max))
        assert (step.wait_time if work else step.process_time) == 0
        assert abs(math.log(value / truth_.median_minutes)) <= 4 * 1.2533 * sigma / math.sqrt(n)
        for bound, z in ((low, -1.2816), (high, 1.2816)):
            true_bound = truth_.median_minutes * math.exp(z * sigma)
            assert abs(math.log(bound / true_bound)) <= 5 * 1.709 * sigma / math.sqrt(n), key
    performers = {name: step.performer for name, step in steps.items()}
    assert performers["Awaiting User Info"] == "customer"
    assert performers["Awaiting Vendor"] == "vendor"
    assert performers["In Progress"] == performers["Assigned"] == "internal"
    # the lead time runs to the last visit's start (Closed): auto-close dominates it
    ordered = sorted(mined.visits.lead_times)
    assert mined.summary["lead_time_p50_minutes"] == percentile(ordered, 50)
    assert mined.summary["lead_time_p50_minutes"] > 6 * 24 * 60 * 0.8


def test_stopping_at_resolved_leaves_auto_close_out(logs):
    mined = mine_log(logs["full"], MiningOptions(end=("Resolved",)))
    assert "Closed" not in {step.name for step in mined.project.maps[0].steps}
    lead = mined.summary["lead_time_mean_minutes"]
    lead_times = mined.visits.lead_times
    spread = math.sqrt(math.fsum((t - lead) ** 2 for t in lead_times) / (len(lead_times) - 1))
    assert abs(lead - expected_lead_time(service_desk(), "Resolved")) <= 4 * spread / math.sqrt(
        CASES)
    assert mined.summary["events_after_end_dropped"] >= CASES  # at least Closed, every case


@pytest.mark.parametrize("shape, times", [("xes", "iso"), ("servicenow", "dmy"),
                                          ("audit", "offset"), ("jira", "iso"),
                                          ("plain", "mdy")])
def test_every_recognised_shape_and_time_form_gives_the_same_map(tmp_path, shape, times):
    chain = service_desk()
    plain = tmp_path / "plain.csv"
    write_log(plain, chain, 300, seed=5)
    other = tmp_path / f"{shape}.csv"
    write_log(other, chain, 300, seed=5, shape=shape, times=times,
              delimiter=";" if shape == "xes" else ",",
              encoding="utf-8-sig" if shape == "jira" else "utf-8")
    for by in ("activity", "group"):
        options = MiningOptions(steps=by, end=("Resolved",))
        reference, mined = mine_log(plain, options), mine_log(other, options)
        assert mined.log.skipped_count == 0
        assert mined.visits.exits == reference.visits.exits
        assert mined.visits.lead_times == reference.visits.lead_times
        assert ([step.name for step in mined.project.maps[0].steps]
                == [step.name for step in reference.project.maps[0].steps])


def test_noise_is_skipped_counted_and_named_by_row(tmp_path):
    log = tmp_path / "noisy.csv"
    write_log(log, service_desk(), 500, seed=3, noise=0.02)
    mined = mine_log(log, MiningOptions())
    skipped = mined.log.skipped
    assert set(skipped) == {"without a case id", "with a time that cannot be read"}
    assert 0 < mined.log.skipped_count < 0.06 * mined.log.rows
    assert mined.summary["skipped_rows"] == mined.log.skipped_count
    assert all(len(rows) == 5 for rows in mined.log.skipped_rows.values())
    assert any(note.startswith(f"skipped {mined.log.skipped_count:,} of ") for note in
               mined.notes)
    assert_map_reproduces(mined)
    assert Counter(mined.summary["skipped"].keys()) == Counter(skipped.keys())


def test_the_benchmark_logs_have_exactly_the_events_asked(tmp_path):
    from bench.mining import build

    path = build(tmp_path, 500, "dmy")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 501 and lines[0] == "Ticket,Status,Updated,Assignment group,Priority"
    mined = mine_log(path, MiningOptions())
    assert mined.summary["events"] == 500 and mined.log.time_form == "day first"
