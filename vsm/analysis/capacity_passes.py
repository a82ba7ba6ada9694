"""The passes behind vsm.analysis.capacity.visits: exact, and near-linear in the size of the map.

The semantics are those of the vsm.analysis.capacity module docstring; this is how they are computed.

A *walk* follows one pass, keeping the probability of each state (steps reached but not yet
passed, steps cut off, rework targets hit). Instead of visiting every step of the map for every
state, each state waits in a bucket under the earliest step it has pending (a heap of ranks), is
moved on when that step is passed, and is finished the moment nothing is pending. Steps are
numbered by topological rank.

- *Cut off*: the steps downstream of a step that sent work back. A state keeps them as the
  smallest set of steps whose descendants (and themselves) are exactly the cut-off steps, the
  successors of the steps that sent work back minus those below another; whether a step is cut
  off, or lies below the step sending work back, is asked of vsm.analysis.reachability. This describes the
  same set as before, so states merge exactly as they did.
- *Fresh passes*: when a state has hit no rework target (so nothing is cut off) and has one step
  w pending, the rest of the pass is exactly a new pass from w. The walk hands it over (C_x(w),
  the probability of that) and a walk from w, done once, covers it. A walk from x thus only covers
  the steps up to its next such point, and a chain of steps costs O(1) per step.
- The expected numbers of walks F from every walked point (the starts together, every rework
  target, every hand-over point) solve F = e_starts + F (C + K), K_x(t) being the probability
  that a walk from x hits target t. `solve_passes` eliminates them in topological order, keeping
  each row as a dict: a row refers only to later points that send work back before it (the rework
  loops that span it), so rows stay short. I - C - K is an M-matrix, and elimination without
  pivoting keeps every pivot positive exactly when the passes die out. Every rework target is
  walked even if no pass reaches it, so the conditions under which visits fail are the same as
  for the dense elimination over the targets.
- visits(v) = sum over walked points x of F(x) times the probability that the walk from x reaches
  v.

STATE_LIMIT bounds the states one walk tracks at once. A walk's states are a subset of those of
the pass it continues (and finished states are dropped), so it never fails where walking every
state over every step did not.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from typing import TYPE_CHECKING, Hashable, TypeVar

from vsm.analysis.reachability import Reachability

if TYPE_CHECKING:
    from vsm.analysis.structure import Structure

STATE_LIMIT = 200_000  # states one walk tracks at once, as for rolled %C&A
PIVOT_EPSILON = 1e-12
ROOT = -1  # the walked point "every start at once"
CROWD = 32  # states under one step before they are merged by their futures
REGION_LIMIT = 64  # steps a state may still pass for it to be merged by its future

Key = TypeVar("Key", bound=Hashable)
State = tuple[frozenset[int], frozenset[int], frozenset[int]]  # (pending, cut-off, hit)


class CapacityError(ValueError):
    """Visits cannot be computed; the message says why in words for people (vsm.analysis.capacity)."""


class Walker:
    """The map's flows by topological rank, and walks of one pass from a step or the starts."""

    def __init__(self, s: Structure, state_limit: int | None = None) -> None:
        rank = {v: i for i, v in enumerate(s.order)}
        self.order = s.order
        self.starts = frozenset(rank[v] for v in s.starts)
        self.succ = [[rank[t] for t, _ in s.routes[v]] for v in s.order]
        self.alternative = [s.alternative[v] for v in s.order]
        self.shares: list[list[float]] = []
        for v in s.order:
            out = s.routes[v]
            total = sum(share or 0.0 for _, share in out) if s.alternative[v] else 1.0
            self.shares.append([(share or 0.0) / total for _, share in out])
        self.rework = [[(rank[t], p) for t, p in s.rework[v]] for v in s.order]
        self.keep = [1.0 - s.rho(v) for v in s.order]
        self.targets = sorted({t for out in self.rework for t, _ in out})
        self.reach = Reachability(self.succ)
        self.state_limit = STATE_LIMIT if state_limit is None else state_limit

    def walk(self, initial: frozenset[int]
             ) -> tuple[dict[int, float], dict[int, float], dict[int, float]]:
        """One pass from the steps `initial`, up to its hand-overs: (probability that it reaches
        each step, probability that it hands over to a fresh pass from each step, probability that
        it sends work back to each rework target)."""
        reaches = self.reach.reaches
        succ, rework, keep = self.succ, self.rework, self.keep
        reach: dict[int, float] = defaultdict(float)
        handed: dict[int, float] = defaultdict(float)
        spawn: dict[int, float] = defaultdict(float)
        buckets: dict[int, dict[State, float]] = {}
        heap: list[int] = []
        live = 0

        crowded: set[int] = set()  # buckets whose states are merged by their futures

        def place(pending: frozenset[int], cut: frozenset[int], hit: frozenset[int],
                  weight: float) -> None:
            nonlocal live
            if not pending:
                for target in hit:
                    spawn[target] += weight
                return
            first = min(pending)
            if hit and first in crowded:
                pending, cut, hit = self._future(pending, cut, hit, weight, spawn)
            if not hit and not cut and len(pending) == 1:
                handed[first] += weight
                return
            bucket = buckets.get(first)
            if bucket is None:
                bucket = buckets[first] = {}
                heapq.heappush(heap, first)
            key = (pending, cut, hit)
            if key in bucket:
                bucket[key] += weight
                return
            bucket[key] = weight
            live += 1
            if len(bucket) > CROWD and first not in crowded:
                crowded.add(first)
                live -= len(bucket)
                buckets[first] = {}  # its rank stays on the heap
                for (p, c, h), w in bucket.items():
                    place(p, c, h, w)

        buckets[min(initial)] = {(initial, frozenset(), frozenset()): 1.0}
        heap.append(min(initial))
        live = 1
        while heap:
            v = heapq.heappop(heap)
            bucket = buckets.pop(v)
            live -= len(bucket)
            out = succ[v]
            for (pending, cut, hit), weight in bucket.items():
                reach[v] += weight
                rest = pending - {v}
                if rework[v]:
                    below = frozenset(x for x in rest if reaches(v, x))
                    after = rest - below if below else rest
                    widened = _widen(cut, out, reaches)
                    for target, p in rework[v]:
                        place(after, widened, hit | {target}, weight * p)
                if not keep[v]:  # all its work goes back: its ordinary flows are never taken
                    continue
                kept = weight * keep[v]
                if self.alternative[v]:
                    for target, share in zip(out, self.shares[v]):
                        blocked = any(a == target or reaches(a, target) for a in cut)
                        place(rest if blocked else rest | {target}, cut, hit, kept * share)
                elif cut:
                    place(rest.union([t for t in out if not any(
                        a == t or reaches(a, t) for a in cut)]), cut, hit, kept)
                else:
                    place(rest.union(out), cut, hit, kept)
            if live > self.state_limit:
                raise CapacityError(
                    "too many combinations of alternative routes run at the same time")
        return dict(reach), dict(handed), dict(spawn)

    def _future(self, pending: frozenset[int], cut: frozenset[int], hit: frozenset[int],
                weight: float, spawn: dict[int, float]) -> State:
        """The state with only what its future depends on, when that is a small part of the map.

        The steps it may still pass (its *region*) are those reachable from its pending steps
        without entering a cut-off step. Its future depends on the cut-off steps only through
        those next to the region, and on the targets hit only through those that steps of the
        region send work back to: the others are hit whatever happens, so their weight is added
        to `spawn` now. A region larger than REGION_LIMIT leaves the state as it is.
        """
        reaches, succ = self.reach.reaches, self.succ
        region: set[int] = set()
        boundary: set[int] = set()
        stack = list(pending)
        while stack:
            y = stack.pop()
            if y in region:
                continue
            region.add(y)
            if len(region) > REGION_LIMIT:
                return pending, cut, hit
            for x in succ[y]:
                if x in region or x in boundary:
                    continue
                if any(a == x or reaches(a, x) for a in cut):
                    boundary.add(x)
                else:
                    stack.append(x)
        ahead = {t for y in region for t, _ in self.rework[y]}
        for target in hit:
            if target not in ahead:
                spawn[target] += weight
        return pending, frozenset(boundary), hit & ahead

    def visits(self) -> dict[str, float]:
        """The expected number of times one item passes each step (vsm.analysis.capacity)."""
        walks: dict[int, tuple[dict[int, float], dict[int, float], dict[int, float]]] = {}
        todo = [ROOT, *self.targets]
        while todo:
            x = todo.pop()
            if x in walks:
                continue
            walks[x] = self.walk(self.starts if x == ROOT else frozenset([x]))
            todo.extend(w for w in walks[x][1] if w not in walks)
        edges: dict[int, dict[int, float]] = {}
        for x, (_, handed, spawn) in walks.items():
            row = dict(handed)
            for t, value in spawn.items():
                row[t] = row.get(t, 0.0) + value
            edges[x] = row
        counts = solve_passes(sorted(walks), {ROOT: 1.0}, edges)
        total = [0.0] * len(self.order)
        for x, count in counts.items():
            if count:
                for v, value in walks[x][0].items():
                    total[v] += count * value
        return dict(zip(self.order, total))


