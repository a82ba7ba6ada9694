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

from vsm.cli.common import EXIT_OK, json_number, one_line, refuse_same_file, refuse_to_overwrite
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
    parser.add_argument("-o", "--output", metavar="OUT", required=True,
                        help="the project to write (.vsm or .json)")
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

    output = Path(args.output)
    patterns = {name: getattr(args, name) for name in ("work", "vendor", "customer")
                if getattr(args, name) is not None}  # else the defaults of MiningOptions
    options = MiningOptions(
        case=args.case, activity=args.activity, time=args.time, group=args.group,
        time_format=args.time_format, steps=args.steps, end=_ends(args.end),
        min_share=args.min_share, min_cases=args.min_cases, statistic=args.statistic,
        name=args.name, **patterns)
    check_options(options)
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
