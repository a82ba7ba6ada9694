"""What every `vsm` command shares: exit statuses, the error for refused commands, loading the
project and choosing its map, the checks that keep a command from overwriting its input, and the
refusal of a map the analysis cannot compute figures for.

Exit statuses: 0 done; 2 bad input (a file, an option, or a map whose figures cannot be computed),
with one line `vsm: error: <message>` per problem on stderr; 1 an internal error; 130 interrupted.
A command that shows figures (report, compare, the exports that show figures) exits with 2 when
a map's figures cannot be computed; with --json it still prints its JSON (null figures and the
problems) on stdout first."""

from __future__ import annotations

import importlib
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from vsm.errors import VsmError
from vsm.files.atomic import same_file
from vsm.model import Project, ValueStreamMap

if TYPE_CHECKING:
    from vsm.analysis import MapAnalysis

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
SAVE_SUFFIXES = (".vsm", ".json")


class CommandError(VsmError):
    """A command cannot do what was asked; the message says why."""


def load(path: str) -> Project:
    """The project in a .vsm or vsm-json file (FileFormatError naming the file if it cannot)."""
    from vsm.files.formats import load_project

    return load_project(path)


MAPS_NAMED = 5  # an unknown --map names this many of the project's maps…
NAME_SHOWN = 40  # …each cut to this many characters (the line stays under 400)


def map_named(project: Project, name: str) -> ValueStreamMap:
    """The first map called `name` (case-insensitive); CommandError naming a few of the maps
    if there is none: at most MAPS_NAMED, each cut to NAME_SHOWN characters, "… and N more"
    (a project may hold many maps, with names of any length)."""
    wanted = name.casefold()
    for map_ in project.maps:
        if map_.name.casefold() == wanted:
            return map_
    names = [repr(shown(m.name)) for m in project.maps[:MAPS_NAMED]]
    more = len(project.maps) - len(names)
    listed = ", ".join(names) + (f", … and {more} more" if more else "") if names else "none"
    raise CommandError(f"no map named {shown(name)!r} (maps: {listed})")


def shown(text: str, limit: int = NAME_SHOWN) -> str:
    """A name as an error message shows it: on one line, cut to `limit` characters with "…"."""
    text = " ".join(text[:limit * 4].split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def choose_map(project: Project, name: str | None, path: str) -> ValueStreamMap:
    """The map called `name`, else the first current-state map, else the first map."""
    if name is not None:
        return map_named(project, name)
    map_ = project.first_map("current") or (project.maps[0] if project.maps else None)
    if map_ is None:
        raise CommandError(f"{path}: the project has no maps")
    return map_


def json_number(value: float | None) -> float | None:
    """A figure for JSON at full precision (the exact float); None when missing or not finite."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def one_line(message: object) -> str:
    """A message on one line, as errors are printed."""
    return " ".join(str(message).split())


def unanalysed(map_: ValueStreamMap, result: MapAnalysis) -> list[str]:
    """Why the map's figures cannot be computed, one sentence each naming the map; [] when they
    can. Those are its blocking problems (a loop of ordinary flows, shares not adding up to
    100 %, no steps…); or, when the analysis went through but left a figure out (rolled %C&A,
    or the utilisation of a map with a demand, on maps with too many route combinations), the
    problems that say so (the problems not about particular steps)."""
    problems = [problem for problem in result.problems if problem.blocking]
    if not problems and (result.rolled_pca_percent is None
                         or (map_.demand is not None and not result.visits)):
        problems = [problem for problem in result.problems if not problem.step_ids]
    return [f"map {map_.name!r}: {problem.message}" for problem in problems]


def fail(problems: list[str]) -> int:
    """Print each problem as an error line on stderr; the exit status for bad input."""
    for problem in problems:
        print(f"vsm: error: {one_line(problem)}", file=sys.stderr)
    return EXIT_ERROR


def percent(value: float | None) -> str:
    """A percentage for people: one decimal, or – when there is none."""
    return "–" if value is None or not math.isfinite(value) else f"{value:.1f}%"


def refuse_same_file(source: str | Path, output: str | Path, names: str = "FILE and OUT") -> None:
    """CommandError when the output would overwrite the input."""
    if same_file(Path(source), Path(output)):
        raise CommandError(f"{output}: {names} are the same file; choose another OUT")


def refuse_to_overwrite(output: Path, force: bool) -> None:
    """CommandError for an output that is no project file, or that exists without --force."""
    if output.suffix.lower() not in SAVE_SUFFIXES:
        raise CommandError(f"{output}: unknown file type; use .vsm or .json")
    if output.exists() and not force:
        raise CommandError(f"{output}: the file exists; choose another name or add --force to "
                           "replace it")


def load_by_name(module: str, needs: str) -> ModuleType:
    """Import a module by name, as the commands that draw with Qt do (the editor, pictures):
    vsm never imports ui/ statically. Without Qt installed, CommandError says what `needs` it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is None or error.name.split(".")[0] not in ("PySide6", "shiboken6"):
            raise
        raise CommandError(f"{needs} needs Qt (PySide6), which is not installed") from None
