"""Analysis of one value-stream map: lead time, process time, flow efficiency, rolled %C&A,
critical path, savings, flags and the ranked steps to change.

The semantics are in docs/analysis.md. In short, with d(v) = wait(v) + process(v):

    T(v) = d(v) + (1 - rho(v)) * F(v) + sum over rework flows r leaving v of p_r * T(target_r)

F(v) is 0 at an end step, the share-weighted mean of T over alternative routes, and the maximum
of T over concurrent branches. Rework makes this a fixed point. For a fixed choice of branch at
each concurrent split ("policy") the equations are linear, and because work can finish from
every step whatever the policy (an absorbing chain: vsm.analysis.absorbing) they are solved
exactly by elimination in reverse topological order (`vsm.analysis.solver`). The maximum is found by policy iteration: evaluate, switch every concurrent split
to its longest branch, repeat until nothing changes (`vsm.analysis.policy`). Savings come from one
gradient pass and small corrections (`vsm.analysis.savings`), with the same results as re-solving
once per step (the definition, which the tests compare against). Flags and their reasons are
`vsm.analysis.flags`.

Every figure depends on the map's content only: ties between branches or starts go to the least
process time, then by name, then id (`vsm.analysis.policy`), and steps to change with equal
savings go in the structure's topological order. Stray steps (connected to no other step, in a map where flows join
other steps: `vsm.analysis.structure.stray_steps`) are left out of every figure, with a warning.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Hashable

from vsm.analysis.capacity import capacity_figures, takt_time, visits_or_trouble
from vsm.analysis.flags import flags_and_reasons
from vsm.analysis.policy import critical_path, lead, solve_eliminated
from vsm.analysis.savings import step_savings
from vsm.analysis.solver import Elimination
from vsm.analysis.structure import (
    Policy,
    Problem,
    Structure,
    build_structure,
    stray_steps,
    structure_key,
)
from vsm.model import Step, ValueStreamMap

ROLLED_PCA_STATE_LIMIT = 200_000  # distinct route combinations tracked for rolled %C&A

@dataclass
class StepToChange:
    """A flagged step, with the lead time its wait costs and one reason per flag."""

    step_id: str
    name: str
    flags: list[str]
    saving: float
    reasons: list[str]


@dataclass
class MapAnalysis:
    """Every figure of one map. Figures are None when a blocking problem prevents them."""

    lead_time: float | None = None
    process_time: float | None = None
    flow_efficiency_percent: float | None = None
    rolled_pca_percent: float | None = None
    critical_path: list[str] = field(default_factory=list)
    lead_start: str | None = None
    expected_time: dict[str, float] = field(default_factory=dict)
    savings: dict[str, float] = field(default_factory=dict)
    flags: dict[str, list[str]] = field(default_factory=dict)
    steps_to_change: list[StepToChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Demand and capacity (vsm.analysis.capacity), only when the map's demand is set:
    takt_time: float | None = None  # minutes of working time between two arriving items
    visits: dict[str, float] = field(default_factory=dict)  # expected passes per item
    # The expected visits of each step along the flow the lead time follows (from the lead
    # start, the longest branch at each concurrent split; rework included): the gradient of the
    # lead time, so lead time = sum of lead_visits x (wait + process). Steps off that flow are
    # absent. vsm.analysis.responsibility splits the lead time with it.
    lead_visits: dict[str, float] = field(default_factory=dict)
    utilisation: dict[str, float] = field(default_factory=dict)  # percent; inf: nobody assigned

    @property
    def ok(self) -> bool:
        """True when no blocking problem stopped the analysis."""
        return not any(p.blocking for p in self.problems)


def rolled_pca(s: Structure, pca: dict[str, float]) -> float | None:
    """Expected product of the %C&A (as fractions) of the distinct steps the work passes.

    Walks the steps in topological order keeping the distribution of the set of steps that have
    been reached but not yet passed; every route combination is weighted by its shares. Where a
    step sends all its work back, work never goes through it once: of the alternative routes,
    those that can go through once (Structure.once_through) are taken, their shares made to add
    up to 1. Returns None if the combinations exceed ROLLED_PCA_STATE_LIMIT.
    """
    through = s.once_through()
    states: dict[frozenset[str], float] = {frozenset(s.starts): 1.0}
    for v in s.order:
        following: dict[frozenset[str], float] = defaultdict(float)
        for state, weight in states.items():
            if v not in state:
                following[state] += weight
                continue
            rest = state - {v}
            weight *= pca[v] / 100.0
            out = s.routes[v]
            if s.alternative[v]:
                if through is not None:
                    out = [route for route in out if route[0] in through] or out
                total = sum(share or 0.0 for _, share in out)
                for target, share in out:
                    following[rest | {target}] += weight * (share or 0.0) / total
            else:
                following[rest | {t for t, _ in out}] += weight
        states = following
        if len(states) > ROLLED_PCA_STATE_LIMIT:
            return None
    return sum(states.values())


def analyse(map_: ValueStreamMap) -> MapAnalysis:
    """Every figure of the map, or the problems that prevent them."""
    return Analyser().analyse(map_)


class Analyser:
    """Analyses one map again and again (the editor, after every edit), reusing what the edit
    left as it was: the structure while the steps and flows are the same, rolled %C&A while the
    %C&A values are too, and the previous branch choices as the policy iteration's first guess,
    with their elimination's coefficients and gradients (vsm.analysis.solver.Elimination.with_durations).

    The figures are exactly those of a fresh `analyse` (ties between branches are settled by the
    map's content, whatever the first guess; tests compare the two over random sequences of
    edits).
    """

    def __init__(self) -> None:
        self._key: Hashable = None
        self._structure: Structure | None = None
        self._policy: Policy | None = None
        self._elimination: Elimination | None = None  # of self._policy, for its coefficients
        self._rolled: tuple[tuple[float, ...], float | None] | None = None  # (pca values, figure)
        self._visits: tuple[dict[str, float], str | None] | None = None  # of the structure

    def analyse(self, map_: ValueStreamMap) -> MapAnalysis:
        """Every figure of the map, or the problems that prevent them."""
        steps = {st.id: st for st in map_.steps}
        result = MapAnalysis()
        s, problems = self._structure_of(map_)
        result.problems = problems + _warnings(map_)
        result.takt_time = takt_time(map_)
        if s is None:
            return result
        duration = {v: st.wait_time + st.process_time for v, st in steps.items()}
        process = {v: st.process_time for v, st in steps.items()}
        guess = dict(self._policy) if self._policy is not None else None
        values, policy, elimination = solve_eliminated(s, duration, guess, self._elimination,
                                                       process)
        self._policy, self._elimination = dict(policy), elimination
        lead_time, start = lead(s, values, elimination, process)
        # The process time solves the same linear equations with d = process time: it is the
        # expected visits from the lead start (the gradient of the lead time) times the process
        # times.
        visits = elimination.gradient({start: 1.0})
        result.lead_time = lead_time
        result.lead_start = start
        result.lead_visits = dict(visits)
        result.process_time = sum(count * steps[v].process_time for v, count in visits.items())
        result.flow_efficiency_percent = (
            100.0 * result.process_time / lead_time if lead_time > 0 else None)
        rolled = self._rolled_pca(s, steps)
        if rolled is None:
            result.problems.append(Problem(
                "Rolled %C&A not computed: too many combinations of alternative routes run at "
                "the same time.", blocking=False))
        else:
            result.rolled_pca_percent = 100.0 * rolled
        result.critical_path = critical_path(s, start, policy, values)
        result.expected_time = values
        result.savings = step_savings(s, steps, duration, lead_time, policy, elimination,
                                  values, visits, start)
        if map_.demand is not None and self._visits is None:
            self._visits = visits_or_trouble(s)  # depends on the structure alone: kept with it
        result.visits, result.utilisation, trouble = capacity_figures(map_, s, self._visits)
        if trouble:
            result.problems.append(Problem(trouble, blocking=False))
        result.flags, reasons = flags_and_reasons(map_, s, result.lead_time, result.savings,
                                                  result.utilisation, result.visits)
        for v in s.left_out:  # a stray step's %C&A or rework is no part of the figures either
            result.flags[v], reasons[v] = [], []
        rank = {v: i for i, v in enumerate(s.order)}  # equal savings: upstream first
        result.steps_to_change = sorted(
            (StepToChange(v, steps[v].name, result.flags[v], result.savings[v], reasons[v])
             for v in steps if result.flags[v]),
            key=lambda item: (-item.saving, rank[item.step_id]))
        return result

    @property
    def visits_known(self) -> bool:
        """True when the visits of the structure last analysed are kept: an analysis with demand
        that keeps the structure does not count them again (the costly part of setting a
        demand: 0.3 s at 1,000 steps)."""
        return self._visits is not None

    def _structure_of(self, map_: ValueStreamMap) -> tuple[Structure | None, list[Problem]]:
        """The map's structure, kept while its steps and flows stay the same."""
        key = structure_key(map_)
        if self._structure is not None and key == self._key:
            return self._structure, []
        s, problems = build_structure(map_)
        self._key, self._structure, self._rolled, self._visits = key, s, None, None
        self._policy = self._elimination = None
        return s, problems

    def _rolled_pca(self, s: Structure, steps: dict[str, Step]) -> float | None:
        pca = tuple(st.pca for st in steps.values())
        if self._rolled is None or self._rolled[0] != pca:
            self._rolled = (pca, rolled_pca(s, {v: st.pca for v, st in steps.items()}))
        return self._rolled[1]


def _warnings(map_: ValueStreamMap) -> list[Problem]:
    """Problems that do not stop the analysis: stray steps, left out of the figures; or, in a
    map where no flow joins two steps yet, every step (each then counts on its own)."""
    stray = stray_steps(map_)
    if stray:
        problems = []
        for v in stray:
            step = map_.step(v)
            what = "has no flows to other steps" if map_.flows_of(v) else "has no flows"
            problems.append(Problem(f"Step {step.name!r} {what}: left out of the figures; "
                                    "connect it or delete it.", (v,), blocking=False))
        return problems
    if len(map_.steps) < 2 or any(f.source != f.target for f in map_.flows):
        return []
    return [Problem(f"Step {st.name!r} is not connected to any other step.", (st.id,), blocking=False)
            for st in map_.steps]
