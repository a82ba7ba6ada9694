"""Working copies: every open document's latest edits, kept safe in the user's data folder.

While a document is open, the editor writes its project to `<id>.vsm` in `working_copies_dir()`
within two seconds of every edit, with `vsm.files.vsm_file.save_project` (a complete file written beside the
target, flushed and swapped in with `os.replace`), so a crash at any moment leaves the previous or
the new working copy, never a damaged one. A small sidecar `<id>.json` (written atomically too)
says whose it is and what it belongs to: the original file (or null for an untitled document), the
project's name, the owning process (host, pid, boot id, start time) and the time of the last edit.

A clean close removes both files. At the next start, working copies whose process is gone
(`orphans()`) are offered for recovery. Working copies of another computer (a shared data folder)
or of a process still running are never offered.

Every field of a sidecar is checked when it is read (`WorkingCopy.read`: the owner as for a lock,
vsm.files.locks.Owner.from_dict; the original's path, the project's name and the times as text
of bounded length), and only a regular file of a few kilobytes is read at all. A sidecar that fails
is damaged: it is left alone and never raises; `damaged()` lists those beside a working copy,
whose edits may be worth a look, so the editor can say where that copy is.

The folder is `platformdirs.user_data_path("VSM Studio") / "working-copies"`, or
`$VSM_DATA_DIR/working-copies` when that variable is set (tests, the command line).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from vsm.errors import FileFormatError
from vsm.files.atomic import atomic_file
from vsm.files.locks import (
    DamagedNote,
    Owner,
    format_time,
    is_iso_time,
    now_iso,
    read_note,
    this_process,
)
from vsm.files.vsm_file import open_project, save_project
from vsm.model import Project
from vsm.model.limits import LINE_SUSPECT, MAX_NAME_LENGTH

APP_DIR_NAME = "VSM Studio"
ENV_VAR = "VSM_DATA_DIR"
SIDECAR_FORMAT = "vsm-working-copy"
SIDECAR_VERSION = 1
MAX_PATH_LENGTH = 4096  # characters of the original's path (PATH_MAX on Linux)


def data_dir() -> Path:
    """The application's data folder ($VSM_DATA_DIR if set)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    return platformdirs.user_data_path(APP_DIR_NAME, appauthor=False)


def working_copies_dir() -> Path:
    """Where working copies live (not created until the first one is written)."""
    return data_dir() / "working-copies"


