"""The autosave's jobs in the second process (ui.document.processes): write or remove a working
copy.

ui.document.autosave hands them to `processes.shared("autosave")`, so the write of the working
copy (rebuilding the project from its records, SQLite's inserts, the checksum) never holds the
GUI process's interpreter lock. They are module-level functions of picklable arguments, and this
module imports no Qt, so the child process that runs them never loads it.

The child works on its own copy of the `WorkingCopy`: what `WorkingCopy.write` records in it
(the original file, the project's name, the time of the last edit) does not come back by itself,
so `write_working_copy` returns those fields and the autosaver sets them on its own copy when the
write succeeded. The owner written in the sidecar is the one the copy was made with: the GUI
process (an `Owner` keeps its pid when pickled), never the child.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ui.document.snapshots import ProjectRecords
from vsm.files.working_copies import WorkingCopy


@dataclass(frozen=True)
class Written:
    """What a write recorded in the working copy (to set on the GUI's copy), and how long it
    took (rebuilding the project and writing it, in seconds)."""

    original: Path | None
    name: str
    last_edit: str | None
    seconds: float

    def apply_to(self, copy: WorkingCopy) -> None:
        """Set on `copy` what the write recorded in the child's copy of it."""
        copy.original, copy.name, copy.last_edit = self.original, self.name, self.last_edit


def write_working_copy(records: ProjectRecords, copy: WorkingCopy, original: Path | None,
                       edited_at: str | None) -> Written:
    """Rebuild the project from its records and write it as the working copy `copy` (atomic;
    FileFormatError, or whatever else went wrong, is raised to the caller)."""
    started = time.perf_counter()
    copy.write(records.rebuild(), original, edited_at)
    return Written(copy.original, copy.name, copy.last_edit, time.perf_counter() - started)


def remove_working_copy(copy: WorkingCopy) -> None:
    """Remove the working copy and its sidecar (never raises)."""
    copy.remove()
