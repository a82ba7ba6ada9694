"""The visits of vsm.analysis.capacity as first written: a reference for the tests, kept verbatim.

It walks one pass over every step for every rework target, with the descendants of every step as
frozensets, and solves the pass equations by dense elimination: obviously following the module
docstring of vsm.analysis.capacity, and quadratic or worse. tests/pure/test_capacity_reference.py compares
the fast vsm.analysis.capacity.visits against it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from vsm.analysis.capacity import CapacityError

if TYPE_CHECKING:
    from vsm.analysis import Structure

STATE_LIMIT = 200_000  # sets of reached steps tracked at once, as for rolled %C&A
PIVOT_EPSILON = 1e-12


def visits(s: Structure) -> dict[str, float]:
    """The expected number of times one item passes each step (see the module docstring).

    Raises CapacityError when there are too many combinations of routes, or when rework from
    concurrent branches starts, on average, at least one new pass per pass (it never ends).
    """
    below = descendants(s)
    root_reach, root_spawn = _walk(s, frozenset(s.starts), below)
    targets = sorted({t for out in s.rework.values() for t, _ in out}, key=s.order.index)
    walks = {t: _walk(s, frozenset([t]), below) for t in targets}
    solved = _solve_passes(targets, {t: walks[t][0] for t in targets},
                           {t: walks[t][1] for t in targets})
    result = dict(root_reach)
    for t, count in root_spawn.items():
        for v, value in solved[t].items():
            result[v] = result.get(v, 0.0) + count * value
    return {v: result.get(v, 0.0) for v in s.order}


def descendants(s: Structure) -> dict[str, frozenset[str]]:
    """Every step reachable from each step along ordinary flows (the step itself excluded)."""
    below: dict[str, frozenset[str]] = {}
    for v in reversed(s.order):
        found: set[str] = set()
        for target, _ in s.routes[v]:
            found.add(target)
            found |= below[target]
        below[v] = frozenset(found)
    return below


def _walk(s: Structure, initial: frozenset[str],
          below: dict[str, frozenset[str]]) -> tuple[dict[str, float], dict[str, float]]:
    """One pass from the steps `initial`: (reach probability of each step, probability that the
    pass sends work back to each rework target, which starts a new pass there).

    A state is (steps reached but not yet passed, steps cut off, rework targets hit): when a step
    sends the work back, everything downstream of it is cut off for the rest of the pass, because
    the new pass will reach it (a join waits for the branch that went back). Work sent back to the
    same target by several concurrent branches of one pass starts one new pass, not several.
    """
    empty: frozenset[str] = frozenset()
    State = tuple[frozenset[str], frozenset[str], frozenset[str]]
    states: dict[State, float] = {(initial, empty, empty): 1.0}
    reach: dict[str, float] = defaultdict(float)
    for v in s.order:
        following: dict[State, float] = defaultdict(float)
        for (pending, cut, hit), weight in states.items():
            if v not in pending:
                following[pending, cut, hit] += weight
                continue
            reach[v] += weight
            rest = pending - {v}
            for target, p in s.rework[v]:
                following[rest - below[v], cut | below[v], hit | {target}] += weight * p
            keep = weight * (1.0 - s.rho(v))
            out = s.routes[v]
            if s.alternative[v]:
                total = sum(share or 0.0 for _, share in out)
                for target, share in out:
                    reached = rest if target in cut else rest | {target}
                    following[reached, cut, hit] += keep * (share or 0.0) / total
            else:
                following[rest | ({t for t, _ in out} - cut), cut, hit] += keep
        states = following
        if len(states) > STATE_LIMIT:
            raise CapacityError("too many combinations of alternative routes run at the same time")
    spawn: dict[str, float] = defaultdict(float)
    for (_, _, hit), weight in states.items():
        for target in hit:
            spawn[target] += weight
    return dict(reach), dict(spawn)


def _solve_passes(targets: list[str], reach: dict[str, dict[str, float]],
                  spawn: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """N_t = reach_t + sum_u spawn_t(u) N_u for every rework target t, by Gaussian elimination.

    The matrix I - spawn has no positive off-diagonal entries, so elimination without pivoting
    keeps every pivot positive exactly when the passes die out (a non-singular M-matrix); a pivot
    that is not positive means the rework never ends on average.
    """
    size = len(targets)
    index = {t: i for i, t in enumerate(targets)}
    matrix = [[(1.0 if i == j else 0.0) - spawn[t].get(u, 0.0) for j, u in enumerate(targets)]
              for i, t in enumerate(targets)]
    rhs = [dict(reach[t]) for t in targets]
    for k in range(size):
        pivot = matrix[k][k]
        if pivot <= PIVOT_EPSILON:
            raise CapacityError(
                "rework sends work back so often that on average it never ends (rework from "
                "several concurrent branches to before their split adds up to one pass or more)")
        for i in range(k + 1, size):
            factor = matrix[i][k] / pivot
            if factor == 0.0:
                continue
            for j in range(k, size):
                matrix[i][j] -= factor * matrix[k][j]
            for v, value in rhs[k].items():
                rhs[i][v] = rhs[i].get(v, 0.0) - factor * value
    solution: list[dict[str, float]] = [{} for _ in targets]
    for i in reversed(range(size)):
        row = dict(rhs[i])
        for j in range(i + 1, size):
            if matrix[i][j]:
                for v, value in solution[j].items():
                    row[v] = row.get(v, 0.0) - matrix[i][j] * value
        solution[i] = {v: value / matrix[i][i] for v, value in row.items()}
    return {t: solution[index[t]] for t in targets}
