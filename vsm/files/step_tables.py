"""Step tables: one map's steps as spreadsheet rows (CSV or XLSX), imported and exported.

For data gathered before a workshop. One row per step; the columns (docs/file-format.md, "Step
tables") are COLUMNS. Headers are matched ignoring case, spaces, underscores and a trailing
"(...)" such as "(minutes)"; unknown columns are ignored; only `name` is required, every other
cell may be blank and then takes the model's default.

- `next`: the names of the following steps, separated by ";". Alternative routes carry their
  share in brackets, "Fix (70); Escalate (30)"; names without shares are concurrent branches.
- `rework_to` + `rework_probability`: where work goes back, and how often (percent). A step with
  several rework flows writes them all in `rework_to` with their probabilities, "Triage (20);
  Log (5)", and leaves `rework_probability` blank. The import reads both forms.
- Durations as in the rest of the app: minutes ("45"), text ("1h 30m", "2d"), or a spreadsheet
  time or duration cell.
- `target_time` (a step's own target lead time, a duration), `hourly_rate` (overrides the team's
  rate), `practices` (ITIL 4 management practices by label or code, separated by ";"; written
  as labels) and `information` (the information and technology used).

Importing checks every row and collects every problem ("row 7: pca must be more than 0 and at
most 100, not 150"); one SheetError lists them all and nothing is built. Exporting writes the
same columns, so exporting and importing again gives the same steps and flows (ids, positions,
origins, kaizens and the map's settings are not part of a step table).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from vsm.errors import FileFormatError, ModelError
from vsm.files.sheets import read_table, sheet_titles, table_kind, write_csv, write_xlsx
from vsm.files.step_rows import COLUMNS, SheetProblems, build_map, header_columns, name_key
from vsm.model import PRACTICES, Flow, Project, ValueStreamMap
from vsm.model.durations import format_exact
from vsm.model.variability import RANGE_FIELDS

PROBLEMS_SHOWN = 20  # problems written into the error message; SheetError.problems has all
DEFAULT_SHEET_NAMES = ("sheet", "sheet1", "feuil1", "tabelle1", "hoja1", "foglio1", "blad1")
WIDTHS = {"name": 32, "team": 20, "performer": 12, "activity": 18, "next": 36, "rework_to": 24,
          "notes": 40, "practices": 40, "information": 32}


class SheetError(FileFormatError):
    """A step table with problems: `problems` lists every one, "row 7: ..." (row numbers as the
    spreadsheet shows them)."""

    def __init__(self, path: str | Path, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = problems[:PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        reason = f"{count} in the step table: " + "; ".join(shown)
        if more:
            reason += f"; and {more} more"
        super().__init__(path, reason)


@dataclass
class TableImport:
    """A map read from a step table, with notes worth showing (encoding, sheet chosen)."""

    map: ValueStreamMap
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- import


def import_table(path: str | Path, map_name: str | None = None) -> TableImport:
    """Read a CSV or XLSX step table into a new current-state map laid out left to right.

    `map_name` names the map and, in a workbook, picks the sheet of that name (else the first
    sheet). Without it the map takes the sheet's name, or "Current state". Raises SheetError
    listing every bad row, or FileFormatError when the file itself cannot be read.
    """
    path = Path(path)
    raw = read_table(path, map_name)
    if not raw.rows:
        raise FileFormatError(path, "the table is empty; it needs a header row with a 'name' "
                                    "column and one row per step")
    header_number, header = raw.rows[0]
    columns, problems = header_columns(header, header_number)
    if problems:
        raise SheetError(path, problems)
    name = map_name or _name_from_sheet(raw.sheet) or "Current state"
    try:
        map_ = build_map(raw.rows[1:], columns, name)
        _lay_out(map_)
    except SheetProblems as error:
        raise SheetError(path, error.problems) from None
    except ModelError as error:  # the map's name (a sheet's title) or what no row check caught
        raise FileFormatError(path, str(error)) from None
    return TableImport(map_, raw.notes)


def project_from_table(path: str | Path, map_name: str | None = None) -> tuple[Project, list[str]]:
    """A new project holding the imported map, named after the file; and the notes."""
    path = Path(path)
    imported = import_table(path, map_name)
    return Project(path.stem or "Imported", [imported.map]), imported.notes


def _name_from_sheet(sheet: str | None) -> str | None:
    if sheet is None or sheet.strip().casefold() in DEFAULT_SHEET_NAMES:
        return None
    return sheet.strip()


def _lay_out(map_: ValueStreamMap) -> None:
    from vsm.model.layout import auto_layout

    for step_id, (x, y) in auto_layout(map_).items():
        map_.set_step_field(step_id, "x", x)
        map_.set_step_field(step_id, "y", y)


# ---------------------------------------------------------------- export


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def _entry(name: str, figure: float | None, keys: set[str]) -> str:
    """A next or rework step as written: the name, with its figure in brackets, in a form that
    is not itself a step's name (the import reads a whole name first: "Review (2)")."""
    if figure is None:
        return name
    shown = f"{_number(figure):g}"
    forms = (f"{name} ({shown})", f"{name} ({shown}%)", f"{name} ( {shown} )",
             f"{name} ( {shown}% )", f"{name} ({shown} %)")
    return next((form for form in forms if name_key(form) not in keys), forms[0])


