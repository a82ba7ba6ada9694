"""The schema of the .vsm file and its migrations (sqlite-utils), one per schema version, and the
check that a file's schema holds nothing but what VSM Studio writes.

Each migration's text is frozen once released: a later change of the schema is a new migration,
never an edit of an old one, so a file of any earlier version is brought up to date step by step
(vsm.files.vsm_file migrates it on a copy in memory). sqlite-utils is imported on first use, so the
editor starts without it.

`check_schema` runs before anything else reads a file: a .vsm file holds only our tables, their
automatic indexes and the index of sqlite-utils' `_sqlite_migrations`. Anything SQLite could run
while the file is read or its copy migrated (triggers, views, virtual tables, generated columns,
CHECK constraints, column defaults that are not plain values, indexes on expressions or with a
WHERE clause) is refused, never dropped: VSM Studio never writes them, so a file holding them was
made or changed by another program, and refusing keeps the rule that nothing from a file runs.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_VERSION: int = 6  # PRAGMA user_version of a file written now

# Schema version 1, frozen: later changes go into new migrations, never into this text.
_SCHEMA_1 = (
    """CREATE TABLE project (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        app_version TEXT NOT NULL,
        saved_at TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE maps (
        id TEXT PRIMARY KEY NOT NULL,
        position INTEGER NOT NULL UNIQUE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        description TEXT NOT NULL,
        demand REAL,
        demand_period TEXT NOT NULL,
        long_wait_percent REAL NOT NULL,
        low_pca_percent REAL NOT NULL,
        rework_percent REAL NOT NULL
    ) STRICT""",
    """CREATE TABLE steps (
        map_id TEXT NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        activity TEXT NOT NULL,
        team TEXT NOT NULL,
        performer TEXT NOT NULL,
        process_time REAL NOT NULL,
        wait_time REAL NOT NULL,
        pca REAL NOT NULL,
        people REAL NOT NULL,
        notes TEXT NOT NULL,
        x REAL NOT NULL,
        y REAL NOT NULL,
        origin TEXT,
        PRIMARY KEY (map_id, id),
        UNIQUE (map_id, position)
    ) STRICT""",
    """CREATE TABLE flows (
        map_id TEXT NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        position INTEGER NOT NULL,
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        kind TEXT NOT NULL,
        share REAL,
        probability REAL,
        PRIMARY KEY (map_id, id),
        UNIQUE (map_id, position),
        FOREIGN KEY (map_id, source) REFERENCES steps(map_id, id) ON DELETE CASCADE,
        FOREIGN KEY (map_id, target) REFERENCES steps(map_id, id) ON DELETE CASCADE
    ) STRICT""",
)


def _initial_schema(db: sqlite_utils.Database) -> None:
    """Schema version 1: project, maps, steps, flows."""
    for statement in _SCHEMA_1:
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")


# Schema version 2, frozen like version 1.
_SCHEMA_2 = (
    """CREATE TABLE kaizens (
        map_id TEXT NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        waste TEXT NOT NULL,
        owner TEXT NOT NULL,
        due TEXT,
        status TEXT NOT NULL,
        expected_saving_minutes REAL NOT NULL,
        step_id TEXT,
        x REAL NOT NULL,
        y REAL NOT NULL,
        PRIMARY KEY (map_id, id),
        UNIQUE (map_id, position),
        FOREIGN KEY (map_id, step_id) REFERENCES steps(map_id, id) ON DELETE CASCADE
    ) STRICT""",
)


def _kaizens_schema(db: sqlite_utils.Database) -> None:
    """Schema version 2: kaizen bursts, attached to a step (step_id) or free on the map."""
    for statement in _SCHEMA_2:
        db.execute(statement)
    db.execute("PRAGMA user_version = 2")


# Schema version 3, frozen like the others. Columns added with ALTER TABLE, so version 1 and 2
# files migrate (on a copy in memory) with empty ranges and the default threshold.
_SCHEMA_3 = (
    "ALTER TABLE steps ADD COLUMN process_time_min REAL",
    "ALTER TABLE steps ADD COLUMN process_time_max REAL",
    "ALTER TABLE steps ADD COLUMN wait_time_min REAL",
    "ALTER TABLE steps ADD COLUMN wait_time_max REAL",
    "ALTER TABLE maps ADD COLUMN over_capacity_percent REAL NOT NULL DEFAULT 85.0",
)


def _variability_schema(db: sqlite_utils.Database) -> None:
    """Schema version 3: optional minimum / maximum process and wait times per step (NULL: none)
    and the utilisation above which a step is flagged as over capacity."""
    for statement in _SCHEMA_3:
        db.execute(statement)
    db.execute("PRAGMA user_version = 3")


# Schema version 4, frozen like the others: the checksum of the content (vsm.files.vsm_file),
# under the key 'content_sha256'.
_SCHEMA_4 = (
    """CREATE TABLE metadata (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) STRICT""",
)


def _metadata_schema(db: sqlite_utils.Database) -> None:
    """Schema version 4: a key-value table for what describes the file rather than the project;
    it holds the checksum of the content."""
    for statement in _SCHEMA_4:
        db.execute(statement)
    db.execute("PRAGMA user_version = 4")


# Schema version 5, frozen like the others: measured data (vsm mine). Columns added with ALTER
# TABLE (NULL in older files: nothing measured) and a table of each mined map's source.
_SCHEMA_5 = (
    "ALTER TABLE steps ADD COLUMN cases INTEGER",
    "ALTER TABLE steps ADD COLUMN visits INTEGER",
    "ALTER TABLE steps ADD COLUMN mined TEXT",
    "ALTER TABLE flows ADD COLUMN cases INTEGER",
    "ALTER TABLE flows ADD COLUMN mined TEXT",
    """CREATE TABLE measured (
        map_id TEXT PRIMARY KEY NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        start TEXT,
        end TEXT,
        cases INTEGER NOT NULL,
        events INTEGER NOT NULL,
        lead_time_p50 REAL,
        lead_time_p85 REAL,
        lead_time_p95 REAL,
        statistic TEXT NOT NULL
    ) STRICT""",
)


def _measured_schema(db: sqlite_utils.Database) -> None:
    """Schema version 5: the measured cases and visits of steps and cases of flows, a step's and
    a flow's mined figures as mined (JSON text), and per mined map where its figures come
    from."""
    for statement in _SCHEMA_5:
        db.execute(statement)
    db.execute("PRAGMA user_version = 5")


# Schema version 6, frozen like the others: what stakeholders ask (issue 18). Columns added with
# ALTER TABLE, so older files migrate with the defaults (no target, no experience score, "€", no
# description, no practices) and a table of each map's hourly rate per team. Self-contained: it
# touches no column or table another migration adds.
_SCHEMA_6 = (
    "ALTER TABLE maps ADD COLUMN target_lead_time REAL",
    "ALTER TABLE maps ADD COLUMN currency TEXT NOT NULL DEFAULT '€'",
    "ALTER TABLE maps ADD COLUMN experience_scale TEXT",
    "ALTER TABLE maps ADD COLUMN experience_score REAL",
    "ALTER TABLE maps ADD COLUMN experience_responses INTEGER",
    "ALTER TABLE maps ADD COLUMN experience_note TEXT",
    "ALTER TABLE maps ADD COLUMN itil_trigger TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE maps ADD COLUMN itil_outcome TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE maps ADD COLUMN itil_value TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE maps ADD COLUMN itil_stakeholders TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE steps ADD COLUMN target_time REAL",
    "ALTER TABLE steps ADD COLUMN hourly_rate REAL",
    "ALTER TABLE steps ADD COLUMN practices TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE steps ADD COLUMN information TEXT NOT NULL DEFAULT ''",
    """CREATE TABLE team_rates (
        map_id TEXT NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        team TEXT NOT NULL,
        rate REAL NOT NULL,
        PRIMARY KEY (map_id, team),
        UNIQUE (map_id, position)
    ) STRICT""",
)


def _stakeholders_schema(db: sqlite_utils.Database) -> None:
    """Schema version 6: a map's target lead time, experience score, currency and ITIL 4
    description; a step's target time, hourly rate, practices (codes separated by ";") and
    information; the hourly rate of each team of a map."""
    for statement in _SCHEMA_6:
        db.execute(statement)
    db.execute("PRAGMA user_version = 6")


_STEPS = (("0001_initial", _initial_schema), ("0002_kaizens", _kaizens_schema),
          ("0003_variability_capacity", _variability_schema), ("0004_metadata", _metadata_schema),
          ("0005_measured", _measured_schema), ("0006_stakeholders", _stakeholders_schema))
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' record of the migrations applied
_MIGRATION_SET = "vsm"


@cache
def _migrations() -> sqlite_utils.Migrations:
    """The schema's migrations, in order (sqlite-utils is imported on first use: the editor
    starts without it)."""
    import sqlite_utils

    migrations = sqlite_utils.Migrations(_MIGRATION_SET)
    for name, step in _STEPS:
        migrations(name=name)(step)
    return migrations


def utils_database(connection: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils' view of a connection, running no plugins."""
    import sqlite_utils

    return sqlite_utils.Database(connection, execute_plugins=False)


