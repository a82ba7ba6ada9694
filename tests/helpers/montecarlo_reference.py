"""vsm.analysis.montecarlo as first written: a reference for the tests, kept verbatim but for its
imports and one rule (issue 19): the rework targets one pass hits start *one* new pass from all
of them together (`run`, `_Pass`), where the first version started one pass per distinct target,
each redoing everything after the join on its own.

Its `below` sets of descendants are quadratic; tests/pure/test_montecarlo.py checks that the fast
simulation gives exactly the same figures for the same seed.
"""

from __future__ import annotations

import heapq
import math
import random
import statistics

from tests.helpers.capacity_reference import descendants
from vsm.analysis import Structure, build_structure
from vsm.analysis.montecarlo import LeadTimeDistribution, SimulationError, percentile
from vsm.model import ValueStreamMap
from vsm.model.variability import RANGES, time_range

MAX_PASSES_PER_RUN = 100_000
PERCENTILES = (50, 85, 95)
DEFAULT_RUNS = 10_000
DEFAULT_SEED = 42


def simulate(map_: ValueStreamMap, runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED,
             visits: dict[str, float] | None = None) -> LeadTimeDistribution:
    """Simulate `runs` work items through the map (see the module docstring).

    `visits`, if given, receives the mean number of times each step was passed per run (step id
    -> count). SimulationError if the map has a blocking problem or `runs` is below 1.
    """
    if runs < 1:
        raise SimulationError(f"the number of runs must be at least 1, not {runs}")
    s, problems = build_structure(map_)
    if s is None:
        raise SimulationError(f"map {map_.name!r} cannot be simulated: {problems[0].message}")
    model = _Compiled(map_, s)
    rng = random.Random(seed)
    counts = [0] * len(s.order) if visits is not None else None
    times = sorted(model.run(rng, counts) for _ in range(runs))
    if visits is not None and counts is not None:
        visits.clear()
        visits.update({v: counts[i] / runs for i, v in enumerate(s.order)})
    p50, p85, p95 = (percentile(times, p) for p in PERCENTILES)
    stdev = statistics.stdev(times) if runs > 1 else 0.0
    return LeadTimeDistribution(p50, p85, p95, math.fsum(times) / runs, stdev, runs, seed)


