"""Analysis of one value-stream map: lead time, process time, flow efficiency, rolled %C&A,
critical path, savings, flags and the ranked steps to change.

The semantics are in docs/analysis.md. In short, with d(v) = wait(v) + process(v):

    T(v) = d(v) + (1 - rho(v)) * F(v) + sum over rework flows r leaving v of p_r * T(target_r)

F(v) is 0 at an end step, the share-weighted mean of T over alternative routes, and the maximum
of T over concurrent branches. Rework makes this a fixed point. For a fixed choice of branch at
each concurrent split ("policy") the equations are linear, and because every rework flow goes
back to an ancestor they are solved exactly by elimination in reverse topological order
(`vsm.analysis.solver`). The maximum is found by policy iteration: evaluate, switch every concurrent split
to its longest branch, repeat until nothing changes (`_solve`). Savings come from one gradient
pass and small corrections (`vsm.analysis.savings`), with the same results as re-solving once per step
(`_savings_direct`, kept as the definition the tests compare against).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Hashable

from vsm.analysis.capacity import capacity_figures, over_capacity_reasons, takt_time
from vsm.model.durations import format_duration
from vsm.model import Step, ValueStreamMap
from vsm.analysis.savings import fast_savings
from vsm.analysis.solver import Elimination, eliminate
from vsm.analysis.structure import Policy, Problem, Structure, build_structure, structure_key

RELATIVE_EPSILON = 1e-9  # a branch must be longer by more than this to replace another
ROLLED_PCA_STATE_LIMIT = 200_000  # distinct route combinations tracked for rolled %C&A

FLAG_LABELS = {
    "bottleneck": "Bottleneck",
    "long_wait": "Long wait",
    "low_pca": "Low %C&A",
    "rework": "Rework",
    "vendor_handoff": "Vendor handoff",
    "over_capacity": "Over capacity",
}


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
    utilisation: dict[str, float] = field(default_factory=dict)  # percent; inf: nobody assigned

    @property
    def ok(self) -> bool:
        """True when no blocking problem stopped the analysis."""
        return not any(p.blocking for p in self.problems)


def _solve(s: Structure, duration: dict[str, float],
           policy: Policy | None = None) -> tuple[dict[str, float], Policy]:
    """T for every step with the longest branch taken at each concurrent split (policy iteration)."""
    values, policy, _ = _solve_eliminated(s, duration, policy)
    return values, policy


def _solve_eliminated(s: Structure, duration: dict[str, float], policy: Policy | None = None,
                      known: Elimination | None = None
                      ) -> tuple[dict[str, float], Policy, Elimination]:
    """_solve, also returning the recorded elimination of the final policy (for gradients).

    `known`, a recorded elimination of `policy` for other durations (the previous analysis in
    the editor), saves the first elimination: only its constants are built again.
    """
    if policy is None:
        policy, known = _initial_policy(s, duration), None
    splits = s.concurrent_splits()
    for _ in range(len(splits) * 4 + 10):
        if known is not None:
            elimination, known = known.with_durations(duration), None
        else:
            elimination = eliminate(s, duration, policy, record=True)
        values = elimination.values()
        changed = False
        for v in splits:
            current = values[policy[v]]
            best = max((t for t, _ in s.routes[v]), key=values.__getitem__)
            if values[best] > current + RELATIVE_EPSILON * max(1.0, abs(current)):
                policy[v] = best
                changed = True
        if not changed:
            break
    else:
        raise RuntimeError("policy iteration did not settle")  # pragma: no cover - finite policies
    first = _first_of_ties(s, values, policy, splits)
    if any(first[v] != policy[v] for v in splits):
        policy.update(first)
        elimination = eliminate(s, duration, policy, record=True)
        values = elimination.values()
    return values, policy, elimination


def _first_of_ties(s: Structure, values: dict[str, float], policy: Policy,
                   splits: list[str]) -> Policy:
    """The optimal `policy` with each split taking the first of its branches (in the order the
    flows were drawn) that is as long as the longest.

    Branches that tie give the same times, but not the same critical path or process time;
    taking the first makes both independent of the guess the iteration started from (a fresh
    analysis, or the previous one's branches in the editor).
    """
    first: Policy = {}
    for v in splits:
        longest = values[policy[v]]
        floor = longest - RELATIVE_EPSILON * max(1.0, abs(longest))
        first[v] = next(t for t, _ in s.routes[v] if values[t] >= floor)
    return first


def _initial_policy(s: Structure, duration: dict[str, float]) -> Policy:
    """Longest branch by the times without rework: usually already the answer."""
    longest: dict[str, float] = {}
    policy: Policy = {}
    for v in reversed(s.order):
        out = s.routes[v]
        if s.alternative[v]:
            tail = sum((share or 0.0) * longest[t] for t, share in out) / 100.0
        elif out:
            best = max((t for t, _ in out), key=longest.__getitem__)
            policy[v] = best
            tail = longest[best]
        else:
            tail = 0.0
        longest[v] = duration[v] + tail
    return policy


def _lead(s: Structure, values: dict[str, float]) -> tuple[float, str]:
    start = max(s.starts, key=values.__getitem__)  # first start wins ties
    return values[start], start


def _critical_path(s: Structure, start: str, policy: Policy) -> list[str]:
    path = [start]
    v = start
    while s.routes[v]:
        if s.alternative[v]:
            v = max(s.routes[v], key=lambda route: route[1] or 0.0)[0]
        elif len(s.routes[v]) == 1:
            v = s.routes[v][0][0]
        else:
            v = policy[v]
        path.append(v)
    return path


def rolled_pca(s: Structure, pca: dict[str, float]) -> float | None:
    """Expected product of the %C&A (as fractions) of the distinct steps the work passes.

    Walks the steps in topological order keeping the distribution of the set of steps that have
    been reached but not yet passed; every route combination is weighted by its shares. Returns
    None if the combinations exceed ROLLED_PCA_STATE_LIMIT.
    """
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

    The figures are exactly those of a fresh `analyse` (ties between branches go to the first
    branch either way; tests compare the two over random sequences of edits).
    """

    def __init__(self) -> None:
        self._key: Hashable = None
        self._structure: Structure | None = None
        self._policy: Policy | None = None
        self._elimination: Elimination | None = None  # of self._policy, for its coefficients
        self._rolled: tuple[tuple[float, ...], float | None] | None = None  # (pca values, figure)

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
        guess = dict(self._policy) if self._policy is not None else None
        values, policy, elimination = _solve_eliminated(s, duration, guess, self._elimination)
        self._policy, self._elimination = dict(policy), elimination
        lead_time, start = _lead(s, values)
        # The process time solves the same linear equations with d = process time: it is the
        # expected visits from the lead start (the gradient of the lead time) times the process
        # times.
        visits = elimination.gradient({start: 1.0})
        result.lead_time = lead_time
        result.lead_start = start
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
        result.critical_path = _critical_path(s, start, policy)
        result.expected_time = values
        result.savings = _savings(s, steps, duration, lead_time, policy, elimination,
                                  values, visits)
        result.visits, result.utilisation, trouble = capacity_figures(map_, s)
        if trouble:
            result.problems.append(Problem(trouble, blocking=False))
        result.flags, reasons = _flags(map_, s, result)
        result.steps_to_change = sorted(
            (StepToChange(v, steps[v].name, result.flags[v], result.savings[v], reasons[v])
             for v in steps if result.flags[v]),
            key=lambda item: -item.saving)
        return result

    def _structure_of(self, map_: ValueStreamMap) -> tuple[Structure | None, list[Problem]]:
        """The map's structure, kept while its steps and flows stay the same."""
        key = structure_key(map_)
        if self._structure is not None and key == self._key:
            return self._structure, []
        s, problems = build_structure(map_)
        self._key, self._structure, self._rolled = key, s, None
        self._policy = self._elimination = None
        return s, problems

    def _rolled_pca(self, s: Structure, steps: dict[str, Step]) -> float | None:
        pca = tuple(st.pca for st in steps.values())
        if self._rolled is None or self._rolled[0] != pca:
            self._rolled = (pca, rolled_pca(s, {v: st.pca for v, st in steps.items()}))
        return self._rolled[1]


def _savings(s: Structure, steps: dict[str, Step], duration: dict[str, float],
             lead_time: float, policy: Policy, elimination: Elimination | None = None,
             values: dict[str, float] | None = None,
             visits: dict[str, float] | None = None) -> dict[str, float]:
    """saving(v) = lead time - lead time with wait(v) set to 0 (vsm.analysis.savings, exact).

    The rare step the fast method leaves undecided is re-solved directly.
    """
    raw, unresolved = fast_savings(s, {v: st.wait_time for v, st in steps.items()}, duration,
                                   policy, elimination, values, visits)
    for v in unresolved:
        raw[v] = _saving_direct(s, steps[v], duration, lead_time, policy)
    return {v: saving if saving > RELATIVE_EPSILON * max(1.0, lead_time) else 0.0
            for v, saving in raw.items()}


def _savings_direct(s: Structure, steps: dict[str, Step], duration: dict[str, float],
                    lead_time: float, policy: Policy) -> dict[str, float]:
    """saving(v) = lead time - lead time with wait(v) set to 0, by re-solving for every step.

    The definition itself, one full solve per step (quadratic): the tests compare the fast
    `_savings` against it.
    """
    savings: dict[str, float] = {}
    for v, step in steps.items():
        saving = _saving_direct(s, step, duration, lead_time, policy)
        savings[v] = saving if saving > RELATIVE_EPSILON * max(1.0, lead_time) else 0.0
    return savings


def _saving_direct(s: Structure, step: Step, duration: dict[str, float], lead_time: float,
                   policy: Policy) -> float:
    """Lead time minus the lead time re-solved with the step's wait removed."""
    if step.wait_time <= 0:
        return 0.0
    changed = dict(duration)
    changed[step.id] = step.process_time
    values, _ = _solve(s, changed, dict(policy))
    return lead_time - _lead(s, values)[0]


def handoff_key(step: Step) -> str:
    """Who holds the work at a step: its team (case-insensitive), else its performer.

    Work changes hands along a flow when the keys of its two steps differ.
    """
    return step.team.casefold() if step.team else step.performer


def _flags(map_: ValueStreamMap, s: Structure,
           result: MapAnalysis) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Flags and one human reason per flag, for every step."""
    limits = map_.thresholds
    steps = {st.id: st for st in map_.steps}
    lead = result.lead_time or 0.0
    flags: dict[str, list[str]] = {v: [] for v in steps}
    reasons: dict[str, list[str]] = {v: [] for v in steps}
    savings = result.savings
    top = max(steps, key=lambda v: savings[v])  # first step wins ties
    over = over_capacity_reasons(map_, result.utilisation, result.visits)

    def percent_of_lead(minutes: float) -> str:
        return f"{100 * minutes / lead:.0f}% of the lead time" if lead else ""

    vendors = {v for v, step in steps.items() if step.performer == "vendor"}
    neighbours: dict[str, list[Step]] = defaultdict(list)
    if vendors:
        for flow in map_.flows:
            if flow.kind == "normal" and (flow.source in vendors or flow.target in vendors):
                neighbours[flow.source].append(steps[flow.target])
                neighbours[flow.target].append(steps[flow.source])
    low_pca, rework_percent = limits.low_pca_percent, limits.rework_percent
    for v, step in steps.items():
        saving = savings[v]
        if saving > 0:
            if v == top:
                flags[v].append("bottleneck")
                reasons[v].append(
                    f"Biggest single saving: removing its {format_duration(step.wait_time)}"
                    f" wait cuts the lead time by {format_duration(saving)} "
                    f"({percent_of_lead(saving)}).")
            if lead and 100 * saving / lead >= limits.long_wait_percent:
                flags[v].append("long_wait")
                reasons[v].append(f"Work waits {format_duration(step.wait_time)} before this "
                                  f"step; removing the wait saves {format_duration(saving)} "
                                  f"({percent_of_lead(saving)}).")
        if step.pca < low_pca:
            flags[v].append("low_pca")
            reasons[v].append(f"Only {step.pca:g}% of its output reaches the next step complete "
                              f"and accurate (below {low_pca:g}%).")
        if s.rework[v]:
            back = 100 * s.rho(v)
            if back >= rework_percent:
                targets = ", ".join(repr(steps[t].name) for t, _ in s.rework[v])
                flags[v].append("rework")
                reasons[v].append(f"{back:g}% of its work goes back for rework (to {targets}).")
        if v in vendors:
            others = sorted({_label(o) for o in neighbours[v]
                             if handoff_key(o) != handoff_key(step)})
            if others:
                flags[v].append("vendor_handoff")
                reasons[v].append(f"Vendor step: work changes hands with {', '.join(others)}; "
                                  "each handoff adds queueing and contract friction.")
        if v in over:
            flags[v].append("over_capacity")
            reasons[v].append(over[v])
    return flags, reasons


def _label(step: Step) -> str:
    return step.team or step.performer


def _warnings(map_: ValueStreamMap) -> list[Problem]:
    """Problems that do not stop the analysis."""
    if len(map_.steps) < 2:
        return []
    linked = {f.source for f in map_.flows} | {f.target for f in map_.flows}
    return [Problem(f"Step {st.name!r} is not connected to any other step.", (st.id,), blocking=False)
            for st in map_.steps if st.id not in linked]
