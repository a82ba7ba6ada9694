"""`vsm convert` (between .vsm and vsm-json) and `vsm export` (a PowerPoint deck, step tables for
spreadsheets, pictures of the maps, the A3 report).

The formats that show figures (FIGURE_FORMATS: the deck, the A3 report, and the pictures with
their lead-time ladder and summary) write nothing and exit with 2 when a chosen map's figures
cannot be computed (vsm.cli.common.unanalysed), so no file shows blank figures; step tables
(csv, xlsx) hold only what was typed and are written for any map."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any, Callable

from vsm.cli.common import (
    EXIT_OK,
    CommandError,
    fail,
    load,
    load_by_name,
    map_named,
    refuse_same_file,
    unanalysed,
)


def add_convert(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "convert", parents=[common], help="convert a project between .vsm and .json",
        description="Read a project from IN and write it to OUT; the suffixes (.vsm or .json) "
                    "choose the formats. OUT is replaced if it exists.")
    parser.add_argument("input", metavar="IN", help="the project to read (.vsm or .json)")
    parser.add_argument("output", metavar="OUT", help="the file to write (.vsm or .json)")
    parser.set_defaults(run=_run_convert)


def _run_convert(args: argparse.Namespace) -> int:
    from vsm.files.formats import save_project_any

    source, target = Path(args.input), Path(args.output)
    refuse_same_file(source, target, "IN and OUT")
    project = load(args.input)
    save_project_any(project, target)
    print(f"Wrote {target} ({len(project.maps)} map{'s' if len(project.maps) != 1 else ''})")
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
FIGURE_FORMATS = ("pptx", "a3", *RENDERER_FORMATS)  # refused for a map without its figures


def add_export(commands: Any, common: argparse.ArgumentParser) -> None:
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


def _check_format(format_: str) -> None:
    """CommandError for a format no exporter is registered for."""
    if format_ not in EXPORT_FORMATS:
        raise CommandError(f"unknown export format {format_!r}; use "
                           + ", ".join(sorted(EXPORT_FORMATS)))


def _exporter(format_: str) -> Callable[..., None]:
    """The export function registered for a format (loaded now: it may need Qt)."""
    _check_format(format_)
    module, _, function = EXPORT_FORMATS[format_].partition(":")
    return getattr(load_by_name(module, f"the {format_} export"), function)


def _run_export(args: argparse.Namespace) -> int:
    output = Path(args.output)
    format_ = args.format or output.suffix.lower().lstrip(".")
    if not format_:
        raise CommandError(f"{output}: give --format or an OUT with a suffix such as .pptx")
    options: dict[str, float] = {}
    if args.scale is not None:
        if format_ != "png":
            raise CommandError("--scale applies to --format png only")
        if not (args.scale > 0 and math.isfinite(args.scale)):
            raise CommandError(f"--scale must be a positive number, not {args.scale:g}")
        options["scale"] = args.scale
    _check_format(format_)
    refuse_same_file(args.file, output)
    project = load(args.file)
    maps = [map_named(project, name) for name in args.maps] if args.maps else project.maps
    if not maps:
        raise CommandError(f"{args.file}: the project has no maps")
    if format_ in FIGURE_FORMATS:
        from vsm.analysis import analyse

        problems = [problem for map_ in maps for problem in unanalysed(map_, analyse(map_))]
        if problems:
            return fail(problems + [f"{output}: nothing written; fix the map or choose the "
                                    "maps to export with --map"])
    written = _exporter(format_)(project, output, [m.id for m in maps], **options)
    files = ", ".join(str(path) for path in written) if isinstance(written, list) else str(output)
    print(f"Wrote {files} ({len(maps)} map{'s' if len(maps) != 1 else ''})")
    return EXIT_OK
