"""Savings of every step at the cost of about one analysis, with the exact results of re-solving.

saving(v) = L(d) - L(d - wait(v) e_v), where L is the lead time as a function of the step
durations d (docs/analysis.md). L is the largest, over the starts and over the choices of branch
at the concurrent splits (policies), of a function linear in d, so it is convex. Let pi be the
optimal policy and s* the lead start; H(u, v) is the expected number of visits of v by work
entering at u under pi, and g(v) = H(s*, v), the derivative of L with respect to d(v).

1. Under pi the lead time is linear: removing the wait of v gives L - wait(v) g(v). Removing it
   can only lower times, so saving(v) <= wait(v) g(v), and g(v) = 0 means a saving of exactly 0.
2. pi stays optimal for the shortened durations (and the figures stay linear) unless, at some
   concurrent split x taking branch c instead of b, the cut shortens T(c) by more than T(b) by
   more than the gap between them: wait(v) * D_xb(v) > T(c) - T(b), with
   D_xb(v) = H(c, v) - H(b, v). The same holds for another start s against the lead start.
   Each D_xb is one sparse reverse-mode gradient (vsm.analysis.solver): branches that meet again cancel,
   so it only covers the steps between the split and the join (and the steps rework reaches).
3. Where some gap is exceeded, the better policy differs from pi at a few splits X. Changing the
   branch at x changes one row of the linear system, so by the Sherman-Morrison-Woodbury formula
   the times under the new policy are those under pi plus a correction through a |X| x |X|
   system whose entries are the D_xb again. Policy iteration runs on that small system (switch
   every affected split to its longest branch, repeat) until nothing changes, which is exactly
   what re-solving would do. Only if it does not settle quickly is the step left to the direct
   re-solve (`unresolved`).

All of it is exact arithmetic on the same linear equations; only gradient values below
vsm.analysis.solver.NOISE (rounding left by cancellation) are dropped, and branch choices that differ by
less than TIE_TOLERANCE of the lead time count as ties, as in the solver itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from vsm.analysis.policy import RELATIVE_EPSILON, lead, solve
from vsm.analysis.solver import Elimination, eliminate
from vsm.analysis.structure import Policy, Structure
from vsm.model import Step

TIE_TOLERANCE = 1e-8  # relative to the lead time: smaller improvements do not switch a branch
MAX_SWITCHED = 64  # splits switched for one step before the direct re-solve takes over
MAX_ROUNDS = 50  # policy-iteration rounds for one step before the direct re-solve takes over


@dataclass
class _Pair:
    """Split x takes branch `taken` rather than `other`: gap = T(taken) - T(other) >= 0."""

    split: str
    taken: str
    other: str
    gap: float
    diff: dict[str, float]  # D(v) = H(taken, v) - H(other, v), where not zero


@dataclass
class _Context:
    """What every step's saving is computed from."""

    s: Any
    lead: float
    visits: dict[str, float]  # g(v)
    keep: dict[str, float]  # 1 - rho(x) for each concurrent split x
    pairs: dict[tuple[str, str], _Pair]  # (split, other branch) -> pair
    branches: dict[str, list[str]]  # concurrent split -> its branches
    policy: dict[str, str]
    touching: dict[str, list[_Pair]]  # step -> the pairs whose D is not zero there
    crossing: set[str]  # steps whose cut exceeds some gap: the policy may change for them
    rivals: list[tuple[float, dict[str, float]]]  # other starts: (L - T(s), g - H(s, .))
    tolerance: float


