"""The question asked when a file's content does not match the checksum saved with it: open it
anyway, or not."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from vsm.errors import FileFormatError


def ask_open_anyway(parent: QWidget | None, error: FileFormatError) -> bool:
    """'X is damaged or changed outside VSM Studio': Open Anyway or Cancel (the default)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "File damaged or changed",
                      f"{error.path.name} is {error.reason}.", parent=parent)
    box.setInformativeText(
        "A disk error or another program may have changed some of its figures or names. "
        "Open it anyway only if you can check them; saving then writes a fresh checksum.")
    anyway = box.addButton("Open &Anyway", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is anyway
