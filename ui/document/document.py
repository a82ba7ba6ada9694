"""Document: one open project, its file, its undo stack and its live analysis.

One QUndoStack per document (not per map): adding and deleting maps stay undoable, the modified
state is one `isClean()`, and `map_touched` tells the window which map an undo or redo changed so
it can show it. Every edit arrives through one of the document's verbs (ui.document.edits), which
builds a command and pushes it; the analysis follows the maps (ui.document.live_analysis) and
`analysis_changed` says when a map's figures are new.

Offline safety: an Autosaver keeps every edit in a working copy in the user's data folder (see
vsm.files.working_copies), the file is locked while open (vsm.files.locks), saving is atomic, and
close() is the clean close that removes the working copy and the lock.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ui.document.autosave import Autosaver
from ui.document.edits import Edits
from ui.document.live_analysis import LiveAnalysis
from vsm.analysis import MapAnalysis
from vsm.errors import FileFormatError
from vsm.files.atomic import same_file
from vsm.files.formats import load_project, save_project_any
from vsm.files.locks import Lock, acquire
from vsm.model import Project, ProjectChanged, ValueStreamMap

if TYPE_CHECKING:
    from ui.document.reading import FileRead

_DOCUMENTS: weakref.WeakSet[Document] = weakref.WeakSet()  # every Document, while it lives


class Document(Edits, QObject):
    """The open project. Edits arrive through its verbs (add_step, connect, move, remove,
    set_step_field...: ui.document.edits); nothing else changes it."""

    modified_changed = Signal(bool)
    path_changed = Signal()
    maps_changed = Signal()
    analysis_changed = Signal(str)  # map id
    map_touched = Signal(str)  # map id changed by the last undo, redo or push
    map_settings_changed = Signal(str, str)  # map id, setting (name, kind, ...)
    read_only_changed = Signal(bool)
    project_renamed = Signal()  # the value stream's name changed

    def __init__(self, project: Project | None = None, path: str | Path | None = None,
                 parent: QObject | None = None, autosave: bool = True) -> None:
        super().__init__(parent)
        _DOCUMENTS.add(self)
        self.project = project or new_project()
        self.path = Path(path) if path else None
        self.lock: Lock | None = None  # set by open() and save(); released by close()
        self.read_only = False  # opened while open elsewhere: Save As only
        self.autosaver: Autosaver | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._last_index = 0
        self.undo_stack.indexChanged.connect(self._on_index_changed)
        self.live = LiveAnalysis(self.project, self.analysis_changed.emit,
                                 self.map_settings_changed.emit, self)
        self.project.subscribe(self._on_project_event)
        self.autosaver = Autosaver(self) if autosave else None

    @staticmethod
    def alive() -> list[Document]:
        """The documents whose Qt object still exists (the tests clear their undo stacks before
        collecting garbage: see tests/helpers/qt.py)."""
        return [d for d in list(_DOCUMENTS) if shiboken6.isValid(d)]

    # ------------------------------------------------------------ files

    @classmethod
    def open(cls, path: str | Path, parent: QObject | None = None, read_only: bool = False,
             lock: Lock | None = None) -> "Document":
        """Read a .vsm or .json file and lock it for this process.

        FileFormatError names the file and the problem; LockedError says who has it open (open it
        again with `read_only=True` to look without the lock). `lock` hands over a lock this
        process already holds on the file (reopening the current document).
        """
        path = Path(path)
        taken = None
        if lock is None and not read_only:
            taken = lock = acquire(path)
        try:
            project = load_project(path)
        except BaseException:
            if taken is not None:
                taken.release()
            raise
        document = cls(project, path, parent)
        document.lock = lock
        document.read_only = read_only
        return document

    @classmethod
    def from_read(cls, read: FileRead, lock: Lock | None = None, read_only: bool = False,
                  parent: QObject | None = None) -> "Document":
        """The document of a file read on a worker (ui.document.reading), holding `lock`, its
        maps' first figures those the worker computed: nothing is analysed again here."""
        document = cls(read.project, read.path, parent)
        document.lock = lock
        document.read_only = read_only
        for map_id, first in read.analyses.items():
            document.live.adopt(map_id, first.analyser, first.analysis, first.seconds,
                                first.figures, first.copies)
        return document

    def save(self, path: str | Path | None = None) -> None:
        """Write the project (to `path`, becoming the document's file); marks it unmodified.

        The file is written atomically (vsm.files.vsm_file.save_project): on any failure the old file is
        untouched, FileFormatError says why and the document stays modified. A .json path exports
        vsm-json but keeps the document's own file; only .vsm becomes it. Saving to another file
        locks it first (LockedError if it is open elsewhere) and releases the old file's lock.
        A read-only document cannot be saved onto its own file.
        """
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("the document has no file yet: give a path")
        same = self.path is not None and same_file(target, self.path)
        if same and self.read_only:
            raise FileFormatError(target, "was opened read-only (it is open elsewhere); "
                                          "use Save As to keep your changes in another file")
        becomes_file = target.suffix.lower() == ".vsm" or self.path is None or same
        new_lock = acquire(target) if becomes_file and not same else None
        if becomes_file and self.autosaver is not None:
            # A crash after the save but before the working copy is removed must not leave a
            # working copy older than the file: bring it up to date first.
            self.autosaver.flush()
        try:
            save_project_any(self.project, target)
        except BaseException:
            if new_lock is not None:
                new_lock.release()
            raise
        if becomes_file:
            if new_lock is not None:
                self.release_lock()
                self.lock = new_lock
                if self.read_only:
                    self.read_only = False
                    self.read_only_changed.emit(False)
            if target != self.path:
                self.path = target
                self.path_changed.emit()
            self.undo_stack.setClean()

    def mark_recovered(self) -> None:
        """A recovered document differs from its file: modified until saved, even after undo."""
        self.undo_stack.resetClean()

    def release_lock(self) -> None:
        """Give up the lock on the document's file (if any)."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def close(self) -> None:
        """A clean close: remove the working copy, release the lock and drop the undo history
        (its commands deleted now, while what they hold is intact, never by the collector)."""
        if self.autosaver is not None:
            self.autosaver.discard()
        self.release_lock()
        self.undo_stack.clear()

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        """The file name, or the project's name for a document never saved."""
        return self.path.name if self.path else f"{self.project.name}"

    # ------------------------------------------------------------ editing

    def _push(self, command: QUndoCommand) -> None:
        """Apply an edit and put it on the undo stack (the verbs' last step)."""
        self.undo_stack.push(command)

    def _on_clean_changed(self, clean: bool) -> None:
        if self.autosaver is not None:
            self.autosaver.clean_changed(clean)
        self.modified_changed.emit(not clean)

    def _on_index_changed(self, index: int) -> None:
        # An undo leaves the command it undid at `index`; a push or redo the one it ran at index-1.
        if self.autosaver is not None:
            self.autosaver.edited()
        ran = index if index < self._last_index else index - 1
        self._last_index = index
        command = self.undo_stack.command(ran) if 0 <= ran < self.undo_stack.count() else None
        map_id = getattr(command, "map_id", None)
        if map_id and any(m.id == map_id for m in self.project.maps):
            self.map_touched.emit(map_id)

    # ------------------------------------------------------------ analysis

    def analysis(self, map_id: str) -> MapAnalysis:
        """The analysis of a map, computed now if it is out of date."""
        return self.live.analysis(map_id)

    def shown_analysis(self, map_id: str) -> MapAnalysis | None:
        """The map's latest analysis as it is, never computed here (None before the first): what
        a large map's canvas shows while it is drawn and the next figures are computed."""
        return self.live.shown(map_id)

    def last_valid_analysis(self, map_id: str) -> MapAnalysis | None:
        """The map's latest analysis without a blocking problem, None if it never had one: the
        editor shows its figures greyed while the current analysis is blocked (exports do not)."""
        return self.live.last_valid(map_id)

    def _on_project_event(self, event: object) -> None:
        if isinstance(event, ProjectChanged):
            self.project_renamed.emit()
            return
        self.live.project_event(event)
        self.maps_changed.emit()


def new_project(name: str = "Untitled value stream") -> Project:
    """A project with one empty current-state map."""
    return Project(name, [ValueStreamMap("Current state", "current")])
