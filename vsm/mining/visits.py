"""Cases into visits of steps: their durations, the routes between steps and the lead times.

For each case (docs/mining.md has the rules with a worked example):

1. Its events are sorted by time; events at the same time keep their order in the file.
2. In a change log the activity and the group of each event are carried forward from the rows
   before (a state row leaves the group as it was, a group row the activity); events before the
   first value of the step key are dropped.
3. With end activities (--end), the case stops at the first event of one of them and the events
   after it are dropped. Steps by activity: that event starts the case's last visit. Steps by
   group: that event closes the case, and the visit holding the ticket then lasts until it. A
   case that begins with an end activity (cut by the export window) is left out.
4. Consecutive events with the same step key (the activity, or the group) are one visit. A visit
   lasts from its first event to the next visit's first event; the case's last visit has no
   measured duration and counts only for routing (steps by group with --end: every visit is
   measured, the last up to the end event).
5. The lead time runs from the first visit's start to the last visit's start (steps by group with
   --end: to the end event).

Steps by group split each visit's duration by its events' activities: the time from each event
to the next (or to the visit's end) is work when the event's activity is work (--work), waiting
otherwise.

Steps seen in fewer than `min_cases` cases are pruned before the visits are formed: their events
are dropped, so the visit before them lasts until the next visit kept.

Percentiles are by linear interpolation between the closest ranks: for sorted x_0..x_{n-1} and
p in [0, 100], h = (n - 1) p / 100 and P = x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Callable, Iterable, Sequence

from vsm.mining.events import Event, EventLog

MINUTE = 60.0


def percentile(ordered: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0..100) of sorted values by linear interpolation between the closest
    ranks; None for no values."""
    n = len(ordered)
    if not n:
        return None
    h = (n - 1) * p / 100.0
    low = math.floor(h)
    if low + 1 >= n:
        return ordered[-1]
    return ordered[low] + (h - low) * (ordered[low + 1] - ordered[low])


def statistic(values: Sequence[float], name: str) -> float | None:
    """"median" (the 50th percentile) or "mean" of the values; None for none."""
    if not values:
        return None
    if name == "mean":
        return math.fsum(values) / len(values)
    return percentile(sorted(values), 50.0)


@dataclass
class StepVisits:
    """What the visits of one step measured."""

    key: str
    visits: int = 0
    cases: int = 0
    durations: list[float] = field(default_factory=list)  # minutes, measured visits only
    work: list[float] = field(default_factory=list)  # steps by group: the work in each
    other: list[float] = field(default_factory=list)  # ...and the rest (same visits)
    groups: Counter[str] = field(default_factory=Counter)  # steps by activity: who held it
    places: int = 0  # the sum of the visits' places in their cases (0: a case's first visit)


@dataclass
class Visits:
    """Every case of a log as visits: the steps, the routes and the lead times."""

    by: str  # "activity" or "group"
    steps: dict[str, StepVisits]  # in the order they first appear in the file's cases
    # source step (None: the start of a case) -> next step (None: the end of a case) -> visits
    exits: dict[str | None, Counter[str | None]]
    route_cases: Counter[tuple[str | None, str | None]]  # cases taking each route at least once
    lead_times: list[float]  # minutes, one per case
    cases: int = 0
    events: int = 0  # events in visits
    dropped_after_end: int = 0
    dropped_unknown: int = 0  # change log events before the first value of the step key
    pruned_steps: dict[str, int] = field(default_factory=dict)  # key -> cases, seen too rarely
    empty_cases: int = 0  # cases left without visits: only rare steps
    started_at_end: int = 0  # cases left out: they begin with an end activity
    window: tuple[float, float] | None = None  # first and last event kept, seconds (UTC)
    end_seen: set[str] = field(default_factory=set)  # end activities that occur


def _prepared(events: list[Event], change_log: bool, ends: dict[str | None, bool],
              by_group: bool, counts: dict[str, int]) -> tuple[list[Event], float | None]:
    """A case's events sorted, carried forward, cut at the first end activity; and the time of
    the end event when it closes the case (steps by group with --end), else None."""
    events.sort(key=itemgetter(0))  # stable: ties keep the file's order
    if change_log:
        filled: list[Event] = []
        activity = group = None
        for moment, new_activity, new_group in events:
            if new_activity is not None:
                activity = new_activity
            if new_group is not None:
                group = new_group
            filled.append((moment, activity, group))
        events = filled
    closing = None
    if ends:
        for index, (moment, activity, _) in enumerate(events):
            if ends.get(activity):
                counts["dropped_after_end"] += len(events) - index - 1
                if by_group:
                    closing = moment
                    events = events[:index]
                else:
                    events = events[:index + 1]
                break
    slot = 2 if by_group else 1
    if change_log and events and events[0][slot] is None:
        kept = [event for event in events if event[slot] is not None]
        counts["dropped_unknown"] += len(events) - len(kept)
        events = kept
    if ends and (closing is not None and not events
                 or closing is None and events and ends.get(events[0][1])):
        counts["started_at_end"] += 1  # nothing before its end: the export window cut it?
        return [], None
    return events, closing