def fast_savings(s: Any, waits: dict[str, float], duration: dict[str, float],
                 policy: dict[str, str], elimination: Elimination | None = None,
                 values: dict[str, float] | None = None,
                 visits: dict[str, float] | None = None,
                 lead_start: str | None = None) -> tuple[dict[str, float], list[str]]:
    """saving(v) for every step (before the zero threshold), and the steps left to re-solve.

    `policy` must be optimal for `duration` (as vsm.analysis.policy.solve returns it); `elimination`,
    if given, is its recorded elimination, `values` its times and `visits` its gradient from
    `lead_start`, the start the analysis chose among tied ones (each saves computing it again).
    """
    if elimination is None:
        elimination = eliminate(s, duration, policy, record=True)
    if values is None:
        values = elimination.values()
    if lead_start is None:
        lead_start = lead(s, values)[1]
    longest = values[lead_start]
    if visits is None:
        visits = elimination.gradient({lead_start: 1.0})
    savings = dict.fromkeys(waits, 0.0)
    steps = [v for v, wait in waits.items() if wait > 0 and visits.get(v, 0.0) > 0]
    if not steps:
        return savings, []
    context = _context(s, elimination, values, visits, policy, longest, lead_start, waits,
                       max(waits[v] * visits[v] for v in steps))
    unresolved = []
    for v in steps:
        saving = _saving(context, v, waits[v])
        if saving is None:
            unresolved.append(v)
        else:
            savings[v] = saving
    return savings, unresolved


def _context(s: Any, elimination: Elimination, values: dict[str, float],
             visits: dict[str, float], policy: dict[str, str], lead: float, lead_start: str,
             waits: dict[str, float], largest_cut: float) -> _Context:
    tolerance = TIE_TOLERANCE * max(1.0, abs(lead))
    pairs: dict[tuple[str, str], _Pair] = {}
    branches: dict[str, list[str]] = {}
    touching: dict[str, list[_Pair]] = defaultdict(list)
    crossing: set[str] = set()
    keep: dict[str, float] = {}
    for x in s.concurrent_splits():
        taken = policy[x]
        branches[x] = [t for t, _ in s.routes[x]]
        keep[x] = 1.0 - s.rho(x)
        for other in branches[x]:
            if other == taken:
                continue
            diff = elimination.gradient({taken: 1.0, other: -1.0})
            pair = _Pair(x, taken, other, values[taken] - values[other], diff)
            pairs[(x, other)] = pair
            limit = pair.gap + tolerance
            for u, value in diff.items():
                touching[u].append(pair)
                if waits[u] * value > limit:  # the first round of _saving would switch x
                    crossing.add(u)
    rivals = []
    for start in s.starts:
        gap = lead - values[start]
        # A start further behind than the largest possible cut can never become the lead start.
        if start != lead_start and gap <= largest_cut + tolerance:
            rivals.append((gap, elimination.gradient({lead_start: 1.0, start: -1.0})))
    return _Context(s, lead, visits, keep, pairs, branches, policy, touching, crossing, rivals,
                    tolerance)


def _saving(c: _Context, v: str, wait: float) -> float | None:
    """The saving of removing `wait` at step v; None if the direct re-solve must decide."""
    switched: dict[str, str] = {}  # split -> branch taken instead of the policy's
    correction: dict[str, float] | None  # x -> keep(x) * z(x) of the Woodbury correction
    correction = {}
    if v not in c.crossing:  # no gap exceeded: the policy stays, the cut is linear
        return c.lead - _lead_after(c, v, wait, correction)
    for _ in range(MAX_ROUNDS):
        affected = {pair.split for pair in c.touching.get(v, ())}
        for x in switched:
            affected.add(x)
            affected.update(pair.split for pair in c.touching.get(x, ()))
        changed = False
        for y in affected:
            current = switched.get(y, c.policy[y])
            best, best_value = current, _branch_value(c, y, current, v, wait, correction)
            for branch in c.branches[y]:
                if branch != current:
                    value = _branch_value(c, y, branch, v, wait, correction)
                    if value > best_value + c.tolerance:
                        best, best_value = branch, value
            if best != current:
                changed = True
                if best == c.policy[y]:
                    del switched[y]
                else:
                    switched[y] = best
        if not changed:
            break
        if len(switched) > MAX_SWITCHED:
            return None
        correction = _correction(c, switched, v, wait)
        if correction is None:
            return None
    else:
        return None
    return c.lead - _lead_after(c, v, wait, correction)


