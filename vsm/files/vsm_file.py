"""The .vsm document: a project stored as an SQLite database (an "application file format").

A .vsm file is an SQLite database with `PRAGMA application_id = APPLICATION_ID` and
`PRAGMA user_version = SCHEMA_VERSION`, in rollback-journal mode (never WAL, whose side files get
lost when a file is e-mailed). Its STRICT tables hold one project row and the maps, steps, flows
and kaizens with their order; the schema is created by the migrations in vsm.files.schema
(sqlite-utils), which also leave their own `_sqlite_migrations` table in the file. Schema
versions: 1 (project, maps, steps, flows), 2 (adds kaizens), 3 (adds the steps' time ranges and
the maps' over-capacity threshold), 4 (adds the metadata table holding the content's checksum), 5
(adds measured data: the cases and visits of steps, a step's mined figures as JSON text, the cases
of flows and their mined share and probability as JSON text, and the `measured` table of mined
maps), 6 (adds what stakeholders ask: a map's target lead time, experience score, currency and
ITIL 4 description, a step's target time, hourly rate, practices and information, and the
`team_rates` table).

Saving writes a complete new database next to the target and swaps it in with `os.replace`, so a
failed save never damages the previous file; it stores a SHA-256 checksum of the content (every
row the reader reads, in the order it reads them) in the metadata table. Opening is read-only (the
file is never modified, not even on error; a file of an older schema version is migrated on a copy
in memory) and rebuilds the project through the model's own API, so the model validates every
value; any problem becomes one `FileFormatError` naming the file and saying what is wrong. A
content that does not match its checksum is `ContentChanged`, which carries the project read, so
the editor can offer to open it anyway; files older than the checksum open without it.

Nothing read from a file is executed, and nothing is pickled: before anything but the schema is
read, vsm.files.schema.check_schema refuses a file holding triggers, views, virtual tables,
generated columns or other SQL; triggers cannot fire on our connections anyway (trigger depth 0),
no function of the schema runs (trusted_schema off), columns are read by name, every value is at
most MAX_VALUE_BYTES, and the SQLite work of opening is bounded by the file's size (a progress
handler stops it beyond that: "takes far more work than a file of its size needs").
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import sqlite3
from contextlib import closing
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from vsm.errors import FileFormatError, VsmError
from vsm.files.atomic import atomic_path
from vsm.files.schema import (
    FOREIGN,
    SCHEMA_VERSION,
    SchemaProblem,
    check_schema,
    migrate,
    migrate_copy,
    utils_database,
)
from vsm.model import (
    Experience,
    Flow,
    Measured,
    ModelError,
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

APPLICATION_ID: int = int.from_bytes(b"VSM1", "big")  # 0x56534D31 = 1448299825

from vsm import __version__ as APP_VERSION  # noqa: E402

SQLITE_MAGIC = b"SQLite format 3\x00"
NOT_OURS = "not a value-stream file"
CHANGED = "damaged or changed outside VSM Studio: its content does not match the checksum saved with it"
CHECKSUM_KEY = "content_sha256"  # the metadata row holding the checksum (schema version 4)
MAX_VALUE_BYTES = 16 * 2**20  # no text or row longer, when saving or opening (SQLITE_LIMIT_LENGTH)
# The SQLite work opening may take, in progress-handler calls (each WORK_STEP virtual-machine
# instructions): WORK_PER_BYTE per byte of the file and WORK_FLOOR more. Opening a file that VSM
# Studio wrote takes at most 1/30 of it (see _Budget); more means the file makes SQLite work.
WORK_STEP = 1000
WORK_PER_BYTE = 0.02
WORK_FLOOR = 20_000


class ContentChanged(FileFormatError):
    """The file reads as a valid project, but not the one saved: its content does not match the
    checksum written with it (a bit flip on the disk, or an edit by another program).

    `project` is what was read, for a caller that lets the user open it anyway.
    """

    def __init__(self, path: str | Path, project: Project, reason: str = CHANGED) -> None:
        super().__init__(path, reason)
        self.project = project

# ---------------------------------------------------------------- rows <-> model


class _Damaged(Exception):
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
        raise _Damaged(f"{what}: its mined figures are not readable")
    return tuple(value.items())


def _step_from_row(*row: Any) -> Step:
    """A step from its row; the mined snapshot read back from its JSON text and the practices
    from their codes separated by ";" (the model checks the values)."""
    step = Step(*row)
    if step.mined is not None:
        step.mined = _mined_value(step.mined, f"step {step.name!r}")
    practices: Any = step.practices
    if not isinstance(practices, str):
        raise _Damaged(f"step {step.name!r}: its practices are not text")
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
        raise _Damaged(f"{what}: {column} must be text, not {type(value).__name__}")
    return value


def _id(row: dict[str, Any], what: str) -> str:
    value = _text(row, "id", what)
    if not value:
        raise _Damaged(f"{what} has an empty id")
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
        raise _Damaged(f"map {name!r}: its experience score has no scale")
    itil = ValueStreamDescription(**{item: _text(row, f"itil_{item}", f"map {name!r}")
                                     for item in _ITIL_FIELDS})
    return ValueStreamMap(name=name, kind=row["kind"],
                          description=_text(row, "description", f"map {name!r}"),
                          demand=row["demand"], demand_period=row["demand_period"],
                          thresholds=thresholds, id=_id(row, f"map {name!r}"),
                          target_lead_time=row["target_lead_time"], experience=experience,
                          currency=row["currency"], itil=itil)


def _write_project(db: sqlite_utils.Database, project: Project) -> None:
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


def _content(connection: sqlite3.Connection) -> Iterator[tuple[str, Rows]]:
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
    for table, rows in _content(connection):
        digest.add(table, rows)
    return digest.hexdigest()


def _objects(table: str, map_: ValueStreamMap, make: type, names: tuple[str, ...],
             rows: Rows) -> Iterator[Any]:
    """make(*row) for each of the map's rows of `table`; a row without a proper id is _Damaged."""
    id_at = names.index("id")
    for row in rows:
        value = row[id_at]
        if type(value) is not str or not value:
            _id({"id": value}, f"a {table[:-1]} of map {map_.name!r}")  # raises _Damaged
        yield make(*row)


