"""The `vsm` command line: report on, compare, convert and export value-stream projects, list the
improvement plan, start projects from templates or spreadsheets, and mine event logs into
measured maps, without the editor; register the editor with a Linux desktop.

Each command is one `_add_<command>` function that declares its sub-parser (in vsm.cli.report,
compare_and_plan, convert_and_export, workshop, mine and desktop) and one `_run_<command>` function
that does the work and returns the exit status; COMMANDS lists the former. Errors meant for people (VsmError,
ModelError) print one line, `vsm: error: <message>`, and exit with status 2, as does a map whose
figures cannot be computed (one line per problem, vsm.cli.common.fail); anything unexpected
prints `vsm: internal error: ...` and exits with 1 (`--debug` shows the traceback instead). Never
imports Qt.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Callable

from vsm import __version__
from vsm.cli import compare_and_plan, convert_and_export, desktop, mine, report, workshop
from vsm.cli.common import EXIT_ERROR, EXIT_INTERNAL, EXIT_INTERRUPTED, load_by_name, one_line
from vsm.errors import VsmError
from vsm.model import ModelError


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
    return load_by_name("ui.app", "the editor").run(args.file)


COMMANDS: list[Callable[[Any, argparse.ArgumentParser], None]] = [
    report.add_report, convert_and_export.add_convert, compare_and_plan.add_compare,
    compare_and_plan.add_plan, convert_and_export.add_export, workshop.add_templates,
    workshop.add_new, workshop.add_import, mine.add_mine, _add_edit, desktop.add_desktop]


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
        print(f"vsm: error: {one_line(error)}", file=sys.stderr)
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
        print(f"vsm: internal error: {type(error).__name__}: {one_line(error)} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
