"""Crash recovery at start-up: offer the working copies that a process which is gone left behind.

For each orphan (vsm.files.working_copies.orphans), newest first, the user chooses:
- Recover: the working copy opens as a modified document whose file is the original (or untitled);
  the working copy is adopted, so it keeps protecting the edits until they are saved.
- Open original: the last saved file opens; the unsaved edits are discarded.
- Discard: the edits are discarded and nothing opens.
A working copy that cannot be read is reported and kept where it is; so is one whose note
(sidecar) is damaged, since nobody can tell whose it is: the message says where it is, so its
edits can be opened with File > Open.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from ui.dialogs.locked import LockedChoice, ask_locked
from ui.document.document import Document
from vsm.errors import VsmError
from vsm.files.locks import LockedError, acquire, take_over
from vsm.files.working_copies import WorkingCopy, damaged, orphans
from vsm.model import ModelError


class Choice(Enum):
    RECOVER = "recover"
    OPEN_ORIGINAL = "open original"
    DISCARD = "discard"
    LATER = "later"  # closed the dialog: ask again next time


def ask_recovery(parent: QWidget | None, copy: WorkingCopy) -> Choice:
    """Recover / Open Original / Discard for one working copy, naming it and its last edit."""
    box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved changes?",
                      f"{copy.display_name} has changes that were not saved when VSM Studio "
                      f"stopped unexpectedly.", parent=parent)
    where = f"File: {copy.original}" if copy.original else "It was never saved to a file."
    box.setInformativeText(f"Last edit: {copy.last_edit_text}\n{where}\n\n"
                           "Recover opens the changes; Open Original opens the file as last saved "
                           "and discards them; Discard throws them away.")
    recover = box.addButton("&Recover", QMessageBox.ButtonRole.AcceptRole)
    original = None
    if copy.original is not None and _exists(copy.original):
        original = box.addButton("&Open Original", QMessageBox.ButtonRole.ActionRole)
    discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(recover)
    box.exec()
    clicked = box.clickedButton()
    if clicked is recover:
        return Choice.RECOVER
    if original is not None and clicked is original:
        return Choice.OPEN_ORIGINAL
    if clicked is discard:
        return Choice.DISCARD
    return Choice.LATER


def _exists(path: Path) -> bool:
    """Whether the file exists; False when its path cannot even be asked about (too long)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def still_orphan(copy: WorkingCopy) -> bool:
    """Whether the working copy is still left by a dead process (no other instance took it)."""
    try:
        current = WorkingCopy.read(copy.sidecar)
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return False
    return current.exists and current.owner.is_this_host() and not current.owner.is_alive()


def recover(copy: WorkingCopy, parent: QWidget | None = None) -> Document | None:
    """Open a working copy as a modified document; None if it cannot be taken now.

    The original file is locked for this process; if another process has it open, the user may
    take the recovered document read-only (Save As keeps it) or leave the working copy for later.
    Two instances recovering at once: a lock on the working copy lets only one of them have it.
    Raises FileFormatError if the working copy cannot be read.
    """
    try:
        claim = acquire(copy.database)
    except LockedError:
        return None  # another instance is recovering it right now
    with claim:
        if not still_orphan(copy):
            return None
        project = copy.load()
        lock, read_only = None, False
        if copy.original is not None:
            try:
                lock = acquire(copy.original)
            except LockedError as error:
                choice = ask_locked(parent, error)
                if choice is LockedChoice.CANCEL:
                    return None
                if choice is LockedChoice.ANYWAY and error.owner is not None:
                    lock = take_over(copy.original, error.owner)
                else:
                    read_only = True
        document = Document(project, copy.original)
        document.lock, document.read_only = lock, read_only
        document.mark_recovered()
        if document.autosaver is not None:
            document.autosaver.adopt(copy)
        return document


def offer_recovery(parent: QWidget | None = None, directory: Path | None = None) -> list[Document]:
    """Ask about every orphaned working copy; return the documents the user recovered or opened.
    Working copies with a damaged note are reported first (report_damaged)."""
    report_damaged(parent, directory)
    documents = []
    for copy in orphans(directory):
        choice = ask_recovery(parent, copy)
        try:
            if choice is Choice.RECOVER:
                document = recover(copy, parent)
                if document is not None:
                    documents.append(document)
            elif choice is Choice.OPEN_ORIGINAL and copy.original is not None:
                document = _open_original(copy.original, parent)
                if document is not None:
                    documents.append(document)
                    if still_orphan(copy):
                        copy.remove()
            elif choice is Choice.DISCARD and still_orphan(copy):
                copy.remove()
        except (VsmError, ModelError, OSError) as error:
            reason = getattr(error, "reason", None) or str(error)
            QMessageBox.critical(parent, "Cannot recover",
                                 f"Cannot recover {copy.display_name}:\n\n{reason}\n\n"
                                 f"The working copy is kept at {copy.database}.")
    return documents


SHOWN_DAMAGED = 5  # working copies with a damaged note named in the message; then "and N more"


def report_damaged(parent: QWidget | None = None, directory: Path | None = None) -> None:
    """Say where the working copies with a damaged note are (they are kept, never offered)."""
    found = damaged(directory)
    if not found:
        return
    lines = [f"{item.database}\n    ({item.reason})" for item in found[:SHOWN_DAMAGED]]
    if len(found) > SHOWN_DAMAGED:
        lines.append(f"and {len(found) - SHOWN_DAMAGED} more in {found[0].database.parent}")
    these = "This recovery copy" if len(found) == 1 else "These recovery copies"
    QMessageBox.warning(parent, "Recovery copies with a damaged note",
                        f"{these} cannot be offered for recovery: the note beside each, which "
                        "says which file it belongs to and which program owns it, is damaged.\n\n"
                        + "\n".join(lines) + "\n\nOpen a copy with File > Open to look at its "
                        "edits, and delete it and its note when you no longer need them.")


def _open_original(path: Path, parent: QWidget | None) -> Document | None:
    try:
        return Document.open(path)
    except LockedError as error:
        choice = ask_locked(parent, error)
        if choice is LockedChoice.CANCEL:
            return None
        if choice is LockedChoice.ANYWAY and error.owner is not None:
            return Document.open(path, lock=take_over(path, error.owner))
        return Document.open(path, read_only=True)