def _lead_after(c: _Context, v: str, wait: float, correction: dict[str, float]) -> float:
    """The largest start time after the cut, with the policy the correction describes."""
    own = c.lead - wait * c.visits[v] + _dot(c.visits, correction)
    best = own
    for gap, diff in c.rivals:
        best = max(best, own - (gap - wait * diff.get(v, 0.0) + _dot(diff, correction)))
    return best


def _branch_value(c: _Context, y: str, branch: str, v: str, wait: float,
                  correction: dict[str, float]) -> float:
    """T(branch) - T(policy's branch at y) after the cut, under the switched policy."""
    if branch == c.policy[y]:
        return 0.0
    pair = c.pairs[(y, branch)]
    return -(pair.gap - wait * pair.diff.get(v, 0.0) + _dot(pair.diff, correction))


def _dot(diff: dict[str, float], correction: dict[str, float]) -> float:
    return sum(diff.get(x, 0.0) * value for x, value in correction.items())


def _correction(c: _Context, switched: dict[str, str], v: str,
                wait: float) -> dict[str, float] | None:
    """keep(x) * z(x) for each switched split x, where (I - W) z = r (Woodbury), or None if the
    system is singular (it cannot be for a valid map; the direct re-solve then decides)."""
    splits = list(switched)
    rows = []
    for x in splits:
        pair = c.pairs[(x, switched[x])]
        # Row x of V^T M is H(new, .) - H(taken, .) = -D; W = V^T M U with U = keep(x) e_x.
        row = [(1.0 if x == y else 0.0) + pair.diff.get(y, 0.0) * c.keep[y] for y in splits]
        rows.append(row + [wait * pair.diff.get(v, 0.0) - pair.gap])
    z = _solve_dense(rows)
    if z is None:
        return None
    return {x: c.keep[x] * value for x, value in zip(splits, z)}


def _solve_dense(rows: list[list[float]]) -> list[float] | None:
    """Gaussian elimination with partial pivoting on an augmented matrix (small systems)."""
    n = len(rows)
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        if abs(rows[pivot][col]) < 1e-14:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = rows[col]
        for r in range(col + 1, n):
            factor = rows[r][col] / head[col]
            if factor:
                rows[r] = [a - factor * b for a, b in zip(rows[r], head)]
    z = [0.0] * n
    for r in range(n - 1, -1, -1):
        z[r] = (rows[r][n] - sum(rows[r][k] * z[k] for k in range(r + 1, n))) / rows[r][r]
    return z


def step_savings(s: Structure, steps: dict[str, Step], duration: dict[str, float],
             lead_time: float, policy: Policy, elimination: Elimination | None = None,
             values: dict[str, float] | None = None,
             visits: dict[str, float] | None = None,
             lead_start: str | None = None) -> dict[str, float]:
    """saving(v) = lead time - lead time with wait(v) set to 0 (vsm.analysis.savings, exact).

    The rare step the fast method leaves undecided is re-solved directly. A stray step (left
    out of the structure) saves nothing.
    """
    raw, unresolved = fast_savings(s, {v: st.wait_time for v, st in steps.items()}, duration,
                                   policy, elimination, values, visits, lead_start)
    for v in unresolved:
        raw[v] = saving_by_solving(s, steps[v], duration, lead_time, policy)
    return {v: saving if saving > RELATIVE_EPSILON * max(1.0, lead_time) else 0.0
            for v, saving in raw.items()}


def saving_by_solving(s: Structure, step: Step, duration: dict[str, float], lead_time: float,
                   policy: Policy) -> float:
    """Lead time minus the lead time re-solved with the step's wait removed."""
    if step.wait_time <= 0:
        return 0.0
    changed = dict(duration)
    changed[step.id] = step.process_time
    values, _ = solve(s, changed, dict(policy))
    return lead_time - lead(s, values)[0]
