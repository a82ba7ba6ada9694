"""A large file being opened (issue 19): read and analysed on a worker (ui.document.reading)
while the window says so and waits for it.

Meanwhile a window-modal progress dialog ("Opening bench.vsm…", busy, Cancel) keeps the current
document as it is, untouchable (nothing can be edited that the new document would silently
replace), and the status bar says what is being opened. Cancel (or the window closing) drops
the worker's outcome unseen and gives back the lock taken for the file; otherwise the outcome
goes to `done(opening, outcome)` on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QProgressDialog

from ui.document.reading import read_on_a_worker
from vsm.files.locks import Lock

if TYPE_CHECKING:
    from ui.window.shell import Shell


class OpeningFile(QObject):
    """One file being read on a worker for `shell`; it holds `lock` (None: read-only), which it
    releases when the file does not open, unless the lock is `own` (the current document's:
    reopening it)."""

    def __init__(self, shell: Shell, path: Path, lock: Lock | None, read_only: bool, own: bool,
                 done: Callable[[OpeningFile, object], None]) -> None:
        super().__init__(shell.window())
        self.shell = shell
        self.path = path
        self.lock = lock
        self.read_only = read_only
        self.own = own
        self.cancelled = False
        self.finished = False
        self._done = done
        self.dialog = QProgressDialog(f"Opening {path.name}…", "Cancel", 0, 0, shell.window())
        self.dialog.setWindowTitle("Opening")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self.dialog.show()
        shell.tabs.reading = True
        shell.show_status(f"Opening {path}…", 0)
        # frozen if the heap is when the read ends (not if the window closed meanwhile)
        self.thread = read_on_a_worker(path, self._arrived, freeze=None)

    def cancel(self) -> None:
        """Give up: the current document stays, the outcome is dropped, the lock given back."""
        if self.finished:
            return
        self.cancelled = True
        self._end()
        self.release()
        self.shell.show_status(f"Opening of {self.path.name} cancelled", 5000)

    def release(self) -> None:
        """Give back the lock taken for the file (not the current document's own)."""
        if self.lock is not None and not self.own:
            self.lock.release()
        self.lock = None

    def _end(self) -> None:
        self.finished = True
        self.shell.tabs.reading = False
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.hide()
        self.dialog.deleteLater()
        self.shell.show_status("", 0)
        self.deleteLater()

    def _arrived(self, outcome: object) -> None:
        if self.finished:
            return
        self._end()
        self._done(self, outcome)