def migrate(db: sqlite_utils.Database) -> None:
    """Bring the schema of a writable database up to SCHEMA_VERSION (creates it in a new file).

    Files of an older schema version are opened by migrating a copy in memory (open_project), so
    the user's file is never changed by opening it.
    """
    _migrations().apply(db)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:  # a migration forgot to set user_version: a bug, not user data
        raise RuntimeError(f"migrations left user_version {version}, expected {SCHEMA_VERSION}")


def migrate_copy(db: sqlite_utils.Database, version: int) -> None:
    """Bring a copy of a file of schema `version` (checked by check_schema) up to SCHEMA_VERSION.

    The file's own record of its migrations is not trusted: `_sqlite_migrations` is replaced by
    the record its version implies, so only the version in the file's header decides which
    migrations run, and sqlite-utils never rebuilds a table the file defined.
    """
    db.execute(f"DROP TABLE IF EXISTS [{MIGRATIONS_TABLE}]")
    migrations = _migrations()
    migrations.ensure_migrations_table(db)
    db.conn.executemany(
        f"INSERT INTO [{MIGRATIONS_TABLE}] (migration_set, name, applied_at) VALUES (?, ?, ?)",
        [(_MIGRATION_SET, name, "before the file was opened") for name, _ in _STEPS[:version]])
    migrate(db)


