"""Mining one event log into a project: `mine_log(path, MiningOptions(...))`.

Reads the log (vsm.mining.events), forms the visits (vsm.mining.visits) and builds the map
(vsm.mining.build); the result carries the project with its one current-state map, a summary of
the figures (`Mined.summary`, the `vsm mine --json` object) and notes worth telling people.
Nothing is written here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from vsm.mining.build import MapOptions, MinedMap, build_map, utc_text
from vsm.mining.columns import MiningError
from vsm.mining.events import EventLog, read_events, skipped_text
from vsm.mining.visits import Visits, build_visits, percentile
from vsm.model import Measured, Project
from vsm.model.durations import format_duration

STEPS_BY = ("activity", "group")
STATISTICS = ("median", "mean")
# Activities that are hands-on work; vendors; waiting on the customer (searched, ignoring case).
DEFAULT_WORK = (r"\b(in[ _-]?progress|active|work(ing)?[ _-]in[ _-]progress|wip|working|doing"
                r"|under[ _-]investigation|implement(ing|ation)?)\b")
DEFAULT_VENDOR = r"\b(vendors?|suppliers?|third[ _-]?party|3rd[ _-]?party|external)\b"
DEFAULT_CUSTOMER = (r"\b(awaiting|waiting|wait|pending|on[ _-]hold)\b.*\b(users?|customers?|callers?"
                    r"|requesters?|clients?|reporters?)\b|\b(users?|customers?|callers?"
                    r"|requesters?)[ _-](info|input|response|feedback|reply|action)\b")
PRUNED_SHOWN = 10


@dataclass
class MiningOptions:
    """What `vsm mine` asks for (see docs/mining.md)."""

    case: str | None = None
    activity: str | None = None
    time: str | None = None
    group: str | None = None  # None: recognised; "": no group (the log's group left out)
    time_format: str | None = None
    steps: str = "activity"
    work: str = DEFAULT_WORK
    vendor: str = DEFAULT_VENDOR
    customer: str = DEFAULT_CUSTOMER
    end: tuple[str, ...] = ()
    min_share: float = 0.0
    min_cases: int = 1
    statistic: str = "median"
    name: str | None = None


@dataclass
class Mined:
    """A mined log: the project, the map as built, and what to tell people."""

    project: Project
    built: MinedMap
    log: EventLog
    visits: Visits
    summary: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def pattern(text: str, option: str) -> re.Pattern[str] | None:
    """A pattern option compiled (case-insensitive); None when empty; MiningError if it is no
    regular expression."""
    if not text:
        return None
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as error:
        raise MiningError(f"{option} {text!r} is not a regular expression: {error}") from None


def check_options(options: MiningOptions) -> None:
    """MiningError for options out of range (before anything is read)."""
    if options.steps not in STEPS_BY:
        raise MiningError(f"--steps must be activity or group, not {options.steps!r}")
    if options.statistic not in STATISTICS:
        raise MiningError(f"--statistic must be median or mean, not {options.statistic!r}")
    if not (math.isfinite(options.min_share) and 0 <= options.min_share < 100):
        raise MiningError(f"--min-share must be a percentage from 0 to under 100, not "
                          f"{options.min_share:g}")
    if options.min_cases < 1:
        raise MiningError(f"--min-cases must be 1 or more, not {options.min_cases}")
    if any(not end.strip() for end in options.end):
        raise MiningError("--end names activities separated by commas; one of them is empty")
    for text, option in ((options.work, "--work"), (options.vendor, "--vendor"),
                         (options.customer, "--customer")):
        pattern(text, option)


def _name(node: str | None, start: bool) -> str:
    return repr(node) if node is not None else ("the start" if start else "the end")


def mine_log(path: str | Path, options: MiningOptions,
             progress: Callable[[int], None] | None = None) -> Mined:
    """Mine the log at `path` (see the module); MiningError or FileFormatError when it cannot.
    `progress(rows read)` is called as the log is read (vsm.mining.events.read_events); what it
    raises stops the mining and comes out of here."""
    check_options(options)
    path = Path(path)
    names = {"case": options.case, "activity": options.activity, "time": options.time,
             "group": options.group}
    log = read_events(path, names, options.steps == "group", options.time_format, progress)
    work = pattern(options.work, "--work")
    visits = build_visits(log, options.steps, work, [e.strip() for e in options.end],
                          options.min_cases)
    notes = list(log.notes)
    if any(name is None for name in names.values()):  # say which columns were taken
        recognised = f"recognised {log.columns.recognised}: " if log.columns.recognised else ""
        notes.insert(0, f"{recognised}columns {log.columns.described}")
    if log.skipped:
        notes.append(f"skipped {log.skipped_count:,} of {log.rows:,} rows: {skipped_text(log)}")
    if log.other_rows:
        notes.append(f"{log.other_rows:,} rows change other fields; they are no events"
                     if log.other_rows != 1 else "1 row changes another field; it is no event")
    missing = [end for end in options.end if end.strip().casefold() not in visits.end_seen]
    if missing:
        known = sorted({e[1] for events in log.cases.values() for e in events if e[1]})
        import difflib

        for end in missing:
            close = difflib.get_close_matches(end.strip(), known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            notes.append(f"--end {end.strip()!r}: no event has this activity{hint}")
    if not visits.cases:
        raise MiningError(f"{path}: no case has a visit left to map (rare steps pruned: "
                          f"{len(visits.pruned_steps)}); nothing was written")
    map_name = options.name or f"Mined from {path.name}"
    built = build_map(visits, MapOptions(
        options.statistic, work, pattern(options.vendor, "--vendor"),
        pattern(options.customer, "--customer"), options.min_share, options.min_cases,
        map_name, path.name))
    _describe(built, log, visits, options, path)
    pruned = [f"step {key!r} ({count:,} case{'s' if count != 1 else ''})"
              for key, count in visits.pruned_steps.items()]
    pruned += [f"route {_name(r.source, True)} → {_name(r.target, False)} ({r.percent:.2g}%, "
               f"{r.cases:,} case{'s' if r.cases != 1 else ''})" for r in built.pruned_routes]
    pruned += [f"step {key!r} (reached only by pruned routes)" for key in built.unreachable]
    if pruned:
        shown = "; ".join(pruned[:PRUNED_SHOWN])
        more = f"; … and {len(pruned) - PRUNED_SHOWN} more" if len(pruned) > PRUNED_SHOWN else ""
        notes.append(f"pruned {len(pruned)}: {shown}{more}")
    if visits.empty_cases:
        notes.append(f"{visits.empty_cases:,} case{'s' if visits.empty_cases != 1 else ''} "
                     "left no visit (only pruned steps)")
    if visits.started_at_end:
        many = visits.started_at_end != 1
        notes.append(f"{visits.started_at_end:,} case{'s' if many else ''} "
                     f"{'begin' if many else 'begins'} with an end activity (cut by the export "
                     f"window?) and {'are' if many else 'is'} left out")
    lead = lead_time_percentiles(visits)
    built.map.set_field("measured", Measured(
        source=path.name, start=_iso(visits.window[0]) if visits.window else None,
        end=_iso(visits.window[1]) if visits.window else None, cases=visits.cases,
        events=visits.events, lead_time_p50=lead[50], lead_time_p85=lead[85],
        lead_time_p95=lead[95], statistic=options.statistic))
    project = Project(path.stem or "Mined", [built.map])
    return Mined(project, built, log, visits, _summary(built, log, visits, pruned), notes)


def lead_time_percentiles(visits: Visits) -> dict[int, float | None]:
    ordered = sorted(visits.lead_times)
    return {p: percentile(ordered, p) for p in (50, 85, 95)}


def _describe(built: MinedMap, log: EventLog, visits: Visits, options: MiningOptions,
              path: Path) -> None:
    """The map's description: where it comes from and how it was mined."""
    lead = lead_time_percentiles(visits)
    window = ""
    if visits.window:
        window = f" between {utc_text(visits.window[0])} and {utc_text(visits.window[1])} UTC"
    ends = f", each case stopping at {', '.join(options.end)}" if options.end else ""
    text = (f"Mined from {path.name}: {visits.cases:,} cases, {visits.events:,} events"
            f"{window}{ends}; steps by {options.steps}, times the {options.statistic} of the "
            f"visits (P10–P90 as ranges). Measured lead time P50 {format_duration(lead[50])}, "
            f"P85 {format_duration(lead[85])}, P95 {format_duration(lead[95])}. Times read as "
            f"{log.time_form}.")
    built.map.set_field("description", text)