def check_exportable(map_: ValueStreamMap) -> list[str]:
    """Why the map cannot be written as a step table (names must identify the steps)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for step in map_.steps:
        if not step.name.strip():
            problems.append("a step has no name; name every step")
        elif ";" in step.name:
            problems.append(f"step {step.name!r}: a name with ';' cannot be written (';' "
                            "separates the next steps); rename it")
        elif name_key(step.name) in seen:
            problems.append(f"two steps are called {step.name!r}; give them different names")
        seen.setdefault(name_key(step.name), step.name)
    return problems


def table_rows(map_: ValueStreamMap) -> list[list[Any]]:
    """The map's step table under COLUMNS: text, numbers and empty strings."""
    names = {step.id: step.name for step in map_.steps}
    keys = {name_key(name) for name in names.values()}
    leaving: dict[str, tuple[list[Flow], list[Flow]]] = {step.id: ([], []) for step in map_.steps}
    for flow in map_.flows:  # in one pass: the flows of each step, normal and rework, in order
        leaving[flow.source][flow.kind == "rework"].append(flow)
    rows: list[list[Any]] = []
    for step in map_.steps:
        out, back = leaving[step.id]
        probability: int | float | str  # "" when the probabilities are in rework_to
        if len(back) == 1:
            rework_to, probability = names[back[0].target], _number(back[0].probability or 0.0)
        else:
            rework_to = "; ".join(_entry(names[f.target], f.probability, keys) for f in back)
            probability = ""
        values = {
            "name": step.name, "team": step.team, "performer": step.performer,
            "activity": step.activity, "process_time": format_exact(step.process_time),
            "wait_time": format_exact(step.wait_time), "pca": _number(step.pca),
            "next": "; ".join(_entry(names[f.target], f.share, keys) for f in out),
            "rework_to": rework_to, "rework_probability": probability,
            "people": _number(step.people), "notes": step.notes,
            **{name: "" if getattr(step, name) is None else format_exact(getattr(step, name))
               for name in RANGE_FIELDS},
            "target_time": "" if step.target_time is None else format_exact(step.target_time),
            "hourly_rate": "" if step.hourly_rate is None else _number(step.hourly_rate),
            "practices": "; ".join(PRACTICES[code] for code in step.practices),
            "information": step.information,
        }
        rows.append([values[column] for column in COLUMNS])
    return rows


def _chosen(project: Project, path: Path, map_ids: Iterable[str]) -> list[ValueStreamMap]:
    maps = [project.map(map_id) for map_id in map_ids]
    problems = [f"map {m.name!r}: {p}" for m in maps for p in check_exportable(m)]
    if problems:
        raise FileFormatError(path, "; ".join(problems))
    return maps


def export_csv(project: Project, path: str | Path, map_ids: Iterable[str]) -> None:
    """Write one map's step table as CSV (UTF-8 with a byte-order mark, comma-separated)."""
    path = Path(path)
    map_ids = list(map_ids)
    if len(map_ids) != 1:
        names = ", ".join(repr(m.name) for m in project.maps)
        raise FileFormatError(path, f"a CSV file holds the step table of one map; choose it with "
                                    f"--map NAME (maps: {names})")
    write_csv(path, COLUMNS, table_rows(_chosen(project, path, map_ids)[0]))


def export_xlsx(project: Project, path: str | Path, map_ids: Iterable[str]) -> None:
    """Write each map's step table on its own sheet, named like the map."""
    path = Path(path)
    maps = _chosen(project, path, map_ids)
    if not maps:
        raise FileFormatError(path, "no map to write")
    titles = sheet_titles(m.name for m in maps)
    write_xlsx(path, [(title, COLUMNS, table_rows(m)) for title, m in zip(titles, maps)], WIDTHS)


def export_table(project: Project, path: str | Path, map_ids: Iterable[str]) -> None:
    """export_csv or export_xlsx, by the suffix of `path`."""
    path = Path(path)
    if table_kind(path) == "csv":
        export_csv(project, path, map_ids)
    else:
        export_xlsx(project, path, map_ids)


__all__ = ["COLUMNS", "SheetError", "TableImport", "import_table", "project_from_table",
           "table_rows", "check_exportable", "export_csv", "export_xlsx", "export_table"]
