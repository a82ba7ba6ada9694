"""The longest branch at every concurrent split: policy iteration over the exact solver.

For a fixed choice of branch at each concurrent split (a policy) the expected-time equations of
docs/analysis.md are linear and vsm.analysis.solver solves them exactly. `solve` finds the policy
that takes the longest branch everywhere: evaluate, switch every split to its longest branch,
repeat until nothing changes; ties go to the first branch drawn. `lead` is the largest expected
time over the start steps, `critical_path` the route the lead time follows.
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
                      known: Elimination | None = None
                      ) -> tuple[dict[str, float], Policy, Elimination]:
    """`solve`, also returning the recorded elimination of the final policy (for gradients).

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


def lead(s: Structure, values: dict[str, float]) -> tuple[float, str]:
    """The lead time (the largest expected time of a start step) and that start step."""
    start = max(s.starts, key=values.__getitem__)  # first start wins ties
    return values[start], start


def critical_path(s: Structure, start: str, policy: Policy) -> list[str]:
    """The steps from `start` along the policy's branches and the largest share of each
    alternative split, to an end step."""
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
