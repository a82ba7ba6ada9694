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
the editor can offer to open it anyway; files older than the checksum open without it. The
rows themselves (a project written as rows, rows read back into one, the checksum of them) are
vsm.files.vsm_rows; this module is the file around them.

Nothing read from a file is executed, and nothing is pickled: before anything but the schema is
read, vsm.files.schema.check_schema refuses a file holding triggers, views, virtual tables,
generated columns or other SQL; triggers cannot fire on our connections anyway (trigger depth 0),
no function of the schema runs (trusted_schema off), columns are read by name, every value is at
most MAX_VALUE_BYTES, and the SQLite work of opening is bounded by the file's size (a progress
handler stops it beyond that: "takes far more work than a file of its size needs").
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path

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
from vsm.files.vsm_rows import (
    CHECKSUM_KEY,
    Damaged,
    content_checksum,
    read_project,
    saved_checksum,
    write_project,
)
from vsm.model import ModelError, Project

APPLICATION_ID: int = int.from_bytes(b"VSM1", "big")  # 0x56534D31 = 1448299825

SQLITE_MAGIC = b"SQLite format 3\x00"
NOT_OURS = "not a value-stream file"
CHANGED = "damaged or changed outside VSM Studio: its content does not match the checksum saved with it"
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
                    write_project(db, project)
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
    """PRAGMA quick_check and foreign_key_check; raise Damaged describing the first problem."""
    problems = [row[0] for row in connection.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        detail = " ".join(str(problem).replace("*** in database main ***", "") for problem in problems)
        detail = " ".join(detail.split())
        raise Damaged(f"the database is corrupt ({detail[:200]})")
    broken = connection.execute("PRAGMA foreign_key_check").fetchone()
    if broken is not None:
        raise Damaged(f"a row of table {broken[0]!r} refers to a missing row of {broken[2]!r}")


def _read_reason(error: Exception) -> str:
    """A human reason for a file that cannot be read."""
    if isinstance(error, (Damaged, ModelError)):
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
    project, checksum = read_project(connection)
    if version >= 4:
        saved = saved_checksum(connection)
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
