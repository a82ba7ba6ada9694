"""The rules of mining (docs/mining.md) on the worked example, computed by hand: visits and
their durations, the last visit unmeasured, lead times and their percentiles, the exit
probabilities reproduced exactly by the flows, --end in both step kinds, change logs, ties,
pruning, and the times a map's steps carry."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from tests.helpers.mining import map_exits, write_csv
from vsm.analysis import analyse
from vsm.mining.mine import MiningOptions, mine_log
from vsm.mining.visits import percentile

HEADER = ["Ticket", "Status", "Updated", "Assignment group"]
WORKED = [  # docs/mining.md, "Worked example"
    ["T1", "New", "2024-03-04T09:00:00Z", "Service Desk"],
    ["T1", "In Progress", "2024-03-04T09:30:00Z", "Service Desk"],
    ["T1", "Resolved", "2024-03-04T10:30:00Z", "Service Desk"],
    ["T1", "Closed", "2024-03-07T10:30:00Z", "Service Desk"],
    ["T2", "New", "2024-03-04T10:00:00Z", "Service Desk"],
    ["T2", "In Progress", "2024-03-04T11:00:00Z", "Service Desk"],
    ["T2", "In Progress", "2024-03-04T11:20:00Z", "Network"],
    ["T2", "Awaiting User Info", "2024-03-04T13:00:00Z", "Network"],
    ["T2", "In Progress", "2024-03-05T09:00:00Z", "Network"],
    ["T2", "Resolved", "2024-03-05T10:00:00Z", "Network"],
    ["T2", "Closed", "2024-03-08T10:00:00Z", "Network"],
    ["T3", "New", "2024-03-05T08:00:00Z", "Service Desk"],
    ["T3", "Resolved", "2024-03-05T08:15:00Z", "Service Desk"],
    ["T3", "In Progress", "2024-03-06T08:15:00Z", "Service Desk"],
    ["T3", "Resolved", "2024-03-06T09:15:00Z", "Service Desk"],
    ["T3", "Closed", "2024-03-09T09:15:00Z", "Service Desk"],
]


@pytest.fixture
def worked(tmp_path):
    return write_csv(tmp_path / "tickets.csv", [HEADER, *WORKED])


def steps_of(mined):
    return {step.name: step for step in mined.project.maps[0].steps}


def test_percentiles_interpolate_between_the_closest_ranks():
    assert percentile([4410, 5760, 5835], 50) == 5760
    assert percentile([4410, 5760, 5835], 85) == 5760 + 0.7 * 75
    assert percentile([4410, 5760, 5835], 95) == pytest.approx(5760 + 0.9 * 75)
    assert percentile([7.0], 90) == 7.0 and percentile([], 50) is None
    assert percentile([1.0, 2.0, 3.0, 4.0], 10) == pytest.approx(1.3)


def test_the_worked_example_by_activity(worked):
    mined = mine_log(worked, MiningOptions())
    steps = steps_of(mined)
    assert list(steps) == ["New", "In Progress", "Awaiting User Info", "Resolved", "Closed"]
    visits = mined.visits.steps
    assert {key: (v.visits, v.cases) for key, v in visits.items()} == {
        "New": (3, 3), "In Progress": (4, 3), "Awaiting User Info": (1, 1), "Resolved": (4, 3),
        "Closed": (3, 3)}
    # T2's two In Progress events (Service Desk, then Network) are one visit of 120 minutes
    assert sorted(visits["In Progress"].durations) == [60, 60, 60, 120]
    assert sorted(visits["New"].durations) == [15, 30, 60]
    assert visits["Resolved"].durations == [4320, 4320, 1440, 4320]
    assert visits["Closed"].durations == []  # every case's last visit: no duration
    assert sorted(mined.visits.lead_times) == [4410, 5760, 5835]
    summary = mined.summary
    assert (summary["cases"], summary["events"], summary["skipped_rows"]) == (3, 16, 0)
    assert summary["lead_time_p50_minutes"] == 5760
    assert summary["lead_time_p85_minutes"] == 5812.5
    assert summary["lead_time_p95_minutes"] == pytest.approx(5827.5)
    # times: work states are process time, others wait time; the median, P10–P90 as range
    new, work = steps["New"], steps["In Progress"]
    assert (new.wait_time, new.process_time) == (30, 0)
    assert (new.wait_time_min, new.wait_time_max) == (18, 54)
    assert (work.process_time, work.wait_time) == (60, 0)
    assert (work.process_time_min, work.process_time_max) == (60, 102)  # to 1e-6 minutes
    assert steps["Closed"].wait_time == 0 and steps["Closed"].wait_time_min is None
    assert steps["Awaiting User Info"].performer == "customer"
    assert work.team == "Service Desk"  # held it in 3 of its 4 visits
    assert "4 visits in 3 cases" in work.notes and "tickets.csv" in work.notes
    assert "2024-03-04 09:00 and 2024-03-09 09:15 UTC" in work.notes


def test_the_flows_reproduce_the_measured_exit_probabilities_exactly(worked):
    mined = mine_log(worked, MiningOptions())
    map_ = mined.project.maps[0]
    names = {step.id: step.name for step in map_.steps}
    flows = {(names[f.source], names[f.target]): f for f in map_.flows}
    assert {pair: (f.kind, f.share, f.probability) for pair, f in flows.items()} == {
        ("New", "In Progress"): ("normal", 2 * 100 / 3, None),
        ("New", "Resolved"): ("normal", 1 * 100 / 3, None),
        ("In Progress", "Resolved"): ("normal", 3 * 100 / 4, None),
        ("In Progress", "Awaiting User Info"): ("normal", 1 * 100 / 4, None),
        ("Awaiting User Info", "In Progress"): ("rework", None, 100.0),
        ("Resolved", "In Progress"): ("rework", None, 1 * 100 / 4),
        ("Resolved", "Closed"): ("normal", None, None)}
    measured = {"New": {"In Progress": Fraction(2, 3), "Resolved": Fraction(1, 3)},
                "In Progress": {"Resolved": Fraction(3, 4), "Awaiting User Info": Fraction(1, 4)},
                "Awaiting User Info": {"In Progress": Fraction(1)},
                "Resolved": {"Closed": Fraction(3, 4), "In Progress": Fraction(1, 4)},
                "Closed": {None: Fraction(1)}}
    exits = map_exits(map_)
    for step, expected in measured.items():
        assert exits[step].keys() == expected.keys()
        for target, fraction in expected.items():
            assert exits[step][target] == pytest.approx(float(fraction), rel=1e-15, abs=0)
    # a step only ever left backwards: 100 % rework, which the analysis takes (absorbing chain)
    assert mined.built.always_back == ["Awaiting User Info"]
    assert [p.message for p in analyse(map_).problems if p.blocking] == []


def test_end_stops_the_case_at_its_first_end_activity(worked):
    mined = mine_log(worked, MiningOptions(end=("resolved",)))  # compared ignoring case
    assert sorted(mined.visits.lead_times) == [15, 90, 1440]
    assert mined.visits.dropped_after_end == 1 + 1 + 3
    steps = steps_of(mined)
    assert "Closed" not in steps and steps["Resolved"].wait_time == 0
    assert mined.visits.steps["Resolved"].visits == 3  # T3's reopen is after its first


def test_steps_by_group_split_each_visit_by_its_activities_and_end_closes_the_case(worked):
    mined = mine_log(worked, MiningOptions(steps="group", end=("Resolved",), statistic="mean"))
    visits = mined.visits.steps
    desk, network = visits["Service Desk"], visits["Network"]
    assert (desk.visits, desk.durations, desk.work, desk.other) == (
        3, [90, 80, 15], [60, 20, 0], [30, 60, 15])
    assert (network.durations, network.work, network.other) == ([1360], [160], [1200])
    assert sorted(mined.visits.lead_times) == [15, 90, 1440]
    steps = steps_of(mined)
    assert steps["Service Desk"].process_time == pytest.approx(80 / 3)
    assert steps["Service Desk"].wait_time == 35
    assert (steps["Network"].process_time, steps["Network"].wait_time) == (160, 1200)
    assert list(steps) == ["Service Desk", "Network", "End"]
    exits = map_exits(mined.project.maps[0])
    assert exits["Service Desk"] == pytest.approx({"Network": 1 / 3, "End": 2 / 3}, rel=1e-15)
    assert exits["Network"] == {"End": 1.0} and exits["End"] == {None: 1.0}
    # the analysis takes the map, and with the means its
    # lead time is the measured mean lead time
    result = analyse(mined.project.maps[0])
    assert not [p for p in result.problems if p.blocking]
    assert result.lead_time == pytest.approx((15 + 90 + 1440) / 3, rel=1e-12)


def test_events_at_the_same_time_keep_the_order_of_the_file(tmp_path):
    log = write_csv(tmp_path / "ties.csv", [
        HEADER,
        ["A", "New", "2024-01-01T10:00:00Z", "G"],
        ["A", "Closed", "2024-01-01T12:00:00Z", "G"],
        ["A", "Queued", "2024-01-01T10:00:00Z", "G"],  # tied with New, after it in the file
    ])
    mined = mine_log(log, MiningOptions())
    assert [step.name for step in mined.project.maps[0].steps] == ["New", "Queued", "Closed"]
    assert mined.visits.steps["New"].durations == [0]
    assert mined.visits.steps["Queued"].durations == [120]


def test_several_first_steps_get_a_zero_time_start_and_mixed_ends_an_end(tmp_path):
    log = write_csv(tmp_path / "starts.csv", [
        HEADER,
        ["A", "New", "2024-01-01T10:00:00Z", "G"], ["A", "Done", "2024-01-01T11:00:00Z", "G"],
        ["B", "New", "2024-01-01T10:00:00Z", "G"],
        ["C", "Phone", "2024-01-01T10:00:00Z", "G"], ["C", "Done", "2024-01-01T10:30:00Z", "G"],
    ])
    mined = mine_log(log, MiningOptions())
    map_ = mined.project.maps[0]
    assert [step.name for step in map_.steps] == ["Start", "New", "Phone", "Done", "End"]
    exits = map_exits(map_)
    assert exits["Start"] == pytest.approx({"New": 2 / 3, "Phone": 1 / 3}, rel=1e-15)
    assert exits["New"] == {"Done": 0.5, "End": 0.5}  # B ends at New
    start = map_.step(mined.built.start_id)
    assert (start.wait_time, start.process_time) == (0, 0)


def test_a_change_log_carries_the_state_and_the_group_forward(tmp_path):
    log = write_csv(tmp_path / "sys_audit.csv", [
        ["documentkey", "fieldname", "oldvalue", "newvalue", "sys_created_on"],
        ["INC1", "assignment_group", "", "Service Desk", "2024-01-01 09:00:00"],
        ["INC1", "state", "", "New", "2024-01-01 09:00:00"],
        ["INC1", "priority", "4", "3", "2024-01-01 09:05:00"],
        ["INC1", "state", "New", "In Progress", "2024-01-01 09:30:00"],
        ["INC1", "assignment_group", "Service Desk", "Network", "2024-01-01 10:00:00"],
        ["INC1", "state", "In Progress", "Resolved", "2024-01-01 12:00:00"],
    ])
    by_activity = mine_log(log, MiningOptions())
    assert by_activity.log.columns.recognised == "a ServiceNow audit export (sys_audit)"
    assert by_activity.log.other_rows == 1
    assert by_activity.visits.steps["In Progress"].durations == [150]  # the group row merges
    by_group = mine_log(log, MiningOptions(steps="group", end=("Resolved",)))
    desk, network = by_group.visits.steps["Service Desk"], by_group.visits.steps["Network"]
    assert (desk.durations, desk.work, desk.other) == ([60], [30], [30])
    assert (network.durations, network.work) == ([120], [120])


def test_pruning_rare_routes_and_steps_renormalises_and_says_what_went(tmp_path):
    rows = [HEADER]
    for number in range(20):  # 19 cases New -> Done, one New -> Odd -> Done
        middle = ["Odd"] if number == 0 else []
        states = ["New", *middle, "Done"]
        rows += [[f"C{number}", state, f"2024-01-01T{10 + i:02d}:00:00Z", "G"]
                 for i, state in enumerate(states)]
    log = write_csv(tmp_path / "rare.csv", rows)
    kept = mine_log(log, MiningOptions())
    assert "Odd" in steps_of(kept)
    routes = mine_log(log, MiningOptions(min_share=10))
    assert "Odd" not in steps_of(routes)
    assert map_exits(routes.project.maps[0])["New"] == {"Done": 1.0}
    assert any("route 'New' → 'Odd' (5%, 1 case)" in note for note in routes.notes)
    assert any("step 'Odd' (reached only by pruned routes)" in note for note in routes.notes)
    steps = mine_log(log, MiningOptions(min_cases=2))
    assert "Odd" not in steps_of(steps) and any("step 'Odd' (1 case)" in n for n in steps.notes)
    # the pruned step's time goes to the visit before it: New lasted until Done
    assert sorted(steps.visits.steps["New"].durations)[-1] == 120
    nothing = mine_log(log, MiningOptions(min_share=0, min_cases=1))
    assert nothing.summary["pruned"] == [] and steps_of(nothing).keys() == steps_of(kept).keys()


def test_the_mean_widens_a_range_that_would_not_hold_it(tmp_path):
    rows = [HEADER]
    for number in range(20):  # 19 waits of 1 minute and one of 1,000: P90 is 1 minute
        minutes = 1000 if number == 0 else 1
        rows += [[f"C{number}", "Queued", "2024-01-01T00:00:00Z", "G"],
                 [f"C{number}", "Done", f"2024-01-01T{minutes // 60:02d}:{minutes % 60:02d}:00Z",
                  "G"]]
    mined = mine_log(write_csv(tmp_path / "skew.csv", rows), MiningOptions(statistic="mean"))
    queued = steps_of(mined)["Queued"]
    assert queued.wait_time == pytest.approx(1019 / 20)
    assert queued.wait_time_min == 1 and queued.wait_time_max == queued.wait_time


def test_docs_mining_md_shows_this_log():
    text = (Path(__file__).parents[2] / "docs" / "mining.md").read_text(encoding="utf-8")
    lines = [",".join(row) for row in [HEADER, *WORKED]]
    assert "\n".join(lines) in text
    for figure in ("5,812.5", "5,827.5", "515m = 8h 35m", "1d 14h 24m–3d", "1h–1h 42m"):
        assert figure in text


@pytest.mark.parametrize("by", ["activity", "group"])
def test_a_case_that_begins_at_its_end_is_left_out(tmp_path, by):
    log = write_csv(tmp_path / "cut.csv", [
        HEADER,
        ["A", "New", "2024-01-01T10:00:00Z", "G"], ["A", "Resolved", "2024-01-01T11:00:00Z", "G"],
        ["B", "Resolved", "2024-01-01T09:00:00Z", "G"], ["B", "Closed", "2024-01-04T09:00:00Z", "G"],
    ])
    mined = mine_log(log, MiningOptions(steps=by, end=("Resolved",)))
    assert mined.visits.cases == 1 and mined.visits.started_at_end == 1
    assert mined.summary["cases_beginning_at_the_end"] == 1
    assert "1 case begins with an end activity (cut by the export window?) and is left out" in (
        mined.notes)
    assert mined.visits.lead_times == [60]
