"""Autosave: every committed edit reaches the document's working copy within DELAY_MS.

Each change of the undo stack's index (push, undo, redo) starts a single-shot timer unless it is
already running, so a steady stream of edits is still written every DELAY_MS, never postponed.
When it fires, the whole project is written to the working copy with `vsm.files.vsm_file.save_project`,
which is atomic: a crash mid-write leaves the previous working copy intact. With the write itself
well under a second, no edit older than two seconds is ever missing after a crash.

A document back in its clean state (just saved, or every edit undone) has nothing to protect:
its working copy is removed. A failed write (the data folder is full, say) is reported once
through `failed` and tried again at the next edit.
"""

from __future__ import annotations

import time
import weakref
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance

from vsm.errors import VsmError
from vsm.files.locks import now_iso
from vsm.files.working_copies import WorkingCopy
from vsm.model import Project


class Autosaved(Protocol):
    """What the autosaver needs of its document (ui.document.document.Document)."""

    path: Path | None
    project: Project
    path_changed: SignalInstance

    @property
    def modified(self) -> bool: ...

DELAY_MS = 500


class Autosaver(QObject):
    """Keeps one document's working copy up to date."""

    failed = Signal(str)  # the reason, once per run of failures
    written = Signal()

    def __init__(self, document: Autosaved, directory: Path | None = None) -> None:
        super().__init__(document)
        self._document = weakref.ref(document)  # a Qt child must not keep its parent alive
        self.copy = WorkingCopy.new(document.path, document.project.name, directory)
        self.last_write_seconds = 0.0
        self._edited_at: str | None = None
        self._failing = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire 5% late
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.write_now)
        # The document forwards its undo stack's indexChanged and cleanChanged (edited(),
        # clean_changed()): a QUndoStack emits them while it is destroyed, when a direct
        # connection to this sibling would reach a half-deleted Python object.
        document.path_changed.connect(self._on_path_changed)

    @property
    def document(self) -> Autosaved:
        """The document this autosaver belongs to (its Qt parent)."""
        document = self._document()
        assert document is not None, "the autosaver outlived its document"
        return document

    @property
    def pending(self) -> bool:
        """An edit is waiting to be written."""
        return self._timer.isActive()

    def adopt(self, copy: WorkingCopy) -> None:
        """Continue an orphaned working copy (recovery): it becomes this document's, owned by us."""
        if copy.id != self.copy.id:
            self.copy.remove()
        self.copy = copy
        copy.update(self.document.path, self.document.project.name)
        copy.claim()

    def edited(self) -> None:
        """An edit was pushed, undone or redone: write it within DELAY_MS."""
        self._edited_at = now_iso()
        if not self._timer.isActive():
            self._timer.start()

    def clean_changed(self, clean: bool) -> None:
        """Back to the saved state (saved, or every edit undone): nothing left to protect."""
        if clean:
            self._timer.stop()
            self.copy.remove()

    def _on_path_changed(self) -> None:
        try:
            self.copy.update(self.document.path, self.document.project.name)
        except VsmError:
            pass  # the next write records it

    def write_now(self) -> None:
        """Write the working copy now (or remove it when there is nothing unsaved)."""
        self._timer.stop()
        if not self.document.modified:
            self.copy.remove()
            return
        started = time.perf_counter()
        try:
            self.copy.write(self.document.project, self.document.path, self._edited_at)
        except VsmError as error:
            if not self._failing:
                self._failing = True
                self.failed.emit(getattr(error, "reason", None) or str(error))
            return
        self._failing = False
        self.last_write_seconds = time.perf_counter() - started
        self.written.emit()

    def flush(self) -> None:
        """Write now if an edit is waiting (before saving the document)."""
        if self._timer.isActive():
            self.write_now()

    def discard(self) -> None:
        """The document is closing cleanly: stop and remove the working copy."""
        self._timer.stop()
        self.copy.remove()
