"""Autosave: every committed edit reaches the document's working copy within DELAY_MS.

Each change of the undo stack's index (push, undo, redo) starts a single-shot timer unless it is
already running, so a steady stream of edits is still written every DELAY_MS, never postponed.
When it fires, the whole project is written to the working copy with `vsm.files.vsm_file.save_project`,
which is atomic: a crash mid-write leaves the previous working copy intact. With the write itself
well under a second, no edit older than two seconds is ever missing after a crash.

The timer's write runs in a second process (issue 19: 0.31 s for the 5,000-step benchmark map).
A worker *thread* did not keep it off the GUI thread: the two share CPython's interpreter lock,
and each time Qt called back into Python the GUI thread waited to win it back from the write
(SQLite's inserts, the checksum), so at 5,000 steps undoing a step's removal blocked the window
406 ms and Auto-Layout 692 ms, against 29 ms and 259 ms with the write (and the cost counts) off
the interpreter. The GUI thread copies the project (ui.document.snapshots, about 2 µs a record)
and hands the copy to `processes.shared("autosave")` (ui.document.working_copy_jobs), one child
that runs its jobs one at a time in order, so writes never overlap and land in order; the result
comes back to the GUI thread through ui.document.handoff.Receiver.

Removing the working copy, and the synchronous `write_now` (used before a save, and by a retry),
start a new *epoch*: the background writes of an older epoch that have not started yet are
cancelled (they never run), and the one that may be running is waited for before the file is
touched here, so an older write can never land after (over) a newer one or bring back a removed
copy. A write whose epoch is stale when its result arrives is ignored (superseded).

A document back in its clean state (just saved, or every edit undone) has nothing to protect:
its working copy is removed. While a background write may still be running, the removal is handed
to the same worker, after it: the GUI thread never waits for a write (an undo back to the clean
state waited 1.3 s for the 5,000-step map's write).

A failed write, whatever the reason (the data folder is full or read-only, a value the file
cannot hold, a bug, the second process ending mid-write), is never silent: `failed` gives the
reason once per run of failures, and `warning_changed` the text of a warning that the window keeps
in view for as long as the edits are not protected ("" once a write works again, or once nothing
is left to protect). While failing, the write is tried again at every edit and every RETRY_MS.
"""

from __future__ import annotations

import logging
import time
import weakref
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance

from ui.document import processes
from ui.document.handoff import Receiver
from ui.document.snapshots import ProjectRecords
from ui.document.working_copy_jobs import Written, remove_working_copy, write_working_copy
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


def _reason(error: BaseException) -> str:
    """Why a write failed, for people: our errors say it; anything else is named (a bug)."""
    if isinstance(error, VsmError):
        return getattr(error, "reason", None) or str(error)
    return f"the recovery copy could not be written ({type(error).__name__}: {error})"


def _outcome(future: Future[Written]) -> Written | BaseException | str:
    """A finished write's outcome: what it wrote, its exception, or "superseded" (cancelled
    before it started)."""
    if future.cancelled():
        return "superseded"
    error = future.exception()
    return error if error is not None else future.result()


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
        self._epoch = 0  # see the module docstring
        self._in_flight = 0  # background writes handed over, not yet reported
        self._writes: list[Future[Written]] = []  # handed over to the worker, maybe unfinished
        self._removals: list[Future[None]] = []  # likewise
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
            self._remove()
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
        self._supersede_writes()
        self._wait_for_the_worker()
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

    def write_in_background(self) -> None:
        """Copy the project now and let the second process write the copy (the timer's write)."""
        if self._nothing_to_write():
            return
        live = getattr(self.document, "live", None)  # its kept record copies, when it has them
        records = ProjectRecords.of(self.document.project,
                                    live.copies if live is not None else lambda _map_id: None)
        copy, epoch, done = self.copy, self._epoch, Receiver(self._on_done)
        future = processes.shared("autosave").submit(write_working_copy, records, copy,
                                                     self.document.path, self._edited_at)
        self._in_flight += 1
        self._writes = [*self._unfinished(self._writes), future]
        # On the worker's dispatching thread (or here, when cancelled): never a Qt object there.
        future.add_done_callback(lambda finished: done.send(epoch, copy, _outcome(finished)))

    def _on_done(self, epoch: int, copy: WorkingCopy, outcome: object) -> None:
        self._in_flight -= 1
        if outcome == "superseded" or epoch != self._epoch:
            return  # cancelled, or a newer write or a removal came after it
        if isinstance(outcome, BaseException):
            if not isinstance(outcome, VsmError):
                _log.error("autosave failed", exc_info=outcome)
            self._failed(_reason(outcome))
            return
        assert isinstance(outcome, Written)
        outcome.apply_to(copy)  # what the child's copy of it recorded
        self.last_write_seconds = outcome.seconds
        self._succeeded()
        self.written.emit()

    @staticmethod
    def _unfinished(futures: list) -> list:
        return [future for future in futures if not future.done()]

    def _supersede_writes(self) -> None:
        """Start a new epoch: the background writes not started yet never run, and the result
        of the one that may be running is ignored."""
        self._epoch += 1
        for future in self._writes:
            future.cancel()  # False for one running or done: left to finish

    def _wait_for_the_worker(self) -> None:
        """Wait for the writes and removals handed over that have not finished (at most the one
        running, after _supersede_writes), so none lands after what is done here."""
        wait(self._unfinished(self._writes) + self._unfinished(self._removals))
        self._writes, self._removals = [], []

    def _remove(self) -> None:
        """Remove the working copy; background writes handed over before never land after."""
        self._supersede_writes()
        self._wait_for_the_worker()
        self.copy.remove()

    def _remove_after_writes(self) -> None:
        """Remove the working copy without waiting for a background write: a newer epoch now
        cancels the writes not yet started, and the removal runs on the worker after the one
        that may be running. With nothing handed over unfinished, remove it here."""
        if not self._unfinished(self._writes) and not self._unfinished(self._removals):
            self._remove()
            return
        self._supersede_writes()
        removal = processes.shared("autosave").submit(remove_working_copy, self.copy)
        self._removals = [*self._unfinished(self._removals), removal]

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
