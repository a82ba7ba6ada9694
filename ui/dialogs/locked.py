"""The question asked when a file is open elsewhere (locked): open it read-only, or not."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from vsm.files.locks import LockedError


def ask_open_read_only(parent: QWidget | None, error: LockedError) -> bool:
    """'X is open on HOST by USER (process N) since T': Open Read-Only or Cancel."""
    box = QMessageBox(QMessageBox.Icon.Warning, "File in use",
                      f"{error.path.name} {error.reason}.", parent=parent)
    box.setInformativeText("You can open it read-only and keep your changes with Save As.")
    read_only = box.addButton("Open &Read-Only", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(read_only)
    box.exec()
    return box.clickedButton() is read_only
