"""The .vsm document: a project stored as an SQLite database (an "application file format").

A .vsm file is an SQLite database with `PRAGMA application_id = APPLICATION_ID` and
`PRAGMA user_version = SCHEMA_VERSION`, in rollback-journal mode (never WAL, whose side files get
lost when a file is e-mailed). Its STRICT tables hold one project row and the maps, steps, flows
and kaizens with their order; the schema is created by the migrations in vsm.files.schema
(sqlite-utils), which also leave their own `_sqlite_migrations` table in the file. Schema
versions: 1 (project, maps, steps, flows), 2 (adds kaizens), 3 (adds the steps' time ranges and
the maps' over-capacity threshold).

Saving writes a complete new database next to the target and swaps it in with `os.replace`, so a
failed save never damages the previous file. Opening is read-only (the file is never modified, not
even on error; a file of an older schema version is migrated on a copy in memory) and rebuilds
the project through the model's own API, so the model validates every
value; any problem becomes one `FileFormatError` naming the file and saying what is wrong.
Nothing read from a file is executed, and nothing is pickled.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
from contextlib import closing
from dataclasses import fields
from datetime import datetime, timezone
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from vsm.errors import FileFormatError, VsmError
from vsm.files.atomic import atomic_path
from vsm.files.schema import SCHEMA_VERSION, migrate, utils_database
from vsm.model import Flow, ModelError, Project, Step, Thresholds, ValueStreamMap
from vsm.model.records import Kaizen

if TYPE_CHECKING:
    import sqlite_utils

APPLICATION_ID: int = int.from_bytes(b"VSM1", "big")  # 0x56534D31 = 1448299825

from vsm import __version__ as APP_VERSION  # noqa: E402

SQLITE_MAGIC = b"SQLite format 3\x00"
NOT_OURS = "not a value-stream file"

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


def _map_row(map_: ValueStreamMap, position: int) -> dict[str, Any]:
    return {"id": map_.id, "position": position, "name": map_.name, "kind": map_.kind,
            "description": map_.description, "demand": map_.demand,
            "demand_period": map_.demand_period,
            **{name: getattr(map_.thresholds, name) for name in _THRESHOLD_FIELDS}}


def _rows(map_id: str, items: list[Any], names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """(map_id, position, field...) for each item, in the order of `names`."""
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
    return ValueStreamMap(name=name, kind=row["kind"],
                          description=_text(row, "description", f"map {name!r}"),
                          demand=row["demand"], demand_period=row["demand_period"],
                          thresholds=thresholds, id=_id(row, f"map {name!r}"))


def _objects(db: sqlite_utils.Database, table: str, map_: ValueStreamMap, make: type,
             names: tuple[str, ...]) -> Iterator[Any]:
    """The map's rows of `table`, in order, each as make(*the columns named by `names`).

    Rows are read as tuples, not dicts. As with a dict per row, a missing id column raises
    KeyError('id'), a bad id _Damaged, then the first missing column of `names` KeyError.
    """
    cursor = db.execute(f"SELECT * FROM [{table}] WHERE map_id = ? ORDER BY position", [map_.id])
    index = {column[0]: i for i, column in enumerate(cursor.description)}
    id_at, pick = -1, None
    for row in cursor:
        if id_at < 0:
            id_at = index["id"]
        value = row[id_at]
        if type(value) is not str or not value:
            _id({"id": value}, f"a {table[:-1]} of map {map_.name!r}")  # raises _Damaged
        if pick is None:
            pick = itemgetter(*[index[name] for name in names])
        yield make(*pick(row))


def _write_project(db: sqlite_utils.Database, project: Project) -> None:
    db.table("project").insert({"id": project.id, "name": project.name, "app_version": APP_VERSION,
                                "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    maps = project.maps
    db.table("maps").insert_all(_map_row(map_, i) for i, map_ in enumerate(maps))
    for map_ in maps:
        _insert_rows(db, "steps", _STEP_FIELDS, _rows(map_.id, map_.steps, _STEP_FIELDS))
        _insert_rows(db, "flows", _FLOW_FIELDS, _rows(map_.id, map_.flows, _FLOW_FIELDS))
        _insert_rows(db, "kaizens", _KAIZEN_FIELDS, _rows(map_.id, map_.kaizens, _KAIZEN_FIELDS))


def _read_project(db: sqlite_utils.Database) -> Project:
    missing = [t for t in ("project", "maps", "steps", "flows", "kaizens")
               if t not in db.table_names()]
    if missing:  # sqlite-utils would read a missing table as an empty one
        raise _Damaged(f"table {missing[0]!r} is missing")
    rows = list(db.table("project").rows_where(limit=2))
    if len(rows) != 1:
        raise _Damaged("the project record is missing" if not rows else "it holds two projects")
    project = Project(name=_text(rows[0], "name", "the project"), id=_id(rows[0], "the project"))
    for map_row in db.table("maps").rows_where(order_by="position"):
        map_ = _map_from_row(map_row)
        for step in _objects(db, "steps", map_, Step, _STEP_FIELDS):
            map_.add_step(step)
        for flow in _objects(db, "flows", map_, Flow, _FLOW_FIELDS):
            map_.add_flow(flow)
        for kaizen in _objects(db, "kaizens", map_, Kaizen, _KAIZEN_FIELDS):
            map_.add_kaizen(kaizen)
        project.add_map(map_)
    return project


# ---------------------------------------------------------------- saving


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
                sqlite3.SQLITE_IOERR: "cannot write: disk input/output error"}.get(
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
                db = utils_database(connection)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
                migrate(db)
                with db.atomic():
                    _write_project(db, project)
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


def open_project(path: str | Path) -> Project:
    """Read a project from a .vsm file without ever changing the file.

    Checks, in order: the file exists and is a file with content; it is SQLite; its application id
    is ours; its schema version is not newer than SCHEMA_VERSION; `PRAGMA quick_check` and the
    foreign keys are sound; and the model accepts every value. Each failure raises one
    `FileFormatError(path, reason)`; no other exception escapes. A file of an older schema
    version is copied into memory with the SQLite backup API and migrated there, never in place.
    """
    path = Path(path)
    try:
        _check_header(path)
        uri = path.absolute().as_uri() + "?mode=ro"  # as_uri() escapes '?', '#' and '%'
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            connection.execute("PRAGMA trusted_schema = OFF")  # no functions run from the schema
            connection.execute("PRAGMA cell_size_check = ON")  # detect more corruption
            _check_integrity(connection)
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return _read_project(utils_database(connection))
            with closing(sqlite3.connect(":memory:")) as copy:
                connection.backup(copy)
                db = utils_database(copy)
                migrate(db)
                return _read_project(db)
    except VsmError:
        raise
    except Exception as error:  # the file boundary: nothing else escapes
        raise FileFormatError(path, _read_reason(error)) from error
