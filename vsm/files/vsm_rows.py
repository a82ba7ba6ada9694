"""The .vsm file's rows and the model's records: what each table's columns hold, the project
written as rows, the rows read back into a project through the model's own API, and the checksum
of that content.

vsm.files.vsm_file owns the file around them (the atomic save, the checks before anything is
read, the bounded SQLite work, the messages people see); this module only turns a project into
rows and rows into a project. Columns are read by name, never `SELECT *`; a row the model cannot
take raises `Damaged`, which the file's reader turns into "damaged file: ...". The checksum
(`content_checksum`) covers exactly the rows the reader reads, in the order it reads them, and
leaves out columns newer than a file at their defaults, so a file saved before them keeps its
checksum.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import fields
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterator

from vsm import __version__ as APP_VERSION
from vsm.model import (
    Experience,
    Flow,
    Measured,
    Project,
    Step,
    Thresholds,
    ValueStreamDescription,
    ValueStreamMap,
)
from vsm.model.records import Kaizen
from vsm.model.stakeholders import DEFAULT_CURRENCY

if TYPE_CHECKING:
    import sqlite_utils

CHECKSUM_KEY = "content_sha256"  # the metadata row holding the checksum (schema version 4)


class Damaged(Exception):
    """Internal: the file's content is inconsistent; the message says how."""


# The columns of each object's table, in the dataclass's field order. Every field is a plain
# value (text, number or None), so a row is the fields as they are: dataclasses.asdict's deep
# copy would cost half the time of a save.
_THRESHOLD_FIELDS = tuple(item.name for item in fields(Thresholds))
_STEP_FIELDS = tuple(item.name for item in fields(Step))
_FLOW_FIELDS = tuple(item.name for item in fields(Flow))
_KAIZEN_FIELDS = tuple(item.name for item in fields(Kaizen))
_MEASURED_FIELDS = tuple(item.name for item in fields(Measured))
# The measured columns (schema version 5) come after the older ones in the steps' and flows'
# rows, and the stakeholder columns of steps (schema version 6) after those. The checksum leaves
# the newer columns out of a row where they hold their defaults (stakeholder columns first, then
# measured columns all NULL), so a file saved before them (version 4 or 5, or a map that uses
# none of them) has the same checksum as before.
_STAKEHOLDER_STEP_FIELDS = ("target_time", "hourly_rate", "practices", "information")
_UNMEASURED_WIDTH = {"steps": len(_STEP_FIELDS) - 7, "flows": len(_FLOW_FIELDS) - 2}
assert _STEP_FIELDS[-7:] == ("cases", "visits", "mined", *_STAKEHOLDER_STEP_FIELDS)
assert _FLOW_FIELDS[-2:] == ("cases", "mined")
# Row tails at their defaults: (width of the row without them, the tail) per table.
_STAKEHOLDER_TAILS: dict[str, tuple[int, tuple[Any, ...]]] = {
    "steps": (len(_STEP_FIELDS) - 4, (None, None, "", "")),
}
_MAP_EXTRA_COLUMNS = ("target_lead_time", "currency", "experience_scale", "experience_score",
                      "experience_responses", "experience_note", "itil_trigger", "itil_outcome",
                      "itil_value", "itil_stakeholders")
_MAP_EXTRA_DEFAULTS = (None, DEFAULT_CURRENCY, None, None, None, None, "", "", "", "")
_ITIL_FIELDS = tuple(item.name for item in fields(ValueStreamDescription))


def _mined_text(item: Step | Flow) -> str | None:
    """A step's or flow's mined snapshot as the JSON text of the file ({"field": value or
    null}: minutes for a step, percent for a flow)."""
    return None if item.mined is None else json.dumps(dict(item.mined), separators=(",", ":"))


def _mined_value(text: Any, what: str) -> tuple[tuple[str, Any], ...]:
    """A mined snapshot read back from its JSON text (the model checks its values)."""
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise Damaged(f"{what}: its mined figures are not readable")
    return tuple(value.items())