class _Compiled:
    """The map as lists indexed by topological rank, for fast runs."""

    def __init__(self, map_: ValueStreamMap, s: Structure) -> None:
        rank = {v: i for i, v in enumerate(s.order)}
        steps = {step.id: step for step in map_.steps}
        below = descendants(s)
        self.fixed: list[float] = []
        self.ranges: list[tuple[tuple[float, float, float, float, float], ...]] = []
        self.succ: list[tuple[int, ...]] = []
        self.shares: list[tuple[float, ...] | None] = []  # cumulative, for alternatives
        self.rework: list[tuple[tuple[float, int], ...]] = []  # (cumulative probability, target)
        self.below: list[frozenset[int]] = []
        for v in s.order:
            fixed, ranges = 0.0, []
            for base in RANGES:
                low, mode, high = time_range(steps[v], base)
                if low < high:  # (low, high, share of the range below the mode, two spans)
                    ranges.append((low, high, (mode - low) / (high - low),
                                   (high - low) * (mode - low), (high - low) * (high - mode)))
                else:
                    fixed += mode
            self.fixed.append(fixed)
            self.ranges.append(tuple(ranges))
            out = s.routes[v]
            self.succ.append(tuple(rank[t] for t, _ in out))
            if s.alternative[v]:
                total, running, cumulative = sum(share or 0.0 for _, share in out), 0.0, []
                for _, share in out:
                    running += (share or 0.0) / total
                    cumulative.append(running)
                self.shares.append(tuple(cumulative))
            else:
                self.shares.append(None)
            running, back = 0.0, []
            for target, p in s.rework[v]:
                running += p
                back.append((running, rank[target]))
            self.rework.append(tuple(back))
            self.below.append(frozenset(rank[t] for t in below[v]))
        self.starts = tuple(rank[v] for v in s.starts)

    def duration(self, v: int, rng: random.Random) -> float:
        """One draw of the step's wait + process time (inverse CDF of the triangle)."""
        total = self.fixed[v]
        for low, high, cut, below_mode, above_mode in self.ranges[v]:
            u = rng.random()
            if u < cut:
                total += low + math.sqrt(u * below_mode)
            else:
                total += high - math.sqrt((1.0 - u) * above_mode)
        return total

    def forward(self, initial: tuple[int, ...], rng: random.Random) -> _Pass:
        """Which steps one pass reaches, where it goes next and where it sends work back."""
        heap = list(initial)
        heapq.heapify(heap)
        seen = set(initial)
        cut: set[int] = set()
        reached: list[int] = []
        nexts: dict[int, tuple[int, ...]] = {}
        back: dict[int, int] = {}
        while heap:
            v = heapq.heappop(heap)
            if v in cut:
                continue
            reached.append(v)
            rework = self.rework[v]
            if rework:
                u = rng.random()
                if u < rework[-1][0]:
                    back[v] = next(target for limit, target in rework if u < limit)
                    cut |= self.below[v]
                    continue
            shares = self.shares[v]
            if shares is None:
                chosen = tuple(k for k in self.succ[v] if k not in cut)
            else:
                u = rng.random()
                route = self.succ[v][-1]  # rounding: the cumulative share may end a hair below 1
                for candidate, limit in zip(self.succ[v], shares):
                    if u < limit:
                        route = candidate
                        break
                chosen = () if route in cut else (route,)
            nexts[v] = chosen
            for k in chosen:
                if k not in seen:
                    seen.add(k)
                    heapq.heappush(heap, k)
        return _Pass(initial, reached, nexts, back)

    def run(self, rng: random.Random, counts: list[int] | None = None) -> float:
        """One item's lead time. Passes are kept on an explicit stack, not by recursion, so long
        chains of rework cannot overflow Python's stack."""
        stack = [self.forward(self.starts, rng)]
        passes = 1
        while True:
            current = stack[-1]
            if current.needed and not current.restarted:
                passes += 1
                if passes > MAX_PASSES_PER_RUN:
                    raise SimulationError(
                        f"one run sent work back more than {MAX_PASSES_PER_RUN:,} times: the "
                        "rework probabilities never let the work finish")
                current.restarted = True
                stack.append(self.forward(current.needed, rng))
                continue
            value = current.finish(self, rng, counts)
            stack.pop()
            if not stack:
                return value
            for target in stack[-1].needed:  # a target cut off in the new pass: all of it
                stack[-1].restarts[target] = current.times.get(target, value)


class _Pass:
    """One pass: the steps reached, in topological order, and what happens after each."""

    __slots__ = ("initial", "reached", "nexts", "back", "needed", "restarts", "restarted",
                 "times")

    def __init__(self, initial: tuple[int, ...], reached: list[int],
                 nexts: dict[int, tuple[int, ...]], back: dict[int, int]) -> None:
        self.initial = initial
        self.reached = reached
        self.nexts = nexts
        self.back = back
        self.needed = tuple(sorted(set(back.values())))  # distinct rework targets, by rank
        self.restarts: dict[int, float] = {}  # rework target -> time from it in the new pass
        self.restarted = False
        self.times: dict[int, float] = {}

    def finish(self, model: _Compiled, rng: random.Random, counts: list[int] | None) -> float:
        """Draw the times of the reached steps and return the time from the pass's start(s) to
        the end (the new passes it started are already done)."""
        time: dict[int, float] = {}
        for v in reversed(self.reached):
            own = model.duration(v, rng)
            if v in self.back:
                time[v] = own + self.restarts[self.back[v]]
            else:
                after = [time[k] for k in self.nexts[v] if k in time]
                time[v] = own + (max(after) if after else 0.0)
            if counts is not None:
                counts[v] += 1
        self.times = time
        return max(time[v] for v in self.initial if v in time)
