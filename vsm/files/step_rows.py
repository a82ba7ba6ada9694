"""The rows of a step table turned into a map, collecting every problem on the way.

Used by vsm.files.step_tables, which reads the files. Each cell is checked with the model's own rules
(clean_step_value, clean_percent, check_ranges), so the messages are the model's, prefixed by the
row number instead of the step name: "row 7: pca must be more than 0 and at most 100, not 150".
Then the references between rows are checked (next steps and rework targets exist, names are
unique, shares add up to 100). Only a table without any problem is built into a map.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from vsm.errors import ModelError
from vsm.model import (
    ACTIVITIES,
    PERFORMERS,
    Flow,
    Step,
    ValueStreamMap,
    clean_percent,
    clean_step_value,
)
from vsm.model.field_rules import SHARE_TOLERANCE
from vsm.model.variability import RANGE_FIELDS, check_ranges

COLUMNS: tuple[str, ...] = (
    "name", "team", "performer", "activity", "process_time", "wait_time", "pca", "next",
    "rework_to", "rework_probability", "people", "notes", *RANGE_FIELDS, "target_time",
    "hourly_rate", "practices", "information")
ALIASES: dict[str, str] = {
    "step": "name", "step_name": "name", "%c&a": "pca", "pc&a": "pca", "c&a": "pca",
    "percent_complete_and_accurate": "pca", "next_step": "next", "next_steps": "next",
    "rework": "rework_to", "rework_target": "rework_to", "rework_percent": "rework_probability",
    "rework_%": "rework_probability", "value_chain_activity": "activity",
    "process": "process_time", "wait": "wait_time",
    "target": "target_time", "target_lead_time": "target_time", "rate": "hourly_rate",
    "itil_practices": "practices", "itil_4_practices": "practices",
    "information_and_technology": "information", "information_technology": "information",
}
_FIGURE = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<figure>[0-9]+(?:[.,][0-9]*)?)\s*%?\s*\)$")
_DEFAULTS = Step()


class SheetProblems(Exception):
    """Every problem found in the rows, in row order."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold().replace("&", "and"))


_PERFORMERS = {**{_compact(k): k for k in PERFORMERS}, **{_compact(v): k for k, v in PERFORMERS.items()}}
_ACTIVITIES = {**{_compact(k): k for k in ACTIVITIES}, **{_compact(v): k for k, v in ACTIVITIES.items()}}


def name_key(name: str) -> str:
    """How step names are compared: case and repeated spaces ignored."""
    return " ".join(name.split()).casefold()


def header_key(cell: Any) -> str:
    """A header cell as a column name: case, spaces, hyphens and a trailing "(...)" ignored."""
    text = re.sub(r"\s*\([^)]*\)\s*$", "", "" if cell is None else str(cell)).strip().casefold()
    key = re.sub(r"_+", "_", re.sub(r"[\s\-]+", "_", text)).strip("_")
    return ALIASES.get(key, key)


def header_columns(header: Sequence[Any], number: int) -> tuple[dict[str, int], list[str]]:
    """column name -> cell index for the known columns of the header row, and its problems."""
    columns: dict[str, int] = {}
    problems: list[str] = []
    for index, cell in enumerate(header):
        key = header_key(cell)
        if key not in COLUMNS:
            continue  # unknown columns are ignored
        if key in columns:
            problems.append(f"row {number}: column {key!r} appears twice (columns "
                            f"{columns[key] + 1} and {index + 1})")
        else:
            columns[key] = index
    if "name" not in columns:
        found = ", ".join(repr(str(c)) for c in header if c not in (None, "")) or "nothing"
        problems.append(f"row {number}: no 'name' column; the header must name the columns "
                        f"({', '.join(COLUMNS)}); found {found}")
    return columns, problems


# ---------------------------------------------------------------- cells


def _text(cell: Any, strip: bool = True) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip() if strip else str(cell)


def _duration(cell: Any) -> Any:
    """A duration cell as minutes or text for the model; None when blank."""
    if isinstance(cell, datetime.timedelta):
        return cell.total_seconds() / 60.0
    if isinstance(cell, datetime.datetime):  # Excel shows durations of a day or more this way
        return (cell - datetime.datetime(1899, 12, 30)).total_seconds() / 60.0
    if isinstance(cell, datetime.time):
        return cell.hour * 60.0 + cell.minute + cell.second / 60.0
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell)
    text = _text(cell)
    return text or None


