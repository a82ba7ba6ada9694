"""The `vsm` command line: report on and convert value-stream projects without the editor.

Each command is one `_add_<command>` function that declares its sub-parser and one `_run_<command>`
function that does the work and returns the exit status; COMMANDS lists the former. Errors meant
for people (VsmError, ModelError) print one line, `vsm: error: <message>`, and exit with status 2;
anything unexpected prints `vsm: internal error: ...` and exits with 1 (`--debug` shows the
traceback instead). Never imports Qt.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Callable

from vsm import __version__
from vsm.durations import format_duration
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
    from vsm.interchange import load_project

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
    parser.set_defaults(run=_run_report)


def report_data(map_: ValueStreamMap, result: Any) -> dict[str, Any]:
    """The `vsm report --json` document for a map and its MapAnalysis."""
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
    }


def report_text(project: Project, map_: ValueStreamMap, result: Any) -> str:
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
    from vsm.analysis import analyse

    project = _load(args.file)
    map_ = _choose_map(project, args.map, args.file)
    result = analyse(map_)
    if args.json:
        print(json.dumps(report_data(map_, result), indent=2, ensure_ascii=False))
    else:
        print(report_text(project, map_, result))
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
    from vsm.interchange import save_project_any

    source, target = Path(args.input), Path(args.output)
    if _same_file(source, target):
        raise CommandError(f"{target}: IN and OUT are the same file; choose another OUT")
    project = _load(args.input)
    save_project_any(project, target)
    print(f"Wrote {target} ({len(project.maps)} map{'s' if len(project.maps) != 1 else ''})")
    return EXIT_OK


# ---------------------------------------------------------------- the parser and main

COMMANDS: list[Callable[[Any, argparse.ArgumentParser], None]] = [_add_report, _add_convert]


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
