"""The longest branch at every concurrent split: policy iteration over the exact solver.

For a fixed choice of branch at each concurrent split (a policy) the expected-time equations of
docs/analysis.md are linear and vsm.analysis.solver solves them exactly. `solve` finds the policy
that takes the longest branch everywhere: evaluate, switch every split to its longest branch,
repeat until nothing changes. `lead` is the largest expected time over the start steps,
`critical_path` the route the lead time follows.

Ties are settled by the map's content, never by the order the flows were drawn in. Tied
branches (or starts) give the same times but not the same process time, so not the same flow
efficiency or critical path: of the tied ones, the one with the least expected process time wins
(the lower, conservative flow efficiency), then the first by name, then id (the structure keeps
routes and starts in that order). With rework, the least process time over the tied choices is
itself a small policy iteration (`_settle_ties`).
"""

from __future__ import annotations

from vsm.analysis.solver import Elimination, eliminate
from vsm.analysis.structure import Policy, Structure

RELATIVE_EPSILON = 1e-9  # a branch must be longer by more than this to replace another


def solve(s: Structure, duration: dict[str, float],
           policy: Policy | None = None) -> tuple[dict[str, float], Policy]:
    """T for every step with the longest branch taken at each concurrent split (policy iteration)."""
    values, policy, _ = solve_eliminated(s, duration, policy)
    return values, policy


def solve_eliminated(s: Structure, duration: dict[str, float], policy: Policy | None = None,
                      known: Elimination | None = None, process: dict[str, float] | None = None
                      ) -> tuple[dict[str, float], Policy, Elimination]:
    """`solve`, also returning the recorded elimination of the final policy (for gradients).

    `known`, a recorded elimination of `policy` for other durations (the previous analysis in
    the editor), saves the first elimination: only its constants are built again. `process`, the
    process times, settles ties between branches by the least process time; without it, tied
    branches go to the first by name, then id.
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
            if values[best] > current + _tolerance(current):
                policy[v] = best
                changed = True
        if not changed:
            break
    else:
        raise RuntimeError("policy iteration did not settle")  # pragma: no cover - finite policies
    settled = _settle_ties(s, values, policy, splits, process)
    if any(settled[v] != policy[v] for v in splits):
        policy.update(settled)
        elimination = eliminate(s, duration, policy, record=True)
        values = elimination.values()
    return values, policy, elimination


def _tolerance(value: float) -> float:
    """How close two times must be to tie."""
    return RELATIVE_EPSILON * max(1.0, abs(value))


def _settle_ties(s: Structure, values: dict[str, float], policy: Policy, splits: list[str],
                 process: dict[str, float] | None) -> Policy:
    """The optimal `policy` with every tie between branches settled by content alone.

    At each split, the branches as long as the longest (within _tolerance) tie; every choice
    among them gives the same times. Of those choices, the one with the least expected process
    time is taken: P, the same equations with d = process time, is minimised over the tied
    branches by policy iteration (with rework, a branch's P depends on choices elsewhere), from
    the first tied branch everywhere. Branches whose P also ties go to the first by name, then
    id (the order of `s.routes`). The result does not depend on the guess the iteration started
    from (a fresh analysis, or the previous one's branches in the editor), nor on drawing order.
    """
    tied: dict[str, list[str]] = {}
    for v in splits:
        floor = values[policy[v]] - _tolerance(values[policy[v]])
        tied[v] = [t for t, _ in s.routes[v] if values[t] >= floor]
    chosen: Policy = {v: branches[0] for v, branches in tied.items()}
    contested = {v: branches for v, branches in tied.items() if len(branches) > 1}
    if not contested or process is None:
        return chosen
    for _ in range(len(contested) * 4 + 10):
        least = eliminate(s, process, chosen).values()
        changed = False
        for v, branches in contested.items():
            current = least[chosen[v]]
            best = min(branches, key=least.__getitem__)
            if least[best] < current - _tolerance(current):
                chosen[v] = best
                changed = True
        if not changed:
            break
    else:
        raise RuntimeError("tie settling did not settle")  # pragma: no cover - finite policies
    for v, branches in contested.items():
        ceiling = least[chosen[v]] + _tolerance(least[chosen[v]])
        chosen[v] = next(t for t in branches if least[t] <= ceiling)
    return chosen


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


def lead(s: Structure, values: dict[str, float], elimination: Elimination | None = None,
         process: dict[str, float] | None = None) -> tuple[float, str]:
    """The lead time (the largest expected time of a start step) and that start step.

    Starts within _tolerance of the largest tie. With `elimination` (of the policy that gave
    `values`) and `process`, the tied start with the least expected process time wins; then (or
    without them) the first by name, then id (the order of `s.starts`).
    """
    longest = max(values[v] for v in s.starts)
    floor = longest - _tolerance(longest)
    tied = [v for v in s.starts if values[v] >= floor]
    start = tied[0]
    if len(tied) > 1 and elimination is not None and process is not None:
        least = elimination.with_durations(process).values()
        start = min(tied, key=least.__getitem__)  # the first of equal ones
        ceiling = least[start] + _tolerance(least[start])
        start = next(v for v in tied if least[v] <= ceiling)
    return values[start], start


def critical_path(s: Structure, start: str, policy: Policy,
                  values: dict[str, float] | None = None) -> list[str]:
    """The steps from `start` along the policy's branches and the largest share of each
    alternative split, to an end step. Of equal shares, the route with the longer expected time
    (given `values`), then the first by name, then id. Where steps send all their work back,
    only the routes that can go through once (Structure.once_through) are considered, if any."""
    through = s.once_through()
    path = [start]
    v = start
    while s.routes[v]:
        if s.alternative[v]:
            out = s.routes[v]
            if through is not None:
                out = [route for route in out if route[0] in through] or out
            v = max(out, key=lambda route: (
                route[1] or 0.0, values[route[0]] if values is not None else 0.0))[0]
        elif len(s.routes[v]) == 1:
            v = s.routes[v][0][0]
        else:
            v = policy[v]
        path.append(v)
    return path
