"""Workshop commands of the `vsm` command line: templates, new, import; and the capacity and
simulation figures that `vsm report` adds.

The commands follow vsm.cli.main's pattern (an `_add_<command>` function per sub-parser, listed in
COMMANDS, whose `_run_<command>` returns the exit status). vsm.cli.main is imported lazily inside the
run functions, so that this module can be imported on its own.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any, Callable

from vsm.model.durations import format_duration
from vsm.model import ValueStreamMap

SAVE_SUFFIXES = (".vsm", ".json")


def _refuse_to_overwrite(output: Path, force: bool) -> None:
    from vsm.cli.main import CommandError

    if output.suffix.lower() not in SAVE_SUFFIXES:
        raise CommandError(f"{output}: unknown file type; use .vsm or .json")
    if output.exists() and not force:
        raise CommandError(f"{output}: the file exists; choose another name or add --force to "
                           "replace it")


# ---------------------------------------------------------------- templates


def _add_templates(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "templates", parents=[common], help="list the ITIL 4 templates",
        description="List the bundled ITIL 4 value-stream templates, one per line: the id (for "
                    "`vsm new --template ID`), two spaces and the title.")
    parser.set_defaults(run=_run_templates)


def _run_templates(args: argparse.Namespace) -> int:
    from vsm.files.bundled import list_templates

    for template in list_templates():
        print(f"{template.id}  {template.title}")
    return 0


# ---------------------------------------------------------------- new


def _add_new(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "new", parents=[common], help="create a project from a template",
        description="Create a project from an ITIL 4 template (see `vsm templates`): its current "
                    "and future states with their improvement ideas, under a new project id. "
                    "OUT's suffix (.vsm or .json) chooses the format.")
    parser.add_argument("--template", metavar="ID", required=True, help="the template's id")
    parser.add_argument("output", metavar="OUT", help="the file to write (.vsm or .json)")
    parser.add_argument("--name", metavar="NAME", help="the project's name (default: the title)")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    parser.set_defaults(run=_run_new)


def _run_new(args: argparse.Namespace) -> int:
    from vsm.files.formats import save_project_any
    from vsm.files.bundled import new_from_template

    output = Path(args.output)
    _refuse_to_overwrite(output, args.force)
    project = new_from_template(args.template)
    if args.name is not None:
        project.set_name(args.name)
    save_project_any(project, output)
    print(f"Wrote {output}: {project.name} ({len(project.maps)} maps)")
    return 0


# ---------------------------------------------------------------- import


def _add_import(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "import", parents=[common], help="make a project from a spreadsheet step table",
        description="Read a step table (CSV or XLSX, one row per step; columns in "
                    "docs/file-format.md) into a new project with one current-state map, laid "
                    "out left to right. Every bad row is reported and nothing is written.")
    parser.add_argument("file", metavar="FILE", help="the table to read (.csv or .xlsx)")
    parser.add_argument("-o", "--output", metavar="OUT", required=True,
                        help="the project to write (.vsm or .json)")
    parser.add_argument("--name", metavar="MAPNAME",
                        help="the map's name; in a workbook also the sheet to read (default: "
                             "the first sheet)")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    parser.set_defaults(run=_run_import)


def _run_import(args: argparse.Namespace) -> int:
    from vsm.cli.main import EXIT_ERROR, CommandError, _same_file
    from vsm.files.formats import save_project_any
    from vsm.files.step_tables import SheetError, project_from_table

    output = Path(args.output)
    if _same_file(Path(args.file), output):
        raise CommandError(f"{output}: FILE and OUT are the same file; choose another OUT")
    _refuse_to_overwrite(output, args.force)
    try:
        project, notes = project_from_table(args.file, args.name)
    except SheetError as error:
        count = len(error.problems)
        print(f"vsm: error: {error.path}: {count} problem{'s' if count != 1 else ''} in the "
              "step table; nothing was written", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_ERROR
    for note in notes:
        print(f"note: {args.file}: {note}", file=sys.stderr)
    save_project_any(project, output)
    map_ = project.maps[0]
    print(f"Wrote {output}: map {map_.name!r}, {len(map_.steps)} steps, {len(map_.flows)} flows")
    return 0


COMMANDS: list[Callable[[Any, argparse.ArgumentParser], None]] = [
    _add_templates, _add_new, _add_import]


# ---------------------------------------------------------------- what `vsm report` adds


def add_simulation_options(parser: argparse.ArgumentParser) -> None:
    """--runs and --seed for `vsm report`."""
    parser.add_argument("--runs", type=int, metavar="N",
                        help="simulated runs for P50/P85/P95 (default 10,000); simulating is "
                             "automatic when a step has a time range")
    parser.add_argument("--seed", type=int, metavar="S", help="seed of the simulation (default 42)")


def simulation(map_: ValueStreamMap, result: Any, runs: int | None,
               seed: int | None) -> tuple[Any, str | None]:
    """(LeadTimeDistribution or None, a problem sentence or None) for `vsm report`: simulated
    when a step has a time range or --runs / --seed were given, and the map can be analysed."""
    from vsm.analysis.montecarlo import DEFAULT_RUNS, DEFAULT_SEED, SimulationError, should_simulate, simulate

    if not result.ok or not (should_simulate(map_) or runs is not None or seed is not None):
        return None, None
    try:
        return simulate(map_, DEFAULT_RUNS if runs is None else runs,
                        DEFAULT_SEED if seed is None else seed), None
    except SimulationError as error:
        return None, f"Lead time not simulated: {error}."


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 6)


def report_json_extras(map_: ValueStreamMap, result: Any, distribution: Any) -> dict[str, Any]:
    """The keys `vsm report --json` adds when there is demand and when there are percentiles."""
    data: dict[str, Any] = {}
    if distribution is not None:
        data.update({"lead_time_p50_minutes": _finite(distribution.p50),
                     "lead_time_p85_minutes": _finite(distribution.p85),
                     "lead_time_p95_minutes": _finite(distribution.p95),
                     "lead_time_simulated_mean_minutes": _finite(distribution.mean),
                     "simulation_runs": distribution.runs, "simulation_seed": distribution.seed})
    if result.takt_time is not None:
        data["takt_time_minutes"] = _finite(result.takt_time)
        data["utilisation"] = [
            {"id": step.id, "name": step.name,
             "percent": _finite(result.utilisation[step.id]),  # null: nobody assigned
             "visits": _finite(result.visits.get(step.id)),
             "over_capacity": "over_capacity" in result.flags.get(step.id, [])}
            for step in map_.steps if step.id in result.utilisation]
    return data


def working_hours(minutes: float) -> str:
    """Working time in hours and minutes, never days (a working day is not 24 hours): '86h 40m'."""
    whole = round(minutes)
    if whole < 60:
        return format_duration(minutes)
    hours, rest = divmod(whole, 60)
    return f"{hours}h {rest}m" if rest else f"{hours}h"


def report_text_rows(map_: ValueStreamMap, result: Any,
                     distribution: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Rows for `vsm report`: (after the lead time, after the other figures)."""
    after_lead: list[tuple[str, str]] = []
    if distribution is not None:
        after_lead.append(("Simulated", f"P50 {format_duration(distribution.p50)}, "
                                        f"P85 {format_duration(distribution.p85)}, "
                                        f"P95 {format_duration(distribution.p95)} "
                                        f"({distribution.runs:,} runs, seed {distribution.seed})"))
    rows: list[tuple[str, str]] = []
    if result.takt_time is not None:
        rows.append(("Takt time", f"{working_hours(result.takt_time)} of working time "
                                  f"({map_.demand:g} items/{map_.demand_period})"))
        if result.utilisation:
            busiest = max(result.utilisation, key=result.utilisation.__getitem__)
            value = result.utilisation[busiest]
            shown = "nobody assigned" if math.isinf(value) else f"{value:.0f}% utilised"
            rows.append(("Busiest step", f"{map_.step(busiest).name} ({shown})"))
    return after_lead, rows