@dataclass
class WorkingCopy:
    """One document's working copy: `<id>.vsm` and its sidecar `<id>.json` in `directory`."""

    directory: Path
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    original: Path | None = None
    name: str = ""
    owner: Owner = field(default_factory=this_process)
    last_edit: str | None = None

    @classmethod
    def new(cls, original: Path | None = None, name: str = "",
            directory: Path | None = None) -> "WorkingCopy":
        """A working copy owned by this process; no file is written until write()."""
        return cls(directory or working_copies_dir(), original=original, name=name)

    @property
    def database(self) -> Path:
        return self.directory / f"{self.id}.vsm"

    @property
    def sidecar(self) -> Path:
        return self.directory / f"{self.id}.json"

    @property
    def exists(self) -> bool:
        return self.database.exists()

    @property
    def display_name(self) -> str:
        """The original's file name, or the project name of an untitled document."""
        return self.original.name if self.original else (self.name or "Untitled")

    @property
    def last_edit_text(self) -> str:
        return format_time(self.last_edit) if self.last_edit else "unknown"

    # ------------------------------------------------------------ writing

    def write(self, project: Project, original: Path | None = None,
              edited_at: str | None = None) -> None:
        """Save the project as this working copy, atomically; FileFormatError if it cannot.

        The first write puts the sidecar in place before the database, so a database never exists
        without a sidecar saying whose it is.
        """
        self.original = Path(original) if original is not None else None
        self.name = project.name
        self.last_edit = edited_at or now_iso()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise FileFormatError(self.directory, f"cannot create the folder for working copies: "
                                                  f"{error.strerror or error}") from None
        if not self.sidecar.exists():
            self._write_sidecar()
        save_project(project, self.database)
        self._write_sidecar()

    def update(self, original: Path | None, name: str) -> None:
        """Record a new original (after Save As) or project name; only if the files exist."""
        self.original = Path(original) if original is not None else None
        self.name = name
        if self.sidecar.exists():
            self._write_sidecar()

    def claim(self) -> None:
        """Make this process the owner (recovering an orphan), so no one else offers it."""
        self.owner = this_process()
        self._write_sidecar()

    def remove(self) -> None:
        """Delete the working copy, its sidecar and temporary files a crash left; never raises."""
        leftovers = [self.database, self.sidecar]
        try:
            leftovers += list(self.directory.glob(f".{self.id}.*.tmp*"))
        except OSError:
            pass
        for path in leftovers:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass

    def load(self) -> Project:
        """The project in the working copy; FileFormatError if it cannot be read."""
        return open_project(self.database)

    # ------------------------------------------------------------ the sidecar

    def to_dict(self) -> dict[str, Any]:
        return {"format": SIDECAR_FORMAT, "version": SIDECAR_VERSION,
                "original_path": str(self.original) if self.original else None,
                "project_name": self.name, "last_edit": self.last_edit,
                "started": self.owner.since, **self.owner.to_dict()}

    def _write_sidecar(self) -> None:
        # ASCII with escapes: a path of undecodable bytes (held as surrogates) is kept exactly.
        data = json.dumps(self.to_dict(), indent=1).encode()
        with atomic_file(self.sidecar, permissions=0o600,
                         reason=lambda error: f"cannot write: {error.strerror or error}") as file:
            file.write(data)

    @classmethod
    def read(cls, sidecar: Path) -> "WorkingCopy":
        """A working copy from its sidecar; OSError if it cannot be read, NotOurs (a ValueError)
        if it is not a sidecar this version can read, DamagedNote (a ValueError) naming the
        first field that is not what this application writes."""
        try:
            data = json.loads(read_note(sidecar))
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
            raise DamagedNote(f"not a working copy's note ({error})") from None
        if not isinstance(data, dict) or data.get("format") != SIDECAR_FORMAT:
            raise DamagedNote("not a working copy's note")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise DamagedNote("version: not a version number")
        if version > SIDECAR_VERSION:
            raise NotOurs("the note of a newer version of the app")
        owner = Owner.from_dict({**data, "since": data.get("started")})
        original, name, last = (data.get(k) for k in ("original_path", "project_name", "last_edit"))
        if not (original is None or isinstance(original, str) and 0 < len(original)
                <= MAX_PATH_LENGTH and "\0" not in original):
            raise DamagedNote("original_path: not a file's path")
        if not (isinstance(name, str) and len(name) <= MAX_NAME_LENGTH
                and not LINE_SUSPECT.search(name)):
            raise DamagedNote("project_name: not a project's name")
        if not (last is None or is_iso_time(last)):
            raise DamagedNote("last_edit: not a time")
        return cls(sidecar.parent, sidecar.stem, Path(original) if original else None, name,
                   owner, last)


class NotOurs(ValueError):
    """A sidecar this version does not read (a newer version's): left to that version."""


@dataclass(frozen=True)
class Damaged:
    """A working copy whose sidecar is damaged: where the copy is, and what is wrong."""

    database: Path
    sidecar: Path
    reason: str


def _sidecars(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.glob("*.json") if not p.name.startswith("."))
    except OSError:
        return []


def list_working_copies(directory: Path | None = None) -> list[WorkingCopy]:
    """Every working copy with a readable sidecar in the folder (none if it does not exist).
    Damaged sidecars are left alone (see damaged())."""
    copies = []
    for sidecar in _sidecars(directory or working_copies_dir()):
        try:
            copies.append(WorkingCopy.read(sidecar))
        except (OSError, ValueError, RecursionError):
            continue  # not ours to judge: leave it alone
    return copies


def damaged(directory: Path | None = None) -> list[Damaged]:
    """The working copies whose sidecar is damaged (unreadable, or a field that is not what this
    application writes), so nobody can tell whose they are: only those with a database beside
    the sidecar, which may hold edits. Nothing is changed."""
    found = []
    for sidecar in _sidecars(directory or working_copies_dir()):
        try:
            WorkingCopy.read(sidecar)
        except NotOurs:
            continue
        except (OSError, ValueError, RecursionError) as error:
            database = sidecar.with_suffix(".vsm")
            try:
                if database.is_file():
                    found.append(Damaged(database, sidecar, str(error) or type(error).__name__))
            except OSError:
                pass
    return found


def orphans(directory: Path | None = None) -> list[WorkingCopy]:
    """Working copies of this computer whose process is gone, newest edit first.

    A left-over sidecar without a database (a crash before the first write finished) holds
    nothing to recover and is removed here.
    """
    found = []
    for copy in list_working_copies(directory):
        if not copy.owner.is_this_host() or copy.owner.is_alive():
            continue
        if not copy.exists:
            copy.remove()
            continue
        found.append(copy)
    return sorted(found, key=lambda c: c.last_edit or "", reverse=True)