def _number(cell: Any) -> Any:
    """A number cell; "95,5" (decimal comma) as 95.5; None when blank."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell)
    text = _text(cell)
    if re.fullmatch(r"[0-9]+,[0-9]+%?", text):
        text = text.replace(",", ".")
    return text or None


def _parts(text: str) -> list[str]:
    """"A (60); B (40)" -> ["A (60)", "B (40)"]."""
    return [part.strip() for part in text.split(";") if part.strip()]


def _entry(part: str, keys: dict[str, str]) -> tuple[str, str | None]:
    """A part of `next` or `rework_to` as (name, figure or None): a step's whole name first
    ("Review (2)" is a step, not "Review" with 2), else "name (figure)"."""
    if name_key(part) in keys:
        return part, None
    match = _FIGURE.match(part)
    return (part, None) if not match else (match["name"], match["figure"])


# ---------------------------------------------------------------- rows


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    next: list[str] = field(default_factory=list)  # the parts of `next`, read with the names
    rework: list[str] = field(default_factory=list)
    probability: Any = None


def _problem_adder(problems: list[tuple[int, str]],
                   number: int) -> Callable[[Exception | str], None]:
    """Adds "row N: <problem>"; the model's "step '': " (rows are checked unnamed) is left out."""
    prefix = "step '': "

    def add(error: Exception | str) -> None:
        problems.append((number, f"row {number}: {str(error).removeprefix(prefix)}"))
    return add


def _parse_row(number: int, cells: Sequence[Any], columns: dict[str, int],
               problems: list[tuple[int, str]]) -> _Row:
    def cell(column: str) -> Any:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    name = _text(cell("name"))
    add = _problem_adder(problems, number)
    if not name:
        add("the name is empty; every step needs one")
    values: dict[str, Any] = {"name": name, "team": _text(cell("team")),
                              "notes": _text(cell("notes"), strip=False),
                              "practices": _text(cell("practices")),
                              "information": _text(cell("information"))}
    for column, lookup, default in (("performer", _PERFORMERS, _DEFAULTS.performer),
                                    ("activity", _ACTIVITIES, _DEFAULTS.activity)):
        text = _text(cell(column))
        values[column] = lookup.get(_compact(text), text) if text else default
    for column, read in (("process_time", _duration), ("wait_time", _duration), ("pca", _number),
                         ("people", _number), *((c, _duration) for c in RANGE_FIELDS),
                         ("target_time", _duration), ("hourly_rate", _number)):
        raw = read(cell(column))
        values[column] = getattr(_DEFAULTS, column) if raw is None else raw
    clean_ok = True
    for column in ("name", "team", "notes", "performer", "activity", "process_time", "wait_time",
                   "pca", "people", *RANGE_FIELDS, "target_time", "hourly_rate", "practices",
                   "information"):
        try:  # named "" so that the message starts "step '': ", which the row number replaces
            values[column] = clean_step_value("", column, values[column])
        except ModelError as error:
            add(error)
            clean_ok = False
    if clean_ok:
        try:
            check_ranges("", values)
        except ModelError as error:
            add(error)
    row = _Row(number, values, _parts(_text(cell("next"))), _parts(_text(cell("rework_to"))))
    row.probability = _number(cell("rework_probability"))
    return row


def _resolve(entry: str, keys: dict[str, str], what: str, add: Callable[[str], None]) -> str | None:
    """The name a reference stands for, or None after reporting it with a suggestion."""
    if name_key(entry) in keys:
        return keys[name_key(entry)]
    close = difflib.get_close_matches(name_key(entry), list(keys), n=1, cutoff=0.6)
    hint = f" (did you mean {keys[close[0]]!r}?)" if close else ""
    add(f"{what} {entry!r} is not in the table{hint}")
    return None


def _figure(text: str | float, what: str, upper_inclusive: bool,
            add: Callable[[str], None]) -> float | None:
    try:
        return clean_percent(text.replace(",", ".") if isinstance(text, str) else text, what,
                             upper_inclusive)
    except ModelError as error:
        add(str(error))
        return None