def _read_project(connection: sqlite3.Connection) -> tuple[Project, str]:
    """The project in the database and the checksum of what was read."""
    digest = _Digest()
    project = Project()
    maps: Iterator[ValueStreamMap] = iter(())
    read: list[ValueStreamMap] = []
    map_ = None
    for table, rows in _content(connection):
        digest.add(table, rows)
        if table == "project":
            if len(rows) != 1:
                raise _Damaged("the project record is missing" if not rows else "it holds two projects")
            row = dict(zip(("id", "name"), rows[0]))
            project = Project(name=_text(row, "name", "the project"), id=_id(row, "the project"))
        elif table == "maps":
            read = [_map_from_row(dict(zip(_MAP_COLUMNS, row))) for row in rows]
            maps = iter(read)
        elif table == "measured":
            by_id = {map_.id: map_ for map_ in read}
            for values in rows:
                if values[0] not in by_id:
                    raise _Damaged("a measured record belongs to no map")
                by_id[values[0]].set_field("measured", Measured(*values[1:]))
        elif table == "team_rates":
            by_id = {map_.id: map_ for map_ in read}
            rates: dict[str, dict[str, Any]] = {}
            for map_id, team, rate in rows:
                if map_id not in by_id:
                    raise _Damaged("a team rate belongs to no map")
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


def _saved_checksum(connection: sqlite3.Connection) -> str | None:
    row = connection.execute("SELECT value FROM metadata WHERE key = ?", [CHECKSUM_KEY]).fetchone()
    return row[0] if row is not None else None


# ---------------------------------------------------------------- saving

_MEGABYTES = MAX_VALUE_BYTES // 2**20


def _write_reason(error: BaseException) -> str:
    """A human reason for a failed save."""
    if isinstance(error, OSError):
        reasons: dict[int | None, str]  # error.errno may be None
        reasons = {errno.EACCES: "cannot write here: permission denied",
                   errno.EPERM: "cannot write here: permission denied",
                   errno.ENOSPC: "disk full",
                   errno.EROFS: "cannot write here: the disk is read-only",
                   errno.ENOENT: "cannot write here: the folder does not exist",
                   errno.ENOTDIR: "cannot write here: part of the path is not a folder",
                   errno.EISDIR: "cannot write here: a folder has that name",
                   errno.ENAMETOOLONG: "cannot write here: the file name is too long"}
        if getattr(errno, "EDQUOT", None) is not None:
            reasons[errno.EDQUOT] = "disk quota exceeded"
        return reasons.get(error.errno, f"cannot write: {error.strerror or error}")
    if isinstance(error, sqlite3.Error):
        code = (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF
        return {sqlite3.SQLITE_FULL: "disk full",
                sqlite3.SQLITE_READONLY: "cannot write here: permission denied",
                sqlite3.SQLITE_PERM: "cannot write here: permission denied",
                sqlite3.SQLITE_CANTOPEN: "cannot write here: the file cannot be created",
                sqlite3.SQLITE_IOERR: "cannot write: disk input/output error",
                sqlite3.SQLITE_TOOBIG: f"cannot write: a text is longer than {_MEGABYTES} MB"}.get(
                    code, f"cannot write: {error}")
    return f"cannot write: {error}"


def save_project(project: Project, path: str | Path) -> None:
    """Write the project to a .vsm file, atomically (vsm.files.atomic).

    A complete new database is written to a temporary file in the same folder, committed, closed
    and flushed to disk, then moved onto the target (and the folder flushed where possible). A
    symbolic link at `path` is followed, so the file it points to is replaced; the replaced
    file's permissions are kept, and a read-only file is refused. On any failure the target is
    untouched, the temporary file removed and `FileFormatError(path, reason)` raised, e.g.
    "cannot write here: permission denied" or "disk full".
    """
    try:
        with atomic_path(path, reason=_write_reason) as temporary:
            # An empty file is an empty SQLite database, with the umask's permissions.
            with closing(sqlite3.connect(temporary)) as connection:
                connection.execute("PRAGMA foreign_keys = ON")  # outside any transaction, or ignored
                connection.execute("PRAGMA journal_mode = DELETE")
                connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)  # as opening
                db = utils_database(connection)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
                migrate(db)
                with db.atomic():
                    _write_project(db, project)
                    connection.execute("INSERT INTO metadata (key, value) VALUES (?, ?)",
                                       [CHECKSUM_KEY, content_checksum(connection)])
    except FileFormatError:
        raise
    except Exception as error:
        raise FileFormatError(Path(path), _write_reason(error)) from error