def _widen(cut: frozenset[int], out: list[int], reaches) -> frozenset[int]:
    """The cut-off set, as its earliest steps, once the successors `out` are cut off as well."""
    found = set(cut)
    for t in out:
        if any(a == t or reaches(a, t) for a in found):
            continue
        found = {a for a in found if not reaches(t, a)}
        found.add(t)
    return frozenset(found)


def solve_passes(order: list[Key], start: dict[Key, float],
                 edges: dict[Key, dict[Key, float]]) -> dict[Key, float]:
    """F = start + F M, with M[x][y] = edges[x][y]: the expected number of passes (or walks)
    from each point when each pass from x starts on average M[x][y] passes from y.

    Eliminates in the order `order` (every point that appears), each row a dict of the later
    points it still refers to; CapacityError when a pivot is not positive: the passes never die out.
    """
    position = {x: i for i, x in enumerate(order)}
    incoming: dict[Key, dict[Key, float]] = defaultdict(dict)
    for x, row in edges.items():
        for y, value in row.items():
            if value:
                incoming[y][x] = incoming[y].get(x, 0.0) + value
    const: dict[Key, float] = {}
    open_: dict[Key, dict[Key, float]] = {}
    for x in order:
        mine = position[x]
        c = start.get(x, 0.0)
        coefs = dict(incoming.get(x, {}))
        pending = [position[y] for y in coefs if position[y] < mine]
        heapq.heapify(pending)
        while pending:
            y = order[heapq.heappop(pending)]
            factor = coefs.pop(y)
            c += factor * const[y]
            for z, value in open_[y].items():
                if z not in coefs and position[z] < mine:
                    heapq.heappush(pending, position[z])
                coefs[z] = coefs.get(z, 0.0) + factor * value
        pivot = 1.0 - coefs.pop(x, 0.0)
        if pivot <= PIVOT_EPSILON:
            raise CapacityError(
                "rework sends work back so often that on average it never ends (rework from "
                "several concurrent branches to before their split adds up to one pass or more)")
        const[x] = c / pivot
        open_[x] = {z: value / pivot for z, value in coefs.items() if value}
    solution: dict[Key, float] = {}
    for x in reversed(order):
        solution[x] = const[x] + sum(value * solution[z] for z, value in open_[x].items())
    return solution
