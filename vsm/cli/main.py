"""The `vsm` command line: report on, compare, convert and export value-stream projects, list the
improvement plan, and start projects from templates or spreadsheets (vsm.cli.workshop), without
the editor.

Each command is one `_add_<command>` function that declares its sub-parser and one `_run_<command>`
function that does the work and returns the exit status; COMMANDS lists the former. Errors meant
for people (VsmError, ModelError) print one line, `vsm: error: <message>`, and exit with status 2;
anything unexpected prints `vsm: internal error: ...` and exits with 1 (`--debug` shows the
traceback instead). Never imports Qt.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Callable

from vsm import __version__
from vsm.cli.workshop import COMMANDS as WORKSHOP_COMMANDS
from vsm.cli.workshop import add_simulation_options, report_json_extras, report_text_rows, simulation
from vsm.model.durations import format_duration
from vsm.errors import VsmError
from vsm.model import ModelError, Project, ValueStreamMap

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class CommandError(VsmError):
    """A command cannot do what was asked; the message says why."""


# ---------------------------------------------------------------- helpers


def _load(path: str) -> Project:
    from vsm.files.formats import load_project

    return load_project(path)


def _choose_map(project: Project, name: str | None, path: str) -> ValueStreamMap:
    """The map called `name`, else the first current-state map, else the first map."""
    if name is not None:
        return project.map_named(name)
    map_ = project.first_map("current") or (project.maps[0] if project.maps else None)
    if map_ is None:
        raise CommandError(f"{path}: the project has no maps")
    return map_


def _rounded(value: float | None) -> float | None:
    """A figure for JSON: rounded to 6 decimals; None when missing or not finite."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 6)


def _percent(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.1f}%"


def _flag_label(flag: str) -> str:
    from vsm import analysis

    labels: dict[str, str] = getattr(analysis, "FLAG_LABELS", {})
    return labels.get(flag, flag.replace("_", " ").capitalize())


# ---------------------------------------------------------------- report