# ---------------------------------------------------------------- opening


def _check_header(path: Path) -> None:
    """Check the file itself and its 100-byte SQLite header; raise FileFormatError if unusable."""
    if not path.exists():
        raise FileFormatError(path, "no such file")
    if path.is_dir():
        raise FileFormatError(path, "is a folder, not a file")
    with open(path, "rb") as file:
        header = file.read(100)
        size = os.fstat(file.fileno()).st_size
    if size == 0:
        raise FileFormatError(path, f"empty file, {NOT_OURS}")
    if header[:16] != SQLITE_MAGIC:
        raise FileFormatError(path, NOT_OURS)
    if len(header) < 100:
        raise FileFormatError(path, "damaged file: it is too short to be a database")
    if int.from_bytes(header[68:72], "big", signed=True) != APPLICATION_ID:
        raise FileFormatError(path, f"{NOT_OURS} (an SQLite database of another application)")
    version = int.from_bytes(header[60:64], "big", signed=True)
    if version > SCHEMA_VERSION:
        raise FileFormatError(path, "made by a newer version of this application — upgrade to open it")
    if version < 1:
        raise FileFormatError(path, f"damaged file: unknown schema version {version}")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise FileFormatError(path, "damaged file: its header is corrupt")
    if header[18] != 1 or header[19] != 1:  # we always write rollback-journal files
        raise FileFormatError(path, "damaged file: another program switched it to WAL mode")
    pages = int.from_bytes(header[28:32], "big")
    if pages and header[24:28] == header[92:96] and size < pages * page_size:
        raise FileFormatError(path, f"damaged file: it is incomplete ({size} of {pages * page_size} bytes)")
    if size % page_size:
        raise FileFormatError(path, "damaged file: it is incomplete (not a whole number of pages)")


class _Budget:
    """The progress handler of the connections opening one file: stops SQLite once the work
    exceeds what a file of this size needs.

    Calibrated on files saved by VSM Studio (maps of 10 to 20,000 steps, 20,000 empty maps;
    current and older schema versions, migrated): opening takes at most 0.0006 calls per byte of
    the file, some 30 times less than allowed here. A file that needs more is running something
    or is built to make SQLite work; either way it is refused. (One instruction can itself be
    slow, a function over a long value: check_schema, which refuses every expression stored in
    a file, and MAX_VALUE_BYTES bound those.)
    """

    def __init__(self, size: int) -> None:
        self.allowed = WORK_FLOOR + int(size * WORK_PER_BYTE)
        self.used = 0

    def __call__(self) -> int:
        self.used += 1
        return self.used > self.allowed  # non-zero: SQLite stops the statement ("interrupted")

    @property
    def exhausted(self) -> bool:
        return self.used > self.allowed


def _guard(connection: sqlite3.Connection, budget: _Budget) -> None:
    """Set a connection up so that nothing stored in a file can run or take unbounded resources."""
    connection.execute("PRAGMA trusted_schema = OFF")  # no function or virtual table runs from the schema
    connection.execute("PRAGMA cell_size_check = ON")  # detect more corruption
    connection.setlimit(sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH, 0)  # a trigger that fires is an error
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    setconfig = getattr(connection, "setconfig", None)  # Python 3.12 and later
    if setconfig is not None:
        for name, value in (("SQLITE_DBCONFIG_DEFENSIVE", True), ("SQLITE_DBCONFIG_ENABLE_TRIGGER", False),
                            ("SQLITE_DBCONFIG_ENABLE_VIEW", False), ("SQLITE_DBCONFIG_TRUSTED_SCHEMA", False)):
            if hasattr(sqlite3, name):
                setconfig(getattr(sqlite3, name), value)
    connection.set_progress_handler(budget, WORK_STEP)


