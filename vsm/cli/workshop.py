"""Workshop commands: `vsm templates`, `vsm new --template` and `vsm import` (a step table)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from vsm.cli.common import EXIT_ERROR, EXIT_OK, refuse_same_file, refuse_to_overwrite

# ---------------------------------------------------------------- templates


def add_templates(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "templates", parents=[common], help="list the ITIL 4 templates",
        description="List the bundled ITIL 4 value-stream templates, one per line: the id (for "
                    "`vsm new --template ID`), two spaces and the title.")
    parser.set_defaults(run=_run_templates)


def _run_templates(args: argparse.Namespace) -> int:
    from vsm.files.bundled import list_templates

    for template in list_templates():
        print(f"{template.id}  {template.title}")
    return EXIT_OK


# ---------------------------------------------------------------- new


def add_new(commands: Any, common: argparse.ArgumentParser) -> None:
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
    from vsm.files.bundled import new_from_template
    from vsm.files.formats import save_project_any

    output = Path(args.output)
    refuse_to_overwrite(output, args.force)
    project = new_from_template(args.template)
    if args.name is not None:
        project.set_name(args.name)
    save_project_any(project, output)
    print(f"Wrote {output}: {project.name} ({len(project.maps)} maps)")
    return EXIT_OK


# ---------------------------------------------------------------- import


def add_import(commands: Any, common: argparse.ArgumentParser) -> None:
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
    from vsm.files.formats import save_project_any
    from vsm.files.step_tables import SheetError, project_from_table

    output = Path(args.output)
    refuse_same_file(args.file, output)
    refuse_to_overwrite(output, args.force)
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
    return EXIT_OK
