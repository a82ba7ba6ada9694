"""A catalogue of damaged and foreign files: each with how to make it and the words its error
message must contain. The loader, the command line and the editor's dialog all go through it."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Callable

from vsm.files.formats import project_to_dict, save_json
from vsm.files.schema import SCHEMA_VERSION
from vsm.files.vsm_file import save_project
from vsm.model import Project, Step, ValueStreamMap


def sample() -> Project:
    map_ = ValueStreamMap("Current state")
    for index in range(40):
        map_.add_step(Step(f"Step {index}", wait_time=index, notes="n" * 300))
    return Project("Sample", [map_])


def valid_vsm(path: Path) -> Path:
    save_project(sample(), path)
    return path


def sqlite_edit(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path)) as connection:
        for statement in statements:
            connection.execute(statement)
        connection.commit()


def make_newer(path: Path) -> None:
    valid_vsm(path)
    sqlite_edit(path, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


def make_other_app(path: Path) -> None:
    sqlite_edit(path, "CREATE TABLE contacts (name TEXT)", "INSERT INTO contacts VALUES ('x')")


def make_truncated(path: Path) -> None:
    data = valid_vsm(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])


def make_bit_flipped(path: Path) -> None:
    data = bytearray(valid_vsm(path).read_bytes())
    for page in range(1, len(data) // 4096):
        data[page * 4096 + 5] ^= 0xFF  # the cell content offset of every b-tree page
    path.write_bytes(bytes(data))


def make_wal(path: Path) -> None:
    valid_vsm(path)
    sqlite_edit(path, "PRAGMA journal_mode = WAL")


def make_future_json(path: Path) -> None:
    data = project_to_dict(sample())
    data["version"] = 99
    path.write_text(json.dumps(data))


def make_wrong_types_json(path: Path) -> None:
    data = project_to_dict(sample())
    data["maps"][0]["steps"][3]["wait_time"] = [1, 2]
    path.write_text(json.dumps(data))


def make_truncated_json(path: Path) -> None:
    save_json(sample(), path)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])


def write(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


# (file name, how to make it, words the message must contain)
CATALOGUE = [
    ("zero.vsm", write(b""), "empty file"),
    ("text.vsm", write(b"Dear colleague, please find attached"), "not a value-stream file"),
    ("picture.vsm", write(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), "not a value-stream file"),
    ("contacts.vsm", make_other_app, "another application"),
    ("newer.vsm", make_newer, "newer version"),
    ("truncated.vsm", make_truncated, "damaged"),
    ("flipped.vsm", make_bit_flipped, "damaged"),
    ("wal.vsm", make_wal, "WAL"),
    ("zero.json", write(b""), "not valid JSON"),
    ("binary.json", write(bytes(range(256))), "not a vsm-json file"),
    ("future.json", make_future_json, "newer version"),
    ("wrong types.json", make_wrong_types_json, "wait_time"),
    ("truncated.json", make_truncated_json, "not valid JSON"),
    ("deep.json", write(b"[" * 200_000), "not"),
    ("other.json", write(b'{"name": "a package.json", "version": "1.0"}'), "not a vsm-json file"),
    ("notes.txt", write(b"hello"), "unknown file type"),
]
IDS = [name for name, _make, _words in CATALOGUE]