# ---------------------------------------------------------------- what a file may hold


class SchemaProblem(Exception):
    """The file's schema is not one VSM Studio writes; the message is the whole reason."""


FOREIGN = "not a file VSM Studio wrote"
# A column default that is a plain value (what `PRAGMA table_xinfo` shows of it), not an expression.
_PLAIN_DEFAULT = re.compile(r"""[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|'([^']|'')*'|[xX]'[0-9a-fA-F]*'
                                |NULL|TRUE|FALSE|CURRENT_(TIME|DATE|TIMESTAMP)""", re.IGNORECASE | re.VERBOSE)
_CHECK = re.compile(r"\bCHECK\b", re.IGNORECASE)


@cache
def expected_columns(version: int) -> dict[str, tuple[str, ...]]:
    """Our tables in a file of schema `version` and their columns, as the migrations make them."""
    with closing(sqlite3.connect(":memory:")) as connection:
        db = utils_database(connection)
        stop = [name for name, _ in _STEPS[version:version + 1]]
        _migrations().apply(db, stop_before=stop or None)
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> ? ORDER BY rowid",
            [MIGRATIONS_TABLE])]
        return {table: tuple(row[1] for row in connection.execute(f"PRAGMA table_xinfo([{table}])"))
                for table in tables}


def check_schema(connection: sqlite3.Connection, version: int) -> None:
    """Raise SchemaProblem unless the schema holds only what VSM Studio writes at `version`.

    Reads nothing but the schema (sqlite_master and the pragmas describing tables and indexes,
    names passed as parameters), so it is safe to run before anything else touches the file.
    """
    expected = expected_columns(version)
    objects = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    for kind, what in (("trigger", "SQL triggers"), ("view", "SQL views")):
        names = [repr(row[1]) for row in objects if row[0] == kind]
        if names:
            raise SchemaProblem(f"contains {what} ({', '.join(names)[:100]}): {FOREIGN}")
    tables = [(name, sql or "") for kind, name, _, sql in objects if kind == "table"]
    for name, sql in tables:
        if re.match(r"\s*CREATE\s+VIRTUAL\b", sql, re.IGNORECASE):
            raise SchemaProblem(f"contains a virtual table ({name!r}): {FOREIGN}")
    for name, _ in tables:
        if name not in expected and name != MIGRATIONS_TABLE:
            raise SchemaProblem(f"holds a table {name!r} that VSM Studio does not write: {FOREIGN}")
    missing = [table for table in expected if table not in {name for name, _ in tables}]
    if missing:
        raise SchemaProblem(f"damaged file: table {missing[0]!r} is missing")
    for name, sql in tables:
        _check_table(connection, name, sql, expected.get(name, ()))
    for kind, name, table, sql in objects:
        if kind == "index" and sql is not None:  # not an automatic index of a key or UNIQUE
            partial = connection.execute("SELECT count(*) FROM pragma_index_list(?) "
                                         "WHERE name = ? AND partial", [table, name]).fetchone()[0]
            expressions = connection.execute("SELECT count(*) FROM pragma_index_xinfo(?) "
                                             "WHERE cid = -2", [name]).fetchone()[0]
            if partial or expressions:
                raise SchemaProblem(f"contains SQL in an index ({name!r}): {FOREIGN}")


def _check_table(connection: sqlite3.Connection, table: str, sql: str,
                 expected: tuple[str, ...]) -> None:
    """Refuse generated columns, CHECK constraints and defaults that are expressions; a column
    of `expected` that is missing is damage."""
    columns = connection.execute("SELECT name, dflt_value, hidden FROM pragma_table_xinfo(?)",
                                 [table]).fetchall()
    if any(hidden in (2, 3) for _, _, hidden in columns):  # 2: virtual, 3: stored generated column
        raise SchemaProblem(f"contains generated columns (table {table!r}): {FOREIGN}")
    if _CHECK.search(sql):
        raise SchemaProblem(f"contains CHECK constraints (table {table!r}): {FOREIGN}")
    if any(default is not None and not _PLAIN_DEFAULT.fullmatch(str(default))
           for _, default, _ in columns):
        raise SchemaProblem(f"contains SQL in a column default (table {table!r}): {FOREIGN}")
    names = {name for name, _, _ in columns}
    for column in expected:
        if column not in names:
            raise SchemaProblem(f"damaged file: column {column!r} is missing")
