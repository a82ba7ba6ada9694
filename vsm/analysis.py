"""Analysis of one value-stream map: lead time, process time, flow efficiency, rolled %C&A,
critical path, savings, flags and the ranked steps to change.

The semantics are in docs/analysis.md. In short, with d(v) = wait(v) + process(v):

    T(v) = d(v) + (1 - rho(v)) * F(v) + sum over rework flows r leaving v of p_r * T(target_r)

F(v) is 0 at an end step, the share-weighted mean of T over alternative routes, and the maximum
of T over concurrent branches. Rework makes this a fixed point. For a fixed choice of branch at
each concurrent split ("policy") the equations are linear, and because every rework flow goes
back to an ancestor they are solved exactly by elimination in reverse topological order
(`vsm.solver`). The maximum is found by policy iteration: evaluate, switch every concurrent split
to its longest branch, repeat until nothing changes (`_solve`). Savings come from one gradient
pass and small corrections (`vsm.savings`), with the same results as re-solving once per step
(`_savings_direct`, kept as the definition the tests compare against).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from vsm.capacity import capacity_figures, over_capacity_reasons, takt_time
from vsm.durations import format_duration
from vsm.model import Step, ValueStreamMap
from vsm.savings import fast_savings
from vsm.solver import (Elimination, eliminate, evaluate, misdirected_rework,
                        topological_order)

SHARE_TOLERANCE = 0.01  # percent: shares of alternative routes must sum to 100 within this
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
class Problem:
    """Something wrong with the map. Blocking problems stop the figures from being computed."""

    message: str
    step_ids: tuple[str, ...] = ()
    blocking: bool = True


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
    # Demand and capacity (vsm.capacity), only when the map's demand is set:
    takt_time: float | None = None  # minutes of working time between two arriving items
    visits: dict[str, float] = field(default_factory=dict)  # expected passes per item
    utilisation: dict[str, float] = field(default_factory=dict)  # percent; inf: nobody assigned

    @property
    def ok(self) -> bool:
        """True when no blocking problem stopped the analysis."""
        return not any(p.blocking for p in self.problems)


@dataclass
class Structure:
    """The flows of a map arranged for the solver."""

    order: list[str]  # topological order of the ordinary flows, ties in step order
    routes: dict[str, list[tuple[str, float | None]]]  # ordinary successors with share (percent)
    alternative: dict[str, bool]  # True when the outgoing ordinary flows carry shares
    rework: dict[str, list[tuple[str, float]]]  # rework targets with probability (fraction)
    starts: list[str]  # steps with no incoming ordinary flow, in step order
    _rho: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    def rho(self, step_id: str) -> float:
        """The fraction of work leaving the step that goes back for rework."""
        try:
            return self._rho[step_id]
        except KeyError:
            value = self._rho[step_id] = sum(p for _, p in self.rework[step_id])
            return value

    def concurrent_splits(self) -> list[str]:
        return [v for v in self.order if not self.alternative[v] and len(self.routes[v]) > 1]


Policy = dict[str, str]  # concurrent split -> the branch taken


def build_structure(map_: ValueStreamMap) -> tuple[Structure | None, list[Problem]]:
    """Arrange the map's flows for the solver, or return the problems that prevent it."""
    steps = {s.id: s for s in map_.steps}
    if not steps:
        return None, [Problem("The map has no steps yet.")]
    routes: dict[str, list[tuple[str, float | None]]] = {v: [] for v in steps}
    rework: dict[str, list[tuple[str, float]]] = {v: [] for v in steps}
    successors: dict[str, list[str]] = {v: [] for v in steps}
    predecessors: dict[str, list[str]] = {v: [] for v in steps}
    for flow in map_.flows:
        if flow.kind == "rework":
            rework[flow.source].append((flow.target, (flow.probability or 0.0) / 100.0))
        else:
            successors[flow.source].append(flow.target)
            predecessors[flow.target].append(flow.source)
            routes[flow.source].append((flow.target, flow.share))
    problems: list[Problem] = []
    name = {v: s.name for v, s in steps.items()}
    # Plain dicts rather than a networkx graph: the same order, and no import for `vsm report`.
    order = topological_order(successors, {v: i for i, v in enumerate(steps)})
    if order is None:
        import networkx as nx  # only to name the loop

        cycle = nx.find_cycle(nx.DiGraph([(u, t) for u, out in successors.items() for t in out]))
        loop = [u for u, _ in cycle] + [cycle[0][0]]
        problems.append(Problem(
            "The flows form a loop: " + " → ".join(name[v] for v in loop)
            + ". Use a rework flow for work that goes back.", tuple(loop[:-1])))
    alternative: dict[str, bool] = {}
    for v, out in routes.items():
        shares = [share for _, share in out if share is not None]
        alternative[v] = bool(shares)
        if shares and len(shares) < len(out):
            problems.append(Problem(
                f"Step {name[v]!r}: give every outgoing flow a share, or none "
                "(shares mean alternative routes; no shares mean all branches happen).", (v,)))
        elif shares and abs(sum(shares) - 100) > SHARE_TOLERANCE:
            problems.append(Problem(
                f"Step {name[v]!r}: the shares of its routes add up to {sum(shares):g}%, not 100%.",
                (v,)))
    for v, out in rework.items():
        if out and sum(p for _, p in out) >= 1:
            problems.append(Problem(
                f"Step {name[v]!r}: rework probabilities add up to "
                f"{100 * sum(p for _, p in out):g}%; they must stay below 100%.", (v,)))
    if problems:  # ancestry needs an acyclic graph; report the rest once that is fixed
        return None, problems
    rank = {v: i for i, v in enumerate(order)}
    wrong = misdirected_rework(successors, predecessors, rank, rework)
    for v, out in rework.items():
        for target, _ in out:
            if (v, target) in wrong:
                problems.append(Problem(
                    f"Rework from {name[v]!r} goes to {name[target]!r}, which does not come "
                    f"before it; rework must go back to an earlier step.", (v, target)))
    if problems:
        return None, problems
    starts = [v for v in steps if not predecessors[v]]
    return Structure(order, routes, alternative, rework, starts), []


