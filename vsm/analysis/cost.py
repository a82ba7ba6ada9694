"""What the work costs, what the steps to change are worth, and what automating a step would free
(docs/analysis.md, "Cost and automation").

- **Rate** of a step: its own `hourly_rate`, else its team's rate in the map's `team_rates`
  (the team's name as written, else ignoring case); none: the step has no cost, and is listed
  in `unpriced` when it has work.
- **Visits**: the expected number of times one item passes the step, over *every* branch
  (vsm.analysis.capacity.visits: each concurrent branch is worked, so each costs; rework
  included, alternative routes by share). These are the capacity figures' visits, not the lead
  time's (which follow only the longest concurrent branch).
- **Cost per item** of a step = visits x process time (hours) x people x rate; the map's cost
  per item is the sum over the priced steps. Waits cost nothing: nobody is paid to wait (the
  consumer's cost of delay is not in the model). **Per period** = cost per item x the demand
  (items per the map's demand period); **per month** = cost per item x the demand per month,
  a month being 52/12 weeks of 5 working days, as vsm.analysis.capacity counts available time.
- **Worth of a step to change**: the labour its change saves. A wait saved costs nothing, so a
  step flagged only for its wait is worth 0; a step that sends work back (rework flows leaving
  it) is worth the cost of the work that rework repeats: the cost per item of the map minus
  the cost per item with that step's rework flows removed (the extra visits they cause, over
  every step, priced as above; steps without a rate count 0), per item and per month; None when
  no step of the map has a rate. On maps with one start and no concurrent split this is
  computed exactly without re-analysing the map (`_rework_savings`); otherwise the visits are
  computed again for each such step.
- **Automation candidates**: steps whose performer is not "automated" with a process time,
  ranked by the people-hours automating them would free per month = visits x process time
  (hours) x people x demand per month (without demand: per item, ranked the same way), with
  what those hours cost where the step has a rate.

Pure Python over vsm.model and the analysis's results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vsm.analysis.capacity import AVAILABLE_MINUTES, CapacityError, visits
from vsm.analysis.solver import eliminate
from vsm.analysis.structure import build_structure, stray_steps
from vsm.model import Flow, Step, ValueStreamMap

if TYPE_CHECKING:
    from vsm.analysis.figures import MapAnalysis

__all__ = ["AutomationCandidate", "CostAnalysis", "SavingWorth", "StepCost", "cost_of",
           "demand_per_month", "rate_of"]


@dataclass(frozen=True)
class StepCost:
    """One step's cost per item: its visits, people-hours (visits x process hours x people),
    its rate and where the rate comes from ("step", "team" or None) and the cost (None: no
    rate)."""

    step_id: str
    name: str
    visits: float
    hours: float
    rate: float | None
    rate_from: str | None
    cost: float | None


@dataclass(frozen=True)
class SavingWorth:
    """A step to change and what its change is worth: the lead time it saves (minutes, as the
    analysis ranks it), the people-hours per item it saves and their cost per item and per month
    (None where no step involved has a rate, or without demand for the month, or where the
    recount it needs is past RECOUNT_BUDGET on a big map)."""

    step_id: str
    name: str
    saving_minutes: float
    hours: float
    worth: float | None
    worth_per_month: float | None


@dataclass(frozen=True)
class AutomationCandidate:
    """A step people (or customers) do by hand, with the people-hours automating it would free
    per item and per month (None without demand), and their cost per month (None without a
    rate or demand)."""

    step_id: str
    name: str
    performer: str
    hours_per_item: float
    hours_per_month: float | None
    worth_per_month: float | None


@dataclass(frozen=True)
class CostAnalysis:
    """The cost of one map (see the module docstring). per_item: the sum over priced steps
    (None when no step with work has a rate); per_period is for the map's demand period, with
    the demand; per_month with the demand per month. unpriced: names of the steps with work and
    no rate (then per_item leaves them out)."""

    currency: str
    steps: tuple[StepCost, ...]
    per_item: float | None
    per_period: float | None
    period: str | None
    per_month: float | None
    demand_per_month: float | None
    unpriced: tuple[str, ...]
    savings: tuple[SavingWorth, ...]
    automation: tuple[AutomationCandidate, ...]

    @property
    def complete(self) -> bool:
        """True when every step with work has a rate."""
        return not self.unpriced


def rate_of(map_: ValueStreamMap, step: Step) -> tuple[float | None, str | None]:
    """(rate, "step" | "team" | None): the step's own rate, else its team's."""
    if step.hourly_rate is not None:
        return step.hourly_rate, "step"
    rates = map_.team_rates
    team = step.team.strip()
    if team in rates:
        return rates[team], "team"
    folded = team.casefold()
    for name, rate in rates.items():
        if team and name.casefold() == folded:
            return rate, "team"
    return None, None


def demand_per_month(map_: ValueStreamMap) -> float | None:
    """The map's demand in items per month (working time: 52/12 weeks of 5 days); None without
    demand."""
    if map_.demand is None:
        return None
    return map_.demand * AVAILABLE_MINUTES["month"] / AVAILABLE_MINUTES[map_.demand_period]


def _visits(map_: ValueStreamMap, analysis: MapAnalysis | None) -> dict[str, float] | None:
    """Every step's expected visits over every branch: the analysis's when it has them (a map
    with demand), else computed; None when they cannot be."""
    if analysis is not None and analysis.visits:
        return analysis.visits
    s, _ = build_structure(map_)
    if s is None:
        return None
    try:
        return visits(s)
    except CapacityError:
        return None


def _step_costs(map_: ValueStreamMap, counts: dict[str, float]) -> list[StepCost]:
    left_out = set(stray_steps(map_))
    rows = []
    for step in map_.steps:
        if step.id in left_out:
            continue
        count = counts.get(step.id, 0.0)
        hours = count * step.process_time / 60.0 * step.people
        rate, source = rate_of(map_, step)
        rows.append(StepCost(step.id, step.name, count, hours, rate, source,
                             None if rate is None else hours * rate))
    return rows


def _without_rework_of(map_: ValueStreamMap, step_id: str) -> ValueStreamMap:
    """A copy of the map (same ids) without the rework flows leaving the step."""
    copy = ValueStreamMap(map_.name, map_.kind, demand=map_.demand,
                          demand_period=map_.demand_period, team_rates=map_.team_rates)
    for step in map_.steps:
        copy.add_step(Step(**{name: value for name, value in step.__dict__.items()}))
    for flow in map_.flows:
        if not (flow.kind == "rework" and flow.source == step_id):
            copy.add_flow(Flow(flow.source, flow.target, flow.kind, flow.share,
                               flow.probability, flow.id))
    return copy


RECOUNT_BUDGET = 4_000  # steps recounted for the worth of rework where no shortcut applies


def _saving_worth(map_: ValueStreamMap, analysis: MapAnalysis, rows: list[StepCost],
                  monthly: float | None) -> list[SavingWorth]:
    base_hours = {row.step_id: row.hours for row in rows}
    rates = {row.step_id: row.rate for row in rows}
    reworking = {flow.source for flow in map_.flows if flow.kind == "rework"}
    wanted = [item.step_id for item in analysis.steps_to_change if item.step_id in reworking]
    exact = _rework_savings(map_, rows, wanted) if wanted else {}
    # Where the exact shortcut does not apply (several starts, concurrent splits), each step's
    # worth is a recount of the whole map's visits: at most RECOUNT_BUDGET step-visits in all,
    # in rank order (every step to change of the templates; none on the 5,000-step benchmark
    # map, where one recount per step kept the editor from opening). The rest: worth None.
    recounts_left = RECOUNT_BUDGET // max(len(map_.steps), 1)
    found = []
    for item in analysis.steps_to_change:
        hours, worth = 0.0, None
        if item.step_id in exact:
            hours, worth = exact[item.step_id]
        elif item.step_id in reworking:
            recounts_left -= 1
            simpler = _without_rework_of(map_, item.step_id) if recounts_left >= 0 else None
            counts = _visits(simpler, None) if simpler is not None else None
            if simpler is not None and counts is not None:
                after = {row.step_id: row.hours for row in _step_costs(simpler, counts)}
                saved = {v: base_hours[v] - after.get(v, 0.0) for v in base_hours}
                hours = sum(saved.values())
                if any(rate is not None for rate in rates.values()):
                    worth = math.fsum(saved[v] * rate for v, rate in rates.items()
                                      if rate is not None)
        else:
            worth = 0.0  # a wait saved costs nothing
        found.append(SavingWorth(item.step_id, item.name, item.saving, hours, worth,
                                 None if worth is None or monthly is None else worth * monthly))
    return found


def _rework_savings(map_: ValueStreamMap, rows: list[StepCost],
                    steps: list[str]) -> dict[str, tuple[float, float | None]]:
    """step id -> (people-hours, cost) per item saved by removing the step's rework flows, for
    a map with one start and no concurrent split (else {}: the caller re-computes the visits).

    There the visits are those of a Markov chain from the start, and the people-hours (or cost)
    per item from a step, H, solve the lead time's linear equations with each step's hours per
    visit in place of its duration: (I - P) H = h. Removing step v's rework changes row v of P
    only, by delta = rho(v) x (v's ordinary routes) - (v's rework flows), so by the
    Sherman-Morrison formula H'(start) = H(start) + G(start, v) (delta . H) / (1 - delta . G e_v),
    G = (I - P)^-1: G(start, v) is v's visits and delta . G e_v the derivative of delta . H with
    respect to h(v), both from the solver's recorded elimination (vsm.analysis.solver). Exactly
    the re-computation's figures, without one analysis per step.
    """
    s, _ = build_structure(map_)
    if s is None or len(s.starts) != 1 or s.concurrent_splits():
        return {}
    per_visit = {step.id: step.process_time / 60.0 * step.people for step in map_.steps}
    hours = {v: per_visit[v] for v in s.order}
    priced = any(row.rate is not None for row in rows)
    cost = {row.step_id: (row.rate or 0.0) * hours[row.step_id] for row in rows}
    cost.update({v: 0.0 for v in s.order if v not in cost})
    elimination = eliminate(s, hours, {}, record=True)
    hours_from = elimination.values()
    cost_from = elimination.with_durations(cost).values()
    start = s.starts[0]
    visits_of = elimination.gradient({start: 1.0})
    fixed = s.fixed_next()
    found: dict[str, tuple[float, float | None]] = {}
    for v in steps:
        rho = s.rho(v)
        delta: dict[str, float] = {}
        for target, weight in fixed[v] or ():
            delta[target] = delta.get(target, 0.0) + rho * weight
        for target, probability in s.rework[v]:
            delta[target] = delta.get(target, 0.0) - probability
        through = 1.0 - elimination.gradient(delta).get(v, 0.0)
        factor = visits_of.get(v, 0.0) / through
        saved_hours = -factor * sum(d * hours_from[t] for t, d in delta.items())
        saved_cost = -factor * sum(d * cost_from[t] for t, d in delta.items())
        found[v] = (saved_hours, saved_cost if priced else None)
    return found


def _automation(map_: ValueStreamMap, rows: list[StepCost],
                monthly: float | None) -> list[AutomationCandidate]:
    steps = {step.id: step for step in map_.steps}
    candidates = []
    for row in rows:
        step = steps[row.step_id]
        if step.performer == "automated" or step.process_time <= 0:
            continue
        per_month = None if monthly is None else row.hours * monthly
        worth = None if per_month is None or row.rate is None else per_month * row.rate
        candidates.append(AutomationCandidate(row.step_id, row.name, step.performer, row.hours,
                                              per_month, worth))
    order = {row.step_id: i for i, row in enumerate(rows)}
    candidates.sort(key=lambda c: (-c.hours_per_item, order[c.step_id]))
    return candidates


def cost_of(map_: ValueStreamMap, analysis: MapAnalysis,
            with_savings: bool = True) -> CostAnalysis | None:
    """The map's cost, the worth of its steps to change and its automation candidates (see the
    module docstring); None when the visits cannot be computed (a blocking problem, or too many
    combinations of routes). Without `with_savings`, `savings` is empty: the worth of the steps
    to change recounts the visits once per step that sends work back where no shortcut applies
    (2 s at 1,000 steps), which the automation candidates do not need."""
    if not analysis.ok:
        return None
    counts = _visits(map_, analysis)
    if counts is None:
        return None
    rows = _step_costs(map_, counts)
    priced = [row.cost for row in rows if row.cost is not None and row.hours > 0]
    unpriced = tuple(row.name for row in rows if row.cost is None and row.hours > 0)
    per_item = math.fsum(priced) if priced else None
    monthly = demand_per_month(map_)
    return CostAnalysis(
        currency=map_.currency, steps=tuple(rows), per_item=per_item,
        per_period=None if per_item is None or map_.demand is None else per_item * map_.demand,
        period=None if map_.demand is None else map_.demand_period,
        per_month=None if per_item is None or monthly is None else per_item * monthly,
        demand_per_month=monthly, unpriced=unpriced,
        savings=tuple(_saving_worth(map_, analysis, rows, monthly)) if with_savings else (),
        automation=tuple(_automation(map_, rows, monthly)))
