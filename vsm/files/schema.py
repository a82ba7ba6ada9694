"""The schema of the .vsm file and its migrations (sqlite-utils), one per schema version.

Each migration's text is frozen once released: a later change of the schema is a new migration,
never an edit of an old one, so a file of any earlier version is brought up to date step by step
(vsm.files.vsm_file migrates it on a copy in memory). sqlite-utils is imported on first use, so the
editor starts without it.
"""

from __future__ import annotations

import sqlite3
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_VERSION: int = 3  # PRAGMA user_version of a file written now

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


@cache
def _migrations() -> sqlite_utils.Migrations:
    """The schema's migrations, in order (sqlite-utils is imported on first use: the editor
    starts without it)."""
    import sqlite_utils

    migrations = sqlite_utils.Migrations("vsm")
    for name, step in (("0001_initial", _initial_schema), ("0002_kaizens", _kaizens_schema),
                       ("0003_variability_capacity", _variability_schema)):
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
