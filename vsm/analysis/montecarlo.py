"""Monte Carlo simulation of a map's lead time: P50 / P85 / P95, reproducible with a seed.

Each run follows one work item through the same model as the analysis (docs/analysis.md):

- every step it reaches takes a wait and a process time drawn from the triangular distribution
  (minimum, most likely, maximum) of vsm.model.variability; a time without a range is fixed;
- at an alternative split the item takes one route, drawn by share;
- at a concurrent split it takes every branch, and a step where branches join is passed once,
  when the last branch arrives (the time from a step to the end is the longest of its branches);
- after a step, each rework flow sends the item back with its probability (always, when they add
  up to 100 %: vsm.analysis.absorbing). The item then starts a new *pass* from the rework
  target, with new times, and nothing downstream of the step happens in the current pass (the
  new pass reaches it); the targets that one pass sends work back to start *one* new pass from
  all of them together, as the starts do, so a join both reach is passed once (docs/analysis.md,
  "Rework from concurrent branches, and the cap");
- the run's lead time is the longest time from a start to the end, all starts running together.

With no ranges, no alternative routes and no rework, every run gives exactly the analysis's lead
time. Without concurrent splits the mean of the runs converges to the analysis's lead time, which
is the expectation of this same process. With concurrent splits and randomness they differ: the
analysis takes the longest branch of the *expected* times, the simulation the expected time of
the longest branch, which is never shorter — unless concurrent branches send work back in one
pass, which the analysis counts loop by loop and the simulation as one new pass from all the
targets (docs/analysis.md). `lead time` is the analysis's figure; P50, P85 and P95 come from the
simulation.

Percentiles are nearest-rank: P85 is the smallest run time that at least 85 % of the runs do not
exceed. The runs use `random.Random(seed)` only, so the same map, runs and seed give the same
figures on every machine and Python version. The simulation has no ties to settle; it walks the
steps in the structure's order (vsm.analysis.structure: by name, then id, where the flows leave
a choice), so it draws the same numbers for the same steps however the map was drawn, and it
leaves out stray steps, as the analysis does.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
import statistics
import time
from dataclasses import dataclass, field

from vsm.analysis.structure import Structure, build_structure
from vsm.errors import VsmError
from vsm.model import ValueStreamMap
from vsm.model.variability import RANGES, has_variability, time_range

DEFAULT_RUNS = 10_000
DEFAULT_SEED = 42
MAX_PASSES_PER_RUN = 100_000  # a run that sends work back this often never ends in practice
LOOP_WINDOW = 1_000  # the last passes before the cap whose rework flows name the loop
LOOPS_NAMED = 3  # rework flows named when a run passes the cap
PERCENTILES = (50, 85, 95)


class SimulationError(VsmError):
    """The map cannot be simulated; the message says why."""


class ReworkCapError(SimulationError):
    """One run sent work back more than MAX_PASSES_PER_RUN times. `loops` are the rework flows
    (source id, target id) taken most often in its last LOOP_WINDOW passes: the loop it keeps
    going round. Pickled whole (the editor's simulation runs in another process)."""

    def __init__(self, loops: list[tuple[str, str]], names: list[tuple[str, str]]) -> None:
        self.loops = loops
        self.names = names
        self.steps = tuple(dict.fromkeys(v for pair in loops for v in pair))
        named = ", ".join(f"{a!r} back to {b!r}" for a, b in names)
        super().__init__(
            f"one run sent work back more than {MAX_PASSES_PER_RUN:,} times: the rework "
            f"probabilities never let the work finish; it keeps going round {named}")

    def __reduce__(self) -> tuple[type[ReworkCapError], tuple[list[tuple[str, str]],
                                                                list[tuple[str, str]]]]:
        return (type(self), (self.loops, self.names))


@dataclass(frozen=True)
class LeadTimeDistribution:
    """Lead time over the simulated runs, in minutes."""

    p50: float
    p85: float
    p95: float
    mean: float
    stdev: float  # sample standard deviation of the runs
    runs: int
    seed: int
    # The runs' lead times, sorted (empty when built without them); not compared or shown.
    samples: tuple[float, ...] = field(default=(), repr=False, compare=False)

    @property
    def standard_error(self) -> float:
        """Standard error of the mean."""
        return self.stdev / math.sqrt(self.runs) if self.runs else math.nan

    def share_within(self, minutes: float) -> float | None:
        """The share of the runs (0 to 1) whose lead time is at most `minutes` (a target);
        None without the samples."""
        if not self.samples:
            return None
        return bisect.bisect_right(self.samples, minutes) / len(self.samples)


def percentile(ordered: list[float], percent: float) -> float:
    """Nearest-rank percentile of sorted values: the ceil(percent/100 x n)-th smallest."""
    rank = max(1, math.ceil(percent / 100.0 * len(ordered)))
    return ordered[rank - 1]


def should_simulate(map_: ValueStreamMap) -> bool:
    """True when some step of the map has a time range, so percentiles say something."""
    return has_variability(map_.steps)


def simulate(map_: ValueStreamMap, runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED,
             visits: dict[str, float] | None = None) -> LeadTimeDistribution:
    """Simulate `runs` work items through the map (see the module docstring).

    `visits`, if given, receives the mean number of times each step was passed per run (step id
    -> count). SimulationError if the map has a blocking problem or `runs` is below 1. The same
    figures as a Simulation run to the end.
    """
    simulation = Simulation(map_, runs, seed, count_visits=visits is not None)
    simulation.advance(math.inf)
    if visits is not None:
        visits.clear()
        visits.update(simulation.visits())
    return simulation.result()


class Simulation:
    """A simulation done a slice at a time (for the editor's GUI thread): `advance` does runs
    for a given wall time, `result` gives the figures of the runs done so far.

    Everything the runs need is compiled from the map in __init__; the map itself is not kept,
    so it may change between slices without affecting the simulation.
    """

    def __init__(self, map_: ValueStreamMap, runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED,
                 *, count_visits: bool = False) -> None:
        """Compile the map; no runs yet. SimulationError if the map has a blocking problem or
        `runs` is below 1. With `count_visits`, `visits()` gives the mean passes per step."""
        if runs < 1:
            raise SimulationError(f"the number of runs must be at least 1, not {runs}")
        s, problems = build_structure(map_)
        if s is None:
            raise SimulationError(f"map {map_.name!r} cannot be simulated: {problems[0].message}")
        self.runs = runs
        self.seed = seed
        self._model = _Compiled(map_, s)
        self._order = list(s.order)
        self._rng = random.Random(seed)
        self._times: list[float] = []
        self._counts = [0] * len(s.order) if count_visits else None

    @property
    def done(self) -> bool:
        """True when all the runs are done."""
        return len(self._times) >= self.runs

    @property
    def completed(self) -> int:
        """The number of runs done so far."""
        return len(self._times)

    def advance(self, seconds: float) -> bool:
        """Do runs until `seconds` of wall time have passed (at least one run, unless all are
        done) or all runs are done; True when all are done. A run that never ends raises
        SimulationError (see MAX_PASSES_PER_RUN)."""
        deadline = time.perf_counter() + seconds
        times, runs, model, rng, counts = (self._times, self.runs, self._model, self._rng,
                                           self._counts)
        while len(times) < runs:
            times.append(model.run(rng, counts))
            if time.perf_counter() >= deadline:
                break
        return len(times) >= runs

    def result(self) -> LeadTimeDistribution:
        """The lead time over the runs done so far; SimulationError if there are none."""
        count = len(self._times)
        if not count:
            raise SimulationError("no runs done yet")
        times = sorted(self._times)
        p50, p85, p95 = (percentile(times, p) for p in PERCENTILES)
        stdev = statistics.stdev(times) if count > 1 else 0.0
        return LeadTimeDistribution(p50, p85, p95, math.fsum(times) / count, stdev, count,
                                    self.seed, tuple(times))

    def visits(self) -> dict[str, float]:
        """Mean number of passes of each step per run so far (step id -> count); empty without
        `count_visits` or runs."""
        if self._counts is None or not self._times:
            return {}
        count = len(self._times)
        return {v: self._counts[i] / count for i, v in enumerate(self._order)}


class _Compiled:
    """The map as lists indexed by topological rank, for fast runs."""

    def __init__(self, map_: ValueStreamMap, s: Structure) -> None:
        rank = {v: i for i, v in enumerate(s.order)}
        steps = {step.id: step for step in map_.steps}
        self.ids = list(s.order)
        self.names = [steps[v].name for v in s.order]
        self._loops: dict[tuple[int, int], int] | None = None  # near the cap: flows taken
        self.fixed: list[float] = []
        self.ranges: list[tuple[tuple[float, float, float, float, float], ...]] = []
        self.succ: list[tuple[int, ...]] = []
        self.shares: list[tuple[float, ...] | None] = []  # cumulative, for alternatives
        self.rework: list[tuple[tuple[float, int], ...]] = []  # (cumulative probability, target)
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
            if back and s.rho(v) == 1.0:  # all its work goes back, whatever the rounding
                back[-1] = (1.0, back[-1][1])
            self.rework.append(tuple(back))
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
        """Which steps one pass reaches, where it goes next and where it sends work back.

        Steps are taken in topological order from one heap. A step that sends work back cuts off
        everything below it for the rest of the pass; rather than a set of its descendants, the
        cut spreads lazily through the same heap: its successors are marked cut, and each cut step
        taken from the heap marks its own. A step is taken only after every step before it, so
        when it comes up it is marked exactly if it is cut. The pass ends when no reached step is
        left on the heap, so the cut spreads no further than the steps the pass spans.
        """
        heap = list(initial)
        heapq.heapify(heap)
        seen = set(initial)  # reached, waiting or passed
        cut: set[int] = set()
        waiting = len(heap)  # steps of `seen` still on the heap
        reached: list[int] = []
        nexts: dict[int, tuple[int, ...]] = {}
        back: dict[int, int] = {}
        succ, rework_of, shares_of = self.succ, self.rework, self.shares
        while waiting:
            v = heapq.heappop(heap)
            if v in seen:
                waiting -= 1
            if v in cut:
                for k in succ[v]:
                    if k not in cut:
                        cut.add(k)
                        if k not in seen:
                            heapq.heappush(heap, k)
                continue
            reached.append(v)
            rework = rework_of[v]
            if rework:
                u = rng.random()
                if u < rework[-1][0]:
                    back[v] = next(target for limit, target in rework if u < limit)
                    for k in succ[v]:
                        if k not in cut:
                            cut.add(k)
                            if k not in seen:
                                heapq.heappush(heap, k)
                    continue
            shares = shares_of[v]
            if shares is None:
                chosen = tuple(k for k in succ[v] if k not in cut)
            else:
                u = rng.random()
                route = succ[v][-1]  # rounding: the cumulative share may end a hair below 1
                for candidate, limit in zip(succ[v], shares):
                    if u < limit:
                        route = candidate
                        break
                chosen = () if route in cut else (route,)
            nexts[v] = chosen
            for k in chosen:
                if k not in seen:
                    seen.add(k)
                    waiting += 1
                    heapq.heappush(heap, k)
        return _Pass(initial, reached, nexts, back)

    def run(self, rng: random.Random, counts: list[int] | None = None) -> float:
        """One item's lead time. Passes are kept on an explicit stack, not by recursion, so long
        chains of rework cannot overflow Python's stack. The rework targets one pass hit start
        one new pass from all of them together."""
        stack = [self.forward(self.starts, rng)]
        passes = 1
        while True:
            current = stack[-1]
            if current.needed and not current.restarted:
                passes += 1
                if passes > MAX_PASSES_PER_RUN - LOOP_WINDOW:
                    self._count_loops(current, passes)
                current.restarted = True
                stack.append(self.forward(current.needed, rng))
                continue
            value = current.finish(self, rng, counts)
            stack.pop()
            if not stack:
                self._loops = None
                return value
            times, restarts = current.times, stack[-1].restarts
            for target in stack[-1].needed:
                restarts[target] = times.get(target, value)

    def _count_loops(self, current: _Pass, passes: int) -> None:
        """Near the cap, count the rework flows taken; past it, raise naming the busiest."""
        if self._loops is None:
            self._loops = {}
        for v, target in current.back.items():
            self._loops[(v, target)] = self._loops.get((v, target), 0) + 1
        if passes <= MAX_PASSES_PER_RUN:
            return
        busiest = sorted(self._loops.items(), key=lambda item: (-item[1], item[0]))[:LOOPS_NAMED]
        self._loops = None
        raise ReworkCapError(
            [(self.ids[v], self.ids[t]) for (v, t), _ in busiest],
            [(self.names[v], self.names[t]) for (v, t), _ in busiest])


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
        self.restarted = False  # the new pass from `needed` is done
        self.times: dict[int, float] = {}  # step -> time from it to the end, once finished

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