def _links(row: _Row, keys: dict[str, str], add: Callable[[str], None]
           ) -> tuple[list[tuple[str, float | None]], list[tuple[str, float]]]:
    """(next steps with shares, rework targets with probabilities) of a row, by step name."""
    routes: list[tuple[str, float | None]] = []
    entries = [_entry(part, keys) for part in row.next]
    for entry, figure in entries:
        target = _resolve(entry, keys, "next step", add)
        share = None if figure is None else _figure(figure, f"the share of {entry!r}", True, add)
        if target is None:
            continue
        if name_key(target) == name_key(row.values["name"]):
            add("a step cannot be its own next step (use rework_to for work that goes back)")
        elif any(name_key(target) == name_key(t) for t, _ in routes):
            add(f"next step {target!r} is listed twice")
        else:
            routes.append((target, share))
    shares = [share for _, share in routes if share is not None]
    given = [figure for _, figure in entries if figure is not None]
    if given and len(given) < len(entries):
        add("give every next step a share, or none (shares mean alternative routes; without "
            "shares every next step happens)")
    elif shares and len(shares) == len(routes) and abs(sum(shares) - 100) > SHARE_TOLERANCE:
        add(f"the shares of the next steps add up to {sum(shares):g}, not 100")
    return routes, _rework(row, keys, add)


def _rework(row: _Row, keys: dict[str, str], add: Callable[[str], None]) -> list[tuple[str, float]]:
    entries = [_entry(part, keys) for part in row.rework]
    if not entries:
        if row.probability is not None:
            add("rework_probability is set but rework_to is empty")
        return []
    if row.probability is not None:
        if len(entries) > 1 or entries[0][1] is not None:
            add("give the rework probability either in rework_probability or in brackets in "
                "rework_to, not both")
            return []
        entries = [(entries[0][0], row.probability)]
    elif any(figure is None for _, figure in entries):
        add("rework_to needs its probability: put it in rework_probability, or with several "
            "targets write each with its own, e.g. 'Triage (20); Log (5)'")
        return []
    found: list[tuple[str, float]] = []
    for entry, figure in entries:
        assert figure is not None  # a missing figure returned above
        target = _resolve(entry, keys, "rework step", add)
        probability = _figure(figure, f"the rework probability to {entry!r}", True, add)
        if target is not None and any(name_key(target) == name_key(t) for t, _ in found):
            add(f"rework step {target!r} is listed twice")
        elif target is not None and probability is not None:
            found.append((target, probability))
    if found and sum(p for _, p in found) > 100 + SHARE_TOLERANCE:
        add(f"rework probabilities add up to {sum(p for _, p in found):g}; they must not add up "
            "to more than 100")
    return found


def build_map(rows: Sequence[tuple[int, Sequence[Any]]], columns: dict[str, int],
              name: str) -> ValueStreamMap:
    """A current-state map from the data rows; SheetProblems listing every problem otherwise."""
    problems: list[tuple[int, str]] = []
    parsed = [_parse_row(number, cells, columns, problems) for number, cells in rows]
    if not parsed:
        problems.append((0, "the table has a header but no steps"))
    keys: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for row in parsed:
        key = name_key(row.values["name"])
        if key and key in first_row:
            problems.append((row.number, f"row {row.number}: the name {row.values['name']!r} is "
                                         f"already used on row {first_row[key]}"))
        elif key:
            keys[key], first_row[key] = row.values["name"], row.number
    links = [_links(row, keys, _problem_adder(problems, row.number)) for row in parsed]
    if problems:
        problems.sort(key=lambda item: item[0])
        raise SheetProblems([message for _, message in problems])
    map_ = ValueStreamMap(name, "current")
    ids: dict[str, str] = {}
    for row in parsed:
        ids[name_key(row.values["name"])] = map_.add_step(Step(**row.values)).id
    for row, (routes, rework) in zip(parsed, links):
        source = ids[name_key(row.values["name"])]
        for target, share in routes:
            map_.add_flow(Flow(source, ids[name_key(target)], share=share))
        for target, probability in rework:
            map_.add_flow(Flow(source, ids[name_key(target)], "rework", probability=probability))
    return map_