def _step_from_row(*row: Any) -> Step:
    """A step from its row; the mined snapshot read back from its JSON text and the practices
    from their codes separated by ";" (the model checks the values)."""
    step = Step(*row)
    if step.mined is not None:
        step.mined = _mined_value(step.mined, f"step {step.name!r}")
    practices: Any = step.practices
    if not isinstance(practices, str):
        raise Damaged(f"step {step.name!r}: its practices are not text")
    step.practices = tuple(code for code in practices.split(";") if code)
    return step


def _flow_from_row(*row: Any) -> Flow:
    """A flow from its row; the mined snapshot read back from its JSON text."""
    flow = Flow(*row)
    if flow.mined is not None:
        flow.mined = _mined_value(flow.mined, "a flow")
    return flow


def _map_row(map_: ValueStreamMap, position: int) -> dict[str, Any]:
    experience = map_.experience
    return {"id": map_.id, "position": position, "name": map_.name, "kind": map_.kind,
            "description": map_.description, "demand": map_.demand,
            "demand_period": map_.demand_period,
            **{name: getattr(map_.thresholds, name) for name in _THRESHOLD_FIELDS},
            "target_lead_time": map_.target_lead_time, "currency": map_.currency,
            "experience_scale": None if experience is None else experience.scale,
            "experience_score": None if experience is None else experience.score,
            "experience_responses": None if experience is None else experience.responses,
            "experience_note": None if experience is None else experience.note,
            **{f"itil_{name}": getattr(map_.itil, name) for name in _ITIL_FIELDS}}


