"""The flows of a map arranged for the solver (`Structure`), and the problems that prevent it.

`build_structure` checks what makes the figures impossible (a loop of ordinary flows, shares
that do not add up, rework that goes forward or to a step running at the same time, rework over
100 %, work that can never finish: vsm.analysis.absorbing) and arranges the rest: topological
order, routes, rework, the steps sending all their work back. `structure_key` is everything the
structure depends on, so an analysis repeated after an edit that changed only times or %C&A can
keep it (vsm.analysis.figures.Analyser).

The structure depends on the map's content only, never on the order in which steps and flows
were drawn: wherever an order is needed (ties in the topological order, the routes and rework
of a step, the starts) steps go by name, then id (`content_order`), so every figure computed
from it, and every seeded simulation, is the same however the map was built. Stray steps
(`stray_steps`: connected to no other step, in a map where flows join other steps) are left out
of the order and the starts, so of every figure; the analysis names them in a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Hashable

from vsm.analysis.absorbing import (
    FULL_REWORK,
    OVER_FULL,
    listed,
    misdirected,
    never_finishing,
    once_through,
)
from vsm.analysis.solver import misdirected_rework, topological_order
from vsm.model import ValueStreamMap
from vsm.model.field_rules import SHARE_TOLERANCE

Policy = dict[str, str]  # concurrent split -> the branch taken


@dataclass
class Problem:
    """Something wrong with the map. Blocking problems stop the figures from being computed."""

    message: str
    step_ids: tuple[str, ...] = ()
    blocking: bool = True


@dataclass
class Structure:
    """The flows of a map arranged for the solver."""

    order: list[str]  # topological order of the ordinary flows, ties by name, then id; no strays
    routes: dict[str, list[tuple[str, float | None]]]  # ordinary successors with share (percent)
    alternative: dict[str, bool]  # True when the outgoing ordinary flows carry shares
    rework: dict[str, list[tuple[str, float]]]  # rework targets with probability (fraction)
    starts: list[str]  # steps with no incoming ordinary flow, by name, then id; no strays
    left_out: list[str] = field(default_factory=list)  # stray steps (stray_steps), in step order
    # Steps sending all their work back (rework adding up to 100 %), in order; rho is exactly 1.
    full_rework: list[str] = field(default_factory=list)
    _rho: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    _fixed: dict[str, list[tuple[str, float]] | None] | None = field(
        default=None, repr=False, compare=False)
    _through: set[str] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        for v in self.full_rework:
            self._rho[v] = 1.0

    def rho(self, step_id: str) -> float:
        """The fraction of work leaving the step that goes back for rework (exactly 1 for a step
        that sends all its work back)."""
        try:
            return self._rho[step_id]
        except KeyError:
            value = self._rho[step_id] = sum(p for _, p in self.rework[step_id])
            return value

    def once_through(self) -> set[str] | None:
        """The steps from which work can reach an end along ordinary flows without passing a step
        that sends all its work back (vsm.analysis.absorbing.once_through); None when no step
        does, so every step can. Computed once."""
        if not self.full_rework:
            return None
        if self._through is None:
            self._through = once_through(self.order, self.routes, self.alternative,
                                         set(self.full_rework))
        return self._through

    def concurrent_splits(self) -> list[str]:
        """The steps whose several ordinary successors all happen, in topological order."""
        return [v for v in self.order if not self.alternative[v] and len(self.routes[v]) > 1]

    def fixed_next(self) -> dict[str, list[tuple[str, float]] | None]:
        """For every step, the successors whose times make up F(v) with their weights (shares as
        fractions of their sum; 1 for a single successor; none at an end), or None at a
        concurrent split, where the policy picks the branch. Computed once."""
        if self._fixed is None:
            fixed: dict[str, list[tuple[str, float]] | None] = {}
            for v, out in self.routes.items():
                if self.alternative[v]:
                    total = sum(share or 0.0 for _, share in out)
                    fixed[v] = [(target, (share or 0.0) / total) for target, share in out]
                elif len(out) > 1:
                    fixed[v] = None
                else:
                    fixed[v] = [(target, 1.0) for target, _ in out]
            self._fixed = fixed
        return self._fixed


def structure_key(map_: ValueStreamMap) -> Hashable:
    """Everything build_structure reads when it succeeds: the steps (ids and names, which order
    ties) and every flow.

    Two maps with equal keys have equal structures (a map with problems has no structure to keep).
    """
    return (tuple((step.id, step.name) for step in map_.steps),
            tuple((f.source, f.target, f.kind, f.share, f.probability) for f in map_.flows))


def content_order(map_: ValueStreamMap) -> dict[str, int]:
    """Each step's rank when the steps go by name, then id (ids are unique): the order every
    tie in the analysis follows, whatever order the steps were drawn in."""
    ranked = sorted(map_.steps, key=lambda step: (step.name, step.id))
    return {step.id: i for i, step in enumerate(ranked)}


def stray_steps(map_: ValueStreamMap) -> list[str]:
    """The steps joined to no other step by any flow, in step order, when some flow joins two
    steps; none when no flow does (a map whose steps are not connected yet).

    A step dropped on a map and not connected would otherwise be a start of its own, and with a
    long wait take over the lead time and the critical path; the analysis leaves it out.
    """
    linked: set[str] = set()
    for flow in map_.flows:
        if flow.source != flow.target:
            linked.add(flow.source)
            linked.add(flow.target)
    if not linked:
        return []
    return [step.id for step in map_.steps if step.id not in linked]


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
    left_out = stray_steps(map_)
    stray = set(left_out)
    position = content_order(map_)
    # Plain dicts rather than a networkx graph: the same order, and no import for `vsm report`.
    order = topological_order({v: out for v, out in successors.items() if v not in stray},
                              position)
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
    full: list[str] = []
    for v, back in rework.items():
        if not back or sum(p for _, p in back) < FULL_REWORK:
            continue
        total = math.fsum(p for _, p in back)
        if total > OVER_FULL:
            problems.append(Problem(
                f"Step {name[v]!r}: rework probabilities add up to {100 * total:g}%; they must "
                "not add up to more than 100%.", (v,)))
        elif total >= FULL_REWORK:  # every exit is rework: exactly 100 %, whatever the rounding
            full.append(v)
            rework[v] = [(target, p / total) for target, p in back]
    if problems:  # ancestry needs an acyclic graph; report the rest once that is fixed
        return None, problems
    assert order is not None  # no order means a loop, a problem returned above
    rank = {v: i for i, v in enumerate(order)}
    wrong = misdirected_rework(successors, predecessors, rank, rework)
    if wrong:  # rework to a step that is not upstream: allowed unless forward or running together
        starts = [v for v in steps if not predecessors[v] and v not in stray]
        forward, together = misdirected(wrong, successors, predecessors, order, alternative,
                                        starts)
        for v, back in rework.items():
            for target, _ in back:
                if (v, target) in forward:
                    problems.append(Problem(
                        f"Rework from {name[v]!r} goes to {name[target]!r}, which does not come "
                        f"before it; rework must go back to an earlier step.", (v, target)))
                elif (v, target) in together:
                    problems.append(Problem(
                        f"Rework from {name[v]!r} goes to {name[target]!r}, which runs at the "
                        f"same time (concurrent branches or several starts lead to both); send "
                        f"it to a step before the split, in the same branch, or on another "
                        f"alternative route.", (v, target)))
    if problems:
        return None, problems
    for v in left_out:  # a stray step's rework ("do it again") is left out with it
        rework[v] = []
    if full:  # in order; a stray step is left out
        marked = set(full)
        full = [v for v in order if v in marked]
    trapped = never_finishing(order, routes, alternative, rework, set(full))
    if trapped:
        stuck = set(trapped)
        return None, [Problem(
            f"Work at {listed([name[v] for v in trapped])} can never finish: rework always sends "
            f"it back before it reaches an end. Keep the rework of "
            f"{listed([name[v] for v in full if v in stuck], 'or')} below 100%, or send it to a "
            f"step from which the work can finish.", tuple(trapped))]
    by_content = position.__getitem__
    for out in routes.values():
        out.sort(key=lambda route: by_content(route[0]))
    for back in rework.values():
        back.sort(key=lambda flow: by_content(flow[0]))
    starts = sorted((v for v in steps if not predecessors[v] and v not in stray), key=by_content)
    return Structure(order, routes, alternative, rework, starts, left_out, full), []
