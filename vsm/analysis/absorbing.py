"""Rework as an absorbing chain: where rework may go, whether work can always finish, and the
routes work can take once through (docs/analysis.md, "Rework that goes anywhere back").

Ticket histories show rework that goes back to a step that is not upstream (a change handled as
standard goes over to the normal-change route) and steps that are only ever left backwards
(*Wait – Vendor* always returns to *In Progress*). The rules, for a map whose ordinary flows form
no loop:

- **Where rework may go.** A rework flow from v may go to v itself, to a step *upstream* of v (an
  ordinary path leads from it to v), or to a step that is neither upstream nor downstream of v
  and never runs *together* with v: no choice of one route at every alternative split has one
  item pass both (concurrent branches and several starts run together; alternative routes do
  not). Rework to a step downstream of v is refused, and so is rework to a step that runs
  together with v: the new pass from there would leave the rest of v's own branch undone.
  Without concurrent splits and with one start, every step that is not downstream of v
  qualifies. `Together` answers the last question; `misdirected` sorts the flows that go
  elsewhere than upstream.
- **How much.** The rework probabilities leaving a step add up to at most 100 %; at 100 % every
  exit is rework (`FULL_REWORK`), and the step's ordinary flows are never taken.
- **Work must be able to finish.** From every step, work reaches an end with a positive
  probability, and where concurrent branches split, every branch does (`never_finishing`). With
  one choice of branch at each concurrent split the expected-time equations are then those of an
  absorbing Markov chain, T = (I - P)^-1 d, for every choice, so every figure is finite and the
  solver's elimination (vsm.analysis.solver) never divides by zero.

Only maps with rework to a step that is not upstream, or with a step sending all its work back,
need more than the checks that were there before: every other map is analysed exactly as before.
"""

from __future__ import annotations

from collections import defaultdict

from vsm.analysis.solver import comes_before

FULL_REWORK = 1.0 - 1e-11  # rework adding up to this fraction (100 % within rounding) is all
OVER_FULL = 1.0 + 1e-4  # above this (100.01 %, the shares' tolerance) rework adds up to too much


