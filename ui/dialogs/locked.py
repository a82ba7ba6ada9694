"""The question asked when a file is open elsewhere (locked): open it read-only, open it anyway
(a lock of another computer only), or not."""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QMessageBox, QWidget

from vsm.files.locks import LockedError


class LockedChoice(Enum):
    """What the person chose for a locked file."""

    READ_ONLY = "read-only"
    ANYWAY = "anyway"  # take the lock over (vsm.files.locks.take_over)
    CANCEL = "cancel"


def can_open_anyway(error: LockedError) -> bool:
    """Whether the lock may be taken over: it belongs to another computer, whose process cannot
    be checked from here (a live process of this computer surely has the file open)."""
    return error.owner is not None and not error.owner.is_this_host()


def ask_locked(parent: QWidget | None, error: LockedError) -> LockedChoice:
    """'X is open on HOST by USER (process N) since T': Open Read-Only (the default), Open
    Anyway when the lock is another computer's, or Cancel."""
    box = QMessageBox(QMessageBox.Icon.Warning, "File in use",
                      f"{error.path.name} {error.reason}.", parent=parent)
    read_only = box.addButton("Open &Read-Only", QMessageBox.ButtonRole.AcceptRole)
    anyway = None
    if can_open_anyway(error):
        box.setInformativeText(
            "If it is still open there, open it read-only and keep your changes with Save As.\n\n"
            "If it is not (a synced folder, or the editor there stopped without closing it), "
            "you can open it anyway. Should it still be open there, whoever saves last "
            "overwrites the other's changes.")
        anyway = box.addButton("Open &Anyway", QMessageBox.ButtonRole.DestructiveRole)
    else:
        box.setInformativeText("You can open it read-only and keep your changes with Save As.")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(read_only)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is read_only:
        return LockedChoice.READ_ONLY
    if anyway is not None and clicked is anyway:
        return LockedChoice.ANYWAY
    return LockedChoice.CANCEL
