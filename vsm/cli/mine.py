"""`vsm mine LOG -o OUT`: an event log (a ticket history) into a project with one measured map.

The rules are in docs/mining.md and the work in vsm.mining. The command writes OUT (.vsm or
.json; an existing OUT only with --force, never the log itself), prints a summary (or with
--json the summary object) and notes on stderr: how the log was recognised, the rows skipped
with their first row numbers, what was pruned, and one line when the map's figures cannot be
computed (the analysis's first blocking problem): the map is written all the same. A log that cannot be mined (a
missing column, times in no form it can read, more than half its rows bad) is one error line,
exit status 2, and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from vsm.cli.common import (
    EXIT_OK,
    CommandError,
    choose_map,
    json_number,
    load,
    one_line,
    refuse_same_file,
    refuse_to_overwrite,
)
from vsm.model.durations import format_duration


def add_mine(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "mine", parents=[common], help="make a measured map from an event log (ticket history)",
        description="Read an event log (CSV or XLSX, one row per event: a case such as a "
                    "ticket, an activity such as its state, a time, optionally the group "
                    "holding it) and write a project with one current-state map measured from "
                    "it: a step per activity (or group), its times from the visits, the routes "
                    "between steps as flows with shares and rework probabilities. Without "
                    "column options the columns of common exports are recognised (ServiceNow "
                    "incident and audit exports, Jira issue history, XES-style logs). See "
                    "docs/mining.md.")
    parser.add_argument("log", metavar="LOG", help="the event log (.csv or .xlsx)")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("-o", "--output", metavar="OUT",
                        help="the project to write (.vsm or .json)")
    target.add_argument("--update", metavar="MAP", help="re-mine into this existing project "
                        "(.vsm or .json): figures the user has not edited since are updated, "
                        "new steps added, steps no longer in the log flagged; positions, "
                        "kaizens, edits and other maps kept (docs/mining.md, 'Refreshing a "
                        "map')")
    parser.add_argument("--map", metavar="NAME", help="with --update: the map to refresh "
                        "(default: the first map mined from a log, else the first current-state "
                        "map)")
    columns = parser.add_argument_group("columns (by header; default: recognised)")
    for role, what in (("case", "the case (ticket) id"), ("activity", "the activity (state)"),
                       ("time", "the time of the event"),
                       ("group", "the group (team) holding the ticket")):
        columns.add_argument(f"--{role}", metavar="COL", help=f"the column of {what}")
    parser.add_argument("--time-format", metavar="FMT",
                        help="the times' format in strptime codes, e.g. '%%d/%%m/%%Y %%H:%%M' "
                             "(default: ISO 8601, or day or month first when the data settles "
                             "it); times are converted to UTC")
    parser.add_argument("--steps", choices=("activity", "group"), default="activity",
                        help="a step per activity (default) or per group")
    parser.add_argument("--work", metavar="PATTERN",
                        help="activities that are hands-on work: a regular expression searched "
                             "ignoring case (default: In Progress, Active, Work in Progress and "
                             "the like); time in them is process time, other time wait time")
    parser.add_argument("--vendor", metavar="PATTERN",
                        help="groups or activities that are vendors (default: vendor, "
                             "supplier, third party, external)")
    parser.add_argument("--customer", metavar="PATTERN",
                        help="groups or activities that wait on the customer (default: "
                             "Awaiting User Info, Wait - Customer and the like)")
    parser.add_argument("--end", metavar="ACTIVITY[,ACTIVITY]", action="append", default=[],
                        help="a case's lead time stops at the first of these activities and "
                             "its later events are dropped (e.g. Resolved, leaving auto-close "
                             "out); default: a case runs to its last event")
    parser.add_argument("--min-share", metavar="PCT", type=float, default=0.0,
                        help="prune routes taking less than PCT %% of a step's exits and "
                             "renormalise (default 0: prune nothing)")
    parser.add_argument("--min-cases", metavar="N", type=int, default=1,
                        help="prune steps and routes seen in fewer than N cases (default 1: "
                             "prune nothing)")
    parser.add_argument("--statistic", choices=("median", "mean"), default="median",
                        help="a step's time from its visits' durations (default: median)")
    parser.add_argument("--name", metavar="NAME", help="the map's name (default: 'Mined from "
                                                       "LOG')")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(run=_run_mine)


def _ends(values: list[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(","))


def _run_mine(args: argparse.Namespace) -> int:
    from vsm.analysis import analyse
    from vsm.files.formats import save_project_any
    from vsm.mining.mine import MiningOptions, check_options, mine_log

    patterns = {name: getattr(args, name) for name in ("work", "vendor", "customer")
                if getattr(args, name) is not None}  # else the defaults of MiningOptions
    options = MiningOptions(
        case=args.case, activity=args.activity, time=args.time, group=args.group,
        time_format=args.time_format, steps=args.steps, end=_ends(args.end),
        min_share=args.min_share, min_cases=args.min_cases, statistic=args.statistic,
        name=args.name, **patterns)
    check_options(options)
    if args.update is not None:
        return _run_update(args, options)
    if args.map is not None:
        raise CommandError("--map goes with --update MAP")
    output = Path(args.output)
    refuse_same_file(args.log, output, "LOG and OUT")
    refuse_to_overwrite(output, args.force)
    mined = mine_log(args.log, options)
    map_ = mined.project.maps[0]
    problems = [problem.message for problem in analyse(map_).problems if problem.blocking]
    notes = list(mined.notes)
    if problems:
        notes.append(f"the map's figures cannot be computed: {one_line(problems[0])}; the map "
                     "is written, its exit probabilities and times as measured")
    save_project_any(mined.project, output)
    summary = mined.summary
    if args.json:
        document = {key: (json_number(value) if isinstance(value, float) else value)
                    for key, value in summary.items()}
        document.update(output=str(output), map=map_.name,
                        analysis_problems=problems,
                        notes=notes)
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print(_text(args.log, output, mined, summary))
    for note in notes:
        print(f"note: {args.log}: {one_line(note)}", file=sys.stderr)
    return EXIT_OK


def _text(log: str, output: Path, mined: Any, summary: dict[str, Any]) -> str:
    skipped = summary["skipped_rows"]
    lines = [
        f"Mined {log}: {summary['cases']:,} cases, {summary['events']:,} events"
        + (f" ({skipped:,} rows skipped)" if skipped else ""),
        f"Lead time: P50 {format_duration(summary['lead_time_p50_minutes'])}, P85 "
        f"{format_duration(summary['lead_time_p85_minutes'])}, P95 "
        f"{format_duration(summary['lead_time_p95_minutes'])} (mean "
        f"{format_duration(summary['lead_time_mean_minutes'])})",
        f"Wrote {output}: map {mined.project.maps[0].name!r}, {summary['steps']} steps"
        + (" with a zero-time start and end" if mined.built.start_id and mined.built.end_id
           else " with a zero-time start" if mined.built.start_id
           else " with a zero-time end" if mined.built.end_id else "")
        + f", {summary['flows']} flows",
    ]
    return "\n".join(lines)


def _run_update(args: argparse.Namespace, options: Any) -> int:
    """`vsm mine LOG --update MAP [--map NAME]`: refresh a mined map (vsm.mining.refresh)."""
    from datetime import date

    from vsm.files.formats import save_project_any
    from vsm.mining.mine import mine_log
    from vsm.mining.refresh import refresh_map

    path = Path(args.update)
    refuse_same_file(args.log, path, "LOG and MAP")
    project = load(args.update)
    if args.map is None:
        target = next((m for m in project.maps if m.measured is not None), None) or \
            choose_map(project, None, args.update)
    else:
        target = choose_map(project, args.map, args.update)
    mined = mine_log(args.log, options)
    measured = mined.built.map.measured
    log_date = (measured.end or "")[:10] if measured is not None else ""
    done = refresh_map(target, mined.built, log_date or date.today().isoformat())
    save_project_any(project, path)
    if args.json:
        print(json.dumps({"output": str(path), "map": target.name, "updated": done.updated,
                          "kept": done.kept, "added": done.added, "not_in_log": done.vanished,
                          "flows_updated": done.flows_updated, "flows_added": done.flows_added,
                          "flows_removed": done.flows_removed, "flows_kept": done.flows_kept,
                          "notes": mined.notes}, indent=2, ensure_ascii=False))
    else:
        print(_update_text(args.log, path, target.name, done))
    for note in mined.notes:
        print(f"note: {args.log}: {one_line(note)}", file=sys.stderr)
    return EXIT_OK


def _names(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)


def _update_text(log: str, path: Path, name: str, done: Any) -> str:
    lines = [f"Refreshed map {name!r} of {path} from {log}",
             f"Updated: {len(done.updated)} step{'s' if len(done.updated) != 1 else ''}"
             + (f" ({_names(done.updated)})" if done.updated else "")]
    if done.kept:
        lines.append("Kept as edited: " + "; ".join(
            f"{step!r} ({', '.join(fields)})" for step, fields in done.kept.items()))
    if done.added:
        lines.append(f"Added: {_names(done.added)}")
    if done.vanished:
        lines.append(f"Not in the log (flagged in their notes, not deleted): "
                     f"{_names(done.vanished)}")
    lines.append(f"Flows: {done.flows_updated} updated, {done.flows_added} added, "
                 f"{done.flows_removed} no longer in the log removed")
    if done.flows_kept:
        lines.append("Flows kept as edited (share or probability): "
                     + ", ".join(done.flows_kept))
    return "\n".join(lines)