def misdirected(wrong: set[tuple[str, str]], successors: dict[str, list[str]],
                predecessors: dict[str, list[str]], order: list[str],
                alternative: dict[str, bool], starts: list[str]
                ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Of the rework flows (source, target) whose target is not upstream (`wrong`): those whose
    target is downstream of the source, and those whose target runs together with the source.
    The others are allowed. `order`: the topological order of the steps (no stray steps)."""
    rank = {v: i for i, v in enumerate(order)}
    forward: set[tuple[str, str]] = set()
    together: set[tuple[str, str]] = set()
    concurrent = len(starts) > 1 or any(
        len(out) > 1 and not alternative[v] for v, out in successors.items())
    paths: Together | None = None
    for v, target in sorted(wrong, key=lambda pair: (rank[pair[0]], rank[pair[1]])):
        if comes_before(predecessors, rank, v, target):
            forward.add((v, target))
        elif concurrent:
            if paths is None:
                paths = Together(successors, predecessors, order, alternative, starts)
            if paths.run_together(target, v):
                together.add((v, target))
    return forward, together


class Together:
    """Whether one item can pass two steps in one pass (neither upstream of the other): for some
    choice of one route at every alternative split, both are reached from the starts.

    Every path from the starts to either step passes their nearest common *dominator* d (a step
    on every path from the starts to it; the immediate dominators are found once, in
    topological order, as the meeting point of a step's predecessors), so it is enough to look
    below d. From d, two paths, one to each step, are followed together, always moving the one
    at the earlier step in the topological order: so wherever the paths share a step, both
    stand on it at once, and there they must leave by the same route if it is an alternative
    split (concurrent branches may part). The cost is at most the product of the parts of the
    map between d and the two steps: on maps of nested splits, the innermost split around both.
    With no common dominator (the steps are reached from different starts) the paths start from
    every pair of starts.
    """

    def __init__(self, successors: dict[str, list[str]], predecessors: dict[str, list[str]],
                 order: list[str], alternative: dict[str, bool], starts: list[str]) -> None:
        self.successors, self.predecessors = successors, predecessors
        self.alternative, self.starts = alternative, starts
        self.rank = {v: i for i, v in enumerate(order)}
        self.idom: dict[str | None, str | None] = {None: None}  # None: the starts, together
        self.depth: dict[str | None, int] = {None: 0}
        for v in order:
            above: str | None = None
            for i, u in enumerate(predecessors[v]):
                above = u if i == 0 else self._meet(above, u)
            self.idom[v] = above
            self.depth[v] = self.depth[above] + 1

    def _meet(self, x: str | None, y: str | None) -> str | None:
        """The nearest common dominator of x and y."""
        idom, depth = self.idom, self.depth
        while x != y:
            if depth[x] >= depth[y]:
                x = idom[x]
            else:
                y = idom[y]
        return x

    def _upstream(self, step: str, floor: int) -> set[str]:
        """The step and the steps upstream of it, no earlier in the order than `floor`."""
        rank, predecessors = self.rank, self.predecessors
        found, stack = {step}, [step]
        while stack:
            for u in predecessors[stack.pop()]:
                if u not in found and rank[u] >= floor:
                    found.add(u)
                    stack.append(u)
        return found

    def run_together(self, a: str, b: str) -> bool:
        """True if one item can pass both a and b (neither upstream of the other) in one pass."""
        top = self._meet(a, b)
        floor = 0 if top is None else self.rank[top]
        up_a, up_b = self._upstream(a, floor), self._upstream(b, floor)
        successors, alternative, rank = self.successors, self.alternative, self.rank
        seen: set[tuple[str, str]] = set()
        if top is None:
            stack = [(x, y) for x in self.starts if x in up_a for y in self.starts if y in up_b]
        else:
            stack = [(top, top)]
        while stack:
            state = stack.pop()
            if state in seen:
                continue
            seen.add(state)
            x, y = state
            if x == a and y == b:
                return True
            if x == y:
                out = successors[x]
                if alternative[x]:
                    stack.extend((t, t) for t in out if t in up_a and t in up_b)
                else:
                    stack.extend((s, t) for s in out if s in up_a for t in out if t in up_b)
            elif y == b or (x != a and rank[x] < rank[y]):
                stack.extend((t, y) for t in successors[x] if t in up_a)
            else:
                stack.extend((x, t) for t in successors[y] if t in up_b)
        return False


def never_finishing(order: list[str], routes: dict[str, list[tuple[str, float | None]]],
                    alternative: dict[str, bool], rework: dict[str, list[tuple[str, float]]],
                    full: set[str]) -> list[str]:
    """The steps (in `order`) from which work can never finish: the complement of the least set
    F holding every step that sends some rework to a step of F, and every step that does not send
    all its work back (not in `full`) and is an end, or has a route into F (alternative routes or
    a single successor), or has all its concurrent branches in F. Without `full` steps every step
    finishes (the ordinary flows form no loop), and nothing is computed."""
    if not full:
        return []
    needed: dict[str, int] = {}
    waiting: dict[str, list[str]] = defaultdict(list)  # t -> steps whose ordinary flows reach t
    returning: dict[str, list[str]] = defaultdict(list)  # t -> steps sending rework to t
    finished: set[str] = set()
    stack: list[str] = []
    for v in order:
        for t, _ in rework[v]:
            returning[t].append(v)
        if v in full:
            continue
        out = routes[v]
        if not out:
            stack.append(v)
            continue
        needed[v] = len(out) if len(out) > 1 and not alternative[v] else 1
        for t, _ in out:
            waiting[t].append(v)
    while stack:
        t = stack.pop()
        if t in finished:
            continue
        finished.add(t)
        stack.extend(u for u in returning[t] if u not in finished)
        for u in waiting[t]:
            needed[u] -= 1
            if needed[u] == 0:
                stack.append(u)
    return [v for v in order if v not in finished]


def once_through(order: list[str], routes: dict[str, list[tuple[str, float | None]]],
                 alternative: dict[str, bool], full: set[str]) -> set[str]:
    """The steps from which work can reach an end along ordinary flows alone, never passing a
    step that sends all its work back (concurrent branches: all of them)."""
    through: set[str] = set()
    for v in reversed(order):
        if v in full:
            continue
        out = routes[v]
        if alternative[v] or len(out) == 1:
            ok = any(t in through for t, _ in out)
        else:
            ok = all(t in through for t, _ in out)
        if ok:
            through.add(v)
    return through


def listed(names: list[str], last: str = "and", most: int = 6) -> str:
    """'A', 'A' and 'B', 'A', 'B' and 'C'; beyond `most` names, '… and 3 more'."""
    quoted = [repr(name) for name in names]
    if len(quoted) > most:
        return ", ".join(quoted[:most]) + f" {last} {len(quoted) - most} more"
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + f" {last} " + quoted[-1]