def _summary(built: MinedMap, log: EventLog, visits: Visits, pruned: list[str]) -> dict[str, Any]:
    lead = lead_time_percentiles(visits)
    mean = math.fsum(visits.lead_times) / len(visits.lead_times) if visits.lead_times else None
    return {
        "cases": visits.cases,
        "events": log.events,
        "events_in_visits": visits.events,
        "skipped_rows": log.skipped_count,
        "skipped": {reason: {"rows": count, "first_rows": log.skipped_rows.get(reason, [])}
                    for reason, count in log.skipped.items()},
        "steps": len(built.step_ids),
        "flows": len(built.map.flows),
        "lead_time_p50_minutes": lead[50],
        "lead_time_p85_minutes": lead[85],
        "lead_time_p95_minutes": lead[95],
        "lead_time_mean_minutes": mean,
        "window_utc": ([_iso(visits.window[0]), _iso(visits.window[1])]
                       if visits.window else None),
        "events_after_end_dropped": visits.dropped_after_end,
        "cases_beginning_at_the_end": visits.started_at_end,
        "pruned": pruned,
        "always_back": built.always_back,
        "times_read_as": log.time_form,
        "recognised": log.columns.recognised or None,
    }


def _iso(moment: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(moment, timezone.utc).isoformat().replace("+00:00", "Z")
