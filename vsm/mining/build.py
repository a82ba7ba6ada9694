"""The measured map: steps with their times, ranges, counts and notes, and flows that reproduce
the measured exit probabilities exactly.

**Order.** A depth-first walk from the start of the cases along the routes, the most used route
first, decides which routes go back: those to a step still on the walk's path. The steps are
then put in topological order of the other routes (where there is a choice, the step that comes
earliest in its cases on average, then the busiest; the end, when it is a step, last). In that order every step but the first is entered by
a route from an earlier step (the walk came to it that way), and every route that goes back
leads to a step the walk passed on its way to it, an ancestor through ordinary flows. No route
needs its length known (no longest path).

**Flows.** Every route forward in that order is an ordinary flow and every route back a rework
flow. For a step with n visits of which c went to step w (routes kept after pruning):

- a rework flow to w has probability 100·c/n;
- the ordinary flows share what is not reworked: share 100·c/(n − b), b the visits going back;
  a step with one ordinary flow gives it no share (all of it goes there);
- the end of a case is a zero-time end step where a step both ends cases and goes forward;
  where no step does, a step that ends cases has no ordinary flow (what is not reworked ends);
- a zero-time start step spreads the cases over their first steps when they start at several.

So the analysis's exit probabilities of a step (probability/100 for rework, (1 − Σ rework) ·
share/100 for ordinary flows) equal the measured ones: each figure is the float nearest to
its fraction (100·c is exact, one division rounds), and together they come within a few units
in the last place of c/n. A step that is only ever left backwards gets rework flows adding up to
100 %, which the analysis takes as an absorbing chain (docs/analysis.md; `always_back` names
them).

**Pruning.** A route carrying less than `min_share` percent of its step's exits, or taken in
fewer than `min_cases` cases, is pruned and the step's other routes renormalised; a step's most
used route is never pruned, and a step that could then no longer reach the end keeps its routes.
Steps reached only through pruned routes are left out. (Rare steps are pruned earlier, by
vsm.mining.visits.)

**Steps.** Named by the activity (or group) as written in the log. With steps by activity a work
activity's time is process time and any other's wait time; with steps by group process time is
the work within the visits and wait time the rest. Each time is the median or mean of the
measured visits, with the visits' P10 and P90 as its range (widened to include the mean when the
mean lies outside). The team is the group (steps by activity: the group that most often held the
visits), the performer "vendor" or "customer" when the step's name or team matches those
patterns. The notes say where the figures come from.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator

from vsm.mining.columns import MiningError
from vsm.mining.visits import StepVisits, Visits, percentile, statistic
from vsm.model import Flow, Step, ValueStreamMap
from vsm.model.durations import MAX_MINUTES, format_duration
from vsm.model.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH
from vsm.model.measured import MINED_FIELDS

Node = str | None  # a step key; None: the start (as a source) or the end (as a target)


@dataclass
class MapOptions:
    """How to turn the visits into a map."""

    statistic: str = "median"
    work: re.Pattern[str] | None = None
    vendor: re.Pattern[str] | None = None
    customer: re.Pattern[str] | None = None
    min_share: float = 0.0  # percent
    min_cases: int = 1
    name: str = "Mined"
    source: str = ""  # the log's file name, for the notes


@dataclass
class PrunedRoute:
    source: str | None  # None: the start
    target: str | None  # None: the end
    percent: float  # of the source's exits
    cases: int


@dataclass
class MinedMap:
    """The map and what building it decided."""

    map: ValueStreamMap
    step_ids: dict[str, str]  # step key -> step id
    start_id: str | None  # the zero-time start step, if there is one
    end_id: str | None  # the zero-time end step, if there is one
    exits: dict[Node, Counter[Node]]  # the routes kept, with their visits
    pruned_routes: list[PrunedRoute] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # steps only pruned routes led to
    always_back: list[str] = field(default_factory=list)  # steps only ever left backwards


def _prune(visits: Visits, options: MapOptions,
           rank: dict[str, int]) -> tuple[dict[Node, Counter[Node]], list[PrunedRoute]]:
    """The routes kept and the routes pruned (see the module)."""
    exits = {source: Counter(targets) for source, targets in visits.exits.items()}
    if options.min_share <= 0 and options.min_cases <= 1:
        return exits, []
    pruned: dict[Node, dict[Node, PrunedRoute]] = {}
    for source, targets in exits.items():
        total = sum(targets.values())
        top = min(targets, key=lambda t: (-targets[t], rank.get(t, len(rank)) if t else -1))
        for target, count in targets.items():
            cases = visits.route_cases[(source, target)]
            if target != top and (count * 100 < options.min_share * total
                                  or cases < options.min_cases):
                pruned.setdefault(source, {})[target] = PrunedRoute(
                    source, target, 100 * count / total, cases)
    for source, routes in pruned.items():
        for target in routes:
            del exits[source][target]
    while True:  # a step that cannot reach the end keeps its routes
        ending: set[Node] = {None}
        changed = True
        while changed:
            changed = False
            for source, targets in exits.items():
                if source not in ending and any(t in ending for t in targets):
                    ending.add(source)
                    changed = True
        stuck = [s for s in exits if s not in ending and pruned.get(s)]
        if not stuck:
            break
        for source in stuck:
            for target in pruned.pop(source):
                exits[source][target] = visits.exits[source][target]
    return exits, [route for routes in pruned.values() for route in routes.values()]


def _order(exits: dict[Node, Counter[Node]], rank: dict[str, int],
           steps: dict[str, StepVisits]) -> list[str]:
    """The step keys reachable from the start, ordered so that every route back goes to an
    ancestor (see the module): a depth-first walk along the most used routes first decides
    which routes go back (those to a step still on the walk's path); the steps are then put in
    topological order of the other routes, where there is a choice the step that comes earliest
    in its cases on average (then the busiest)."""
    def priority(key: str) -> tuple[float, int, int, str]:
        step = steps[key]
        return (step.places / step.visits, -step.visits, rank[key], key)

    def children(node: Node) -> list[str]:
        targets = exits.get(node, Counter())
        return sorted((t for t in targets if t is not None),
                      key=lambda t: (-targets[t], rank[t]))

    back: set[tuple[Node, str]] = set()
    on_path: set[Node] = {None}
    seen: set[Node] = {None}
    stack: list[tuple[Node, Iterator[str]]] = [(None, iter(children(None)))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if child in on_path:
                back.add((node, child))
            elif child not in seen:
                seen.add(child)
                on_path.add(child)
                stack.append((child, iter(children(child))))
                break
        else:
            stack.pop()
            on_path.discard(node)
    reached = [key for key in rank if key in seen]
    entering = {key: 0 for key in reached}
    for source, targets in exits.items():
        if source in seen and source is not None:  # the start comes before every step
            for target in targets:
                if target is not None and (source, target) not in back:
                    entering[target] += 1
    ready = [priority(key) for key in reached if not entering[key]]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        key = heapq.heappop(ready)[-1]
        order.append(key)
        for target in exits.get(key, Counter()):
            if target is not None and (key, target) not in back:
                entering[target] -= 1
                if not entering[target]:
                    heapq.heappush(ready, priority(target))
    return order


def _range(values: list[float], name: str) -> tuple[float, float | None, float | None]:
    """(the statistic, P10, P90) of measured values, P10 and P90 widened to include it; the
    bounds None when they are equal (no range) or there are no values."""
    value = statistic(values, name)
    if value is None:
        return 0.0, None, None
    ordered = sorted(values)
    low, high = percentile(ordered, 10.0), percentile(ordered, 90.0)
    assert low is not None and high is not None
    # to a millionth of a minute: 102, not 102.00000000000001 from the interpolation
    low, high = min(round(low, 6), value), max(round(high, 6), value)
    if low == high:
        return value, None, None
    return value, low, high


def _matches(pattern: re.Pattern[str] | None, *texts: str) -> bool:
    return pattern is not None and any(text and pattern.search(text) for text in texts)


def utc_text(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%d %H:%M")


def _shown_name(key: str) -> str:
    return key if len(key) <= MAX_NAME_LENGTH else key[:MAX_NAME_LENGTH - 1] + "…"


def _step(step: StepVisits, visits: Visits, options: MapOptions) -> Step:
    by_group = visits.by == "group"
    team = step.key if by_group else (
        min(step.groups, key=lambda g: (-step.groups[g], g)) if step.groups else "")
    work = _matches(options.work, step.key) if not by_group else False
    fields: dict[str, float | None] = {}
    if by_group:
        parts = {"process_time": step.work, "wait_time": step.other}
    else:
        parts = {"process_time" if work else "wait_time": step.durations}
    described = []
    for base, values in parts.items():
        value, low, high = _range(values, options.statistic)
        if max(value, high or 0.0) > MAX_MINUTES:
            raise MiningError(f"step {step.key!r}: its visits last more than "
                              f"{format_duration(MAX_MINUTES)}; check the times")
        fields[base], fields[base + "_min"], fields[base + "_max"] = value, low, high
        label = base.replace("_", " ")
        if not values:
            described.append(f"no {label} measured (its visits all end cases)")
            continue
        span = (f", P10–P90 {format_duration(low)}–{format_duration(high)} as its range"
                if low is not None else "")
        described.append(f"{label} {format_duration(value)}: the {options.statistic} of "
                         f"{'the work in ' if by_group and base == 'process_time' else ''}"
                         f"{len(values):,} measured visit{'s' if len(values) != 1 else ''}"
                         f"{span}")
    performer = ("vendor" if _matches(options.vendor, step.key, team) else
                 "customer" if _matches(options.customer, step.key, team) else "internal")
    window = (f" between {utc_text(visits.window[0])} and {utc_text(visits.window[1])} UTC"
              if visits.window else "")
    measured = len(step.durations)
    notes = (f"Mined from {options.source}: {step.visits:,} visit"
             f"{'s' if step.visits != 1 else ''} in {step.cases:,} case"
             f"{'s' if step.cases != 1 else ''}{window}; {measured:,} with a measured duration"
             + (" (a case's last visit has none)" if measured < step.visits else "") + ". "
             + "; ".join(described) + ".")
    if work or by_group:
        notes += (" Time in a work state is elapsed time, an upper bound of hands-on time.")
    mined = tuple((name, fields[name]) for name in MINED_FIELDS if name in fields)
    return Step(name=_shown_name(step.key), team=_shown_name(team), performer=performer,
                notes=notes[:MAX_TEXT_LENGTH], cases=step.cases, visits=step.visits,
                mined=mined, **fields)  # type: ignore[arg-type]


def _marker(name: str, taken: set[str], what: str) -> Step:
    """A zero-time start or end step, named so that no mined step has its name."""
    for candidate in (name, f"Case {name.lower()}", f"{name} (mined)"):
        if candidate.casefold() not in taken:
            break
    return Step(name=candidate, performer="internal",
                notes=f"Zero-time {what}; no time is spent here.")


def build_map(visits: Visits, options: MapOptions) -> MinedMap:
    """The map of the visits (see the module)."""
    rank = {key: index for index, key in enumerate(visits.steps)}
    exits, pruned = _prune(visits, options, rank)
    order = _order(exits, rank, visits.steps)
    position = {key: index for index, key in enumerate(order)}
    unreachable = [key for key in visits.steps if key not in position]
    exits = {source: targets for source, targets in exits.items()
             if source is None or source in position}
    map_ = ValueStreamMap(options.name)
    ids: dict[str, str] = {}
    for key in order:
        ids[key] = map_.add_step(_step(visits.steps[key], visits, options)).id
    taken = {step.name.casefold() for step in map_.steps}
    firsts = exits.get(None, Counter())
    start_id = None
    if len(firsts) > 1:
        start = _marker("Start", taken, "start: where the cases begin")
        start_id = map_.add_step(start, index=0).id
    needs_end = any(targets.get(None) and any(t is not None for t in targets)
                    for source, targets in exits.items() if source is not None)
    end_id = map_.add_step(_marker("End", taken, "end: where the cases end")).id if needs_end \
        else None
    always_back: list[str] = []
    for source, targets in exits.items():
        if source is None:
            if start_id is None:
                continue
            origin = start_id
        else:
            origin = ids[source]
        total = sum(targets.values())
        here = -1 if source is None else position[source]
        back = {t: c for t, c in targets.items() if t is not None and position[t] <= here}
        forward = [(t, c) for t, c in targets.items() if t not in back
                   and (t is not None or end_id is not None)]
        if back and len(back) == len(targets):
            always_back.append(map_.step(origin).name)
        for back_to, count in back.items():
            probability = count * 100 / total
            map_.add_flow(Flow(origin, ids[back_to], "rework", probability=probability,
                               cases=visits.route_cases.get((source, back_to)),
                               mined=(("share", None), ("probability", probability))))
        rest = total - sum(back.values())
        for target, count in sorted(forward, key=lambda tc: position.get(tc[0], len(order))
                                    if tc[0] is not None else len(order)):
            destination = end_id if target is None else ids[target]
            assert destination is not None
            share = count * 100 / rest if len(forward) > 1 else None
            map_.add_flow(Flow(origin, destination, share=share,
                               cases=visits.route_cases.get((source, target)),
                               mined=(("share", share), ("probability", None))))
    _lay_out(map_)
    return MinedMap(map_, ids, start_id, end_id, exits, pruned,
                    [key for key in unreachable if key not in visits.pruned_steps], always_back)


def main_path(map_: ValueStreamMap) -> list[str]:
    """From the first step, the ordinary flow most items take at each step, to the last."""
    outgoing: dict[str, list[Flow]] = {}
    for flow in map_.flows:
        if flow.kind == "normal":
            outgoing.setdefault(flow.source, []).append(flow)
    path = [map_.steps[0].id]
    while outgoing.get(path[-1]):
        best = max(outgoing[path[-1]], key=lambda f: f.share if f.share is not None else 100.0)
        path.append(best.target)
    return path


def _lay_out(map_: ValueStreamMap) -> None:
    """Left to right, the path most items take on one line (vsm.model.layout)."""
    from vsm.model.layout import auto_layout

    for step_id, (x, y) in auto_layout(map_, main_line=main_path(map_)).items():
        map_.set_step_field(step_id, "x", x)
        map_.set_step_field(step_id, "y", y)