def _case_keys(log: EventLog, by_group: bool, ends: dict[str | None, bool]) -> Counter[str]:
    """In how many cases each step key occurs (for pruning rare steps)."""
    key_of: Callable[[Event], str] = itemgetter(2 if by_group else 1)
    counts = {"dropped_after_end": 0, "dropped_unknown": 0, "started_at_end": 0}
    seen: Counter[str] = Counter()
    for events in log.cases.values():
        prepared, _ = _prepared(list(events), log.columns.change_log, ends, by_group, counts)
        seen.update({key_of(event) for event in prepared})
    return seen


def build_visits(log: EventLog, by: str, work: re.Pattern[str] | None,
                 ends: Iterable[str] = (), min_cases: int = 1) -> Visits:
    """The visits of every case of the log (see the module); `by` "activity" or "group";
    `work` matches the activities that are hands-on work (steps by group split the time by it);
    `ends` the end activities (compared ignoring case); steps seen in fewer than `min_cases`
    cases are pruned."""
    by_group = by == "group"
    slot = 2 if by_group else 1
    key_of: Callable[[Event], str] = itemgetter(slot)
    wanted = frozenset(end.casefold() for end in ends)
    # each activity: whether it ends a case (activities are few; each is looked at once)
    is_end: dict[str | None, bool] = {}
    if wanted:
        for events in log.cases.values():
            for _, activity, _ in events:
                if activity not in is_end:
                    is_end[activity] = activity is not None and activity.casefold() in wanted
    change_log = log.columns.change_log
    pruned: dict[str, int] = {}
    if min_cases > 1:
        pruned = {key: count for key, count in _case_keys(log, by_group, is_end).items()
                  if count < min_cases}
    result = Visits(by, {}, {}, Counter(), [])
    result.end_seen = {activity.casefold() for activity, ending in is_end.items()
                       if ending and activity is not None}
    steps = result.steps
    exits = result.exits
    is_work: dict[str | None, bool] = {}
    counts = {"dropped_after_end": 0, "dropped_unknown": 0, "started_at_end": 0}
    first_moment, last_moment = math.inf, -math.inf
    for events in log.cases.values():
        cut_before = counts["started_at_end"]
        events, closing = _prepared(events, change_log, is_end, by_group, counts)
        if pruned:
            events = [event for event in events if event[slot] not in pruned]
        if not events:
            if counts["started_at_end"] == cut_before:  # else counted as begun at its end
                result.empty_cases += 1
            continue
        result.cases += 1
        result.events += len(events)
        first_moment = min(first_moment, events[0][0])
        last_moment = max(last_moment, closing if closing is not None else events[-1][0])
        # the visits: (key, index of the first event, index after the last)
        starts = [0] + [i for i in range(1, len(events)) if events[i][slot] != events[i - 1][slot]]
        bounds = starts[1:] + [len(events)]
        previous: str | None = None
        keys_seen: set[str] = set()
        routes: set[tuple[str | None, str | None]] = set()
        for number, (begin, end) in enumerate(zip(starts, bounds)):
            key = key_of(events[begin])  # never None: such events were dropped
            step = steps.get(key)
            if step is None:
                step = steps[key] = StepVisits(key)
            step.visits += 1
            step.places += number
            keys_seen.add(key)
            exits.setdefault(previous, Counter())[key] += 1
            routes.add((previous, key))
            previous = key
            last = number == len(starts) - 1
            finish = events[end][0] if not last else closing
            if not by_group:
                holder = events[begin][2]
                if holder is not None:
                    step.groups[holder] += 1
            if finish is None:
                continue  # the last visit: no measured duration
            step.durations.append((finish - events[begin][0]) / MINUTE)
            if by_group:
                worked = 0.0
                for i in range(begin, end):
                    activity = events[i][1]
                    if activity not in is_work:
                        is_work[activity] = bool(work and activity and work.search(activity))
                    if is_work[activity]:
                        upto = events[i + 1][0] if i + 1 < end else finish
                        worked += upto - events[i][0]
                step.work.append(worked / MINUTE)
                step.other.append((finish - events[begin][0] - worked) / MINUTE)
        exits.setdefault(previous, Counter())[None] += 1
        routes.add((previous, None))
        result.route_cases.update(routes)
        for key in keys_seen:
            steps[key].cases += 1
        stop = closing if closing is not None else events[starts[-1]][0]
        result.lead_times.append((stop - events[0][0]) / MINUTE)
    result.dropped_after_end = counts["dropped_after_end"]
    result.dropped_unknown = counts["dropped_unknown"]
    result.started_at_end = counts["started_at_end"]
    result.pruned_steps = pruned
    if result.cases:
        result.window = (first_moment, last_moment)
    return result