def _check_integrity(connection: sqlite3.Connection) -> None:
    """PRAGMA quick_check and foreign_key_check; raise _Damaged describing the first problem."""
    problems = [row[0] for row in connection.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        detail = " ".join(str(problem).replace("*** in database main ***", "") for problem in problems)
        detail = " ".join(detail.split())
        raise _Damaged(f"the database is corrupt ({detail[:200]})")
    broken = connection.execute("PRAGMA foreign_key_check").fetchone()
    if broken is not None:
        raise _Damaged(f"a row of table {broken[0]!r} refers to a missing row of {broken[2]!r}")


def _read_reason(error: Exception) -> str:
    """A human reason for a file that cannot be read."""
    if isinstance(error, (_Damaged, ModelError)):
        return f"damaged file: {error}"
    if isinstance(error, SchemaProblem):
        return str(error)
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", 0) or 0
        if code == getattr(sqlite3, "SQLITE_READONLY_ROLLBACK", 776):
            return "damaged file: it was not saved completely (a '-journal' file is next to it)"
        if code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return "another program is writing this file; try again"
        if code & 0xFF in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
            return f"cannot be read: {error}"
        if code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return "damaged file: the database structure is corrupt"
        if code & 0xFF == sqlite3.SQLITE_TOOBIG:
            return f"damaged file: it holds a value longer than {_MEGABYTES} MB"
        if "too many levels of trigger recursion" in str(error):  # a trigger tried to fire
            return f"contains SQL triggers: {FOREIGN}"
        undecodable = re.match(r"Could not decode to UTF-8 column '([^']*)'", str(error))
        if undecodable:  # the message would quote the garbled text: name only the column
            return f"damaged file: column {undecodable.group(1)!r} holds text that is not UTF-8"
        return f"damaged file: {str(error)[:200]}"
    if isinstance(error, KeyError):  # a row lacks a column the model needs
        return f"damaged file: column {error.args[0]!r} is missing"
    if isinstance(error, UnicodeError):
        return "damaged file: some of its text is not UTF-8"
    if isinstance(error, PermissionError):
        return "cannot be read: permission denied"
    if isinstance(error, OSError):
        return f"cannot be read: {error.strerror or error}"
    return f"damaged file: {type(error).__name__}: {str(error)[:200]}"


def _read_checked(connection: sqlite3.Connection, path: Path, version: int) -> Project:
    """The project of a database holding the current schema; ContentChanged if its checksum
    does not match (a file of an older `version` has none to check)."""
    project, checksum = _read_project(connection)
    if version >= 4:
        saved = _saved_checksum(connection)
        if saved != checksum:
            raise ContentChanged(path, project, CHANGED if saved is not None else
                                 "damaged or changed outside VSM Studio: its checksum is missing")
    return project


def open_project(path: str | Path) -> Project:
    """Read a project from a .vsm file without ever changing the file or running anything in it.

    Checks, in order: the file exists and is a file with content; it is SQLite; its application id
    is ours; its schema version is not newer than SCHEMA_VERSION; its schema holds nothing but
    what VSM Studio writes (vsm.files.schema.check_schema); `PRAGMA quick_check` and the foreign
    keys are sound; the model accepts every value; the content matches the checksum saved with
    it (ContentChanged, carrying the project, if not). Each failure raises one
    `FileFormatError(path, reason)`; no other exception escapes. A file of an older schema
    version is copied into memory with the SQLite backup API and migrated there, never in place.
    """
    path = Path(path)
    budget: _Budget | None = None
    try:
        _check_header(path)
        budget = _Budget(path.stat().st_size)
        uri = path.absolute().as_uri() + "?mode=ro"  # as_uri() escapes '?', '#' and '%'
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            _guard(connection, budget)
            connection.execute("PRAGMA query_only = ON")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            check_schema(connection, version)  # before anything but the schema is read
            _check_integrity(connection)
            if version == SCHEMA_VERSION:
                return _read_checked(connection, path, version)
            with closing(sqlite3.connect(":memory:")) as copy:
                _guard(copy, budget)
                connection.backup(copy)
                pages = copy.execute("PRAGMA page_count").fetchone()[0]
                copy.execute(f"PRAGMA max_page_count = {2 * pages + 100:d}")  # migrating adds little
                migrate_copy(utils_database(copy), version)
                return _read_checked(copy, path, version)
    except VsmError:
        raise
    except Exception as error:  # the file boundary: nothing else escapes
        reason = _read_reason(error)
        if budget is not None and budget.exhausted:
            reason = f"{FOREIGN}: reading it takes far more work than a file of its size needs"
        raise FileFormatError(path, reason) from error
