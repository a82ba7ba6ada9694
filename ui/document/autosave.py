"""Autosave: every committed edit reaches the document's working copy within DELAY_MS.

Each change of the undo stack's index (push, undo, redo) starts a single-shot timer unless it is
already running, so a steady stream of edits is still written every DELAY_MS, never postponed.
When it fires, the whole project is written to the working copy with `vsm.files.vsm_file.save_project`,
which is atomic: a crash mid-write leaves the previous working copy intact. With the write itself
well under a second, no edit older than two seconds is ever missing after a crash.

The timer's write runs on a worker thread (issue 19: 0.31 s for the 5,000-step benchmark map):
the GUI thread copies the project (ui.document.snapshots, about 2 µs a record) and a single worker
writes the copy, so writes never overlap and land in order. Removing the working copy, and the
synchronous `write_now` (used before a save, and by a retry), take the same lock and start a new
*epoch*: a background write of an older epoch that has not started yet is dropped, so it cannot
bring back a removed copy or overwrite a newer one.

A document back in its clean state (just saved, or every edit undone) has nothing to protect:
its working copy is removed. While a background write may still be running, the removal is handed
to the same worker, after it: the GUI thread never waits for a write (an undo back to the clean
state waited 1.3 s for the 5,000-step map's write).

A failed write, whatever the reason (the data folder is full or read-only, a value the file
cannot hold, a bug), is never silent: `failed` gives the reason once per run of failures, and
`warning_changed` the text of a warning that the window keeps in view for as long as the edits are
not protected ("" once a write works again, or once nothing is left to protect). While failing,
the write is tried again at every edit and every RETRY_MS.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance

from ui.document.handoff import Receiver
from ui.document.snapshots import ProjectRecords
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


class _Epoch:
    """The autosaver's epoch, in a plain object the write worker can read without holding the
    autosaver (a Qt object) on its thread."""

    def __init__(self) -> None:
        self.value = 0


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
        self._timer.timeout.connect(self.write_in_background)
        self._io = threading.Lock()  # one file operation on the working copy at a time
        self._epochs = _Epoch()  # see the module docstring; the worker reads it, not us
        self._in_flight = 0  # background writes handed over, not yet reported
        self._pool: ThreadPoolExecutor | None = None
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
        """An edit is waiting to be written (or being written by the worker)."""
        return self._timer.isActive() or self._in_flight > 0

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
            self._remove_after_writes()
            self._succeeded()  # nothing left to protect

    def _on_path_changed(self) -> None:
        try:
            self.copy.update(self.document.path, self.document.project.name)
        except Exception:  # noqa: BLE001 - the next write records it, or reports why not
            _log.debug("could not record the new file of the working copy", exc_info=True)

    def _nothing_to_write(self) -> bool:
        """Stop the timers; with nothing unsaved, remove the working copy and say so (True)."""
        self._timer.stop()
        self._retry.stop()
        if self.document.modified:
            return False
        self._remove_after_writes()
        self._succeeded()
        return True

    def write_now(self) -> None:
        """Write the working copy now (or remove it when there is nothing unsaved)."""
        if self._nothing_to_write():
            return
        started = time.perf_counter()
        try:
            with self._io:
                self._epochs.value += 1
                self.copy.write(self.document.project, self.document.path, self._edited_at)
        except Exception as error:  # noqa: BLE001 - every failure is reported, none escapes
            if not isinstance(error, VsmError):
                _log.error("autosave failed", exc_info=error)
            self._failed(_reason(error))
            return
        self.last_write_seconds = time.perf_counter() - started
        self._succeeded()
        self.written.emit()

    def write_in_background(self) -> None:
        """Copy the project now and let the worker write the copy (the timer's write)."""
        if self._nothing_to_write():
            return
        live = getattr(self.document, "live", None)  # its kept record copies, when it has them
        records = ProjectRecords.of(self.document.project,
                                    live.copies if live is not None else lambda _map_id: None)
        copy, original, edited_at, epoch = (self.copy, self.document.path, self._edited_at,
                                            self._epochs.value)
        lock, done = self._io, Receiver(self._on_done)  # never a Qt object on the worker
        epochs = self._epochs

        def job() -> None:
            started = time.perf_counter()
            outcome: object = None
            try:
                project = records.rebuild()
                with lock:
                    if epochs.value != epoch:
                        outcome = "superseded"
                    else:
                        copy.write(project, original, edited_at)
            except Exception as error:  # noqa: BLE001 - every failure is reported, none escapes
                outcome = error
            done.send(epoch, outcome, time.perf_counter() - started)

        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vsm-autosave")
        self._in_flight += 1
        self._pool.submit(job)

    def _on_done(self, epoch: int, outcome: object, seconds: float) -> None:
        self._in_flight -= 1
        if outcome == "superseded":
            return
        if isinstance(outcome, Exception):
            if not isinstance(outcome, VsmError):
                _log.error("autosave failed", exc_info=outcome)
            self._failed(_reason(outcome))
            return
        self.last_write_seconds = seconds
        self._succeeded()
        self.written.emit()

    def _remove(self) -> None:
        """Remove the working copy; background writes handed over before are dropped."""
        with self._io:
            self._epochs.value += 1
            self.copy.remove()

    def _remove_after_writes(self) -> None:
        """Remove the working copy without waiting for a background write: a newer epoch now
        drops writes not yet started, and the removal runs on the write worker after the one
        that may be running. With no write handed over, remove it here."""
        if self._in_flight == 0 or self._pool is None:
            self._remove()
            return
        self._epochs.value += 1
        copy, lock = self.copy, self._io

        def job() -> None:
            with lock:
                copy.remove()  # never raises

        self._pool.submit(job)

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
        self._remove()
