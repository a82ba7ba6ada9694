"""What stakeholders ask, analysed (issue 18): targets, who holds the work, cost and automation,
and their comparison current -> future. Every expected figure is worked out by hand in the
comments."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from tests.helpers.maps import make_map, rework, share
from vsm.analysis import analyse
from vsm.analysis.compare import compare_maps
from vsm.analysis.cost import cost_of, demand_per_month
from vsm.analysis.montecarlo import simulate
from vsm.analysis.responsibility import NO_TEAM, split_by
from vsm.analysis.stakeholders import stakeholder_figures, stakeholders_json
from vsm.analysis.targets import attainment
from vsm.model import Experience, Flow, Step
from vsm.model.duplicate import future_state_of

APPROX = pytest.approx


def line_map():
    """A (internal, Desk, 2 people: wait 30, process 10) -> B (vendor, V: 120, 60) -> C (customer,
    no team: 0, 5). Lead time 40 + 180 + 5 = 225 minutes; process time 75."""
    map_ = make_map({"A": (30, 10, 100, {"team": "Desk", "people": 2}),
                     "B": (120, 60, 100, {"team": "V", "performer": "vendor"}),
                     "C": (0, 5, 100, {"performer": "customer"})},
                    [("A", "B"), ("B", "C")], name="Now")
    return map_


def rows(split):
    return [(row.key, row.label, row.wait, row.process, row.lead, row.percent) for row in split.rows]


# ---------------------------------------------------------------- who holds the work


def test_the_split_of_a_line():
    map_ = line_map()
    result = analyse(map_)
    assert result.lead_time == 225
    split = split_by(map_, result, "performer")
    # internal: A 30 + 10 = 40 (40 / 225 = 17.78 %); vendor: B 120 + 60 = 180 (80 %);
    # customer: C 0 + 5 = 5 (2.22 %)
    assert rows(split) == [("internal", "Internal team", 30, 10, 40, APPROX(100 * 40 / 225)),
                           ("vendor", "Vendor", 120, 60, 180, APPROX(80.0)),
                           ("customer", "Customer", 0, 5, 5, APPROX(100 * 5 / 225))]
    assert split.vendor_wait == 120 and split.lead_time == 225 and split.process_time == 75
    teams = split_by(map_, result, "team")  # longest first: V 180, Desk 40, no team 5
    assert [(row.key, row.label, row.lead) for row in teams.rows] == [
        ("v", "V", 180), ("desk", "Desk", 40), ("", NO_TEAM, 5)]


def test_alternative_routes_are_weighted_by_their_shares():
    # A (10 + 10) -> B 70 % (vendor: 100 + 20) or C 30 % (internal: 40 + 20) -> D (0 + 10)
    # lead = 20 + 0.7 x 120 + 0.3 x 60 + 10 = 20 + 84 + 18 + 10 = 132
    map_ = make_map({"A": (10, 10), "B": (100, 20, 100, {"performer": "vendor"}),
                     "C": (40, 20), "D": (0, 10)},
                    [("A", "B", share(70)), ("A", "C", share(30)), ("B", "D"), ("C", "D")])
    result = analyse(map_)
    assert result.lead_time == APPROX(132)
    split = split_by(map_, result)
    # internal: A (10, 10) + 0.3 x C (40, 20) = (12, 6) + D (0, 10) -> wait 22, process 26;
    # vendor: 0.7 x (100, 20) = (70, 14) -> 84. 48 + 84 = 132.
    assert rows(split) == [("internal", "Internal team", APPROX(22), APPROX(26), APPROX(48),
                            APPROX(100 * 48 / 132)),
                           ("vendor", "Vendor", APPROX(70), APPROX(14), APPROX(84),
                            APPROX(100 * 84 / 132))]
    assert split.vendor_wait == APPROX(70)


def test_rework_visits_count_in_the_split():
    # A (Desk: 10 + 20) -> B (Ops, vendor: 30 + 10), 25 % of B's work back to A: each step is
    # visited 1 / (1 - 0.25) = 4/3 times; lead = 4/3 x (30 + 40) = 93.33
    map_ = make_map({"A": (10, 20, 100, {"team": "Desk"}),
                     "B": (30, 10, 100, {"team": "Ops", "performer": "vendor"})},
                    [("A", "B"), ("B", "A", rework(25))])
    result = analyse(map_)
    assert result.lead_time == APPROX(280 / 3)
    split = split_by(map_, result, "team")
    # Ops: 4/3 x (30, 10) = (40, 13.33) -> 53.33 (57.14 %); Desk: 4/3 x (10, 20) -> 40 (42.86 %)
    assert rows(split) == [("ops", "Ops", APPROX(40), APPROX(40 / 3), APPROX(160 / 3),
                            APPROX(100 * 4 / 7)),
                           ("desk", "Desk", APPROX(40 / 3), APPROX(80 / 3), APPROX(40),
                            APPROX(100 * 3 / 7))]
    assert sum(row.lead for row in split.rows) == APPROX(result.lead_time)
    assert split.vendor_wait == APPROX(40)


def test_concurrent_branches_split_along_the_critical_path():
    # S (0 + 10) -> X (vendor, 100 + 0) and Y (Dev, 20 + 10) together -> J (0 + 10):
    # lead = 10 + max(100, 30) + 10 = 120, along S -> X -> J; Y holds none of it.
    map_ = make_map({"S": (0, 10), "X": (100, 0, 100, {"performer": "vendor", "team": "Acme"}),
                     "Y": (20, 10, 100, {"team": "Dev"}), "J": (0, 10)},
                    [("S", "X"), ("S", "Y"), ("X", "J"), ("Y", "J")])
    result = analyse(map_)
    assert result.lead_time == 120 and result.critical_path == ["S", "X", "J"]
    split = split_by(map_, result)
    # internal: S (0, 10) + J (0, 10) = 20; vendor: X 100. Y counts 0.
    assert rows(split) == [("internal", "Internal team", 0, 20, 20, APPROX(100 / 6)),
                           ("vendor", "Vendor", 100, 0, 100, APPROX(500 / 6))]
    teams = split_by(map_, result, "team")
    assert [(row.label, row.lead) for row in teams.rows] == [
        ("Acme", 100), (NO_TEAM, 20), ("Dev", 0)]


def test_no_split_without_a_lead_time_and_only_two_ways():
    map_ = make_map({"A": (1, 1), "B": (1, 1)}, [("A", "B"), ("B", "A")])  # a loop: blocked
    assert split_by(map_, analyse(map_)) is None
    with pytest.raises(ValueError, match="split by performer or team, not 'activity'"):
        split_by(line_map(), analyse(line_map()), "activity")


# ---------------------------------------------------------------- targets


def test_a_target_without_ranges_is_met_or_missed():
    map_ = line_map()
    assert attainment(map_, analyse(map_)) is None  # no target anywhere
    map_.set_field("target_lead_time", 200)
    map_.set_step_field("A", "target_time", 30)  # A takes 30 + 10 = 40: missed
    map_.set_step_field("B", "target_time", "3h")  # B takes 120 + 60 = 180: met, exactly
    target = attainment(map_, analyse(map_))
    assert (target.target_minutes, target.expected_minutes, target.met) == (200, 225, False)
    assert target.gap_minutes == 25 and target.probability is None and target.p85 is None
    assert [(row.step_id, row.target, row.expected, row.met) for row in target.steps] == [
        ("A", 30, 40, False), ("B", 180, 180, True)]
    assert [row.step_id for row in target.missed_steps] == ["A"]
    map_.set_field("target_lead_time", 225)  # exactly the lead time: met
    assert attainment(map_, analyse(map_)).met is True
    map_.set_field("target_lead_time", None)  # steps only
    only_steps = attainment(map_, analyse(map_))
    assert only_steps.target_minutes is None and only_steps.met is None
    assert len(only_steps.steps) == 2


def test_with_ranges_the_simulation_gives_the_probability_and_p85():
    map_ = line_map()
    map_.set_field("target_lead_time", 200)
    map_.set_step_field("B", "wait_time_min", 60)
    map_.set_step_field("B", "wait_time_max", 180)
    result = analyse(map_)
    distribution = simulate(map_, runs=10_000, seed=7)
    target = attainment(map_, result, distribution)
    # lead = 105 + W, W ~ triangular(60, 120, 180): P(lead <= 200) = P(W <= 95)
    #      = (95 - 60)^2 / ((180 - 60) x (120 - 60)) = 1225 / 7200 = 0.1701
    assert target.probability == APPROX(1225 / 7200, abs=0.015)
    assert target.probability == sum(t <= 200 for t in distribution.samples) / 10_000
    # P85 of W: 1 - (180 - w)^2 / 7200 = 0.85 -> w = 180 - sqrt(1080) = 147.14; lead 252.14
    assert target.p85 == distribution.p85 == APPROX(105 + 180 - math.sqrt(1080), abs=1.5)
    assert target.p85_met is False and target.met is False  # 225 with the most likely times
    map_.set_field("target_lead_time", 260)
    relaxed = attainment(map_, result, distribution)
    assert relaxed.p85_met is True and relaxed.met is True
    # P(W <= 155) = 1 - (180 - 155)^2 / 7200 = 0.9132
    assert relaxed.probability == APPROX(1 - 625 / 7200, abs=0.015)


# ---------------------------------------------------------------- cost and automation


def priced_line():
    map_ = line_map()
    map_.set_field("team_rates", {"Desk": 60, "V": 120})
    map_.set_field("demand", 40)  # a week
    return map_


def test_cost_per_item_period_and_month():
    map_ = priced_line()
    cost = cost_of(map_, analyse(map_))
    # A: 1 visit x 10/60 h x 2 people = 1/3 h x 60 = 20; B: 1 x 1 h x 1 x 120 = 120;
    # C (customer, no team, no rate): 5/60 h, unpriced. Per item 140.
    assert [(row.step_id, row.hours, row.rate, row.rate_from, row.cost) for row in cost.steps] == [
        ("A", APPROX(1 / 3), 60, "team", APPROX(20)), ("B", 1, 120, "team", 120),
        ("C", APPROX(5 / 60), None, None, None)]
    assert cost.per_item == APPROX(140) and cost.unpriced == ("C",) and not cost.complete
    # 40 items a week: 140 x 40 = 5,600 a week; a month is 52/12 weeks: 40 x 52/12 = 173.33
    # items, 140 x 173.33 = 24,266.67
    assert (cost.per_period, cost.period) == (APPROX(5600), "week")
    assert cost.demand_per_month == APPROX(40 * 52 / 12) == demand_per_month(map_)
    assert cost.per_month == APPROX(140 * 40 * 52 / 12)
    assert cost.currency == "€"
    map_.set_step_field("B", "hourly_rate", 100)  # the step's own rate wins: 1 h x 100
    assert cost_of(map_, analyse(map_)).steps[1].cost == 100
    assert cost_of(map_, analyse(map_)).steps[1].rate_from == "step"


def test_demand_per_month_counts_working_days():
    map_ = line_map()
    assert demand_per_month(map_) is None
    map_.set_field("demand", 10)
    map_.set_field("demand_period", "day")  # 10 a working day x 5 x 52/12 = 216.67 a month
    assert demand_per_month(map_) == APPROX(10 * 5 * 52 / 12)
    map_.set_field("demand_period", "month")
    assert demand_per_month(map_) == 10


def test_automation_candidates_rank_by_hours_freed_per_month():
    map_ = priced_line()
    map_.add_step(Step("Bot", performer="automated", process_time=30, id="Bot"))
    map_.add_flow(Flow("C", "Bot"))
    cost = cost_of(map_, analyse(map_))
    # hours per item: B 1, A 1/3, C 5/60; the automated step is no candidate.
    # per month (173.33 items): B 173.33 h x 120 = 20,800; A 57.78 h x 60 = 3,466.67; C 14.44 h
    monthly = 40 * 52 / 12
    assert [(c.step_id, c.performer, c.hours_per_item, c.hours_per_month, c.worth_per_month)
            for c in cost.automation] == [
        ("B", "vendor", 1, APPROX(monthly), APPROX(monthly * 120)),
        ("A", "internal", APPROX(1 / 3), APPROX(monthly / 3), APPROX(monthly / 3 * 60)),
        ("C", "customer", APPROX(5 / 60), APPROX(monthly * 5 / 60), None)]
    map_.set_field("demand", None)  # without demand: per item, ranked the same way
    plain = cost_of(map_, analyse(map_))
    assert [c.step_id for c in plain.automation] == ["B", "A", "C"]
    assert plain.automation[0].hours_per_month is None and plain.per_month is None


def test_a_step_to_change_is_worth_the_rework_it_causes():
    # A (Desk 60/h: 10 + 20) -> B (Ops 90/h: 30 + 10), 25 % back to A: 4/3 visits each.
    # Cost: A 4/3 x 20/60 h x 60 = 26.67; B 4/3 x 10/60 h x 90 = 20; per item 46.67.
    # Without B's rework: A 20 + B 15 = 35, so B's change is worth 46.67 - 35 = 11.67 per item
    # (people-hours 6/9 - 1/2 = 1/6), per month x 10 x 52/12 = 43.33 items = 505.56.
    map_ = make_map({"A": (10, 20, 100, {"team": "Desk"}), "B": (30, 10, 100, {"team": "Ops"})},
                    [("A", "B"), ("B", "A", rework(25))])
    map_.set_field("team_rates", {"Desk": 60, "Ops": 90})
    map_.set_field("demand", 10)
    result = analyse(map_)
    cost = cost_of(map_, result)
    assert cost.per_item == APPROX(140 / 3)
    worth = {row.step_id: row for row in cost.savings}
    assert "B" in worth, [item.step_id for item in result.steps_to_change]
    assert worth["B"].worth == APPROX(35 / 3) and worth["B"].hours == APPROX(1 / 6)
    assert worth["B"].worth_per_month == APPROX(35 / 3 * 10 * 52 / 12)
    assert worth["B"].saving_minutes == result.savings["B"]
    for step_id, row in worth.items():  # a step flagged for its wait only saves no labour
        if step_id != "B":
            assert row.worth == 0 and row.hours == 0


def test_the_cost_without_the_worth_of_the_steps_to_change_is_the_same_but_for_it():
    # The Automation candidates dock asks for the cost without the worth (its recounts took 2 s
    # at 1,000 steps on the GUI thread): every other figure is the full cost's, the worth empty.
    # The map of the test above: A 4/3 x 20 = 26.67 + B 4/3 x 15 = 20 -> 46.67 per item.
    map_ = make_map({"A": (10, 20, 100, {"team": "Desk"}), "B": (30, 10, 100, {"team": "Ops"})},
                    [("A", "B"), ("B", "A", rework(25))])
    map_.set_field("team_rates", {"Desk": 60, "Ops": 90})
    map_.set_field("demand", 10)
    result = analyse(map_)
    full = cost_of(map_, result)
    light = cost_of(map_, result, with_savings=False)
    assert full.savings and light.savings == ()
    assert light.per_item == APPROX(140 / 3)
    assert replace(light, savings=full.savings) == full


def test_both_splits_in_one_pass_are_those_of_split_by():
    # The metrics pane asks for both splits at once (one pass over the steps, not two): the
    # same rows, figures and order as split_by for each, on a benchmark map with every kind of
    # structure, teams and performers; None for both without a lead time.
    from bench.generate import synthetic_map
    from vsm.analysis.responsibility import SPLITS, splits_of

    map_ = synthetic_map(300, seed=3)
    result = analyse(map_)
    assert splits_of(map_, result) == {by: split_by(map_, result, by) for by in SPLITS}
    assert splits_of(map_, result)["team"].rows  # not empty
    loop = make_map({"A": (1, 1), "B": (1, 1)}, [("A", "B"), ("B", "A")])
    assert splits_of(loop, analyse(loop)) == {"performer": None, "team": None}


def test_no_cost_without_a_lead_time():
    map_ = make_map({"A": (1, 1), "B": (1, 1)}, [("A", "B"), ("B", "A")])
    assert cost_of(map_, analyse(map_)) is None


# ---------------------------------------------------------------- together, and compared


def test_the_figures_together_and_their_json():
    map_ = priced_line()
    map_.set_field("target_lead_time", 200)
    map_.set_field("experience", Experience("csat", 72.5, 310))
    data = stakeholders_json(stakeholder_figures(map_, analyse(map_)))
    assert list(data) == ["target", "split", "cost", "experience", "itil"]
    assert data["target"]["met"] is False and data["target"]["gap_minutes"] == 25
    assert data["split"]["rows"][1] == {"key": "vendor", "label": "Vendor", "wait_minutes": 120,
                                        "process_minutes": 60, "lead_minutes": 180,
                                        "percent": 80.0}
    assert data["cost"]["per_item"] == APPROX(140) and data["cost"]["unpriced"] == ["C"]
    assert data["experience"] == {"scale": "csat", "score": 72.5, "responses": 310, "note": ""}
    assert data["itil"] == {"trigger": "", "outcome": "", "value": "", "stakeholders": ""}


def test_compare_carries_targets_experience_cost_and_split():
    current = priced_line()
    current.set_field("target_lead_time", 200)
    current.set_field("experience", Experience("csat", 70))
    future = future_state_of(current, "Future")
    b = next(step for step in future.steps if step.name == "B")
    future.set_step_field(b.id, "wait_time", 30)
    future.set_step_field(b.id, "process_time", 30)  # B: 0.5 h x 120 = 60; per item 80
    # lead 40 + (30 + 30) + 5 = 105: the target of 200 is met
    future.set_field("experience", Experience("csat", 85))
    comparison = compare_maps(current, future)
    data = comparison.to_json_dict()
    assert (data["target"]["from"]["met"], data["target"]["to"]["met"]) == (False, True)
    assert data["target"]["to"]["expected_minutes"] == 105
    assert (data["experience"]["from"]["score"], data["experience"]["to"]["score"]) == (70, 85)
    # cost per item 140 -> 20 + 60 = 80: -60, -42.9 %
    assert data["cost_per_item"] == {"from": APPROX(140), "to": APPROX(80), "delta": APPROX(-60),
                                     "delta_percent": APPROX(-300 / 7),
                                     "currency": {"from": "€", "to": "€"}}
    vendor = [row for row in data["split_by_performer"]["to"]["rows"] if row["key"] == "vendor"]
    assert vendor[0]["lead_minutes"] == 60  # 30 + 30


def test_the_worth_of_removing_rework_is_the_recomputed_difference():
    """The exact shortcut (one start, no concurrent split: Sherman-Morrison on the solver's
    elimination) gives the figures of re-computing the visits without the step's rework, the
    definition; checked on random lines with alternatives and rework anywhere back, one of them
    sending all its work back."""
    import random

    from vsm.analysis.cost import _rework_savings, _step_costs, _visits, _without_rework_of
    from vsm.model import ValueStreamMap

    rng = random.Random(18)
    checked = full_checked = 0
    for case in range(25):
        map_ = ValueStreamMap("Random", team_rates={"T0": 40, "T1": 95})
        count = rng.randint(3, 9)
        for i in range(count):
            map_.add_step(Step(f"S{i}", team=f"T{i % 3}", process_time=rng.uniform(1, 90),
                               wait_time=rng.uniform(0, 300), people=rng.choice([0, 1, 2]),
                               id=f"s{i}"))
        i = 0
        while i < count - 1:  # a line, with a split into two alternatives now and then
            if i < count - 3 and rng.random() < 0.4:
                share_a = rng.uniform(10, 90)
                map_.add_flow(Flow(f"s{i}", f"s{i + 1}", share=share_a))
                map_.add_flow(Flow(f"s{i}", f"s{i + 2}", share=100 - share_a))
                map_.add_flow(Flow(f"s{i + 1}", f"s{i + 3}"))
                map_.add_flow(Flow(f"s{i + 2}", f"s{i + 3}"))
                i += 3
            else:
                map_.add_flow(Flow(f"s{i}", f"s{i + 1}"))
                i += 1
        sources = rng.sample(range(1, count), k=min(3, count - 1))
        for n, v in enumerate(sources):
            full = case % 5 == 0 and n == 0
            map_.add_flow(Flow(f"s{v}", f"s{rng.randrange(v)}", "rework",
                               probability=100.0 if full else rng.uniform(5, 60)))
        result = analyse(map_)
        if not result.ok:  # all the work sent back from where it can never finish: refused
            continue
        checked += 1
        full_checked += case % 5 == 0
        rows = _step_costs(map_, _visits(map_, result))
        steps = [f"s{v}" for v in sources]
        exact = _rework_savings(map_, rows, steps)
        assert set(exact) == set(steps)
        for v in steps:
            simpler = _without_rework_of(map_, v)
            after = {row.step_id: row for row in _step_costs(simpler, _visits(simpler, None))}
            hours = sum(row.hours - after[row.step_id].hours for row in rows)
            cost = sum((row.cost or 0) - (after[row.step_id].cost or 0) for row in rows)
            assert exact[v][0] == APPROX(hours, rel=1e-9, abs=1e-9), (case, v)
            assert exact[v][1] == APPROX(cost, rel=1e-9, abs=1e-9), (case, v)
    assert checked >= 20 and full_checked >= 2, (checked, full_checked)


def test_with_concurrent_branches_the_worth_is_recomputed():
    # S -> A and B together -> J; J sends 50 % back to S. Rates 60/h everywhere (team T).
    map_ = make_map({name: (0, 30, 100, {"team": "T"}) for name in ("S", "A", "B", "J")},
                    [("S", "A"), ("S", "B"), ("A", "J"), ("B", "J"), ("J", "S", rework(50))])
    map_.set_field("team_rates", {"T": 60})
    result = analyse(map_)
    cost = cost_of(map_, result)
    # each step is passed 1 / (1 - 0.5) = 2 times: 4 steps x 2 x 0.5 h x 60 = 240 per item;
    # without the rework 4 x 0.5 h x 60 = 120: J's change is worth 120
    assert cost.per_item == APPROX(240)
    worth = {row.step_id: row for row in cost.savings}
    assert worth["J"].worth == APPROX(120) and worth["J"].hours == APPROX(2)


def test_recounts_for_the_worth_stop_at_the_budget(monkeypatch):
    # The same map as above (concurrent branches: no shortcut, each worth is a recount of the
    # whole map). Each recount walks the map, so a big map would do one per step to change —
    # on the 5,000-step benchmark map the editor never opened. With a budget of 7 step-visits
    # and 4 steps, 7 // 4 = 1 recount: J's (the first with rework) is computed, no more; with a
    # budget under one map's worth of steps, none, and J's worth is not claimed (None).
    import vsm.analysis.cost as cost_module

    map_ = make_map({name: (0, 30, 100, {"team": "T"}) for name in ("S", "A", "B", "J")},
                    [("S", "A"), ("S", "B"), ("A", "J"), ("B", "J"), ("J", "S", rework(50))])
    map_.set_field("team_rates", {"T": 60})
    result = analyse(map_)
    recounts = []
    real_visits = cost_module._visits
    monkeypatch.setattr(cost_module, "_visits",
                        lambda m, *a: recounts.append(m) or real_visits(m, *a))
    monkeypatch.setattr(cost_module, "RECOUNT_BUDGET", 7)
    worth = {row.step_id: row for row in cost_of(map_, result).savings}
    assert worth["J"].worth == APPROX(120)
    before = len(recounts)
    monkeypatch.setattr(cost_module, "RECOUNT_BUDGET", 3)
    worth = {row.step_id: row for row in cost_of(map_, result).savings}
    assert worth["J"].worth is None and worth["J"].hours == 0
    # the map's own count each time; J's recount the first time only: 2 then 1
    assert before == 2 and len(recounts) == before + 1
