"""Exact solution of the expected-time equations for one fixed policy, and their gradients.

For a fixed choice of branch at every concurrent split (a *policy*) the equations of
docs/analysis.md are linear:

    T(v) = d(v) + (1 - rho(v)) * sum of w_t T(t) over the next steps t + sum of p_r T(target_r)

`eliminate` solves them exactly in reverse topological order: each T(v) is written as a constant
c(v) plus multiples of T of rework targets not yet reached (earlier in this order: upstream
steps, or steps on other alternative routes; a target later in the order is already solved and
substituted); a target is solved for itself the moment it is reached. `Elimination.values` then fills in the numbers with one forward pass. This
is Gaussian elimination without pivoting of I - P, P the substochastic matrix of the chosen
branches, shares and rework: work can finish from every step whatever the branches chosen
(vsm.analysis.absorbing), so I - P is a non-singular M-matrix and every pivot is positive.

The constants are linear in the durations with coefficients that do not depend on them, so the
elimination is also a recipe for derivatives. `Elimination.gradient(seeds)` returns, for a
weighted sum J = sum of seeds[u] * T(u), the derivative dJ/dd(v) for every step, by reverse-mode
differentiation through the recorded elimination (two sparse sweeps). For J = T(u) that
derivative is the expected number of visits of each step by work entering at u. Only steps whose
derivative is not zero are visited, and values that cancel to rounding noise are dropped, so the
difference of two branches that meet again costs only the steps between the split and the join.

The structure `s` is vsm.analysis.figures.Structure (duck-typed here to keep the import one way). The
graph helpers at the end (`topological_order`, `comes_before`, `misdirected_rework`) give
build_structure the order and the rework checks on plain dicts, in time linear in the part of
the map they look at.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

NOISE = 1e-12  # derivative values this small are rounding left over from cancellation


@dataclass
class Elimination:
    """The elimination of one policy: T(v) = const[v] + sum of open[v][u] * T(u).

    With `record`, `deps[v]` lists the (step, factor) pairs whose constants const[v] was built
    from (const[v] = scale[v] * (d(v) + sum of factor * const[step])) and `scale[v]` the final
    division by 1 - (the loop back to v itself).

    Only `const` depends on the durations: `open`, `scale` and `deps` are fixed by the structure
    and the policy. So a recorded elimination serves other durations of the same policy
    (`with_durations`, one pass), and its gradients, which depend on the coefficients alone, are
    kept for every elimination that shares them.
    """

    order: list[str]
    position: dict[str, int]
    const: dict[str, float]
    open: dict[str, dict[str, float]]
    scale: dict[str, float]
    deps: dict[str, list[tuple[str, float]]]
    recorded: bool = False
    _gradients: dict[tuple[tuple[str, float], ...], dict[str, float]] = field(
        default_factory=dict, repr=False, compare=False)

    def with_durations(self, duration: dict[str, float]) -> Elimination:
        """The elimination of the same policy for other durations: the constants built again
        from the recorded recipe, exactly as `eliminate` would build them; the coefficients and
        the gradients kept."""
        if not self.recorded:
            raise ValueError("with_durations needs an elimination made with record=True")
        const: dict[str, float] = {}
        deps, scale = self.deps, self.scale
        for v in reversed(self.order):
            c = duration[v]
            for t, factor in deps[v]:
                c += factor * const[t]
            const[v] = c * scale[v]
        return Elimination(self.order, self.position, const, self.open, scale, deps, True,
                           self._gradients)

    def values(self) -> dict[str, float]:
        """T for every step (the forward pass)."""
        values: dict[str, float] = {}
        const, open_ = self.const, self.open
        for v in self.order:
            k = open_[v]
            values[v] = const[v] + sum(value * values[u] for u, value in k.items()) if k else const[v]
        return values

    def gradient(self, seeds: dict[str, float]) -> dict[str, float]:
        """d(sum of seeds[u] * T(u)) / dd(v) for every step v where it is not zero.

        Computed once per seeds for the coefficients: the dict returned is shared, not a copy.
        """
        key = tuple(seeds.items())
        found = self._gradients.get(key)
        if found is None:
            found = self._gradients[key] = self._gradient(seeds)
        return found

    def _gradient(self, seeds: dict[str, float]) -> dict[str, float]:
        position = self.position
        # Sweep 1, latest step first: through T(v) = const[v] + sum open[v][u] T(u).
        bar_t: dict[str, float] = dict(seeds)
        heap = [-position[u] for u in seeds]
        heapq.heapify(heap)
        order = self.order
        bar_c: dict[str, float] = {}
        while heap:
            v = order[-heapq.heappop(heap)]
            value = bar_t[v]
            if -NOISE < value < NOISE:
                continue
            bar_c[v] = value
            for u, k in self.open[v].items():
                if u in bar_t:
                    bar_t[u] += value * k
                else:
                    bar_t[u] = value * k
                    heapq.heappush(heap, -position[u])
        # Sweep 2, earliest step first: through const[v] = scale[v] * (d(v) + sum f const[t]).
        heap = [position[u] for u in bar_c]
        heapq.heapify(heap)
        result: dict[str, float] = {}
        while heap:
            v = order[heapq.heappop(heap)]
            value = bar_c[v]
            if -NOISE < value < NOISE:
                continue
            value *= self.scale[v]
            result[v] = value
            for t, factor in self.deps[v]:
                if t in bar_c:
                    bar_c[t] += value * factor
                else:
                    bar_c[t] = value * factor
                    heapq.heappush(heap, position[t])
        return result


def eliminate(s: Any, duration: dict[str, float], policy: dict[str, str],
              record: bool = False) -> Elimination:
    """Solve the linear equations of `policy` by elimination (see the module docstring)."""
    order = s.order
    position = {v: i for i, v in enumerate(order)}
    const: dict[str, float] = {}
    open_: dict[str, dict[str, float]] = {}
    scales: dict[str, float] = {}
    deps: dict[str, list[tuple[str, float]]] = {}
    rework = s.rework
    fixed = s.fixed_next()
    rho = s.rho
    for v in reversed(order):
        c = duration[v]
        coefs: dict[str, float] = {}
        taken: list[tuple[str, float]] = []
        keep = 1.0 - rho(v)
        out = fixed[v]
        if keep:  # a step sending all its work back never takes its ordinary flows
            for target, weight in (((policy[v], 1.0),) if out is None else out):
                factor = keep * weight
                c += factor * const[target]
                if record:
                    taken.append((target, factor))
                for symbol, value in open_[target].items():
                    coefs[symbol] = coefs.get(symbol, 0.0) + factor * value
        for target, p in rework[v]:
            coefs[target] = coefs.get(target, 0.0) + p
        # Substitute targets already solved (later in the order), earliest solved first, until
        # only open ones (earlier in the order, or v itself) remain.
        mine = position[v]
        pending = [-position[u] for u in coefs if position[u] > mine]
        if pending:
            heapq.heapify(pending)
            while pending:
                u = order[-heapq.heappop(pending)]
                factor = coefs.pop(u)
                c += factor * const[u]
                if record:
                    taken.append((u, factor))
                for symbol, value in open_[u].items():
                    if symbol not in coefs and position[symbol] > mine:
                        heapq.heappush(pending, -position[symbol])
                    coefs[symbol] = coefs.get(symbol, 0.0) + factor * value
        scale = 1.0 / (1.0 - coefs.pop(v, 0.0))
        const[v] = c * scale
        open_[v] = {u: value * scale for u, value in coefs.items() if value}
        scales[v] = scale
        deps[v] = taken
    return Elimination(order, position, const, open_, scales, deps, record)


def topological_order(successors: dict[str, list[str]], position: dict[str, int]) -> list[str] | None:
    """The steps in topological order, ties broken by `position` (the same order as networkx's
    lexicographical_topological_sort with that key); None if the flows form a loop."""
    indegree = dict.fromkeys(successors, 0)
    for out in successors.values():
        for t in out:
            indegree[t] += 1
    ready = [(position[v], v) for v, count in indegree.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, v = heapq.heappop(ready)
        order.append(v)
        for t in successors[v]:
            indegree[t] -= 1
            if indegree[t] == 0:
                heapq.heappush(ready, (position[t], t))
    return order if len(order) == len(successors) else None


def comes_before(predecessors: dict[str, list[str]], rank: dict[str, int], ancestor: str,
                 step: str) -> bool:
    """True if an ordinary path leads from `ancestor` to `step`.

    Searches back from `step`, never past steps earlier than `ancestor` in the topological order
    `rank`: the cost is the part of the map between the two, not the whole map.
    """
    floor = rank[ancestor]
    if rank[step] <= floor:
        return False
    seen, frontier = {step}, [step]
    while frontier:
        for u in predecessors[frontier.pop()]:
            if u == ancestor:
                return True
            if u not in seen and rank[u] > floor:
                seen.add(u)
                frontier.append(u)
    return False


def misdirected_rework(successors: dict[str, list[str]], predecessors: dict[str, list[str]],
                       rank: dict[str, int], rework: dict[str, list[tuple[str, float]]]
                       ) -> set[tuple[str, str]]:
    """The rework flows (source, target) whose target does not come before their source.

    A target with one source is checked by `comes_before`; a target with several (work sent
    back to triage from everywhere) by one forward search from it, never past its furthest
    source. Either way each target costs at most the part of the map it spans, once.
    """
    sources: dict[str, list[str]] = {}
    for v, out in rework.items():
        for target, _ in out:
            if target != v:
                sources.setdefault(target, []).append(v)
    wrong: set[tuple[str, str]] = set()
    for target, froms in sources.items():
        if len(froms) == 1:
            if not comes_before(predecessors, rank, target, froms[0]):
                wrong.add((froms[0], target))
            continue
        ceiling = max(rank[v] for v in froms)
        reached, frontier = {target}, [target]
        while frontier:
            for t in successors[frontier.pop()]:
                if t not in reached and rank[t] <= ceiling:
                    reached.add(t)
                    frontier.append(t)
        wrong.update((v, target) for v in froms if v not in reached)
    return wrong
