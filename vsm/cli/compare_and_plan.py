"""`vsm compare` (two maps side by side, steps matched by lineage, with what stakeholders ask:
target attainment, experience, cost per item and each performer's share of the lead time, current
-> future; maps with time ranges are simulated for the probability of meeting their target) and
`vsm plan` (every kaizen burst, soonest due first, as text or CSV).

`vsm compare` exits with 2 when either map's figures cannot be computed (vsm.cli.common.unanalysed):
the problems go to stderr, the text is not printed, the JSON is (exact floats, null figures and
the problems). `vsm plan` analyses nothing (a kaizen's saving is the one stored with it), so it
never refuses a map."""

from __future__ import annotations

import argparse
import json
from typing import Any

from vsm.cli.common import (
    EXIT_OK,
    CommandError,
    fail,
    load,
    map_named,
    refuse_same_file,
    unanalysed,
)
from vsm.model import Project, ValueStreamMap
from vsm.model.durations import format_duration


def add_compare(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "compare", parents=[common], help="compare two maps (current and future state)",
        description="Compare the headline figures of two maps and list the steps added, removed "
                    "and changed, matching steps by lineage (their origin), not by name.")
    parser.add_argument("file", metavar="FILE", help="a .vsm or .json project")
    parser.add_argument("--from", dest="from_map", metavar="MAP",
                        help="the map to compare from (default: the first current-state map)")
    parser.add_argument("--to", dest="to_map", metavar="MAP",
                        help="the map to compare to (default: the first future-state map)")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.set_defaults(run=_run_compare)


def compare_text(project: Project, comparison: Any) -> str:
    """The `vsm compare` text for people (printed only when both maps' figures are computed)."""
    from vsm.analysis.compare import METRICS, describe_field_change, format_delta, format_metric
    from vsm.cli.stakeholder_text import compare_rows

    lines = [f"{project.name} — {comparison.before.name} → {comparison.after.name}", ""]
    width = max(len(label) for label, _ in METRICS.values())
    for key, (label, _) in METRICS.items():
        metric = comparison.metrics[key]
        line = (f"{label:<{width}}  {format_metric(key, metric.from_)} → "
                f"{format_metric(key, metric.to)}")
        change = format_delta(key, metric)
        lines.append(f"{line} ({change})" if change else line)
    extra = compare_rows(comparison)
    if extra:
        width = max(len(label) for label, _ in extra)
        lines += ["", "What stakeholders ask"]
        lines += [f"  {label:<{width}}  {value}" for label, value in extra]
    if comparison.added:
        lines += ["", "Added steps"] + [f"  + {step.name}" for step in comparison.added]
    if comparison.removed:
        lines += ["", "Removed steps"] + [f"  - {step.name}" for step in comparison.removed]
    if comparison.changed:
        lines += ["", "Changed steps"]
        for change in comparison.changed:
            lines.append(f"  ~ {change.name}")
            lines += [f"      {describe_field_change(name, old, new)}"
                      for name, (old, new) in change.fields.items()]
    if not (comparison.added or comparison.removed or comparison.changed):
        lines += ["", "No step was added, removed or changed."]
    return "\n".join(lines)


def _run_compare(args: argparse.Namespace) -> int:
    from vsm.analysis.compare import compare_maps

    project = load(args.file)
    before: ValueStreamMap | None
    after: ValueStreamMap | None
    if args.from_map is not None:
        before = map_named(project, args.from_map)
    else:
        before = project.first_map("current")
        if before is None:
            raise CommandError(f"no current-state map in {args.file}; name one with --from")
    if args.to_map is not None:
        after = map_named(project, args.to_map)
    else:
        after = project.first_map("future")
        if after is None:
            raise CommandError(f"no future-state map in {args.file}; name one with --to")
    comparison = compare_maps(before, after, context=project.maps,
                              distributions=(_simulated(before), _simulated(after)))
    problems = (unanalysed(before, comparison.before_analysis)
                + unanalysed(after, comparison.after_analysis))
    if args.json:
        print(json.dumps(comparison.to_json_dict(), indent=2, ensure_ascii=False))
    elif not problems:
        print(compare_text(project, comparison))
    return fail(problems) if problems else EXIT_OK


def _simulated(map_: ValueStreamMap) -> Any:
    """The map's simulated lead time when it has time ranges and a target (for the probability
    of meeting it), else None; None too when it cannot be simulated (compare then reports the
    map's problems)."""
    from vsm.analysis import analyse
    from vsm.analysis.montecarlo import SimulationError, should_simulate, simulate

    if map_.target_lead_time is None or not should_simulate(map_) or not analyse(map_).ok:
        return None
    try:
        return simulate(map_)
    except SimulationError:
        return None


def add_plan(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "plan", parents=[common], help="list the improvement plan (every kaizen burst)",
        description="Print every kaizen burst of the project, soonest due first, or write them "
                    "to a CSV file that spreadsheets open directly.")
    parser.add_argument("file", metavar="FILE", help="a .vsm or .json project")
    parser.add_argument("-o", "--output", metavar="OUT.csv", help="write the plan as CSV to OUT")
    parser.set_defaults(run=_run_plan)


def plan_text(project: Project, rows: list[Any]) -> str:
    """The `vsm plan` text for people: one line per kaizen."""
    from vsm.model.kaizen import KAIZEN_STATUSES

    count = f"{len(rows)} improvement{'s' if len(rows) != 1 else ''}"
    lines = [f"{project.name} — improvement plan ({count})", ""]
    if not rows:
        return "\n".join(lines + ["No kaizen bursts yet."])
    table = [("Due", "Status", "Owner", "Saving", "Improvement")]
    for row in rows:
        where = " — ".join(part for part in (row.step_name, row.map_name) if part)
        table.append((row.due or "–", KAIZEN_STATUSES.get(row.status, row.status),
                      row.owner or "–", format_duration(row.expected_saving_minutes),
                      f"{row.title} ({where})"))
    widths = [max(len(cells[i]) for cells in table) for i in range(4)]
    for cells in table:
        lines.append("  ".join([f"{cells[0]:<{widths[0]}}", f"{cells[1]:<{widths[1]}}",
                                f"{cells[2]:<{widths[2]}}", f"{cells[3]:>{widths[3]}}",
                                cells[4]]))
    return "\n".join(lines)


def _run_plan(args: argparse.Namespace) -> int:
    from vsm.analysis.plan import improvement_plan
    from vsm.export.plan_csv import write_plan_csv

    if args.output is not None:
        refuse_same_file(args.file, args.output)
    project = load(args.file)
    rows = improvement_plan(project)
    if args.output is None:
        print(plan_text(project, rows))
    else:
        write_plan_csv(rows, args.output)
        print(f"Wrote {args.output} ({len(rows)} improvement{'s' if len(rows) != 1 else ''})")
    return EXIT_OK
