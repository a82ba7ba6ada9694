"""Autosave: every committed edit reaches the document's working copy within DELAY_MS.

Each change of the undo stack's index (push, undo, redo) starts a single-shot timer unless it is
already running, so a steady stream of edits is still written every DELAY_MS, never postponed.
When it fires, the whole project is written to the working copy with `vsm.files.vsm_file.save_project`,
which is atomic: a crash mid-write leaves the previous working copy intact. With the write itself
well under a second, no edit older than two seconds is ever missing after a crash.

A document back in its clean state (just saved, or every edit undone) has nothing to protect:
its working copy is removed.

A failed write, whatever the reason (the data folder is full or read-only, a value the file
cannot hold, a bug), is never silent: `failed` gives the reason once per run of failures, and
`warning_changed` the text of a warning that the window keeps in view for as long as the edits are
not protected ("" once a write works again, or once nothing is left to protect). While failing,
the write is tried again at every edit and every RETRY_MS.
"""

from __future__ import annotations

import logging
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
RETRY_MS = 10_000  # while writes fail: try again this often, even without an edit
WARNING = "Unsaved edits are not protected against a crash: {reason}"

_log = logging.getLogger(__name__)


def _reason(error: Exception) -> str:
    """Why a write failed, for people: our errors say it; anything else is named (a bug)."""
    if isinstance(error, VsmError):
        return getattr(error, "reason", None) or str(error)
    return f"the recovery copy could not be written ({type(error).__name__}: {error})"


class Autosaver(QObject):
    """Keeps one document's working copy up to date."""

    failed = Signal(str)  # the reason, once per run of failures
    warning_changed = Signal(str)  # the warning to keep in view while failing; "" when not
    written = Signal()

    def __init__(self, document: Autosaved, directory: Path | None = None) -> None:
        super().__init__(document)
        self._document = weakref.ref(document)  # a Qt child must not keep its parent alive
        self.copy = WorkingCopy.new(document.path, document.project.name, directory)
        self.last_write_seconds = 0.0
        self._edited_at: str | None = None
        self._failure: str | None = None  # the reason while writes fail
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._on_retry)
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
    def failing(self) -> bool:
        """The last write failed: the document's edits are not protected."""
        return self._failure is not None

    @property
    def warning(self) -> str:
        """The warning to show while failing (WARNING with the reason), else ""."""
        return WARNING.format(reason=self._failure) if self._failure is not None else ""

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
            self._succeeded()  # nothing left to protect

    def _on_path_changed(self) -> None:
        try:
            self.copy.update(self.document.path, self.document.project.name)
        except Exception:  # noqa: BLE001 - the next write records it, or reports why not
            _log.debug("could not record the new file of the working copy", exc_info=True)

    def write_now(self) -> None:
        """Write the working copy now (or remove it when there is nothing unsaved)."""
        self._timer.stop()
        self._retry.stop()
        if not self.document.modified:
            self.copy.remove()
            self._succeeded()
            return
        started = time.perf_counter()
        try:
            self.copy.write(self.document.project, self.document.path, self._edited_at)
        except Exception as error:  # noqa: BLE001 - every failure is reported, none escapes
            if not isinstance(error, VsmError):
                _log.error("autosave failed", exc_info=error)
            self._failed(_reason(error))
            return
        self.last_write_seconds = time.perf_counter() - started
        self._succeeded()
        self.written.emit()

    def _failed(self, reason: str) -> None:
        first, changed = self._failure is None, reason != self._failure
        self._failure = reason
        self._retry.start()
        if first:
            self.failed.emit(reason)
        if changed:
            self.warning_changed.emit(self.warning)

    def _succeeded(self) -> None:
        self._retry.stop()
        if self._failure is not None:
            self._failure = None
            self.warning_changed.emit("")

    def _on_retry(self) -> None:
        if not self._timer.isActive():
            self.write_now()

    def flush(self) -> None:
        """Write now if an edit is waiting (before saving the document)."""
        if self._timer.isActive():
            self.write_now()

    def discard(self) -> None:
        """The document is closing cleanly: stop and remove the working copy."""
        self._timer.stop()
        self._retry.stop()
        self.copy.remove()
