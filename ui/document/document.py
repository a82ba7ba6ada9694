"""Document: one open project, its file, its undo stack and its live analysis.

One QUndoStack per document (not per map): adding and deleting maps stay undoable, the modified
state is one `isClean()`, and `map_touched` tells the window which map an undo or redo changed so
it can show it. Analysis is recomputed for the maps that changed, coalesced over the next turns of
the event loop, so a burst of edits (a paste, an auto-layout) costs one analysis, and after the
canvas has painted the edit, so the edit shows at once and its figures a moment later. Each map
keeps a vsm.analysis.Analyser, which reuses what an edit left unchanged (the same figures as a
fresh analysis, at a third of the cost after an edit of times).

Offline safety: an Autosaver keeps every edit in a working copy in the user's data folder (see
vsm.files.working_copies), the file is locked while open (vsm.files.locks), saving is atomic, and close() is the
clean close that removes the working copy and the lock.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ui.document.autosave import Autosaver
from vsm.analysis import Analyser, MapAnalysis
from vsm.errors import FileFormatError
from vsm.model.events import KaizenAdded, KaizenChanged, KaizenRemoved, MapChanged, StepChanged
from vsm.model.maps import MapAdded, MapRemoved
from vsm.files.atomic import same_file
from vsm.files.formats import load_project, save_project_any
from vsm.files.locks import Lock, acquire
from vsm.model import Project, ValueStreamMap

LAYOUT_ONLY_FIELDS = frozenset({"x", "y", "notes"})


TURNS_BEFORE_ANALYSIS = 1  # the canvas paints the edit first; the figures follow


class Document(QObject):
    """The open project. Edits arrive as commands through push(); nothing else changes it."""

    modified_changed = Signal(bool)
    path_changed = Signal()
    maps_changed = Signal()
    analysis_changed = Signal(str)  # map id
    map_touched = Signal(str)  # map id changed by the last undo, redo or push
    map_settings_changed = Signal(str, str)  # map id, setting (name, kind, ...)
    read_only_changed = Signal(bool)

    def __init__(self, project: Project | None = None, path: str | Path | None = None,
                 parent: QObject | None = None, autosave: bool = True) -> None:
        super().__init__(parent)
        self.project = project or new_project()
        self.path = Path(path) if path else None
        self.lock: Lock | None = None  # set by open() and save(); released by close()
        self.read_only = False  # opened while open elsewhere: Save As only
        self.autosaver: Autosaver | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._last_index = 0
        self.undo_stack.indexChanged.connect(self._on_index_changed)
        self._analyses: dict[str, MapAnalysis] = {}
        self._analysers: dict[str, Analyser] = {}  # per map: what one edit leaves to reuse
        self._stale: set[str] = set()
        self._unannounced: set[str] = set()  # changed since the last analysis_changed
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer)
        self._turns_left = 0
        self._listeners: dict[str, Any] = {}
        self.project.subscribe(self._on_project_event)
        for map_ in self.project.maps:
            self._watch(map_)
        self.autosaver = Autosaver(self) if autosave else None

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

    def save(self, path: str | Path | None = None) -> None:
        """Write the project (to `path`, becoming the document's file); marks it unmodified.

        The file is written atomically (storage.save_project): on any failure the old file is
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
        """A clean close: remove the working copy and release the lock."""
        if self.autosaver is not None:
            self.autosaver.discard()
        self.release_lock()

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        """The file name, or the project's name for a document never saved."""
        return self.path.name if self.path else f"{self.project.name}"

    # ------------------------------------------------------------ editing

    def push(self, command: QUndoCommand) -> None:
        """Apply an edit and put it on the undo stack."""
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
        if map_id in self._stale or map_id not in self._analyses:
            analyser = self._analysers.setdefault(map_id, Analyser())
            self._analyses[map_id] = analyser.analyse(self.project.map(map_id))
            self._stale.discard(map_id)
        return self._analyses[map_id]

    def _watch(self, map_: ValueStreamMap) -> None:
        this = weakref.ref(self)  # the model must not keep the document alive

        def listener(event: object, map_id: str = map_.id) -> None:
            document = this()
            if document is not None:
                document._on_map_event(map_id, event)

        self._listeners[map_.id] = listener
        map_.subscribe(listener)
        self._mark_stale(map_.id)

    def _on_map_event(self, map_id: str, event: object) -> None:
        if isinstance(event, StepChanged) and event.field in LAYOUT_ONLY_FIELDS:
            return  # positions and notes do not change any figure
        if isinstance(event, (KaizenAdded, KaizenChanged, KaizenRemoved)):
            return  # improvement ideas do not change any figure either
        if isinstance(event, MapChanged):
            self.map_settings_changed.emit(map_id, event.field)
        self._mark_stale(map_id)

    def _mark_stale(self, map_id: str) -> None:
        self._stale.add(map_id)
        self._unannounced.add(map_id)
        self._turns_left = TURNS_BEFORE_ANALYSIS
        self._timer.start()

    def _on_timer(self) -> None:
        """Analyse after TURNS_BEFORE_ANALYSIS more turns of the event loop: the edit's repaint
        (a posted event) goes first, so the canvas shows it at once, not after the analysis."""
        if self._turns_left > 0:
            self._turns_left -= 1
            self._timer.start()
            return
        self._refresh_analyses()

    def _refresh_analyses(self) -> None:
        # Announce every changed map, even one whose analysis a reader already computed early.
        for map_id in list(self._unannounced):
            self._unannounced.discard(map_id)
            if any(m.id == map_id for m in self.project.maps):
                self.analysis(map_id)
                self.analysis_changed.emit(map_id)
            else:
                self._stale.discard(map_id)

    def _on_project_event(self, event: object) -> None:
        if isinstance(event, MapAdded):
            self._watch(event.map)
        elif isinstance(event, MapRemoved):
            listener = self._listeners.pop(event.map.id, None)
            if listener:
                event.map.unsubscribe(listener)
            self._analyses.pop(event.map.id, None)
            self._analysers.pop(event.map.id, None)
        self.maps_changed.emit()


def new_project(name: str = "Untitled value stream") -> Project:
    """A project with one empty current-state map."""
    return Project(name, [ValueStreamMap("Current state", "current")])