def _rows(map_id: str, items: list[Any], names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """(map_id, position, field...) for each item, in the order of `names` (a step's mined
    snapshot as JSON text, its practices as codes separated by ";"; a flow's mined snapshot as
    JSON text)."""
    if names is _STEP_FIELDS:
        return [(map_id, i, *[getattr(item, name) for name in names[:-5]], _mined_text(item),
                 item.target_time, item.hourly_rate, ";".join(item.practices), item.information)
                for i, item in enumerate(items)]
    if names is _FLOW_FIELDS:
        return [(map_id, i, *[getattr(item, name) for name in names[:-1]], _mined_text(item))
                for i, item in enumerate(items)]
    return [(map_id, i, *[getattr(item, name) for name in names]) for i, item in enumerate(items)]


def _insert_rows(db: sqlite_utils.Database, table: str, names: tuple[str, ...],
                 rows: list[tuple[Any, ...]]) -> None:
    """One prepared INSERT for all rows (sqlite-utils' insert_all costs 5 times as much)."""
    columns = ", ".join(("map_id", "position", *names))
    marks = ", ".join("?" * (len(names) + 2))
    db.conn.executemany(f"INSERT INTO [{table}] ({columns}) VALUES ({marks})", rows)


def _text(row: dict[str, Any], column: str, what: str) -> str:
    value = row[column]
    if not isinstance(value, str):
        raise Damaged(f"{what}: {column} must be text, not {type(value).__name__}")
    return value


def _id(row: dict[str, Any], what: str) -> str:
    value = _text(row, "id", what)
    if not value:
        raise Damaged(f"{what} has an empty id")
    return value


def _map_from_row(row: dict[str, Any]) -> ValueStreamMap:
    name = _text(row, "name", "a map")
    thresholds = Thresholds(**{name: row[name] for name in _THRESHOLD_FIELDS})
    scale = row["experience_scale"]
    experience = None
    if scale is not None:
        experience = Experience(scale, row["experience_score"], row["experience_responses"],
                                row["experience_note"] or "")
    elif any(row[column] is not None for column in ("experience_score", "experience_responses",
                                                    "experience_note")):
        raise Damaged(f"map {name!r}: its experience score has no scale")
    itil = ValueStreamDescription(**{item: _text(row, f"itil_{item}", f"map {name!r}")
                                     for item in _ITIL_FIELDS})
    return ValueStreamMap(name=name, kind=row["kind"],
                          description=_text(row, "description", f"map {name!r}"),
                          demand=row["demand"], demand_period=row["demand_period"],
                          thresholds=thresholds, id=_id(row, f"map {name!r}"),
                          target_lead_time=row["target_lead_time"], experience=experience,
                          currency=row["currency"], itil=itil)


def write_project(db: sqlite_utils.Database, project: Project) -> None:
    """Insert the project's rows into the empty tables of a new database (in the caller's
    transaction): the project row, its maps in order, their steps, flows and kaizens, the
    measured records of mined maps and the team rates."""
    db.table("project").insert({"id": project.id, "name": project.name, "app_version": APP_VERSION,
                                "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    maps = project.maps
    db.table("maps").insert_all(_map_row(map_, i) for i, map_ in enumerate(maps))
    for map_ in maps:
        _insert_rows(db, "steps", _STEP_FIELDS, _rows(map_.id, map_.steps, _STEP_FIELDS))
        _insert_rows(db, "flows", _FLOW_FIELDS, _rows(map_.id, map_.flows, _FLOW_FIELDS))
        _insert_rows(db, "kaizens", _KAIZEN_FIELDS, _rows(map_.id, map_.kaizens, _KAIZEN_FIELDS))
    measured = [(map_.id, *[getattr(map_.measured, name) for name in _MEASURED_FIELDS])
                for map_ in maps if map_.measured is not None]
    db.conn.executemany(f"INSERT INTO measured (map_id, {', '.join(_MEASURED_FIELDS)}) VALUES "
                        f"({', '.join('?' * (len(_MEASURED_FIELDS) + 1))})", measured)
    db.conn.executemany("INSERT INTO team_rates (map_id, position, team, rate) VALUES (?, ?, ?, ?)",
                        [(map_.id, i, team, rate) for map_ in maps
                         for i, (team, rate) in enumerate(map_.team_rates.items())])


# What the reader reads, by name (never `SELECT *`): the columns of each table in the order the
# model's constructors take them.
_MAP_COLUMNS = ("id", "name", "kind", "description", "demand", "demand_period", *_THRESHOLD_FIELDS,
                *_MAP_EXTRA_COLUMNS)
_STAKEHOLDER_TAILS["maps"] = (len(_MAP_COLUMNS) - len(_MAP_EXTRA_COLUMNS), _MAP_EXTRA_DEFAULTS)
_CHILDREN = (("steps", _step_from_row, _STEP_FIELDS), ("flows", _flow_from_row, _FLOW_FIELDS),
             ("kaizens", Kaizen, _KAIZEN_FIELDS))
_CHILD_TABLES: dict[str, tuple[Any, tuple[str, ...]]] = {
    table: (make, names) for table, make, names in _CHILDREN}
_SELECT_MAPS = f"SELECT {', '.join(_MAP_COLUMNS)} FROM maps ORDER BY position"
_SELECT_MEASURED = (f"SELECT map_id, {', '.join(_MEASURED_FIELDS)} FROM measured "
                    "ORDER BY map_id")
_SELECT_RATES = "SELECT map_id, team, rate FROM team_rates ORDER BY map_id, position"
_SELECT_CHILD = {table: f"SELECT {', '.join(names)} FROM {table} WHERE map_id = ? ORDER BY position"
                 for table, _, names in _CHILDREN}

Rows = list[tuple[Any, ...]]


def content(connection: sqlite3.Connection) -> Iterator[tuple[str, Rows]]:
    """The rows the reader reads, in the order it reads them: the project (two rows at most),
    the maps, the measured records of mined maps, the team rates, then each map's steps, flows
    and kaizens. The checksum and the reader both walk
    this, so the checksum covers exactly what a file means to VSM Studio."""
    yield "project", connection.execute("SELECT id, name FROM project LIMIT 2").fetchall()
    maps = connection.execute(_SELECT_MAPS).fetchall()
    yield "maps", maps
    yield "measured", connection.execute(_SELECT_MEASURED).fetchall()
    yield "team_rates", connection.execute(_SELECT_RATES).fetchall()
    for row in maps:
        for table, _, _ in _CHILDREN:
            yield table, connection.execute(_SELECT_CHILD[table], [row[0]]).fetchall()


def _blob(value: object) -> object:
    if isinstance(value, bytes):  # only in a damaged file; the model then refuses the value
        return {"blob": value.hex()}
    raise TypeError(type(value).__name__)


class _Digest:
    """SHA-256 of the content: each table's rows as compact JSON (floats as Python writes them,
    which reads back to the same number; text as it is), tagged with the table's name."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256(b"vsm content 1\n")

    def add(self, table: str, rows: Rows) -> None:
        tail = _STAKEHOLDER_TAILS.get(table)
        if tail is not None:  # stakeholder columns at their defaults: the row as before version 6
            cut, defaults = tail
            rows = [row[:cut] if row[cut:] == defaults else row for row in rows]
        width = _UNMEASURED_WIDTH.get(table)
        if width is not None:  # measured columns all NULL: the row as before schema version 5
            rows = [row[:width] if all(value is None for value in row[width:]) else row
                    for row in rows]
        elif table in ("measured", "team_rates") and not rows:  # the content as before them
            return
        text = json.dumps([table, rows], ensure_ascii=False, separators=(",", ":"), default=_blob)
        self.hash.update(text.encode("utf-8", "surrogatepass"))

    def hexdigest(self) -> str:
        return self.hash.hexdigest()


def content_checksum(connection: sqlite3.Connection) -> str:
    """The checksum of the project in an open .vsm database, as save_project stores it."""
    digest = _Digest()
    for table, rows in content(connection):
        digest.add(table, rows)
    return digest.hexdigest()


def _objects(table: str, map_: ValueStreamMap, make: type, names: tuple[str, ...],
             rows: Rows) -> Iterator[Any]:
    """make(*row) for each of the map's rows of `table`; a row without a proper id is Damaged."""
    id_at = names.index("id")
    for row in rows:
        value = row[id_at]
        if type(value) is not str or not value:
            _id({"id": value}, f"a {table[:-1]} of map {map_.name!r}")  # raises Damaged
        yield make(*row)


def read_project(connection: sqlite3.Connection) -> tuple[Project, str]:
    """The project in the database and the checksum of what was read."""
    digest = _Digest()
    project = Project()
    maps: Iterator[ValueStreamMap] = iter(())
    read: list[ValueStreamMap] = []
    map_ = None
    for table, rows in content(connection):
        digest.add(table, rows)
        if table == "project":
            if len(rows) != 1:
                raise Damaged("the project record is missing" if not rows else "it holds two projects")
            row = dict(zip(("id", "name"), rows[0]))
            project = Project(name=_text(row, "name", "the project"), id=_id(row, "the project"))
        elif table == "maps":
            read = [_map_from_row(dict(zip(_MAP_COLUMNS, row))) for row in rows]
            maps = iter(read)
        elif table == "measured":
            by_id = {map_.id: map_ for map_ in read}
            for values in rows:
                if values[0] not in by_id:
                    raise Damaged("a measured record belongs to no map")
                by_id[values[0]].set_field("measured", Measured(*values[1:]))
        elif table == "team_rates":
            by_id = {map_.id: map_ for map_ in read}
            rates: dict[str, dict[str, Any]] = {}
            for map_id, team, rate in rows:
                if map_id not in by_id:
                    raise Damaged("a team rate belongs to no map")
                rates.setdefault(map_id, {})[team] = rate
            for map_id, teams in rates.items():
                by_id[map_id].set_field("team_rates", teams)
        else:
            if table == "steps":  # the first of each map's tables
                map_ = next(maps)
            assert map_ is not None
            make, names = _CHILD_TABLES[table]
            for item in _objects(table, map_, make, names, rows):
                if table == "steps":
                    map_.add_step(item)
                elif table == "flows":
                    map_.add_flow(item)
                else:
                    map_.add_kaizen(item)
            if table == "kaizens":
                project.add_map(map_)
    return project, digest.hexdigest()


def saved_checksum(connection: sqlite3.Connection) -> str | None:
    """The checksum saved in the metadata table, or None in a file without one."""
    row = connection.execute("SELECT value FROM metadata WHERE key = ?", [CHECKSUM_KEY]).fetchone()
    return row[0] if row is not None else None