def _evaluate(s: Structure, duration: dict[str, float], policy: Policy) -> dict[str, float]:
    """Solve T exactly for a fixed choice of branch at every concurrent split (vsm.solver)."""
    return evaluate(s, duration, policy)


def _solve(s: Structure, duration: dict[str, float],
           policy: Policy | None = None) -> tuple[dict[str, float], Policy]:
    """T for every step with the longest branch taken at each concurrent split (policy iteration)."""
    values, policy, _ = _solve_eliminated(s, duration, policy)
    return values, policy


def _solve_eliminated(s: Structure, duration: dict[str, float], policy: Policy | None = None
                      ) -> tuple[dict[str, float], Policy, Elimination]:
    """_solve, also returning the recorded elimination of the final policy (for gradients)."""
    if policy is None:
        policy = _initial_policy(s, duration)
    splits = s.concurrent_splits()
    for _ in range(len(splits) * 4 + 10):
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
            return values, policy, elimination
    raise RuntimeError("policy iteration did not settle")  # pragma: no cover - finite policies


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
    steps = {st.id: st for st in map_.steps}
    result = MapAnalysis()
    s, problems = build_structure(map_)
    result.problems = problems + _warnings(map_)
    result.takt_time = takt_time(map_)
    if s is None:
        return result
    duration = {v: st.wait_time + st.process_time for v, st in steps.items()}
    values, policy, elimination = _solve_eliminated(s, duration)
    lead_time, start = _lead(s, values)
    # The process time solves the same linear equations with d = process time: it is the
    # expected visits from the lead start (the gradient of the lead time) times the process times.
    visits = elimination.gradient({start: 1.0})
    result.lead_time = lead_time
    result.lead_start = start
    result.process_time = sum(count * steps[v].process_time for v, count in visits.items())
    result.flow_efficiency_percent = (
        100.0 * result.process_time / lead_time if lead_time > 0 else None)
    rolled = rolled_pca(s, {v: st.pca for v, st in steps.items()})
    if rolled is None:
        result.problems.append(Problem(
            "Rolled %C&A not computed: too many combinations of alternative routes run at the "
            "same time.", blocking=False))
    else:
        result.rolled_pca_percent = 100.0 * rolled
    result.critical_path = _critical_path(s, start, policy)
    result.expected_time = values
    result.savings = _savings(s, steps, duration, lead_time, policy, elimination)
    result.visits, result.utilisation, trouble = capacity_figures(map_, s)
    if trouble:
        result.problems.append(Problem(trouble, blocking=False))
    result.flags, reasons = _flags(map_, s, result)
    result.steps_to_change = sorted(
        (StepToChange(v, steps[v].name, result.flags[v], result.savings[v], reasons[v])
         for v in steps if result.flags[v]),
        key=lambda item: -item.saving)
    return result


def _savings(s: Structure, steps: dict[str, Step], duration: dict[str, float],
             lead_time: float, policy: Policy,
             elimination: Elimination | None = None) -> dict[str, float]:
    """saving(v) = lead time - lead time with wait(v) set to 0 (vsm.savings, exact).

    The rare step the fast method leaves undecided is re-solved directly.
    """
    raw, unresolved = fast_savings(s, {v: st.wait_time for v, st in steps.items()}, duration,
                                   policy, elimination)
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

    neighbours: dict[str, list[Step]] = defaultdict(list)
    for flow in map_.flows:
        if flow.kind == "normal":
            neighbours[flow.source].append(steps[flow.target])
            neighbours[flow.target].append(steps[flow.source])
    for v, step in steps.items():
        saving = savings[v]
        if v == top and saving > 0:
            flags[v].append("bottleneck")
            reasons[v].append(f"Biggest single saving: removing its {format_duration(step.wait_time)}"
                              f" wait cuts the lead time by {format_duration(saving)} "
                              f"({percent_of_lead(saving)}).")
        if saving > 0 and lead and 100 * saving / lead >= limits.long_wait_percent:
            flags[v].append("long_wait")
            reasons[v].append(f"Work waits {format_duration(step.wait_time)} before this step; "
                              f"removing the wait saves {format_duration(saving)} "
                              f"({percent_of_lead(saving)}).")
        if step.pca < limits.low_pca_percent:
            flags[v].append("low_pca")
            reasons[v].append(f"Only {step.pca:g}% of its output reaches the next step complete "
                              f"and accurate (below {limits.low_pca_percent:g}%).")
        back = 100 * s.rho(v)
        if s.rework[v] and back >= limits.rework_percent:
            targets = ", ".join(repr(steps[t].name) for t, _ in s.rework[v])
            flags[v].append("rework")
            reasons[v].append(f"{back:g}% of its work goes back for rework (to {targets}).")
        if step.performer == "vendor":
            others = sorted({_label(o) for o in neighbours[v] if handoff_key(o) != handoff_key(step)})
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