def _add_report(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "report", parents=[common], help="print the figures of one map",
        description="Print a map's lead time, process time, flow efficiency, rolled %%C&A, "
                    "critical path and the steps to change first.")
    parser.add_argument("file", metavar="FILE", help="a .vsm or .json project")
    parser.add_argument("--map", metavar="NAME",
                        help="the map to report on (default: the first current-state map)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    add_simulation_options(parser)
    parser.set_defaults(run=_run_report)


def report_data(map_: ValueStreamMap, result: Any, distribution: Any = None) -> dict[str, Any]:
    """The `vsm report --json` document for a map and its MapAnalysis (and the simulated lead
    time: p50, p85, p95 keys; capacity keys when the map has a demand)."""
    return {
        "map": map_.name,
        "lead_time_minutes": _rounded(result.lead_time),
        "process_time_minutes": _rounded(result.process_time),
        "flow_efficiency_percent": _rounded(result.flow_efficiency_percent),
        "rolled_pca_percent": _rounded(result.rolled_pca_percent),
        "critical_path": list(result.critical_path),
        "steps_to_change": [
            {"id": item.step_id, "name": item.name, "flags": list(item.flags),
             "saving_minutes": _rounded(item.saving), "reasons": list(item.reasons)}
            for item in result.steps_to_change],
        "problems": [problem.message for problem in result.problems],
        **report_json_extras(map_, result, distribution),
    }


def report_text(project: Project, map_: ValueStreamMap, result: Any, distribution: Any = None) -> str:
    """The `vsm report` text for people."""
    names = {step.id: step.name for step in map_.steps}
    kind = "current state" if map_.kind == "current" else "future state"
    about = f"{len(map_.steps)} steps"
    if map_.name.casefold() != kind:
        about = f"{kind}, {about}"
    lines = [f"{project.name} — {map_.name} ({about})", ""]
    figures = [
        ("Lead time", format_duration(result.lead_time)),
        ("Process time", format_duration(result.process_time)),
        ("Flow efficiency", _percent(result.flow_efficiency_percent)),
        ("Rolled %C&A", _percent(result.rolled_pca_percent)),
        ("Critical path", " → ".join(names.get(v, v) for v in result.critical_path) or "–"),
    ]
    after_lead, capacity = report_text_rows(map_, result, distribution)
    figures[1:1] = after_lead
    figures += capacity
    width = max(len(label) for label, _ in figures)
    lines += [f"{label:<{width}}  {value}" for label, value in figures]
    if result.steps_to_change:
        lines += ["", "Steps to change"]
        for number, item in enumerate(result.steps_to_change, start=1):
            flags = ", ".join(_flag_label(flag) for flag in item.flags)
            saving = f" — saves {format_duration(item.saving)}" if item.saving > 0 else ""
            lines.append(f"  {number}. {item.name} [{flags}]{saving}")
            lines += [f"     {reason}" for reason in item.reasons]
    elif not result.problems:
        lines += ["", "No steps flagged."]
    if result.problems:
        lines += ["", "Problems"]
        lines += [f"  - {problem.message}" for problem in result.problems]
    return "\n".join(lines)


def _run_report(args: argparse.Namespace) -> int:
    from vsm.analysis import Problem, analyse

    project = _load(args.file)
    map_ = _choose_map(project, args.map, args.file)
    result = analyse(map_)
    distribution, trouble = simulation(map_, result, args.runs, args.seed)
    if trouble:
        result.problems.append(Problem(trouble, blocking=False))
    if args.json:
        print(json.dumps(report_data(map_, result, distribution), indent=2, ensure_ascii=False))
    else:
        print(report_text(project, map_, result, distribution))
    return EXIT_OK


# ---------------------------------------------------------------- convert


def _add_convert(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "convert", parents=[common], help="convert a project between .vsm and .json",
        description="Read a project from IN and write it to OUT; the suffixes (.vsm or .json) "
                    "choose the formats. OUT is replaced if it exists.")
    parser.add_argument("input", metavar="IN", help="the project to read (.vsm or .json)")
    parser.add_argument("output", metavar="OUT", help="the file to write (.vsm or .json)")
    parser.set_defaults(run=_run_convert)


def _same_file(first: Path, second: Path) -> bool:
    if first.resolve() == second.resolve():
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist yet
        return False


def _run_convert(args: argparse.Namespace) -> int:
    from vsm.files.formats import save_project_any

    source, target = Path(args.input), Path(args.output)
    if _same_file(source, target):
        raise CommandError(f"{target}: IN and OUT are the same file; choose another OUT")
    project = _load(args.input)
    save_project_any(project, target)
    print(f"Wrote {target} ({len(project.maps)} map{'s' if len(project.maps) != 1 else ''})")
    return EXIT_OK


# ---------------------------------------------------------------- compare


def _add_compare(commands: Any, common: argparse.ArgumentParser) -> None:
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
    """The `vsm compare` text for people."""
    from vsm.analysis.compare import METRICS, describe_field_change, format_delta, format_metric

    lines = [f"{project.name} — {comparison.before.name} → {comparison.after.name}", ""]
    width = max(len(label) for label, _ in METRICS.values())
    for key, (label, _) in METRICS.items():
        metric = comparison.metrics[key]
        line = (f"{label:<{width}}  {format_metric(key, metric.from_)} → "
                f"{format_metric(key, metric.to)}")
        change = format_delta(key, metric)
        lines.append(f"{line} ({change})" if change else line)
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
    for map_, result in ((comparison.before, comparison.before_analysis),
                         (comparison.after, comparison.after_analysis)):
        blocking = [problem.message for problem in result.problems if problem.blocking]
        if blocking:
            lines += ["", f"Problems in {map_.name}"] + [f"  - {message}" for message in blocking]
    return "\n".join(lines)


def _run_compare(args: argparse.Namespace) -> int:
    from vsm.analysis.compare import compare_maps

    project = _load(args.file)
    if args.from_map is not None:
        before = project.map_named(args.from_map)
    else:
        before = project.first_map("current")
        if before is None:
            raise CommandError(f"no current-state map in {args.file}; name one with --from")
    if args.to_map is not None:
        after = project.map_named(args.to_map)
    else:
        after = project.first_map("future")
        if after is None:
            raise CommandError(f"no future-state map in {args.file}; name one with --to")
    comparison = compare_maps(before, after, context=project.maps)
    if args.json:
        print(json.dumps(comparison.to_json_dict(), indent=2, ensure_ascii=False))
    else:
        print(compare_text(project, comparison))
    return EXIT_OK


# ---------------------------------------------------------------- plan


def _add_plan(commands: Any, common: argparse.ArgumentParser) -> None:
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

    if args.output is not None and _same_file(Path(args.file), Path(args.output)):
        raise CommandError(f"{args.output}: FILE and OUT are the same file; choose another OUT")
    project = _load(args.file)
    rows = improvement_plan(project)
    if args.output is None:
        print(plan_text(project, rows))
    else:
        write_plan_csv(rows, args.output)
        print(f"Wrote {args.output} ({len(rows)} improvement{'s' if len(rows) != 1 else ''})")
    return EXIT_OK


# ---------------------------------------------------------------- export

# format -> "module:function", called as function(project, path, map_ids). Modules load only
# when their format is used, so a renderer that needs Qt can be registered here without the
# other commands loading Qt.
EXPORT_FORMATS: dict[str, str] = {"pptx": "vsm.export.deck:export_pptx",
                                  "csv": "vsm.files.step_tables:export_csv",  # one map's step table
                                  "xlsx": "vsm.files.step_tables:export_xlsx"}  # a sheet per map
# Pictures of the maps, drawn by the editor's renderer (Qt, offscreen when there is no display).
RENDERER_FORMATS = ("png", "svg", "pdf")
EXPORT_FORMATS.update({format_: f"ui.render.images:export_{format_}" for format_ in RENDERER_FORMATS})
EXPORT_FORMATS["a3"] = "ui.render.a3_report:export_a3"  # one-page A3 PDF report per map


def _add_export(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "export", parents=[common], help="export maps for slide decks (pptx) or spreadsheets",
        description="Write the project's maps as a PowerPoint deck of editable shapes, with "
                    "figures, comparison and improvement-plan slides (pptx), or their step tables "
                    "for spreadsheets: csv (one map, chosen with --map) or xlsx (a sheet per "
                    "map), read back by `vsm import`, or pictures of the maps as the editor draws "
                    "them: png and svg (one file per map, OUT-<map name>.png when there are "
                    "several) or pdf (a page per map), or a3: a PDF with one A3 report page per "
                    "map (the map, its figures, steps to change and improvement plan). The "
                    "format comes from --format or else "
                    "from OUT's suffix.")
    parser.add_argument("file", metavar="FILE", help="a .vsm or .json project")
    parser.add_argument("--map", dest="maps", metavar="NAME", action="append",
                        help="a map to include (repeat for several; default: every map)")
    parser.add_argument("--format", dest="format", metavar="FORMAT",
                        choices=sorted({*EXPORT_FORMATS, *RENDERER_FORMATS}),
                        help=f"one of {', '.join(sorted({*EXPORT_FORMATS, *RENDERER_FORMATS}))}")
    parser.add_argument("-o", "--output", metavar="OUT", required=True, help="the file to write")
    parser.add_argument("--scale", metavar="N", type=float,
                        help="png only: up to 20, pixels per map unit (1 = the canvas at 100%%); "
                             "above 20, the image width in pixels (default: 3840, for 4K)")
    parser.set_defaults(run=_run_export)


def _exporter(format_: str) -> Callable[..., None]:
    """The export function registered for a format."""
    if format_ not in EXPORT_FORMATS:
        raise CommandError(f"unknown export format {format_!r}; use "
                           + ", ".join(sorted(EXPORT_FORMATS)))
    module, _, function = EXPORT_FORMATS[format_].partition(":")
    return getattr(importlib.import_module(module), function)


def _run_export(args: argparse.Namespace) -> int:
    output = Path(args.output)
    format_ = args.format or output.suffix.lower().lstrip(".")
    if not format_:
        raise CommandError(f"{output}: give --format or an OUT with a suffix such as .pptx")
    export = _exporter(format_)
    options: dict[str, float] = {}
    if args.scale is not None:
        if format_ != "png":
            raise CommandError("--scale applies to --format png only")
        if not (args.scale > 0 and math.isfinite(args.scale)):
            raise CommandError(f"--scale must be a positive number, not {args.scale:g}")
        options["scale"] = args.scale
    if _same_file(Path(args.file), output):
        raise CommandError(f"{output}: FILE and OUT are the same file; choose another OUT")
    project = _load(args.file)
    maps = [project.map_named(name) for name in args.maps] if args.maps else project.maps
    if not maps:
        raise CommandError(f"{args.file}: the project has no maps")
    written = export(project, output, [m.id for m in maps], **options)
    files = ", ".join(str(path) for path in written) if isinstance(written, list) else str(output)
    print(f"Wrote {files} ({len(maps)} map{'s' if len(maps) != 1 else ''})")
    return EXIT_OK


# ---------------------------------------------------------------- the parser and main

def _add_edit(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "edit", parents=[common], help="open the editor",
        description="Open the value-stream editor, on FILE (.vsm or .json) if given.")
    parser.add_argument("file", nargs="?", help="the project to open (.vsm or .json)")
    parser.set_defaults(run=_run_edit)


def _run_edit(args: argparse.Namespace) -> int:
    if args.file and not Path(args.file).exists():
        raise VsmError(f"{args.file}: no such file")
    # The editor is loaded by name, like the image renderers in EXPORT_FORMATS: vsm/ never imports
    # ui/ statically, and no other command loads Qt.
    editor = importlib.import_module("ui.app")
    return editor.run(args.file)


COMMANDS: list[Callable[[Any, argparse.ArgumentParser], None]] = [
    _add_report, _add_convert, _add_compare, _add_plan, _add_export, *WORKSHOP_COMMANDS, _add_edit]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks for errors")
    parser = argparse.ArgumentParser(
        prog="vsm",
        description="Value-stream maps for IT service management, from the command line.")
    parser.add_argument("--debug", action="store_true", default=False,
                        help="show tracebacks for errors")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(commands, common)
    return parser


def _silence_stdout() -> None:
    """Point stdout at the null device so that flushing at exit raises no second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 error, 1 internal error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    debug = getattr(args, "debug", False)
    try:
        return args.run(args)
    except (VsmError, ModelError) as error:
        if debug:
            raise
        print(f"vsm: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. `vsm report ... | head`: stop quietly
        _silence_stdout()
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        if debug:
            raise
        print("vsm: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if debug:
            raise
        print(f"vsm: internal error: {type(error).__name__}: {_one_line(error)} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
